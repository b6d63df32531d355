"""Alerts: rules on a built period's figures (``params/alerts.yaml``); each that fires is a short message with a link.

A rule reads one value per document ``<out>/<period>/<report>/<scope>.json`` of the scopes it asks for:

- a figure of the JSON's ``"figures"`` (``figure: calls_missed_not_called_back``), or the ratio of two
  (``figure: fact / plan``);
- or one cell of a table CSV the document wrote (``table: funnel``, ``row: {pipeline: Продажи, stage: ...}``,
  ``column: conv_cumulative``): the row whose columns equal every value given (as text), read from the path the
  JSON's ``"tables"`` names (``<scope>/<table>.csv`` otherwise). No row, or several, is a note, not an alert.

and compares it with a bound of one of the kinds in :data:`COMPARISONS`:

- ``below: X`` / ``above: X``: a fixed threshold;
- ``below_figure: REF`` / ``above_figure: REF``: another figure (or ratio) of the same document times ``factor``
  (default 1), e.g. the goals' ``plan_done_share`` below ``working_days_elapsed / working_days_total``;
- ``below_percentile: P`` / ``above_percentile: P``: the P-th percentile of the same value (same report, scope,
  figure or table cell) in up to ``history`` (default 12) earlier built periods of the same kind, the nearest first
  (a built period is a folder ``<out>/<period>`` with an ``index.json``). The percentile is the linear interpolation
  between the closest ranks (numpy's default, Excel's PERCENTILE.INC). When fewer than ``min_history`` (default 6)
  of those periods have the value, the rule does not fire for that scope and a note says the history is too short.

**Boundaries are inclusive**: a ``below`` rule fires when the value is *at or below* the threshold, an ``above``
rule when it is *at or above* it (so "missed calls not returned, above: 10" fires at 10, not at 9; "below: 0.5"
fires at 0.5, not at 0.51). Equality allows for float rounding: a relative difference up to 1e-9 counts as equal.

:func:`evaluate` returns the fired :class:`Alert` s (an :class:`Alerts` list, whose ``notes`` say which rules could not
be checked and why); each alert's message (ru and en) names the scope, the value, the threshold and the count it
rests on (``count:``) where the rule names one, and its ``link`` is the document page relative to the out folder,
``<period>/<report>/<scope>.html#<section>`` (the anchor when the rule names a section the page has).
A pack in another language than Russian (``lang``) is read and linked under that language's names, as the runner
writes them (:func:`crmreports.batch.run.output_stem`): ``<scope>.en.json``, ``<scope>.en.html``, ``index.en.json``.
A bad rule is an :class:`AlertRuleError` naming the file, the rule and the field, and listing what is valid.
"""

from __future__ import annotations

import csv
import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import yaml

from .. import reports as registry
from ..batch.run import output_stem
from ..core import fmt
from ..core.labels import LANGS, all_keys, has, t
from ..core.periods import Period, PeriodError, parse_period

COMPARISONS = ("below", "above", "below_percentile", "above_percentile", "below_figure", "above_figure")
FORMATS = ("number", "money", "percent")
SCOPE_KINDS = ("team", "groups", "managers")
FIELDS = (
    "id",
    "title",
    "report",
    "figure",
    "table",
    "row",
    "column",
    "scopes",
    "format",
    "count",
    "count_noun",
    "section",
    "history",
    "min_history",
    "factor",
    "reference_title",
    *COMPARISONS,
)
DEFAULT_HISTORY = 12
DEFAULT_MIN_HISTORY = 6
TOLERANCE = 1e-9
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


class AlertRuleError(ValueError):
    """A bad ``alerts.yaml``: the message names the file, the rule and the field, and lists what is valid."""


