"""A document's tables as one workbook for an office: headers in the report's language, numbers as numbers with
their formats (money, percentages, days with one decimal), dates as dates, a frozen header row, column widths and
one sheet per table with a readable name.

The CSVs next to it stay the machine-readable twin (column keys, fractions, ISO dates). Text from the data is
always written as a string cell, never as a formula: a deal named ``=HYPERLINK(...)`` stays that text.
"""

from __future__ import annotations

import html
import io
import math
import re
from datetime import date, datetime

from ..core.labels import all_keys

# Kinds: text, id, int, num1 (one decimal), days, money, percent, date, month, datetime, bool, row (the kind of
# the row's metric/measure: money for revenue, a percentage for a share, a count otherwise).
# key -> (kind, ru, en); a (table, key) entry overrides the key's for that table.
_C = {
    "day": ("date", "День", "Day"),
    "calls_in": ("int", "Входящие", "Incoming"),
    "calls_out": ("int", "Исходящие", "Outgoing"),
    "answered": ("int", "Отвечено", "Answered"),
    "missed": ("int", "Пропущено", "Missed"),
    "total": ("int", "Всего", "Total"),
    "working": ("bool", "Рабочий день", "Working day"),
    "metric": ("text", "Показатель", "Metric"),
    "current": ("row", "Текущий период", "This period"),
    "previous": ("row", "Предыдущий период", "Previous period"),
    "year_ago": ("row", "Год назад", "A year ago"),
    "user_id": ("id", "ID менеджера", "Manager ID"),
    "manager": ("text", "Менеджер", "Manager"),
    "calls_total": ("int", "Звонков", "Calls"),
    "calls_missed": ("int", "Пропущено", "Missed"),
    "not_called_back": ("int", "Не перезвонили", "Not called back"),
    "answered_share": ("percent", "Доля отвеченных", "Answered share"),
    "answered_lo": ("percent", "Доля отвеченных: от", "Answered share: low"),
    "answered_hi": ("percent", "Доля отвеченных: до", "Answered share: high"),
    "others_answered_share": ("percent", "Доля отвеченных у остальных", "Answered share, others"),
    "duration_total_s": ("int", "Длительность всего, с", "Total duration, s"),
    "duration_avg_s": ("num1", "Средняя длительность, с", "Mean duration, s"),
    "duration_lo": ("num1", "Средняя длительность: от, с", "Mean duration: low, s"),
    "duration_hi": ("num1", "Средняя длительность: до, с", "Mean duration: high, s"),
    "others_duration_avg_s": ("num1", "Средняя длительность у остальных, с", "Mean duration, others, s"),
    "calls_per_working_day": ("num1", "Звонков в рабочий день", "Calls per working day"),
    "meetings": ("int", "Встречи", "Meetings"),
    "conversion": ("percent", "Конверсия", "Conversion"),
    "answered_flag": ("text", "Доля отвеченных: оценка", "Answered share: flag"),
    "duration_flag": ("text", "Длительность: оценка", "Duration: flag"),
    "team_answered_share": ("percent", "Доля отвеченных по команде", "Team answered share"),
    "team_duration_avg_s": ("num1", "Средняя длительность по команде, с", "Team mean duration, s"),
    "team_calls_per_working_day": ("num1", "Звонков в рабочий день по команде", "Team calls per working day"),
    "id": ("id", "ID", "ID"),
    "at": ("datetime", "Время", "Time"),
    "phone": ("text", "Телефон", "Phone"),
    "lead_id": ("id", "ID сделки", "Deal ID"),
    "lead": ("text", "Сделка", "Deal"),
    "delay_h": ("num1", "Перезвонили через, ч", "Called back after, h"),
    "method": ("text", "Метод", "Method"),
    "k": ("text", "Горизонт, мес.", "Horizon, months"),
    "n": ("int", "Кол-во", "Count"),
    "wape": ("percent", "WAPE", "WAPE"),
    "bias": ("percent", "Смещение", "Bias"),
    "coverage": ("percent", "Покрытие интервала", "Interval coverage"),
    "forecast_origin": ("date", "Дата прогноза", "Forecast origin"),
    "month": ("month", "Месяц", "Month"),
    "measure": ("text", "Мера", "Measure"),
    "actual": ("row", "Факт", "Actual"),
    "pipeline": ("row", "Прогноз по воронке", "Pipeline forecast"),
    "pipeline_low": ("row", "Прогноз по воронке: от", "Pipeline forecast: low"),
    "pipeline_high": ("row", "Прогноз по воронке: до", "Pipeline forecast: high"),
    "ts": ("row", "Прогноз по ряду", "Time-series forecast"),
    "ts_low": ("row", "Прогноз по ряду: от", "Time-series forecast: low"),
    "ts_high": ("row", "Прогноз по ряду: до", "Time-series forecast: high"),
    "combined": ("row", "Прогноз", "Forecast"),
    "sd": ("row", "Стандартное отклонение", "Standard deviation"),
    "low": ("row", "Прогноз: от", "Forecast: low"),
    "high": ("row", "Прогноз: до", "Forecast: high"),
    "last_month": ("row", "Как в прошлом месяце", "Last month"),
    "seasonal": ("row", "Как год назад", "Same month last year"),
    "status": ("text", "Статус", "Status"),
    "open_deals": ("int", "Открытые сделки", "Open deals"),
    "new_deals": ("row", "Из новых сделок", "From new deals"),
    "pipeline_id": ("id", "ID воронки", "Pipeline ID"),
    "status_id": ("id", "ID этапа", "Stage ID"),
    "stage": ("text", "Этап", "Stage"),
    "sort": ("int", "Порядок", "Order"),
    "amount": ("money", "Сумма", "Amount"),
    "p_win": ("percent", "Вероятность выигрыша", "Win probability"),
    "weighted": ("money", "Взвешенная сумма", "Weighted amount"),
    "expected_3m": ("money", "Ожидается за 3 мес.", "Expected in 3 months"),
    "expected_deals_3m": ("num1", "Сделок ожидается за 3 мес.", "Deals expected in 3 months"),
    "key": ("id", "ID", "ID"),
    "name": ("text", "Название", "Name"),
    "revenue_3m": ("money", "Выручка за 3 мес.", "Revenue, 3 months"),
    "which": ("text", "Период", "Period"),
    "period": ("text", "Период", "Period"),
    "plan": ("row", "План", "Plan"),
    "fact": ("row", "Факт", "Actual"),
    "fact_same_point": ("row", "Факт на тот же день", "Actual at the same point"),
    "done_share": ("percent", "Выполнено", "Done"),
    "complete": ("bool", "Период завершён", "Period complete"),
    "value": ("money", "Сумма", "Value"),
    "p_in_time": ("percent", "Вероятность закрытия в срок", "Probability of closing in time"),
    "weighted_any_time": ("money", "Взвешенная сумма без срока", "Weighted amount, any time"),
    "plan_done_share": ("percent", "Выполнено", "Done"),
    "plan_remaining": ("row", "Осталось до плана", "Remaining"),
    "projection": ("row", "Прогноз на конец периода", "Projection"),
    "projection_low": ("row", "Прогноз: от", "Projection: low"),
    "projection_high": ("row", "Прогноз: до", "Projection: high"),
    "weighted_pipeline": ("row", "Взвешенная воронка", "Weighted pipeline"),
    "working_days_left": ("int", "Рабочих дней осталось", "Working days left"),
    "working_days_elapsed": ("int", "Рабочих дней прошло", "Working days elapsed"),
    "working_days_total": ("int", "Рабочих дней всего", "Working days in total"),
    "days_left": ("int", "Дней осталось", "Days left"),
    "pace_needed_per_working_day": ("row", "Нужно в рабочий день", "Needed per working day"),
    "pace_actual_per_working_day": ("row", "Факт в рабочий день", "Actual per working day"),
    "rank": ("int", "Номер этапа", "Stage number"),
    "passed": ("int", "Прошли этап", "Entered stage"),
    "cumulative": ("int", "Дошли до этапа", "Reached stage"),
    "conv_passed": ("percent", "Конв. (пройденные)", "Conv. (entered)"),
    "share_passed": ("percent", "От первого этапа (пройденные)", "Of first stage (entered)"),
    "conv_cumulative": ("percent", "Конв. (дошли)", "Conv. (reached)"),
    "share_cumulative": ("percent", "От первого этапа (дошли)", "Of first stage (reached)"),
    "reason": ("text", "Причина отказа", "Loss reason"),
    "lost": ("int", "Проиграно", "Lost"),
    "share": ("percent", "Доля", "Share"),
    "price": ("money", "Бюджет", "Budget"),
    "age_days": ("days", "Возраст, дн.", "Age, days"),
    "created_at": ("datetime", "Создана", "Created"),
    "visits": ("int", "Заходов", "Stays"),
    "still_open": ("int", "Ещё на этапе", "Still there"),
    "median_days": ("days", "Медиана, дн.", "Median, days"),
    "p75_days": ("days", "P75, дн.", "P75, days"),
    "p90_days": ("days", "P90, дн.", "P90, days"),
    "group": ("text", "Отдел", "Group"),
    "revenue": ("money", "Выручка", "Revenue"),
    "won_deals": ("int", "Успешные сделки", "Deals won"),
    "average_check": ("money", "Средний чек", "Average deal"),
    "lead_to_won_conversion": ("percent", "Конверсия лидов в продажи", "Lead-to-won conversion"),
    "created_deals": ("int", "Новые сделки", "Deals created"),
    "lost_deals": ("int", "Проигранные сделки", "Deals lost"),
    "win_rate": ("percent", "Доля выигранных", "Win rate"),
    "cycle_days": ("days", "Цикл, дн.", "Cycle, days"),
    "uid": ("text", "ID заявки", "Item ID"),
    "source_name": ("text", "Источник", "Source"),
    "category": ("text", "Канал", "Channel"),
    "owner_id": ("id", "ID ответственного", "Owner ID"),
    "outcome": ("text", "Исход", "Outcome"),
    "age": ("text", "Возраст", "Age"),
    "items": ("int", "Заявок", "Items"),
    "accepted": ("int", "Приняты", "Accepted"),
    "declined": ("int", "Отклонены", "Declined"),
    "pending": ("int", "Ждут", "Pending"),
    "to_deals": ("int", "Стали сделками", "Became deals"),
    "to_won": ("int", "Стали продажами", "Became sales"),
    "won_revenue": ("money", "Выручка", "Revenue"),
    "to_deals_share": ("percent", "Доля в сделки", "Share to deals"),
    "to_won_share": ("percent", "Доля в продажи", "Share to sales"),
    "median_min": ("num1", "Медиана, мин", "Median, min"),
    "p90_min": ("num1", "P90, мин", "P90, min"),
    "waiting": ("int", "Ждут", "Waiting"),
    "week": ("date", "Неделя с", "Week from"),
    "label": ("text", "Неделя", "Week"),
    "sip": ("int", "Звонки", "Calls"),
    "mail": ("int", "Почта", "Mail"),
    "forms": ("int", "Формы", "Forms"),
    "chats": ("int", "Чаты", "Chats"),
    "accepted_share": ("percent", "Доля принятых", "Accepted share"),
    "in_period": ("bool", "В периоде", "In the period"),
    "accept_median_min": ("num1", "Принятие: медиана, мин", "Accept: median, min"),
    "accept_p90_min": ("num1", "Принятие: P90, мин", "Accept: P90, min"),
    "first_action_median_min": ("num1", "Первое действие: медиана, мин", "First action: median, min"),
    "first_action_p90_min": ("num1", "Первое действие: P90, мин", "First action: P90, min"),
    "no_action": ("int", "Без действия", "No action"),
}
for _i in (1, 2, 3):
    _C[f"revenue_{_i}"] = ("money", f"Выручка, мес. {_i}", f"Revenue, month {_i}")
    _C[f"low_{_i}"] = ("money", f"Выручка, мес. {_i}: от", f"Revenue, month {_i}: low")
    _C[f"high_{_i}"] = ("money", f"Выручка, мес. {_i}: до", f"Revenue, month {_i}: high")
    _C[f"deals_{_i}"] = ("num1", f"Сделки, мес. {_i}", f"Deals, month {_i}")
