"""`crmreports audit [--account NAME] [--period P]`: the consultant's audit pack, one zip for the client.

The pack's documents (``params/packs/audit.yaml``: the audit and every other report for the whole team) are built
by :func:`crmreports.batch.pack.build_pack`, then zipped into ``<folder>/audit-<data date>.zip`` with:

- ``index.html``: the cover and index (client, period, data as of, software version, the consultant's name and
  logo from ``params/brand.yaml``, the audit's scores, links to every document and list);
- ``reports/<report>.html`` and ``.pdf`` for every report (the audit first);
- ``findings/<finding>.csv``: the lists of offending records (CSV cells neutralised by the runner), and the
  audit's ``findings.csv`` and ``scores.csv``;
- ``brand/logo.<ext>`` when the brand has a logo;
- ``manifest.json``: the parameters, the store's sync time, the software version and the sha256 of every other
  file of the zip, so the pack can be verified and rebuilt.

``<folder>`` is the account's reports folder with ``--account`` (``out`` of params/accounts.yaml, default
``reports/<account slug>``), else ``reports/<slug of the store's account name>``. The zip is written to a
temporary name and moved into place: a reader never sees half a zip.
"""

from __future__ import annotations

import hashlib
import html
import json
import logging
import os
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from ..errors import CLIError

log = logging.getLogger("crmreports.audit")

BRAND_FILE = "params/brand.yaml"
BRAND_KEYS = ("name", "company", "email", "phone", "website", "logo", "color")
LOGO_TYPES = {".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}
COVER_TEXT = {
    "title": {"ru": "Аудит CRM", "en": "CRM audit"},
    "client": {"ru": "Клиент", "en": "Client"},
    "period": {"ru": "Период", "en": "Period"},
    "as_of": {"ru": "Данные на", "en": "Data as of"},
    "version": {"ru": "Версия программы", "en": "Software version"},
    "generated": {"ru": "Собрано", "en": "Built"},
    "consultant": {"ru": "Консультант", "en": "Consultant"},
    "scores": {"ru": "Оценки", "en": "Scores"},
    "documents": {"ru": "Отчёты", "en": "Reports"},
    "lists": {"ru": "Списки записей с нарушениями (CSV)", "en": "Lists of offending records (CSV)"},
    "failed": {"ru": "Не собрано", "en": "Not built"},
    "manifest": {
        "ru": "manifest.json — параметры и контрольные суммы sha256 всех файлов архива.",
        "en": "manifest.json: the parameters and the sha256 of every file of the archive.",
    },
    "area.overall": {"ru": "Общая", "en": "Overall"},
    "area.process": {"ru": "Процессы", "en": "Process"},
    "area.speed": {"ru": "Скорость", "en": "Speed"},
    "area.data": {"ru": "Качество данных", "en": "Data quality"},
}


def register(sub) -> None:
    p = sub.add_parser(
        "audit",
        help="build the consultant's audit pack: a zip with a cover, the audit, every team report, CSV lists",
        description="Build the CRM audit and every team report for the period, then zip them with a cover page "
        "(client, period, data as of, version, the consultant's brand from params/brand.yaml), the CSV lists of "
        "offending records and a manifest.json with checksums: reports/<account>/audit-<date>.zip. Use the global "
        "--account NAME for a client of params/accounts.yaml.",
    )
    p.add_argument("--period", default="last", help="period (default: last full month)")
    p.add_argument("--out", default="reports", help="reports folder (default: the account's, or reports/<slug>)")
    p.add_argument("--brand", default=BRAND_FILE, help="the consultant's brand file (default: %(default)s)")
    p.add_argument("--pack", default="audit", help="the pack of documents (default: %(default)s)")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 2, help="parallel jobs (default: %(default)s)")
    p.add_argument("--force", action="store_true", help="rebuild the documents even if they are up to date")
    p.set_defaults(func=run)


# ---- brand --------------------------------------------------------------------------------------------------


def load_brand(path: str | os.PathLike) -> dict:
    """The consultant's brand; a missing file is an empty brand, a bad one a clear error naming the key."""
    import yaml

    from ...store.files import find_project_file

    path = Path(find_project_file(path))
    if not path.is_file() and not path.is_absolute():
        from ..app import PROJECT_ROOT  # a source checkout's sample brand

        path = PROJECT_ROOT / path if (PROJECT_ROOT / path).is_file() else path
    if not path.is_file():
        log.info("no brand file %s: the cover shows no consultant", path)
        return {}
    try:
        spec = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise CLIError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(spec, dict):
        raise CLIError(f"{path}: expected a mapping with keys {', '.join(BRAND_KEYS)}")
    unknown = sorted(set(spec) - set(BRAND_KEYS))
    if unknown:
        raise CLIError(f"{path}: unknown key(s) {', '.join(unknown)}; valid: {', '.join(BRAND_KEYS)}")
    brand = {k: str(spec.get(k) or "") for k in BRAND_KEYS}
    if brand["logo"]:
        logo = Path(find_project_file(brand["logo"]))
        if not logo.is_file() and not logo.is_absolute():
            logo = path.parent.parent / brand["logo"]  # params/brand.yaml names it from the project folder
        if logo.suffix.lower() not in LOGO_TYPES or not logo.is_file():
            raise CLIError(
                f"{path}: logo {brand['logo']!r} is not a file of type {', '.join(LOGO_TYPES)} (or leave it empty)"
            )
        brand["logo_path"] = str(logo)
    return brand


