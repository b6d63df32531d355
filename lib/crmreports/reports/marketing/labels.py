"""Labels of the marketing report («Маркетинг и клиенты»)."""

TEXT = {
    "noun.mkt_lead": {"ru": "заявка|заявки|заявок", "en": "lead|leads"},
    "noun.mkt_won": {"ru": "успешная сделка|успешные сделки|успешных сделок", "en": "won deal|won deals"},
    "noun.mkt_client": {"ru": "клиент|клиента|клиентов", "en": "client|clients"},
    "noun.mkt_client_gen": {"ru": "клиента|клиентов|клиентов", "en": "client|clients"},  # «из 21 клиента»
    "noun.mkt_lead_gen": {"ru": "заявки|заявок|заявок", "en": "lead|leads"},  # «из 51 заявки»
    "noun.mkt_new_client": {"ru": "новый клиент|новых клиента|новых клиентов", "en": "new client|new clients"},
    "mkt.no_source": {"ru": "(источник не указан)", "en": "(no source)"},
    "mkt.unknown_client": {"ru": "клиент без имени", "en": "unnamed client"},
    # headline
    "mkt.kpi.title": {"ru": "Главные показатели маркетинга", "en": "Headline marketing figures"},
    "mkt.kpi.leads": {"ru": "Заявки", "en": "Leads"},
    "mkt.kpi.created_deals": {"ru": "Создано сделок", "en": "Deals created"},
    "mkt.kpi.won_deals": {"ru": "Успешные сделки", "en": "Deals won"},
    "mkt.kpi.revenue": {"ru": "Выручка", "en": "Revenue"},
    "mkt.kpi.average_check": {"ru": "Средний чек", "en": "Average deal"},
    "mkt.kpi.lead_to_won_conversion": {"ru": "Конверсия заявок в успешные", "en": "Lead-to-won conversion"},
    "mkt.kpi.new_clients": {"ru": "Новые клиенты", "en": "New clients"},
    "mkt.kpi.spend": {"ru": "Расход на рекламу", "en": "Marketing spend"},
    "mkt.kpi.cac": {"ru": "CAC (расход / новые клиенты)", "en": "CAC (spend / new clients)"},
    "mkt.kpi.romi": {"ru": "ROMI", "en": "ROMI"},
    "mkt.kpi.vs_previous": {"ru": "к пред. периоду", "en": "vs previous"},
    "mkt.kpi.vs_year": {"ru": "к прошлому году", "en": "vs last year"},
    "mkt.kpi.sentence": {
        "ru": "За {period} — {leads}, {won} и выручка {revenue}; {new}.",
        "en": "{period}: {leads}, {won} and revenue of {revenue}; {new}.",
    },
    "mkt.kpi.spend_sentence": {
        "ru": "Расход на рекламу {spend}: ROMI {romi}, CAC {cac} (по источникам с расходом).",
        "en": "Marketing spend {spend}: ROMI {romi}, CAC {cac} (over the sources with spend).",
    },
    "mkt.kpi.no_spend": {
        "ru": "Расходов на рекламу для этого аккаунта нет ({where}), поэтому стоимость заявки, CAC и ROMI не "
        "считаются.",
        "en": "There is no marketing spend for this account ({where}), so cost per lead, CAC and ROMI are not "
        "computed.",
    },
    "mkt.kpi.no_spend_where": {
        "ru": "нет файла params/spend/{account}.csv или .yaml",
        "en": "no params/spend/{account}.csv or .yaml",
    },
    "mkt.kpi.spend_team_only": {
        "ru": "Расходы на рекламу заданы на весь аккаунт и не делятся между менеджерами и воронками, поэтому "
        "стоимость заявки, CAC и ROMI показаны только в отчёте по всей команде.",
        "en": "Marketing spend is given for the whole account and is not split between managers or pipelines, so "
        "cost per lead, CAC and ROMI are shown in the whole team's report only.",
    },
    "mkt.def.source_field": {
        "ru": "Источник — поле сделки «{field}» (настраивается в params/marketing.yaml).",
        "en": "Source: the lead field «{field}» (set in params/marketing.yaml).",
    },
    "mkt.def.compare": {
        "ru": "Сравнение когорт: выигрыши когорт {previous} и {year_ago} считаются до того же возраста, что у "
        "когорты текущего периода.",
        "en": "Cohort comparison: the cohorts of {previous} and {year_ago} count their wins up to the same age as "
        "the current period's cohort.",
    },
    "mkt.def.kpi": {
        "ru": "Заявки — всё созданное в периоде, включая ждущие в «Неразобранном»; сделки — без них. Выручка, "
        "успешные сделки и средний чек — по сделкам, закрытым успешно в периоде. Конверсия — выигранные из "
        "заявок периода (когорта). Новый клиент — первая успешная сделка клиента за всю историю пришлась на "
        "период. CAC = расход / новые клиенты; ROMI = (выручка − расход) / расход.",
        "en": "Leads: everything created in the period, requests pending in «Incoming leads» included; deals: "
        "without them. Revenue, deals won and average deal: deals won in the period. Conversion: the period's "
        "leads later won (cohort). A new client: the client's first won deal ever fell in the period. "
        "CAC = spend / new clients; ROMI = (revenue − spend) / spend.",
    },
    # sources
    "mkt.src.title": {"ru": "Источники заявок", "en": "Lead sources"},
    "mkt.src.source": {"ru": "Источник", "en": "Source"},
    "mkt.src.leads": {"ru": "Заявки", "en": "Leads"},
    "mkt.src.deals": {"ru": "Сделки", "en": "Deals"},
    "mkt.src.won_cohort": {"ru": "Выиграно из заявок", "en": "Won of leads"},
    "mkt.src.conversion": {"ru": "Конверсия", "en": "Conversion"},
    "mkt.src.ci": {"ru": "95 % интервал", "en": "95% interval"},
    "mkt.src.won": {"ru": "Успешные", "en": "Won"},
    "mkt.src.revenue": {"ru": "Выручка", "en": "Revenue"},
    "mkt.src.check": {"ru": "Средний чек", "en": "Average deal"},
    "mkt.src.cycle": {"ru": "Цикл, дн.", "en": "Cycle, days"},
    "mkt.src.new": {"ru": "Новые клиенты", "en": "New clients"},
    "mkt.src.spend": {"ru": "Расход", "en": "Spend"},
    "mkt.src.cpl": {"ru": "Цена заявки", "en": "Cost per lead"},
    "mkt.src.cac": {"ru": "CAC", "en": "CAC"},
    "mkt.src.romi": {"ru": "ROMI", "en": "ROMI"},
    "mkt.src.payback": {"ru": "Окупаемость, мес.", "en": "Payback, months"},
    "mkt.src.prev": {"ru": "{what}, {period}", "en": "{what}, {period}"},
    "mkt.src.none": {"ru": "В периоде нет ни заявок, ни продаж.", "en": "No leads and no sales in the period."},
    "mkt.src.best_conv": {
        "ru": "Лучшая конверсия — «{best}»: {conv} ({won} из {leads}); худшая — «{worst}»: {wconv} ({wwon} из "
        "{wleads}); интервалы не пересекаются.",
        "en": "Best conversion: «{best}», {conv} ({won} of {leads}); worst: «{worst}», {wconv} ({wwon} of "
        "{wleads}); the intervals do not overlap.",
    },
    "mkt.src.conv_overlap": {
        "ru": "Конверсия источников различается в пределах случайности (95 % интервалы лучшего «{best}», {conv} из "
        "{leads}, и худшего «{worst}», {wconv} из {wleads}, пересекаются) — лучший канал по конверсии не назван.",
        "en": "Conversion differs between sources within chance (the 95% intervals of the best, «{best}», "
        "{conv} of {leads}, and the worst, «{worst}», {wconv} of {wleads}, overlap): no best channel by "
        "conversion is named.",
    },
    "mkt.src.conv_few": {
        "ru": "Источников хотя бы с {min} заявками меньше двух — конверсию не сравниваем.",
        "en": "Fewer than two sources have {min} leads or more: conversion is not compared.",
    },
    "mkt.src.best_romi": {
        "ru": "Лучший ROMI — «{best}»: {romi} (расход {spend}, выручка {revenue}, {won}); худший — «{worst}»: "
        "{wromi} (расход {wspend}, выручка {wrevenue}, {wwon}).",
        "en": "Best ROMI: «{best}», {romi} (spend {spend}, revenue {revenue}, {won}); worst: «{worst}», {wromi} "
        "(spend {wspend}, revenue {wrevenue}, {wwon}).",
    },
    "mkt.src.romi_few": {
        "ru": "Источников с расходом и хотя бы {min} успешными сделками меньше двух — ROMI каналов не сравниваем.",
        "en": "Fewer than two sources with spend have {min} won deals or more: ROMI is not compared.",
    },
    "mkt.src.spend_no_wins": {
        "ru": "«{source}»: расход {spend}, {leads}, но ни одной успешной сделки в периоде.",
        "en": "«{source}»: spend {spend}, {leads}, but no deal won in the period.",
    },
    "mkt.src.no_spend_note": {
        "ru": "У источников без расхода колонки затрат пусты (не ноль): расходы не заданы.",
        "en": "Sources without spend have blank cost columns (not zero): no spend is given for them.",
    },
    "mkt.def.sources": {
        "ru": "Расход месяца, частично попавшего в период, берётся по доле дней. Цена заявки = расход / заявки; "
        "окупаемость = расход / выручка источника в месяц (по выручке, не по марже). Цикл — средние дни от "
        "создания до успешного закрытия.",
        "en": "A month partly in the period counts its spend by its share of days. Cost per lead = spend / leads; "
        "payback = spend / the source's revenue per month (revenue, not margin). Cycle: mean days from creation "
        "to won.",
    },
    "mkt.def.spend_files": {"ru": "Расходы: {files}.", "en": "Spend: {files}."},
    "mkt.cmp.title": {"ru": "Источники в сравнении", "en": "Sources compared"},
    # customers
    "mkt.cust.title": {"ru": "Новые и повторные продажи", "en": "New and repeat sales"},
    "mkt.cust.none": {
        "ru": "У успешных сделок нет ни контактов, ни компаний — клиентские показатели не считаются.",
        "en": "Won deals have no contacts or companies: the client figures cannot be computed.",
    },
    "mkt.cust.sentence": {
        "ru": "За {period} повторные продажи дали {share} выручки ({repeat} из {total}).",
        "en": "In {period} repeat sales made {share} of revenue ({repeat} of {total}).",
    },
    "mkt.cust.month": {"ru": "Месяц", "en": "Month"},
    "mkt.cust.new_rev": {"ru": "Выручка, новые", "en": "Revenue, new"},
    "mkt.cust.rep_rev": {"ru": "Выручка, повторные", "en": "Revenue, repeat"},
    "mkt.cust.new_deals": {"ru": "Сделки, новые", "en": "Deals, new"},
    "mkt.cust.rep_deals": {"ru": "Сделки, повторные", "en": "Deals, repeat"},
    "mkt.cust.rep_share": {"ru": "Доля повторных", "en": "Repeat share"},
    "mkt.rep.title": {"ru": "Повторные покупки", "en": "Repeat purchases"},
    "mkt.rep.days": {"ru": "Окно, дней", "en": "Window, days"},
    "mkt.rep.clients": {"ru": "Клиентов (наблюдаемых)", "en": "Clients (observed)"},
    "mkt.rep.repeated": {"ru": "Купили повторно", "en": "Bought again"},
    "mkt.rep.rate": {"ru": "Доля", "en": "Rate"},
    "mkt.rep.sentence": {
        "ru": "В течение {days} дней после первой покупки покупают снова {rate} клиентов ({k} из {n}).",
        "en": "{rate} of clients buy again within {days} days of their first purchase ({k} of {n}).",
    },
    "mkt.def.repeat": {
        "ru": "Клиент — компания сделки, а без неё — контакт. Повторная продажа — успешная сделка клиента после его "
        "первой. Доля за N дней считается только по клиентам, чья первая покупка была не позже чем за N дней до "
        "даты данных (их можно наблюдать N дней).",
        "en": "A client is the deal's company, else its contact. A repeat sale: a client's won deal after its "
        "first. The N-day rate counts only clients whose first purchase is at least N days before the data "
        "date (observable for N days).",
    },
    "mkt.coh.title": {"ru": "Когорты клиентов и CLTV", "en": "Client cohorts and CLTV"},
    "mkt.coh.cohort": {"ru": "Первая покупка", "en": "First purchase"},
    "mkt.coh.clients": {"ru": "Клиенты", "en": "Clients"},
    "mkt.coh.revenue": {"ru": "Выручка", "en": "Revenue"},
    "mkt.coh.cltv": {"ru": "CLTV", "en": "CLTV"},
    "mkt.coh.sentence": {
        "ru": "Когорта {cohort} (первая покупка в этом месяце; {n}): средний клиент принёс {cltv}.",
        "en": "The cohort of {cohort} (first purchase in that month; {n}): the average client brought {cltv}.",
    },
    "mkt.def.cltv": {
        "ru": "CLTV — выручка клиентов когорты до даты данных / число клиентов; у ранних когорт больше времени, "
        "поэтому сравнивайте одинаковые месяцы жизни в таблице когорт.",
        "en": "CLTV: the cohort's revenue to the data date / its clients; earlier cohorts had more time, so "
        "compare equal months of life in the cohort table.",
    },
    "mkt.abc.title": {"ru": "ABC/XYZ клиентов за 12 месяцев", "en": "Client ABC/XYZ over 12 months"},
    "mkt.abc.client": {"ru": "Клиент", "en": "Client"},
    "mkt.abc.revenue": {"ru": "Выручка", "en": "Revenue"},
    "mkt.abc.share": {"ru": "Доля", "en": "Share"},
    "mkt.abc.deals": {"ru": "Сделки", "en": "Deals"},
    "mkt.abc.months": {"ru": "Месяцев с покупкой", "en": "Months with a purchase"},
    "mkt.abc.cv": {"ru": "Коэф. вариации", "en": "Coef. of variation"},
    "mkt.abc.class": {"ru": "Класс", "en": "Class"},
    "mkt.abc.sentence": {
        "ru": "{a} из {n} дают 80 % выручки за 12 месяцев; регулярно (X) покупают {x}.",
        "en": "{a} of {n} make 80% of the 12 months' revenue; {x} buy regularly (X).",
    },
    "mkt.def.abc": {
        "ru": "ABC: клиенты по убыванию выручки за 12 месяцев до конца периода; A — до 80 % накопленной выручки, "
        "B — до 95 %, C — остальные. XYZ: коэффициент вариации помесячной выручки за те же 12 месяцев (месяц "
        "без покупки — 0): X ≤ 0,5, Y ≤ 1,0, Z — выше.",
        "en": "ABC: clients by revenue over the 12 months to the period end; A up to 80% of the cumulative "
        "revenue, B up to 95%, C the rest. XYZ: the coefficient of variation of monthly revenue over the same "
        "12 months (a month without a purchase is 0): X ≤ 0.5, Y ≤ 1.0, Z above.",
    },
    "mkt.lap.title": {"ru": "Ушедшие клиенты", "en": "Lapsed clients"},
    "mkt.lap.sentence": {
        "ru": "{n} покупали с {b0} по {b1}, но ничего не купили с {a0} по {a1}; их выручка тогда — {revenue}. "
        "Вернуть их — самая дешёвая продажа.",
        "en": "{n} bought between {b0} and {b1} but nothing between {a0} and {a1}; their revenue then: {revenue}. "
        "Winning them back is the cheapest sale.",
    },
    "mkt.lap.none": {"ru": "Ушедших клиентов нет.", "en": "No lapsed clients."},
    "mkt.lap.last": {"ru": "Последняя покупка", "en": "Last purchase"},
    "mkt.lap.no_links": {
        "ru": "Ссылок на карточки нет: у аккаунта нет адреса amoCRM (демо или импорт).",
        "en": "No card links: the account has no amoCRM address (demo or import).",
    },
    # charts
    "mkt.chart.revenue": {"ru": "Выручка по источникам", "en": "Revenue by source"},
    "mkt.chart.romi": {"ru": "ROMI по источникам", "en": "ROMI by source"},
    "mkt.chart.no_spend": {"ru": "нет расхода", "en": "no spend"},
    "mkt.chart.new_repeat": {"ru": "Выручка: новые и повторные клиенты", "en": "Revenue: new and repeat clients"},
    "mkt.chart.new": {"ru": "Новые", "en": "New"},
    "mkt.chart.repeat": {"ru": "Повторные", "en": "Repeat"},
    "mkt.chart.cohorts": {
        "ru": "Выручка когорт по месяцам после первой покупки, тыс. {currency}",
        "en": "Cohort revenue by month after the first purchase, thousands of {currency}",
    },
    "mkt.summary.title": {"ru": "Выводы", "en": "Takeaways"},
}