_TABLE_C = {
    ("funnel", "pipeline"): ("text", "Воронка", "Pipeline"),
    ("stale_deals", "name"): ("text", "Сделка", "Deal"),
    ("by_manager", "name"): ("text", "Менеджер", "Manager"),
    ("by_manager", "key"): ("id", "ID менеджера", "Manager ID"),
    ("by_pipeline", "name"): ("text", "Воронка", "Pipeline"),
    ("by_pipeline", "key"): ("id", "ID воронки", "Pipeline ID"),
    ("speed", "metric"): ("text", "Действие", "Action"),
    ("speed", "n"): ("int", "Заявок", "Items"),
}
_SHEETS = {
    "daily": ("По дням", "By day"),
    "kpis": ("Показатели", "Headline figures"),
    "managers": ("Менеджеры", "Managers"),
    "not_called_back": ("Не перезвонили", "Not called back"),
    "accuracy": ("Точность", "Accuracy"),
    "backtest": ("Проверка на истории", "Backtest"),
    "forecast": ("Прогноз", "Forecast"),
    "weighted_pipeline": ("Взвешенная воронка", "Weighted pipeline"),
    "by_manager": ("По менеджерам", "By manager"),
    "by_pipeline": ("По воронкам", "By pipeline"),
    "comparison": ("Сравнение", "Comparison"),
    "pipeline": ("Воронка", "Pipeline"),
    "plans": ("Планы", "Plans"),
    "funnel": ("Воронка", "Funnel"),
    "loss_reasons": ("Причины отказа", "Loss reasons"),
    "losses_by_stage": ("Потери по этапам", "Losses by stage"),
    "stale_deals": ("Зависшие сделки", "Stale deals"),
    "time_in_stage": ("Время на этапах", "Time in stage"),
    "backlog": ("Неразобранные", "Backlog"),
    "backlog_by_age": ("Ожидание", "Backlog by age"),
    "by_category": ("По каналам", "By channel"),
    "by_source": ("По источникам", "By source"),
    "speed": ("Скорость реакции", "Speed to lead"),
    "weekly": ("По неделям", "By week"),
    "speed_by_manager": ("Скорость по менеджерам", "Speed by manager"),
}
CURRENCY_SIGNS = {"RUB": "₽", "USD": "$", "EUR": "€", "KZT": "₸", "UAH": "₴", "BYN": "Br", "GBP": "£"}
DATE_FORMATS = {"ru": "DD.MM.YYYY", "en": "YYYY-MM-DD"}
DATETIME_FORMATS = {"ru": "DD.MM.YYYY HH:MM", "en": "YYYY-MM-DD HH:MM"}
MONTH_FORMATS = {"ru": "MM.YYYY", "en": "YYYY-MM"}
MAX_WIDTH = 60
MAX_CELL_CHARS = 32767
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def column(table: str, key: str, lang: str) -> tuple[str, str]:
    """(kind, header) of a table's column; an undeclared column keeps its key as its header and its values'
    own type."""
    kind, ru, en = _TABLE_C.get((table, key)) or _C.get(key) or ("auto", key, key)
    return kind, ru if lang == "ru" else en


