"""Labels of the calls report («Звонки»)."""

TEXT = {
    # nouns for fmt.count (prefixed with the report's name so no other report's nouns collide)
    "noun.calls_in": {"ru": "входящий|входящих|входящих", "en": "inbound|inbound"},
    "noun.calls_out": {"ru": "исходящий|исходящих|исходящих", "en": "outbound|outbound"},
    "noun.calls_missed": {
        "ru": "пропущенный звонок|пропущенных звонка|пропущенных звонков",
        "en": "missed call|missed calls",
    },
    "noun.calls_meeting": {"ru": "встреча|встречи|встреч", "en": "meeting|meetings"},
    "noun.calls_working_day": {"ru": "рабочий день|рабочих дня|рабочих дней", "en": "working day|working days"},
    "noun.calls_hour": {"ru": "час|часа|часов", "en": "hour|hours"},
    "noun.calls_answered": {
        "ru": "состоявшийся разговор|состоявшихся разговора|состоявшихся разговоров",
        "en": "answered call|answered calls",
    },
    # headline figures
    "calls.kpi.title": {"ru": "Главные показатели звонков", "en": "Headline call figures"},
    "calls.kpi.calls_total": {"ru": "Звонки, всего", "en": "Calls, total"},
    "calls.kpi.calls_in": {"ru": "Входящие", "en": "Inbound"},
    "calls.kpi.calls_out": {"ru": "Исходящие", "en": "Outbound"},
    "calls.kpi.calls_missed": {"ru": "Пропущенные входящие", "en": "Missed inbound"},
    "calls.kpi.calls_answered_share": {"ru": "Доля состоявшихся разговоров", "en": "Answered share"},
    "calls.kpi.calls_duration_total_s": {"ru": "Длительность разговоров, всего", "en": "Talk time, total"},
    "calls.kpi.calls_duration_avg_s": {"ru": "Средний разговор", "en": "Average answered call"},
    "calls.kpi.calls_missed_not_called_back": {"ru": "Не перезвонили ({hours} ч)", "en": "Not called back ({hours} h)"},
    "calls.kpi.meetings": {"ru": "Встречи", "en": "Meetings"},
    "calls.kpi.call_to_meeting_conversion": {"ru": "Конверсия звонков во встречи", "en": "Call-to-meeting conversion"},
    "calls.kpi.calls_per_won_deal": {"ru": "Звонков на успешную сделку", "en": "Calls per deal won"},
    "calls.kpi.calls_per_working_day": {"ru": "Звонков в рабочий день", "en": "Calls per working day"},
    # rows of the kpis table (CSV, XLSX) that the report's own table does not show
    "calls.kpi.calls_answered": {"ru": "Состоявшиеся разговоры", "en": "Answered calls"},
    "calls.kpi.calls_missed_pending": {
        "ru": "Пропущенные, срок перезвона ещё не истёк",
        "en": "Missed, call-back time not over yet",
    },
    "calls.kpi.working_days": {"ru": "Рабочие дни", "en": "Working days"},
    "calls.kpi.vs_previous": {"ru": "к пред. периоду", "en": "vs previous"},
    "calls.kpi.vs_year": {"ru": "к прошлому году", "en": "vs last year"},
    "calls.kpi.sentence": {
        "ru": "За {period} — {calls}: {calls_in} и {calls_out} ({d_prev} к предыдущему периоду, {d_year} к прошлому "
        "году), в среднем {per_day} в рабочий день.",
        "en": "{period}: {calls}, {calls_in} and {calls_out} ({d_prev} vs the previous period, {d_year} vs last "
        "year), {per_day} per working day on average.",
    },
    "calls.kpi.sentence_talk": {
        "ru": "Состоялся разговор в {answered_share} звонков ({answered}); всего проговорено {total}, средний "
        "разговор — {avg}.",
        "en": "{answered_share} of calls were answered ({answered}); total talk time {total}, an average answered "
        "call of {avg}.",
    },
    "calls.kpi.none": {
        "ru": "За {period} в данных нет ни одного звонка{who} (данные на {as_of}).",
        "en": "There are no calls{who} in the data for {period} (data as of {as_of}).",
    },
    "calls.kpi.none_who": {"ru": " (менеджер {name})", "en": " by {name}"},
    "calls.kpi.none_compare": {
        "ru": "Для сравнения: в предыдущем периоде — {prev}, год назад — {year}.",
        "en": "For comparison: {prev} in the previous period, {year} a year earlier.",
    },
    "calls.def.counts": {
        "ru": "Звонок относится к периоду по времени начала (часовой пояс аккаунта). Пропущенный — входящий звонок "
        "без разговора. Доля состоявшихся разговоров = звонки с разговором / все звонки (входящие и исходящие; "
        "у исходящего разговор — это ответ клиента).",
        "en": "A call belongs to the period by its start time (account timezone). Missed: an inbound call that was "
        "not answered. Answered share = answered calls / all calls, inbound and outbound (for an outbound "
        "call, answered means the client picked up).",
    },
    "calls.def.duration": {
        "ru": "Длительность всего — сумма длительностей всех звонков; средний разговор = длительность всего / число "
        "состоявшихся разговоров (звонки без разговора длятся 0 с и не учитываются в среднем).",
        "en": "Total talk time: the sum of all call durations; average answered call = total talk time / answered "
        "calls (unanswered calls last 0 s and are left out of the average).",
    },
    "calls.def.per_day": {
        "ru": "Звонков в рабочий день = звонки / число рабочих дней периода до даты данных: {days} — по "
        "производственному календарю РФ (праздники, например 4 ноября, и переносы выходных учтены), как в отчёте "
        "«Цели».",
        "en": "Calls per working day = calls / working days of the period up to the data date: {days}, by the "
        "Russian production calendar (public holidays such as 4 November and moved days off are excluded), as in "
        "the Goals report.",
    },
    "calls.def.compare": {
        "ru": "Сравнение: предыдущий период той же длины ({previous}) и тот же период год назад ({year_ago}).",
        "en": "Compared with the previous period of the same length ({previous}) and the same period a year "
        "earlier ({year_ago}).",
    },
    "calls.def.scope_manager": {
        "ru": "Звонки менеджера — звонки, где он указан ответственным за звонок; встречи — его задачи или его сделки.",
        "en": "A manager's calls are those where the manager is the call's responsible user; meetings are the "
        "manager's tasks or deals.",
    },
    "calls.def.pipeline": {
        "ru": "Отбор по воронке: учитываются только звонки, привязанные к сделкам этой воронки.",
        "en": "Pipeline filter: only calls linked to deals of this pipeline are counted.",
    },
    # daily
    "calls.daily.title": {"ru": "Звонки по дням", "en": "Calls per day"},
    "calls.daily.sentence": {
        "ru": "В среднем {per_day} в рабочий день ({days}); больше всего звонков было {day} — {max}.",
        "en": "{per_day} per working day on average ({days}); the busiest day was {day} with {max}.",
    },
    "calls.daily.weekend": {
        "ru": "В выходные — {n} ({share} всех звонков).",
        "en": "Weekends: {n} ({share} of all calls).",
    },
    "calls.chart.daily": {
        "ru": "Звонки по дням: входящие, исходящие и пропущенные",
        "en": "Calls per day: inbound, outbound and missed",
    },
    "calls.chart.weekly": {
        "ru": "Звонки по неделям: входящие, исходящие и пропущенные",
        "en": "Calls per week: inbound, outbound and missed",
    },
    "calls.chart.in_answered": {"ru": "входящие принятые", "en": "inbound answered"},
    "calls.chart.missed": {"ru": "входящие пропущенные", "en": "inbound missed"},
    "calls.chart.out": {"ru": "исходящие", "en": "outbound"},
    "calls.def.daily": {
        "ru": "Столбцы — звонки за календарный день (или неделю с понедельника для периодов длиннее двух месяцев); "
        "выходные дни светлее.",
        "en": "Bars: calls per calendar day (or per week starting Monday for periods longer than two months); "
        "weekends are lighter.",
    },
    # missed
    "calls.missed.title": {"ru": "Пропущенные звонки и перезвоны", "en": "Missed calls and callbacks"},
    "calls.missed.sentence": {
        "ru": "Пропущено входящих звонков: {missed} из {calls_in} — {share}.",
        "en": "{missed} of {calls_in} inbound calls were missed: {share}.",
    },
    "calls.missed.not_called_back": {
        "ru": "Пропущенные, по которым не перезвонили в течение {hours} ч: {n} из {decided} — {share}; "
        "клиенты, которые так и не дождались ответа, — первые кандидаты на потерю.",
        "en": "Not called back within {hours} h: {n} of {decided} missed calls, {share}; callers left waiting are "
        "the first candidates for a lost deal.",
    },
    "calls.missed.all_back": {
        "ru": "На все пропущенные звонки перезвонили в течение {hours} ч.",
        "en": "Every missed call was called back within {hours} h.",
    },
    "calls.missed.pending": {
        "ru": "Ещё {n} — в ожидании: {hours} ч после звонка к дате данных не истекли, поэтому такие звонки не "
        "считаются неперезвоненными.",
        "en": "{n} more are pending: the {hours} h after the call had not passed by the data date, so they are not "
        "counted as not called back.",
    },
    "calls.missed.delay": {
        "ru": "Перезванивают в среднем (медиана) через {median}.",
        "en": "Callbacks come after {median} (median).",
    },
    "calls.missed.none": {
        "ru": "Пропущенных входящих звонков в периоде нет.",
        "en": "No inbound calls were missed in the period.",
    },
    "calls.missed.no_inbound": {"ru": "Входящих звонков в периоде нет.", "en": "No inbound calls in the period."},
    "calls.missed.at": {"ru": "Время звонка", "en": "Call time"},
    "calls.missed.phone": {"ru": "Телефон", "en": "Phone"},
    "calls.missed.lead": {"ru": "Сделка", "en": "Deal"},
    "calls.missed.delay_col": {"ru": "Перезвонили через", "en": "Called back after"},
    "calls.missed.never": {"ru": "не перезвонили", "en": "never"},
    "calls.missed.no_lead": {"ru": "не привязан", "en": "not linked"},
    "calls.def.callback": {
        "ru": "Пропущенный звонок считается перезвоненным, если в течение {hours} ч после него кто-либо из "
        "сотрудников позвонил на тот же номер (последние 10 цифр) или тому же контакту, с любым исходом "
        "исходящего звонка. Звонки, у которых {hours} ч к дате данных ({as_of}) ещё не истекли, не считаются "
        "неперезвоненными.",
        "en": "A missed call counts as called back if anyone in the account made an outbound call to the same "
        "number (last 10 digits) or the same contact within {hours} h, whatever that call's outcome. Calls "
        "whose {hours} h had not passed by the data date ({as_of}) are not counted as not called back.",
    },
    # meetings and won deals
    "calls.meet.title": {"ru": "Встречи и звонки на сделку", "en": "Meetings and calls per deal"},
    "calls.meet.sentence": {
        "ru": "Встреч за период: {meetings} — {conv} от числа звонков ({d_prev} к предыдущему периоду).",
        "en": "Meetings in the period: {meetings}, {conv} of the number of calls ({d_prev} vs the previous period).",
    },
    "calls.meet.per_meeting": {"ru": "Одна встреча приходится на {n}.", "en": "One meeting per {n} calls."},
    "calls.meet.over_data": {
        "ru": "Записано звонков: {calls}, встреч: {meetings} — встреч больше, чем звонков, и «конверсия» {conv} — "
        "это проблема данных, а не результат. Вероятная причина — звонки не попадают в amoCRM (телефония не "
        "подключена или звонят с личного телефона): {per_day} звонка в рабочий день. Конверсию по этим данным "
        "оценивать нельзя; сначала нужно наладить запись звонков.",
        "en": "Logged calls: {calls}, meetings: {meetings} — more meetings than calls, so a «conversion» of {conv} "
        "is a data problem, not a result. The likely cause is calls that never reach amoCRM (telephony not "
        "connected, or calls from a personal phone): {per_day} calls per working day. The conversion cannot be "
        "judged from these data; fix the call logging first.",
    },
    "calls.rate_over_label": {
        "ru": "{label} — больше 100\u00a0%: ошибка данных",
        "en": "{label} — above 100\u00a0%: a data problem",
    },
    "calls.mgr.ranked_share": {
        "ru": "{name} ({share}, {lo}–{hi}; {answered} из {calls})",
        "en": "{name} ({share}, {lo}–{hi}; {answered} of {calls})",
    },
    "calls.mgr.ranked_duration": {
        "ru": "{name} ({avg}, {lo}–{hi}; {calls} с разговором)",
        "en": "{name} ({avg}, {lo}–{hi}; {calls} answered)",
    },
    "calls.meet.none": {
        "ru": "Встреч по выбранному определению за период нет.",
        "en": "No meetings under the chosen definition in the period.",
    },
    "calls.meet.won": {
        "ru": "На одну успешную сделку периода — {per_deal} звонка: {calls} по {won}.",
        "en": "{per_deal} calls per deal won in the period: {calls} on {won}.",
    },
    "calls.meet.no_won": {
        "ru": "Успешных сделок за период нет, поэтому звонки на сделку не считаются.",
        "en": "No deals were won in the period, so calls per deal are not computed.",
    },
    "calls.meet.rule_task": {
        "ru": "Встреча — выполненная задача типа {name}(id {id}), по дате выполнения в периоде.",
        "en": "Meeting: a completed task of type {name}(id {id}), by completion date within the period.",
    },
    "calls.meet.rule_stage": {
        "ru": "Встреча — переход сделки на этап «{stage}» в периоде (сделка считается один раз за период).",
        "en": "Meeting: a deal entering the stage «{stage}» within the period (each deal counted once per period).",
    },
    "calls.meet.rule_source": {"ru": "Определение задано в {source}.", "en": "The definition is set in {source}."},
    "calls.meet.rule_default": {
        "ru": "Файл params/meetings.yaml не найден — использовано определение по умолчанию.",
        "en": "params/meetings.yaml was not found, so the default definition is used.",
    },
    "calls.meet.task_meeting_name": {"ru": "«Встреча» ", "en": "«Meeting» "},
    "calls.meet.no_such_tasks": {
        "ru": "В данных нет ни одной задачи с типом id {id} — проверьте params/meetings.yaml.",
        "en": "The data has no tasks of type id {id} at all; check params/meetings.yaml.",
    },
    "calls.def.meetings": {
        "ru": "Конверсия звонков во встречи = встречи / все звонки периода.",
        "en": "Call-to-meeting conversion = meetings / all calls in the period.",
    },
    "calls.def.per_won": {
        "ru": "Звонков на успешную сделку = звонки периода, привязанные к сделкам, выигранным в этом же периоде / "
        "число этих сделок. Звонки на контакт привязаны к его открытой в момент звонка сделке.",
        "en": "Calls per deal won = calls in the period linked to deals won in the same period / the number of those "
        "deals. Calls logged on a contact are linked to the contact's deal open at the time of the call.",
    },
    # managers
    "calls.mgr.title": {"ru": "Менеджеры в сравнении с командой", "en": "Managers against the team"},
    "calls.mgr.team_row": {"ru": "Команда в целом", "en": "Whole team"},
    "calls.mgr.calls": {"ru": "Звонки", "en": "Calls"},
    "calls.mgr.in_out": {"ru": "Вх. / исх.", "en": "In / out"},
    "calls.mgr.missed": {"ru": "Пропущено", "en": "Missed"},
    "calls.mgr.not_back": {"ru": "Не перезвонили", "en": "Not called back"},
    "calls.mgr.answered": {"ru": "Разговор состоялся", "en": "Answered"},
    "calls.mgr.duration": {"ru": "Средний разговор, мин", "en": "Average call, min"},
    "calls.mgr.ci": {"ru": "95 % ДИ", "en": "95% CI"},
    "calls.mgr.per_day": {"ru": "В раб. день", "en": "Per working day"},
    "calls.mgr.meetings": {"ru": "Встречи", "en": "Meetings"},
    "calls.mgr.verdict": {"ru": "Вывод", "en": "Verdict"},
    "calls.mgr.flag.above": {"ru": "выше команды", "en": "above the team"},
    "calls.mgr.flag.below": {"ru": "ниже команды", "en": "below the team"},
    "calls.mgr.flag.within": {"ru": "не отличается от команды", "en": "no clear difference"},
    "calls.mgr.flag.few": {"ru": "мало звонков — вывод ненадёжен", "en": "too few calls to tell"},
    "calls.mgr.flag.none": {"ru": "нет звонков", "en": "no calls"},
    "calls.mgr.v_answered": {"ru": "доля разговоров {flag}", "en": "answered share {flag}"},
    "calls.mgr.v_duration": {"ru": "разговор {flag}", "en": "call length {flag}"},
    "calls.mgr.above": {
        "ru": "Доля состоявшихся разговоров выше, чем в среднем по команде ({team}), с уверенностью 95 %: {names}.",
        "en": "Answered share above the team's ({team}) with 95% confidence: {names}.",
    },
    "calls.mgr.below": {
        "ru": "Доля состоявшихся разговоров ниже, чем в среднем по команде ({team}), с уверенностью 95 %: {names}.",
        "en": "Answered share below the team's ({team}) with 95% confidence: {names}.",
    },
    "calls.mgr.dur_above": {
        "ru": "Разговаривают дольше, чем в среднем по команде ({team}): {names}.",
        "en": "Longer calls than the team's average ({team}): {names}.",
    },
    "calls.mgr.dur_below": {
        "ru": "Разговаривают короче, чем в среднем по команде ({team}): {names}.",
        "en": "Shorter calls than the team's average ({team}): {names}.",
    },
    "calls.mgr.all_within": {
        "ru": "Ни у кого из менеджеров с достаточным числом звонков доля разговоров и их длительность не отличаются "
        "от команды больше, чем допускает случайный разброс.",
        "en": "No manager with enough calls differs from the team in answered share or call length by more than "
        "chance allows.",
    },
    "calls.mgr.answered_within": {
        "ru": "По доле состоявшихся разговоров ни один менеджер с достаточным числом звонков не отличается от команды "
        "({team}) больше, чем допускает случайный разброс.",
        "en": "No manager with enough calls differs from the team ({team}) in answered share by more than chance "
        "allows.",
    },
    "calls.mgr.duration_within": {
        "ru": "По средней длительности разговора ни один менеджер с достаточным числом звонков не отличается от "
        "команды ({team}) больше, чем допускает случайный разброс.",
        "en": "No manager with enough calls differs from the team ({team}) in average call length by more than "
        "chance allows.",
    },
    "calls.mgr.few": {
        "ru": "Мало звонков — вывод ненадёжен, такие менеджеры не сравниваются (меньше {min}): {names}.",
        "en": "Too few calls to draw a conclusion, so these managers are not ranked (fewer than {min}): {names}.",
    },
    "calls.mgr.none": {"ru": "Нет звонков за период: {names}.", "en": "No calls in the period: {names}."},
    "calls.mgr.one": {
        "ru": "{name}: разговор состоялся в {share} звонков (95 % ДИ {lo}–{hi}) против {team} по команде — {flag}; "
        "средний разговор {avg} против {team_avg}.",
        "en": "{name}: {share} of calls answered (95% CI {lo}–{hi}) against {team} for the team: {flag}; average "
        "call {avg} against {team_avg}.",
    },
    "calls.mgr.one_few": {
        "ru": "{name}: за период {calls} — мало звонков, вывод о сравнении с командой ненадёжен.",
        "en": "{name} has {calls}: too few calls to compare with the team reliably.",
    },
    "calls.mgr.one_none": {
        "ru": "{name}: звонков за период нет — сравнивать с командой не с чем.",
        "en": "{name} has no calls in the period, so there is nothing to compare.",
    },
    "calls.chart.answered": {"ru": "Доля состоявшихся разговоров, 95 % ДИ", "en": "Answered share, 95% CI"},
    "calls.chart.duration": {"ru": "Средний разговор, мин, 95 % ДИ", "en": "Average call, min, 95% CI"},
    "calls.chart.team": {"ru": "команда", "en": "team"},
    "calls.chart.few": {"ru": "серым — мало звонков", "en": "grey: too few calls"},
    "calls.def.managers": {
        "ru": "Интервалы — 95 % доверительные: по Уилсону для доли разговоров, по Стьюденту для средней длительности "
        "состоявшихся разговоров. «Выше/ниже команды» — весь интервал лежит выше/ниже значения команды в "
        "целом; менеджеры, у которых меньше {min} звонков, не ранжируются. «Не перезвонили» — пропущенные "
        "входящие менеджера без перезвона за {hours} ч; «В раб. день» — звонки на рабочий день периода. "
        "В CSV есть и значения остальной команды без менеджера.",
        "en": "95% confidence intervals: Wilson for the answered share, Student's t for the average answered call. "
        "«Above/below the team»: the whole interval lies above/below the whole team's value; managers with "
        "fewer than {min} calls are not ranked. «Not called back»: the manager's missed inbound calls with no "
        "callback within {hours} h. The CSV also has the rest of the team's values without the manager.",
    },
    "calls.summary.title": {"ru": "Выводы", "en": "Takeaways"},
}
