"""Number, money, percentage, duration and date formatting for ru and en (Babel's CLDR data)."""

from __future__ import annotations

import math
from datetime import date, datetime

import pandas as pd
from babel.dates import format_date, get_month_names
from babel.numbers import format_decimal, get_currency_symbol

from .labels import t

NBSP = "\u00a0"
DASH = "—"


def _missing(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x)) or x is pd.NA or x is pd.NaT


def number(x, lang: str = "ru", digits: int = 0) -> str:
    """``1 234 567`` (ru, non-breaking spaces) or ``1,234,567`` (en)."""
    if _missing(x):
        return DASH
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(round(float(x), digits), format=pattern, locale=lang)


def _symbol(currency: str, lang: str) -> str:
    return "₽" if currency == "RUB" else get_currency_symbol(currency, locale=lang)


def money(x, lang: str = "ru", currency: str = "RUB") -> str:
    """``1 200 000 ₽`` (ru) or ``₽1,200,000`` (en); whole units."""
    if _missing(x):
        return DASH
    n = number(x, lang)
    sym = _symbol(currency, lang)
    return f"{n}{NBSP}{sym}" if lang == "ru" else f"{sym}{n}"


def round_sig(x, digits: int = 3):
    """``x`` rounded to ``digits`` significant figures (33 729 477 -> 33 700 000); missing stays missing."""
    if _missing(x) or x == 0:
        return x
    return round(float(x), digits - 1 - int(math.floor(math.log10(abs(float(x))))))


def money_estimate(x, lang: str = "ru", currency: str = "RUB", digits: int = 3) -> str:
    """Money a model estimated, to ``digits`` significant figures (``33 700 000 ₽``): a forecast shown to the
    rouble pretends a precision it does not have. The figures' JSON keeps the full values."""
    return money(round_sig(x, digits), lang, currency)


def money_short(x, lang: str = "ru", currency: str = "RUB") -> str:
    """Compact money for chart labels: ``1,2 млн ₽`` / ``₽1.2M``."""
    if _missing(x):
        return DASH
    units = [(1e9, "млрд", "B"), (1e6, "млн", "M"), (1e3, "тыс.", "K")]
    sym = _symbol(currency, lang)
    for size, ru, en in units:
        if abs(x) >= size:
            v = number(x / size, lang, 1 if abs(x) < 10 * size else 0)
            return f"{v}{NBSP}{ru}{NBSP}{sym}" if lang == "ru" else f"{sym}{v}{en}"
    return money(x, lang, currency)


def percent(x, lang: str = "ru", digits: int = 0) -> str:
    """A fraction as a percentage: 0.16 -> ``16 %`` (ru) / ``16%`` (en)."""
    if _missing(x):
        return DASH
    n = number(100 * float(x), lang, digits)
    return f"{n}{NBSP}%" if lang == "ru" else f"{n}%"


def done_percent(x, lang: str = "ru", digits: int = 0) -> str:
    """A done-share (fact / plan) as a percentage that never claims what is not so: a share below 1 never
    prints as ``100 %`` (0.997 → ``99,7 %``), one above 1 never as ``100 %`` either (1.003 → ``100,3 %``),
    and a share above 0 never as ``0 %``: digits are added (up to 3) until the rounding no longer lands on
    100 or 0. Otherwise :func:`percent`."""
    if _missing(x):
        return DASH
    v = 100 * float(x)
    d = digits
    while d < 3 and ((v != 100 and round(v, d) == 100) or (v > 0 and round(v, d) == 0)):
        d += 1
    return percent(x, lang, d)


def change(cur, prev, lang: str = "ru", kind: str = "relative") -> str:
    """Signed change: relative (``+12 %``) or in percentage points for rates (``+3,1 п.п.``)."""
    if _missing(cur) or _missing(prev):
        return DASH
    if kind == "points":
        d = 100 * (float(cur) - float(prev))
        unit = f"{NBSP}п.п." if lang == "ru" else f"{NBSP}pp"
        return ("+" if d > 0 else "−" if d < 0 else "±") + number(abs(d), lang, 1) + unit
    if float(prev) == 0:
        return DASH
    d = float(cur) / float(prev) - 1
    return ("+" if d > 0 else "−" if d < 0 else "±") + percent(abs(d), lang)


