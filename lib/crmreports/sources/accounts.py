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
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..core.scopes import ParameterError, slug
from ..store.files import find_project_file

DEFAULT_FILE = "params/accounts.yaml"
KEYS = ("store", "base_url", "token_env", "out", "delivery")
_ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")


@dataclass(frozen=True)
class Account:
    name: str
    store: str
    base_url: str = ""
    token_env: str = ""
    out: str = ""
    delivery: str = ""

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
        out[str(name)] = Account(name=str(name), **values)
    return out


def get_account(name: str, path: str | Path = DEFAULT_FILE) -> Account:
    """The account called ``name`` (case-insensitive); an unknown name lists the valid ones."""
    accounts = load_accounts(path)
    found = next((a for n, a in accounts.items() if n.casefold() == name.casefold()), None)
    if found is None:
        raise ParameterError(f"unknown account {name!r}; valid: {', '.join(accounts)}")
    return found