@dataclass(frozen=True)
class Rule:
    """One alert rule (see the module docstring for the fields' meaning)."""

    id: str
    report: str
    comparison: str  # one of COMPARISONS
    bound: float | str  # the threshold, the percentile, or the reference figure (``a`` or ``a / b``)
    figure: str | None = None  # ``key`` or ``key_a / key_b``; None for a table rule
    table: str | None = None
    row: tuple[tuple[str, str], ...] = ()
    column: str | None = None
    scopes: tuple[str, ...] = ("team",)
    title: dict[str, str] | None = None  # {"ru", "en"}
    format: str = "number"
    count: str | None = None  # a figure (figure rules) or a column of the row (table rules)
    count_noun: str | None = None  # a ``noun.*`` label: deal, call, lead, ...
    section: str | None = None  # the document page's anchor (a section key: funnel, kpis, missed, ...)
    history: int = DEFAULT_HISTORY
    min_history: int = DEFAULT_MIN_HISTORY
    factor: float = 1.0
    reference_title: dict[str, str] | None = None
    source: str = "alerts.yaml"

    @property
    def below(self) -> bool:
        return self.comparison.startswith("below")

    @property
    def kind(self) -> str:
        """``threshold``, ``percentile`` or ``figure``."""
        return self.comparison.partition("_")[2] or "threshold"

    def title_text(self, lang: str) -> str:
        if self.title:
            return self.title.get(lang) or next(iter(self.title.values()))
        if self.figure:
            return self.figure
        return f"{self.table}.{self.column} [{', '.join(v for _, v in self.row)}]"


@dataclass(frozen=True)
class Alert:
    """A rule that fired for one scope: the value, the threshold it reached, and the message in each language."""

    rule_id: str
    report: str
    scope: str  # "team", "group-..." or the manager's slug
    period: str
    value: float
    threshold: float
    message: dict[str, str]  # {"ru": ..., "en": ...}
    link: str  # the document page relative to the out folder, with its anchor
    count: float | None = None
    history: int | None = None  # how many earlier periods a percentile rests on
    scope_label: str = ""

    def text(self, lang: str = "ru") -> str:
        return self.message[lang]


@dataclass(frozen=True)
class Note:
    """A rule that could not be checked for a scope: ``short_history``, ``missing``, ``ambiguous``, ``no_documents``."""

    rule_id: str
    report: str
    scope: str
    reason: str
    message: dict[str, str]

    def text(self, lang: str = "ru") -> str:
        return self.message[lang]


class Alerts(list):
    """The fired alerts (a plain list of :class:`Alert`); ``notes`` lists the rules not checked, and why."""

    def __init__(self, alerts: Iterable[Alert] = (), notes: Iterable[Note] = (), rules: int = 0):
        super().__init__(alerts)
        self.notes: list[Note] = list(notes)
        self.rules = rules

    def summary(self, lang: str = "ru") -> str:
        """One line for the command's output."""
        return t("alerts.summary", lang, fired=len(self), rules=self.rules, notes=len(self.notes))


# --- loading and validating the rules -------------------------------------------------------------------------------


def load_rules(path: str | Path) -> list[Rule]:
    """The rules of an ``alerts.yaml``; a missing or bad file is an :class:`AlertRuleError`."""
    path = Path(path)
    if not path.is_file():
        raise AlertRuleError(f"{path}: no such alerts file")
    try:
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise AlertRuleError(f"{path.name}: not valid YAML ({exc})") from None
    return parse_rules(spec, path.name)


def parse_rules(spec, source: str = "alerts.yaml") -> list[Rule]:
    """Validate the YAML's content (``{"rules": [rule, ...]}``) into :class:`Rule` s."""
    if spec is None:
        return []
    if not isinstance(spec, dict) or set(spec) - {"rules"}:
        extra = sorted(set(spec) - {"rules"}) if isinstance(spec, dict) else []
        raise AlertRuleError(
            f"{source}: expected a mapping with the single key 'rules' (a list of rules)"
            + (f"; unknown key(s): {', '.join(map(str, extra))}" if extra else "")
        )
    items = spec.get("rules") or []
    if not isinstance(items, list):
        raise AlertRuleError(f"{source}: 'rules' must be a list of rules")
    rules, seen = [], set()
    for i, item in enumerate(items, 1):
        rule = _parse_rule(item, i, source)
        if rule.id in seen:
            raise AlertRuleError(f"{source}: rule {rule.id!r}: field 'id': used twice; rule ids must be unique")
        seen.add(rule.id)
        rules.append(rule)
    return rules


