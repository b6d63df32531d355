"""Every user-visible string of the alerts (``alerts.py``) and the archive (``archive.py``), in Russian and English.

Registered with :func:`crmreports.core.labels.register` when the ``crmreports.delivery`` package is imported.
Keys start with ``alerts.``, ``archive.`` or ``changes.``.
"""

TEXT = {
    # --- alerts: one message per fired rule and scope -------------------------------------------------------------
    "alerts.msg.below": {
        "ru": "{scope}. {title}: {value} — на уровне порога {threshold} или ниже{basis}.",
        "en": "{scope}. {title}: {value}, at or below the threshold {threshold}{basis}.",
    },
    "alerts.msg.above": {
        "ru": "{scope}. {title}: {value} — на уровне порога {threshold} или выше{basis}.",
        "en": "{scope}. {title}: {value}, at or above the threshold {threshold}{basis}.",
    },
    "alerts.msg.below_percentile": {
        "ru": "{scope}. {title}: {value} — на уровне {p}-го процентиля за {history} ({threshold}) или ниже{basis}.",
        "en": "{scope}. {title}: {value}, at or below the {p}th percentile of {history} ({threshold}){basis}.",
    },
    "alerts.msg.above_percentile": {
        "ru": "{scope}. {title}: {value} — на уровне {p}-го процентиля за {history} ({threshold}) или выше{basis}.",
        "en": "{scope}. {title}: {value}, at or above the {p}th percentile of {history} ({threshold}){basis}.",
    },
    "alerts.msg.below_figure": {
        "ru": "{scope}. {title}: {value} — на уровне ориентира {threshold} ({reference}) или ниже{basis}.",
        "en": "{scope}. {title}: {value}, at or below the benchmark {threshold} ({reference}){basis}.",
    },
    "alerts.msg.above_figure": {
        "ru": "{scope}. {title}: {value} — на уровне ориентира {threshold} ({reference}) или выше{basis}.",
        "en": "{scope}. {title}: {value}, at or above the benchmark {threshold} ({reference}){basis}.",
    },
    "alerts.basis": {"ru": "; основано на: {count}", "en": "; based on {count}"},
    "alerts.history": {"ru": "{n} прошлых {periods}", "en": "the last {n} {periods}"},
    "alerts.noun.period": {"ru": "периода|периодов|периодов", "en": "period|periods"},
    "alerts.factor": {"ru": "{reference} × {factor}", "en": "{reference} × {factor}"},
    "alerts.note.short_history": {
        "ru": "{scope}. {title}: правило «{rule}» не проверено — история слишком короткая: "
        "{n} из нужных {min} прошлых периодов.",
        "en": "{scope}. {title}: rule “{rule}” not checked, the history is too short: "
        "{n} of the {min} earlier periods it needs.",
    },
    "alerts.note.missing": {
        "ru": "{scope}. Правило «{rule}» не проверено: в документе {document} нет значения {what}.",
        "en": "{scope}. Rule “{rule}” not checked: the document {document} has no value {what}.",
    },
    "alerts.note.ambiguous": {
        "ru": "{scope}. Правило «{rule}» не проверено: в таблице {document} под условие {what} подходит "
        "несколько строк — уточните row в params/alerts.yaml.",
        "en": "{scope}. Rule “{rule}” not checked: several rows of the table {document} match {what}; "
        "make row in params/alerts.yaml more specific.",
    },
    "alerts.note.no_documents": {
        "ru": "Правило «{rule}» не проверено: за {period} нет документов отчёта «{report}» для {scopes}.",
        "en": "Rule “{rule}” not checked: {period} has no documents of the report “{report}” for {scopes}.",
    },
    "alerts.summary": {
        "ru": "оповещений: {fired} (правил: {rules}); не проверено: {notes}",
        "en": "alerts: {fired} ({rules} rules); not checked: {notes}",
    },
    "alerts.scopes.team": {"ru": "всей команды", "en": "the team"},
    "alerts.scopes.groups": {"ru": "отделов", "en": "groups"},
    "alerts.scopes.managers": {"ru": "менеджеров", "en": "managers"},
    # --- the archive page: <out>/index.html ------------------------------------------------------------------------
    "archive.title": {"ru": "Архив отчётов", "en": "Report archive"},
    "archive.intro": {
        "ru": "Все собранные периоды, новые сверху; показатели — по всей команде. Линия — динамика показателя "
        "от самого раннего периода к последнему.",
        "en": "Every built period, newest first; figures are for the whole team. The line shows the figure "
        "from the earliest period to the latest.",
    },
    "archive.empty": {"ru": "Пока нет ни одного собранного периода.", "en": "No period has been built yet."},
    "archive.kind.month": {"ru": "По месяцам", "en": "Monthly"},
    "archive.kind.quarter": {"ru": "По кварталам", "en": "Quarterly"},
    "archive.kind.week": {"ru": "По неделям", "en": "Weekly"},
    "archive.kind.year": {"ru": "По годам", "en": "Yearly"},
    "archive.kind.range": {"ru": "Произвольные периоды", "en": "Custom periods"},
    "archive.period": {"ru": "Период", "en": "Period"},
    "archive.trend": {"ru": "Динамика", "en": "Trend"},
    "archive.links": {"ru": "Ссылки", "en": "Links"},
    "archive.index_link": {"ru": "все отчёты", "en": "all reports"},
    "archive.changes_link": {"ru": "что изменилось", "en": "what changed"},
    "archive.periods_count": {"ru": "Собрано периодов: {n}", "en": "Periods built: {n}"},
    "archive.spark_title": {"ru": "{label}: {first} → {last}", "en": "{label}: {first} → {last}"},
    # --- the changes page: <out>/<period>/changes.html -------------------------------------------------------------
    "changes.title": {"ru": "Что изменилось: {period}", "en": "What changed: {period}"},
    "changes.versus": {"ru": "По сравнению с периодом «{previous}».", "en": "Compared with {previous}."},
    "changes.no_previous": {
        "ru": "Более раннего собранного периода того же вида нет — сравнивать не с чем.",
        "en": "There is no earlier built period of the same kind to compare with.",
    },
    "changes.back_archive": {"ru": "Архив", "en": "Archive"},
    "changes.back_index": {"ru": "Отчёты за период", "en": "The period's reports"},
    "changes.movers_team": {"ru": "Сильнее всего изменились — вся команда", "en": "Moved most: the whole team"},
    "changes.movers_scopes": {
        "ru": "Сильнее всего изменились — отделы и менеджеры",
        "en": "Moved most: groups and managers",
    },
    "changes.movers_note": {
        "ru": "Изменение относительное, к прошлому периоду. Показатели, которые в прошлом периоде были "
        "нулевыми, не сравниваются. Для отделов и менеджеров — до {n} самых больших изменений у каждого.",
        "en": "The change is relative to the previous period. Figures that were zero in the previous period "
        "are not compared. For groups and managers: up to {n} largest changes each.",
    },
    "changes.no_movers": {"ru": "Нет показателей, которые можно сравнить.", "en": "No comparable figures."},
    "changes.col.report": {"ru": "Отчёт", "en": "Report"},
    "changes.col.scope": {"ru": "Кто", "en": "Scope"},
    "changes.col.figure": {"ru": "Показатель", "en": "Figure"},
    "changes.col.previous": {"ru": "Было", "en": "Before"},
    "changes.col.current": {"ru": "Стало", "en": "Now"},
    "changes.col.change": {"ru": "Изменение", "en": "Change"},
    "changes.findings_new": {"ru": "Новые выводы", "en": "New findings"},
    "changes.findings_gone": {"ru": "Выводы, которых больше нет", "en": "Findings gone"},
    "changes.findings_none": {"ru": "Нет.", "en": "None."},
    "changes.findings_note": {
        "ru": "Выводы сравниваются по формулировке без чисел и названий месяцев: вывод, в котором изменились "
        "только цифры, — тот же вывод; если изменился этап, источник или менеджер — это новый вывод.",
        "en": "Findings are compared by their wording without numbers and month names: a finding whose figures "
        "changed is the same finding; one about another stage, source or manager is a new one.",
    },
    "changes.documents_new": {
        "ru": "Документы, которых не было в прошлом периоде: {items}.",
        "en": "Documents new since the previous period: {items}.",
    },
    "changes.documents_gone": {
        "ru": "Документы прошлого периода, которых теперь нет: {items}.",
        "en": "Documents of the previous period missing now: {items}.",
    },
}
