"""Delivery settings: ``params/delivery.yaml`` for who gets what, the environment for the servers and secrets.

``params/delivery.yaml`` (every key optional)::

    head_of_sales: [ivan.petrov@example.ru, "Анна Смирнова"]   # e-mails or user names
    group_heads: {"Отдел продаж 1": "Дмитрий Козлов"}         # group name -> e-mail or user name
    admin: it@example.ru                                       # failure notices (a separate recipient)
    telegram: {head_of_sales: -1001234567890, "Анна Смирнова": 123456789, admin: 42}
    exclude: ["Сергей Морозов"]                                # users who receive nothing
    emails: {"Ольга Павлова": o.pavlova@example.ru}            # overrides the store's e-mail
    lang: ru                                                   # ru | en
    attachment_limit_mb: 10                                    # above: one zip; still above: links
    link_base: https://reports.example.ru                      # where reports/ is published (optional)

SMTP and Telegram come from the environment only: ``SMTP_HOST``, ``SMTP_PORT``, ``SMTP_USER``,
``SMTP_PASSWORD``, ``SMTP_FROM``, ``SMTP_STARTTLS``, ``SMTP_SSL``, ``TELEGRAM_BOT_TOKEN`` and
``TELEGRAM_API_BASE``. A secret written into the YAML is an error naming the key (the file may be committed);
a bad value names the file, the key and what is valid.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..core.labels import LANGS
from ..store import find_project_file

DEFAULT_PATH = "params/delivery.yaml"
DEFAULT_API_BASE = "https://api.telegram.org"
DEFAULT_LIMIT_MB = 10.0
SMTP_TIMEOUT = 30.0

KEYS = (
    "head_of_sales",
    "group_heads",
    "admin",
    "telegram",
    "exclude",
    "emails",
    "lang",
    "attachment_limit_mb",
    "link_base",
)
ROLE_CHATS = ("head_of_sales", "admin")  # telegram keys that name a role rather than a person

# key names (at any depth of the YAML) that hold a secret: they belong in the environment
_SECRET_KEY = re.compile(
    r"(^|[_.-])(pass|password|passwd|secret|token|bot_token|api[_-]?key|credentials?)($|[_.-])", re.IGNORECASE
)
# values that look like a Telegram bot token (digits:35 characters)
_BOT_TOKEN = re.compile(r"^\d{5,}:[A-Za-z0-9_-]{30,}$")
_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
_CHAT_ID = re.compile(r"^(-?\d+|@[A-Za-z][A-Za-z0-9_]{3,})$")

ENV_SECRETS = ("SMTP_PASSWORD", "TELEGRAM_BOT_TOKEN")


class SettingsError(ValueError):
    """A bad delivery setting: the message names the file (or variable), the key and what is valid."""


def is_email(text: str) -> bool:
    return bool(_EMAIL.match(str(text).strip()))


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    user: str = ""
    password: str = field(default="", repr=False)
    sender: str = ""
    starttls: bool = True
    ssl: bool = False
    timeout: float = SMTP_TIMEOUT

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"


@dataclass(frozen=True)
class TelegramSettings:
    token: str = field(repr=False)
    api_base: str = DEFAULT_API_BASE
    timeout: float = 30.0


@dataclass(frozen=True)
class DeliverySettings:
    head_of_sales: tuple[str, ...] = ()
    group_heads: dict[str, str] = field(default_factory=dict)
    admin: str | None = None
    telegram: dict[str, str] = field(default_factory=dict)  # user name, e-mail or role -> chat id
    exclude: tuple[str, ...] = ()
    emails: dict[str, str] = field(default_factory=dict)  # user name -> e-mail
    lang: str = "ru"
    attachment_limit_mb: float = DEFAULT_LIMIT_MB
    link_base: str | None = None
    smtp: SmtpSettings | None = None  # None: SMTP_HOST is not set
    bot: TelegramSettings | None = None  # None: TELEGRAM_BOT_TOKEN is not set
    source: str = ""  # the YAML file read, for messages

    @property
    def limit_bytes(self) -> int:
        return int(self.attachment_limit_mb * 1024 * 1024)

    def secrets(self) -> tuple[str, ...]:
        """The secret values to keep out of every message, log line and table."""
        found = [self.smtp.password if self.smtp else "", self.bot.token if self.bot else ""]
        return tuple(s for s in found if s)

    def telegram_chat(self, *keys: str | None) -> str | None:
        """The chat id configured under the first of ``keys`` (names, e-mails, roles) that has one,
        compared case-insensitively."""
        folded = {k.casefold(): v for k, v in self.telegram.items()}
        for key in keys:
            if key and key.strip().casefold() in folded:
                return folded[key.strip().casefold()]
        return None


def redact(text: str, secrets: tuple[str, ...] | list[str]) -> str:
    """``text`` with every secret (and anything shaped like a bot token in a URL) replaced by ``***``."""
    out = str(text)
    for s in secrets:
        if s:
            out = out.replace(s, "***")
    return re.sub(r"bot\d{3,}:[A-Za-z0-9_-]{10,}", "bot***", out)


# ------------------------------------------------------------------------------------------- the YAML


def load_settings(
    path: str | os.PathLike | None = None, env: Mapping[str, str] | None = None, *, missing_ok: bool | None = None
) -> DeliverySettings:
    """Read ``path`` (default ``params/delivery.yaml``, looked up from the working directory's parents too)
    and the environment. A missing file given explicitly is an error; the default file may be missing
    (no extra recipients: only the managers themselves)."""
    env = os.environ if env is None else env
    explicit = path is not None
    file = find_project_file(path or DEFAULT_PATH)
    if missing_ok is None:
        missing_ok = not explicit
    if not file.exists():
        if missing_ok:
            return parse_settings({}, env, source="")
        raise SettingsError(f"{file}: no such delivery settings file (see params/delivery.yaml for an example)")
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        at = f" at line {where.line + 1}, column {where.column + 1}" if where is not None else ""
        problem = getattr(exc, "problem", None) or "cannot parse"
        raise SettingsError(f"{file}: not valid YAML{at}: {problem}") from None
    return parse_settings(data, env, source=str(file))


def parse_settings(data, env: Mapping[str, str] | None = None, source: str = "") -> DeliverySettings:
    """Validate the YAML's content (a mapping, or None for an empty file) and add the environment's settings."""
    env = os.environ if env is None else env
    where = source or "delivery settings"
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise SettingsError(f"{where}: expected a mapping of settings ({', '.join(KEYS)}), got {type(data).__name__}")
    _refuse_secrets(data, where, [])
    unknown = [str(k) for k in data if k not in KEYS]
    if unknown:
        hint = ""
        if any(str(k).lower().startswith(("smtp", "mail", "telegram_bot", "bot")) for k in unknown):
            hint = " (SMTP and the bot token come from the environment: SMTP_HOST, SMTP_PORT, ..., TELEGRAM_BOT_TOKEN)"
        raise SettingsError(f"{where}: unknown key(s) {', '.join(unknown)}; valid: {', '.join(KEYS)}{hint}")

    def err(key: str, problem: str) -> SettingsError:
        return SettingsError(f"{where}: {key}: {problem}")

    def names(key: str) -> tuple[str, ...]:
        value = data.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise err(key, "expected a list of e-mails or user names, e.g. [head@example.ru, Анна Смирнова]")
        return tuple(v.strip() for v in value)

    def mapping(key: str, what: str) -> dict:
        value = data.get(key)
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise err(key, f"expected a mapping {what}")
        return value

    head = names("head_of_sales")
    exclude = names("exclude")
    group_heads = {}
    for group, person in mapping("group_heads", "of group name: e-mail or user name").items():
        if not isinstance(person, str) or not person.strip():
            raise err(f"group_heads.{group}", "expected an e-mail or a user name")
        group_heads[str(group).strip()] = person.strip()
    emails = {}
    for person, email in mapping("emails", "of user name: e-mail").items():
        if not isinstance(email, str) or not is_email(email):
            raise err(f"emails.{person}", f"{email!r} is not an e-mail address")
        emails[str(person).strip()] = email.strip()
    telegram = {}
    for who, chat in mapping("telegram", 'of user name, e-mail, "head_of_sales" or "admin": chat id').items():
        chat_s = str(chat).strip() if isinstance(chat, (int, str)) and not isinstance(chat, bool) else ""
        if not _CHAT_ID.match(chat_s):
            raise err(f"telegram.{who}", "expected a chat id: a number (negative for groups) or @channelname")
        telegram[str(who).strip()] = chat_s
    admin = data.get("admin")
    if admin is not None and (not isinstance(admin, str) or not is_email(admin)):
        raise err("admin", f"{admin!r} is not an e-mail address (the admin's Telegram chat goes under telegram.admin)")
    lang = data.get("lang", "ru")
    if lang not in LANGS:
        raise err("lang", f"{lang!r}; valid: {', '.join(LANGS)}")
    limit = data.get("attachment_limit_mb", DEFAULT_LIMIT_MB)
    if isinstance(limit, bool) or not isinstance(limit, (int, float)) or limit <= 0:
        raise err("attachment_limit_mb", f"{limit!r}; expected a positive number of megabytes, e.g. 10")
    link_base = data.get("link_base")
    if link_base is not None and (not isinstance(link_base, str) or not re.match(r"^https?://\S+$", link_base)):
        raise err("link_base", f"{link_base!r}; expected an http(s) URL where reports/ is published")
    return DeliverySettings(
        head_of_sales=head,
        group_heads=group_heads,
        admin=admin.strip() if admin else None,
        telegram=telegram,
        exclude=exclude,
        emails=emails,
        lang=lang,
        attachment_limit_mb=float(limit),
        link_base=link_base.rstrip("/") if link_base else None,
        smtp=smtp_from_env(env),
        bot=telegram_from_env(env),
        source=source,
    )


def _refuse_secrets(node, where: str, path: list[str]) -> None:
    """A secret in the YAML is an error naming its key (never its value)."""
    if isinstance(node, dict):
        for k, v in node.items():
            key = ".".join([*path, str(k)])
            if _SECRET_KEY.search(str(k)) or str(k).upper() in ENV_SECRETS:
                raise SettingsError(
                    f"{where}: {key}: secrets do not belong in this file; set SMTP_PASSWORD / TELEGRAM_BOT_TOKEN "
                    "in the environment or the git-ignored .env instead"
                )
            _refuse_secrets(v, where, [*path, str(k)])
    elif isinstance(node, list):
        for i, v in enumerate(node):
            _refuse_secrets(v, where, [*path, str(i)])
    elif isinstance(node, str) and _BOT_TOKEN.match(node.strip()):
        key = ".".join(path) or "(top level)"
        raise SettingsError(
            f"{where}: {key}: this looks like a Telegram bot token; set TELEGRAM_BOT_TOKEN in the environment "
            "or the git-ignored .env instead"
        )


# ------------------------------------------------------------------------------------ the environment


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = (env.get(name) or "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"environment: {name}={raw!r}; valid: true or false")


def smtp_from_env(env: Mapping[str, str]) -> SmtpSettings | None:
    """SMTP from ``SMTP_*``; None when ``SMTP_HOST`` is not set. Default: STARTTLS on port 587
    (``SMTP_SSL=true``: implicit TLS on 465; ``SMTP_STARTTLS=false`` for a plain relay on 25)."""
    host = (env.get("SMTP_HOST") or "").strip()
    if not host:
        return None
    use_ssl = _flag(env, "SMTP_SSL", False)
    starttls = _flag(env, "SMTP_STARTTLS", not use_ssl)
    if use_ssl and starttls:
        raise SettingsError("environment: SMTP_SSL and SMTP_STARTTLS are both true; choose one (SSL: port 465)")
    raw_port = (env.get("SMTP_PORT") or "").strip()
    if raw_port:
        if not raw_port.isdigit() or not 0 < int(raw_port) < 65536:
            raise SettingsError(f"environment: SMTP_PORT={raw_port!r}; expected a port number, e.g. 587")
        port = int(raw_port)
    else:
        port = 465 if use_ssl else 587 if starttls else 25
    user = (env.get("SMTP_USER") or "").strip()
    sender = (env.get("SMTP_FROM") or "").strip() or (user if is_email(user) else "")
    if not sender:
        raise SettingsError("environment: SMTP_FROM is not set (the sender's address, e.g. reports@example.ru)")
    if not is_email(sender.rsplit("<", 1)[-1].rstrip(">")):
        raise SettingsError(f"environment: SMTP_FROM={sender!r} is not an e-mail address")
    return SmtpSettings(
        host=host,
        port=port,
        user=user,
        password=env.get("SMTP_PASSWORD") or "",
        sender=sender,
        starttls=starttls,
        ssl=use_ssl,
    )


def telegram_from_env(env: Mapping[str, str]) -> TelegramSettings | None:
    token = (env.get("TELEGRAM_BOT_TOKEN") or "").strip()
    if not token:
        return None
    base = (env.get("TELEGRAM_API_BASE") or "").strip() or DEFAULT_API_BASE
    if not re.match(r"^https?://\S+$", base):
        raise SettingsError(f"environment: TELEGRAM_API_BASE={base!r}; expected an http(s) URL")
    return TelegramSettings(token=token, api_base=base.rstrip("/"))


def example_path() -> Path:
    return find_project_file(DEFAULT_PATH)
