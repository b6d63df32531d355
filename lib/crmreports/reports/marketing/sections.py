"""Sections of the marketing notebook («Маркетинг и клиенты»): figures from :mod:`.metrics` on what
:mod:`.query` read, charts, narrative, definitions."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from functools import partial

import pandas as pd

from ...core import fmt
from ...core.labels import t
from ...present import kit, links
from ...present.context import Context, publish, title  # noqa: F401  (the notebook calls report.title and report.publish)
from ...present.section import Section
from ...sources import spend as spend_files
from . import charts, metrics
from . import query as queries

REPORT = __package__.rpartition(".")[2]
LAPSED_ROWS = 15
ABC_ROWS = 15


@dataclass
class MarketingContext(Context):
    deal_links: str = ""
    spend_withheld: bool = False  # a manager's, group's or pipeline's report: the account's spend is not theirs
    _cache: dict = field(default_factory=dict)

    def rows(self, period=None) -> pd.DataFrame:
        p = period or self.period
        key = ("rows", p.key)
        if key not in self._cache:
            self._cache[key] = metrics.by_source(self.data.leads, self.data.spend.spend, p, self.period, self.as_of)
        return self._cache[key]

    @property
    def purchases(self) -> pd.DataFrame:
        if "purchases" not in self._cache:
            self._cache["purchases"] = metrics.purchases(self.data.leads, self.as_of)
        return self._cache["purchases"]

    def channel(self, ch: str) -> str:
        return t("mkt.no_source", self.lang) if ch == metrics.NO_SOURCE else str(ch)

    def client(self, key: str) -> str:
        name = self.data.client_names.get(key)
        if name:
            return name
        return f"{t('mkt.unknown_client', self.lang)} #{str(key).split(':')[-1]}"


def open(
    period: str = "",
    manager: str = "",
    pipeline: str = "",
    store: str = "data/crm.duckdb",
    lang: str = "ru",
    source_field: str = "",
    spend: str = "",
    deal_links: str = "",
) -> MarketingContext:
    """Resolve the parameters and read the scope's deals, clients and the account's spend
    (:func:`.query.load_marketing`); ``source_field`` overrides params/marketing.yaml, ``spend`` the spend
    files (comma-separated paths), ``deal_links`` the amoCRM address for card links."""
    ctx = kit.open_report(
        REPORT,
        partial(queries.load_marketing, source_field=source_field, spend=spend or None),
        period,
        manager,
        pipeline,
        store,
        lang,
        context=MarketingContext,
        deal_links=deal_links,
    )
    if (ctx.scope.user_ids or ctx.pipeline_ids) and not ctx.data.spend.empty:
        # spend is the whole account's: set against one manager's (or pipeline's) revenue it would overstate CAC
        # and understate ROMI, so a part of the account shows no cost figures and says why
        from dataclasses import replace

        ctx.data = replace(ctx.data, spend=spend_files.SpendData(spend_files.empty(), ctx.data.spend.files))
        ctx.spend_withheld = True
    return ctx


def _show(ctx: MarketingContext, key: str, v) -> str:
    if key in metrics.RATE_KEYS:
        return fmt.percent(v, ctx.lang, 1)
    if key in ("revenue", "average_check", "spend", "cac"):
        return ctx.money(v)
    return fmt.number(v, ctx.lang)


def _has_spend(ctx: MarketingContext) -> bool:
    return not ctx.data.spend.empty


def kpis(ctx: MarketingContext) -> Section:
    """Headline figures against the previous period and a year ago."""
    lang = ctx.lang
    k = metrics.kpi_table(ctx.data.leads, ctx.data.spend.spend, ctx.period, ctx.as_of)
    cur = k["current"]
    for key in metrics.KPI_KEYS:
        v = cur[key]
        ctx.figures[key] = (
            None
            if pd.isna(v)
            else (int(v) if key in ("leads", "created_deals", "won_deals", "new_clients") else float(v))
        )
    ctx.figures["source_field"] = ctx.data.source_field
    ctx.comparisons.update(previous=k["previous"].to_dict(), year_ago=k["year_ago"].to_dict())
    sec = Section(ctx, "kpis", t("mkt.kpi.title", lang))
    sec.text(
        t(
            "mkt.kpi.sentence",
            lang,
            period=ctx.period_label,
            leads=fmt.count(cur["leads"], "mkt_lead", lang),
            won=fmt.count(cur["won_deals"], "mkt_won", lang),
            revenue=ctx.money(cur["revenue"]),
            new=fmt.count(cur["new_clients"], "mkt_new_client", lang),
        ),
        finding=True,
    )
    keys = list(metrics.KPI_KEYS)
    if _has_spend(ctx):
        sec.text(
            t(
                "mkt.kpi.spend_sentence",
                lang,
                spend=ctx.money(cur["spend"]),
                romi=fmt.percent(cur["romi"], lang),
                cac=ctx.money(cur["cac"]),
            ),
            finding=True,
        )
    elif ctx.spend_withheld:
        sec.text(t("mkt.kpi.spend_team_only", lang))
        keys = [x for x in keys if x not in ("spend", "cac", "romi")]
    else:
        where = t("mkt.kpi.no_spend_where", lang, account=spend_files.account_key(ctx.data.account))
        sec.text(t("mkt.kpi.no_spend", lang, where=where), finding=True)
        keys = [x for x in keys if x not in ("spend", "cac", "romi")]
    kit.kpi_comparison(
        ctx,
        sec,
        k,
        keys,
        lambda key: t(f"mkt.kpi.{key}", lang),
        partial(_show, ctx),
        metrics.RATE_KEYS,
        prefix="mkt",
    )
    sec.note(t("mkt.def.kpi", lang))
    sec.note(t("mkt.def.source_field", lang, field=ctx.data.source_field))
    sec.note(
        t(
            "mkt.def.compare",
            lang,
            previous=fmt.period_label(ctx.period.previous(), lang),
            year_ago=fmt.period_label(ctx.period.year_ago(), lang),
        )
    )
    return sec


def _ci(lo, hi, lang) -> str:
    return fmt.DASH if pd.isna(lo) or pd.isna(hi) else f"{fmt.percent(lo, lang)}–{fmt.percent(hi, lang)}"


def _blank(f):
    """A formatter that leaves a missing value blank (a source without spend has no cost, not zero cost)."""
    return lambda v, lang: "" if v is None or pd.isna(v) else f(v, lang)


def sources(ctx: MarketingContext) -> Section:
    """Per source: leads, deals, cohort wins, conversion with its interval, revenue, average deal, cycle and,
    where spend is given, cost per lead, CAC, ROMI and payback; the best and worst channel when the counts
    allow."""
    lang = ctx.lang
    sec = Section(ctx, "sources", t("mkt.src.title", lang))
    rows = ctx.rows()
    if rows.empty or (rows["leads"].sum() == 0 and rows["won_deals"].sum() == 0):
        return sec.text(t("mkt.src.none", lang))
    names = [ctx.channel(c) for c in rows["channel"]]
    shown_src = rows.assign(name=names)
    _narrative(ctx, sec, shown_src)
    pct = lambda v, lg: fmt.percent(v, lg, 1)  # noqa: E731
    cols = [
        kit.Column("mkt.src.source", "name", "text"),
        kit.Column("mkt.src.leads", "leads"),
        kit.Column("mkt.src.deals", "deals_created"),
        kit.Column("mkt.src.won_cohort", "won_cohort"),
        kit.Column("mkt.src.conversion", "conversion", pct, right=True),
        kit.Column(
            "mkt.src.ci",
            lambda df: pd.Series(
                [_ci(a, b, lang) for a, b in zip(df["conversion_lo"], df["conversion_hi"])], index=df.index
            ),
            "text",
            right=True,
        ),
    ]
    raw = rows.assign(channel=[ctx.channel(c) for c in rows["channel"]])
    kit.table(sec, "sources", raw, cols, shown_rows=shown_src)
    sales_cols = [
        kit.Column("mkt.src.source", "name", "text"),
        kit.Column("mkt.src.won", "won_deals"),
        kit.Column("mkt.src.revenue", "revenue", "money"),
        kit.Column("mkt.src.check", "average_check", "money"),
        kit.Column("mkt.src.cycle", "cycle_days", lambda v, lg: fmt.number(v, lg, 0), right=True),
    ]
    shown, numeric = kit.shown_table(ctx, shown_src, sales_cols)
    sec.table("sources_sales", raw, shown, numeric=numeric, publish=False)
    if _has_spend(ctx):
        money = _blank(lambda v, lg: ctx.money(v))
        cost_cols = [
            kit.Column("mkt.src.source", "name", "text"),
            kit.Column("mkt.src.new", "new_clients"),
            kit.Column("mkt.src.spend", "spend", money, right=True),
            kit.Column("mkt.src.cpl", "cost_per_lead", money, right=True),
            kit.Column("mkt.src.cac", "cac", money, right=True),
            kit.Column("mkt.src.romi", "romi", _blank(lambda v, lg: fmt.percent(v, lg)), right=True),
            kit.Column("mkt.src.payback", "payback_months", _blank(lambda v, lg: fmt.number(v, lg, 1)), right=True),
        ]
        shown, numeric = kit.shown_table(ctx, shown_src, cost_cols)
        sec.table("sources_costs", raw, shown, numeric=numeric, publish=False)
        if rows["spend"].isna().any():
            sec.note(t("mkt.src.no_spend_note", lang))
        sec.note(t("mkt.def.spend_files", lang, files=", ".join(_shown_path(f) for f in ctx.data.spend.files)))
    sec.figure(charts.sources(rows, names, lang, ctx.currency))
    sec.note(t("mkt.def.sources", lang))
    return sec


def _narrative(ctx: MarketingContext, sec: Section, rows: pd.DataFrame) -> None:
    lang = ctx.lang
    conv = metrics.rank_conversion(rows)
    pc = lambda v: fmt.percent(v, lang, 1)  # noqa: E731
    if conv.reason == "too_few":
        sec.text(t("mkt.src.conv_few", lang, min=metrics.MIN_LEADS))
    else:
        b, w = conv.best, conv.worst
        key = "mkt.src.best_conv" if conv.reason == "ranked" else "mkt.src.conv_overlap"
        sec.text(
            t(
                key,
                lang,
                best=b["name"],
                conv=pc(b["conversion"]),
                won=fmt.number(b["won_cohort"], lang),
                leads=fmt.count(b["leads"], "mkt_lead_gen", lang),
                worst=w["name"],
                wconv=pc(w["conversion"]),
                wwon=fmt.number(w["won_cohort"], lang),
                wleads=fmt.count(w["leads"], "mkt_lead_gen", lang),
            ),
            finding=True,
        )
        if conv.reason == "ranked":
            ctx.figures.update(best_conversion_source=b["name"], worst_conversion_source=w["name"])
    if not _has_spend(ctx):
        return
    romi = metrics.rank_romi(rows)
    if romi.reason == "too_few":
        sec.text(t("mkt.src.romi_few", lang, min=metrics.MIN_WON))
    else:
        b, w = romi.best, romi.worst
        sec.text(
            t(
                "mkt.src.best_romi",
                lang,
                best=b["name"],
                romi=fmt.percent(b["romi"], lang),
                spend=ctx.money(b["spend"]),
                revenue=ctx.money(b["revenue"]),
                won=fmt.count(b["won_deals"], "mkt_won", lang),
                worst=w["name"],
                wromi=fmt.percent(w["romi"], lang),
                wspend=ctx.money(w["spend"]),
                wrevenue=ctx.money(w["revenue"]),
                wwon=fmt.count(w["won_deals"], "mkt_won", lang),
            ),
            finding=True,
        )
        ctx.figures.update(best_romi_source=b["name"], worst_romi_source=w["name"])
    for _, r in rows[(rows["spend"] > 0) & (rows["won_deals"] == 0)].iterrows():
        sec.text(
            t(
                "mkt.src.spend_no_wins",
                lang,
                source=r["name"],
                spend=ctx.money(r["spend"]),
                leads=fmt.count(r["leads"], "mkt_lead", lang),
            ),
            finding=True,
        )


def _shown_path(path: str) -> str:
    """A spend file as the reader knows it: relative to the project (params/spend/demo.csv), else its name."""
    from pathlib import Path

    p = Path(path)
    root = spend_files.SPEND_DIR.parents[1]
    try:
        return str(p.resolve().relative_to(root))
    except ValueError:
        return p.name


def compare(ctx: MarketingContext) -> Section:
    """Leads, cohort conversion and revenue per source: this period, the previous one and a year ago."""
    lang = ctx.lang
    sec = Section(ctx, "compare", t("mkt.cmp.title", lang))
    periods = [ctx.period, ctx.period.previous(), ctx.period.year_ago()]
    frames = [ctx.rows(p).set_index("channel") for p in periods]
    chans = sorted(set().union(*[f.index for f in frames]), key=metrics._channel_order)
    if not chans:
        return sec.text(t("mkt.src.none", lang))
    raw = pd.DataFrame({"channel": [ctx.channel(c) for c in chans]})
    for tag, f in zip(("current", "previous", "year_ago"), frames):
        f = f.reindex(chans)
        for col in ("leads", "conversion"):
            raw[f"{col}_{tag}"] = f[col].values
    labels = [fmt.period_label(p, lang) for p in periods]
    cols = [kit.Column("mkt.src.source", "channel", "text")]
    for col, key, kind in (
        ("leads", "mkt.src.leads", "number"),
        ("conversion", "mkt.src.conversion", "percent"),
    ):
        for tag, lab in zip(("current", "previous", "year_ago"), labels):
            cols.append(kit.Column(t("mkt.src.prev", lang, what=t(key, lang), period=lab), f"{col}_{tag}", kind))
    kit.table(sec, "sources_compare", raw.fillna({c: 0 for c in raw.columns if c.startswith("leads")}), cols)
    sec.note(
        t(
            "mkt.def.compare",
            lang,
            previous=fmt.period_label(ctx.period.previous(), lang),
            year_ago=fmt.period_label(ctx.period.year_ago(), lang),
        )
    )
    return sec


def customers(ctx: MarketingContext) -> Section:
    """New vs repeat revenue by month (12 months up to the period) and the repeat-purchase rates."""
    lang = ctx.lang
    sec = Section(ctx, "customers", t("mkt.cust.title", lang))
    p = ctx.purchases
    if p.empty:
        return sec.text(t("mkt.cust.none", lang), finding=True)
    months = metrics.months_back(ctx.period)
    nr = metrics.new_vs_repeat(p, months)
    inp = p[ctx.period.contains(p["closed_at"])]
    total, rep = float(inp["price"].sum()), float(inp.loc[inp["is_repeat"], "price"].sum())
    ctx.figures.update(repeat_revenue=rep, repeat_revenue_share=(rep / total) if total else None)
    if total:
        sec.text(
            t(
                "mkt.cust.sentence",
                lang,
                period=ctx.period_label,
                share=fmt.percent(rep / total, lang),
                repeat=ctx.money(rep),
                total=ctx.money(total),
            ),
            finding=True,
        )
    sec.figure(charts.new_repeat(nr, lang, ctx.currency))
    kit.table(
        sec,
        "new_vs_repeat",
        nr,
        [
            kit.Column("mkt.cust.month", "month", lambda v, lg: f"{fmt.month_name(v.month, lg)} {v.year}", right=False),
            kit.Column("mkt.cust.new_rev", "new_revenue", "money"),
            kit.Column("mkt.cust.rep_rev", "repeat_revenue", "money"),
            kit.Column("mkt.cust.new_deals", "new_deals"),
            kit.Column("mkt.cust.rep_deals", "repeat_deals"),
            kit.Column("mkt.cust.rep_share", "repeat_share", "percent"),
        ],
    )
    rr = metrics.repeat_rates(p, ctx.as_of)
    for _, r in rr.iterrows():
        ctx.figures[f"repeat_rate_{int(r['days'])}d"] = None if pd.isna(r["rate"]) else float(r["rate"])
    best = rr[rr["clients"] > 0]
    if len(best):
        r = best.iloc[-1]
        sec.text(
            t(
                "mkt.rep.sentence",
                lang,
                days=int(r["days"]),
                rate=fmt.percent(r["rate"], lang),
                k=fmt.number(r["repeated"], lang),
                n=fmt.count(r["clients"], "mkt_client_gen", lang),
            ),
            finding=True,
        )
    kit.table(
        sec,
        "repeat_rates",
        rr,
        [
            kit.Column("mkt.rep.days", "days"),
            kit.Column("mkt.rep.clients", "clients"),
            kit.Column("mkt.rep.repeated", "repeated"),
            kit.Column("mkt.rep.rate", "rate", "percent"),
            kit.Column(
                "mkt.src.ci",
                lambda df: pd.Series([_ci(a, b, lang) for a, b in zip(df["rate_lo"], df["rate_hi"])], index=df.index),
                "text",
                right=True,
            ),
        ],
    )
    sec.note(t("mkt.def.repeat", lang))
    return sec


def cohorts(ctx: MarketingContext) -> Section:
    """CLTV per first-purchase cohort (clients behind each) and the cohort revenue table."""
    lang = ctx.lang
    sec = Section(ctx, "cohorts", t("mkt.coh.title", lang))
    p = ctx.purchases
    if p.empty:
        return sec.text(t("mkt.cust.none", lang))
    coh = metrics.cohorts(p, metrics.months_back(ctx.period))
    full = coh[coh["clients"] > 0]
    if len(full):
        r = full.iloc[0]
        sec.text(
            t(
                "mkt.coh.sentence",
                lang,
                cohort=f"{fmt.month_name(r['cohort'].month, lang, genitive=True)} {r['cohort'].year}",
                cltv=ctx.money(r["cltv"]),
                n=fmt.count(r["clients"], "mkt_client", lang),
            )
        )
    sec.figure(charts.cohort_table(coh, lang, ctx.currency))
    kit.table(
        sec,
        "cohorts",
        coh,
        [
            kit.Column(
                "mkt.coh.cohort", "cohort", lambda v, lg: f"{fmt.month_name(v.month, lg)} {v.year}", right=False
            ),
            kit.Column("mkt.coh.clients", "clients"),
            kit.Column("mkt.coh.revenue", "revenue", "money"),
            kit.Column("mkt.coh.cltv", "cltv", "money"),
        ],
    )
    sec.note(t("mkt.def.cltv", lang))
    return sec


def abc(ctx: MarketingContext) -> Section:
    """ABC/XYZ of clients over the 12 months up to the period end; the largest clients listed."""
    lang = ctx.lang
    sec = Section(ctx, "abc", t("mkt.abc.title", lang))
    p = ctx.purchases
    if p.empty:
        return sec.text(t("mkt.cust.none", lang))
    cc = metrics.abc_xyz(p, metrics.months_back(ctx.period))
    tab = cc.table.assign(name=[ctx.client(c) for c in cc.table["client"]])
    if tab.empty:
        return sec.text(t("common.no_data", lang))
    n_a, n_x = int((tab["abc"] == "A").sum()), int((tab["xyz"] == "X").sum())
    ctx.figures.update(clients_12m=len(tab), clients_a=n_a, clients_x=n_x)
    sec.text(
        t(
            "mkt.abc.sentence",
            lang,
            a=fmt.count(n_a, "mkt_client", lang),
            n=fmt.number(len(tab), lang),
            x=fmt.count(n_x, "mkt_client", lang),
        ),
        finding=True,
    )
    m = cc.matrix.reset_index()
    shown = m.rename(columns={"abc": ""})
    for c in shown.columns[1:]:
        shown[c] = shown[c].map(lambda v: fmt.number(v, lang))
    sec.table("abc_xyz", m, shown, numeric={"X", "Y", "Z"})
    raw = tab.drop(columns=["client"]).rename(columns={"name": "client"})
    shown, numeric = kit.shown_table(
        ctx,
        raw.head(ABC_ROWS),
        [
            kit.Column("mkt.abc.client", "client", "text"),
            kit.Column("mkt.abc.revenue", "revenue", "money"),
            kit.Column("mkt.abc.share", "share", "percent", 1),
            kit.Column("mkt.abc.deals", "deals"),
            kit.Column("mkt.abc.months", "months_bought"),
            kit.Column("mkt.abc.cv", "cv", lambda v, lg: fmt.number(v, lg, 2), right=True),
            kit.Column("mkt.abc.class", lambda df: df["abc"] + df["xyz"], "text"),
        ],
    )
    sec.table("clients_abc", raw, shown, numeric=numeric)
    _more_rows(sec, ABC_ROWS, len(raw))
    sec.note(t("mkt.def.abc", lang))
    return sec


def lapsed(ctx: MarketingContext) -> Section:
    """Clients who bought in the year before the last and not in the last 12 months, with card links."""
    lang = ctx.lang
    sec = Section(ctx, "lapsed", t("mkt.lap.title", lang))
    p = ctx.purchases
    if p.empty:
        return sec.text(t("mkt.cust.none", lang))
    lp = metrics.lapsed(p, ctx.period)
    ctx.figures["lapsed_clients"] = len(lp)
    if lp.empty:
        return sec.text(t("mkt.lap.none", lang))
    end = ctx.period.end_ts
    year, before = end - pd.DateOffset(years=1), end - pd.DateOffset(years=2)
    last = lambda d: fmt.day(d - pd.Timedelta(days=1), lang)  # noqa: E731
    sec.text(
        t(
            "mkt.lap.sentence",
            lang,
            n=fmt.count(len(lp), "mkt_client", lang),
            b0=fmt.day(before, lang),
            b1=last(year),
            a0=fmt.day(year, lang),
            a1=last(end),
            revenue=ctx.money(lp["revenue"].sum()),
        ),
        finding=True,
    )
    base = links.account_base(ctx.data.account, ctx.deal_links or None)
    raw = lp.assign(name=[ctx.client(c) for c in lp["client"]])
    cols = [
        kit.Column("mkt.abc.client", "name", "text"),
        kit.Column("mkt.abc.revenue", "revenue", "money"),
        kit.Column("mkt.abc.deals", "deals"),
        kit.Column("mkt.lap.last", "last_at", "date"),
    ]
    head = raw.head(LAPSED_ROWS)
    shown, numeric = kit.shown_table(ctx, head, cols)
    sec.tables["lapsed"] = raw
    ctx.tables["lapsed"] = raw
    if base:
        urls = [_client_url(base, c) for c in head["client"]]
        sec.parts.append(("html", links.linked_table(shown, {shown.columns[0]: urls}, numeric)))
    else:
        sec.table("lapsed", raw, shown, numeric=numeric)
        sec.note(t("mkt.lap.no_links", lang))
    _more_rows(sec, LAPSED_ROWS, len(raw))
    return sec


def _more_rows(sec: Section, shown: int, total: int) -> None:
    """«Показаны первые 15 из 2 075; полный список — в CSV» under a table cut at ``shown`` rows (numbers formatted)."""
    if total > shown:
        lang = sec.ctx.lang
        more = t("report.more_rows", lang, shown=fmt.number(shown, lang), total=fmt.number(total, lang))
        sec.parts.append(("html", f'<p class="crm-more">{html.escape(more)}</p>'))


def _client_url(base: str, client: str) -> str | None:
    kind, _, cid = str(client).partition(":")
    if kind == "contact":
        return links.contact_url(base, int(cid))
    return f"{base.rstrip('/')}/companies/detail/{int(cid)}" if cid else None


def summary(ctx: MarketingContext) -> Section:
    return kit.takeaways(ctx, "mkt.summary.title")
