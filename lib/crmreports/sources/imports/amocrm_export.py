"""amoCRM's own export of deals (Сделки → ⋯ → Экспорт, CSV or XLSX), recognised by its Russian headers.

The export has one row per deal with its *current* stage; there is no stage history in it. Headers
are matched case-insensitively, «ё» = «е», surrounding spaces ignored; the first alias found wins.
Custom fields (phones, e-mails, utm_*) are ignored except «Источник» / utm_source as the lead source.
The supported headers are listed in ``params/mappings/README.md`` (keep both in step).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .building import Account
from .contracts import Issue
from .mapping_file import Mapping, deal_tables_from
from .reading import read_file

# store field -> header aliases, in order of preference
HEADERS: dict[str, tuple[str, ...]] = {
    "id": ("ID", "Id сделки", "ID сделки"),
    "name": ("Название сделки", "Сделка", "Название"),
    "price": ("Бюджет", "Бюджет, ₽", "Бюджет ₽", "Бюджет, руб.", "Бюджет, руб", "Сумма"),
    "responsible": ("Ответственный", "Ответственный пользователь", "Ответственный за сделку"),
    "created_at": ("Дата создания сделки", "Дата создания", "Создана"),
    "updated_at": ("Дата редактирования", "Дата изменения", "Изменена"),
    "closed_at": ("Дата закрытия", "Дата закрытия сделки", "Закрыта"),
    "stage": ("Этап сделки", "Этап", "Статус сделки", "Статус"),
    "pipeline": ("Воронка", "Название воронки"),
    "tags": ("Теги", "Теги сделки"),
    "source": ("Источник", "Источник сделки", "utm_source"),
    "loss_reason": ("Причина отказа", "Причина отказа сделки"),
    "company": ("Компания", "Название компании"),
    "contact": ("Полное имя контакта", "Основной контакт", "Контакт"),
}
REQUIRED = ("id", "stage", "created_at")

# the system stages of every amoCRM pipeline, by the names the interface writes
WON_NAMES = ("успешно реализовано", "успешно", "closed - won", "successfully realized")
LOST_NAMES = ("закрыто и не реализовано", "не реализовано", "closed - lost", "closed and not realized")
UNSORTED_NAMES = ("неразобранное", "incoming leads", "unsorted")


def _norm(text: str) -> str:
    return " ".join(str(text).replace("\ufeff", "").replace("ё", "е").replace("Ё", "Е").split()).lower()


def stage_kind(name) -> str:
    """open / won / lost / unsorted from a stage name as amoCRM writes it."""
    n = _norm(name)
    if n in WON_NAMES:
        return "won"
    if n in LOST_NAMES:
        return "lost"
    if n in UNSORTED_NAMES:
        return "unsorted"
    return "open"


def detect_columns(headers) -> dict[str, str]:
    """store field -> the file's header, for the supported headers present."""
    by_norm = {}
    for h in headers:
        by_norm.setdefault(_norm(h), h)
    found = {}
    for fname, aliases in HEADERS.items():
        for a in aliases:
            if _norm(a) in by_norm:
                found[fname] = by_norm[_norm(a)]
                break
    return found


def mapping_for(headers, currency: str, timezone: str, name: str) -> Mapping:
    columns = detect_columns(headers)
    for f in REQUIRED:  # a missing required header is reported by the contract, by its usual name
        columns.setdefault(f, HEADERS[f][0])
    return Mapping(
        format="deals",
        name="amocrm",
        account={"name": name, "currency": currency, "timezone": timezone},
        columns=columns,
        required=REQUIRED,
        stages=None,
        stage_kind=stage_kind,
        default_pipeline="Воронка",
    )


def tables(paths: list[Path], account: Account) -> tuple[dict[str, pd.DataFrame], list[Issue]]:
    """Store tables from one or more amoCRM deal exports (e.g. an export split in parts)."""
    raws = [read_file(p) for p in paths]
    headers = list(dict.fromkeys(h for r in raws for h in r.columns))
    m = mapping_for(headers, account.currency, account.timezone, account.name)
    return deal_tables_from(paths, m, account, raws)
