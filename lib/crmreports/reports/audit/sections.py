"""Sections of the CRM audit notebook («Аудит CRM»): the one-page summary with traffic lights, the process,
speed and data-quality findings (rule, count, money at stake, up to ten example records linking to amoCRM, a
recommendation), and the scores with their rules. Figures from :mod:`.metrics` on what :mod:`.query` read."""

from __future__ import annotations

import html
from dataclasses import dataclass, field

import pandas as pd

from ...core import fmt
from ...core.labels import t
from ...present import kit
from ...present.context import Context, publish, title  # noqa: F401  (the notebook calls report.title and report.publish)
from ...present.links import account_base, deal_url
from ...present.section import Section
from . import charts, metrics
from . import query as queries_audit

REPORT = __package__.rpartition(".")[2]  # the report is named after its folder (the registry checks)


@dataclass
class AuditContext(Context):
    """The report context plus the account's amoCRM address (for links) and the findings, computed once."""

    base_url: str = ""
    _cache: dict = field(default_factory=dict)

    @property
    def findings_by_key(self) -> dict[str, metrics.Finding]:
        if "findings" not in self._cache:
            self._cache["findings"] = metrics.findings(self.data, self.period, self.snapshot, self.as_of)
        return self._cache["findings"]

    @property
    def card(self) -> pd.DataFrame:
        if "card" not in self._cache:
            self._cache["card"] = metrics.scorecard(self.findings_by_key)
        return self._cache["card"]

    @property
    def areas(self) -> pd.DataFrame:
        if "areas" not in self._cache:
            self._cache["areas"] = metrics.area_scores(self.card)
        return self._cache["areas"]


def open(
    period: str = "",
    manager: str = "",
    pipeline: str = "",
    store: str = "data/crm.duckdb",
    lang: str = "ru",
    deal_links: str = "",
) -> AuditContext:
    """Resolve the parameters (the audit is a team report: ``manager`` must be empty) and read the account
    (:func:`.query.load_audit`)."""
    if manager:
        raise ValueError(f"the audit is a team report; got manager {manager!r}: leave it empty")
    ctx = kit.open_report(
        REPORT, queries_audit.load_audit, period, "", pipeline, store, lang, context=AuditContext, base_url=deal_links
    )
    ctx.base_url = account_base(ctx.data.account, deal_links or None) or ""
    return ctx


# ---- helpers ------------------------------------------------------------------------------------------------


def _rule_text(ctx: AuditContext, key: str) -> str:
    lang = ctx.lang
    return t(
        f"audit.{key}.rule",
        lang,
        min=metrics.MIN_VISITS,
        days=fmt.days(metrics.FIRST_STAGE_DAYS, lang),
        hours=metrics.BACKLOG_HOURS if key == "unsorted_backlog" else metrics.CALLBACK_HOURS,
        share=fmt.percent(metrics.SKIP_SHARE, lang),
    )


def _bound(rule: metrics.Rule, v: float, lang: str) -> str:
    return fmt.percent(v, lang) if rule.measure == "share" else fmt.number(v, lang)


def points_rule(rule: metrics.Rule, lang: str) -> str:
    """``40 б., если доля ≤ 5 %; 20 б., если ≤ 20 %; иначе 0``."""
    return t(
        "audit.points_rule",
        lang,
        points=rule.points,
        half=rule.points // 2,
        measure=t(f"audit.measure.{rule.measure}", lang),
        good=_bound(rule, rule.good, lang),
        fair=_bound(rule, rule.fair, lang),
    )


BIGGEST_FIRST = ("no_task", "moved_back", "lost_no_reason", "no_source", "no_contact")
MONEY_RULE = {
    "won_no_amount": "audit.money.estimate",
    "overdue_tasks": "audit.money.tasks",
    "dup_deals": "audit.money.later",
    "idle_managers": "audit.money.idle",
}


def _counted(n, key: str, lang: str) -> str:
    """``21 открытой сделки`` / ``1 неиспользуемый этап``: a number with the finding's noun (label ``key``: the
    forms one|few|many in the case its sentence needs; one|other in English) in the form the number takes."""
    return f"{fmt.number(n, lang)} {fmt.plural(n, t(key, lang), lang)}"


def _money_rule(f: metrics.Finding) -> str:
    if f.key in MONEY_RULE:
        return MONEY_RULE[f.key]
    return "audit.money.none_rule" if pd.isna(f.money) and f.key != "won_no_amount" else "audit.money.sum"