def plural(n, forms: str, lang: str = "ru", fractional: bool = False) -> str:
    """The word form for ``n``: ``forms`` is "one|few|many" (ru) or "one|other" (en)."""
    f = forms.split("|")
    if lang != "ru":
        return f[0] if n == 1 and not fractional else f[-1]
    if fractional or n != int(n):
        return f[1]  # 2,5 дня: fractions take the genitive singular
    n = abs(int(n))
    if n % 10 == 1 and n % 100 != 11:
        return f[0]
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return f[1]
    return f[2]


def count(n, noun: str, lang: str = "ru") -> str:
    """A number with its noun in the right form: ``3 сделки``, ``21 сделка``, ``1 deal``."""
    if _missing(n):
        return DASH
    return f"{number(n, lang)}{NBSP}{plural(n, t('noun.' + noun, lang), lang)}"


def days(x, lang: str = "ru", digits: int = 0) -> str:
    """``12 дней``, ``1 день``, ``2,5 дня`` / ``12 days``."""
    if _missing(x):
        return DASH
    v = round(float(x), digits)
    return f"{number(v, lang, digits)}{NBSP}{plural(v, t('noun.day', lang), lang, fractional=digits > 0)}"


def duration_hm(seconds, lang: str = "ru") -> str:
    """Seconds as ``1 ч 05 мин`` / ``1 h 05 min``; ``3 мин 20 с`` under an hour."""
    if _missing(seconds):
        return DASH
    s = int(round(float(seconds)))
    h, rem = divmod(s, 3600)
    m, sec = divmod(rem, 60)
    if lang == "ru":
        return f"{h}{NBSP}ч {m:02d}{NBSP}мин" if h else f"{m}{NBSP}мин {sec:02d}{NBSP}с"
    return f"{h}{NBSP}h {m:02d}{NBSP}min" if h else f"{m}{NBSP}min {sec:02d}{NBSP}s"


def day(d, lang: str = "ru") -> str:
    """``24.11.2026`` (ru) / ``24 Nov 2026`` (en)."""
    if _missing(d):
        return DASH
    d = pd.Timestamp(d).date() if not isinstance(d, date) or isinstance(d, datetime) else d
    return d.strftime("%d.%m.%Y") if lang == "ru" else format_date(d, "d MMM y", locale="en")


def datetime_(d, lang: str = "ru") -> str:
    if _missing(d):
        return DASH
    ts = pd.Timestamp(d)
    return ts.strftime("%d.%m.%Y %H:%M") if lang == "ru" else ts.strftime("%d %b %Y %H:%M")


def month_name(month: int, lang: str = "ru", genitive: bool = False) -> str:
    """Stand-alone month name: ``октябрь`` / ``October``; ``genitive``: the form after a preposition
    or in a date (``с ноября``, ``1 ноября``; English has one form)."""
    return get_month_names("wide", context="format" if genitive else "stand-alone", locale=lang)[month]


def period_label(period, lang: str = "ru") -> str:
    """Human period label: ``октябрь 2026``, ``3 квартал 2026``, ``неделя 44, 2026 (26.10–01.11)``."""
    s, last = period.start, period.last_day
    if period.kind == "month":
        return t("period.month", lang, month=month_name(s.month, lang), year=s.year)
    if period.kind == "quarter":
        return t("period.quarter", lang, q=(s.month - 1) // 3 + 1, year=s.year)
    if period.kind == "week":
        iso = s.isocalendar()
        short = "%d.%m" if lang == "ru" else "%d %b"
        return t("period.week", lang, week=iso.week, year=iso.year, start=s.strftime(short), end=last.strftime(short))
    if period.kind == "year":
        return t("period.year", lang, year=s.year)
    return t("period.range", lang, start=day(s, lang), end=day(last, lang))
