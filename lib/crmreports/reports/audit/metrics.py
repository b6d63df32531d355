"""The CRM audit's findings and scores: pure functions over the store's frames (local time).

Each finding function returns a :class:`Finding`: how many records break its rule (``count``), the number the
rate rests on (``base``), the money at stake (``money``; NaN where no amount applies) and every offending record
(``records``, the CSV list; deals carry ``lead_id``). The rules, with the points each is worth, are in
:data:`RULES`; :func:`points` and :func:`score` turn findings into the 0–100 scores per area. Definitions:

Process (at the snapshot: the period's end, or the end of the data if earlier)
- ``no_task``: open deals without an open task of their own (:mod:`crmreports.store.discipline`, the one
  definition the scorecard shares). Money: the sum of their amounts.
- ``overdue_tasks``: open tasks (any entity) whose due time is before the snapshot
  (:func:`crmreports.store.discipline.overdue_tasks`); per manager. Money: the amounts of the open deals they
  are on.
- ``moved_back``: deals moved to an earlier open stage of the same pipeline within the period (base: deals with
  any move between open stages in the period). Money: their amounts.

Speed
- ``stuck_p75``: stale deals of :func:`crmreports.store.discipline.stale_deals`: open deals in their stage
  longer than the stage's P75 time, from the stays that ended within the 365 days before the snapshot (stages
  with fewer than :data:`MIN_VISITS` such stays are not judged).
- ``stuck_first``: open deals still in the first open stage of their pipeline after :data:`FIRST_STAGE_DAYS`.
- ``unsorted_backlog``: «Неразобранное» requests still pending at the snapshot; the rule counts those waiting
  longer than :data:`BACKLOG_HOURS` against the requests that came in during the period. No money: requests
  have no amount.
- ``missed_calls``: inbound calls of the period not answered and never followed by an outbound call to the
  same phone or contact up to the end of the data; calls missed less than :data:`CALLBACK_HOURS` before the
  end of the data are not judged yet.

Data quality
- ``won_no_amount``: deals won in the period with no or a zero amount. Money: their count × the average amount
  of the period's won deals that have one (an estimate).
- ``lost_no_reason``: deals lost in the period without a loss reason. Money: their amounts.
- ``no_source`` / ``no_contact``: deals created in the period without a source / without a contact.
- ``dup_contacts``: contacts sharing a normalised phone (digits, a Russian 8 or missing 7 made +7) or e-mail
  (lower case), or the same name within one company; the count is the contacts beyond the first of each group.
- ``dup_deals``: open deals of the same client (the same contact, or duplicate contacts) in the same pipeline;
  the count is the deals beyond the oldest of each group. Money: their amounts (the pipeline counted twice).
- ``unused_stages``: open stages no deal entered within the 365 days before the snapshot and no deal is in.
- ``skipped_stages``: open stages that at least :data:`SKIP_SHARE` of the deals passing them skip (deals that
  entered the pipeline before the stage and reached a later stage or won within the 365 days; at least
  :data:`SKIP_MIN_DEALS` such deals).
- ``idle_managers``: managers with open deals but no call and no task in the period. Money: their open deals.
- ``custom_fields``: fields never filled; the store keeps no custom fields, so this rule is not checked.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ...core.periods import Period
from ...store import concepts, discipline
from ...store.schema import WON_STATUS_ID

MIN_VISITS = discipline.MIN_STAYS  # stage visits a P75 rests on
HISTORY_DAYS = discipline.LOOKBACK_DAYS  # the history the stage P75 and the stage usage are read from
FIRST_STAGE_DAYS = 3  # days a deal may stay in the first stage
BACKLOG_HOURS = 24  # hours a pending request may wait
CALLBACK_HOURS = 24  # a missed call younger than this at the end of the data is not judged
SKIP_SHARE = 0.5  # a stage skipped by at least this share of the deals passing it is "routinely skipped"
SKIP_MIN_DEALS = 20  # deals passing a stage that the skip share rests on
EXAMPLES = 10  # example records shown per finding

AREAS = ("process", "speed", "data")


@dataclass(frozen=True)
class Rule:
    """A scoring rule: ``points`` when the finding's measure (a share of ``base``, or a count) is at most
    ``good``; half of them (rounded down) when at most ``fair``; none above. Boundaries are inclusive."""

    key: str
    area: str
    points: int
    measure: str  # "share" or "count"
    good: float
    fair: float


RULES: dict[str, Rule] = {
    r.key: r
    for r in (
        Rule("no_task", "process", 40, "share", 0.05, 0.20),
        Rule("overdue_tasks", "process", 40, "share", 0.05, 0.20),
        Rule("moved_back", "process", 20, "share", 0.05, 0.15),
        Rule("stuck_p75", "speed", 30, "share", 0.15, 0.30),
        Rule("stuck_first", "speed", 20, "share", 0.05, 0.15),
        Rule("unsorted_backlog", "speed", 25, "share", 0.02, 0.10),
        Rule("missed_calls", "speed", 25, "share", 0.05, 0.20),
        Rule("won_no_amount", "data", 15, "share", 0.01, 0.05),
        Rule("lost_no_reason", "data", 15, "share", 0.05, 0.20),
        Rule("no_source", "data", 10, "share", 0.05, 0.20),
        Rule("no_contact", "data", 10, "share", 0.02, 0.10),
        Rule("dup_contacts", "data", 10, "share", 0.01, 0.05),
        Rule("dup_deals", "data", 10, "share", 0.01, 0.05),
        Rule("unused_stages", "data", 5, "count", 0, 1),
        Rule("skipped_stages", "data", 10, "count", 0, 1),
        Rule("idle_managers", "data", 10, "count", 0, 1),
        Rule("custom_fields", "data", 5, "share", 0.10, 0.30),
    )
}
FINDINGS = tuple(RULES)  # the order the report shows them in


@dataclass
class Finding:
    key: str
    count: int
    base: int  # what the share rests on (0: nothing to judge)
    money: float = float("nan")  # NaN: no amount applies
    records: pd.DataFrame = field(default_factory=pd.DataFrame)
    available: bool = True  # False: the data to check it is not in the store
    money_estimated: bool = False
    extra: dict = field(default_factory=dict)

    @property
    def rule(self) -> Rule:
        return RULES[self.key]

    @property
    def area(self) -> str:
        return self.rule.area

    @property
    def measure(self) -> float:
        """What the rule judges: the share of the base, or the count."""
        if self.rule.measure == "count":
            return float(self.count)
        return self.count / self.base if self.base else float("nan")

    @property
    def judged(self) -> bool:
        return self.available and not (self.rule.measure == "share" and not self.base)


def points(rule: Rule, measure: float) -> int | None:
    """The points ``rule`` gives a finding measuring ``measure`` (None: nothing to judge)."""
    if measure is None or (isinstance(measure, float) and math.isnan(measure)):
        return None
    if measure <= rule.good + 1e-12:
        return rule.points
    if measure <= rule.fair + 1e-12:
        return rule.points // 2
    return 0


def light(got: int | None, of: int | None) -> str:
    """A finding's traffic light: green (all its points), yellow (some), red (none), grey (not judged)."""
    if got is None or not of:
        return "grey"
    return "green" if got >= of else "yellow" if got > 0 else "red"