def sheet_title(table: str, lang: str) -> str:
    names = _SHEETS.get(table)
    return names[0 if lang == "ru" else 1] if names else table


def _row_kind(metric: str) -> str:
    m = str(metric)
    if any(w in m for w in ("revenue", "check", "amount")) or m in ("plan", "fact"):
        return "money"
    if any(w in m for w in ("conversion", "share", "rate")):
        return "percent"
    if m.endswith("_days"):
        return "days"
    if m.endswith(("_min", "_s", "_h")) or m.startswith("calls_per"):
        return "num1"
    return "int"


def money_format(currency: str) -> str:
    """Thousands separated, no decimals, the currency sign: a Russian Excel or LibreOffice shows ``# ##0 ₽``
    (the file stores the locale-neutral ``#,##0``; the office's locale draws the separator)."""
    sign = CURRENCY_SIGNS.get(currency or "RUB", currency or "")
    return f'#,##0 "{sign}"' if sign else "#,##0"


def _formats(lang: str, currency: str) -> dict[str, str]:
    return {
        "int": "#,##0",
        "id": "0",
        "num1": "#,##0.0",
        "days": "#,##0.0",
        "money": money_format(currency),
        "percent": "0.0%",
        "date": DATE_FORMATS.get(lang, "YYYY-MM-DD"),
        "month": MONTH_FORMATS.get(lang, "YYYY-MM"),
        "datetime": DATETIME_FORMATS.get(lang, "YYYY-MM-DD HH:MM"),
    }


