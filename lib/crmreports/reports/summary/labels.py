"""Every string the summary («Сводный отчёт») shows, in Russian and English."""

TEXT = {
    "summary.index.revenue": {"ru": "Выручка", "en": "Revenue"},
    "summary.index.open_pipeline": {"ru": "Открытые сделки, сумма", "en": "Open pipeline"},
    "summary.index.top_action_money": {"ru": "На кону в первом деле", "en": "At stake in the first action"},
    "noun.summary_open_deal_dat": {
        "ru": "открытой сделке|открытым сделкам|открытым сделкам",
        "en": "open deal|open deals",
    },
    "noun.summary_stale_deal_acc": {
        "ru": "зависшую сделку|зависшие сделки|зависших сделок",
        "en": "stale deal|stale deals",
    },
    "noun.summary_request_acc": {"ru": "заявку|заявки|заявок", "en": "request|requests"},
    "summary.kpi.vs_previous": {"ru": "к пред. периоду", "en": "vs previous"},
    "summary.kpi.vs_year": {"ru": "к прошлому году", "en": "vs last year"},
    "summary.kpi.revenue": {"ru": "Выручка", "en": "Revenue"},
    "summary.kpi.won_deals": {"ru": "Успешные сделки", "en": "Deals won"},
    "summary.kpi.average_check": {"ru": "Средний чек", "en": "Average deal"},
    "summary.kpi.created_deals": {"ru": "Новые сделки", "en": "New deals"},
    "summary.kpi.win_rate": {"ru": "Доля выигранных", "en": "Win rate"},
    "summary.kpi.calls_total": {"ru": "Звонки", "en": "Calls"},
    "summary.state.title": {"ru": "Состояние на {as_of}", "en": "The state as of {as_of}"},
    "summary.state.sentence": {
        "ru": "В работе {open} на {amount}; просроченных задач — {overdue}, сделок без задачи — {no_task}.",
        "en": "{open} in progress worth {amount}; {overdue} overdue tasks, {no_task} deals without a task.",
    },
    "summary.state.imbalance": {
        "ru": "Нагрузка неравномерна: у {name} {n} — в {ratio} раза больше медианы команды ({median}).",
        "en": "The load is uneven: {name} holds {n}, {ratio} times the team's median ({median}).",
    },
    "summary.state.no_contacts": {
        "ru": "Контактов в данных нет (хранилище или импорт без контактов): сравнить созданные контакты и сделки "
        "нельзя.",
        "en": "The data holds no contacts (a store or import without them): contacts created cannot be compared with "
        "deals created.",
    },
    "summary.state.contacts": {
        "ru": "{name}: контактов создано — {contacts}, а сделок — лишь {deals}; базу нужно отрабатывать.",
        "en": "{name}: contacts created {contacts}, but deals only {deals} — the base needs working.",
    },
    "summary.state.no_tasks": {
        "ru": "В данных нет задач (импорт без задач): просроченные задачи и сделки без задач не считаются.",
        "en": "The data holds no tasks (an import without tasks): overdue tasks and deals without a task are not "
        "counted.",
    },
    "summary.col.deals": {"ru": "Сделок", "en": "Deals"},
    "summary.col.open_deals": {"ru": "Открытых сделок", "en": "Open deals"},
    "summary.col.open_tasks": {"ru": "Открытых задач", "en": "Open tasks"},
    "summary.col.overdue": {"ru": "Просрочено", "en": "Overdue"},
    "summary.col.deals_created": {"ru": "Создано сделок", "en": "Deals created"},
    "summary.col.contacts_created": {"ru": "Создано контактов", "en": "Contacts created"},
    "summary.col.what": {"ru": "Что сделать", "en": "What to do"},
    "summary.col.money": {"ru": "На кону", "en": "At stake"},
    "summary.col.where": {"ru": "Подробнее", "en": "Details"},
    "summary.numbers.title": {"ru": "{period} в шести цифрах", "en": "{period} in six numbers"},
    "summary.act.title": {"ru": "Пять дел на этот месяц", "en": "Five things to act on this month"},
    "summary.act.title_few": {"ru": "Главные дела на этот месяц", "en": "Things to act on this month"},
    "summary.act.none": {"ru": "Денег под риском не найдено.", "en": "No money at stake found."},
    "summary.act.no_reason": {"ru": "без причины", "en": "no reason given"},
    "summary.act.overdue": {
        "ru": "Закрыть просроченные задачи ({tasks}) по {n}",
        "en": "Clear the overdue tasks ({tasks}) on {n}",
    },
    "summary.act.without_task": {
        "ru": "Поставить следующий шаг {n} без задачи",
        "en": "Set a next step on {n} without a task",
    },
    "summary.act.stale": {
        "ru": "Разобрать {n}: двинуть дальше или закрыть",
        "en": "Review {n}: move them on or close them",
    },
    "summary.act.loss_reason": {
        "ru": "Главная причина потерь за период — «{reason}» ({n}): разобрать, что можно исправить",
        "en": "The top loss reason of the period, «{reason}» ({n}): find what can be fixed",
    },
    "summary.act.backlog": {
        "ru": "Разобрать {n} в «Неразобранном» (оценка: заявки × доля выигранных × средний чек)",
        "en": "Process {n} waiting in «Incoming leads» (estimate: requests × win rate × average deal)",
    },
    "summary.act.manager": {
        "ru": "{name}: {n} без задачи или с просрочкой — разобрать с менеджером",
        "en": "{name}: {n} without a task or with an overdue one — review with the manager",
    },
    "summary.act.first": {
        "ru": "Первое дело — {what}; на кону {money}.",
        "en": "First thing: {what} — {money} at stake.",
    },
    "summary.where.actions": {"ru": "что сделать сейчас", "en": "what to act on now"},
    "summary.where.losses": {"ru": "потери", "en": "losses"},
    "summary.where.backlog": {"ru": "очередь заявок", "en": "the backlog"},
    "summary.def.state": {
        "ru": "Открытые сделки — на открытых этапах, без заявок «Неразобранного»; задачи — по ответственному; "
        "просроченная — открытая задача со сроком раньше момента данных; контакты и сделки — созданные в периоде, "
        "по ответственному.",
        "en": "Open deals are in open stages, «Incoming leads» requests excluded; tasks by their responsible user; "
        "overdue = an open task due before the data moment; contacts and deals = created in the period, by "
        "responsible user.",
    },
    "summary.def.numbers": {
        "ru": "Выручка и успешные сделки — закрытые в периоде; доля выигранных = выиграно / (выиграно + проиграно).",
        "en": "Revenue and deals won are those closed in the period; win rate = won / (won + lost).",
    },
    "summary.def.actions": {
        "ru": "На кону: сумма открытых сделок, которых касается дело (суммы дел пересекаются: зависшая сделка может "
        "быть и без задачи); потери — сумма проигранных сделок периода; заявки — оценка. Ссылка ведёт на раздел "
        "отчёта в этом же комплекте.",
        "en": "At stake: the amount of the open deals the action concerns (actions overlap: a stale deal may also "
        "lack a task); losses: the amount lost in the period; requests: an estimate. The link opens the report "
        "section in the same pack.",
    },
}
