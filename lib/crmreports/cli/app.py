"""The `crmreports` command line: global options here, one module per command in crmreports.commands."""
from __future__ import annotations

import argparse
import importlib
import logging
import os
import pkgutil
import sys

from .. import __version__
from ..store import DEFAULT_STORE


log = logging.getLogger("crmreports")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="crmreports",
        description="Sales analytics for amoCRM / Kommo: load the account into a local store and build reports.",
    )
    parser.add_argument("--store", default=os.environ.get("CRMREPORTS_STORE", DEFAULT_STORE),
                        help="DuckDB store file (default: $CRMREPORTS_STORE or %(default)s)")
    parser.add_argument("--lang", choices=["ru", "en"], default="ru", help="language of the reports (default: ru)")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more logging (-vv for debug)")
    parser.add_argument("--version", action="version", version=f"crmreports {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    from . import commands
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    # default: our INFO lines, libraries' warnings; -v: our debug; -vv: everything's debug
    logging.basicConfig(level=logging.DEBUG if args.verbose >= 2 else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("crmreports").setLevel(logging.DEBUG if args.verbose else logging.INFO)
    from .errors import CLIError as canonical   # the same class even when run as __main__
    try:
        return int(args.func(args) or 0)
    except canonical as exc:
        print(f"crmreports {args.command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