def score_light(score: float) -> str:
    """An area's or the overall traffic light: green from 80, yellow from 50, red below; grey without a score."""
    if score is None or (isinstance(score, float) and math.isnan(score)):
        return "grey"
    return "green" if score >= 80 else "yellow" if score >= 50 else "red"


def scorecard(findings: dict[str, Finding]) -> pd.DataFrame:
    """One row per rule: area, points possible, points earned (None when not judged), light."""
    rows = []
    for key, rule in RULES.items():
        f = findings.get(key)
        got = points(rule, f.measure) if f is not None and f.judged else None
        rows.append(
            {
                "finding": key,
                "area": rule.area,
                "count": None if f is None else f.count,
                "base": None if f is None else f.base,
                "measure": None if f is None or not f.judged else f.measure,
                "good": rule.good,
                "fair": rule.fair,
                "points_max": rule.points,
                "points": got,
                "light": light(got, rule.points),
            }
        )
    return pd.DataFrame(rows)


def area_scores(card: pd.DataFrame) -> pd.DataFrame:
    """Per area: points earned of the points of the rules that could be judged, scaled to 0–100 (rounded), and
    overall: the mean of the areas' scores. A rule not judged (no data, nothing to judge) is left out of its
    area's possible points."""
    rows = []
    for area in AREAS:
        a = card[(card["area"] == area) & card["points"].notna()]
        possible = int(a["points_max"].sum())
        got = int(a["points"].sum())
        score = round(100 * got / possible) if possible else float("nan")
        rows.append({"area": area, "points": got, "possible": possible, "score": score, "light": score_light(score)})
    scores = [r["score"] for r in rows if not math.isnan(r["score"])]
    overall = round(sum(scores) / len(scores)) if scores else float("nan")
    rows.append(
        {
            "area": "overall",
            "points": sum(r["points"] for r in rows),
            "possible": sum(r["possible"] for r in rows),
            "score": overall,
            "light": score_light(overall),
        }
    )
    return pd.DataFrame(rows)


