"""The environment of the processes we start: which variables hold secrets, so that none of them (a kernel, the PDF
browser) inherits those, and the variables we set for them."""

from __future__ import annotations

import os
from collections.abc import Mapping

# Variables a child process never gets: notebooks read the store only, never the CRM, the mail server or a bot
SECRET_PREFIXES = ("AMOCRM_", "KOMMO_", "SMTP_", "TELEGRAM_")
SECRET_WORDS = ("TOKEN", "SECRET", "PASSWORD", "PASSWD", "KEY", "CREDENTIAL", "AUTH", "PRIVATE", "COOKIE")


def is_secret_name(name: str) -> bool:
    """True for an environment variable a child process must not inherit: the amoCRM/Kommo, SMTP and Telegram
    settings, and any name containing TOKEN, SECRET, PASSWORD, KEY, CREDENTIAL, AUTH, PRIVATE or COOKIE
    (an account's ``token_env`` such as ``ROMASHKA_AMOCRM_TOKEN`` included)."""
    upper = name.upper()
    return upper.startswith(SECRET_PREFIXES) or any(word in upper for word in SECRET_WORDS)


def without_secrets(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """``environ`` (default: ours) without any variable :func:`is_secret_name` names."""
    return {k: v for k, v in (os.environ if environ is None else environ).items() if not is_secret_name(k)}


# Set for the kernels the pack and ``crmreports run`` start: a document's store reads share one connection, released
# between documents (:mod:`crmreports.store.files`)
KEEP_OPEN = "CRMREPORTS_KEEP_STORE_OPEN"
