"""`crmreports sync`: pull an amoCRM / Kommo account into the local store (incremental after the first run)."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from urllib.parse import urlsplit

from ..errors import CLIError

log = logging.getLogger("crmreports.sync")

ENV_HELP = (
    "set AMOCRM_ACCESS_TOKEN (a long-lived token of a private integration), or AMOCRM_CLIENT_ID, "
    "AMOCRM_CLIENT_SECRET and AMOCRM_REDIRECT_URI for OAuth2 (run once with --auth-code CODE)"
)


def register(sub) -> None:
    p = sub.add_parser(
        "sync",
        help="pull an amoCRM / Kommo account into the store (API v4)",
        description="Pull an amoCRM / Kommo account into the store. The first run loads "
        "everything; later runs fetch only what changed. Credentials: " + ENV_HELP + ".",
    )
    where = p.add_mutually_exclusive_group()  # or the --account's base_url
    where.add_argument("--subdomain", help="account name, e.g. mycompany for mycompany.amocrm.ru")
    where.add_argument("--base-url", help="the account's URL, e.g. https://mycompany.kommo.com")
    p.add_argument(
        "--domain",
        choices=["amocrm.ru", "kommo.com", "amocrm.com"],
        default="amocrm.ru",
        help="domain for --subdomain (default: %(default)s)",
    )
    p.add_argument("--full", action="store_true", help="re-fetch everything, ignoring the high-water marks")
    p.add_argument(
        "--token-file",
        help="OAuth2 token file (0600; default: $AMOCRM_TOKEN_FILE or ~/.config/crmreports/amocrm-<host>.json)",
    )
    p.add_argument("--auth-code", help="OAuth2 authorization code for the first token exchange")
    p.add_argument("--rate", type=float, default=7.0, help="max requests per second (default: %(default)s)")
    p.add_argument("--no-progress", action="store_true", help="no progress bars")
    p.set_defaults(func=run)


def _auth(args, host: str):
    from ...sources.amocrm import OAuth2Auth, StaticTokenAuth, TokenStore

    env = os.environ
    token = env.get("AMOCRM_ACCESS_TOKEN", "").strip()
    if token and not args.auth_code:
        return StaticTokenAuth(token)
    cid, secret, redirect = (
        env.get(k, "").strip() for k in ("AMOCRM_CLIENT_ID", "AMOCRM_CLIENT_SECRET", "AMOCRM_REDIRECT_URI")
    )
    if not (cid and secret and redirect):
        missing = [
            k
            for k, v in (("AMOCRM_CLIENT_ID", cid), ("AMOCRM_CLIENT_SECRET", secret), ("AMOCRM_REDIRECT_URI", redirect))
            if not v
        ]
        raise CLIError(f"no amoCRM credentials ({', '.join(missing)} not set): {ENV_HELP}")
    path = (
        args.token_file
        or env.get("AMOCRM_TOKEN_FILE")
        or Path.home() / ".config" / "crmreports" / f"amocrm-{host.replace(':', '_')}.json"
    )
    return OAuth2Auth(cid, secret, redirect, TokenStore(path), auth_code=args.auth_code)


def run(args) -> int:
    from ...sources.amocrm import AmoCRMClient, AmoCRMError, OAuth2Auth, base_url_for
    from ...sources.sync import SyncIncomplete, sync
    from ...store import StoreError

    try:
        if not (args.base_url or args.subdomain):
            raise ValueError("give --subdomain or --base-url (or a global --account whose base_url is set)")
        base = args.base_url or base_url_for(args.subdomain, args.domain)
        client = AmoCRMClient(base, None, rate=args.rate)
    except ValueError as exc:
        raise CLIError(str(exc)) from None
    auth = _auth(args, urlsplit(client.base_url).netloc)
    client.auth = auth
    try:
        with client:
            if isinstance(auth, OAuth2Auth) and auth.auth_code:
                code, auth.auth_code = auth.auth_code, None
                auth.exchange_code(client, code)
            sync(client, args.store, full=args.full, progress=not args.no_progress)
    except (AmoCRMError, StoreError, SyncIncomplete) as exc:
        raise CLIError(str(exc)) from None
    return 0
