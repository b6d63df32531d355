"""Client accounts: ``params/accounts.yaml`` names each account a consultant or a company serves, with where its
store, reports and delivery settings live and which environment variable holds its amoCRM token (never the
token itself). The global ``--account NAME`` picks one; without it the single default store keeps working.

    accounts:
      "ООО Ромашка":
        store: data/romashka.duckdb            # required
        base_url: https://romashka.amocrm.ru   # for `sync` and `monthly` (default: the store's subdomain on amocrm.ru)
        token_env: ROMASHKA_AMOCRM_TOKEN       # the variable holding its long-lived token
        out: reports/romashka                  # its reports folder (default: reports/<slug>)
        delivery: params/delivery-romashka.yaml
        timezone: Europe/Moscow                # for imports, which carry none (an API sync takes the account's)
        currency: RUB                          # likewise: the ISO code of amounts in imported files
        demo: main                             # `crmreports --account NAME demo` loads this demo account:
                                               #   main (ТехноСнаб, Moscow, RUB) or second (smaller, see demo_audit)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..core.scopes import ParameterError, slug
from ..store.files import find_project_file

DEFAULT_FILE = "params/accounts.yaml"
KEYS = ("store", "base_url", "token_env", "out", "delivery", "timezone", "currency", "demo")
DEMOS = ("main", "second")
_ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")


@dataclass(frozen=True)
class Account:
    name: str
    store: str
    base_url: str = ""
    token_env: str = ""
    out: str = ""
    delivery: str = ""
    timezone: str = ""
    currency: str = ""
    demo: str = ""

    @property
    def slug(self) -> str:
        return slug(self.name)


def load_accounts(path: str | Path = DEFAULT_FILE) -> dict[str, Account]:
    """Every account of the file by name; a bad file is a :class:`ParameterError` naming the file, the account and
    the key, and what is valid."""
    path = find_project_file(path)
    if not Path(path).is_file():
        raise ParameterError(f"{path}: no accounts file; it lists each account (see crmreports.sources.accounts)")
    try:
        spec = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ParameterError(f"{path}: not valid YAML: {exc}") from None
    accounts = spec.get("accounts") if isinstance(spec, dict) else None
    if not isinstance(accounts, dict) or not accounts:
        raise ParameterError(f"{path}: expected 'accounts:' with one entry per account name")
    out = {}
    for name, entry in accounts.items():
        where = f"{path}: account {name!r}"
        if not isinstance(entry, dict):
            raise ParameterError(f"{where}: expected a mapping with keys {', '.join(KEYS)}")
        unknown = sorted(set(entry) - set(KEYS))
        if unknown:
            raise ParameterError(f"{where}: unknown key(s) {', '.join(unknown)}; valid: {', '.join(KEYS)}")
        if not entry.get("store"):
            raise ParameterError(f"{where}: 'store' is required (the account's DuckDB file)")
        token_env = str(entry.get("token_env") or "")
        if token_env and not _ENV_NAME.match(token_env):
            raise ParameterError(
                f"{where}: 'token_env' must name an environment variable (A-Z, 0-9, _), not hold the token itself"
            )
        values = {k: str(entry.get(k) or "") for k in KEYS}
        _check_values(where, values)
        out[str(name)] = Account(name=str(name), **values)
    return out


def get_account(name: str, path: str | Path = DEFAULT_FILE) -> Account:
    """The account called ``name`` (case-insensitive); an unknown name lists the valid ones."""
    accounts = load_accounts(path)
    found = next((a for n, a in accounts.items() if n.casefold() == name.casefold()), None)
    if found is None:
        raise ParameterError(f"unknown account {name!r}; valid: {', '.join(accounts)}")
    return found


def _check_values(where: str, values: dict[str, str]) -> None:
    """Timezone, currency and demo of one account entry: an IANA zone, an ISO code, a known demo."""
    import zoneinfo

    if values["timezone"]:
        try:
            zoneinfo.ZoneInfo(values["timezone"])
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ParameterError(
                f"{where}: unknown timezone {values['timezone']!r}; use an IANA name such as Europe/Moscow"
            ) from None
    if values["currency"]:
        if not (len(values["currency"]) == 3 and values["currency"].isalpha()):
            raise ParameterError(f"{where}: bad currency {values['currency']!r}; use an ISO code such as RUB, KZT, USD")
        values["currency"] = values["currency"].upper()
    if values["demo"] and values["demo"] not in DEMOS:
        raise ParameterError(f"{where}: unknown demo {values['demo']!r}; valid: {', '.join(DEMOS)}")


@dataclass(frozen=True)
class AccountStatus:
    """What ``crmreports accounts`` shows of one account: its store's data time and last sync."""

    account: Account
    exists: bool
    source: str = ""  # demo, api, import …
    data_as_of: object = None  # the store's synced_at in the account's local time (naive Timestamp) or None
    last_sync: object = None  # the latest successful sync_state run (local time) or None
    timezone: str = ""
    currency: str = ""
    deals: int = 0
    error: str = ""


def account_status(account: Account) -> AccountStatus:
    """Read (read-only) the account's store: data as of, last sync, timezone, currency, deals. A missing store
    or one that cannot be read is reported, never raised."""
    import pandas as pd

    from .. import store as store_mod

    path = store_mod.resolve_path(account.store)
    if not Path(path).is_file():
        return AccountStatus(account, False, timezone=account.timezone, currency=account.currency)
    try:
        con = store_mod.connect(path, read_only=True)
        try:
            acc = store_mod.read_account(con)
            tz = str(acc.get("timezone") or account.timezone or "UTC")
            last = con.execute("SELECT max(last_run) FROM sync_state WHERE status = 'done'").fetchone()[0]
            deals = con.execute("SELECT count(*) FROM leads WHERE NOT coalesce(is_deleted, false)").fetchone()[0]
        finally:
            con.close()
    except Exception as exc:  # a store that is not one, locked, or from another version: say so in the list
        return AccountStatus(account, True, error=f"{type(exc).__name__}: {exc}".splitlines()[0][:200])
    last_local = None if last is None else pd.Timestamp(last).tz_localize("UTC").tz_convert(tz).tz_localize(None)
    return AccountStatus(
        account,
        True,
        source=str(acc.get("source") or ""),
        data_as_of=store_mod.data_end(acc),
        last_sync=last_local,
        timezone=tz,
        currency=str(acc.get("currency") or account.currency or ""),
        deals=int(deals),
    )
