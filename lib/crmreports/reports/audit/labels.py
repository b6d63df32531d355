"""Labels of the CRM audit report («Аудит CRM»). Keys are namespaced ``audit.``; every finding has a title, its
rule (what is counted), the base of its share, how its money is counted and a recommendation."""

TEXT = {
    "noun.audit_point": {"ru": "балл|балла|баллов", "en": "point|points"},
    "noun.audit_record": {"ru": "запись|записи|записей", "en": "record|records"},
    # the summary page
    "audit.summary.title": {"ru": "Итоги аудита", "en": "Audit summary"},
    "audit.summary.sentence": {
        "ru": "Общая оценка — {overall} из 100: процессы {process}, скорость {speed}, качество данных {data}. "
        "Данные на {as_of}; период {period}.",
        "en": "Overall score: {overall} out of 100 — process {process}, speed {speed}, data quality {data}. "
        "Data as of {as_of}; period {period}.",
    },
    "audit.summary.top": {
        "ru": "Исправить в первую очередь (больше всего баллов и денег): {items}.",
        "en": "Fix first (most points and money at stake): {items}.",
    },
    "audit.summary.none": {"ru": "Все проверенные правила выполнены.", "en": "Every rule checked is met."},
    "audit.col.area": {"ru": "Область", "en": "Area"},
    "audit.col.score": {"ru": "Оценка", "en": "Score"},
    "audit.col.points": {"ru": "Баллы", "en": "Points"},
    "audit.col.light": {"ru": "Сигнал", "en": "Light"},
    "audit.col.finding": {"ru": "Находка", "en": "Finding"},
    "audit.col.count": {"ru": "Случаев", "en": "Cases"},
    "audit.col.base": {"ru": "Из", "en": "Of"},
    "audit.col.share": {"ru": "Доля", "en": "Share"},
    "audit.col.money": {"ru": "Деньги под риском", "en": "Money at stake"},
    "audit.col.rule": {"ru": "Правило баллов", "en": "Points rule"},
    "audit.col.deal": {"ru": "Сделка", "en": "Deal"},
    "audit.col.manager": {"ru": "Менеджер", "en": "Manager"},
    "audit.col.stage": {"ru": "Этап", "en": "Stage"},
    "audit.col.amount": {"ru": "Бюджет", "en": "Amount"},
    "audit.col.detail": {"ru": "Подробности", "en": "Details"},
    "audit.col.open_tasks": {"ru": "Открытых задач", "en": "Open tasks"},
    "audit.col.overdue": {"ru": "Просрочено", "en": "Overdue"},
    "audit.col.when": {"ru": "Когда", "en": "When"},
    "audit.col.phone": {"ru": "Телефон", "en": "Phone"},
    "audit.col.email": {"ru": "E-mail", "en": "E-mail"},
    "audit.col.group": {"ru": "Группа", "en": "Group"},
    "audit.col.contact": {"ru": "Контакт", "en": "Contact"},
    "audit.col.source": {"ru": "Источник", "en": "Source"},
    "audit.col.category": {"ru": "Канал", "en": "Channel"},
    "audit.col.waiting": {"ru": "Ждёт", "en": "Waiting"},
    "audit.col.open_deals": {"ru": "Открытых сделок", "en": "Open deals"},
    "audit.detail.waiting": {"ru": "ждёт {h} ч", "en": "waiting {h} h"},
    "audit.area.process": {"ru": "Процессы", "en": "Process"},
    "audit.area.speed": {"ru": "Скорость", "en": "Speed"},
    "audit.area.data": {"ru": "Качество данных", "en": "Data quality"},
    "audit.area.overall": {"ru": "Общая оценка", "en": "Overall"},
    "audit.light.green": {"ru": "● зелёный", "en": "● green"},
    "audit.light.yellow": {"ru": "● жёлтый", "en": "● yellow"},
    "audit.light.red": {"ru": "● красный", "en": "● red"},
    "audit.light.grey": {"ru": "○ не проверено", "en": "○ not checked"},
    "audit.points_rule": {
        "ru": "{points} б., если {measure} ≤ {good}; {half} б., если ≤ {fair}; иначе 0",
        "en": "{points} pts if {measure} ≤ {good}; {half} if ≤ {fair}; else 0",
    },
    "audit.measure.share": {"ru": "доля", "en": "share"},
    "audit.measure.count": {"ru": "число", "en": "count"},
    "audit.area_sentence": {
        "ru": "{area}: {score} из 100 ({points} из {possible} проверенных баллов).",
        "en": "{area}: {score} out of 100 ({points} of {possible} points checked).",
    },
    "audit.not_checked": {"ru": "не проверено", "en": "not checked"},
    "audit.nothing": {"ru": "нечего проверять", "en": "nothing to check"},
    # a finding's block
    "audit.f.count": {
        "ru": "{count} из {base} ({share}); деньги под риском: {money}. Баллы: {got} из {max}.",
        "en": "{count} of {base} ({share}); money at stake: {money}. Points: {got} of {max}.",
    },
    "audit.f.count_plain": {
        "ru": "{count}; деньги под риском: {money}. Баллы: {got} из {max}.",
        "en": "{count}; money at stake: {money}. Points: {got} of {max}.",
    },
    "audit.f.rule": {"ru": "Правило: {rule}", "en": "Rule: {rule}"},
    "audit.f.points": {"ru": "Баллы: {rule}.", "en": "Points: {rule}."},
    "audit.f.money_rule": {"ru": "Деньги ({findings}): {rule}", "en": "Money ({findings}): {rule}"},
    "audit.f.fix": {"ru": "Что сделать: {fix}", "en": "What to do: {fix}"},
    "audit.f.unavailable": {
        "ru": "Не проверено: в хранилище нет нужных данных ({why}).",
        "en": "Not checked: the store lacks the data ({why}).",
    },
    "audit.f.nothing": {"ru": "Нечего проверять за этот период.", "en": "Nothing to check in this period."},
    "audit.f.examples": {
        "ru": "Примеры (до {n}; полный список — в CSV {table}):",
        "en": "Examples (up to {n}; the full list is the CSV {table}):",
    },
    "audit.f.no_link": {
        "ru": "Ссылки на amoCRM не показаны: адрес аккаунта неизвестен (демо-аккаунт или импорт); задайте параметр "
        "deal_links, например https://mycompany.amocrm.ru.",
        "en": "No links to amoCRM: the account's address is unknown (the demo account or an import); set the "
        "deal_links parameter, e.g. https://mycompany.amocrm.ru.",
    },
    "audit.money.none": {"ru": "не применимо", "en": "not applicable"},
    "audit.money.sum": {"ru": "сумма бюджетов этих сделок.", "en": "the sum of these deals' amounts."},
    "audit.money.none_rule": {
        "ru": "у этих записей нет бюджета — деньги не считаются.",
        "en": "these records carry no amount: no money is counted.",
    },
    "audit.money.estimate": {
        "ru": "число сделок × средний бюджет выигранных за период сделок с суммой (оценка).",
        "en": "the number of deals × the average amount of the period's won deals with one (an estimate).",
    },
    "audit.money.tasks": {
        "ru": "сумма бюджетов открытых сделок, на которых есть просроченная задача.",
        "en": "the amounts of the open deals that carry an overdue task.",
    },
    "audit.money.later": {
        "ru": "сумма бюджетов сделок-дублей (кроме самой ранней сделки клиента): воронка завышена на неё.",
        "en": "the amounts of the duplicate deals (all but the client's oldest): the pipeline is inflated by it.",
    },
    "audit.money.idle": {
        "ru": "сумма бюджетов открытых сделок этих менеджеров.",
        "en": "the amounts of these managers' open deals.",
    },
    "audit.by_manager": {"ru": "Просроченные задачи по менеджерам:", "en": "Overdue tasks by manager:"},
    "audit.backlog_extra": {
        "ru": "Всего в «Неразобранном» на {moment}: {pending}; медианное ожидание {median}, самое долгое {max}.",
        "en": "Pending in «Incoming leads» at {moment}: {pending}; median wait {median}, longest {max}.",
    },
    "audit.def.snapshot": {
        "ru": "Состояния (открытые сделки, задачи, «Неразобранное») взяты на {moment}; события — за {period}. "
        "Открытые сделки — по единому определению: не удалены, в открытом этапе; заявки в «Неразобранном» — не сделки.",
        "en": "States (open deals, tasks, «Incoming leads») are taken at {moment}; events within {period}. Open deals "
        "follow the one definition: not deleted, in an open stage; requests in «Incoming leads» are not deals.",
    },
    "audit.def.scores": {
        "ru": "Оценка области — заработанные баллы из баллов проверенных правил, в пересчёте на 100; общая — среднее "
        "трёх областей. Границы правил включительно. Сигнал: зелёный от 80, жёлтый от 50, ниже — красный.",
        "en": "An area's score is the points earned of the points of the rules checked, scaled to 100; overall is the "
        "mean of the three areas. Rule boundaries are inclusive. Light: green from 80, yellow from 50, else red.",
    },
    "audit.def.sums": {
        "ru": "Деньги под риском — в валюте аккаунта; одна сделка может попасть в несколько находок.",
        "en": "Money at stake is in the account's currency; a deal may appear in several findings.",
    },
    "audit.process.title": {"ru": "Процессы: задачи и движение сделок", "en": "Process: tasks and deal flow"},
    "audit.speed.title": {
        "ru": "Скорость: зависшие сделки, заявки, звонки",
        "en": "Speed: stuck deals, requests, calls",
    },
    "audit.data.title": {"ru": "Качество данных", "en": "Data quality"},
    "audit.scores.title": {"ru": "Оценки и правила", "en": "Scores and rules"},
    "audit.scores.intro": {
        "ru": "Каждый балл привязан к правилу: чтобы поднять оценку, исправьте находки с красным и жёлтым сигналом.",
        "en": "Every point is tied to a rule: to raise the score, fix the findings with a red or yellow light.",
    },
    # the findings: title, rule, base, recommendation
    "audit.no_task.title": {"ru": "Открытые сделки без задачи", "en": "Open deals without a task"},
    "audit.no_task.rule": {
        "ru": "открытая сделка, на которой нет ни одной незакрытой задачи.",
        "en": "an open deal with no open task on it.",
    },
    "audit.no_task.base": {
        "ru": "открытой сделки|открытых сделок|открытых сделок",
        "en": "open deal|open deals",
    },
    "audit.no_task.fix": {
        "ru": "Поставьте каждой открытой сделке следующую задачу с датой; включите в amoCRM правило «сделка без "
        "задачи» и разбирайте список ежедневно.",
        "en": "Give every open deal a next task with a due date; turn on amoCRM's 'deal without a task' rule and "
        "clear the list daily.",
    },
    "audit.overdue_tasks.title": {"ru": "Просроченные задачи", "en": "Overdue tasks"},
    "audit.overdue_tasks.rule": {
        "ru": "незакрытая задача, срок которой прошёл.",
        "en": "an open task whose due time has passed.",
    },
    "audit.overdue_tasks.base": {
        "ru": "открытой задачи|открытых задач|открытых задач",
        "en": "open task|open tasks",
    },
    "audit.overdue_tasks.fix": {
        "ru": "Закройте или перенесите просроченные задачи; руководителю — еженедельный разбор по менеджерам.",
        "en": "Close or reschedule overdue tasks; the head of sales reviews them weekly, manager by manager.",
    },
    "audit.moved_back.title": {"ru": "Сделки, перенесённые назад по воронке", "en": "Deals moved backwards"},
    "audit.moved_back.rule": {
        "ru": "сделку за период перевели на более ранний открытый этап той же воронки.",
        "en": "a deal moved to an earlier open stage of the same pipeline within the period.",
    },
    "audit.moved_back.base": {
        "ru": "сделки, менявшей этап|сделок, менявших этап|сделок, менявших этап",
        "en": "deal that changed stage|deals that changed stage",
    },
    "audit.moved_back.fix": {
        "ru": "Договоритесь, что значит каждый этап (критерии входа), и не двигайте сделки назад: откат — признак "
        "ошибочного перевода или неясных этапов.",
        "en": "Agree on what each stage means (entry criteria) and do not move deals back: a move back means a wrong "
        "move or unclear stages.",
    },
    "audit.stuck_p75.title": {"ru": "Сделки, зависшие на этапе", "en": "Deals stuck in a stage"},
    "audit.stuck_p75.rule": {
        "ru": "открытая сделка стоит на этапе дольше, чем 75 % сделок стояли на нём за последний год (этапы, где "
        "меньше {min} завершённых пребываний, не оцениваются).",
        "en": "an open deal has been in its stage longer than 75 % of the deals stayed in it over the last year "
        "(stages with fewer than {min} completed visits are not judged).",
    },
    "audit.stuck_p75.base": {
        "ru": "открытой сделки на оцениваемых этапах|открытых сделок на оцениваемых этапах|"
        "открытых сделок на оцениваемых этапах",
        "en": "open deal in judged stages|open deals in judged stages",
    },
    "audit.stuck_p75.fix": {
        "ru": "Пройдитесь по списку: двиньте сделку дальше, назначьте следующий шаг или закройте как проигранную.",
        "en": "Go through the list: move the deal on, set a next step, or close it as lost.",
    },
    "audit.stuck_first.title": {"ru": "Сделки, застрявшие на первом этапе", "en": "Deals stuck in the first stage"},
    "audit.stuck_first.rule": {
        "ru": "открытая сделка стоит на первом открытом этапе воронки дольше {days}.",
        "en": "an open deal has been in its pipeline's first open stage for more than {days}.",
    },
    "audit.stuck_first.base": {
        "ru": "открытой сделки|открытых сделок|открытых сделок",
        "en": "open deal|open deals",
    },
    "audit.stuck_first.fix": {
        "ru": "Квалифицируйте новые сделки в течение {days}: первый звонок, перевод на следующий этап или закрытие.",
        "en": "Qualify new deals within {days}: a first call, the next stage, or closing it.",
    },
    "audit.unsorted_backlog.title": {"ru": "Неразобранные заявки", "en": "Unsorted backlog"},
    "audit.unsorted_backlog.rule": {
        "ru": "заявка в «Неразобранном» ждёт решения дольше {hours} ч.",
        "en": "a request in «Incoming leads» has waited for a decision longer than {hours} h.",
    },
    "audit.unsorted_backlog.base": {
        "ru": "заявки за период|заявок за период|заявок за период",
        "en": "request of the period|requests of the period",
    },
    "audit.unsorted_backlog.fix": {
        "ru": "Разбирайте «Неразобранное» несколько раз в день: принять или отклонить; назначьте ответственного.",
        "en": "Clear «Incoming leads» several times a day (accept or decline); name who is responsible.",
    },
    "audit.missed_calls.title": {"ru": "Пропущенные звонки без перезвона", "en": "Missed calls never returned"},
    "audit.missed_calls.rule": {
        "ru": "входящий звонок периода не отвечен, и на этот номер или контакт потом не было исходящего звонка (звонки "
        "моложе {hours} ч на момент выгрузки не оцениваются).",
        "en": "an inbound call of the period was not answered and no outbound call to the same number or contact "
        "followed (calls younger than {hours} h at the data's end are not judged).",
    },
    "audit.missed_calls.base": {
        "ru": "пропущенного входящего|пропущенных входящих|пропущенных входящих",
        "en": "missed inbound call|missed inbound calls",
    },
    "audit.missed_calls.fix": {
        "ru": "Настройте задачу «перезвонить» на каждый пропущенный и перезванивайте в течение часа.",
        "en": "Create a call-back task for every missed call and call back within the hour.",
    },
    "audit.won_no_amount.title": {"ru": "Выигранные сделки без суммы", "en": "Won deals without an amount"},
    "audit.won_no_amount.rule": {
        "ru": "сделка выиграна в периоде, а бюджет пуст или равен нулю.",
        "en": "a deal won in the period with an empty or zero amount.",
    },
    "audit.won_no_amount.base": {
        "ru": "выигранной сделки|выигранных сделок|выигранных сделок",
        "en": "deal won|deals won",
    },
    "audit.won_no_amount.fix": {
        "ru": "Сделайте бюджет обязательным полем при переводе в «Успешно реализовано» и заполните пропуски.",
        "en": "Make the amount required when a deal moves to won, and fill in the gaps.",
    },
    "audit.lost_no_reason.title": {"ru": "Проигранные сделки без причины", "en": "Lost deals without a reason"},
    "audit.lost_no_reason.rule": {
        "ru": "сделка проиграна в периоде без причины отказа.",
        "en": "a deal lost in the period without a loss reason.",
    },
    "audit.lost_no_reason.base": {
        "ru": "проигранной сделки|проигранных сделок|проигранных сделок",
        "en": "deal lost|deals lost",
    },
    "audit.lost_no_reason.fix": {
        "ru": "Включите обязательную причину отказа при закрытии и сократите список причин до понятных.",
        "en": "Make the loss reason required on closing and keep the list of reasons short and clear.",
    },
    "audit.no_source.title": {"ru": "Сделки без источника", "en": "Deals without a source"},
    "audit.no_source.rule": {
        "ru": "сделка создана в периоде без источника.",
        "en": "a deal created in the period without a source.",
    },
    "audit.no_source.base": {
        "ru": "созданной сделки|созданных сделок|созданных сделок",
        "en": "deal created|deals created",
    },
    "audit.no_source.fix": {
        "ru": "Подключите источники через интеграции (сайт, телефония, мессенджеры) и сделайте поле обязательным.",
        "en": "Connect sources through integrations (site, telephony, messengers) and make the field required.",
    },
    "audit.no_contact.title": {"ru": "Сделки без контакта", "en": "Deals without a contact"},
    "audit.no_contact.rule": {
        "ru": "сделка создана в периоде без привязанного контакта.",
        "en": "a deal created in the period with no contact linked.",
    },
    "audit.no_contact.base": {
        "ru": "созданной сделки|созданных сделок|созданных сделок",
        "en": "deal created|deals created",
    },
    "audit.no_contact.fix": {
        "ru": "Привяжите контакт к каждой сделке: без него нет истории клиента и повторных продаж.",
        "en": "Link a contact to every deal: without one there is no client history and no repeat sales.",
    },
    "audit.dup_contacts.title": {"ru": "Дубли контактов", "en": "Duplicate contacts"},
    "audit.dup_contacts.rule": {
        "ru": "у контактов совпадает телефон (по цифрам, 8 и +7 одинаково) или e-mail, либо имя внутри одной "
        "компании; считаются все, кроме первого в группе.",
        "en": "contacts share a phone (by digits, 8 and +7 alike) or e-mail, or a name within one company; all but "
        "the first of each group count.",
    },
    "audit.dup_contacts.base": {
        "ru": "контакта|контактов|контактов",
        "en": "contact|contacts",
    },
    "audit.dup_contacts.fix": {
        "ru": "Объедините дубли (amoCRM: «Объединить»), включите контроль дублей при создании контакта.",
        "en": "Merge the duplicates (amoCRM's Merge) and turn on duplicate control when contacts are created.",
    },
    "audit.dup_deals.title": {"ru": "Дубли открытых сделок", "en": "Duplicate open deals"},
    "audit.dup_deals.rule": {
        "ru": "у одного клиента (тот же контакт или его дубль) несколько открытых сделок в одной воронке; считаются "
        "все, кроме самой ранней.",
        "en": "one client (the same contact or its duplicate) has several open deals in one pipeline; all but the "
        "oldest count.",
    },
    "audit.dup_deals.base": {
        "ru": "открытой сделки|открытых сделок|открытых сделок",
        "en": "open deal|open deals",
    },
    "audit.dup_deals.fix": {
        "ru": "Объедините или закройте лишние сделки: они завышают воронку и прогноз.",
        "en": "Merge or close the extra deals: they inflate the pipeline and the forecast.",
    },
    "audit.unused_stages.title": {"ru": "Этапы, которыми никто не пользуется", "en": "Stages nobody uses"},
    "audit.unused_stages.rule": {
        "ru": "открытый этап, на который за год не перевели ни одной сделки и где сейчас нет сделок.",
        "en": "an open stage no deal entered within a year and no deal is in now.",
    },
    "audit.unused_stages.base": {
        "ru": "неиспользуемый открытый этап|неиспользуемых открытых этапа|неиспользуемых открытых этапов",
        "en": "unused open stage|unused open stages",
    },
    "audit.unused_stages.fix": {
        "ru": "Удалите или объедините лишние этапы: воронка должна отражать реальный процесс.",
        "en": "Remove or merge unused stages: the pipeline should reflect the real process.",
    },
    "audit.skipped_stages.title": {"ru": "Этапы, которые пропускают", "en": "Stages deals routinely skip"},
    "audit.skipped_stages.rule": {
        "ru": "не меньше {share} сделок, прошедших мимо этапа за год (от {min} сделок), его пропустили.",
        "en": "at least {share} of the deals passing the stage within a year (from {min} deals) skipped it.",
    },
    "audit.skipped_stages.base": {
        "ru": "пропускаемый этап|пропускаемых этапа|пропускаемых этапов",
        "en": "skipped stage|skipped stages",
    },
    "audit.skipped_stages.fix": {
        "ru": "Либо уберите этап, либо сделайте его обязательным шагом (в amoCRM — запрет перескока этапов).",
        "en": "Either drop the stage or make it a required step (amoCRM can forbid skipping stages).",
    },
    "audit.idle_managers.title": {"ru": "Менеджеры со сделками, но без звонков и задач", "en": "Idle managers"},
    "audit.idle_managers.rule": {
        "ru": "у менеджера есть открытые сделки, но за период нет ни звонка, ни задачи.",
        "en": "a manager has open deals but no call and no task in the period.",
    },
    "audit.idle_managers.base": {
        "ru": "менеджер без звонков и задач|менеджера без звонков и задач|менеджеров без звонков и задач",
        "en": "idle manager|idle managers",
    },
    "audit.idle_managers.fix": {
        "ru": "Передайте сделки ушедших менеджеров коллегам; убедитесь, что звонки и задачи фиксируются в amoCRM.",
        "en": "Hand departed managers' deals to colleagues; make sure calls and tasks are logged in amoCRM.",
    },
    "audit.custom_fields.title": {"ru": "Незаполненные дополнительные поля", "en": "Custom fields never filled"},
    "audit.custom_fields.rule": {
        "ru": "дополнительное поле, которое не заполнено ни в одной сделке.",
        "en": "a custom field no deal has filled.",
    },
    "audit.custom_fields.base": {
        "ru": "поля|полей|полей",
        "en": "field|fields",
    },
    "audit.custom_fields.fix": {
        "ru": "Удалите поля, которыми не пользуются, или сделайте нужные обязательными.",
        "en": "Remove fields nobody uses, or make the needed ones required.",
    },
    "audit.custom_fields.why": {
        "ru": "хранилище не сохраняет дополнительные поля amoCRM",
        "en": "the store keeps no amoCRM custom fields",
    },
    "audit.dup_contacts.why": {
        "ru": "в хранилище нет контактов — загрузите аккаунт заново из API или демо",
        "en": "the store has no contacts: load the account again from the API or the demo",
    },
}