def _parse_rule(item, number: int, source: str) -> Rule:
    where = f"{source}: rule #{number}"
    if not isinstance(item, dict):
        raise AlertRuleError(f"{where}: a rule must be a mapping of fields; valid fields: {', '.join(FIELDS)}")
    rid = item.get("id")
    if not isinstance(rid, str) or not _ID.fullmatch(rid):
        raise AlertRuleError(f"{where}: field 'id': required, letters, digits, '_', '-' or '.' (got {rid!r})")
    where = f"{source}: rule {rid!r}"

    def bad(name: str, why: str) -> AlertRuleError:
        return AlertRuleError(f"{where}: field {name!r}: {why}")

    unknown = [str(k) for k in item if k not in FIELDS]
    if unknown:
        raise bad(unknown[0], f"unknown field; valid fields: {', '.join(FIELDS)}")
    known_reports = registry.names()
    report = item.get("report")
    if report not in known_reports:
        raise bad("report", f"unknown report {report!r}; valid: {', '.join(known_reports)}")

    kinds = [c for c in COMPARISONS if c in item]
    if len(kinds) != 1:
        raise bad(
            kinds[1] if len(kinds) > 1 else "below",
            f"a rule needs exactly one comparison (has {len(kinds)}: {', '.join(kinds) or 'none'}); "
            f"valid comparisons: {', '.join(COMPARISONS)}",
        )
    comparison = kinds[0]
    raw = item[comparison]
    if comparison.endswith("_figure"):
        bound = _figure_ref(raw, comparison, bad)
    else:
        bound = _number(raw, comparison, bad)
        if comparison.endswith("_percentile") and not 0 <= bound <= 100:
            raise bad(comparison, f"a percentile is between 0 and 100 (got {raw!r})")

    figure = item.get("figure")
    table, column, row = item.get("table"), item.get("column"), item.get("row")
    if figure is not None and table is not None:
        raise bad("table", "a rule reads either a figure or a table cell (table, row, column), not both")
    if figure is None and table is None:
        raise bad("figure", "required: a figure key (or 'a / b'), or a table cell with table, row and column")
    if figure is not None:
        figure = _figure_ref(figure, "figure", bad)
        for name in ("row", "column"):
            if item.get(name) is not None:
                raise bad(name, "only with 'table'")
    else:
        if not isinstance(table, str) or not _NAME.fullmatch(table):
            raise bad("table", f"a table name such as funnel (got {table!r})")
        if not isinstance(column, str) or not column:
            raise bad("column", "required with 'table': the CSV column to read, e.g. conv_cumulative")
        if not isinstance(row, dict) or not row:
            raise bad("row", "required with 'table': the columns that pick the row, e.g. {stage: Квалификация}")
        row = tuple((str(k), _cell(v)) for k, v in row.items())

    scopes = item.get("scopes", ["team"])
    if isinstance(scopes, str):
        scopes = [scopes]
    if not isinstance(scopes, list) or not scopes or any(s not in SCOPE_KINDS for s in scopes):
        raise bad("scopes", f"a list of scope kinds (got {scopes!r}); valid: {', '.join(SCOPE_KINDS)}")

    fmt_kind = item.get("format", _default_format(report, figure))
    if fmt_kind not in FORMATS:
        raise bad("format", f"unknown format {fmt_kind!r}; valid: {', '.join(FORMATS)}")
    count = item.get("count")
    if count is not None and (not isinstance(count, str) or not count):
        raise bad("count", "a figure key (figure rules) or a column of the row (table rules)")
    nouns = sorted(k.removeprefix("noun.") for k in all_keys() if k.startswith("noun."))
    noun = item.get("count_noun")
    if noun is not None and noun not in nouns:
        raise bad("count_noun", f"unknown noun {noun!r}; valid: {', '.join(nouns)}")
    section = item.get("section")
    if section is not None and (not isinstance(section, str) or not _ID.fullmatch(section)):
        raise bad("section", f"a section key of the document page, such as funnel or kpis (got {section!r})")

    history = _integer(item.get("history", DEFAULT_HISTORY), "history", bad)
    min_history = _integer(item.get("min_history", min(DEFAULT_MIN_HISTORY, history)), "min_history", bad)
    if min_history > history:
        raise bad("min_history", f"at most 'history' ({history}), got {min_history}")
    for name in ("history", "min_history"):
        if name in item and not comparison.endswith("_percentile"):
            raise bad(name, "only with below_percentile or above_percentile")
    factor = _number(item.get("factor", 1.0), "factor", bad)
    if "factor" in item and not comparison.endswith("_figure"):
        raise bad("factor", "only with below_figure or above_figure")
    if "reference_title" in item and not comparison.endswith("_figure"):
        raise bad("reference_title", "only with below_figure or above_figure")

    return Rule(
        id=rid,
        report=report,
        comparison=comparison,
        bound=bound,
        figure=figure,
        table=table if figure is None else None,
        row=row if figure is None else (),
        column=column if figure is None else None,
        scopes=tuple(dict.fromkeys(scopes)),
        title=_text(item.get("title"), "title", bad),
        format=fmt_kind,
        count=count,
        count_noun=noun,
        section=section,
        history=history,
        min_history=min_history,
        factor=factor,
        reference_title=_text(item.get("reference_title"), "reference_title", bad),
        source=source,
    )


