"""Links from a report to the records in the CRM (issue #15): a deal's card in amoCRM / Kommo.

The base is the account's own address: ``https://<subdomain>.amocrm.ru`` for an account synced from the
API, or the base a report is given (``deal_links`` of the notebook: ``https://mycompany.kommo.com``, or a
demo/import's configured address). The demo account and imported files have no CRM to link to: without a
configured base :func:`account_base` gives None, and then no link is shown.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pandas as pd

AMOCRM_DOMAIN = "amocrm.ru"
API_SOURCES = ("api",)  # account.source of a store synced from the amoCRM API


def clean_base(base: str | None) -> str | None:
    """``base`` without a trailing slash, or None for an empty one; a base that is not an http(s) address is
    a ValueError naming what is valid."""
    if base is None or not str(base).strip():
        return None
    b = str(base).strip().rstrip("/")
    parts = urlsplit(b)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(
            f"bad deal link base {base!r}; valid: an http(s) address such as https://mycompany.amocrm.ru, "
            "or empty for no links"
        )
    return b


def account_base(account: pd.Series | dict | None, configured: str | None = None) -> str | None:
    """The base address deal links use: ``configured`` if given, else ``https://<subdomain>.amocrm.ru`` for an
    account synced from the API, else None (the demo account, imports: no links)."""
    base = clean_base(configured)
    if base:
        return base
    if account is None:
        return None
    source = str(account.get("source") or "").lower()
    sub = account.get("subdomain")
    if source in API_SOURCES and isinstance(sub, str) and sub.strip():
        return f"https://{sub.strip()}.{AMOCRM_DOMAIN}"
    return None


def deal_url(base: str | None, lead_id) -> str | None:
    """``<base>/leads/detail/<id>``, or None when the base or the id is unknown."""
    if not base or lead_id is None or pd.isna(lead_id):
        return None
    return f"{base.rstrip('/')}/leads/detail/{int(lead_id)}"


def contact_url(base: str | None, contact_id) -> str | None:
    """``<base>/contacts/detail/<id>``, or None when the base or the id is unknown."""
    if not base or contact_id is None or pd.isna(contact_id):
        return None
    return f"{base.rstrip('/')}/contacts/detail/{int(contact_id)}"


def linked_table(
    shown: pd.DataFrame,
    urls: dict[str, list],
    numeric: set[str] | None = None,
    max_rows: int | None = None,
    more_note: str = "",
) -> str:
    """Like :func:`crmreports.present.section.html_table` (already formatted values, escaped), with the cells
    of the columns in ``urls`` ({column: one URL or None per row}) as links; a None URL leaves plain text."""
    from .section import _cell

    numeric = numeric or set()
    rows = shown if max_rows is None else shown.head(max_rows)
    head = "".join(f'<th class="{"num" if c in numeric else ""}">{_cell(c)}</th>' for c in rows.columns)
    body = []
    for i, row in enumerate(rows.itertuples(index=False)):
        cells = []
        for c, v in zip(rows.columns, row):
            text = _cell(v)
            url = urls.get(c, [None] * len(rows))[i] if c in urls else None
            if url:
                text = f'<a href="{_cell(url)}">{text}</a>'
            cells.append(f'<td class="{"num" if c in numeric else ""}">{text}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    extra = f'<p class="crm-more">{_cell(more_note)}</p>' if max_rows is not None and len(shown) > max_rows else ""
    return f'<table class="crm-table"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>{extra}'
