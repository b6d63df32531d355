"""The `crmreports` command line: global options here, one module per command in crmreports.cli.commands."""

from __future__ import annotations

import argparse
import difflib
import importlib
import logging
import os
import pkgutil
import sys
from pathlib import Path

from .. import __version__

log = logging.getLogger("crmreports")

PROJECT_ROOT = Path(__file__).resolve().parents[3]


def load_env_files() -> list[tuple[Path, list[str]]]:
    """Load the git-ignored ``.env`` of the working directory, then the project root's, into ``os.environ``.

    A variable already set (in the environment, or by the first file) is never overridden, and an empty value
    (a blank left to fill in, as in ``.env.example``) sets nothing. ``CRMREPORTS_DOTENV=0`` skips the files
    (the tests set it, so a developer's own ``.env`` does not leak into them). Returns each file read with the
    names it set, for a debug line: names only, never a value (the files hold secrets).
    """
    if os.environ.get("CRMREPORTS_DOTENV", "1") == "0":
        return []
    from dotenv import dotenv_values

    loaded = []
    candidates = [Path.cwd() / ".env"]
    if (PROJECT_ROOT / "pyproject.toml").is_file():  # a source checkout, not an installed package
        candidates.append(PROJECT_ROOT / ".env")
    seen = set()
    for path in candidates:
        if not path.is_file() or path.resolve() in seen:
            continue
        seen.add(path.resolve())
        names = []
        for name, value in dotenv_values(path).items():
            if value and name not in os.environ:  # an empty value is a blank left to fill in
                os.environ[name] = value
                names.append(name)
        loaded.append((path, names))
    return loaded


GLOBAL_OPTIONS_TITLE = "global options (also accepted before COMMAND; given in both places, the one here wins)"


class Parser(argparse.ArgumentParser):
    """An argument parser whose "invalid choice" errors (a mistyped command, ``--lang eng``) add "did you mean …"."""

    def _check_value(self, action, value):
        try:
            super()._check_value(action, value)
        except argparse.ArgumentError as exc:
            close = difflib.get_close_matches(str(value), [str(c) for c in action.choices or ()], n=3, cutoff=0.6)
            if not close:
                raise
            raise argparse.ArgumentError(action, f"{exc.message}; did you mean {' or '.join(close)}?") from None


def add_global_options(parser: argparse.ArgumentParser, *, after_verb: bool) -> None:
    """``--store``, ``--account``, ``--lang`` and ``-v``: on the main parser with their defaults, and on every
    command's parser without defaults (``argparse.SUPPRESS``), so an option given after the command overrides the
    same option given before it and an absent one leaves the main parser's value alone."""
    from ..store import DEFAULT_STORE  # the store's layer imports pandas and DuckDB: not before `run` has
    # started its kernel (see main)

    store_default = os.environ.get("CRMREPORTS_STORE", DEFAULT_STORE)
    group = parser.add_argument_group(GLOBAL_OPTIONS_TITLE) if after_verb else parser
    default = (lambda value: argparse.SUPPRESS) if after_verb else (lambda value: value)
    group.add_argument(
        "--store",
        default=default(store_default),
        help=f"DuckDB store file (default: $CRMREPORTS_STORE or {DEFAULT_STORE})",
    )
    group.add_argument(
        "--account",
        default=default(""),
        help="a client account of params/accounts.yaml: its store, reports folder, delivery file and token variable",
    )
    group.add_argument(
        "--lang", choices=["ru", "en"], default=default("ru"), help="language of the reports (default: ru)"
    )
    group.add_argument("-v", "--verbose", action="count", default=default(0), help="more logging (-vv for debug)")