def _number(raw, name, bad) -> float:
    if isinstance(raw, bool) or not isinstance(raw, int | float) or not math.isfinite(raw):
        raise bad(name, f"a number (got {raw!r})")
    return float(raw)


def _integer(raw, name, bad) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int) or raw < 1:
        raise bad(name, f"a whole number of periods, 1 or more (got {raw!r})")
    return raw


def _figure_ref(raw, name, bad) -> str:
    """``key`` or ``key_a / key_b`` (the ratio of two figures)."""
    parts = [p.strip() for p in raw.split("/")] if isinstance(raw, str) else []
    if not 1 <= len(parts) <= 2 or not all(_NAME.fullmatch(p) for p in parts):
        raise bad(name, f"a figure key of the report's JSON, or 'a / b' for the ratio of two (got {raw!r})")
    return " / ".join(parts)


def _cell(v) -> str:
    return str(v) if not isinstance(v, float) or not v.is_integer() else str(int(v))


def _text(raw, name, bad) -> dict[str, str] | None:
    if raw is None:
        return None
    if isinstance(raw, str):
        return {lang: raw for lang in LANGS}
    if not isinstance(raw, dict) or not raw or any(k not in LANGS or not isinstance(v, str) for k, v in raw.items()):
        raise bad(name, f"a text, or one per language: {{ru: ..., en: ...}} (valid languages: {', '.join(LANGS)})")
    return {lang: raw.get(lang) or next(iter(raw.values())) for lang in LANGS}


def _default_format(report: str, figure: str | None) -> str:
    """The registry's kind of an index figure; ratios and table cells (conversions) are percentages."""
    if figure is None or "/" in figure:
        return "percent"
    for f in registry.get(report).index_figures:
        if f.key == figure:
            # a rule formats a forecast as money and a done share as a percentage
            return {"plan": "money", "estimate": "money", "done": "percent"}.get(f.kind, f.kind)
    return "number"


# --- evaluating ------------------------------------------------------------------------------------------------------


