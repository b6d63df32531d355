"""Marketing spend: what each lead source cost per month (amoCRM has no spend; it lives in ``params/spend/``).

Files of one account (its *key*: ``demo`` for the demo account, else the account's amoCRM subdomain, else
its name made safe for a file name; see :func:`account_key`) are ``params/spend/<key>.csv``, ``<key>.yaml``
or ``<key>.yml`` (any of them; amounts of the same source and month add up):

- **CSV** with a header ``source,month,amount`` (comma, semicolon or tab; UTF-8, a BOM allowed). ``month`` is
  ``YYYY-MM``; ``amount`` a number in the account's currency (``120000``, ``120 000,50``).
- **YAML**::

      spend:                         # amount per source per month
        Яндекс Директ: {2026-10: 150000, 2026-11: 160000}
      exports:                       # advertising systems' statistics exports (files next to this one)
        - file: direct-2026-11.csv
          format: direct             # direct (Яндекс Директ) or vk (VK Реклама)
          campaigns:                 # campaign -> lead source; a campaign not listed goes to `source`
            "Поиск | Оборудование": Яндекс Директ
          source: Яндекс Директ

Statistics exports (:func:`read_ad_export`): Яндекс Директ's report wizard («Мастер отчётов») CSV — a title line
with the report's name and dates, a header row in Russian (``Дата``, ``Кампания``, ``Расход (руб.)``), rows
separated by semicolons, a closing ``Итого``/``Всего`` line — or the Reports API's TSV (``Date``,
``CampaignName``, ``Cost`` in millionths of the currency unless ``micros: false``, closing with
``Total rows: N``); VK Реклама's statistics CSV (``Дата``, ``Кампания``, ``Потрачено`` / ``Расход``, comma or
semicolon). Only date, campaign and cost are read; other columns are ignored.

A malformed file is a :class:`SpendError` naming the file, the line and the field, and what is valid.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

SPEND_DIR = Path(__file__).resolve().parents[3] / "params" / "spend"
COLUMNS = ["source", "month", "amount"]
EXPORT_FORMATS = ("direct", "vk")

DATE_HEADERS = ("дата", "день", "date", "day")
CAMPAIGN_HEADERS = ("кампания", "название кампании", "campaign", "campaignname", "campaign name")
COST_HEADERS = (
    "расход (руб.)",
    "расход, ₽",
    "расход (₽)",
    "расход",
    "потрачено",
    "потрачено, ₽",
    "потрачено (₽)",
    "списано",
    "cost",
    "spent",
    "amount",
)
TOTAL_WORDS = ("итого", "всего", "total")


class SpendError(ValueError):
    """A spend file that cannot be read: names the file, the line, the field and what is valid."""

    def __init__(self, file, line: int | None, field: str | None, message: str):
        where = str(file) + (f", line {line}" if line else "") + (f", field {field!r}" if field else "")
        super().__init__(f"{where}: {message}")
        self.file, self.line, self.field = str(file), line, field


@dataclass(frozen=True)
class SpendData:
    """Spend per source and month (``spend``: source, month (first day), amount) and the files read."""

    spend: pd.DataFrame
    files: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return self.spend.empty


def empty() -> pd.DataFrame:
    return pd.DataFrame({"source": pd.Series(dtype=object), "month": pd.Series(dtype="datetime64[ns]"), "amount": 0.0})


# ---- values -------------------------------------------------------------------------------------------------


def parse_amount(text, file, line: int, field: str) -> float:
    """``120000``, ``120 000,50``, ``120,000.50``, ``1.5e5`` → a non-negative float; else a SpendError."""
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        value = float(text)
    else:
        s = str(text if text is not None else "").strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
        s = s.replace("₽", "").replace("руб.", "").replace("руб", "")
        if "," in s and "." in s:
            s = s.replace(",", "")  # 120,000.50
        else:
            s = s.replace(",", ".")
        try:
            value = float(s)
        except ValueError:
            raise SpendError(
                file, line, field, f"{text!r} is not an amount; valid: a number such as 120000 or 120 000,50"
            ) from None
    if value != value or value in (float("inf"), float("-inf")) or value < 0:
        raise SpendError(file, line, field, f"{text!r} is not an amount; valid: a non-negative number")
    return value


def parse_month(text, file, line: int, field: str = "month") -> pd.Timestamp:
    s = str(text if text is not None else "").strip()
    m = re.fullmatch(r"(\d{4})-(\d{1,2})", s)
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise SpendError(file, line, field, f"{text!r} is not a month; valid: YYYY-MM such as 2026-11")
    return pd.Timestamp(int(m.group(1)), int(m.group(2)), 1)


def parse_day(text, file, line: int, field: str) -> pd.Timestamp:
    s = str(text if text is not None else "").strip()
    for pattern in ("%d.%m.%Y", "%Y-%m-%d", "%d.%m.%y", "%d/%m/%Y"):
        try:
            return pd.Timestamp(pd.to_datetime(s, format=pattern))
        except ValueError:
            continue
    raise SpendError(file, line, field, f"{text!r} is not a date; valid: DD.MM.YYYY or YYYY-MM-DD")


def _text(path: Path) -> str:
    raw = path.read_bytes()
    for enc in ("utf-8-sig", "cp1251"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    raise SpendError(path, None, None, "the file is neither UTF-8 nor Windows-1251 text")


def _rows(text: str) -> list[tuple[int, list[str]]]:
    """Lines split on the file's delimiter (tab, semicolon or comma, whichever the first lines use most),
    with their 1-based line numbers; empty lines dropped."""
    lines = text.splitlines()
    sample = "\n".join(lines[:5])
    delim = max(("\t", ";", ","), key=sample.count)
    out = []
    for i, row in enumerate(csv.reader(io.StringIO(text), delimiter=delim), start=1):
        if any(c.strip() for c in row):
            out.append((i, [c.strip() for c in row]))
    return out


# ---- plain spend files ----------------------------------------------------------------------------------------


def read_spend_csv(path: str | Path) -> pd.DataFrame:
    """A ``source,month,amount`` CSV (see the module docstring)."""
    path = Path(path)
    rows = _rows(_text(path))
    if not rows:
        return empty()
    line, header = rows[0]
    names = [h.lower() for h in header]
    missing = [c for c in COLUMNS if c not in names]
    if missing:
        raise SpendError(
            path, line, missing[0], f"missing column {missing[0]!r}; valid header: source, month, amount (got {header})"
        )
    idx = {c: names.index(c) for c in COLUMNS}
    out = []
    for line, row in rows[1:]:
        cells = {c: (row[i] if i < len(row) else "") for c, i in idx.items()}
        if not cells["source"]:
            raise SpendError(path, line, "source", "empty source; valid: the lead source's name as in the CRM")
        out.append(
            {
                "source": cells["source"],
                "month": parse_month(cells["month"], path, line),
                "amount": parse_amount(cells["amount"], path, line, "amount"),
            }
        )
    return pd.DataFrame(out, columns=COLUMNS) if out else empty()


def _yaml_lines(text: str) -> dict[str, int]:
    """Best-effort line numbers of keys in a YAML text (for error messages)."""
    out: dict[str, int] = {}
    for i, line in enumerate(text.splitlines(), start=1):
        m = re.match(r"\s*-?\s*[\"']?([^:\"']+)[\"']?\s*:", line)
        if m:
            out.setdefault(m.group(1).strip(), i)
    return out


def read_spend_yaml(path: str | Path) -> pd.DataFrame:
    """A spend YAML (see the module docstring): ``spend`` amounts and ``exports`` read with their mapping."""
    import yaml

    path = Path(path)
    text = _text(path)
    try:
        doc = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise SpendError(path, mark.line + 1 if mark else None, None, f"not valid YAML: {exc}") from None
    lines = _yaml_lines(text)
    if not isinstance(doc, dict):
        raise SpendError(path, 1, None, "valid: a mapping with the keys spend and/or exports")
    unknown = set(doc) - {"spend", "exports"}
    if unknown:
        key = sorted(map(str, unknown))[0]
        raise SpendError(path, lines.get(key), key, "unknown key; valid: spend, exports")
    out = []
    spend = doc.get("spend") or {}
    if not isinstance(spend, dict):
        raise SpendError(path, lines.get("spend"), "spend", "valid: source -> {YYYY-MM: amount}")
    for source, months in spend.items():
        line = lines.get(str(source))
        if not isinstance(months, dict):
            raise SpendError(path, line, str(source), "valid: {YYYY-MM: amount, ...} for each source")
        for month, amount in months.items():
            key = month.strftime("%Y-%m") if hasattr(month, "strftime") else str(month)
            out.append(
                {
                    "source": str(source),
                    "month": parse_month(key, path, line, f"{source}.{key}"),
                    "amount": parse_amount(amount, path, line, f"{source}.{key}"),
                }
            )
    frames = [pd.DataFrame(out, columns=COLUMNS)] if out else []
    exports = doc.get("exports") or []
    if not isinstance(exports, list):
        raise SpendError(path, lines.get("exports"), "exports", "valid: a list of {file, format, campaigns, source}")
    for k, item in enumerate(exports, start=1):
        line = lines.get("exports")
        if not isinstance(item, dict) or not item.get("file"):
            raise SpendError(path, line, f"exports[{k}].file", "valid: the export file's name, next to this file")
        fmt_ = str(item.get("format") or "")
        if fmt_ not in EXPORT_FORMATS:
            raise SpendError(path, line, f"exports[{k}].format", f"{fmt_!r}; valid: {', '.join(EXPORT_FORMATS)}")
        campaigns = item.get("campaigns") or {}
        if not isinstance(campaigns, dict):
            raise SpendError(path, line, f"exports[{k}].campaigns", "valid: a mapping campaign -> source")
        frames.append(
            read_ad_export(
                path.parent / str(item["file"]),
                fmt_,
                {str(a): str(b) for a, b in campaigns.items()},
                default_source=item.get("source"),
                micros=item.get("micros"),
            )
        )
    frames = [f for f in frames if len(f)]
    return pd.concat(frames, ignore_index=True) if frames else empty()


# ---- advertising systems' exports -------------------------------------------------------------------------------


def _find(header: list[str], names: tuple[str, ...]) -> int | None:
    low = [h.lower().strip().strip('"') for h in header]
    for n in names:
        if n in low:
            return low.index(n)
    for i, h in enumerate(low):  # "Расход (руб.) с НДС", "Потрачено, ₽ без НДС"
        if any(h.startswith(n) for n in names):
            return i
    return None


def read_ad_export(
    path: str | Path,
    format: str,
    campaigns: dict[str, str] | None = None,
    default_source: str | None = None,
    micros: bool | None = None,
) -> pd.DataFrame:
    """Spend per source and month from a statistics export of Яндекс Директ (``format="direct"``) or VK Реклама
    (``"vk"``): rows of date, campaign and cost (see the module docstring). ``campaigns`` maps a campaign to its
    lead source; a campaign not in it goes to ``default_source``, and without one it is an error naming it.
    ``micros``: the cost is in millionths (the Direct API's default); by default only for the API's ``Cost``."""
    path = Path(path)
    if format not in EXPORT_FORMATS:
        raise SpendError(path, None, "format", f"{format!r}; valid: {', '.join(EXPORT_FORMATS)}")
    if not path.exists():
        raise SpendError(path, None, None, "the export file does not exist")
    campaigns = campaigns or {}
    rows = _rows(_text(path))
    head = None
    for k, (_line, row) in enumerate(rows[:5]):  # a title line («Отчёт по кампаниям 01.11.2026 - 30.11.2026») first
        if _find(row, DATE_HEADERS) is not None and _find(row, COST_HEADERS) is not None:
            head = k
            break
    if head is None:
        raise SpendError(
            path,
            rows[0][0] if rows else None,
            None,
            "no header row with a date and a cost column among the first lines; valid headers: "
            "Дата/Date, Кампания/CampaignName, Расход (руб.)/Потрачено/Cost",
        )
    line, header = rows[head]
    di, ci, ki = _find(header, DATE_HEADERS), _find(header, CAMPAIGN_HEADERS), _find(header, COST_HEADERS)
    if ci is None:
        raise SpendError(path, line, "Кампания", f"no campaign column; valid: Кампания, CampaignName (got {header})")
    api_cost = header[ki].strip().lower() == "cost"
    scale = 1e-6 if (micros if micros is not None else api_cost) else 1.0
    out = []
    for line, row in rows[head + 1 :]:
        first = (row[0] if row else "").lower()
        if any(first.startswith(w) for w in TOTAL_WORDS):  # «Итого», «Всего», "Total rows: 12"
            continue
        if len(row) <= max(di, ci, ki):
            raise SpendError(path, line, header[min(len(row), len(header) - 1)], "the row has too few fields")
        day = parse_day(row[di], path, line, header[di])
        campaign = row[ci]
        source = campaigns.get(campaign, default_source)
        if not source:
            raise SpendError(
                path,
                line,
                header[ci],
                f"campaign {campaign!r} has no lead source; add it to `campaigns` (campaign: source) or give `source`",
            )
        out.append(
            {
                "source": str(source),
                "month": day.to_period("M").to_timestamp(),
                "amount": parse_amount(row[ki], path, line, header[ki]) * scale,
            }
        )
    if not out:
        return empty()
    df = pd.DataFrame(out, columns=COLUMNS)
    return df.groupby(["source", "month"], as_index=False, sort=True)["amount"].sum()


# ---- an account's spend -------------------------------------------------------------------------------------------


def account_key(account: pd.Series | dict | None) -> str:
    """``demo`` for the demo account, else the subdomain, else the account's name made file-safe."""
    if account is None:
        return "default"
    if str(account.get("source") or "") == "demo":
        return "demo"
    sub = account.get("subdomain")
    if isinstance(sub, str) and sub.strip():
        return sub.strip().lower()
    name = str(account.get("name") or "default")
    return re.sub(r"[^\w.-]+", "-", name, flags=re.UNICODE).strip("-").lower() or "default"


def spend_files(key: str, folder: str | Path | None = None) -> list[Path]:
    folder = Path(folder) if folder else SPEND_DIR
    return [folder / f"{key}.{ext}" for ext in ("csv", "yaml", "yml") if (folder / f"{key}.{ext}").exists()]


def read_spend(paths: list[str | Path]) -> SpendData:
    """Spend from these files (CSV or YAML), summed per source and month."""
    frames = []
    for p in paths:
        p = Path(p)
        if not p.exists():
            raise SpendError(p, None, None, "the spend file does not exist")
        if p.suffix.lower() == ".csv":
            frames.append(read_spend_csv(p))
        elif p.suffix.lower() in (".yaml", ".yml"):
            frames.append(read_spend_yaml(p))
        else:
            raise SpendError(p, None, None, "unknown kind of spend file; valid: .csv, .yaml, .yml")
    frames = [f for f in frames if len(f)]
    if not frames:
        return SpendData(empty(), tuple(str(p) for p in paths))
    df = pd.concat(frames, ignore_index=True).groupby(["source", "month"], as_index=False, sort=True)["amount"].sum()
    return SpendData(df, tuple(str(p) for p in paths))


def load_account_spend(account: pd.Series | dict | None, spend: str | None = None) -> SpendData:
    """The account's spend: the files ``spend`` names (comma-separated paths), or ``params/spend/<key>.*``."""
    if spend:
        return read_spend([s.strip() for s in str(spend).split(",") if s.strip()])
    return read_spend(spend_files(account_key(account)))