def _number(text: str):
    try:
        v = float(text)
    except ValueError:
        return None
    if not math.isfinite(v):
        return None
    return int(v) if v.is_integer() and abs(v) < 2**53 else v


def _value(kind: str, text: str):
    """The cell value of one CSV field for a column kind (the CSV text when it is not what the kind expects)."""
    if text == "":
        return None
    if kind in ("date", "month"):
        try:
            return date.fromisoformat(text[:10])
        except ValueError:
            return text
    if kind == "datetime":
        try:
            return datetime.fromisoformat(text)
        except ValueError:
            return text
    if kind == "bool":
        return {"True": True, "False": False}.get(text, text)
    if kind == "text":
        return text
    v = _number(text)
    return text if v is None else v


def _metric_labels(lang: str) -> dict[str, str]:
    """Labels of metric and measure keys (``sales.kpi.revenue`` → "Выручка"), for the kpis and plans tables."""
    from .. import reports

    reports.registry()  # imports every report, which registers its labels
    out = {}
    for key, text in all_keys().items():
        parts = key.split(".")
        if len(parts) == 3 and parts[1] in ("kpi", "measure", "metric") and lang in text:
            out.setdefault(parts[2], _PLACEHOLDER.sub("", text[lang]).strip())
    return out


# a label's part that names a setting the table does not hold: «Не перезвонили ({hours} ч)» → «Не перезвонили»
_PLACEHOLDER = re.compile(r"\s*\([^()]*\{\w+\}[^()]*\)|\{\w+\}")