def evaluate(
    out_dir: str | Path, period: str | Period, rules: Iterable[Rule] | str | Path, lang: str = LANGS[0]
) -> Alerts:
    """Check every rule on ``<out_dir>/<period>``'s documents; the fired alerts, with the notes of rules not checked.

    ``rules`` is a list of :class:`Rule` or the path of an ``alerts.yaml``; ``lang`` the language of the pack whose
    documents are read (another than Russian: ``<scope>.<lang>.json``, and the links go to ``<scope>.<lang>.html``).
    """
    rules = load_rules(rules) if isinstance(rules, str | Path) else list(rules)
    per = parse_period(period) if isinstance(period, str) else period
    out = Path(out_dir)
    earlier = earlier_periods(out, per, lang)
    alerts, notes = [], []
    for rule in rules:
        folder = out / per.key / rule.report
        scopes = _scopes(folder, rule.scopes, lang)
        if not scopes:
            msg = {
                lang: t(
                    "alerts.note.no_documents",
                    lang,
                    rule=rule.id,
                    period=fmt.period_label(per, lang),
                    report=_report_title(rule.report, lang),
                    scopes=", ".join(t(f"alerts.scopes.{s}", lang) for s in rule.scopes),
                )
                for lang in LANGS
            }
            notes.append(Note(rule.id, rule.report, "", "no_documents", msg))
            continue
        for scope in scopes:
            found = _check(rule, out, per, scope, earlier, lang)
            if isinstance(found, Alert):
                alerts.append(found)
            elif found is not None:
                notes.append(found)
    return Alerts(alerts, notes, rules=len(rules))


def earlier_periods(out_dir: str | Path, period: Period, lang: str | None = LANGS[0]) -> list[str]:
    """The built periods of ``period``'s kind (in ``lang``) that start before it, nearest first."""
    found = [p for p in built_periods(out_dir, lang) if p.kind == period.kind and p.start < period.start]
    return [p.key for p in sorted(found, key=lambda p: (p.start, p.end), reverse=True)]


def built_periods(out_dir: str | Path, lang: str | None = LANGS[0]) -> list[Period]:
    """Every folder of ``out_dir`` named as a period (its canonical form) that holds the index of a pack in ``lang``
    (``index.json``; ``index.<lang>.json`` for another language than Russian; None: in any language)."""
    root = Path(out_dir)
    names = [f"{stem('index', x)}.json" for x in (LANGS if lang is None else (lang,))]
    found = []
    for child in sorted(root.iterdir()) if root.is_dir() else ():
        per = period_of(child.name)
        if per is not None and child.is_dir() and not child.is_symlink() and any((child / n).is_file() for n in names):
            found.append(per)
    return found


def stem(scope: str, lang: str = LANGS[0]) -> str:
    """A document's file name without extension in ``lang``: ``team``, ``team.en`` (as the runner names them,
    :func:`crmreports.batch.run.output_stem`)."""
    return output_stem(scope, lang)


def scope_of(name: str, lang: str = LANGS[0]) -> str | None:
    """The scope of a document file name without extension in ``lang`` (``team.en`` -> ``team`` for ``en``); None for
    another language's document."""
    suffix = stem("", lang)  # "" or ".en"
    if suffix and not name.endswith(suffix):
        return None
    scope = name[: len(name) - len(suffix)]
    return scope if scope and "." not in scope else None


def period_of(name: str) -> Period | None:
    """The period a folder name stands for, if it is exactly a period's canonical key."""
    try:
        per = parse_period(name)
    except PeriodError:
        return None
    return per if per.key == name else None


def scope_kind(scope: str) -> str:
    return "team" if scope == "team" else "groups" if scope.startswith("group-") else "managers"


def _scopes(folder: Path, kinds: tuple[str, ...], lang: str = LANGS[0]) -> list[str]:
    """The scopes of a report folder's documents in ``lang`` that the rule asks for: team, then groups, then
    managers."""
    if not folder.is_dir():
        return []
    found = [s for p in folder.glob("*.json") if (s := scope_of(p.stem, lang)) and scope_kind(s) in kinds]
    return sorted(found, key=lambda s: (SCOPE_KINDS.index(scope_kind(s)), s))


def _document(out: Path, period: str, report: str, scope: str, lang: str = LANGS[0]) -> dict | None:
    path = out / period / report / f"{stem(scope, lang)}.json"
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return doc if isinstance(doc, dict) else None


