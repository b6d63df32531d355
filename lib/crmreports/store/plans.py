"""Sales plans («Цели»), for every report that shows one (the goals report, the managers scorecard): reading and
validating the plan file ``params/goals.yaml``, and a plan's fact and done share.

amoCRM has no API for plans, so they live in a YAML file (format: the header of ``params/goals.yaml``)::

    currency: RUB
    plans:
      - {scope: team, period: 2026-10, metric: revenue, target: 30000000}
      - {scope: Анна Смирнова, period: 2026-Q4, metric: won_deals, target: 90}

:func:`load_goals` finds and reads the file, :func:`parse_goals` validates its text: every problem is
reported at once (:class:`GoalsError`), each naming the file, the entry, its line and field and what is
valid. The result (:class:`GoalsFile` of :class:`Plan`) is what the reports evaluate: the goals report's
progress, run-rate and projection (:mod:`crmreports.reports.goals.metrics`), the managers scorecard's done share.

A plan's **fact** (:func:`fact`) is the won revenue (``revenue`` plans) or the number of won deals (``won_deals``
plans) of the scope, by the date the deal moved to won (:mod:`crmreports.store.concepts`), from the period's start
up to the as-of moment (exclusive); its **done share** is fact / plan (:func:`done_share`).
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from ..core.periods import Period, PeriodError, parse_period
from ..core.scopes import slug
from . import concepts
from .files import find_project_file

METRICS = ("revenue", "won_deals")
PLAN_FIELDS = ("scope", "period", "metric", "target")
TOP_FIELDS = ("currency", "plans")
DEFAULT_GOALS = "params/goals.yaml"
TEAM = "team"


class GoalsError(ValueError):
    """A goals file that cannot be used; ``errors`` holds one message per problem."""

    def __init__(self, source: str, errors: list[str]):
        self.source, self.errors = source, list(errors)
        n = len(self.errors)
        head = f"{source}: {n} error{'s' if n != 1 else ''} in the goals file"
        super().__init__(head + ":\n" + "\n".join(f"  - {e}" for e in self.errors))


@dataclass(frozen=True)
class Plan:
    """One entry of the goals file."""

    index: int  # position in ``plans`` (0-based)
    line: int | None  # 1-based line of the entry in the file
    scope: str  # "team" or the manager's name as in the CRM
    user_id: int | None  # the manager's id (None for the team or when users were not checked)
    period: Period
    metric: str  # revenue | won_deals
    target: float

    @property
    def scope_key(self) -> str:
        return TEAM if self.scope == TEAM else self.scope.casefold()

    def describe(self) -> str:
        return f"{self.scope} {self.period.key} {self.metric}"


@dataclass(frozen=True)
class GoalsFile:
    source: str
    currency: str | None
    plans: tuple[Plan, ...]

    def for_scope(self, scope_name: str | None) -> list[Plan]:
        """Plans of the team (``None``) or of one manager, in file order."""
        key = TEAM if scope_name is None else str(scope_name).casefold()
        return [p for p in self.plans if p.scope_key == key]

    def find(self, scope_name: str | None, period: Period, metric: str) -> Plan | None:
        for p in self.for_scope(scope_name):
            if p.period.key == period.key and p.metric == metric:
                return p
        return None

    def in_force(self, scope_name: str | None, period: Period) -> list[Plan]:
        """Plans of the scope for exactly this period, then plans whose period contains it (a quarter
        plan when the report is for one of its months); revenue before count plans."""
        own = self.for_scope(scope_name)
        exact = [p for p in own if p.period.key == period.key]
        wider = [
            p
            for p in own
            if p.period.key != period.key and p.period.start <= period.start and period.end <= p.period.end
        ]
        order = {m: i for i, m in enumerate(METRICS)}
        return sorted(exact, key=lambda p: order[p.metric]) + sorted(
            wider, key=lambda p: (p.period.start, order[p.metric])
        )


# ---------------------------------------------------------------- loading and validation


def resolve_goals_path(path: str | os.PathLike | None = None) -> Path:
    """The goals file: ``path`` (default ``params/goals.yaml``); a relative path that does not exist from
    the working directory is also looked up from its parents (as :func:`crmreports.store.resolve_path`)."""
    return find_project_file(path or DEFAULT_GOALS)


def load_goals(path: str | os.PathLike | None = None, users: pd.DataFrame | None = None) -> GoalsFile:
    """Read and validate a goals file; raise :class:`GoalsError` naming the file and every problem."""
    p = resolve_goals_path(path)
    if not p.exists():
        raise GoalsError(
            str(path or DEFAULT_GOALS),
            [
                (
                    f"file not found (looked for {str(p)!r}); create it: see the format at the top of "
                    f"{DEFAULT_GOALS} in the project, or pass goals=<path>"
                )
            ],
        )
    return parse_goals(p.read_text(encoding="utf-8"), str(path or DEFAULT_GOALS), users)


def _line(node) -> int | None:
    return node.start_mark.line + 1 if node is not None and hasattr(node, "start_mark") else None


def _key_nodes(node) -> dict:
    """{key: (key node, value node)} of a YAML mapping node (duplicate keys: the last wins)."""
    out = {}
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            out[str(k.value)] = (k, v)
    return out


def _user_names(users: pd.DataFrame | None) -> dict[str, tuple[int, str]]:
    """casefold(name) and slug -> (id, name)."""
    if users is None:
        return {}
    out = {}
    for uid, name in zip(users["id"], users["name"]):
        out[str(name).casefold()] = (int(uid), str(name))
        out.setdefault(slug(str(name)), (int(uid), str(name)))
    return out


def parse_goals(text: str, source: str = DEFAULT_GOALS, users: pd.DataFrame | None = None) -> GoalsFile:
    """Validate the text of a goals file (see the module docstring). Every problem is reported at once,
    each naming the entry (``plans[i]``, 0-based, with its line), the field and what is valid."""
    try:
        root = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise GoalsError(source, [f"not valid YAML: {exc}"]) from None
    if data is None:
        raise GoalsError(
            source, [(f"the file is empty; it needs a `plans:` list (see the format at the top of {DEFAULT_GOALS})")]
        )
    if not isinstance(data, dict):
        raise GoalsError(source, ["the file must be a mapping with the keys `currency` and `plans`"])
    errors: list[str] = []
    top = _key_nodes(root)
    for k in data:
        if str(k) not in TOP_FIELDS:
            errors.append(
                f"line {_line(top.get(str(k), (None,))[0])}: unknown key {str(k)!r}; valid: {', '.join(TOP_FIELDS)}"
            )
    currency = data.get("currency")
    if currency is not None and not (isinstance(currency, str) and len(currency) == 3 and currency.isalpha()):
        errors.append(
            f"line {_line(top['currency'][1])}, field 'currency': {currency!r} is not a three-letter "
            "currency code such as RUB"
        )
    plans_raw = data.get("plans")
    if not isinstance(plans_raw, list):
        errors.append(
            "`plans` must be a list of entries with the fields "
            + ", ".join(PLAN_FIELDS)
            + (" (it is missing)" if plans_raw is None else "")
        )
        raise GoalsError(source, errors)
    plan_nodes = top["plans"][1].value if isinstance(top["plans"][1], yaml.SequenceNode) else []
    names = _user_names(users)
    valid_names = sorted({n for _, n in names.values()})
    plans: list[Plan] = []
    seen: dict[tuple, int] = {}
    for i, entry in enumerate(plans_raw):
        node = plan_nodes[i] if i < len(plan_nodes) else None
        where = f"plans[{i}] (line {_line(node)})"
        if not isinstance(entry, dict):
            errors.append(f"{where}: an entry must be a mapping with the fields {', '.join(PLAN_FIELDS)}")
            continue
        fields = _key_nodes(node)
        for k in entry:
            if str(k) not in PLAN_FIELDS:
                errors.append(
                    f"{where}: unknown field {str(k)!r} (line {_line(fields.get(str(k), (None,))[0])}); "
                    f"valid: {', '.join(PLAN_FIELDS)}"
                )
        missing = [f for f in PLAN_FIELDS if f not in entry or entry[f] is None]
        if missing:
            errors.append(f"{where}: missing field{'s' if len(missing) > 1 else ''} {', '.join(missing)}")
        ok = not missing

        def at(f: str, where=where, fields=fields, node=node) -> str:
            return f"{where}, field '{f}'" + (
                f" (line {_line(fields[f][1])})" if f in fields and _line(fields[f][1]) != _line(node) else ""
            )

        scope, user_id = None, None
        if "scope" in entry and entry["scope"] is not None:
            raw = str(entry["scope"]).strip()
            if raw.casefold() == TEAM:
                scope = TEAM
            elif not names:
                scope = raw
            elif raw.casefold() in names or slug(raw) in names:
                user_id, scope = names.get(raw.casefold()) or names[slug(raw)]
            else:
                errors.append(f"{at('scope')}: unknown manager {raw!r}; valid: team or one of {', '.join(valid_names)}")
                ok = False
        period = None
        if "period" in entry and entry["period"] is not None:
            raw = str(entry["period"]).strip()
            try:
                period = parse_period(raw)
            except PeriodError:
                period = None
            if period is None or period.kind not in ("month", "quarter"):
                errors.append(
                    f"{at('period')}: {raw!r} is not a month or a quarter; valid: 2026-10 (month), 2026-Q4 (quarter)"
                )
                ok, period = False, None
        metric = entry.get("metric")
        if metric is not None and metric not in METRICS:
            errors.append(
                f"{at('metric')}: {metric!r} is not a plan metric; valid: revenue (won revenue), "
                "won_deals (number of won deals)"
            )
            ok = False
        target = entry.get("target")
        if target is not None:
            bad = None
            if isinstance(target, bool) or not isinstance(target, (int, float)) or math.isnan(float(target)):
                bad = f"{target!r} is not a number"
            elif target <= 0:
                bad = f"{target!r} must be greater than 0"
            elif metric == "won_deals" and float(target) != int(target):
                bad = f"{target!r} must be a whole number of deals"
            if bad:
                errors.append(f"{at('target')}: {bad}")
                ok = False
        if not ok:
            continue
        key = (TEAM if scope == TEAM else scope.casefold(), period.key, metric)
        if key in seen:
            errors.append(
                f"{where}: duplicate plan for {scope} {period.key} {metric}; it is already set by "
                f"plans[{seen[key]}] — keep one"
            )
            continue
        seen[key] = i
        plans.append(Plan(i, _line(node), scope, user_id, period, metric, float(target)))
    if errors:
        raise GoalsError(source, errors)
    return GoalsFile(source, currency, tuple(plans))


# ---------------------------------------------------------------- facts


def metric_value(won: pd.DataFrame, metric: str) -> float:
    """Revenue (:func:`crmreports.store.concepts.revenue_of`) or the number of won deals."""
    return concepts.revenue_of(won) if metric == "revenue" else float(len(won))


def fact(leads: pd.DataFrame, period: Period, metric: str, until: pd.Timestamp) -> float:
    """The plan's fact: won revenue or won deals from the period's start to ``min(until, period end)``."""
    end = min(pd.Timestamp(until), period.end_ts)
    return metric_value(concepts.won_between(leads, period.start_ts, end), metric)


def moment_for(period: Period, as_of: pd.Timestamp) -> pd.Timestamp:
    """The moment a plan is evaluated at: ``as_of`` clamped to the period."""
    return max(period.start_ts, min(pd.Timestamp(as_of), period.end_ts))


def done_share(plan: Plan, leads: pd.DataFrame, as_of: pd.Timestamp) -> float:
    """fact / plan of ``plan`` on the scope's deals ``leads``, the fact counted up to ``as_of``."""
    return fact(leads, plan.period, plan.metric, as_of) / plan.target