# ---- the zip ------------------------------------------------------------------------------------------------


@dataclass
class AuditPack:
    """What goes into the zip: member name -> bytes, and the manifest's parameters."""

    members: dict[str, bytes] = field(default_factory=dict)
    parameters: dict = field(default_factory=dict)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def manifest(pack: AuditPack) -> dict:
    """The manifest: the parameters and the sha256 and size of every other member."""
    return {
        **pack.parameters,
        "files": {name: {"sha256": sha256(data), "bytes": len(data)} for name, data in sorted(pack.members.items())},
    }


def write_zip(pack: AuditPack, path: Path) -> Path:
    """Write the members and ``manifest.json`` to ``path`` atomically (a temporary file moved into place)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f, zipfile.ZipFile(f, "w", zipfile.ZIP_DEFLATED) as z:
            for name, data in sorted(pack.members.items()):
                z.writestr(name, data)
            z.writestr("manifest.json", json.dumps(manifest(pack), ensure_ascii=False, indent=1))
        from ...batch.run import FILE_MODE

        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def verify_zip(path: str | os.PathLike) -> list[str]:
    """The members whose sha256 disagrees with the manifest, or that it does not list (empty: all good)."""
    with zipfile.ZipFile(path) as z:
        man = json.loads(z.read("manifest.json"))
        names = set(z.namelist()) - {"manifest.json"}
        bad = sorted(n for n in names if man["files"].get(n, {}).get("sha256") != sha256(z.read(n)))
        return bad + sorted(set(man["files"]) - names)


def _t(key: str, lang: str) -> str:
    return COVER_TEXT[key].get(lang) or COVER_TEXT[key]["en"]


def cover_html(pack: AuditPack, brand: dict, documents: list[tuple[str, str, list[str]]], scores: dict) -> str:
    """The cover and index page. ``documents``: (report title, base member name, formats); every text from the
    client's data or the brand is escaped."""
    p, lang = pack.parameters, pack.parameters.get("lang", "ru")
    e = html.escape
    color = brand.get("color") or "#1e3a8a"
    if not (color.startswith("#") and len(color) in (4, 7) and all(c in "0123456789abcdefABCDEF" for c in color[1:])):
        color = "#1e3a8a"
    logo = ""
    if "brand/logo" in "".join(pack.members):
        name = next(n for n in pack.members if n.startswith("brand/logo"))
        logo = f'<img src="{e(name)}" alt="" style="height:48px">'
    who = " · ".join(e(brand[k]) for k in ("name", "company", "email", "phone", "website") if brand.get(k))
    rows = [
        (_t("client", lang), p.get("client", "")),
        (_t("period", lang), p.get("period_label", "")),
        (_t("as_of", lang), p.get("data_as_of", "")),
        (_t("version", lang), f"crmreports {p.get('software_version', '')}"),
        (_t("generated", lang), p.get("generated_at", "")),
    ]
    if who:
        rows.append((_t("consultant", lang), None))
    facts = "".join(f"<tr><th>{e(k)}</th><td>{who if v is None else e(str(v))}</td></tr>" for k, v in rows)
    lights = {"green": "#16a34a", "yellow": "#eab308", "red": "#dc2626"}
    score_rows = ""
    for area in ("overall", "process", "speed", "data"):
        v = scores.get(f"score_{area}")
        if v is None:
            continue
        light = "green" if v >= 80 else "yellow" if v >= 50 else "red"
        score_rows += (
            f'<tr><th>{e(_t("area." + area, lang))}</th><td><span style="color:{lights[light]}">●</span> '
            f"{int(v)} / 100</td></tr>"
        )
    docs = "".join(
        f"<li>{e(title)}: " + ", ".join(f'<a href="{e(base)}.{fmt}">{fmt.upper()}</a>' for fmt in formats) + "</li>"
        for title, base, formats in documents
    )
    lists = "".join(
        f'<li><a href="{e(n)}">{e(n.rpartition("/")[2])}</a></li>' for n in sorted(pack.members) if n.endswith(".csv")
    )
    failed = "".join(f"<li>{e(f)}</li>" for f in p.get("failed", []))
    return f"""<!DOCTYPE html>
<html lang="{e(lang)}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>{e(_t("title", lang))} — {e(p.get("client", ""))}</title>
<style>body{{font-family:"DejaVu Sans",Arial,sans-serif;max-width:820px;margin:2em auto;padding:0 1em;color:#111827}}
h1{{color:{color}}} table{{border-collapse:collapse}} th{{text-align:left;padding:.3em 1em .3em 0;color:#4b5563;
font-weight:normal}} td{{padding:.3em 0}} .muted{{color:#6b7280;font-size:.9em}}</style></head><body>
<header>{logo}</header>
<h1>{e(_t("title", lang))}: {e(p.get("client", ""))}</h1>
<table>{facts}</table>
{f"<h2>{e(_t('scores', lang))}</h2><table>{score_rows}</table>" if score_rows else ""}
<h2>{e(_t("documents", lang))}</h2><ul>{docs}</ul>
{f"<h2>{e(_t('failed', lang))}</h2><ul>{failed}</ul>" if failed else ""}
<h2>{e(_t("lists", lang))}</h2><ul>{lists}</ul>
<p class="muted">{e(_t("manifest", lang))}</p>
</body></html>
"""