def _money(ctx: AuditContext, f: metrics.Finding) -> str:
    if pd.isna(f.money):
        return t("audit.money.none", ctx.lang)
    return ctx.estimate(f.money) if f.money_estimated else ctx.money(f.money)


def listing(ctx: AuditContext, f: metrics.Finding) -> pd.DataFrame:
    """A finding's full list of records as the CSV has it: its own columns, the deal's name, manager, stage,
    amount and creation for records of deals, and the amoCRM link (``url``) where the address is known."""
    rec = f.records.copy()
    if "lead_id" in rec.columns and len(rec):
        ids = rec["lead_id"].dropna().astype("int64")
        deals = metrics.deal_rows(ids, ctx.data.leads, ctx.data.users, ctx.data.statuses)
        deals = deals.drop(columns=[c for c in deals.columns if c in rec.columns and c != "lead_id"])
        rec = rec.merge(deals, on="lead_id", how="left")
        rec["url"] = [deal_url(ctx.base_url or None, i) if pd.notna(i) else None for i in rec["lead_id"]]
    return rec


def _detail(ctx: AuditContext, key: str, r: pd.Series) -> str:
    """The finding-specific column of an example row."""
    lang = ctx.lang
    if key in ("stuck_p75",):
        return f"{fmt.days(r['days_in_stage'], lang)} (P75 {fmt.days(r['p75_days'], lang, 1)})"
    if key == "stuck_first":
        return fmt.days(r["days_in_stage"], lang)
    if key == "unsorted_backlog" and "age_hours" in r and pd.notna(r["age_hours"]):
        return t("audit.detail.waiting", lang, h=fmt.number(int(r["age_hours"]), lang))  # whole hours: short
    if key == "overdue_tasks":
        return f"{fmt.day(r['complete_till'], lang)} (+{fmt.days(r['days_overdue'], lang)})"
    if key in ("won_no_amount", "lost_no_reason"):
        return fmt.day(r["closed_at"], lang)
    if key == "moved_back":
        return fmt.datetime_(r["moved_at"], lang)
    if key == "dup_deals":
        return f"#{int(r['client'])}" + (" ✱" if r.get("duplicate") else "")
    if "created_at" in r and pd.notna(r["created_at"]):
        return fmt.day(r["created_at"], lang)
    return ""


def _cell(text) -> str:
    return html.escape("" if text is None or (isinstance(text, float) and pd.isna(text)) else str(text))


def _examples_html(ctx: AuditContext, key: str, rows: pd.DataFrame) -> str:
    """Up to :data:`metrics.EXAMPLES` records as a table whose first cell links to the record in amoCRM."""
    lang = ctx.lang
    # a request waiting in «Неразобранное» has no stage but that one: the column is left out
    stage = key != "unsorted_backlog"
    head_keys = (
        ("audit.col.deal", "audit.col.manager")
        + (("audit.col.stage",) if stage else ())
        + (
            "audit.col.amount",
            "audit.col.detail",
        )
    )
    head = "".join(
        f'<th class="{"num" if k == "audit.col.amount" else ""}">{html.escape(t(k, lang))}</th>' for k in head_keys
    )
    body = []
    for _, r in rows.head(metrics.EXAMPLES).iterrows():
        name = r.get("name")
        name = f"#{int(r['lead_id'])}" if name is None or pd.isna(name) else f"{name} (#{int(r['lead_id'])})"
        name = name if len(name) <= 120 else name[:119] + "…"
        url = r.get("url")
        first = f'<a href="{html.escape(url, quote=True)}">{_cell(name)}</a>' if url else _cell(name)
        body.append(
            "<tr>"
            f"<td>{first}</td><td>{_cell(r.get('manager'))}</td>"
            + (f"<td>{_cell(r.get('stage'))}</td>" if stage else "")
            + f'<td class="num">{_cell(ctx.money(r.get("price")))}</td><td>{_cell(_detail(ctx, key, r))}</td>'
            + "</tr>"
        )
    return f'<table class="crm-table"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def _plain_examples(ctx: AuditContext, sec: Section, f: metrics.Finding, rows: pd.DataFrame) -> None:
    """Examples of records that are not deals (calls, requests, contacts, stages, managers), formatted plainly."""
    cols = {
        "missed_calls": [
            kit.Column("audit.col.when", "at", lambda v, lg: fmt.datetime_(v, lg)),
            kit.Column("audit.col.phone", lambda df: df["phone"].fillna(fmt.DASH), "text"),
        ],
        "unsorted_backlog": [
            kit.Column("audit.col.when", "created_at", lambda v, lg: fmt.datetime_(v, lg)),
            kit.Column("audit.col.source", "source_name", "text"),
            kit.Column("audit.col.category", "category", "text"),
            kit.Column("audit.col.waiting", "age_hours", lambda v, lg: fmt.duration_hm(v * 3600, lg), right=True),
        ],
        "dup_contacts": [
            kit.Column("audit.col.group", lambda df: df["group"].map(lambda g: f"#{int(g)}"), "text"),
            kit.Column("audit.col.contact", "name", "text"),
            kit.Column("audit.col.phone", lambda df: df["phone"].fillna(fmt.DASH), "text"),
            kit.Column("audit.col.email", lambda df: df["email"].fillna(fmt.DASH), "text"),
        ],
        "unused_stages": [kit.Column("audit.col.stage", "name", "text")],
        "skipped_stages": [
            kit.Column("audit.col.stage", "name", "text"),
            kit.Column("audit.col.count", "skipped"),
            kit.Column("audit.col.base", "passing"),
            kit.Column("audit.col.share", "share", "percent"),
        ],
        "idle_managers": [
            kit.Column("audit.col.manager", "manager", "text"),
            kit.Column("audit.col.open_deals", "open_deals"),
            kit.Column("audit.col.money", "money", "money"),
        ],
    }[f.key]
    shown, numeric = kit.shown_table(ctx, rows.head(metrics.EXAMPLES), cols)
    sec.table(f"examples_{f.key}", rows, shown, numeric=numeric, publish=False)