# ---- helpers ------------------------------------------------------------------------------------------------


def _sum(prices: pd.Series) -> float:
    return float(pd.to_numeric(prices, errors="coerce").fillna(0).sum())


def deal_rows(ids, leads: pd.DataFrame, users: pd.DataFrame, statuses: pd.DataFrame) -> pd.DataFrame:
    """The deals ``ids`` as listed: lead_id, name, manager, pipeline_id, stage, price, created_at (in ``ids``'
    order)."""
    ids = list(dict.fromkeys(int(i) for i in ids))
    d = leads.set_index("id").reindex(ids)
    names = dict(zip(users["id"], users["name"]))
    stage = {(p, s): n for p, s, n in zip(statuses["pipeline_id"], statuses["id"], statuses["name"])}
    return pd.DataFrame(
        {
            "lead_id": ids,
            "name": d["name"].to_numpy(dtype=object),
            "manager": [names.get(u) for u in d["responsible_user_id"]],
            "pipeline_id": d["pipeline_id"].to_numpy(),
            "stage": [stage.get((p, s)) for p, s in zip(d["pipeline_id"], d["status_id"])],
            "price": d["price"].to_numpy(dtype=float),
            "created_at": d["created_at"].to_numpy(),
        }
    )


def _days_since(when: pd.Series, moment: pd.Timestamp) -> np.ndarray:
    """Days from each of ``when`` to ``moment``."""
    return ((pd.Timestamp(moment) - pd.to_datetime(when)).dt.total_seconds() / 86400).to_numpy()


def _entered(stage_changes: pd.DataFrame, leads: pd.DataFrame, moment: pd.Timestamp) -> pd.Series:
    """When each lead entered the stage it is in at ``moment``: its last stage change before then, else its
    creation (by lead id)."""
    sc = stage_changes[stage_changes["at"] < moment]
    last = sc.groupby("lead_id")["at"].max()
    created = leads.set_index("id")["created_at"]
    return last.reindex(created.index).fillna(created)


# ---- process ------------------------------------------------------------------------------------------------


def no_task(
    leads: pd.DataFrame,
    stage_changes: pd.DataFrame,
    statuses: pd.DataFrame,
    tasks: pd.DataFrame,
    moment,
    open_deals: pd.DataFrame | None = None,
) -> Finding:
    """Open deals at ``moment`` without an open task of their own
    (:func:`crmreports.store.discipline.open_deals_without_task`, computed by its pushed-down equivalent);
    base: the open deals. ``open_deals``: the open deals at ``moment`` if the caller has them."""
    status = discipline.open_deals_task_status_fast(leads, stage_changes, statuses, tasks, moment, open_deals)
    bare = status[~status["has_task"]]
    records = bare[["id", "price", "contact_task"]].rename(columns={"id": "lead_id"}).reset_index(drop=True)
    return Finding("no_task", len(bare), len(status), _sum(bare["price"]), records)


def overdue_tasks(tasks: pd.DataFrame, open_deals: pd.DataFrame, users: pd.DataFrame, moment: pd.Timestamp) -> Finding:
    """Overdue tasks at ``moment`` (:func:`crmreports.store.discipline.overdue_tasks`); base: the open tasks;
    ``extra["by_manager"]``: per manager, open tasks, overdue ones and the share. Money: the amounts of the open
    deals with an overdue task."""
    ot = discipline.open_tasks_at(tasks, moment)
    late = discipline.overdue_tasks(tasks, moment)
    money = _sum(open_deals.loc[open_deals["id"].isin(late["lead_id"].dropna()), "price"])
    names = dict(zip(users["id"], users["name"]))
    records = pd.DataFrame(
        {
            "task_id": late["id"].to_numpy(),
            "lead_id": late["lead_id"].to_numpy(),
            "manager": [names.get(u) for u in late["responsible_user_id"]],
            "complete_till": late["complete_till"].to_numpy(),
            "days_overdue": late["overdue_days"].to_numpy(),
            "text": late["text"].to_numpy(dtype=object),
        }
    )
    by = (
        ot.assign(late=ot["id"].isin(late["id"]))
        .groupby("responsible_user_id")
        .agg(open_tasks=("id", "size"), overdue=("late", "sum"))
        .reset_index()
    )
    by["manager"] = [names.get(u) for u in by["responsible_user_id"]]
    by["share"] = by["overdue"] / by["open_tasks"]
    by = by.sort_values(["overdue", "manager"], ascending=[False, True]).reset_index(drop=True)
    return Finding("overdue_tasks", len(late), len(ot), money, records, extra={"by_manager": by})