def _sheet_names(tables: list[str], lang: str) -> list[str]:
    names, used = [], set()
    for table in tables:
        base = _BAD_SHEET_CHARS.sub(" ", sheet_title(table, lang)).strip("' ")[:31] or "-"
        name, i = base, 2
        while name.casefold() in used:
            suffix = f" ({i})"
            name, i = base[: 31 - len(suffix)] + suffix, i + 1
        used.add(name.casefold())
        names.append(name)
    return names


def workbook(tables: dict[str, str], lang: str = "ru", currency: str = "RUB") -> bytes:
    """Every table (name → CSV text as the notebook published it) as one XLSX workbook.

    The SpreadsheetML is written directly (:class:`_Book`): a pack writes a hundred workbooks, and openpyxl's cell
    objects and XML writer took 40 ms a workbook in the process that also feeds the kernels and the browser."""
    import csv

    formats = _formats(lang, currency)
    metric_labels = _metric_labels(lang)
    book = _Book()
    if not tables:
        book.sheet("-", [], [], [])
    for (table, csv_text), title in zip(tables.items(), _sheet_names(list(tables), lang)):
        rows = list(csv.reader(io.StringIO(csv_text)))
        header, body = (rows[0], rows[1:]) if rows else ([], [])
        kinds, heads = zip(*(column(table, key, lang) for key in header)) if header else ((), ())
        row_key = next((i for i, key in enumerate(header) if key in ("metric", "measure")), None)
        widths = [len(h) for h in heads]
        cells = []
        for fields in body:
            metric = fields[row_key] if row_key is not None and row_key < len(fields) else ""
            row = []
            for c, text in enumerate(fields[: len(header)]):
                kind = kinds[c]
                if kind == "row":
                    kind = _row_kind(metric)
                shown = metric_labels.get(text, text) if c == row_key else text
                value = _value(kind, shown)
                if isinstance(value, (bool, str)) or value is None:
                    fmt = None
                elif isinstance(value, (int, float)):
                    fmt = formats.get(kind)
                elif isinstance(value, datetime):
                    fmt = formats["datetime"]
                else:  # a date
                    fmt = formats["month" if kind == "month" else "date"]
                row.append((value, fmt))
                widths[c] = max(widths[c], _shown_width(value, kind))
            cells.append(row)
        book.sheet(title, list(heads), cells, [min(MAX_WIDTH, w + 2) for w in widths])
    return book.save()


