"""Deliver a built pack: each recipient's message by e-mail and/or Telegram, exactly once per pack version.

:func:`deliver` plans who gets what (:mod:`.recipients`), builds each message (:mod:`.messages`), skips what
the delivery log (:mod:`.log`) says was sent, sends the rest and logs each message right after it went out.
A channel that is down (SMTP server unreachable, login refused, bot token refused) fails its remaining
messages without trying them; the run then notifies the admin (:func:`notify_failure`) and raises a
:class:`~.channels.DeliveryError` that carries the report. A dry run sends nothing and writes nothing (no
log, no combined PDF): it lists what would be sent.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from .. import store
from ..core import fmt
from ..core.labels import t
from ..core.periods import parse_period
from . import log as delivery_log
from .channels import DeliveryError, SmtpChannel, TelegramChannel
from .messages import link_for, prepare, version
from .recipients import documents_for, pack_documents, plan
from .settings import DeliverySettings, redact

logger = logging.getLogger(__name__)

STATUSES = ("sent", "skipped", "failed", "would_send", "no_channel")


@dataclass(frozen=True)
class Outcome:
    """One recipient × channel of a run."""

    recipient: str
    role: str
    channel: str  # "email", "telegram", or "" when the recipient has no address at all
    address: str
    message_key: str
    status: str  # one of STATUSES
    attachments: tuple[str, ...] = ()
    mode: str = ""  # pdf, zip, links, none
    error: str = ""  # for failed: the redacted reason; for no_channel: a label key's text


@dataclass
class DeliveryReport:
    period: str
    dry_run: bool = False
    outcomes: list[Outcome] = field(default_factory=list)
    notified: list[str] = field(default_factory=list)  # where the failure notice went

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def sent(self) -> int:
        return self.count("sent")

    @property
    def skipped(self) -> int:
        return self.count("skipped")

    @property
    def failed(self) -> int:
        return self.count("failed")

    @property
    def would_send(self) -> int:
        return self.count("would_send")

    @property
    def unreachable(self) -> int:
        return self.count("no_channel")

    @property
    def ok(self) -> bool:
        return self.failed == 0

    @property
    def failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "failed"]

    def summary(self, lang: str = "ru") -> str:
        if self.dry_run:
            text = t("delivery.summary_dry", lang, period=self.period, would=self.would_send, skipped=self.skipped)
        else:
            text = t(
                "delivery.summary", lang, period=self.period, sent=self.sent, skipped=self.skipped, failed=self.failed
            )
        if self.unreachable:
            text += "; " + t("delivery.summary_unreachable", lang, count=self.unreachable)
        return text

    def lines(self, lang: str = "ru") -> list[str]:
        """One line per recipient and channel."""
        out = []
        for o in self.outcomes:
            via = f"{t('delivery.channel.' + o.channel, lang)} {o.address}" if o.channel else "—"
            line = (
                f"{o.recipient} ({t('delivery.role.' + o.role, lang)}), {via}: {t('delivery.status.' + o.status, lang)}"
            )
            if o.attachments and o.status in ("sent", "would_send"):
                line += f" [{', '.join(o.attachments)}]"
            if o.error:
                line += f" — {o.error}"
            out.append(line)
        return out


def _users(store_path) -> object:
    con = store.connect(store_path)  # read-only: a missing store is a StoreError that says how to make one
    try:
        return store.read_table(con, "users")
    finally:
        con.close()


def deliver(
    out_dir: str | Path,
    period: str,
    store_path: str | Path,
    settings: DeliverySettings,
    *,
    dry_run: bool = False,
    resend: bool = False,
    lang: str | None = None,
    pack_lang: str = "ru",
) -> DeliveryReport:
    """Send the pack ``<out_dir>/<period>/`` (its documents in ``pack_lang``) to its recipients (see the module
    docstring)."""
    lang = lang or settings.lang
    out_dir = Path(out_dir)
    documents = pack_documents(out_dir, period, pack_lang)
    recipients = plan(_users(store_path), settings, documents, lang)
    report = DeliveryReport(period, dry_run=dry_run)
    secrets = settings.secrets()

    path = store.resolve_path(store_path)
    try:
        con = duckdb.connect(str(path), read_only=dry_run)
    except duckdb.Error as exc:
        raise store.StoreError(f"cannot open store {str(path)!r} for the delivery log: {exc}") from None
    channels: dict[str, SmtpChannel | TelegramChannel] = {}
    if settings.smtp is not None and not dry_run:
        channels["email"] = SmtpChannel(settings.smtp)
    if settings.bot is not None and not dry_run:
        channels["telegram"] = TelegramChannel(settings.bot)
    configured = {"email": settings.smtp is not None, "telegram": settings.bot is not None}
    down: dict[str, str] = {}  # channel -> why it is down
    try:
        if not dry_run:
            delivery_log.ensure(con)
        done = delivery_log.sent(con, period)
        for r in recipients:
            targets = [(c, a) for c, a in (("email", r.email), ("telegram", r.chat)) if a]
            if not targets:
                reason = t("delivery.reason.no_address", lang)
                report.outcomes.append(Outcome(r.name, r.role, "", "", r.key, "no_channel", error=reason))
                continue
            message = None
            message_version = version([d for s in r.scopes for d in documents_for(documents, s)])
            for channel_name, address in targets:
                base = dict(recipient=r.name, role=r.role, channel=channel_name, address=address, message_key=r.key)
                if not configured[channel_name]:
                    reason = t("delivery.reason." + ("no_smtp" if channel_name == "email" else "no_bot"), lang)
                    report.outcomes.append(Outcome(**base, status="no_channel", error=reason))
                    continue
                entry = delivery_log.Entry(period, message_version, r.name, channel_name, address, r.key)
                if entry.identity in done and not resend:
                    report.outcomes.append(Outcome(**base, status="skipped"))
                    continue
                if message is None:  # built once per recipient, only when something goes out
                    message = prepare(r, documents, period, settings, out_dir, lang, write=not dry_run)
                names = tuple(message.attachment_names)
                if dry_run:
                    report.outcomes.append(Outcome(**base, status="would_send", attachments=names, mode=message.mode))
                    continue
                error = down.get(channel_name)
                if error is None:
                    try:
                        channels[channel_name].send_message(address, r.name, message)
                    except DeliveryError as exc:
                        error = redact(str(exc), secrets)
                        if exc.fatal:
                            down[channel_name] = error
                if error is not None:
                    delivery_log.record(con, entry, "failed", error)
                    report.outcomes.append(
                        Outcome(**base, status="failed", attachments=names, mode=message.mode, error=error)
                    )
                    logger.warning("not delivered: %s via %s to %s: %s", r.key, channel_name, address, error)
                    continue
                delivery_log.record(con, entry, "sent")
                done.add(entry.identity)
                report.outcomes.append(Outcome(**base, status="sent", attachments=names, mode=message.mode))
                logger.info("sent %s via %s to %s (%s)", r.key, channel_name, address, ", ".join(names) or message.mode)
    finally:
        for channel in channels.values():
            channel.close()
        con.close()

    if report.failed and not dry_run:
        report.notified = notify_failure(settings, failure_text(report, lang), lang=lang, skip=tuple(down))
    if down:
        raise DeliveryError("; ".join(down.values()), fatal=True, report=report)
    return report


def failure_text(report: DeliveryReport, lang: str = "ru") -> str:
    total = sum(1 for o in report.outcomes if o.status in ("sent", "failed"))
    lines = [report.summary(lang), "", t("delivery.failure.failed_lines", lang, failed=report.failed, total=total)]
    lines += [f"• {o.recipient}, {o.channel} {o.address}: {o.error}" for o in report.failures]
    return "\n".join(lines)


def notify_failure(
    settings: DeliverySettings, text: str, *, lang: str | None = None, subject: str | None = None, skip: tuple = ()
) -> list[str]:
    """Send a failure notice to the admin (``admin:`` by e-mail, ``telegram: {admin: chat}``); never raises.
    Returns where it went (``email:<address>``, ``telegram:<chat>``); a channel in ``skip`` (known to be down)
    is not tried. The text is redacted of every secret."""
    lang = lang or settings.lang
    text = redact(text, settings.secrets())
    subject = subject or t("delivery.failure.subject", lang)
    went = []
    if settings.admin and settings.smtp is not None and "email" not in skip:
        try:
            with SmtpChannel(settings.smtp) as smtp:
                smtp.send(settings.admin, "", subject, text + "\n")
            went.append(f"email:{settings.admin}")
        except DeliveryError as exc:
            logger.warning("failure notice to %s not sent: %s", settings.admin, redact(str(exc), settings.secrets()))
    chat = settings.telegram_chat("admin", settings.admin)
    if chat and settings.bot is not None and "telegram" not in skip:
        try:
            TelegramChannel(settings.bot).send_text(chat, f"{subject}\n\n{text}"[:4096])
            went.append(f"telegram:{chat}")
        except DeliveryError as exc:
            logger.warning(
                "failure notice to Telegram chat %s not sent: %s", chat, redact(str(exc), settings.secrets())
            )
    if not went:
        logger.warning("no failure notice sent: set admin (e-mail) and/or telegram.admin in the delivery settings")
    return went


def send_alerts(
    out_dir: str | Path,
    period: str,
    store_path: str | Path,
    settings: DeliverySettings,
    fired: list,
    *,
    dry_run: bool = False,
    resend: bool = False,
    lang: str | None = None,
    pack_lang: str = "ru",
) -> DeliveryReport:
    """Send the alerts that fired (:func:`crmreports.delivery.alerts.evaluate`) as one short message per
    recipient: each recipient of the pack gets the alerts on the scopes whose documents they receive (the head
    of sales every one, a manager their own), each alert with its link. Exactly once, like the documents:
    the message is keyed on its text, so a rerun sends nothing new unless an alert changed or ``resend``."""
    import hashlib

    lang = lang or settings.lang
    out_dir = Path(out_dir)
    report = DeliveryReport(period, dry_run=dry_run)
    if not fired:
        return report
    recipients = plan(_users(store_path), settings, pack_documents(out_dir, period, pack_lang), lang)
    secrets = settings.secrets()
    path = store.resolve_path(store_path)
    con = duckdb.connect(str(path), read_only=dry_run)
    channels: dict[str, SmtpChannel | TelegramChannel] = {}
    try:
        if not dry_run:
            delivery_log.ensure(con)
        done = delivery_log.sent(con, period)
        for r in recipients:
            theirs = [a for a in fired if a.scope in r.scopes]
            if not theirs:
                continue
            lines = [
                f"• {a.text(lang)}\n  {link_for(out_dir / a.link.split('#')[0], out_dir, settings)}"
                + (f"#{a.link.split('#', 1)[1]}" if "#" in a.link else "")
                for a in theirs
            ]
            subject = t(
                "delivery.alerts.subject", lang, n=len(theirs), period=fmt.period_label(parse_period(period), lang)
            )
            body = subject + "\n\n" + "\n".join(lines) + "\n"
            tag = hashlib.sha256(body.encode()).hexdigest()[:16]
            for channel_name, address in (("email", r.email), ("telegram", r.chat)):
                configured = settings.smtp if channel_name == "email" else settings.bot
                if not address or configured is None:
                    continue
                base = dict(
                    recipient=r.name, role=r.role, channel=channel_name, address=address, message_key=f"alerts:{r.key}"
                )
                entry = delivery_log.Entry(period, tag, r.name, channel_name, address, f"alerts:{r.key}")
                if entry.identity in done and not resend:
                    report.outcomes.append(Outcome(**base, status="skipped"))
                    continue
                if dry_run:
                    report.outcomes.append(Outcome(**base, status="would_send"))
                    continue
                try:
                    if channel_name not in channels:
                        channels[channel_name] = (
                            SmtpChannel(settings.smtp) if channel_name == "email" else TelegramChannel(settings.bot)
                        )
                    if channel_name == "email":
                        channels[channel_name].send(address, r.name, subject, body)
                    else:
                        channels[channel_name].send_text(address, body[:4096])
                except DeliveryError as exc:
                    error = redact(str(exc), secrets)
                    delivery_log.record(con, entry, "failed", error)
                    report.outcomes.append(Outcome(**base, status="failed", error=error))
                    continue
                delivery_log.record(con, entry, "sent")
                done.add(entry.identity)
                report.outcomes.append(Outcome(**base, status="sent"))
    finally:
        for channel in channels.values():
            channel.close()
        con.close()
    return report