def moved_back(stage_changes: pd.DataFrame, statuses: pd.DataFrame, leads: pd.DataFrame, period: Period) -> Finding:
    """Deals moved to an earlier open stage of the same pipeline within ``period``."""
    sc = stage_changes[period.contains(stage_changes["at"]) & stage_changes["lead_id"].isin(leads["id"])]
    sc = sc[sc["from_pipeline_id"].notna() & (sc["from_pipeline_id"] == sc["to_pipeline_id"])]
    op = statuses[statuses["kind"] == "open"]
    # each open stage's sort (the last row of a repeated stage wins, as a dict would), looked up for both ends
    sort = pd.DataFrame(
        {
            "p": op["pipeline_id"].astype("float64").to_numpy(),
            "s": op["id"].astype("float64").to_numpy(),
            "o": op["sort"].astype("int64").to_numpy(),
        }
    ).drop_duplicates(["p", "s"], keep="last")

    def _sort_of(pipe: pd.Series, status: pd.Series) -> np.ndarray:
        ends = pd.DataFrame({"p": pipe.astype("float64").to_numpy(), "s": status.astype("float64").to_numpy()})
        return ends.merge(sort, on=["p", "s"], how="left")["o"].to_numpy(dtype="float64")  # NaN: not an open stage

    fr = _sort_of(sc["from_pipeline_id"], sc["from_status_id"])
    to = _sort_of(sc["to_pipeline_id"], sc["to_status_id"])
    both = ~np.isnan(fr) & ~np.isnan(to)
    back = both & (to < fr)
    moves = sc[both]
    backs = sc[back].sort_values(["at", "lead_id"])
    ids = list(dict.fromkeys(backs["lead_id"].astype(int)))
    price = leads.set_index("id")["price"]
    records = pd.DataFrame({"lead_id": ids, "price": price.reindex(ids).to_numpy(dtype=float)})
    first = backs.groupby("lead_id").first()
    records["moved_at"] = first["at"].reindex(ids).to_numpy()
    return Finding("moved_back", len(ids), int(moves["lead_id"].nunique()), _sum(records["price"]), records)


# ---- speed --------------------------------------------------------------------------------------------------


def stuck_p75(
    leads: pd.DataFrame,
    stage_changes: pd.DataFrame,
    statuses: pd.DataFrame,
    moment,
    open_deals: pd.DataFrame | None = None,
    last: pd.DataFrame | None = None,
) -> Finding:
    """Open deals in their stage longer than the stage's historical P75
    (:func:`crmreports.store.discipline.stale_deals`, computed by its pushed-down equivalent); base: the open
    deals in a stage that has a P75. ``open_deals``, ``last``: the open deals at ``moment`` and
    :func:`~crmreports.store.discipline.last_changes` if the caller has them."""
    st = discipline.stale_deals_fast(leads, stage_changes, statuses, moment, open_deals=open_deals, last=last)
    judged = st[st["p75_days"].notna()]
    stuck = judged[judged["stale"]].sort_values("days_in_stage", ascending=False)
    records = stuck.rename(columns={"id": "lead_id"})[
        ["lead_id", "price", "pipeline_id", "status_id", "days_in_stage", "p75_days"]
    ]
    return Finding("stuck_p75", len(stuck), len(judged), _sum(stuck["price"]), records.reset_index(drop=True))


def first_stages(statuses: pd.DataFrame) -> pd.DataFrame:
    """The first open stage (lowest sort) of each pipeline: pipeline_id, status_id."""
    op = statuses[statuses["kind"] == "open"].sort_values(["pipeline_id", "sort", "id"])
    first = op.groupby("pipeline_id").first().reset_index()
    return first.rename(columns={"id": "status_id"})[["pipeline_id", "status_id"]]


