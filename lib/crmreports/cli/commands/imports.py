"""`crmreports import FILE… --format NAME|mapping.yaml`: load export files or a public data set into the store."""

from __future__ import annotations

import logging

from ..errors import CLIError

log = logging.getLogger("crmreports.import")


def register(sub) -> None:
    p = sub.add_parser(
        "import",
        help="load CRM export files (amoCRM, any CRM via a mapping file) or a public data set",
        description="Load export files into the store, replacing its content (the previous store stays untouched "
        "if the import is refused). Formats: amocrm (amoCRM's deal export, CSV or XLSX), maven, olist, "
        "enpal, pwc (the public data sets: pass the data set's folder), or a mapping file "
        "(params/mappings/*.yaml) for any CRM's CSV/XLSX. Bad rows are reported with file, row and "
        "column and skipped; --strict refuses the import instead.",
    )
    p.add_argument("files", nargs="+", metavar="FILE", help="export files (or a data set's folder)")
    p.add_argument(
        "--format",
        required=True,
        metavar="NAME|MAPPING.yaml",
        help="amocrm, maven, olist, enpal, pwc or a path to a mapping file",
    )
    p.add_argument("--strict", action="store_true", help="refuse the whole import if any row has a problem")
    p.add_argument(
        "--timezone",
        default=None,
        help="timezone the file's times are in (default: Europe/Moscow for amocrm, else the mapping's)",
    )
    p.add_argument(
        "--currency", default=None, help="ISO currency of amounts (default: RUB for amocrm, else the mapping's)"
    )
    p.add_argument("--name", default=None, help="account name shown in reports (default: the file's or data set's)")
    p.set_defaults(func=run)


def run(args) -> int:
    from ...sources.imports import ImportRefused, import_files
    from ...store import StoreError

    if args.timezone:
        import zoneinfo

        try:
            zoneinfo.ZoneInfo(args.timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise CLIError(f"unknown --timezone {args.timezone!r}; use an IANA name such as Europe/Moscow") from None
    if args.currency and not (len(args.currency) == 3 and args.currency.isalpha()):
        raise CLIError(f"bad --currency {args.currency!r}; use an ISO code such as RUB, USD, EUR")
    try:
        res = import_files(
            args.files,
            args.format,
            args.store,
            strict=args.strict,
            timezone=args.timezone,
            currency=args.currency.upper() if args.currency else None,
            name=args.name,
        )
    except ImportRefused as exc:
        raise CLIError(f"{exc}") from None
    except StoreError as exc:
        raise CLIError(str(exc)) from None
    print(f"{res.summary()}; store: {res.store_path}")
    return 0
