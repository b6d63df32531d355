"""`crmreports monthly`: the whole monthly job in one command: sync, build the pack, archive, alerts, delivery."""

from __future__ import annotations

import logging
import os
import shlex
import sys
from pathlib import Path

from ..errors import CLIError

log = logging.getLogger("crmreports.monthly")

CRON_HOUR = "7"  # 07:00 on the 1st: the month is closed and the team has not started yet


def register(sub) -> None:
    p = sub.add_parser(
        "monthly",
        help="sync, build the monthly pack, archive, alerts, and deliver each manager's own pack",
        description="The monthly job: sync the store from amoCRM (skipped for demo and file stores), build every "
        "report of the pack for the team, the groups and each manager, update the archive (reports/index.html and "
        "what changed since the previous period), evaluate the alerts (params/alerts.yaml), and deliver each "
        "recipient their documents by e-mail and Telegram (params/delivery.yaml; SMTP_* and TELEGRAM_BOT_TOKEN "
        "from the environment or .env). Prints one line per step; the exit code is non-zero when a step failed.",
    )
    p.add_argument("--period", default="last", help="period (default: last full month)")
    p.add_argument("--pack", default="monthly", help="pack name in params/packs or a YAML path (default: %(default)s)")
    p.add_argument("--out", default="reports", help="output folder (default: %(default)s)")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 2, help="parallel jobs (default: %(default)s)")
    p.add_argument("--delivery", default="params/delivery.yaml", help="recipients file (default: %(default)s)")
    p.add_argument("--alerts", default="params/alerts.yaml", help="alert rules file (default: %(default)s)")
    p.add_argument("--dry-run", action="store_true", help="say what would be sent; send nothing, log nothing")
    p.add_argument("--resend", action="store_true", help="send again what was already sent for this pack")
    p.add_argument("--keep", type=int, default=0, metavar="N", help="keep only the newest N periods' packs (0: all)")
    p.add_argument("--force", action="store_true", help="rebuild documents even if up to date")
    p.add_argument("--base-url", help="the amoCRM account's URL for the sync (default: from the store's account)")
    p.add_argument("--print-cron", action="store_true", help="print a crontab line and a systemd timer, then exit")
    p.set_defaults(func=run)


def cron_text(args) -> str:
    """A crontab line and a systemd service + timer that run this command on the 1st of every month."""
    root = Path.cwd().resolve()
    exe = Path(sys.executable).with_name("crmreports")
    exe = exe if exe.exists() else Path(sys.executable).parent / "crmreports"
    store = Path(args.store).resolve()
    cmd = f"{shlex.quote(str(exe))} --store {shlex.quote(str(store))} monthly --pack {shlex.quote(args.pack)}"
    if args.keep:
        cmd += f" --keep {args.keep}"
    return f"""# crontab -e  (the secrets come from {root}/.env, readable by this user only: chmod 600 .env)
0 {CRON_HOUR} 1 * * cd {shlex.quote(str(root))} && {cmd} >> {shlex.quote(str(root / "monthly.log"))} 2>&1

# or systemd: /etc/systemd/system/crmreports-monthly.service
[Unit]
Description=crmreports monthly pack and delivery
[Service]
Type=oneshot
WorkingDirectory={root}
EnvironmentFile={root}/.env
ExecStart={cmd}

# /etc/systemd/system/crmreports-monthly.timer  (then: systemctl enable --now crmreports-monthly.timer)
[Unit]
Description=crmreports on the 1st of every month
[Timer]
OnCalendar=*-*-01 0{CRON_HOUR}:00:00
Persistent=true
[Install]
WantedBy=timers.target
"""


def _sync_step(args) -> str:
    """Sync an API store; a demo or file store is not synced (said so)."""
    from ... import store
    from ...sources.amocrm import AmoCRMError, base_url_for
    from . import sync as sync_command

    con = store.connect(args.store)
    try:
        account = store.read_account(con)
    finally:
        con.close()
    source = str(account.get("source") or "")
    if source != "api":
        return f"sync: skipped (the store was loaded from {source or 'files'}, not from the API)"
    base = args.base_url or os.environ.get("AMOCRM_BASE_URL") or base_url_for(str(account["subdomain"]), "amocrm.ru")
    sync_args = type(args)(
        **{
            **vars(args),
            "base_url": base,
            "subdomain": None,
            "domain": "amocrm.ru",
            "full": False,
            "token_file": None,
            "auth_code": None,
            "rate": 7.0,
            "no_progress": True,
        }
    )
    try:
        sync_command.run(sync_args)
    except (AmoCRMError, CLIError) as exc:
        raise CLIError(f"sync failed: {exc}") from None
    return f"sync: done from {base}"