def zip_name(as_of) -> str:
    """``audit-<date of the data>.zip``: the same data gives the same name."""
    return f"audit-{as_of:%Y-%m-%d}.zip"


def assemble(done, brand: dict, parameters: dict, lang: str) -> tuple[AuditPack, list[str]]:
    """The zip's members from a pack run (:class:`crmreports.batch.pack.PackRun`): each report's HTML and PDF, the
    audit's CSV lists, the logo, the cover. Returns the pack and the documents that failed."""
    from ... import reports as registry
    from ...core.labels import t
    from ...reports.audit import metrics

    pack = AuditPack(parameters=dict(parameters))
    failed = [f"{r.job.report}/{r.job.scope}: {r.error}" for r in done.results if not r.ok]
    pack.parameters["failed"] = failed
    documents, scores = [], {}
    ordered = sorted(done.results, key=lambda r: (r.job.report != "audit", registry.names().index(r.job.report)))
    for r in ordered:
        if not r.ok:
            continue
        formats = [f for f in ("html", "pdf") if f in r.files and Path(r.files[f]).is_file()]
        base = f"reports/{r.job.report}"
        for f in formats:
            pack.members[f"{base}.{f}"] = Path(r.files[f]).read_bytes()
        documents.append((t(f"report.{r.job.report}", lang), base, formats))
        if r.job.report == "audit":
            doc = json.loads(Path(r.files["json"]).read_text(encoding="utf-8"))
            scores = doc.get("figures", {})
            folder = Path(r.files["json"]).parent
            for name, rel in doc.get("tables", {}).items():
                if name in metrics.FINDINGS or name in ("findings", "scores"):
                    pack.members[f"findings/{name}.csv"] = (folder / rel).read_bytes()
    if brand.get("logo_path"):
        logo = Path(brand["logo_path"])
        pack.members[f"brand/logo{logo.suffix.lower()}"] = logo.read_bytes()
    pack.members["index.html"] = cover_html(pack, brand, documents, scores).encode("utf-8")
    return pack, failed


def run(args) -> int:
    from ... import __version__, store
    from ...batch.pack import build_pack
    from ...core import fmt
    from ...core.periods import PeriodError
    from ...core.scopes import ParameterError, slug
    from ...present.context import validate

    brand = load_brand(args.brand)
    try:
        period, _, _, _ = validate(args.store, args.period, "", "", args.lang)
        con = store.connect(args.store, read_only=True)
        try:
            account = store.read_account(con)
        finally:
            con.close()
    except (ParameterError, PeriodError, store.StoreError, ValueError) as exc:
        raise CLIError(str(exc)) from None
    client = args.account or str(account.get("name") or "account")
    folder = Path(args.out) if args.account else Path(args.out) / slug(client, "account")
    as_of = store.data_end(account)
    try:
        done = build_pack(
            args.store,
            period.key,
            args.pack,
            str(folder / "documents"),
            args.lang,
            args.jobs,
            args.force,
            links=getattr(args, "deal_links", ""),
        )
    except (ParameterError, PeriodError, store.StoreError, ValueError) as exc:
        raise CLIError(str(exc)) from None
    audit = [r for r in done.results if r.job.report == "audit"]
    if not audit or not audit[0].ok:
        why = audit[0].error if audit else f"the pack {args.pack!r} has no audit"
        raise CLIError(f"the audit report failed: {why}; no zip written")
    synced = account.get("synced_at")
    parameters = {
        "client": client,
        "account": str(account.get("name") or ""),
        "subdomain": None if account.get("subdomain") is None else str(account.get("subdomain")),
        "period": period.key,
        "period_label": fmt.period_label(period, args.lang),
        "lang": args.lang,
        "pack": args.pack,
        "data_as_of": fmt.datetime_(as_of, args.lang),
        "timezone": str(account.get("timezone") or ""),
        "currency": str(account.get("currency") or ""),
        "store": Path(str(args.store)).name,
        "store_synced_at": None if synced is None or str(synced) == "NaT" else f"{synced:%Y-%m-%dT%H:%M:%S}Z",
        "software_version": __version__,
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "consultant": brand.get("name", ""),
        "rebuild": f"crmreports --store STORE audit --period {period.key} --lang {args.lang} --pack {args.pack}",
    }
    pack, failed = assemble(done, brand, parameters, args.lang)
    path = write_zip(pack, folder / zip_name(as_of))
    print(f"{done.summary()}")
    print(f"audit pack: {path} ({len(pack.members) + 1} files)")
    for f in failed:
        print(f"FAILED {f}")
    return 1 if failed else 0