def stuck_first(
    open_deals: pd.DataFrame,
    stage_changes: pd.DataFrame,
    leads: pd.DataFrame,
    statuses: pd.DataFrame,
    moment: pd.Timestamp,
    days: float = FIRST_STAGE_DAYS,
) -> Finding:
    """Open deals still in their pipeline's first open stage more than ``days`` after entering it; base: open
    deals."""
    od = open_deals.merge(first_stages(statuses), on=["pipeline_id", "status_id"])
    entered = _entered(stage_changes, leads[leads["id"].isin(od["id"])], moment)
    od["days_in_stage"] = _days_since(entered.reindex(od["id"]), moment)
    stuck = od[od["days_in_stage"] > days].sort_values("days_in_stage", ascending=False)
    records = stuck.rename(columns={"id": "lead_id"})[["lead_id", "price", "pipeline_id", "status_id", "days_in_stage"]]
    return Finding("stuck_first", len(stuck), len(open_deals), _sum(stuck["price"]), records.reset_index(drop=True))


def unsorted_backlog(
    unsorted: pd.DataFrame, period: Period, moment: pd.Timestamp, hours: float = BACKLOG_HOURS
) -> Finding:
    """Requests pending at ``moment`` (came in before it, not decided by then). The count is those waiting
    longer than ``hours``; the base is the requests that came in during ``period``. ``extra``: the whole
    backlog and the median and longest wait in hours."""
    u = unsorted[unsorted["created_at"] < moment]
    decided = u["outcome"].isin(["accepted", "declined"]) & (u["decided_at"].isna() | (u["decided_at"] < moment))
    pending = u[~decided].copy()
    pending["age_hours"] = (moment - pending["created_at"]).dt.total_seconds() / 3600
    old = pending[pending["age_hours"] > hours].sort_values("age_hours", ascending=False)
    records = old[["uid", "source_name", "category", "created_at", "age_hours", "lead_id"]].reset_index(drop=True)
    base = int(period.contains(unsorted["created_at"]).sum())
    extra = {
        "pending": len(pending),
        "median_hours": float(pending["age_hours"].median()) if len(pending) else float("nan"),
        "max_hours": float(pending["age_hours"].max()) if len(pending) else float("nan"),
    }
    return Finding("unsorted_backlog", len(old), base, float("nan"), records, extra=extra)


def normal_phone(phone) -> str | None:
    """Digits of a phone; a Russian number's leading 8 (11 digits) or missing 7 (10 digits) becomes 7.
    Fewer than 5 digits: None (not a phone)."""
    if phone is None or (isinstance(phone, float) and math.isnan(phone)):
        return None
    d = re.sub(r"\D", "", str(phone))
    if len(d) == 11 and d[0] == "8":
        d = "7" + d[1:]
    elif len(d) == 10 and d[0] == "9":
        d = "7" + d
    return d if len(d) >= 5 else None


def missed_calls(calls: pd.DataFrame, period: Period, as_of: pd.Timestamp, hours: float = CALLBACK_HOURS) -> Finding:
    """Inbound calls of ``period`` not answered and never followed by an outbound call to the same phone or
    contact up to ``as_of``; calls missed within ``hours`` of ``as_of`` are not judged (left out of count and
    base)."""
    c = calls.copy()
    phones = c["phone"].to_numpy(dtype=object)
    uniq = pd.unique(phones)  # each distinct phone normalised once (millions of calls, far fewer phones)
    norm = np.array([normal_phone(p) for p in uniq], dtype=object)
    c["key_phone"] = norm[pd.Index(uniq).get_indexer(phones)] if len(phones) else []
    answered = c["is_answered"].fillna(False).astype(bool)
    missed = c[
        (c["direction"] == "in") & ~answered & period.contains(c["at"]) & (c["at"] <= as_of - pd.Timedelta(hours=hours))
    ]
    out = c[(c["direction"] == "out") & (c["at"] < as_of)]
    last_phone = out.dropna(subset=["key_phone"]).groupby("key_phone")["at"].max()
    last_contact = out.dropna(subset=["contact_id"]).groupby("contact_id")["at"].max()
    phones, contacts = last_phone.to_dict(), last_contact.to_dict()
    by_phone = pd.to_datetime(pd.Series([phones.get(k) for k in missed["key_phone"]], index=missed.index))
    by_contact = pd.to_datetime(pd.Series([contacts.get(k) for k in missed["contact_id"]], index=missed.index))
    back = (by_phone > missed["at"]).fillna(False) | (by_contact > missed["at"]).fillna(False)
    never = missed[~back.astype(bool)].sort_values("at")
    records = never[["id", "at", "phone", "user_id", "lead_id", "contact_id"]].rename(columns={"id": "call_id"})
    return Finding("missed_calls", len(never), len(missed), float("nan"), records.reset_index(drop=True))


