"""`crmreports accounts`: the client accounts of params/accounts.yaml with their data time and last sync."""

from __future__ import annotations

from ..errors import CLIError


def register(sub) -> None:
    p = sub.add_parser(
        "accounts",
        help="list the client accounts of params/accounts.yaml: data as of, last sync, timezone, currency",
        description="List every account of params/accounts.yaml (or --file) with its store, the time its data "
        "runs to (data as of, in the account's timezone), the last successful API sync, timezone, currency and "
        "number of deals. A store that does not exist yet is listed as such. Tokens are never shown: only the "
        "name of the variable that holds one, and whether it is set.",
    )
    p.add_argument("--file", default="params/accounts.yaml", help="the accounts file (default: %(default)s)")
    p.set_defaults(func=run)


def _when(ts) -> str:
    return "—" if ts is None else ts.strftime("%Y-%m-%d %H:%M")


def rows(path: str) -> list[list[str]]:
    """One row per account: name, store, data as of, last sync, timezone, currency, deals, token variable."""
    import os

    from ...core.scopes import ParameterError
    from ...sources.accounts import account_status, load_accounts

    try:
        accounts = load_accounts(path)
    except ParameterError as exc:
        raise CLIError(str(exc)) from None
    out = []
    for account in accounts.values():
        st = account_status(account)
        if not st.exists:
            as_of, last = "no store yet", "—"
        elif st.error:
            as_of, last = f"unreadable: {st.error}", "—"
        else:
            as_of = f"{_when(st.data_as_of)} ({st.source})" if st.source else _when(st.data_as_of)
            last = _when(st.last_sync)
        token = account.token_env and f"{account.token_env} ({'set' if os.environ.get(account.token_env) else 'unset'})"
        out.append(
            [
                account.name,
                account.store,
                as_of,
                last,
                st.timezone or "—",
                st.currency or "—",
                str(st.deals) if st.exists and not st.error else "—",
                token or "—",
            ]
        )
    return out


HEADER = ["account", "store", "data as of", "last sync", "timezone", "currency", "deals", "token variable"]


def run(args) -> int:
    table = [HEADER] + rows(args.file)
    widths = [min(60, max(len(r[i]) for r in table)) for i in range(len(HEADER))]
    for r in table:
        print("  ".join(c[:60].ljust(w) for c, w in zip(r, widths)).rstrip())
    return 0