def finding_block(ctx: AuditContext, sec: Section, key: str) -> None:
    """One finding: its title, count and share, money, points, rule, examples, recommendation."""
    lang = ctx.lang
    f = ctx.findings_by_key[key]
    rule = f.rule
    sec.parts.append(("html", f"<h3>{html.escape(t(f'audit.{key}.title', lang))}</h3>"))
    if not f.available:
        why = t(f"audit.{key}.why", lang)
        sec.text(t("audit.f.unavailable", lang, why=why))
        sec.text(t("audit.f.rule", lang, rule=_rule_text(ctx, key)))
        return
    card = ctx.card.set_index("finding").loc[key]
    got = "—" if pd.isna(card["points"]) else str(int(card["points"]))
    if not f.judged:
        sec.text(t("audit.f.nothing", lang))
    elif rule.measure == "share":
        sec.text(
            t(
                "audit.f.count",
                lang,
                count=fmt.number(f.count, lang),
                base=_counted(f.base, f"audit.{key}.base", lang),
                share=fmt.percent(f.measure, lang, 1),
                money=_money(ctx, f),
                got=got,
                max=rule.points,
            ),
            finding=f.count > 0,
        )
    else:
        sec.text(
            t(
                "audit.f.count_plain",
                lang,
                count=_counted(f.count, f"audit.{key}.base", lang),
                money=_money(ctx, f),
                got=got,
                max=rule.points,
            ),
            finding=f.count > 0,
        )
    sec.text(t("audit.f.rule", lang, rule=_rule_text(ctx, key)))
    sec.text(t("audit.f.points", lang, rule=points_rule(rule, lang)))
    if key == "unsorted_backlog" and f.extra.get("pending"):
        sec.text(
            t(
                "audit.backlog_extra",
                lang,
                moment=fmt.datetime_(ctx.snapshot, lang),
                pending=fmt.number(f.extra["pending"], lang),
                median=fmt.duration_hm(f.extra["median_hours"] * 3600, lang),
                max=fmt.duration_hm(f.extra["max_hours"] * 3600, lang),
            )
        )
    if key == "overdue_tasks" and len(f.extra.get("by_manager", [])):
        by = f.extra["by_manager"]
        sec.text(t("audit.by_manager", lang))
        kit.table(
            sec,
            "overdue_by_manager",
            by,
            [
                kit.Column("audit.col.manager", lambda df: df["manager"].fillna(t("common.unknown", lang)), "text"),
                kit.Column("audit.col.open_tasks", "open_tasks"),
                kit.Column("audit.col.overdue", "overdue"),
                kit.Column("audit.col.share", "share", "percent"),
            ],
        )
    rows = listing(ctx, f)
    if key in BIGGEST_FIRST and len(rows):  # the examples: the most money first
        rows = rows.sort_values(["price", "lead_id"], ascending=[False, True], na_position="last").reset_index(
            drop=True
        )
    ctx.tables[key] = rows  # the CSV list of offending records
    ctx.figures[f"{key}_count"] = int(f.count)
    ctx.figures[f"{key}_money"] = None if pd.isna(f.money) else float(f.money)
    if f.count:
        sec.text(t("audit.f.examples", lang, n=metrics.EXAMPLES, table=f"{key}.csv"))
        if "lead_id" in rows.columns and key != "missed_calls":
            sec.parts.append(("html", _examples_html(ctx, key, rows.dropna(subset=["lead_id"]))))
            if not ctx.base_url and not ctx._cache.get("no_link_said"):  # said once, under the first examples
                sec.text(t("audit.f.no_link", lang))
                ctx._cache["no_link_said"] = True
        else:
            _plain_examples(ctx, sec, f, rows)
        sec.text(t("audit.f.fix", lang, fix=t(f"audit.{key}.fix", lang, days=fmt.days(metrics.FIRST_STAGE_DAYS, lang))))


