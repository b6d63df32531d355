"""The channels, thin: SMTP (smtplib, STARTTLS or implicit TLS) and the Telegram Bot API (``sendMessage``,
``sendDocument``).

An error is a :class:`DeliveryError` that names the server (``host:port``) and never a secret: the SMTP
password and the bot token (which is part of every Bot API URL) are redacted from every message, and the
errors are raised outside the ``except`` blocks so no chained exception carries a URL. The Bot API is called
with urllib, which logs nothing (urllib3's debug log would print each URL, token included).
"""

from __future__ import annotations

import json
import logging
import smtplib
import ssl
import time
import urllib.error
import urllib.request
import uuid
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid
from urllib.parse import urlsplit

from .messages import Attachment, Message
from .settings import SmtpSettings, TelegramSettings, redact

log = logging.getLogger(__name__)

TELEGRAM_RETRY_AFTER_MAX = 30.0  # seconds: a longer 429 wait fails the message instead


class DeliveryError(RuntimeError):
    """A message (or a whole channel, when ``fatal``) could not be delivered. The text names the server,
    the address and the reason, never a secret. ``report``: the delivery's report, when the run got that far."""

    def __init__(self, message: str, *, fatal: bool = False, report=None):
        super().__init__(message)
        self.fatal = fatal
        self.report = report


def _text(value) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


# ------------------------------------------------------------------------------------------------ SMTP


def email_message(sender: str, name: str, address: str, subject: str, body: str, attachments=()) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = sender
    msg["To"] = formataddr((name, address)) if name and name != address else address
    msg["Date"] = formatdate(localtime=True)
    domain = sender.rsplit("@", 1)[-1].strip(">") or "crmreports.local"
    msg["Message-ID"] = make_msgid("crmreports", domain=domain)
    msg.set_content(body)
    for a in attachments:
        maintype, subtype = a.mime
        msg.add_attachment(a.path.read_bytes(), maintype=maintype, subtype=subtype, filename=a.name)
    return msg