# ---- data quality -------------------------------------------------------------------------------------------


def won_no_amount(leads: pd.DataFrame, period: Period) -> Finding:
    """Deals won in ``period`` with no or a zero amount; money: their count × the average amount of the
    period's won deals that have one (an estimate)."""
    won = concepts.won_in(leads, period)
    price = pd.to_numeric(won["price"], errors="coerce")
    bad = won[price.isna() | (price <= 0)]
    with_amount = price[price > 0]
    money = len(bad) * float(with_amount.mean()) if len(bad) and len(with_amount) else float("nan")
    if not len(bad):
        money = 0.0
    records = bad[["id", "price", "closed_at"]].rename(columns={"id": "lead_id"}).reset_index(drop=True)
    return Finding("won_no_amount", len(bad), len(won), money, records, money_estimated=bool(len(bad)))


def lost_no_reason(leads: pd.DataFrame, period: Period) -> Finding:
    """Deals lost in ``period`` without a loss reason; money: their amounts."""
    lost = concepts.lost_in(leads, period)
    bad = lost[lost["loss_reason_id"].isna()]
    records = bad[["id", "price", "closed_at"]].rename(columns={"id": "lead_id"}).reset_index(drop=True)
    return Finding("lost_no_reason", len(bad), len(lost), _sum(bad["price"]), records)


def _created(leads: pd.DataFrame, period: Period) -> pd.DataFrame:
    return leads[period.contains(leads["created_at"])]


def no_source(leads: pd.DataFrame, period: Period) -> Finding:
    """Deals created in ``period`` with neither a source name nor a source id."""
    c = _created(leads, period)
    name = c["source"].fillna("").astype(str).str.strip()
    bad = c[(name == "") & c["source_id"].isna()]
    records = bad[["id", "price", "created_at"]].rename(columns={"id": "lead_id"}).reset_index(drop=True)
    return Finding("no_source", len(bad), len(c), _sum(bad["price"]), records)


def no_contact(leads: pd.DataFrame, period: Period) -> Finding:
    """Deals created in ``period`` without a contact."""
    c = _created(leads, period)
    bad = c[c["contact_id"].isna()]
    records = bad[["id", "price", "created_at"]].rename(columns={"id": "lead_id"}).reset_index(drop=True)
    return Finding("no_contact", len(bad), len(c), _sum(bad["price"]), records)


def _normal_email(email) -> str | None:
    if email is None or (isinstance(email, float) and math.isnan(email)):
        return None
    e = str(email).strip().lower()
    return e if "@" in e else None


def _normal_name(name) -> str | None:
    if name is None or (isinstance(name, float) and math.isnan(name)):
        return None
    n = " ".join(str(name).lower().replace("ё", "е").split())
    return n or None


def contact_groups(contacts: pd.DataFrame) -> pd.Series:
    """Each contact's duplicate group (the smallest contact id of the group), joining contacts that share a
    normalised phone or e-mail or the same name within one company (by contact id; deleted contacts left out)."""
    c = contacts[~contacts["is_deleted"].fillna(False).astype(bool)]
    parent = {int(i): int(i) for i in c["id"]}

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    keys = [
        ("phone", [normal_phone(p) for p in c["phone"]]),
        ("email", [_normal_email(e) for e in c["email"]]),
        (
            "name",
            [
                None if pd.isna(co) or _normal_name(n) is None else f"{int(co)}|{_normal_name(n)}"
                for n, co in zip(c["name"], c["company_id"])
            ],
        ),
    ]
    for _, values in keys:
        first: dict[str, int] = {}
        for cid, k in zip(c["id"], values):
            if k is None:
                continue
            cid = int(cid)
            if k in first:
                a, b = find(first[k]), find(cid)
                if a != b:
                    parent[max(a, b)] = min(a, b)
            else:
                first[k] = cid
    return pd.Series({i: find(i) for i in parent}, dtype="int64")


def dup_contacts(contacts: pd.DataFrame) -> Finding:
    """Contacts beyond the first of each duplicate group (:func:`contact_groups`); base: the contacts (not
    deleted). Unavailable when the store has no contacts."""
    c = contacts[~contacts["is_deleted"].fillna(False).astype(bool)]
    if c.empty:
        return Finding("dup_contacts", 0, 0, available=False)
    groups = contact_groups(c)
    c = c.assign(group=c["id"].astype("int64").map(groups))
    size = c.groupby("group")["id"].transform("size")
    dup = c[size > 1].sort_values(["group", "id"])
    records = dup[["group", "id", "name", "phone", "email", "company_id", "created_at"]].rename(
        columns={"id": "contact_id"}
    )
    n = len(dup) - dup["group"].nunique()
    return Finding("dup_contacts", int(n), len(c), float("nan"), records.reset_index(drop=True))