def _area_section(ctx: AuditContext, area: str, title_key: str) -> Section:
    lang = ctx.lang
    sec = Section(ctx, area, t(title_key, lang))
    money: dict[str, list[str]] = {}  # how money is counted -> the findings counted so
    for key, rule in metrics.RULES.items():
        if rule.area == area:
            finding_block(ctx, sec, key)
            if ctx.findings_by_key[key].available:
                money.setdefault(_money_rule(ctx.findings_by_key[key]), []).append(t(f"audit.{key}.title", lang))
    for rule_key, titles in money.items():  # each way of counting money once, naming the findings it is for
        sec.note(t("audit.f.money_rule", lang, findings="; ".join(titles), rule=t(rule_key, lang)))
    sec.note(
        t(
            "audit.def.snapshot",
            ctx.lang,
            moment=fmt.datetime_(ctx.snapshot, ctx.lang),
            period=ctx.period_label,
        )
    )
    return sec


# ---- sections -----------------------------------------------------------------------------------------------


def _light(ctx: AuditContext, light: str) -> str:
    color = charts.LIGHT_COLORS[light]
    return f'<span style="color:{color};font-weight:bold">{html.escape(t(f"audit.light.{light}", ctx.lang))}</span>'


def summary(ctx: AuditContext) -> Section:
    """The one-page summary: the score per area and overall with traffic lights, every finding in one table
    (count, share, money, points, light), and what to fix first."""
    lang = ctx.lang
    areas, card = ctx.areas, ctx.card
    sec = Section(ctx, "summary", t("audit.summary.title", lang))
    score = {r["area"]: r["score"] for _, r in areas.iterrows()}
    show = lambda v: "—" if pd.isna(v) else str(int(v))  # noqa: E731
    sec.text(
        t(
            "audit.summary.sentence",
            lang,
            overall=show(score["overall"]),
            process=show(score["process"]),
            speed=show(score["speed"]),
            data=show(score["data"]),
            as_of=fmt.datetime_(ctx.as_of, lang),
            period=ctx.period_label,
        ),
        finding=True,
    )
    for area in metrics.AREAS + ("overall",):
        ctx.figures[f"score_{area}"] = None if pd.isna(score[area]) else int(score[area])
    # what to fix first: the rules losing the most points, then the most money
    lost = card[card["points"].notna() & (card["points"] < card["points_max"])].copy()
    lost["lost"] = lost["points_max"] - lost["points"]
    lost["money"] = [ctx.findings_by_key[k].money for k in lost["finding"]]
    lost = lost.sort_values(["lost", "money"], ascending=[False, False], na_position="last").head(3)
    if len(lost):
        items = "; ".join(
            f"{t(f'audit.{k}.title', lang)} ({fmt.count(int(p), 'audit_point', lang)})"
            for k, p in zip(lost["finding"], lost["lost"])
        )
        sec.text(t("audit.summary.top", lang, items=items), finding=True)
    else:
        sec.text(t("audit.summary.none", lang))
    sec.figure(charts.scores(areas, lang))
    rows = []
    for _, r in areas.iterrows():
        pts = f"{int(r['points'])} / {int(r['possible'])}" if r["possible"] and r["area"] != "overall" else "—"
        rows.append(
            f"<tr><td>{html.escape(t('audit.area.' + r['area'], lang))}</td>"
            f'<td class="num">{show(r["score"])}</td><td class="num">{pts}</td><td>{_light(ctx, r["light"])}</td></tr>'
        )
    head = "".join(
        f'<th class="{c}">{html.escape(t(k, lang))}</th>'
        for k, c in (
            ("audit.col.area", ""),
            ("audit.col.score", "num"),
            ("audit.col.points", "num"),
            ("audit.col.light", ""),
        )
    )
    sec.parts.append(
        ("html", f'<table class="crm-table"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>')
    )
    # every finding in one table
    frows = []
    for _, r in card.iterrows():
        f = ctx.findings_by_key[r["finding"]]
        share = fmt.percent(f.measure, lang, 1) if f.judged and f.rule.measure == "share" else fmt.DASH
        pts = "—" if pd.isna(r["points"]) else f"{int(r['points'])} / {int(r['points_max'])}"
        frows.append(
            f"<tr><td>{html.escape(t('audit.' + r['finding'] + '.title', lang))}</td>"
            f'<td class="num">{fmt.number(f.count, lang) if f.available else fmt.DASH}</td>'
            f'<td class="num">{share}</td>'
            f'<td class="num">{html.escape(_money(ctx, f) if f.available else fmt.DASH)}</td>'
            f'<td class="num">{pts}</td><td>{_light(ctx, r["light"])}</td></tr>'
        )
    head = "".join(
        f'<th class="{c}">{html.escape(t(k, lang))}</th>'
        for k, c in (
            ("audit.col.finding", ""),
            ("audit.col.count", "num"),
            ("audit.col.share", "num"),
            ("audit.col.money", "num"),
            ("audit.col.points", "num"),
            ("audit.col.light", ""),
        )
    )
    sec.parts.append(
        ("html", f'<table class="crm-table"><thead><tr>{head}</tr></thead><tbody>{"".join(frows)}</tbody></table>')
    )
    ctx.tables["scores"] = areas
    ctx.tables["findings"] = card.assign(money=[ctx.findings_by_key[k].money for k in card["finding"]])
    sec.note(t("audit.def.scores", lang))
    sec.note(t("audit.def.sums", lang))
    return sec


