"""Labels of the sales-analysis report."""

TEXT = {
    "sales.kpi.revenue": {"ru": "Выручка", "en": "Revenue"},
    "sales.kpi.won_deals": {"ru": "Успешные сделки", "en": "Deals won"},
    "sales.kpi.average_check": {"ru": "Средний чек", "en": "Average deal"},
    "sales.kpi.lead_to_won_conversion": {"ru": "Конверсия лидов в продажи", "en": "Lead-to-won conversion"},
    "sales.kpi.created_deals": {"ru": "Новые сделки", "en": "Deals created"},
    "sales.kpi.lost_deals": {"ru": "Проигранные сделки", "en": "Deals lost"},
    "sales.kpi.win_rate": {"ru": "Доля выигранных", "en": "Win rate"},
    "sales.kpi.title": {"ru": "Главные показатели", "en": "Headline figures"},
    "sales.kpi.vs_previous": {"ru": "к пред. периоду", "en": "vs previous"},
    "sales.kpi.vs_year": {"ru": "к прошлому году", "en": "vs last year"},
    "sales.kpi.sentence": {
        "ru": "Выручка за {period} — {revenue} ({d_prev} к предыдущему периоду, {d_year} к прошлому году): "
        "{won}, средний чек {check}.",
        "en": "Revenue for {period} was {revenue} ({d_prev} vs the previous period, {d_year} vs last year) "
        "from {won}, an average deal of {check}.",
    },
    "sales.kpi.sentence_conv": {
        "ru": "Создано в периоде: {created}; из них выиграно {won_cohort} — конверсия {conv}; "
        "доля выигранных среди закрытых в периоде — {win_rate}.",
        "en": "Of {created} created in the period, {won_cohort} have been won, a conversion of {conv}; "
        "the win rate among deals closed in the period is {win_rate}.",
    },
    "sales.kpi.no_won": {
        "ru": "За {period} нет ни одной успешной сделки.",
        "en": "No deals were won in {period}.",
    },
    "sales.def.revenue": {
        "ru": "Выручка — сумма бюджетов сделок, перешедших в «Успешно реализовано» в течение периода "
        "(по дате закрытия); средний чек = выручка / число успешных сделок.",
        "en": "Revenue: the sum of the budgets of deals that moved to won within the period (by close date); "
        "average deal = revenue / deals won.",
    },
    "sales.def.conversion": {
        "ru": "Конверсия лидов в продажи — доля выигранных (на дату данных {as_of}) среди сделок, созданных в периоде "
        "(когорта периода); у недавних когорт она ещё растёт. Доля выигранных = выигранные / (выигранные + "
        "проигранные) среди закрытых в периоде.",
        "en": "Lead-to-won conversion: the share of deals created in the period (the period's cohort) that were won "
        "by the data date {as_of}; recent cohorts are still maturing. Win rate = won / (won + lost) among deals "
        "closed in the period.",
    },
    "sales.def.compare": {
        "ru": "Сравнение: предыдущий период той же длины ({previous}) и тот же период год назад ({year_ago}). "
        "Выручка, сделки и доля выигранных — по дате закрытия в каждом периоде. Конверсия лидов в продажи "
        "сравнивается в одном возрасте когорт: текущая когорта считается по выигрышам до {as_of}, когорта "
        "{previous} — до {cut_previous}, {year_ago} — до {cut_year} (конец своего периода плюс столько же, "
        "сколько прошло после конца текущего), иначе старые когорты выглядят лучше только потому, что успели "
        "дозреть.",
        "en": "Compared with the previous period of the same length ({previous}) and the same period a year "
        "earlier ({year_ago}). Revenue, deals and win rate are by close date in each period. Lead-to-won "
        "conversion is compared at the same cohort age: the current cohort counts wins up to {as_of}, the "
        "{previous} cohort up to {cut_previous}, the {year_ago} cohort up to {cut_year} (its own period end plus "
        "as long as has passed since the current period ended); otherwise older cohorts look better only "
        "because they have had longer to mature.",
    },
    "sales.kpi.cohort_then": {
        "ru": "{period} — {conv} ({won} из {created} к {cutoff})",
        "en": "{period}, {conv} ({won} of {created} by {cutoff})",
    },
    "sales.kpi.sentence_same_age": {
        "ru": "Те же когорты в том же возрасте: {cohorts}.",
        "en": "The compared cohorts at the same age: {cohorts}.",
    },
    "sales.cohorts.title": {"ru": "Созревание когорт", "en": "Cohort maturity"},
    "sales.cohorts.cohort": {"ru": "Месяц создания", "en": "Month created"},
    "sales.cohorts.created": {"ru": "Создано", "en": "Created"},
    "sales.cohorts.won": {"ru": "Выиграно", "en": "Won"},
    "sales.cohorts.share_won": {"ru": "Доля на сегодня", "en": "Share to date"},
    "sales.cohorts.sentence": {
        "ru": "Когорта {cohort} за первый месяц выиграла {conv}; {n} предыдущих когорт в том же возрасте — "
        "от {low} до {high}.",
        "en": "The {cohort} cohort won {conv} in its first month; the {n} cohorts before it, at the same age, "
        "{low} to {high}.",
    },
    "sales.def.cohorts": {
        "ru": "Когорта — сделки, созданные в одном месяце (на графике справа от месяца — их число). «Доля на "
        "сегодня» — выигранные к {as_of} / созданные. Столбец «+k» — доля "
        "выигранных к концу k-го месяца после месяца создания («+0» — в месяце создания), накопительно; "
        "пусто, если на дату данных {as_of} когорта ещё не дожила до этого возраста. Сравнивайте когорты "
        "по столбцу, а не по строке: молодые когорты ещё дозревают. В таблице — первые шесть месяцев возраста, "
        "на графике и в выгруженной таблице — все двенадцать.",
        "en": "A cohort: the deals created in one month (their number next to the month on the chart). «Share to "
        "date»: won by {as_of} / created. Column «+k»: the share "
        "won by the end of the k-th month after the month of creation («+0»: within it), cumulative; empty "
        "where the cohort had not reached that age by the data date {as_of}. Compare cohorts down a column, "
        "not along a row: young cohorts are still maturing. The table shows the first six months of age; the "
        "chart and the published table show all twelve.",
    },
    "sales.chart.cohorts": {
        "ru": "Доля выигранных по месяцу создания и возрасту когорты",
        "en": "Share won by month created and cohort age",
    },
    "sales.chart.funnel_pct": {"ru": "(%) — переход среди решённых", "en": "(%): step among decided deals"},
    "sales.chart.cohorts_x": {"ru": "месяцев после месяца создания", "en": "months after the month created"},
    "sales.chart.trend": {
        "ru": "Выручка по месяцам (столбцы) и число успешных сделок (линия)",
        "en": "Won revenue per month (bars) and deals won (line)",
    },
    "sales.funnel.title": {"ru": "Воронка и конверсия по этапам", "en": "Funnel and stage conversion"},
    "sales.funnel.passed": {"ru": "Прошли этап", "en": "Entered stage"},
    "sales.funnel.cumulative": {"ru": "Дошли до этапа", "en": "Reached stage"},
    "sales.funnel.passed_short": {"ru": "только пройденные этапы", "en": "stages entered"},
    "sales.funnel.cumulative_short": {"ru": "с учётом пропущенных этапов", "en": "incl. skipped stages"},
    "sales.funnel.conv_passed": {"ru": "Конв. (пройденные)", "en": "Conv. (entered)"},
    "sales.funnel.conv_cumulative": {"ru": "Конв. (дошли)", "en": "Conv. (reached)"},
    "sales.funnel.share": {"ru": "От первого этапа", "en": "Of first stage"},
    "sales.funnel.open_prev": {"ru": "Ещё открыты на пред. этапе", "en": "Still open at previous stage"},
    "sales.funnel.decided": {"ru": "Решено", "en": "Decided"},
    "sales.funnel.conv_decided": {"ru": "Конв. среди решённых", "en": "Conv. among decided"},
    "sales.funnel.weakest": {
        "ru": "Самый слабый переход в воронке «{pipeline}» — «{from_stage}» → «{to_stage}»: среди решённых сделок "
        "дальше прошло {conv} ({moved} из {decided}); ещё открыты на этапе «{from_stage}» и в расчёт не входят: "
        "{open}.",
        "en": "The weakest step in the «{pipeline}» pipeline is «{from_stage}» → «{to_stage}»: {conv} of the decided "
        "deals got through ({moved} of {decided}); still open at «{from_stage}» and not counted yet: {open}.",
    },
    "sales.funnel.no_weakest": {
        "ru": "Самый слабый переход не называется: ни на одном переходе нет {n} решённых сделок — когорта ещё молода.",
        "en": "No weakest step is named: no step has {n} decided deals yet; the cohort is still young.",
    },
    "sales.funnel.skipped": {
        "ru": "Из когорты хотя бы один этап перескочили: {n} — поэтому показаны обе конверсии.",
        "en": "{n} of the cohort skipped at least one stage, hence both conversions are shown.",
    },
    "sales.funnel.over": {
        "ru": "В воронке «{pipeline}» на этап «{stage}» вошло больше сделок ({n}), чем на предыдущий «{prev_stage}» "
        "({prev_n}); из них {skipped} — в обход «{prev_stage}». Это не конверсия выше 100 %, а пропуск "
        "этапа в CRM, поэтому конверсия по пройденным этапам здесь не показана; смотрите «Конв. (дошли)».",
        "en": "In the «{pipeline}» pipeline more deals entered «{stage}» ({n}) than the stage before it, "
        "«{prev_stage}» ({prev_n}): {skipped} entered it without passing «{prev_stage}». That is not a conversion "
        "above 100 % but a stage skipped in the CRM, so the entered-stage conversion is not shown here; see "
        "«Conv. (reached)».",
    },
    "sales.def.funnel": {
        "ru": "Воронка строится по сделкам, созданным в периоде, по истории смены этапов. «Прошли этап» — сделка "
        "действительно побывала на этапе; «Дошли до этапа» — сделка учитывается на всех этапах до самого "
        "дальнего достигнутого (пропущенные этапы засчитываются). Конверсия — доля этапа k+1 от этапа k.",
        "en": "The funnel covers deals created in the period, from their stage history. «Entered stage»: the deal was "
        "actually in the stage; «reached stage»: the deal counts at every stage up to the furthest it reached "
        "(skipped stages included). Conversion = stage k+1 over stage k.",
    },
    "sales.def.funnel_decided": {
        "ru": "Молодая когорта ещё не прошла воронку, поэтому переход оценивается среди решённых сделок: дошедших "
        "до этапа k+1 или дальше, выигранных или проигранных (по текущему статусу) — без сделок, которые ещё "
        "открыты на этапе k (они показаны отдельно). Самый слабый переход называется, только если за ним не "
        "меньше {n} решённых сделок.",
        "en": "A young cohort has not been through the funnel yet, so a step is measured among decided deals: those "
        "that reached stage k+1 or beyond, won or lost (by their current status), leaving out those still open at "
        "stage k (shown apart). The weakest step is named only if it rests on at least {n} decided deals.",
    },
    "sales.losses.title": {"ru": "Потери по этапам и причины отказа", "en": "Losses by stage and loss reasons"},
    "sales.losses.lost": {"ru": "Проиграно", "en": "Lost"},
    "sales.losses.amount": {"ru": "Сумма", "en": "Amount"},
    "sales.losses.reason": {"ru": "Причина отказа", "en": "Loss reason"},
    "sales.losses.unknown_stage": {"ru": "этап не известен", "en": "stage unknown"},
    "sales.losses.sentence": {
        "ru": "Больше всего сделок теряется на этапе «{stage}»: {n} на {amount} ({share} всех потерь).",
        "en": "Most deals are lost at «{stage}»: {n} worth {amount} ({share} of all losses).",
    },
    "sales.losses.reason_sentence": {
        "ru": "Главная причина отказа — «{reason}»: {n} ({share}).",
        "en": "The main loss reason is «{reason}»: {n} ({share}).",
    },
    "sales.losses.none": {"ru": "В периоде нет проигранных сделок.", "en": "No deals were lost in the period."},
    "sales.def.losses": {
        "ru": "Потери — сделки, перешедшие в «Закрыто и не реализовано» в периоде, по последнему открытому этапу "
        "перед закрытием; сумма — их бюджет.",
        "en": "Losses: deals that moved to lost within the period, by the last open stage before they were lost; "
        "amount = their budget.",
    },
    "sales.chart.losses": {"ru": "Проигранные сделки по этапу потери", "en": "Deals lost by the stage of loss"},
    "sales.tis.title": {"ru": "Время на этапах", "en": "Time in stage"},
    "sales.tis.median": {"ru": "Медиана", "en": "Median"},
    "sales.tis.visits": {"ru": "Заходов", "en": "Stays"},
    "sales.tis.still_open": {"ru": "Ещё на этапе", "en": "Still there"},
    "sales.tis.sentence": {
        "ru": "Дольше всего сделки задерживаются на этапе «{stage}»: медиана — {median}, "
        "каждая десятая стоит дольше: {p90}.",
        "en": "Deals stay longest in «{stage}»: a median of {median}; one in ten stays longer than {p90}.",
    },
    "sales.tis.unknown_tail": {"ru": "неизвестно (много сделок ещё на этапе)", "en": "unknown (many still there)"},
    "sales.def.tis": {
        "ru": "Время на этапе — от входа на этап до перехода на следующий, для заходов, начавшихся в периоде. Сделки, "
        "которые всё ещё на этапе, учитываются как незавершённые (оценка Каплана — Мейера), а не отбрасываются; "
        "«—» значит, что квантиль пока нельзя оценить.",
        "en": "Time in stage: from entering a stage to leaving it, for stays that began in the period. Deals still in "
        "the stage count as unfinished (Kaplan–Meier estimate), not dropped; «—» means the quantile cannot be "
        "estimated yet.",
    },
    "sales.chart.tis": {"ru": "Дней на этапе: медиана и P75–P90", "en": "Days in stage: median and P75–P90"},
    "sales.cycle.title": {"ru": "Длительность сделки и зависшие сделки", "en": "Deal cycle and stale deals"},
    "sales.cycle.sentence": {
        "ru": "Успешная сделка в периоде закрывалась в среднем за {mean} (медиана {median}).",
        "en": "Deals won in the period took {mean} on average (median {median}).",
    },
    "sales.cycle.stale": {
        "ru": "Старше типичного цикла ({typical}): {n} на {amount} — начните с них.",
        "en": "Older than the typical cycle ({typical}): {n} worth {amount}; start with them.",
    },
    "sales.cycle.no_stale": {
        "ru": "Нет открытых сделок старше типичного цикла ({typical}).",
        "en": "No open deals are older than the typical cycle ({typical}).",
    },
    "sales.def.cycle": {
        "ru": "Цикл — от создания до закрытия успешной сделки. Типичный цикл — среднее по успешным сделкам "
        "за 12 месяцев до конца периода ({basis} сделок); зависшие — открытые на {moment} сделки старше него.",
        "en": "Cycle: from creation to close of a won deal. The typical cycle is the mean over deals won in the "
        "12 months to the period's end ({basis} deals); stale deals are those open on {moment} and older than it.",
    },
    "sales.cycle.deal": {"ru": "Сделка", "en": "Deal"},
    "sales.cycle.age": {"ru": "Возраст", "en": "Age"},
    "sales.cycle.budget": {"ru": "Бюджет", "en": "Budget"},
    "sales.cycle.created": {"ru": "Создана", "en": "Created"},
    "sales.cycle.mean": {"ru": "Средний цикл", "en": "Mean cycle"},
    "sales.cycle.median": {"ru": "Медиана цикла", "en": "Median cycle"},
    "sales.cycle.typical": {"ru": "Типичный цикл (12 мес.)", "en": "Typical cycle (12 mo.)"},
    "sales.cycle.stale_count": {"ru": "Зависших сделок", "en": "Stale deals"},
    "sales.managers.title": {"ru": "Менеджеры", "en": "Managers"},
    "sales.managers.cycle": {"ru": "Цикл", "en": "Cycle"},
    "sales.managers.open": {"ru": "Открыто", "en": "Open"},
    "sales.managers.leader": {
        "ru": "Лидер по выручке — {name}: {revenue}, доля выигранных {win_rate}.",
        "en": "The revenue leader is {name}: {revenue}, win rate {win_rate}.",
    },
    "sales.managers.low": {
        "ru": "Ниже среднего по команде ({team}) доля выигранных у: {names}.",
        "en": "Win rate below the team's ({team}): {names}.",
    },
    "sales.def.managers": {
        "ru": "Сделки относятся к текущему ответственному менеджеру. Показатели — как в разделе «Главные показатели».",
        "en": "Deals belong to their current responsible manager. Figures as defined under «Headline figures».",
    },
    "sales.chart.managers": {"ru": "Выручка и доля выигранных по менеджерам", "en": "Revenue and win rate by manager"},
    "sales.summary.title": {"ru": "Выводы", "en": "Takeaways"},
    "sales.kpi.no_amounts": {
        "ru": "В данных нет сумм сделок, поэтому выручка и средний чек не считаются: за {period} выиграно {won}.",
        "en": "The data has no deal amounts, so revenue and average deal are not computed: {won} won in {period}.",
    },
    "sales.no_history": {
        "ru": "В данных нет истории смены этапов, поэтому раздел не построен.",
        "en": "The data has no stage history, so this section is not built.",
    },
}