def dup_deals(open_deals: pd.DataFrame, leads: pd.DataFrame, contacts: pd.DataFrame) -> Finding:
    """Open deals of one client in one pipeline beyond the oldest: the client is the contact's duplicate group
    (:func:`contact_groups`), or the contact itself without a contacts table. Money: the later deals' amounts."""
    od = open_deals.merge(leads[["id", "contact_id", "created_at"]], on="id")
    od = od[od["contact_id"].notna()].copy()
    groups = contact_groups(contacts) if len(contacts) else pd.Series(dtype="int64")
    cid = od["contact_id"].astype("int64")
    od["client"] = cid.map(groups).fillna(cid).astype("int64")
    od = od.sort_values(["client", "pipeline_id", "created_at", "id"])
    rank = od.groupby(["client", "pipeline_id"]).cumcount()
    size = od.groupby(["client", "pipeline_id"])["id"].transform("size")
    later = od[rank > 0]
    records = od[size > 1][["client", "id", "price", "pipeline_id", "status_id", "created_at"]].rename(
        columns={"id": "lead_id"}
    )
    records["duplicate"] = (rank[size > 1] > 0).to_numpy()
    return Finding("dup_deals", len(later), len(open_deals), _sum(later["price"]), records.reset_index(drop=True))


def unused_stages(statuses: pd.DataFrame, stage_changes: pd.DataFrame, open_deals: pd.DataFrame, moment) -> Finding:
    """Open stages no deal entered within the :data:`HISTORY_DAYS` before ``moment`` and no open deal is in."""
    op = statuses[statuses["kind"] == "open"]
    recent = stage_changes[
        (stage_changes["at"] < moment) & (stage_changes["at"] >= moment - pd.Timedelta(days=HISTORY_DAYS))
    ]
    pairs = recent[["to_pipeline_id", "to_status_id"]].drop_duplicates()  # (each distinct stage once)
    used = set(zip(pairs["to_pipeline_id"], pairs["to_status_id"])) | set(
        zip(open_deals["pipeline_id"], open_deals["status_id"])
    )
    bad = op[np.array([(p, s) not in used for p, s in zip(op["pipeline_id"], op["id"])], dtype=bool)]
    records = bad[["pipeline_id", "id", "name", "sort"]].rename(columns={"id": "status_id"}).reset_index(drop=True)
    return Finding("unused_stages", len(bad), len(op), float("nan"), records)


def skipped_stages(
    statuses: pd.DataFrame,
    stage_changes: pd.DataFrame,
    moment: pd.Timestamp,
    share: float = SKIP_SHARE,
    min_deals: int = SKIP_MIN_DEALS,
) -> Finding:
    """Open stages routinely skipped: among the deals that entered a pipeline at an earlier stage and reached a
    later open stage or won within the :data:`HISTORY_DAYS` before ``moment``, the share that never entered
    the stage; flagged at ``share`` or more with at least ``min_deals`` such deals. ``extra["stages"]``: every
    stage's figures."""
    recent = stage_changes[
        (stage_changes["at"] < moment) & (stage_changes["at"] >= moment - pd.Timedelta(days=HISTORY_DAYS))
    ]
    op = statuses[statuses["kind"] == "open"]
    rows = []
    for pid, stages in op.groupby("pipeline_id"):
        stages = stages.sort_values(["sort", "id"])
        order = {int(s): k for k, s in enumerate(stages["id"])}
        sc = recent[recent["to_pipeline_id"] == pid]
        won = set(sc.loc[sc["to_status_id"] == WON_STATUS_ID, "lead_id"])
        # each deal's stage positions (k) in the pipeline; per deal: the first and last position, the positions
        # visited (a deal × position matrix), whether it won
        pos = pd.DataFrame({"lead_id": sc["lead_id"].to_numpy(), "k": sc["to_status_id"].map(order).to_numpy()})
        pos = pos.dropna(subset=["k", "lead_id"])
        leads_idx, lead_ids = pd.factorize(pos["lead_id"], sort=True)
        kk = pos["k"].to_numpy().astype("int64")
        visited = np.zeros((len(lead_ids), len(order)), dtype=bool)
        visited[leads_idx, kk] = True
        g = pd.Series(kk).groupby(leads_idx)
        first, last = g.min().to_numpy(), g.max().to_numpy()
        has_won = pd.Index(lead_ids).isin(list(won))
        for k, (sid, name) in enumerate(zip(stages["id"], stages["name"])):
            if k == 0:
                continue  # the first stage is where deals start (the first-stage rule judges it)
            passing = (first < k) & ((last > k) | has_won)
            n_passing = int(passing.sum())
            skipped = int((passing & ~visited[:, k]).sum())
            rows.append(
                {
                    "pipeline_id": int(pid),
                    "status_id": int(sid),
                    "name": name,
                    "passing": n_passing,
                    "skipped": skipped,
                    "share": skipped / n_passing if n_passing else float("nan"),
                }
            )
    table = pd.DataFrame(rows, columns=["pipeline_id", "status_id", "name", "passing", "skipped", "share"])
    # a stage every passing deal skips is one nobody uses (the unused-stage rule), not a skipped one
    bad = table[
        (table["passing"] >= min_deals) & (table["share"] >= share - 1e-12) & (table["skipped"] < table["passing"])
    ]
    bad = bad.reset_index(drop=True)
    return Finding("skipped_stages", len(bad), len(table), float("nan"), bad, extra={"stages": table})


