"""Every string the managers scorecard («По сотрудникам») shows, in Russian and English."""

TEXT = {
    "managers.index.revenue": {"ru": "Выручка", "en": "Revenue"},
    "managers.index.overdue_tasks": {"ru": "Просроч. задач", "en": "Overdue tasks"},
    "managers.index.open_deals_without_task": {"ru": "Сделок без задач", "en": "Deals without task"},
    "managers.index.velocity_per_day": {"ru": "Скорость продаж в день", "en": "Sales velocity per day"},
    "managers.ci": {
        "ru": "{p} (95 % ДИ {lo}–{hi}; {k} из {n})",
        "en": "{p} (95% CI {lo}–{hi}; {k} of {n})",
    },
    # headline figures
    "managers.kpi.title": {"ru": "Активность и результаты", "en": "Activity and results"},
    "managers.kpi.vs_previous": {"ru": "к пред. периоду", "en": "vs previous"},
    "managers.kpi.vs_year": {"ru": "к прошлому году", "en": "vs last year"},
    "managers.kpi.calls_out": {"ru": "Исходящие звонки", "en": "Outbound calls"},
    "managers.kpi.calls_in": {"ru": "Входящие звонки", "en": "Inbound calls"},
    "managers.kpi.calls_missed": {"ru": "Пропущенные входящие", "en": "Missed inbound calls"},
    "managers.kpi.talk_time_s": {"ru": "Время разговоров", "en": "Talk time"},
    "managers.kpi.meetings": {"ru": "Встречи", "en": "Meetings"},
    "managers.kpi.tasks_completed": {"ru": "Выполнено задач", "en": "Tasks completed"},
    "managers.kpi.created_deals": {"ru": "Новые сделки", "en": "New deals"},
    "managers.kpi.won_deals": {"ru": "Успешные сделки", "en": "Deals won"},
    "managers.kpi.revenue": {"ru": "Выручка", "en": "Revenue"},
    "managers.kpi.average_check": {"ru": "Средний чек", "en": "Average deal"},
    "managers.kpi.win_rate": {"ru": "Доля выигранных (по числу)", "en": "Win rate (by count)"},
    "managers.kpi.win_rate_money": {"ru": "Доля выигранных (по сумме)", "en": "Win rate (by amount)"},
    "managers.kpi.call_to_meeting": {"ru": "Конверсия звонков во встречи", "en": "Call → meeting conversion"},
    "managers.kpi.processing_median_h": {"ru": "Скорость обработки (медиана)", "en": "Lead processing (median)"},
    "managers.kpi.cycle_median_days": {"ru": "Цикл сделки (медиана)", "en": "Time to close (median)"},
    "managers.kpi.velocity_per_day": {"ru": "Скорость продаж в день", "en": "Sales velocity per day"},
    "managers.kpi.sentence": {
        "ru": "За {period}: выручка {revenue}, {won} ({d_prev} к пред. периоду, {d_year} к прошлому году); "
        "доля выигранных {rate}.",
        "en": "In {period}: revenue {revenue}, {won} ({d_prev} vs the previous period, {d_year} vs a year ago); "
        "win rate {rate}.",
    },
    "managers.kpi.vs_team": {
        "ru": "У команды: доля выигранных {rate}, средний чек {check}, цикл {cycle}; интервалы перекрываются — "
        "отличие от команды не доказано.",
        "en": "The team: win rate {rate}, average deal {check}, time to close {cycle}; the intervals overlap, so no "
        "difference from the team is shown.",
    },
    "managers.kpi.vs_team_above": {
        "ru": "У команды: доля выигранных {rate}, средний чек {check}, цикл {cycle}; весь интервал менеджера выше "
        "доли команды.",
        "en": "The team: win rate {rate}, average deal {check}, time to close {cycle}; the manager's whole interval "
        "lies above the team's rate.",
    },
    "managers.kpi.vs_team_below": {
        "ru": "У команды: доля выигранных {rate}, средний чек {check}, цикл {cycle}; весь интервал менеджера ниже "
        "доли команды.",
        "en": "The team: win rate {rate}, average deal {check}, time to close {cycle}; the manager's whole interval "
        "lies below the team's rate.",
    },
    "managers.kpi.meetings_over_calls": {
        "ru": "Встреч больше, чем звонков: звонки, вероятно, не все записываются в CRM — конверсия выше 100 % "
        "говорит о пробеле в учёте, а не о результате.",
        "en": "More meetings than calls: calls are probably not all logged in the CRM — a conversion above 100% "
        "is a logging gap, not a result.",
    },
    # discipline
    "managers.disc.title": {"ru": "Дисциплина на {as_of}", "en": "Discipline as of {as_of}"},
    "managers.disc.sentence": {
        "ru": "В работе {open} на {amount} (взвешенно по вероятностям выигрыша из прогноза — {weighted}); "
        "просроченных задач: {overdue} (старейшая — {oldest}); сделок без открытой задачи: {no_task} на "
        "{no_task_amount}; зависших сделок: {stale} на {stale_amount}.",
        "en": "{open} in progress worth {amount} ({weighted} weighted by the forecast's win probabilities); "
        "overdue tasks: {overdue} (the oldest {oldest}); deals without an open task: {no_task} worth {no_task_amount}; "
        "stale deals: {stale} worth {stale_amount}.",
    },
    "managers.disc.without_detail": {
        "ru": "Из сделок без задачи у {completed} все задачи выполнены, а следующая не поставлена; у {contact} "
        "открытая задача стоит на контакте или компании, а не на сделке.",
        "en": "Of the deals without a task, {completed} have all their tasks completed and no next one set; "
        "{contact} have an open task on their contact or company rather than on the deal.",
    },
    "managers.disc.most_overdue": {
        "ru": "Больше всего просроченных задач: {name} — {n}; меньше всего: {best} — {best_n}.",
        "en": "{name} has the most overdue tasks: {n}; {best} the fewest: {best_n}.",
    },
    "managers.disc.no_tasks_data": {
        "ru": "В данных нет задач (импорт без задач): просроченные задачи и сделки без задач посчитать нельзя.",
        "en": "The data holds no tasks (an import without tasks): overdue tasks and deals without a task cannot "
        "be counted.",
    },
    # table columns
    "managers.col.open_deals": {"ru": "Открыто", "en": "Open"},
    "managers.col.open_pipeline": {"ru": "Сумма", "en": "Amount"},
    "managers.col.weighted": {"ru": "Взвешенно", "en": "Weighted"},
    "managers.col.overdue": {"ru": "Просроч.", "en": "Overdue"},
    "managers.col.oldest": {"ru": "Старейшая", "en": "Oldest"},
    "managers.col.without_task": {"ru": "Без задачи", "en": "Without task"},
    "managers.col.without_share": {"ru": "Доля без задачи", "en": "Share without task"},
    "managers.col.without_task_share": {"ru": "Без задачи (доля)", "en": "Without task (share)"},
    "managers.col.won_of_decided": {"ru": "Выиграно из закрытых", "en": "Won of decided"},
    "managers.k_of_n": {"ru": "{k} из {n}", "en": "{k} of {n}"},
    "managers.col.stale": {"ru": "Зависло", "en": "Stale"},
    "managers.col.calls": {"ru": "Звонков", "en": "Calls"},
    "managers.col.meetings": {"ru": "Встреч", "en": "Meetings"},
    "managers.col.new": {"ru": "Новых сделок", "en": "New deals"},
    "managers.col.won": {"ru": "Выиграно", "en": "Won"},
    "managers.col.revenue": {"ru": "Выручка", "en": "Revenue"},
    "managers.col.win_rate": {"ru": "Доля выигранных", "en": "Win rate"},
    "managers.col.shrunk": {"ru": "С поправкой", "en": "Shrunk"},
    "managers.col.decided": {"ru": "Закрыто", "en": "Decided"},
    "managers.col.ci": {"ru": "95 % ДИ", "en": "95% CI"},
    "managers.col.processing": {"ru": "Обработка", "en": "Processing"},
    "managers.col.cycle": {"ru": "Цикл", "en": "Time to close"},
    "managers.col.velocity": {"ru": "Скорость в день", "en": "Velocity per day"},
    "managers.col.velocity_prev": {"ru": "Пред. период", "en": "Previous period"},
    "managers.col.lever": {"ru": "Рычаг", "en": "Lever"},
    "managers.col.effect": {"ru": "Вклад в изменение, в день", "en": "Effect per day"},
    "managers.col.reason": {"ru": "Причина отказа", "en": "Loss reason"},
    "managers.col.deals": {"ru": "Сделок", "en": "Deals"},
    "managers.col.amount": {"ru": "Сумма", "en": "Amount"},
    "managers.col.deal": {"ru": "Сделка", "en": "Deal"},
    "managers.col.due": {"ru": "Срок", "en": "Due"},
    "managers.col.overdue_days": {"ru": "Просрочена на", "en": "Overdue by"},
    "managers.col.in_stage": {"ru": "На этапе", "en": "In stage"},
    "managers.col.p75": {"ru": "P75 этапа", "en": "Stage P75"},
    # scorecard
    "managers.card.title": {"ru": "Менеджеры: результаты с интервалами", "en": "Managers: results with intervals"},
    "managers.card.separated_both": {
        "ru": "Весь 95 % интервал доли выигранных лежит выше доли команды ({team}) у: {above}; ниже — у: {below}. "
        "У остальных интервалы включают долю команды — их не ранжируем.",
        "en": "The whole 95% interval of the win rate lies above the team's rate ({team}) for: {above}; below it "
        "for: {below}. The others' intervals include the team's rate: they are not ranked.",
    },
    "managers.card.separated_above": {
        "ru": "Весь 95 % интервал доли выигранных лежит выше доли команды ({team}) у: {above}. У остальных "
        "интервалы включают долю команды — их не ранжируем.",
        "en": "The whole 95% interval of the win rate lies above the team's rate ({team}) for: {above}. The others' "
        "intervals include the team's rate: they are not ranked.",
    },
    "managers.card.separated_below": {
        "ru": "Весь 95 % интервал доли выигранных лежит ниже доли команды ({team}) у: {below}. У остальных "
        "интервалы включают долю команды — их не ранжируем.",
        "en": "The whole 95% interval of the win rate lies below the team's rate ({team}) for: {below}. The others' "
        "intervals include the team's rate: they are not ranked.",
    },
    "managers.card.no_ranking": {
        "ru": "Ни у одного менеджера интервал доли выигранных не отделён от доли команды: различия в пределах "
        "случайности, рейтинг не строим.",
        "en": "No manager's win-rate interval is separate from the team's rate: the differences are within noise, "
        "so there is no ranking.",
    },
    "managers.card.few": {
        "ru": "Мало закрытых сделок (меньше {k}): {names} — их доля сильнее сдвинута к командной.",
        "en": "Few decided deals (under {k}): {names} — their rates are shrunk more toward the team's.",
    },
    # velocity
    "managers.vel.title": {"ru": "Скорость продаж и её рычаги", "en": "Sales velocity and its levers"},
    "managers.vel.none": {
        "ru": "Скорость продаж не считается: в одном из периодов нет выигранных или закрытых сделок.",
        "en": "Sales velocity cannot be computed: one of the periods has no deals won or decided.",
    },
    "managers.vel.sentence": {
        "ru": "Скорость продаж — {v} в день (было {v0}): {d}; больше всего изменение объясняет «{lever}» ({part} "
        "в день).",
        "en": "Sales velocity is {v} per day (was {v0}): {d}; the lever «{lever}» explains most of the change "
        "({part} per day).",
    },
    "managers.vel.by_manager": {
        "ru": "По менеджерам: скорость продаж в день и вклад каждого рычага в её изменение к прошлому периоду "
        "(в день).",
        "en": "By manager: velocity per day and each lever's effect on its change against the previous period, per "
        "day.",
    },
    "managers.lever.open_deals": {"ru": "Открытые сделки", "en": "Open deals"},
    "managers.lever.win_rate": {"ru": "Доля выигранных", "en": "Win rate"},
    "managers.lever.average_check": {"ru": "Средний чек", "en": "Average deal"},
    "managers.lever.cycle_days": {"ru": "Цикл сделки", "en": "Time to close"},
    # losses
    "managers.loss.title": {"ru": "Потери: причины и этапы", "en": "Losses: reasons and stages"},
    "managers.loss.none": {"ru": "Проигранных сделок за период нет.", "en": "No deals lost in the period."},
    "managers.loss.no_reason": {"ru": "Причина не указана", "en": "No reason given"},
    "managers.loss.sentence": {
        "ru": "Проиграно {n} на {amount}; больше всего денег ушло по причине «{reason}»: {top} ({share}).",
        "en": "{n} lost worth {amount}; the most money went with the reason «{reason}»: {top} ({share}).",
    },
    # activity
    "managers.act.title": {"ru": "Активность по дням недели и часам", "en": "Activity by weekday and hour"},
    "managers.act.sentence": {
        "ru": "{n} действий (звонки, переводы по этапам, выполненные задачи) с {first} до {last}; с 9 до 18 — "
        "{share}, в выходные — {weekend}.",
        "en": "{n} actions (calls, stage moves, tasks completed) from {first} to {last}; {share} between 9:00 and "
        "18:00, {weekend} at weekends.",
    },
    "managers.weekday.0": {"ru": "Пн", "en": "Mon"},
    "managers.weekday.1": {"ru": "Вт", "en": "Tue"},
    "managers.weekday.2": {"ru": "Ср", "en": "Wed"},
    "managers.weekday.3": {"ru": "Чт", "en": "Thu"},
    "managers.weekday.4": {"ru": "Пт", "en": "Fri"},
    "managers.weekday.5": {"ru": "Сб", "en": "Sat"},
    "managers.weekday.6": {"ru": "Вс", "en": "Sun"},
    # actions
    "managers.actions.title": {"ru": "Что сделать сейчас", "en": "What to act on now"},
    "managers.actions.no_links": {
        "ru": "Адрес CRM неизвестен (демо-аккаунт или импорт), поэтому ссылок на сделки нет; задайте параметр "
        "deal_links, например https://mycompany.amocrm.ru.",
        "en": "The CRM's address is unknown (the demo account or an import), so deals are not linked; set the "
        "deal_links parameter, e.g. https://mycompany.amocrm.ru.",
    },
    "managers.actions.overdue": {
        "ru": "Просроченные задачи: {n}, сначала самые старые.",
        "en": "Overdue tasks: {n}, oldest first.",
    },
    "managers.actions.without": {
        "ru": "Открытые сделки без задачи: {n}, сначала самые крупные.",
        "en": "Open deals without a task: {n}, largest first.",
    },
    "managers.actions.stale": {
        "ru": "Зависшие сделки (дольше P75 своего этапа): {n}, сначала самые крупные.",
        "en": "Stale deals (longer than their stage's P75): {n}, largest first.",
    },
    "managers.actions.not_on_deal": {"ru": "(задача не на сделке)", "en": "(task not on a deal)"},
    "managers.summary.title": {"ru": "Выводы", "en": "Takeaways"},
    # charts
    "managers.chart.win_rates": {
        "ru": "Доля выигранных: 95 % интервал, ромб — с поправкой на выборку, пунктир — команда",
        "en": "Win rate: 95% interval, diamond shrunk to the team, dashed line the team",
    },
    "managers.chart.velocity": {
        "ru": "Изменение скорости продаж по рычагам, в день",
        "en": "Velocity change by lever, per day",
    },
    "managers.chart.v_previous": {"ru": "Пред. период", "en": "Previous"},
    "managers.chart.v_current": {"ru": "Этот период", "en": "This period"},
    "managers.chart.losses": {
        "ru": "Потерянные суммы: менеджер × этап отказа",
        "en": "Money lost: manager × stage of loss",
    },
    "managers.chart.activity": {"ru": "Действия: день недели × час", "en": "Actions: weekday × hour"},
    # definitions
    "managers.def.activity": {
        "ru": "Звонки — по сотруднику, который звонил; пропущенные — неотвеченные входящие; время разговоров — "
        "длительность отвеченных. Конверсия звонков во встречи = встречи / звонки.",
        "en": "Calls by the user who made or took them; missed = unanswered inbound; talk time = the duration of "
        "answered calls. Call → meeting = meetings / calls.",
    },
    "managers.def.meeting_task": {
        "ru": "Встреча — выполненная задача типа {name}(id {id}) по дате выполнения, у ответственного за задачу; "
        "правило из {source}, то же, что в отчёте «Звонки».",
        "en": "A meeting is a completed task of type {name}(id {id}), by completion time, for the task's "
        "responsible user; the rule of {source}, the same as in the «Calls» report.",
    },
    "managers.def.meeting_stage": {
        "ru": "Встреча — переход сделки на этап «{stage}» (сделка считается один раз за период), у ответственного "
        "за сделку; правило из {source}, то же, что в отчёте «Звонки».",
        "en": "A meeting is a deal entering the stage «{stage}» (each deal once per period), for the deal's "
        "responsible user; the rule of {source}, the same as in the «Calls» report.",
    },
    "managers.def.meeting_default": {
        "ru": "params/meetings.yaml (нет файла: по умолчанию)",
        "en": "the default (no params/meetings.yaml)",
    },
    "managers.def.meeting_task_name": {"ru": "«Встреча» ", "en": "«Meeting» "},
    "managers.def.results": {
        "ru": "Сделки менеджера — по ответственному сейчас. Выручка — сумма успешных сделок, закрытых в периоде; "
        "доля выигранных = выиграно / (выиграно + проиграно) среди закрытых в периоде, по сумме — то же по "
        "суммам; цикл — медиана от создания до закрытия успешных сделок периода.",
        "en": "A manager's deals are those they are responsible for now. Revenue is the amount of deals won in the "
        "period; win rate = won / (won + lost) among deals closed in the period, by amount the same with "
        "amounts; time to close is the median from creation to close of the deals won in the period.",
    },
    "managers.def.processing": {
        "ru": "Скорость обработки — медиана времени от создания сделки периода до первого звонка по ней, задачи "
        "на ней или смены этапа; сделок без такого действия: {n}.",
        "en": "Lead processing is the median time from a deal's creation (deals created in the period) to the "
        "first call on it, task on it or stage change; deals with no such action yet: {n}.",
    },
    "managers.def.velocity": {
        "ru": "Скорость продаж = открытые сделки на конец периода × доля выигранных × средний чек ÷ цикл (дни), "
        "₽ в день.",
        "en": "Sales velocity = open deals at the period's end × win rate × average deal ÷ time to close (days), "
        "money per day.",
    },
    "managers.def.levers": {
        "ru": "Изменение к прошлому периоду разложено на четыре рычага логарифмическим индексом Дивизиа (LMDI): "
        "вклад рычага = L(V₁, V₀) · ln(x₁/x₀), вклады в сумме дают изменение точно; если рычаг нулевой в одном "
        "из периодов — последовательно в порядке: сделки, доля, чек, цикл.",
        "en": "The change against the previous period is split into the four levers by the logarithmic mean "
        "Divisia index (LMDI): a lever's effect = L(V₁, V₀) · ln(x₁/x₀), and the effects sum to the change "
        "exactly; when a lever is zero in one period, sequentially in the order: deals, rate, deal size, cycle.",
    },
    "managers.def.plan": {
        "ru": "Выполнение плана = факт / план. План — на этот период из {source} (по выручке, иначе по числу "
        "успешных сделок); факт — выручка или число сделок, выигранных с начала периода до момента данных, как в "
        "отчёте «Цели». Доля меньше 100 % не округляется до 100 %.",
        "en": "Plan done = fact / plan. The plan is the one for this period in {source} (revenue, else the number "
        "of deals won); the fact is the revenue or number of deals won from the period's start to the data's "
        "end, as in the «Goals» report. A share below 100% is never rounded to 100%.",
    },
    "managers.plan.sentence": {
        "ru": "План на период ({metric}): {target}; сделано {fact} — {share} плана.",
        "en": "Plan for the period ({metric}): {target}; done {fact}, {share} of the plan.",
    },
    "managers.plan.file_error": {
        "ru": "Файл планов {source} не прочитан (ошибок: {n}; первая: {first}) — выполнение плана не показано; "
        "исправьте файл (все ошибки называет отчёт «Цели»).",
        "en": "The plans file {source} could not be read ({n} errors; the first: {first}), so plan progress is not "
        "shown; fix the file (the «Goals» report lists every error).",
    },
    "managers.plan.metric.revenue": {"ru": "выручка", "en": "revenue"},
    "managers.plan.metric.won_deals": {"ru": "успешные сделки", "en": "deals won"},
    "managers.col.plan": {"ru": "План, выполнено", "en": "Plan done"},
    "managers.def.overdue": {
        "ru": "Состояние на {as_of}. Просроченная задача — открытая задача, срок которой раньше этого момента "
        "(срок ровно в этот момент — ещё не просрочка); задача ответственного сотрудника.",
        "en": "As of {as_of}. An overdue task is an open task due before that moment (due exactly then is not "
        "overdue yet), counted for its responsible user.",
    },
    "managers.def.without_task": {
        "ru": "Сделка без задачи (как «Сделки без задач» в amoCRM) — открытая сделка без открытой задачи на самой "
        "сделке; сделка только с выполненными задачами — без задачи; задача на контакте или компании сделку не "
        "закрывает (такие показаны отдельно). Открытая сделка — на открытом этапе, без заявок «Неразобранного».",
        "en": "A deal without a task (amoCRM's «Deals without tasks») is an open deal with no open task on the deal "
        "itself; a deal with only completed tasks is without a task; a task on the contact or company does not "
        "count (those are shown apart). An open deal is in an open stage; «Incoming leads» requests are not deals.",
    },
    "managers.def.stale": {
        "ru": "Зависшая сделка — на текущем этапе дольше P75 завершённых пребываний на этом этапе за 12 месяцев; "
        "этап, где таких пребываний меньше {n}, не оценивается.",
        "en": "A stale deal has been in its current stage longer than the P75 of the completed stays in that stage "
        "over 12 months; a stage with fewer than {n} such stays is not judged.",
    },
    "managers.def.weighted": {
        "ru": "Взвешенная воронка — сумма сделки × вероятность когда-либо её выиграть по модели прогноза (этап и "
        "возраст сделки, оценка Аалена — Йохансена по открытым сделкам на начало каждого из 12 месяцев до "
        "{origin}), как «Взвешенно» в отчёте «Прогноз продаж»; вероятности — по сделкам самой строки (менеджера "
        "или команды), поэтому строки менеджеров не обязаны в сумме давать командную.",
        "en": "Weighted pipeline = a deal's amount × the probability of ever winning it by the forecast's model "
        "(the deal's stage and age; Aalen–Johansen on the deals open at each of the 12 month starts before "
        "{origin}), the «Weighted» figure of the «Sales forecast» report; the probabilities come from the row's "
        "own deals (the manager's or the team's), so the managers' rows need not add up to the team's.",
    },
    "managers.def.ci": {
        "ru": "95 % ДИ — интервал Уилсона; «Выиграно из закрытых» (в тексте — в скобках) — на скольких закрытых "
        "сделках держится доля.",
        "en": "95% CI is the Wilson interval; «Won of decided» (in the text, in brackets) is how many decided deals "
        "the rate rests on.",
    },
    "managers.def.shrink": {
        "ru": "С поправкой на выборку: (выиграно + {k}·доля команды) / (закрыто + {k}) — бета-априорное "
        "распределение силой {k} закрытых сделок по доле команды (эмпирический Байес); у менеджера с 3 сделками "
        "доля почти командная. Выше/ниже команды называем, только если весь интервал по одну сторону от "
        "доли команды.",
        "en": "Shrunk: (won + {k}·team rate) / (decided + {k}), a beta prior worth {k} decided deals at the team's "
        "rate (empirical Bayes); a manager with 3 deals sits near the team. Above/below the team is said only "
        "when the whole interval lies on one side of the team's rate.",
    },
    "managers.def.losses": {
        "ru": "Проигранные в периоде сделки; этап отказа — этап, с которого сделку перевели в «Закрыто и не "
        "реализовано»; суммы — бюджеты сделок.",
        "en": "Deals lost in the period; the stage of loss is the stage the deal was moved to «Closed – lost» "
        "from; amounts are the deals' budgets.",
    },
    "managers.def.activity_grid": {
        "ru": "Звонки, переводы сделок по этапам, сделанные сотрудником, и выполненные задачи по местному времени "
        "аккаунта. «Операционный день» amoCRM недоступен через API — это ближайшая честная замена.",
        "en": "Calls, stage moves made by a user and tasks completed, in the account's local time. amoCRM's "
        "«Operational day» has no API; this is the closest honest stand-in.",
    },
}