# ---- the SpreadsheetML parts ---------------------------------------------------------------------------------------
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_ILLEGAL_XML = re.compile(r"[\000-\010\013\014\016-\037]")  # the control characters XLSX cannot hold
_EPOCH = datetime(1899, 12, 30)  # day 0 of the 1900 date system (as Excel counts, after its 1900 leap day)


def _text(value: str, quote: bool = False) -> str:
    """A string as cell XML text (``quote``: as an attribute's value): XLSX's illegal control characters as U+FFFD,
    at most Excel's 32,767 characters a cell, escaped."""
    return html.escape(_ILLEGAL_XML.sub("\ufffd", value)[:MAX_CELL_CHARS], quote=quote)


def _serial(value: date) -> float | int:
    """A date or time as Excel's serial day number (what openpyxl writes)."""
    moment = value if isinstance(value, datetime) else datetime(value.year, value.month, value.day)
    days = (moment - _EPOCH).days
    if 0 < days <= 60:  # before 1900-03-01, Excel's nonexistent 1900-02-29 is not counted
        days -= 1
    seconds = moment.hour * 3600 + moment.minute * 60 + moment.second + moment.microsecond * 1e-6
    return days + seconds / 86400 if isinstance(value, datetime) else days


def _column_letter(i: int) -> str:
    """1 → A, 27 → AA."""
    out = ""
    while i:
        i, r = divmod(i - 1, 26)
        out = chr(65 + r) + out
    return out