class SmtpChannel:
    """One SMTP connection, opened at the first message and reused (reopened once if the server dropped it)."""

    name = "email"

    def __init__(self, settings: SmtpSettings):
        self.settings = settings
        self._conn: smtplib.SMTP | None = None

    @property
    def where(self) -> str:
        return self.settings.where

    def _secrets(self) -> tuple[str, ...]:
        return (self.settings.password,) if self.settings.password else ()

    def _fail(self, what: str, exc: BaseException | str, *, fatal: bool) -> DeliveryError:
        if isinstance(exc, smtplib.SMTPResponseException):
            reason = f"{exc.smtp_code} {_text(exc.smtp_error)}"
        elif isinstance(exc, smtplib.SMTPRecipientsRefused):
            reason = "; ".join(f"{k}: {c} {_text(m)}" for k, (c, m) in exc.recipients.items())
        else:
            reason = str(exc) or type(exc).__name__
        return DeliveryError(redact(f"SMTP {self.where}: {what}: {reason}", self._secrets()), fatal=fatal)

    def connect(self) -> smtplib.SMTP:
        s = self.settings
        error = None
        conn = None
        try:
            if s.ssl:
                conn = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=ssl.create_default_context())
            else:
                conn = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
            conn.ehlo()
            if s.starttls:
                conn.starttls(context=ssl.create_default_context())
                conn.ehlo()
            if s.user:
                conn.login(s.user, s.password)
        except smtplib.SMTPAuthenticationError as exc:
            error = self._fail(f"login as {s.user!r} refused (check SMTP_USER and SMTP_PASSWORD)", exc, fatal=True)
        except smtplib.SMTPNotSupportedError as exc:
            error = self._fail("the server does not support STARTTLS (set SMTP_STARTTLS=false?)", exc, fatal=True)
        except (OSError, smtplib.SMTPException) as exc:
            error = self._fail("cannot connect", exc, fatal=True)
        if error is not None:
            if conn is not None:
                self._close(conn)
            raise error
        self._conn = conn
        log.debug("connected to SMTP %s", self.where)
        return conn

    def send(self, address: str, name: str, subject: str, body: str, attachments: tuple[Attachment, ...] = ()) -> None:
        msg = email_message(self.settings.sender, name, address, subject, body, attachments)
        sender = self.settings.sender.rsplit("<", 1)[-1].strip(">").strip()
        for attempt in (1, 2):
            conn = self._conn or self.connect()
            error = None
            try:
                conn.send_message(msg, from_addr=sender, to_addrs=[address])
                return
            except smtplib.SMTPServerDisconnected as exc:
                self._conn = None
                if attempt == 2:
                    error = self._fail(f"sending to {address}: the server closed the connection", exc, fatal=True)
            except smtplib.SMTPRecipientsRefused as exc:
                error = self._fail(f"recipient {address} refused", exc, fatal=False)
            except smtplib.SMTPSenderRefused as exc:
                error = self._fail(f"sender {sender} refused (check SMTP_FROM)", exc, fatal=True)
            except smtplib.SMTPResponseException as exc:
                error = self._fail(f"sending to {address}", exc, fatal=False)
            except (OSError, smtplib.SMTPException) as exc:
                self._drop()
                error = self._fail(f"sending to {address}", exc, fatal=True)
            if error is not None:
                raise error

    def send_message(self, address: str, name: str, message: Message) -> None:
        self.send(address, name, message.subject, message.body, message.attachments)

    @staticmethod
    def _close(conn: smtplib.SMTP) -> None:
        try:
            conn.quit()
        except (OSError, smtplib.SMTPException):
            try:
                conn.close()
            except OSError:
                pass

    def _drop(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except OSError:
                pass
        self._conn = None

    def close(self) -> None:
        if self._conn is not None:
            self._close(self._conn)
        self._conn = None

    def __enter__(self) -> SmtpChannel:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


# -------------------------------------------------------------------------------------------- Telegram


def _multipart(fields: dict, file_field: str, filename: str, content: bytes, mime: str) -> tuple[bytes, str]:
    boundary = "crmreports-" + uuid.uuid4().hex
    out = bytearray()
    for k, v in fields.items():
        out += f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n'.encode()
        out += str(v).encode("utf-8") + b"\r\n"
    safe = filename.replace('"', "")
    out += (
        f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; filename="{safe}"\r\n'
        f"Content-Type: {mime}\r\n\r\n"
    ).encode()
    out += content + f"\r\n--{boundary}--\r\n".encode()
    return bytes(out), f"multipart/form-data; boundary={boundary}"


class TelegramChannel:
    """The Bot API at ``TELEGRAM_API_BASE`` (the public one by default; a stand-in on loopback in the tests)."""

    name = "telegram"

    def __init__(self, settings: TelegramSettings):
        self.settings = settings

    @property
    def where(self) -> str:
        return urlsplit(self.settings.api_base).netloc or self.settings.api_base

    def _call(self, method: str, chat: str, fields: dict, file: Attachment | None = None) -> dict:
        url = f"{self.settings.api_base}/bot{self.settings.token}/{method}"
        if file is None:
            body, ctype = json.dumps(fields, ensure_ascii=False).encode("utf-8"), "application/json"
        else:
            body, ctype = _multipart(fields, "document", file.name, file.path.read_bytes(), "/".join(file.mime))
        for _attempt in (1, 2):
            data, error = self._post(url, body, ctype, method, chat)
            if error is not None:
                raise error
            if data.get("ok"):
                return data.get("result") or {}
            wait = (data.get("parameters") or {}).get("retry_after")
            if data.get("error_code") == 429 and isinstance(wait, (int, float)) and wait <= TELEGRAM_RETRY_AFTER_MAX:
                time.sleep(float(wait))
                continue
            break
        code = data.get("error_code")
        reason = redact(str(data.get("description") or "no description"), (self.settings.token,))
        if code in (401, 404):
            raise DeliveryError(
                f"Telegram API {self.where}: {method}: {code} {reason} (check TELEGRAM_BOT_TOKEN and "
                "TELEGRAM_API_BASE)",
                fatal=True,
            )
        raise DeliveryError(f"Telegram API {self.where}: {method} to chat {chat}: {code} {reason}")

    def _post(self, url: str, body: bytes, ctype: str, method: str, chat: str) -> tuple[dict, DeliveryError | None]:
        request = urllib.request.Request(url, data=body, headers={"Content-Type": ctype}, method="POST")
        problem = None
        try:
            with urllib.request.urlopen(request, timeout=self.settings.timeout) as resp:
                raw = resp.read()
        except urllib.error.HTTPError as exc:  # the Bot API answers errors with a JSON body
            raw = exc.read() if exc.fp is not None else b""
            if not raw:
                problem = f"HTTP {exc.code}"
        except (urllib.error.URLError, OSError) as exc:
            problem = f"cannot connect: {getattr(exc, 'reason', None) or exc}"
        if problem is not None:
            text = redact(f"Telegram API {self.where}: {method} to chat {chat}: {problem}", (self.settings.token,))
            return {}, DeliveryError(text, fatal=True)
        try:
            data = json.loads(raw.decode("utf-8"))
        except ValueError:
            data = None
        if not isinstance(data, dict):
            return {}, DeliveryError(f"Telegram API {self.where}: {method}: not a Bot API answer", fatal=True)
        return data, None

    def send_text(self, chat: str, text: str) -> None:
        self._call("sendMessage", chat, {"chat_id": chat, "text": text, "disable_web_page_preview": True})

    def send_message(self, chat: str, name: str, message: Message) -> None:
        """The text, then each attachment as a document (``name``: unused, the chat is the address)."""
        self.send_text(chat, message.short)
        for a in message.attachments:
            self._call("sendDocument", chat, {"chat_id": chat, "caption": a.name}, file=a)

    def close(self) -> None:
        pass

    def __enter__(self) -> TelegramChannel:
        return self

    def __exit__(self, *exc) -> None:
        pass