def idle_managers(
    open_deals: pd.DataFrame, leads: pd.DataFrame, calls: pd.DataFrame, tasks: pd.DataFrame, users, period: Period
) -> Finding:
    """Managers responsible for open deals with no call and no task (created, or due, in ``period``) in it;
    money: their open deals' amounts."""
    od = open_deals.merge(leads[["id", "responsible_user_id"]], on="id")
    owners = od.groupby("responsible_user_id").agg(open_deals=("id", "size"), money=("price", "sum")).reset_index()
    called = set(calls.loc[period.contains(calls["at"]), "user_id"].dropna().astype(int))
    tasked = set(
        tasks.loc[period.contains(tasks["created_at"]) | period.contains(tasks["complete_till"]), "responsible_user_id"]
        .dropna()
        .astype(int)
    )
    idle = owners[
        np.array([int(u) not in called and int(u) not in tasked for u in owners["responsible_user_id"]], dtype=bool)
    ]
    names = dict(zip(users["id"], users["name"]))
    records = idle.assign(manager=[names.get(u) for u in idle["responsible_user_id"]]).rename(
        columns={"responsible_user_id": "user_id"}
    )[["user_id", "manager", "open_deals", "money"]]
    return Finding("idle_managers", len(idle), len(owners), _sum(idle["money"]), records.reset_index(drop=True))


def custom_fields() -> Finding:
    """Fields never filled: the store keeps no custom fields, so this rule is not checked."""
    return Finding("custom_fields", 0, 0, available=False)


def findings(data, period: Period, moment: pd.Timestamp, as_of: pd.Timestamp) -> dict[str, Finding]:
    """Every finding of :data:`FINDINGS` on ``data`` (an :class:`~crmreports.store.StoreData` with the tables
    tasks, calls, unsorted and contacts): states at ``moment`` (the snapshot), events within ``period``,
    callbacks up to ``as_of``."""
    leads, sc, st, users = data.leads, data.stage_changes, data.statuses, data.users
    last = discipline.last_changes(sc, leads, moment)  # read once for the open deals and the stale ones
    od = discipline.open_deals_at_fast(leads, sc, st, moment, last)  # = concepts.open_deals_at, pushed down
    tasks, calls, unsorted, contacts = data["tasks"], data["calls"], data["unsorted"], data["contacts"]
    found = [
        no_task(leads, sc, st, tasks, moment, od),
        overdue_tasks(tasks, od, users, moment),
        moved_back(sc, st, leads, period),
        stuck_p75(leads, sc, st, moment, od, last),
        stuck_first(od, sc, leads, st, moment),
        unsorted_backlog(unsorted, period, moment),
        missed_calls(calls, period, as_of),
        won_no_amount(leads, period),
        lost_no_reason(leads, period),
        no_source(leads, period),
        no_contact(leads, period),
        dup_contacts(contacts),
        dup_deals(od, leads, contacts),
        unused_stages(st, sc, od, moment),
        skipped_stages(st, sc, moment),
        idle_managers(od, leads, calls, tasks, users, period),
        custom_fields(),
    ]
    return {f.key: f for f in found}