class _Book:
    """A workbook of plain sheets: a bold header row, typed cells with number formats, the header frozen, column
    widths; strings are inline string cells (never formulas)."""

    def __init__(self):
        self.sheets: list[tuple[str, str]] = []  # (name, worksheet XML)
        self.formats: dict[str, int] = {}  # number format -> its cellXfs index (0: plain, 1: bold header)

    def _style(self, fmt: str | None) -> int:
        if fmt is None:
            return 0
        if fmt not in self.formats:
            self.formats[fmt] = len(self.formats) + 2
        return self.formats[fmt]

    def sheet(self, name: str, header: list[str], rows: list[list[tuple]], widths: list[float]) -> None:
        letters = [_column_letter(i) for i in range(1, max(len(header), 1) + 1)]
        out = [f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{_MAIN}">']
        out.append(f'<dimension ref="A1:{letters[-1]}{len(rows) + 1}"/>' if header else '<dimension ref="A1:A1"/>')
        frozen = (
            '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
            '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/>'
        )
        out.append(
            f'<sheetViews><sheetView workbookViewId="0">{frozen if header else ""}</sheetView></sheetViews>'
            '<sheetFormatPr baseColWidth="8" defaultRowHeight="15"/>'
        )
        if widths:
            out.append("<cols>")
            out += [f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>' for i, w in enumerate(widths, 1)]
            out.append("</cols>")
        out.append("<sheetData>")
        if header:
            out.append('<row r="1">')
            out += [
                f'<c r="{letter}1" s="1" t="inlineStr"><is><t xml:space="preserve">{_text(h)}</t></is></c>'
                for letter, h in zip(letters, header)
            ]
            out.append("</row>")
        for r, row in enumerate(rows, 2):
            out.append(f'<row r="{r}">')
            for letter, (value, fmt) in zip(letters, row):
                if value is None:
                    continue
                if isinstance(value, bool):
                    out.append(f'<c r="{letter}{r}" t="b"><v>{int(value)}</v></c>')
                elif isinstance(value, str):
                    out.append(
                        f'<c r="{letter}{r}" t="inlineStr"><is><t xml:space="preserve">{_text(value)}</t></is></c>'
                    )
                else:
                    number = _serial(value) if isinstance(value, date) else value
                    style = self._style(fmt)
                    s = f' s="{style}"' if style else ""
                    out.append(f'<c r="{letter}{r}"{s} t="n"><v>{number!r}</v></c>')
            out.append("</row>")
        out.append("</sheetData></worksheet>")
        self.sheets.append((name, "".join(out)))

    def _styles(self) -> str:
        fmts = "".join(
            f'<numFmt numFmtId="{164 + i}" formatCode="{_text(code, quote=True)}"/>'
            for i, code in enumerate(self.formats)
        )
        xfs = [
            '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>',
            '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>',
        ]
        xfs += [
            f'<xf numFmtId="{164 + i}" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
            for i in range(len(self.formats))
        ]
        font = '<sz val="11"/><name val="Calibri"/><family val="2"/>'
        return (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="{_MAIN}">'
            + (f'<numFmts count="{len(self.formats)}">{fmts}</numFmts>' if self.formats else "")
            + f'<fonts count="2"><font>{font}</font><font><b/>{font}</font></fonts>'
            '<fills count="2"><fill><patternFill patternType="none"/></fill>'
            '<fill><patternFill patternType="gray125"/></fill></fills>'
            '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            f'<cellXfs count="{len(xfs)}">{"".join(xfs)}</cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
            "</styleSheet>"
        )

    def save(self) -> bytes:
        import zipfile

        n = len(self.sheets)
        head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        types = (
            f'{head}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml"'
            ' ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml"'
            ' ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            + "".join(
                f'<Override PartName="/xl/worksheets/sheet{i}.xml"'
                ' ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                for i in range(1, n + 1)
            )
            + "</Types>"
        )
        rels = (
            f'{head}<Relationships xmlns="{_PKG_REL}"><Relationship Id="rId1"'
            f' Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        )
        book = (
            f'{head}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><bookViews><workbookView activeTab="0"/></bookViews>'
            "<sheets>"
            + "".join(
                f'<sheet name="{_text(name, quote=True)}" sheetId="{i}" r:id="rId{i}"/>'
                for i, (name, _) in enumerate(self.sheets, 1)
            )
            + "</sheets></workbook>"
        )
        book_rels = (
            f'{head}<Relationships xmlns="{_PKG_REL}">'
            + "".join(
                f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                for i in range(1, n + 1)
            )
            + f'<Relationship Id="rId{n + 1}" Type="{_REL}/styles" Target="styles.xml"/></Relationships>'
        )
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("[Content_Types].xml", types)
            z.writestr("_rels/.rels", rels)
            z.writestr("xl/workbook.xml", book)
            z.writestr("xl/_rels/workbook.xml.rels", book_rels)
            z.writestr("xl/styles.xml", self._styles())
            for i, (_, xml) in enumerate(self.sheets, 1):
                z.writestr(f"xl/worksheets/sheet{i}.xml", xml)
        return buf.getvalue()


def _shown_width(value, kind: str) -> int:
    if value is None:
        return 0
    if isinstance(value, datetime):
        return 16
    if isinstance(value, date):
        return 10
    if isinstance(value, bool):
        return 5
    if isinstance(value, (int, float)):
        digits = len(f"{abs(value):,.0f}") + (1 if value < 0 else 0)
        return digits + {"money": 2, "percent": 3, "num1": 2, "days": 2}.get(kind, 0)
    return max((len(line) for line in str(value).splitlines()), default=0)
