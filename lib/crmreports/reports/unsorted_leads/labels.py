"""Labels of the unsorted-leads («Неразобранное») report."""

TEXT = {
    "noun.unsorted_incoming": {"ru": "заявка|заявки|заявок", "en": "incoming lead|incoming leads"},
    "noun.unsorted_lead_gen": {"ru": "лида|лидов|лидов", "en": "lead|leads"},
    "unsorted.verb.became": {
        "ru": "перешёл в сделку|перешли в сделки|перешли в сделки",
        "en": "became a deal|became deals",
    },
    "unsorted.unit.min": {"ru": "мин", "en": "min"},
    "unsorted.unit.h": {"ru": "ч", "en": "h"},
    "unsorted.category.sip": {"ru": "Звонки", "en": "Calls"},
    "unsorted.category.mail": {"ru": "Почта", "en": "E-mail"},
    "unsorted.category.forms": {"ru": "Формы", "en": "Web forms"},
    "unsorted.category.chats": {"ru": "Чаты", "en": "Chats"},
    "unsorted.outcome.accepted": {"ru": "Принято", "en": "Accepted"},
    "unsorted.outcome.declined": {"ru": "Отклонено", "en": "Declined"},
    "unsorted.outcome.pending": {"ru": "Ждут решения", "en": "Pending"},
    "unsorted.action.call": {"ru": "звонок", "en": "a call"},
    "unsorted.action.task": {"ru": "задача", "en": "a task"},
    "unsorted.action.stage": {"ru": "смена этапа", "en": "a stage change"},
    "unsorted.no_owner": {"ru": "без ответственного", "en": "no owner"},
    "unsorted.no_source": {"ru": "источник не указан", "en": "source not set"},
    # headline
    "unsorted.kpi.title": {
        "ru": "Входящие заявки и конверсия в сделки",
        "en": "Incoming leads and conversion to deals",
    },
    "unsorted.kpi.unsorted_total": {"ru": "Поступило заявок", "en": "Incoming leads"},
    "unsorted.kpi.unsorted_accepted": {"ru": "Принято", "en": "Accepted"},
    "unsorted.kpi.unsorted_declined": {"ru": "Отклонено", "en": "Declined"},
    "unsorted.kpi.unsorted_pending": {"ru": "Ждут решения", "en": "Pending"},
    "unsorted.kpi.unsorted_to_deals": {"ru": "Перешли в сделки", "en": "Became deals"},
    "unsorted.kpi.unsorted_to_won": {"ru": "Из них выиграно", "en": "Of which won"},
    "unsorted.kpi.unsorted_won_revenue": {"ru": "Выручка выигранных", "en": "Won revenue"},
    "unsorted.kpi.unsorted_to_deals_share": {"ru": "Конверсия в сделки", "en": "Conversion to deals"},
    "unsorted.kpi.speed_to_accept_median_min": {"ru": "Медиана до принятия", "en": "Median time to accept"},
    "unsorted.kpi.speed_to_first_action_median_min": {
        "ru": "Медиана до первого действия",
        "en": "Median time to first action",
    },
    "unsorted.kpi.vs_previous": {"ru": "к пред. периоду", "en": "vs previous"},
    "unsorted.kpi.vs_year": {"ru": "к прошлому году", "en": "vs last year"},
    "unsorted.kpi.sentence_in": {
        "ru": "За {period} поступило {total} ({d_prev} к предыдущему периоду, {d_year} к прошлому году): "
        "принято {accepted}, отклонено {declined}, ждут решения {pending}.",
        "en": "{total} arrived in {period} ({d_prev} vs the previous period, {d_year} vs last year): "
        "{accepted} accepted, {declined} declined, {pending} pending.",
    },
    "unsorted.kpi.sentence_deals": {
        "ru": "{deals} из {total} {became} — {share}.",
        "en": "{deals} of {total} {became}, {share}.",
    },
    "unsorted.kpi.sentence_won": {
        "ru": "Из них выиграно сделок: {won} на {revenue}.",
        "en": "Of those, {won} won for {revenue}.",
    },
    "unsorted.kpi.sentence_none_won": {
        "ru": "Ни одна из этих сделок пока не выиграна.",
        "en": "None of those deals has been won yet.",
    },
    "unsorted.kpi.none": {
        "ru": "За {period} в «Неразобранное» не поступило ни одной заявки.",
        "en": "No incoming leads arrived in {period}.",
    },
    "unsorted.def.counts": {
        "ru": "Заявка — элемент «Неразобранного» (звонок, письмо, форма, чат), поступивший в периоде. Исход "
        "(принята, отклонена, ждёт решения) — на дату данных {as_of}. «Перешла в сделку» — принятая заявка, "
        "сделка которой существует (не удалена); «выиграна» — эта сделка перешла в «Успешно реализовано» "
        "до {as_of}; выручка — сумма их бюджетов (у недавних заявок число выигранных ещё растёт). Конверсия в "
        "сделки = перешедшие в сделки / все поступившие.",
        "en": "An incoming lead is an item of «Unsorted» (call, e-mail, form, chat) that arrived in the period. The "
        "outcome (accepted, declined, pending) is as of the data date {as_of}. «Became a deal»: an accepted "
        "item whose deal still exists (not deleted); «won»: that deal reached won before {as_of}; revenue is "
        "the sum of their budgets (recent items are still maturing). Conversion to deals = became deals / all "
        "incoming.",
    },
    "unsorted.def.scope": {
        "ru": "Заявки менеджера — те, чья сделка сейчас на нём; отклонённая заявка (сделка удалена) относится к "
        "тому, кто её отклонил. Заявки, принятые, но с удалённой сделкой, видны только в отчёте по команде.",
        "en": "A manager's incoming leads are those whose deal is now theirs; a declined item (its deal deleted) "
        "belongs to whoever declined it. Items accepted but whose deal was later deleted show only in the "
        "team report.",
    },
    "unsorted.def.compare": {
        "ru": "Сравнение: предыдущий период той же длины ({previous}) и тот же период год назад ({year_ago}), "
        "в одном возрасте: исходы заявок текущего периода — на {as_of}, заявок {previous} — на {cut_previous}, "
        "{year_ago} — на {cut_year} (конец своего периода плюс столько же, сколько прошло после конца "
        "текущего). Так принятые, выигранные, выручка и время до действия не выглядят лучше у старых периодов "
        "только потому, что те успели дозреть.",
        "en": "Compared with the previous period of the same length ({previous}) and the same period a year "
        "earlier ({year_ago}) at the same age: the outcomes of this period's items as of {as_of}, of {previous}'s "
        "as of {cut_previous}, of {year_ago}'s as of {cut_year} (its own end plus as long as has passed since "
        "this period ended), so that accepted, won, revenue and time to action do not look better in older "
        "periods only because they have had longer to mature.",
    },
    # sources
    "unsorted.sources.title": {"ru": "Источники и каналы заявок", "en": "Sources and channels"},
    "unsorted.sources.source": {"ru": "Источник", "en": "Source"},
    "unsorted.sources.category": {"ru": "Канал", "en": "Channel"},
    "unsorted.sources.total": {"ru": "Заявок", "en": "Leads"},
    "unsorted.sources.to_deals": {"ru": "В сделки", "en": "To deals"},
    "unsorted.sources.conv": {"ru": "Конв. в сделки", "en": "Conv. to deals"},
    "unsorted.sources.won": {"ru": "Выиграно", "en": "Won"},
    "unsorted.sources.revenue": {"ru": "Выручка", "en": "Revenue"},
    "unsorted.sources.top": {
        "ru": "Больше всего заявок пришло из источника «{source}»: {n} ({share} всех).",
        "en": "Most incoming leads came from «{source}»: {n} ({share} of all).",
    },
    "unsorted.sources.decided": {"ru": "Решено", "en": "Decided"},
    "unsorted.sources.won_of_decided": {"ru": "Выигр. из решённых", "en": "Won of decided"},
    "unsorted.sources.basis": {
        "ru": "«{source}» — {conv}, {won} из {decided} решённых, интервал {low}–{high}",
        "en": "«{source}», {conv}: {won} of {decided} decided, interval {low}–{high}",
    },
    "unsorted.sources.best": {
        "ru": "Лучше всего заявки доходят до выигранной сделки у источника {best}; хуже всего — {worst}.",
        "en": "Leads end in a won deal most often from {best}; least often from {worst}.",
    },
    "unsorted.sources.no_rank_overlap": {
        "ru": "Назвать лучший и худший источник пока нельзя: разница в пределах случайности ({best}; {worst}).",
        "en": "No best or worst source can be named yet: the difference is within chance ({best}; {worst}).",
    },
    "unsorted.sources.no_rank_few": {
        "ru": "Назвать лучший и худший источник пока нельзя: меньше двух источников, у которых решено не меньше "
        "{n} заявок.",
        "en": "No best or worst source can be named yet: fewer than two sources have at least {n} decided leads.",
    },
    "unsorted.def.sources": {
        "ru": "Источник — источник заявки в amoCRM (виджет, форма, ящик, мессенджер), канал — её тип: звонок, "
        "письмо, форма или чат. «В сделки», «выиграно» и выручка — как в разделе «Входящие заявки и "
        "конверсия в сделки».",
        "en": "Source: the item's source in amoCRM (widget, form, mailbox, messenger); channel: its type, a call, "
        "an e-mail, a form or a chat. «To deals», «won» and revenue as defined under «Incoming leads and "
        "conversion to deals».",
    },
    "unsorted.sources.min_note": {
        "ru": "Источники сравниваются по доле выигранных среди решённых заявок: решена — отклонена или принята и "
        "её сделка выиграна или проиграна на дату данных; ждущие решения заявки и открытые сделки неудачей не "
        "считаются. Сравниваются источники, у которых решено не меньше {n} заявок, и только если 95-процентные "
        "интервалы (Уилсона) лучшего и худшего не пересекаются.",
        "en": "Sources are compared by the share won among decided leads: decided means declined, or accepted with "
        "its deal won or lost by the data date; pending leads and open deals are not counted as failures. Only "
        "sources with at least {n} decided leads are compared, and only when the 95 % (Wilson) intervals of the "
        "best and the worst do not overlap.",
    },
    "unsorted.chart.sources": {
        "ru": "Заявки по источникам: поступило и перешло в сделки",
        "en": "Incoming leads by source: arrived and became deals",
    },
    "unsorted.chart.arrived": {"ru": "поступило", "en": "arrived"},
    "unsorted.chart.deals": {"ru": "перешли в сделки", "en": "became deals"},
    # speed
    "unsorted.speed.title": {"ru": "Скорость обработки заявок", "en": "Speed to lead"},
    "unsorted.speed.metric_accept": {"ru": "До принятия", "en": "To acceptance"},
    "unsorted.speed.metric_action": {"ru": "До первого действия", "en": "To first action"},
    "unsorted.speed.n": {"ru": "Заявок", "en": "Leads"},
    "unsorted.speed.median": {"ru": "Медиана", "en": "Median"},
    "unsorted.speed.waiting": {"ru": "Ещё ждут", "en": "Still waiting"},
    "unsorted.speed.no_action": {"ru": "Без действий", "en": "No action"},
    "unsorted.speed.accept_median": {"ru": "Принятие, медиана", "en": "Accept, median"},
    "unsorted.speed.accept_p90": {"ru": "Принятие, P90", "en": "Accept, P90"},
    "unsorted.speed.action_median": {"ru": "1-е действие, медиана", "en": "1st action, median"},
    "unsorted.speed.action_p90": {"ru": "1-е действие, P90", "en": "1st action, P90"},
    "unsorted.speed.sentence_accept": {
        "ru": "Заявку принимают в среднем (медиана) за {median}; каждая десятая ждёт дольше {p90}.",
        "en": "An incoming lead is accepted in a median {median}; one in ten waits longer than {p90}.",
    },
    "unsorted.speed.sentence_action": {
        "ru": "До первого действия с клиентом (звонка, задачи или смены этапа) проходит {median} (медиана), "
        "у каждой десятой заявки — больше {p90}; чаще всего первым действием бывает {kind}.",
        "en": "The first action on the lead (a call, a task or a stage change) comes after a median {median}, "
        "for one in ten after more than {p90}; most often the first action is {kind}.",
    },
    "unsorted.speed.sentence_no_action": {
        "ru": "Не отклонены, но без единого действия: {n}.",
        "en": "Not declined but without any action yet: {n}.",
    },
    "unsorted.speed.slowest": {
        "ru": "Дольше всех до первого действия доходит {name}: медиана {median} против {team} по команде.",
        "en": "{name} is the slowest to act: a median {median} against {team} for the team.",
    },
    "unsorted.speed.none": {
        "ru": "В периоде нет принятых заявок и действий по ним — скорость посчитать не из чего.",
        "en": "No incoming lead of the period was accepted or acted on, so there is no speed to measure.",
    },
    "unsorted.def.speed": {
        "ru": "Время считается в календарных минутах от поступления заявки. До принятия — до переноса заявки из "
        "«Неразобранного» (только принятые заявки). До первого действия — до первого из: исходящего звонка "
        "по сделке или по контакту заявки, созданной по сделке задачи, смены этапа сделки человеком "
        "(не роботом). Входящий звонок клиента, создание сделки и само принятие действием не считаются. "
        "Медиана — половина заявок быстрее; P90 — 90 % заявок быстрее. Отклонённые заявки во время до первого "
        "действия не входят ни в одном периоде; заявки без действия на {as_of} не входят в медиану, их число "
        "показано отдельно.",
        "en": "Times are calendar minutes from the item's arrival. To acceptance: until the item is moved out of "
        "«Unsorted» (accepted items only). To first action: until the first of an outgoing call on the deal "
        "or the item's contact, a task created on the deal, a stage change of the deal made by a person "
        "(not a robot). The client's incoming call, the creation of the deal and the acceptance itself are "
        "not actions. Median: half the items were faster; P90: 90 % were faster. Declined items are left out of "
        "the time to first action in every period; items with no action by {as_of} are not in the median; their "
        "count is shown separately.",
    },
    "unsorted.def.speed_manager_scope": {
        "ru": "В отчёте по менеджеру учитываются его звонки и задачи.",
        "en": "In a manager's report, that manager's calls and tasks are counted.",
    },
    "unsorted.def.speed_managers": {
        "ru": "По менеджерам заявки распределены так же, как в отчёте по менеджеру (по ответственному за сделку).",
        "en": "Items are split by manager as in a manager's report (by the deal's responsible user).",
    },
    "unsorted.chart.speed": {
        "ru": "Часы до первого действия: медиана и P90 по менеджерам",
        "en": "Hours to first action: median and P90 by manager",
    },
    # backlog
    "unsorted.backlog.title": {"ru": "Неразобранные заявки на конец периода", "en": "Unsorted backlog at period end"},
    "unsorted.backlog.sentence": {
        "ru": "Неразобранных заявок на {moment}: {n}; самая старая ждёт {oldest}, старше суток — {over_day}.",
        "en": "Still unsorted on {moment}: {n}; the oldest had waited {oldest}, {over_day} over a day.",
    },
    "unsorted.backlog.none": {
        "ru": "На {moment} неразобранных заявок нет.",
        "en": "No incoming leads were unsorted on {moment}.",
    },
    "unsorted.backlog.arrived": {"ru": "Поступила", "en": "Arrived"},
    "unsorted.backlog.age": {"ru": "Ждёт", "en": "Waiting"},
    "unsorted.backlog.bucket": {"ru": "Возраст", "en": "Age"},
    "unsorted.backlog.lt_1h": {"ru": "до 1 часа", "en": "under 1 hour"},
    "unsorted.backlog.1h_24h": {"ru": "1–24 часа", "en": "1–24 hours"},
    "unsorted.backlog.1d_3d": {"ru": "1–3 дня", "en": "1–3 days"},
    "unsorted.backlog.3d_7d": {"ru": "3–7 дней", "en": "3–7 days"},
    "unsorted.backlog.gt_7d": {"ru": "больше 7 дней", "en": "over 7 days"},
    "unsorted.def.backlog": {
        "ru": "Неразобранные — заявки, поступившие до {moment} и ещё не принятые и не отклонённые в этот момент "
        "(конец периода или дата данных, если она раньше). Возраст — время ожидания на этот момент.",
        "en": "Backlog: items that had arrived before {moment} and were neither accepted nor declined at that "
        "moment (the period's end, or the data date if earlier). Age: how long each had waited by then.",
    },
    # trend
    "unsorted.trend.title": {"ru": "Динамика по неделям", "en": "Weekly trend"},
    "unsorted.trend.week": {"ru": "Неделя", "en": "Week"},
    "unsorted.trend.accepted_share": {"ru": "Доля принятых", "en": "Accepted share"},
    "unsorted.trend.sentence": {
        "ru": "Больше всего заявок пришло на неделе {week} — {n}; в среднем за неделю периода — {avg}.",
        "en": "The busiest week was {week} with {n}; the period's weeks averaged {avg}.",
    },
    "unsorted.def.trend": {
        "ru": "Недели — ISO (пн–вс), по дате поступления; показаны недели периода и предшествующие, всего не "
        "меньше 12. Неделя на границе периода учитывает только дни до его конца. Доля принятых — принятые "
        "на дату данных / поступившие за неделю.",
        "en": "ISO weeks (Mon–Sun) by arrival date; the period's weeks and those before it, at least 12 in all. "
        "A week at the period's edge counts only the days up to its end. Accepted share: accepted by the "
        "data date / arrived in the week.",
    },
    "unsorted.chart.trend": {
        "ru": "Заявки по неделям и каналам; линия — доля принятых",
        "en": "Incoming leads per week by channel; line: accepted share",
    },
    "unsorted.summary.title": {"ru": "Выводы", "en": "Takeaways"},
}