def _num(v) -> float | None:
    if v is None or isinstance(v, bool):
        return None
    try:
        x = float(v)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def _figure(figures: dict, ref: str) -> float | None:
    parts = ref.split(" / ")
    values = [_num(figures.get(p)) for p in parts]
    if any(v is None for v in values):
        return None
    if len(values) == 2:
        return values[0] / values[1] if values[1] else None
    return values[0]


class _Ambiguous(Exception):
    pass


def _table_row(out: Path, period: str, rule: Rule, scope: str, doc: dict, lang: str = LANGS[0]) -> dict | None:
    """The table row the rule picks (None when the table or the row is missing); several rows raise _Ambiguous."""
    folder = out / period / rule.report
    rel = (doc.get("tables") or {}).get(rule.table) or f"{stem(scope, lang)}/{rule.table}.csv"
    path = folder / rel
    if not path.is_file():
        return None
    with path.open(encoding="utf-8", newline="") as f:
        rows = [r for r in csv.DictReader(f) if all(r.get(k) == v for k, v in rule.row)]
    if len(rows) > 1:
        raise _Ambiguous
    return rows[0] if rows else None


def _read(rule: Rule, out: Path, period: str, scope: str, lang: str = LANGS[0]) -> tuple[float | None, float | None]:
    """(value, count) of the rule in one document; None where it is missing. Raises _Ambiguous."""
    doc = _document(out, period, rule.report, scope, lang)
    if doc is None:
        return None, None
    figures = doc.get("figures") or {}
    if rule.figure:
        return _figure(figures, rule.figure), (_figure(figures, rule.count) if rule.count else None)
    row = _table_row(out, period, rule, scope, doc, lang)
    if row is None:
        return None, None
    return _num(row.get(rule.column) or None), (_num(row.get(rule.count) or None) if rule.count else None)


def percentile(values: list[float], p: float) -> float:
    """The ``p``-th percentile (0..100) by linear interpolation between the closest ranks (numpy's default):
    rank ``(n - 1) · p / 100`` of the sorted values. Computed with exact fractions for the rank, so a threshold
    worked out by hand (P10 of 10, 20, …, 120 is 21) comes out exactly."""
    xs = sorted(values)
    pos = Fraction(p).limit_denominator(10**6) * (len(xs) - 1) / 100
    lo = math.floor(pos)
    frac = pos - lo
    if frac == 0:
        return xs[lo]
    return xs[lo] + (xs[lo + 1] - xs[lo]) * frac.numerator / frac.denominator


def _fires(rule: Rule, value: float, threshold: float) -> bool:
    """Inclusive: at or below (``below*``), at or above (``above*``), equal within a relative 1e-9."""
    tol = TOLERANCE * max(1.0, abs(threshold))
    return value <= threshold + tol if rule.below else value >= threshold - tol


def _check(
    rule: Rule, out: Path, per: Period, scope: str, earlier: list[str], lang: str = LANGS[0]
) -> Alert | Note | None:
    doc = _document(out, per.key, rule.report, scope, lang) or {}
    label = _scope_label(doc, scope)
    document = f"{per.key}/{rule.report}/{stem(scope, lang)}"
    what = rule.figure or f"{rule.table}.{rule.column} [{', '.join(f'{k}={v}' for k, v in rule.row)}]"
    try:
        value, count = _read(rule, out, per.key, scope, lang)
    except _Ambiguous:
        return _note(rule, scope, "ambiguous", label, document=document, what=what)
    if value is None:
        return _note(rule, scope, "missing", label, document=document, what=what)

    history = None
    if rule.kind == "threshold":
        threshold = float(rule.bound)
    elif rule.kind == "figure":
        ref = _figure((doc.get("figures") or {}), str(rule.bound))
        if ref is None:
            return _note(rule, scope, "missing", label, document=document, what=str(rule.bound))
        threshold = ref * rule.factor
    else:
        past = []
        for key in earlier[: rule.history]:
            try:
                v, _ = _read(rule, out, key, scope, lang)
            except _Ambiguous:
                v = None
            if v is not None:
                past.append(v)
        if len(past) < rule.min_history:
            return _note(rule, scope, "short_history", label, n=len(past), min=rule.min_history)
        threshold = percentile(past, float(rule.bound))
        history = len(past)
    if not _fires(rule, value, threshold):
        return None
    message = {lang: _message(rule, lang, label, value, threshold, count, history) for lang in LANGS}
    return Alert(
        rule_id=rule.id,
        report=rule.report,
        scope=scope,
        period=per.key,
        value=value,
        threshold=threshold,
        message=message,
        link=_link(out, per.key, rule, scope, lang),
        count=count,
        history=history,
        scope_label=label["ru"],
    )


