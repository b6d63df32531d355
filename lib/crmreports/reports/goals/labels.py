"""Labels of the goals (sales plan) report."""

TEXT = {
    "goals.index.plan": {"ru": "План", "en": "Plan"},
    "goals.index.fact": {"ru": "Факт", "en": "Actual"},
    "goals.index.plan_done_share": {"ru": "Выполнено", "en": "Done"},
    "noun.working_day": {"ru": "рабочий день|рабочих дня|рабочих дней", "en": "working day|working days"},
    "noun.manager_gen": {"ru": "менеджера|менеджеров|менеджеров", "en": "manager|managers"},
    "noun.calendar_day": {
        "ru": "календарный день|календарных дня|календарных дней",
        "en": "calendar day|calendar days",
    },
    "goals.metric.revenue": {"ru": "Выручка", "en": "Revenue"},
    "goals.metric.won_deals": {"ru": "Успешные сделки", "en": "Deals won"},
    "goals.metric_lower.revenue": {"ru": "по выручке", "en": "revenue"},
    "goals.metric_lower.won_deals": {"ru": "по числу успешных сделок", "en": "deals won"},
    "goals.scope.team": {"ru": "всей команды", "en": "the whole team"},
    "goals.plan.title": {"ru": "Выполнение плана", "en": "Plan progress"},
    "goals.plan.row.plan": {"ru": "План", "en": "Plan"},
    "goals.plan.row.fact": {"ru": "Факт", "en": "Actual"},
    "goals.plan.row.done": {"ru": "Выполнено", "en": "Done"},
    "goals.plan.row.remaining": {"ru": "Осталось", "en": "Remaining"},
    "goals.plan.row.wd_left": {"ru": "Рабочих дней осталось", "en": "Working days left"},
    "goals.plan.row.days_left": {"ru": "Календарных дней осталось", "en": "Calendar days left"},
    "goals.plan.row.pace_needed": {"ru": "Нужный темп в рабочий день", "en": "Pace needed per working day"},
    "goals.plan.row.pace_actual": {"ru": "Текущий темп в рабочий день", "en": "Current pace per working day"},
    "goals.plan.row.run_rate": {"ru": "Прогноз в том же ритме", "en": "Run-rate projection"},
    "goals.plan.row.projection": {"ru": "Прогноз продаж к концу периода", "en": "Sales forecast to the period's end"},
    "goals.plan.row.band": {"ru": "Интервал прогноза 80 %", "en": "Forecast 80 % interval"},
    "goals.plan.of_total": {"ru": "{left} из {total}", "en": "{left} of {total}"},
    "goals.plan.band_value": {"ru": "{low} — {high}", "en": "{low} to {high}"},
    "goals.plan.sentence_running": {
        "ru": "План {metric} на {period} — {target}. На {as_of} выполнено {fact} — {share}; осталось {remaining} "
        "за {wd_left} ({days_left}), то есть {pace} в рабочий день.",
        "en": "The {metric} plan for {period} is {target}. By {as_of} the actual is {fact} — {share}; {remaining} "
        "remains over {wd_left} ({days_left}), i.e. {pace} per working day.",
    },
    "goals.plan.sentence_met_running": {
        "ru": "План {metric} на {period} — {target} — уже выполнен на {as_of}: {fact}, {share}; до конца периода "
        "ещё {wd_left}.",
        "en": "The {metric} plan for {period} ({target}) is already met by {as_of}: {fact}, {share}, with "
        "{wd_left} still to go.",
    },
    "goals.plan.sentence_projection": {
        "ru": "Если продолжит работать в том же ритме ({pace} в рабочий день), к концу периода будет {projection} — "
        "{share} плана.",
        "en": "If the work goes on at the same pace ({pace} per working day), the period will end at {projection}, "
        "{share} of the plan.",
    },
    "goals.plan.sentence_no_pace": {
        "ru": "В периоде ещё не прошло ни одного рабочего дня, поэтому прогноз в том же ритме пока не строится.",
        "en": "No working day of the period has passed yet, so there is no run-rate projection.",
    },
    "goals.plan.sentence_forecast": {
        "ru": "По прогнозу продаж к концу периода будет {projection} — {share} плана (интервал 80 %: {low} — "
        "{high}); из них {rest} — ожидаемые продажи до конца периода.",
        "en": "The sales forecast puts the period's end at {projection}, {share} of the plan (80 % interval: "
        "{low} to {high}); {rest} of it is expected sales in the rest of the period.",
    },
    "goals.plan.sentence_open": {
        "ru": "Из ожидаемого остатка {expected} дают {n} на {origin} (каждая с вероятностью выигрыша "
        "для её этапа и возраста); сделки старше года ({old}) дают {old_expected}.",
        "en": "Of the expected rest, {expected} comes from {n} open on {origin} (each with the win probability of "
        "its stage and age); deals over a year old ({old}) add {old_expected}.",
    },
    "goals.plan.no_forecast.no_model": {
        "ru": "Прогноза продаж на остаток периода нет.",
        "en": "There is no sales forecast for the rest of the period.",
    },
    "goals.plan.no_forecast.short_history": {
        "ru": "Прогноза продаж на остаток периода нет: история слишком коротка (меньше трёх месяцев).",
        "en": "No sales forecast for the rest of the period: the history is too short (under three months).",
    },
    "goals.plan.no_forecast.no_won": {
        "ru": "Прогноза продаж на остаток периода нет: в истории нет ни одной успешной сделки.",
        "en": "No sales forecast for the rest of the period: the history has no won deals.",
    },
    "goals.plan.no_forecast.inactive": {
        "ru": "Прогноза продаж на остаток периода нет: нет открытых сделок и ни одной выигранной за последние три "
        "месяца (менеджер не активен).",
        "en": "No sales forecast for the rest of the period: no open deals and no wins in the last three months "
        "(the manager is inactive).",
    },
    "goals.plan.no_forecast.beyond_horizon": {
        "ru": "Прогноза продаж на остаток периода нет: период кончается позже трёх месяцев прогноза.",
        "en": "No sales forecast for the rest of the period: it ends after the forecast's three months.",
    },
    "goals.plan.sentence_closed": {
        "ru": "План {metric} на {period} — {target}; выполнено {fact} — {share}.",
        "en": "The {metric} plan for {period} was {target}; the actual is {fact} — {share}.",
    },
    "goals.plan.sentence_exceeded": {"ru": "План перевыполнен на {excess}.", "en": "The plan was beaten by {excess}."},
    "goals.plan.sentence_missed": {
        "ru": "До плана не хватило {remaining}.",
        "en": "The plan was missed by {remaining}.",
    },
    "goals.plan.sentence_not_started": {
        "ru": "Период {period} на {as_of} ещё не начался: план {metric} — {target}, впереди {wd_total}, то есть "
        "{pace} в рабочий день.",
        "en": "On {as_of} the period {period} has not started yet: the {metric} plan is {target} over "
        "{wd_total}, i.e. {pace} per working day.",
    },
    "goals.plan.none": {
        "ru": "В файле {file} нет плана для {scope} на {period}.",
        "en": "{file} has no plan for {scope} for {period}.",
    },
    "goals.plan.none_other": {
        "ru": "Планы для {scope} в файле есть на: {plans}.",
        "en": "The file has plans for {scope} for: {plans}.",
    },
    "goals.plan.none_at_all": {
        "ru": "Для {scope} в файле нет ни одного плана; планы заданы для: {scopes}.",
        "en": "The file has no plans for {scope} at all; it has plans for: {scopes}.",
    },
    "goals.plan.none_fact": {
        "ru": "Факт за {period} на {as_of}: выручка {revenue}, {won}.",
        "en": "Actual for {period} by {as_of}: revenue {revenue}, {won}.",
    },
    "goals.plan.wider": {
        "ru": "План на {period} ({metric}) показан вместе с планом отчётного периода: он его включает.",
        "en": "The plan for {period} ({metric}) is shown as well: it contains the report period.",
    },
    "goals.plan.clamped": {
        "ru": "Дата as_of позже конца данных; использован конец данных {as_of}.",
        "en": "as_of is after the end of the data; the end of the data, {as_of}, is used instead.",
    },
    "goals.def.fact": {
        "ru": "Факт — {metric_def} по дате перехода сделки в «Успешно реализовано», с начала периода до {as_of} "
        "(начало суток). Выполнено = факт / план; осталось = план − факт (0, если план выполнен).",
        "en": "Actual: {metric_def} by the date the deal moved to won, from the start of the period to {as_of} "
        "(start of day). Done = actual / plan; remaining = plan − actual (0 once the plan is met).",
    },
    "goals.def.metric.revenue": {"ru": "сумма бюджетов успешных сделок", "en": "the budgets of deals won"},
    "goals.def.metric.won_deals": {"ru": "число успешных сделок", "en": "the number of deals won"},
    "goals.def.days": {
        "ru": "Рабочие дни — по производственному календарю РФ при пятидневке (выходные, праздники 1–8 января, "
        "23 февраля, 8 марта, 1 и 9 мая, 12 июня, 4 ноября и переносы выходных по постановлениям "
        "Правительства); день даты отчёта считается оставшимся. Нужный темп = осталось / рабочих дней осталось.",
        "en": "Working days follow the Russian production calendar for a five-day week (weekends, the public "
        "holidays of 1–8 January, 23 February, 8 March, 1 and 9 May, 12 June, 4 November, and the "
        "government's transfers of days off); the as-of day counts as remaining. Pace needed = remaining / "
        "working days left.",
    },
    "goals.def.provisional": {
        "ru": "Календарь на {years} предварительный: постановление о переносе выходных ещё не учтено.",
        "en": "The calendar for {years} is provisional: the decree on transfers of days off is not included yet.",
    },
    "goals.def.projection": {
        "ru": "Прогноз в том же ритме = факт / прошедшие рабочие дни × все рабочие дни периода; для завершённого "
        "периода — факт.",
        "en": "Run-rate projection = actual / working days elapsed × working days in the period; for a closed "
        "period, the actual.",
    },
    "goals.def.band": {
        "ru": "Прогноз продаж к концу периода = факт + ожидаемые продажи остатка периода по модели отчёта «Прогноз "
        "продаж» на {origin} (одна модель для обоих отчётов): открытые сделки с вероятностью выигрыша по этапу "
        "и возрасту сделки (старые зависшие сделки весят столько, сколько выигрывают сделки их возраста), новые "
        "сделки и временной ряд, вместе; месяц прогноза входит долей оставшихся в периоде рабочих дней. "
        "Интервал 80 % — интервал прогноза на этот остаток (месяцы берутся с полностью связанными ошибками), "
        "поэтому нижняя граница ≤ прогноз ≤ верхняя. Бюджеты — текущие.",
        "en": "Sales forecast to the period's end = the actual + the expected sales of the rest of the period by the "
        "Sales forecast report's model as of {origin} (one model for both reports): open deals weighted by the "
        "win probability of their stage and age (old stale deals weigh what deals of their age are won at), new "
        "deals and the time series, combined; a forecast month counts by the share of its working days left in "
        "the period. The 80 % interval is the forecast's for that rest (months taken as fully correlated), so "
        "low ≤ forecast ≤ high. Budgets are current ones.",
    },
    "goals.def.concepts": {
        "ru": "Определения общие для всех отчётов: выручка и успешные сделки — по дате перехода в «Успешно "
        "реализовано»; открытые сделки — в открытом этапе на момент отчёта, заявки в «Неразобранном» — не "
        "сделки; рабочие дни — по производственному календарю; сделки менеджера — по текущему ответственному.",
        "en": "Definitions shared by every report: revenue and won deals by the date the deal moved to won; open "
        "deals are in an open stage at the report moment, requests pending in «Unsorted» are not deals; working "
        "days follow the production calendar; a manager's deals are those they are responsible for now.",
    },
    "goals.chart.title": {
        "ru": "{metric}: {period} — факт нарастающим итогом и план",
        "en": "{metric}: {period} — cumulative actual vs plan",
    },
    "goals.chart.fact": {"ru": "Факт", "en": "Actual"},
    "goals.chart.plan": {"ru": "План (равномерно по рабочим дням)", "en": "Plan (even over working days)"},
    "goals.chart.projection": {"ru": "В том же ритме", "en": "Same pace"},
    "goals.chart.band": {"ru": "По открытым сделкам", "en": "From open deals"},
    "goals.chart.as_of": {"ru": "Дата отчёта", "en": "As of"},
    "goals.progress.title": {"ru": "Динамика выполнения плана", "en": "Progress over the period"},
    "goals.progress.sentence_ahead": {
        "ru": "На {as_of} факт {metric} ({fact}) опережает равномерный план ({line}) на {diff}.",
        "en": "On {as_of} the {metric} actual ({fact}) is ahead of the even plan ({line}) by {diff}.",
    },
    "goals.progress.sentence_behind": {
        "ru": "На {as_of} факт {metric} ({fact}) отстаёт от равномерного плана ({line}) на {diff}.",
        "en": "On {as_of} the {metric} actual ({fact}) is behind the even plan ({line}) by {diff}.",
    },
    "goals.def.chart": {
        "ru": "Линия плана распределяет план поровну по рабочим дням периода; пунктир — прогноз в том же ритме, "
        "вертикальный отрезок в конце — прогноз по открытым сделкам.",
        "en": "The plan line spreads the plan evenly over the period's working days; the dashed line is the "
        "run-rate projection; the bar at the end is the projection from open deals.",
    },
    "goals.pipeline.title": {"ru": "Открытые сделки в прогнозе", "en": "Open deals in the projection"},
    "goals.pipeline.open": {"ru": "Открыто", "en": "Open"},
    "goals.pipeline.p_win": {"ru": "Доля выигр.", "en": "Win share"},
    "goals.pipeline.expected": {"ru": "Ожидается до конца периода", "en": "Expected by the period's end"},
    "goals.pipeline.old_deals": {"ru": "Из них старше года", "en": "Of them over a year old"},
    "goals.pipeline.old": {
        "ru": "Сделки старше {days} дней ({n}) дают в прогноз лишь {expected}: сделки такого возраста выигрывают "
        "редко, и модель это учитывает.",
        "en": "Deals over {days} days old ({n}) add only {expected}: deals that old are rarely won, and the model "
        "takes that into account.",
    },
    "goals.pipeline.sentence": {
        "ru": "Больше всего в прогноз даёт этап «{stage}»: {n}, вклад {weighted}.",
        "en": "The «{stage}» stage adds the most: {n}, weighing {weighted}.",
    },
    "goals.pipeline.none": {"ru": "На {as_of} открытых сделок нет.", "en": "There are no open deals on {as_of}."},
    "goals.pipeline.closed": {
        "ru": "Период завершён — прогноз по открытым сделкам не нужен.",
        "en": "The period is over, so open deals do not change it.",
    },
    "goals.compare.title": {"ru": "Сравнение с прошлыми периодами", "en": "Compared with earlier periods"},
    "goals.compare.same_point": {"ru": "Факт на {n}-й рабочий день", "en": "Actual after {n} working days"},
    "goals.compare.which.current": {"ru": "Текущий", "en": "This period"},
    "goals.compare.which.previous": {"ru": "Предыдущий", "en": "Previous"},
    "goals.compare.which.year_ago": {"ru": "Год назад", "en": "A year ago"},
    "goals.compare.sentence_running": {
        "ru": "За первые {n} периода {metric}: {cur}; в предыдущем периоде ({prev_label}) к тому же дню было "
        "{prev} ({d_prev}), год назад — {year} ({d_year}).",
        "en": "After the first {n}, {metric}: {cur}; {prev_label} had {prev} at the same point ({d_prev}), a "
        "year ago {year} ({d_year}).",
    },
    "goals.compare.sentence_closed": {
        "ru": "{metric_cap} за {period}: {cur} — {d_prev} к предыдущему периоду ({prev}) и {d_year} к тому же "
        "периоду год назад ({year}).",
        "en": "{metric_cap} for {period}: {cur}, {d_prev} vs the previous period ({prev}) and {d_year} vs a year "
        "ago ({year}).",
    },
    "goals.compare.plans": {
        "ru": "Выполнение плана: {cur} сейчас, {prev} в предыдущем периоде, {year} год назад.",
        "en": "Plan done: {cur} now, {prev} in the previous period, {year} a year ago.",
    },
    "goals.def.compare": {
        "ru": "Сравнение: предыдущий период той же длины ({previous}) и тот же период год назад ({year_ago}); "
        "«—» в плане — в файле нет плана на этот период. «Факт на N-й рабочий день» — факт после стольких "
        "же рабочих дней, сколько прошло в текущем периоде.",
        "en": "Compared with the previous period of the same length ({previous}) and the same period a year "
        "earlier ({year_ago}); «—» as the plan: the file has no plan for it. «Actual after N working days»: "
        "the actual after as many working days as have passed in this period.",
    },
    "goals.managers.title": {"ru": "План по менеджерам", "en": "Plans by manager"},
    "goals.managers.projected": {"ru": "Прогноз, % плана", "en": "Projected, % of plan"},
    "goals.managers.none": {
        "ru": "Планов менеджеров на {period} в файле нет.",
        "en": "The file has no manager plans for {period}.",
    },
    "goals.managers.sentence": {
        "ru": "План {metric} выполнили {done} из {total}; меньше всего выполнено: {name} — {share} ({fact} из {plan}).",
        "en": "{done} of {total} have met their {metric} plan; the lowest is {name} at {share} ({fact} of {plan}).",
    },
    "goals.managers.inactive": {
        "ru": "Без прогноза (нет открытых сделок и ни одной выигранной за последние три месяца): {names}.",
        "en": "Not forecast (no open deals and no wins in the last three months): {names}.",
    },
    "goals.managers.at_risk": {
        "ru": "По прогнозу продаж не успевают выполнить план {metric}: {names}.",
        "en": "By the sales forecast these managers will miss their {metric} plan: {names}.",
    },
    "goals.managers.sum": {
        "ru": "Сумма планов менеджеров {metric}: {sum}.",
        "en": "Managers' {metric} plans add up to {sum}.",
    },
    "goals.chart.managers": {
        "ru": "Выполнение плана по менеджерам: факт и прогноз, % плана",
        "en": "Plan done by manager: actual and projection, % of plan",
    },
    "goals.summary.title": {"ru": "Выводы", "en": "Takeaways"},
}
