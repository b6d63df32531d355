"""Labels of the sales-forecast report («Прогноз продаж»)."""

TEXT = {
    "forecast.index.forecast_m1": {"ru": "Прогноз на след. месяц", "en": "Next month's forecast"},
    "forecast.index.wape": {"ru": "Ошибка прогноза (WAPE)", "en": "Forecast error (WAPE)"},
    "noun.fc_month": {"ru": "месяц|месяца|месяцев", "en": "month|months"},
    "noun.fc_forecast": {"ru": "прогноз|прогноза|прогнозов", "en": "forecast|forecasts"},
    # headline
    "forecast.head.title": {"ru": "Прогноз на три месяца", "en": "Forecast for the next three months"},
    "forecast.head.sentence": {
        "ru": "Ожидаемая выручка за три месяца ({months}) — {total}: {name1} — {m1}, {name2} — {m2}, {name3} — {m3}.",
        "en": "Expected won revenue for {months} is {total}: {m1} in {name1}, {m2} in {name2}, {m3} in {name3}.",
    },
    "forecast.head.deals": {
        "ru": "Это примерно {deals} за три месяца; в первый месяц ({name1}) — {d1}.",
        "en": "That is about {deals} over the three months ({d1} in {name1}).",
    },
    "forecast.head.interval": {
        "ru": "С вероятностью 80 % выручка за {name1} составит от {low} до {high}.",
        "en": "With 80 % probability, won revenue in {name1} will be between {low} and {high}.",
    },
    "forecast.head.origin_moved": {
        "ru": "Период {period} ещё не закончился в данных (данные по {as_of}), поэтому прогноз строится от {origin}.",
        "en": "The period {period} is not over in the data (data to {as_of}), so the forecast starts from {origin}.",
    },
    "forecast.short_history": {
        "ru": "Прогноз не построен: история продаж — {months}, а нужно хотя бы {need}. "
        "Вернитесь к отчёту, когда накопится история.",
        "en": "No forecast: the history has {months} of sales and at least {need} are needed. "
        "Come back when more history has accumulated.",
    },
    "forecast.inactive": {
        "ru": "Прогноз не построен: нет открытых сделок и ни одной выигранной за последние {months} мес. — "
        "менеджер не активен, переносить на него темп команды было бы вымыслом.",
        "en": "No forecast: no open deals and no wins in the last {months} months — the manager is inactive, "
        "and projecting the team's pace onto them would be fiction.",
    },
    "forecast.no_won": {
        "ru": "Прогноз не построен: в истории нет ни одной успешной сделки, опереться не на что.",
        "en": "No forecast: the history has no won deals to learn from.",
    },
    "forecast.col.month": {"ru": "Месяц", "en": "Month"},
    "forecast.col.revenue": {"ru": "Выручка, прогноз", "en": "Revenue, forecast"},
    "forecast.col.interval": {"ru": "Интервал 80 %", "en": "80 % interval"},
    "forecast.col.deals": {"ru": "Сделок, прогноз", "en": "Deals, forecast"},
    "forecast.col.year_ago": {"ru": "Факт год назад", "en": "Actual a year ago"},
    "forecast.col.total": {"ru": "Итого за 3 мес.", "en": "Total, 3 months"},
    "forecast.chart.history": {
        "ru": "Выручка по месяцам: факт и прогноз с интервалом 80 %",
        "en": "Won revenue per month: actual and forecast with an 80 % interval",
    },
    "forecast.chart.actual": {"ru": "Факт", "en": "Actual"},
    "forecast.chart.combined": {"ru": "Прогноз", "en": "Forecast"},
    "forecast.chart.band": {"ru": "Интервал 80 %", "en": "80 % interval"},
    "forecast.chart.pipeline": {"ru": "Воронка", "en": "Pipeline view"},
    "forecast.chart.ts": {"ru": "Временной ряд", "en": "Time series"},
    "forecast.def.revenue": {
        "ru": "Выручка месяца — сумма бюджетов сделок, перешедших в «Успешно реализовано» в этом месяце (по дате "
        "закрытия). Прогноз делается на {origin}: на три календарных месяца после периода {period}.",
        "en": "Monthly revenue: the budgets of deals that moved to won in that month (by close date). The forecast "
        "is made as of {origin}, for the three calendar months after the period {period}.",
    },
    "forecast.def.combined": {
        "ru": "Итоговый прогноз — среднее двух взглядов (воронка и временной ряд). Интервал 80 % объединяет "
        "неопределённость обоих взглядов и их расхождение; он расширен в {factor} раза, чтобы накрыть 80 % "
        "фактов в бэктесте (без расширения модель накрыла {coverage}).",
        "en": "The forecast is the mean of the two views (pipeline and time series). The 80 % interval combines the "
        "uncertainty of both views and their disagreement; it is widened by a factor of {factor} so that it "
        "would have covered 80 % of the backtest's actuals (unwidened, the model covered {coverage}).",
    },
    # two views
    "forecast.views.title": {"ru": "Два взгляда: воронка и временной ряд", "en": "Two views: pipeline and time series"},
    "forecast.views.open_share": {
        "ru": "В первом месяце ({name1}) {share} прогноза по воронке дают уже открытые сделки ({open}), остальное — "
        "новые сделки, которые ещё будут созданы ({new}); к третьему месяцу ({name3}) доля открытых сделок "
        "падает до {share3}.",
        "en": "In {name1}, {share} of the pipeline view comes from deals already open ({open}) and the rest from "
        "deals still to be created ({new}); by {name3} the open deals' share falls to {share3}.",
    },
    "forecast.views.agree": {
        "ru": "Взгляды согласны: на три месяца воронка даёт {p}, временной ряд — {ts} (расхождение {diff}).",
        "en": "The views agree: over three months the pipeline gives {p}, the time series {ts} (a gap of {diff}).",
    },
    "forecast.views.disagree": {
        "ru": "Взгляды расходятся: на три месяца воронка даёт {p}, временной ряд — {ts} ({diff}); итог — среднее, "
        "а интервал учитывает расхождение.",
        "en": "The views disagree: over three months the pipeline gives {p}, the time series {ts} ({diff}); the "
        "forecast is their mean and the interval includes the gap.",
    },
    "forecast.views.season": {
        "ru": "Главный сдвиг прогноза — {from_name} → {to_name}: {change}; год назад тот же переход дал {change_ago}. "
        "Это сезонность, которую учитывает модель.",
        "en": "The largest move in the forecast is {from_name} → {to_name}: {change}; a year ago the same step was "
        "{change_ago}. That is the seasonality the model carries forward.",
    },
    "forecast.views.not_season": {
        "ru": "Главный сдвиг прогноза — {from_name} → {to_name}: {change}; год назад тот же переход дал "
        "{change_ago}, то есть в обратную сторону — это не сезонность, а тренд и текущая воронка.",
        "en": "The largest move in the forecast is {from_name} → {to_name}: {change}; a year ago the same step "
        "went the other way ({change_ago}), so this is not seasonality but the trend and the current pipeline.",
    },
    "forecast.views.season_dip": {
        "ru": "Впереди сезонный спад: выручка за {to_name} ожидается на {drop} ниже, чем за {from_name} (год назад тот "
        "же переход — {change_ago}).",
        "en": "A seasonal dip is ahead: {to_name} is expected {drop} below {from_name} (a year ago: {change_ago}).",
    },
    "forecast.views.nonseasonal": {
        "ru": "В истории {months} — меньше 24, поэтому модель временного ряда без сезонности (тренд с затуханием); "
        "сезонные колебания прогноз не покажет.",
        "en": "The history has {months}, fewer than 24, so the time-series model has no seasonality (a damped "
        "trend); the forecast will not show seasonal swings.",
    },
    "forecast.views.level_only": {
        "ru": "В истории {months} — меньше 12, поэтому модель временного ряда — простое сглаживание без тренда и "
        "сезонности.",
        "en": "The history has {months}, fewer than 12, so the time-series model is simple smoothing without trend "
        "or seasonality.",
    },
    "forecast.col.measure": {"ru": "Показатель", "en": "Measure"},
    "forecast.col.open": {"ru": "Открытые сделки", "en": "Open deals"},
    "forecast.col.new": {"ru": "Новые сделки", "en": "New deals"},
    "forecast.col.pipeline": {"ru": "Воронка", "en": "Pipeline view"},
    "forecast.col.ts": {"ru": "Временной ряд", "en": "Time series"},
    "forecast.col.combined": {"ru": "Итог", "en": "Combined"},
    "forecast.def.concepts": {
        "ru": "Открытые сделки — в открытом этапе на дату прогноза; заявки, ещё ждущие в «Неразобранном», — не "
        "сделки и не учитываются ни в открытых сделках, ни в истории вероятностей (как во всех отчётах). "
        "Выручка — по дате перехода в «Успешно реализовано»; сделки менеджера — по текущему ответственному. "
        "Менеджер без открытых сделок и без выигранных за последние {months} мес. не прогнозируется. Та же модель "
        "даёт прогноз остатка периода в отчёте «Цели».",
        "en": "Open deals are in an open stage at the forecast date; requests still pending in «Unsorted» are not "
        "deals and count neither among the open deals nor in the probabilities' history (as in every report). "
        "Revenue by the date the deal moved to won; a manager's deals are those they are responsible for now. "
        "A manager with no open deals and no wins in the last {months} months is not forecast. The same model "
        "projects the rest of a plan period in the Goals report.",
    },
    "forecast.def.pipeline": {
        "ru": "Воронка: каждая открытая на {origin} сделка × вероятность, что сделка на её этапе и её возраста будет "
        "выиграна в данном месяце. Вероятности — по сделкам, открытым в начале каждого из 12 прошлых месяцев, "
        "с исходом до {origin}: выигранные, проигранные и ещё открытые (последние — как незавершённые, оценка "
        "Аалена — Йохансена с конкурирующим проигрышем). Этап на дату — последняя смена этапа до неё. Ячейка "
        "(этап, возраст) с числом наблюдений меньше {min_obs} берёт вероятность этапа, затем воронки. "
        "Новые сделки: прогноз числа создаваемых сделок (ETS) × выручка на созданную сделку, выигранная в месяц "
        "создания, через один и через два месяца (по когортам последних 12 месяцев).",
        "en": "Pipeline view: every deal open on {origin} × the probability that a deal at its stage and age is won in "
        "that month. The probabilities come from deals open at the start of each of the past 12 months, followed "
        "to {origin}: won, lost, or still open (counted as unfinished: the Aalen–Johansen estimate with losing as "
        "a competing outcome). The stage on a date is the last stage change before it. A (stage, age) cell with "
        "fewer than {min_obs} observations takes the stage's probability, then the pipeline's. New deals: the "
        "forecast number of deals created (ETS) × revenue per created deal won in the month of creation, one "
        "and two months later (from the last 12 monthly cohorts).",
    },
    "forecast.def.ts": {
        "ru": "Временной ряд: модель экспоненциального сглаживания ETS по месячной выручке с {start}: "
        "{model}. Интервал 80 % — прогнозный интервал модели.",
        "en": "Time series: an ETS exponential-smoothing model of monthly won revenue from {start}: "
        "{model}. Its 80 % interval is the model's prediction interval.",
    },
    "forecast.model.seasonal": {
        "ru": "аддитивный тренд с затуханием и сезонность 12 месяцев",
        "en": "damped additive trend with 12-month seasonality",
    },
    "forecast.model.trend": {
        "ru": "аддитивный тренд с затуханием, без сезонности (история короче 24 месяцев)",
        "en": "damped additive trend, no seasonality (history shorter than 24 months)",
    },
    "forecast.model.level": {
        "ru": "простое сглаживание без тренда и сезонности (история короче 12 месяцев)",
        "en": "simple smoothing, no trend or seasonality (history shorter than 12 months)",
    },
    "forecast.measure.revenue": {"ru": "Выручка", "en": "Revenue"},
    "forecast.measure.deals": {"ru": "Сделки", "en": "Deals"},
    # weighted pipeline
    "forecast.pipe.title": {"ru": "Взвешенная воронка по этапам", "en": "Weighted pipeline by stage"},
    "forecast.pipe.sentence": {
        "ru": "В воронке сейчас {n} на {amount}; с учётом вероятностей выигрыша это {weighted}, из них в ближайшие "
        "три месяца ожидается {expected}.",
        "en": "{n} are open, worth {amount}; weighted by their win probabilities that is {weighted}, of which "
        "{expected} is expected within three months.",
    },
    "forecast.pipe.top": {
        "ru": "Больше всего ожидаемой выручки на этапе «{stage}»: {expected} из {amount} (вероятность выигрыша {p}).",
        "en": "The stage with the most expected revenue is «{stage}»: {expected} of {amount} (win probability {p}).",
    },
    "forecast.pipe.none": {
        "ru": "На дату прогноза открытых сделок нет.",
        "en": "No deals are open at the forecast date.",
    },
    "forecast.col.open_deals": {"ru": "Открыто", "en": "Open"},
    "forecast.col.amount": {"ru": "Сумма", "en": "Amount"},
    "forecast.col.p_win": {"ru": "Вер. выигрыша", "en": "Win prob."},
    "forecast.col.weighted": {"ru": "Взвешенная сумма", "en": "Weighted"},
    "forecast.col.expected": {"ru": "Ожид. за 3 мес.", "en": "Expected, 3 mo."},
    "forecast.chart.pipe": {
        "ru": "Открытые сделки по этапам: сумма, взвешенная сумма и ожидаемое за 3 месяца",
        "en": "Open deals by stage: amount, weighted amount and expected within 3 months",
    },
    "forecast.chart.amount": {"ru": "Сумма открытых", "en": "Open amount"},
    "forecast.chart.weighted": {"ru": "Взвешенная", "en": "Weighted"},
    "forecast.chart.expected": {"ru": "Ожидается за 3 мес.", "en": "Expected in 3 months"},
    "forecast.stage_unknown": {"ru": "этап не известен", "en": "stage unknown"},
    "forecast.def.weighted": {
        "ru": "Взвешенная сумма — бюджет × вероятность когда-либо выиграть сделку на этом этапе и в этом возрасте "
        "(в пределах наблюдаемых 12 месяцев); «ожидаемое за 3 мес.» — бюджет × вероятность выиграть в три "
        "месяца прогноза. Вероятность выигрыша в таблице — средняя по сделкам этапа.",
        "en": "Weighted amount: budget × the probability of ever winning a deal at that stage and age (within the "
        "12 months observed); «expected, 3 mo.»: budget × the probability of a win within the three forecast "
        "months. The win probability shown is the mean over the stage's deals.",
    },
    # backtest
    "forecast.bt.title": {"ru": "Точность прогноза: проверка на прошлом", "en": "Forecast accuracy: backtest"},
    "forecast.bt.sentence": {
        "ru": "Если бы этот прогноз делали в начале каждого из последних 12 месяцев (по данным, известным на тот "
        "момент), он ошибался бы в среднем на {wape} выручки (WAPE, {n}), смещение {bias}.",
        "en": "Had this forecast been made at the start of each of the last 12 months (with the data known then), it "
        "would have been off by {wape} of revenue on average (WAPE, {n}), with a bias of {bias}.",
    },
    "forecast.bt.beats": {
        "ru": "Это лучше обоих наивных прогнозов: «как в прошлом месяце» ошибается на {last} (наш точнее на "
        "{d_last}), «как год назад» — на {seasonal} (точнее на {d_seasonal}).",
        "en": "That beats both naive forecasts: «same as last month» is off by {last} (ours is {d_last} better) "
        "and «same month last year» by {seasonal} ({d_seasonal} better).",
    },
    "forecast.bt.not_beats": {
        "ru": "Наивные прогнозы ошибаются так: «как в прошлом месяце» — {last}, «как год назад» — {seasonal}. "
        "Наш прогноз не лучше хотя бы одного из них — относитесь к нему осторожно.",
        "en": "The naive forecasts are off by {last} («same as last month») and {seasonal} («same month last "
        "year»). Ours does not beat at least one of them: treat it with caution.",
    },
    "forecast.bt.no_seasonal": {
        "ru": "Наивный прогноз «как в прошлом месяце» ошибается на {last}; «как год назад» сравнить не с чем — "
        "история короче 13 месяцев.",
        "en": "The «same as last month» forecast is off by {last}; «same month last year» cannot be checked: the "
        "history is shorter than 13 months.",
    },
    "forecast.bt.coverage": {
        "ru": "Интервал 80 % модели накрыл {coverage} фактов, поэтому в прогнозе он расширен в {factor} раза.",
        "en": "The model's 80 % interval covered {coverage} of the actuals, so the forecast widens it by a factor "
        "of {factor}.",
    },
    "forecast.bt.coverage_ok": {
        "ru": "Интервал 80 % модели накрыл {coverage} фактов — расширять его не пришлось.",
        "en": "The model's 80 % interval covered {coverage} of the actuals; it did not need widening.",
    },
    "forecast.bt.none": {
        "ru": "Проверку на прошлом провести нельзя: слишком короткая история.",
        "en": "No backtest is possible: the history is too short.",
    },
    "forecast.col.method": {"ru": "Метод", "en": "Method"},
    "forecast.col.horizon_all": {"ru": "Все горизонты", "en": "All horizons"},
    "forecast.col.horizon": {"ru": "{k} мес. вперёд", "en": "{k} mo. ahead"},
    "forecast.col.bias": {"ru": "Смещение", "en": "Bias"},
    "forecast.method.combined": {"ru": "Наш прогноз", "en": "Our forecast"},
    "forecast.method.pipeline": {"ru": "Только воронка", "en": "Pipeline view only"},
    "forecast.method.ts": {"ru": "Только временной ряд", "en": "Time series only"},
    "forecast.method.last_month": {"ru": "Как в прошлом месяце", "en": "Same as last month"},
    "forecast.method.seasonal": {"ru": "Как год назад", "en": "Same month last year"},
    "forecast.chart.backtest": {
        "ru": "Проверка на прошлом: прогноз на месяц вперёд и факт",
        "en": "Backtest: one-month-ahead forecast vs actual",
    },
    "forecast.def.backtest": {
        "ru": "Проверка на прошлом: прогноз заново строится на начало каждого из 12 месяцев до {origin} только по "
        "данным, известным в тот момент (сделки, созданные раньше; этапы и закрытия до этой даты), на 1, 2 и "
        "3 месяца вперёд, и сравнивается с фактом. WAPE = Σ|прогноз − факт| / Σ факт; смещение = Σ(прогноз − "
        "факт) / Σ факт (плюс — завышение). Наивные прогнозы: выручка последнего полного месяца; выручка того "
        "же месяца год назад. Бюджеты сделок — текущие (история изменений бюджета не хранится).",
        "en": "Backtest: the forecast is rebuilt as of the start of each of the 12 months before {origin} with only "
        "the data known then (deals created earlier; stages and closes before that date), 1, 2 and 3 months "
        "ahead, and compared with the actuals. WAPE = Σ|forecast − actual| / Σ actual; bias = Σ(forecast − "
        "actual) / Σ actual (positive: over-forecast). Naive forecasts: the last full month's revenue; the same "
        "month a year earlier. Deal budgets are current ones (budget history is not stored).",
    },
    # breakdown
    "forecast.by.title": {"ru": "Прогноз по менеджерам и воронкам", "en": "Forecast by manager and pipeline"},
    "forecast.by.top": {
        "ru": "Наибольший прогноз на три месяца среди менеджеров — {name}: {revenue}.",
        "en": "The largest three-month forecast is {name}'s: {revenue}.",
    },
    "forecast.by.none": {"ru": "Не у кого строить прогноз.", "en": "Nothing to forecast."},
    "forecast.by.unit_m": {"ru": "{month}, млн ₽", "en": "{month}, ₽M"},
    "forecast.by.unit_k": {"ru": "{month}, тыс. ₽", "en": "{month}, ₽K"},
    "forecast.by.cell_note": {"ru": "В ячейках: прогноз (интервал 80 %).", "en": "Cells: forecast (80 % interval)."},
    "forecast.by.short": {"ru": "мало истории", "en": "short history"},
    "forecast.by.inactive_cell": {"ru": "не активен", "en": "inactive"},
    "forecast.by.inactive": {
        "ru": "Без прогноза (нет открытых сделок и ни одной выигранной за последние {months} мес.): {names}.",
        "en": "Not forecast (no open deals and no wins in the last {months} months): {names}.",
    },
    "forecast.by.no_won": {"ru": "нет побед", "en": "no wins"},
    "forecast.def.by": {
        "ru": "Прогноз для каждого менеджера (по текущему ответственному) и каждой воронки строится тем же "
        "способом только по их сделкам, поэтому сумма строк близка к прогнозу команды, но не равна ему. "
        "Интервалы расширены так же, как у прогноза команды.",
        "en": "Each manager (by current responsible user) and each pipeline is forecast the same way from their own "
        "deals only, so the rows add up to roughly, not exactly, the team's forecast. Intervals are widened as "
        "for the team's forecast.",
    },
    "forecast.summary.title": {"ru": "Выводы", "en": "Takeaways"},
}