def _scope_label(doc: dict, scope: str) -> dict[str, str]:
    if scope == "team":
        return {lang: t("common.team", lang) for lang in LANGS}
    name = str((doc.get("meta") or {}).get("scope_label") or scope)
    return {lang: name for lang in LANGS}


def _note(rule: Rule, scope: str, reason: str, label: dict[str, str], **kw) -> Note:
    message = {
        lang: t(f"alerts.note.{reason}", lang, scope=label[lang], rule=rule.id, title=rule.title_text(lang), **kw)
        for lang in LANGS
    }
    return Note(rule.id, rule.report, scope, reason, message)


def _report_title(report: str, lang: str) -> str:
    return t(f"report.{report}", lang) if has(f"report.{report}") else report


def _value(rule: Rule, x: float, lang: str, digits: int | None = None) -> str:
    if rule.format == "percent":
        return fmt.percent(x, lang, 1 if digits is None else digits)
    if rule.format == "money":
        return fmt.money(x, lang)
    return fmt.number(x, lang, 0 if digits is None and float(x).is_integer() else 1 if digits is None else digits)


def _message(rule: Rule, lang: str, label, value, threshold, count, history) -> str:
    basis = ""
    if count is not None:
        n = fmt.count(count, rule.count_noun, lang) if rule.count_noun else fmt.number(count, lang)
        basis = t("alerts.basis", lang, count=n)
    kw = {}
    if rule.kind == "percentile":
        periods = fmt.plural(history, t("alerts.noun.period", lang), lang)
        kw = {
            "p": fmt.number(float(rule.bound), lang),
            "history": t("alerts.history", lang, n=history, periods=periods),
        }
    elif rule.kind == "figure":
        ref = rule.reference_title.get(lang) if rule.reference_title else str(rule.bound)
        if rule.factor != 1:
            ref = t("alerts.factor", lang, reference=ref, factor=fmt.number(rule.factor, lang, 2))
        kw = {"reference": ref}
    return t(
        f"alerts.msg.{rule.comparison}",
        lang,
        scope=label[lang],
        title=rule.title_text(lang),
        value=_value(rule, value, lang),
        threshold=_value(rule, threshold, lang),
        basis=basis,
        **kw,
    )


def _link(out: Path, period: str, rule: Rule, scope: str, lang: str = LANGS[0]) -> str:
    """``<period>/<report>/<scope>.html`` (``<scope>.<lang>.html``), with ``#<section>`` when the rule names one the
    page has (or the page cannot be read to check)."""
    link = f"{period}/{rule.report}/{stem(scope, lang)}.html"
    if not rule.section:
        return link
    page = out / period / rule.report / f"{stem(scope, lang)}.html"
    try:
        text = page.read_text(encoding="utf-8")
    except OSError:
        return f"{link}#{rule.section}"
    return f"{link}#{rule.section}" if f'id="{rule.section}"' in text or f"id='{rule.section}'" in text else link


__all__ = [
    "COMPARISONS",
    "FORMATS",
    "SCOPE_KINDS",
    "Alert",
    "AlertRuleError",
    "Alerts",
    "Note",
    "Rule",
    "built_periods",
    "earlier_periods",
    "evaluate",
    "load_rules",
    "parse_rules",
    "percentile",
    "period_of",
    "scope_kind",
    "scope_of",
    "stem",
]