def reports_epilog() -> str:
    """The reports the registry holds, the scopes and the periods: for ``crmreports --help`` and ``run --help``."""
    from ..batch.run import reports as report_names
    from ..reports import registry

    declared = registry()
    lines = ["reports:"]
    for name in report_names():
        title = declared[name].title if name in declared else {}
        lines.append(f"  {name:<16} {' · '.join(t for t in (title.get('ru'), title.get('en')) if t)}".rstrip())
    lines += [
        "",
        'scopes (--manager): the whole team (default), one manager (--manager "Анна Смирнова"),',
        '  or a group of managers (--manager "group:Отдел продаж 1")',
        "periods (--period): 2026-10, 2026-Q3, 2026-W44, 2026, 2026-10-01..2026-10-15, last (the last full month)",
    ]
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="crmreports",
        description="Sales analytics for amoCRM / Kommo: load the account into a local store and build reports.",
        epilog=reports_epilog()
        + "\n\nThe global options --store, --account, --lang and -v work before or after COMMAND "
        "(given in both places, the one after COMMAND wins).\nexample: crmreports run sales_analysis "
        '--period 2026-11 --manager "group:Отдел продаж 1" --lang en',
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_global_options(parser, after_verb=False)
    parser.add_argument("--version", action="version", version=f"crmreports {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    from . import commands

    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        module.register(sub)
    for command in {id(c): c for c in sub.choices.values()}.values():  # an alias shares its parser
        add_global_options(command, after_verb=True)
    return parser


def use_account(args, argv: list[str] | None) -> None:
    """Point the command at the ``--account``'s store (an explicit ``--store`` too is an error) and, for the
    commands that have them, its reports folder and delivery file where the command line gave none; its token
    variable becomes the ``AMOCRM_ACCESS_TOKEN`` of this process (the value is never printed)."""
    from ..core.scopes import ParameterError
    from ..sources.accounts import get_account
    from .errors import CLIError

    given = argv if argv is not None else sys.argv[1:]
    if any(a == "--store" or a.startswith("--store=") for a in given):
        raise CLIError("give --account or --store, not both")
    try:
        account = get_account(args.account)
    except ParameterError as exc:
        raise CLIError(str(exc)) from None
    args.store = account.store
    if hasattr(args, "out") and args.out == "reports":
        args.out = account.out or f"reports/{account.slug}"
    if hasattr(args, "delivery") and account.delivery and args.delivery == "params/delivery.yaml":
        args.delivery = account.delivery
    if hasattr(args, "base_url") and account.base_url and not getattr(args, "base_url", None):
        args.base_url = account.base_url
    args.deal_links = account.base_url  # the reports' links to the account's deals (pack, audit, monthly)
    if args.command == "import":  # files carry no timezone or currency: the account's, unless given
        args.timezone = args.timezone or account.timezone or None
        args.currency = args.currency or account.currency or None
        args.name = args.name or account.name
    if hasattr(args, "variant") and account.demo and not args.variant:
        args.variant = account.demo
    if account.token_env:
        token = os.environ.get(account.token_env, "")
        if not token and args.command in ("sync", "monthly"):
            log.warning(
                "account %s: %s is not set; the sync uses the AMOCRM_* variables", account.name, account.token_env
            )
        if token:
            os.environ["AMOCRM_ACCESS_TOKEN"] = token


def main(argv: list[str] | None = None) -> int:
    env_files = load_env_files()  # before the parser: option defaults read the environment
    from .early import end_early, start_early

    start_early(sys.argv[1:] if argv is None else argv)  # `run`: its kernel starts first thing
    try:
        return _main(argv, env_files)
    finally:
        end_early()  # a kernel started for a `run` that never ran (a parse error, --help) is stopped here


def _main(argv: list[str] | None, env_files) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    # default: our INFO lines, libraries' warnings; -v: our debug; -vv: everything's debug
    logging.basicConfig(
        level=logging.DEBUG if args.verbose >= 2 else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("crmreports").setLevel(logging.DEBUG if args.verbose else logging.INFO)
    for path, names in env_files:
        log.debug("read %s: %s", path, ", ".join(names) or "nothing new")
    from .errors import CLIError as canonical  # the same class even when run as __main__

    try:
        if args.account:
            use_account(args, argv)
        return int(args.func(args) or 0)
    except canonical as exc:
        print(f"crmreports {args.command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