def process(ctx: AuditContext) -> Section:
    """Process findings: open deals without a task, overdue tasks by manager, deals moved backwards."""
    return _area_section(ctx, "process", "audit.process.title")


def speed(ctx: AuditContext) -> Section:
    """Speed findings: deals stuck beyond their stage's P75, stuck in the first stage, the unsorted backlog and
    its age, missed calls never returned."""
    return _area_section(ctx, "speed", "audit.speed.title")


def data_quality(ctx: AuditContext) -> Section:
    """Data-quality findings: amounts, loss reasons, sources, contacts, duplicates, stages, idle managers,
    custom fields."""
    return _area_section(ctx, "data", "audit.data.title")


def scores(ctx: AuditContext) -> Section:
    """Every rule with the points it gives, the points earned and its light: how to raise the score."""
    lang = ctx.lang
    sec = Section(ctx, "scores", t("audit.scores.title", lang))
    sec.text(t("audit.scores.intro", lang))
    for _, r in ctx.areas.iterrows():
        if r["area"] == "overall" or not r["possible"]:
            continue
        sec.text(
            t(
                "audit.area_sentence",
                lang,
                area=t(f"audit.area.{r['area']}", lang),
                score=int(r["score"]),
                points=int(r["points"]),
                possible=int(r["possible"]),
            )
        )
    card = ctx.card
    kit.table(
        sec,
        "rules",
        card,
        [
            kit.Column(
                "audit.col.finding", lambda df: df["finding"].map(lambda k: t(f"audit.{k}.title", lang)), "text"
            ),
            kit.Column("audit.col.area", lambda df: df["area"].map(lambda a: t(f"audit.area.{a}", lang)), "text"),
            kit.Column(
                "audit.col.rule",
                lambda df: df["finding"].map(lambda k: points_rule(metrics.RULES[k], lang)),
                "text",
            ),
            kit.Column(
                "audit.col.points",
                lambda df: pd.Series(
                    [
                        t("audit.not_checked", lang) if pd.isna(p) else f"{int(p)} / {int(m)}"
                        for p, m in zip(df["points"], df["points_max"])
                    ],
                    index=df.index,
                ),
                "text",
                right=True,
            ),
        ],
        publish=False,
    )
    sec.note(t("audit.def.scores", lang))
    return sec