def run(args) -> int:
    if args.print_cron:
        print(cron_text(args), end="")
        return 0
    from ...batch.index import write_index
    from ...batch.pack import build_pack, load_pack
    from ...core.periods import PeriodError
    from ...core.scopes import ParameterError
    from ...delivery import alerts, archive
    from ...delivery.deliver import DeliveryError, deliver, notify_failure, send_alerts
    from ...delivery.settings import load_settings
    from ...store import StoreError

    problems: list[str] = []
    try:
        settings = load_settings(args.delivery if Path(args.delivery).exists() else None)
        rules = alerts.load_rules(args.alerts) if Path(args.alerts).exists() else []
        # the pack's language (its file may name one): its documents, index, archive pages and alert links are
        # named in it (<scope>.<lang>.*, index.<lang>.html when not Russian), so the languages never overwrite
        pack_lang = load_pack(args.pack).get("lang") or args.lang
        print(_sync_step(args))
        done = build_pack(
            args.store,
            args.period,
            args.pack,
            args.out,
            args.lang,
            args.jobs,
            args.force,
            links=getattr(args, "deal_links", ""),
        )
    except (ParameterError, PeriodError, StoreError, ValueError) as exc:
        raise CLIError(str(exc)) from None
    print(f"pack: {done.summary()}")
    for r in done.failed:
        problems.append(f"{r.job.report}/{r.job.scope} failed: {r.error} (see {r.files.get('ipynb')})")
    moved = archive.changes(args.out, done.period, pack_lang)
    write_index(done.period, done.results, args.out, pack_lang)  # again: now it links to the changes page
    removed = archive.prune(args.out, args.keep) if args.keep else []
    page = archive.write_archive(args.out, pack_lang)
    since = f"changes since {moved['previous']}" if moved.get("previous") else "no earlier period to compare with"
    print(f"archive: {page} ({since}" + (f"; removed {len(removed)} old period(s))" if removed else ")"))
    fired = alerts.evaluate(args.out, done.period, rules, pack_lang)
    print(f"alerts: {fired.summary(args.lang)}")
    delivered = None
    try:
        delivered = deliver(
            args.out, done.period, args.store, settings, dry_run=args.dry_run, resend=args.resend, pack_lang=pack_lang
        )
    except DeliveryError as exc:  # a channel is down: the rest of its messages were not tried
        delivered = exc.report
        problems.append(f"delivery: {exc}")
    except (FileNotFoundError, StoreError, ValueError) as exc:
        problems.append(f"delivery: {exc}")
    if delivered is not None:
        print(f"delivery: {delivered.summary(args.lang)}")
        for line in delivered.lines(args.lang):
            log.info("  %s", line)
        if delivered.failed and not any(p.startswith("delivery:") for p in problems):
            problems.append(f"delivery: {delivered.failed} message(s) not delivered (the admin was told)")
    if fired:
        try:
            sent = send_alerts(
                args.out,
                done.period,
                args.store,
                settings,
                fired,
                dry_run=args.dry_run,
                resend=args.resend,
                pack_lang=pack_lang,
            )
            print(f"alerts delivery: {sent.summary(args.lang)}")
            if sent.failed:
                problems.append(f"alerts delivery: {sent.failed} message(s) not delivered")
        except (DeliveryError, StoreError) as exc:
            problems.append(f"alerts delivery: {exc}")
    if problems:
        text = "; ".join(problems)
        if not args.dry_run and not any(p.startswith("delivery") for p in problems):
            notify_failure(settings, f"crmreports monthly {done.period}: {text}", lang=args.lang)
        print(
            f"FAILED: {text}. Fix the cause and run `crmreports monthly --period {done.period}` again: "
            "what was built and sent is not repeated.",
            file=sys.stderr,
        )
        return 1
    return 0
