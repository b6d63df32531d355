"""Alert rules (crmreports.delivery.alerts) on hand-built out folders: the JSON figures and table CSVs are
written by the tests, every threshold worked out by hand, and the boundary checked both ways."""

import json
import re
from pathlib import Path

import pytest

from crmreports.delivery import alerts
from crmreports.delivery.alerts import AlertRuleError, evaluate, load_rules, parse_rules, percentile

ROOT = Path(__file__).resolve().parents[1]
FUNNEL_HEAD = "pipeline_id,pipeline,status_id,stage,rank,passed,cumulative,conv_passed,conv_cumulative\n"


def write_doc(out: Path, period: str, report: str, scope: str, figures: dict, label: str = "", tables=None):
    folder = out / period / report
    folder.mkdir(parents=True, exist_ok=True)
    doc = {
        "report": report,
        "period": period,
        "scope": scope,
        "figures": figures,
        "findings": [],
        "tables": tables or {},
        "meta": {"scope_label": label or scope, "currency": "RUB"},
    }
    (folder / f"{scope}.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    (out / period / "index.json").write_text("[]", encoding="utf-8")


def write_funnel(out: Path, period: str, scope: str, conv: float, cumulative: int = 364):
    """A funnel table where «Встреча проведена» exists in two pipelines; only «Продажи» carries ``conv``."""
    write_doc(out, period, "sales_analysis", scope, {"revenue": 1.0}, tables={"funnel": f"{scope}/funnel.csv"})
    path = out / period / "sales_analysis" / scope / "funnel.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        FUNNEL_HEAD
        + "1,Продажи,11,Встреча назначена,2,400,400,0.6,0.6\n"
        + f"1,Продажи,12,Встреча проведена,3,{cumulative},{cumulative},0.5,{conv!r}\n"
        + "2,Повторные продажи,21,Встреча проведена,1,50,50,0.9,0.9\n",
        encoding="utf-8",
    )


def months(start_year: int, start_month: int, n: int) -> list[str]:
    out, y, m = [], start_year, start_month
    for _ in range(n):
        out.append(f"{y}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


MISSED = {
    "id": "missed",
    "title": {"ru": "Пропущенные без перезвона", "en": "Missed calls not returned"},
    "report": "calls",
    "figure": "calls_missed_not_called_back",
    "above": 10,
    "count": "calls_missed",
    "count_noun": "call",
    "scopes": ["team", "managers"],
    "section": "missed",
}


def test_above_fires_at_the_threshold_and_not_below_it(tmp_path):
    write_doc(tmp_path, "2026-11", "calls", "team", {"calls_missed_not_called_back": 10, "calls_missed": 146})
    write_doc(tmp_path, "2026-11", "calls", "anna", {"calls_missed_not_called_back": 9, "calls_missed": 22}, "Анна")
    found = evaluate(tmp_path, "2026-11", parse_rules({"rules": [MISSED]}))
    assert [(a.scope, a.value, a.threshold, a.count) for a in found] == [("team", 10.0, 10.0, 146.0)]
    alert = found[0]
    assert alert.link == "2026-11/calls/team.html#missed"  # no page to check the anchor against: kept
    assert alert.text("ru") == (
        "Вся команда. Пропущенные без перезвона: 10 — на уровне порога 10 или выше; основано на: 146\u00a0звонков."
    )
    assert alert.text("en") == (
        "Whole team. Missed calls not returned: 10, at or above the threshold 10; based on 146\u00a0calls."
    )
    assert found.notes == [] and found.rules == 1


def test_below_fires_at_the_threshold_and_not_just_above_it(tmp_path):
    rule = {"id": "win", "report": "sales_analysis", "figure": "win_rate", "below": 0.5, "scopes": ["groups"]}
    for scope, value in (("group-a", 0.5), ("group-b", 0.5000001), ("group-c", 0.49)):
        write_doc(tmp_path, "2026-11", "sales_analysis", scope, {"win_rate": value}, scope.upper())
    write_doc(tmp_path, "2026-11", "sales_analysis", "team", {"win_rate": 0.1})  # not asked for
    found = evaluate(tmp_path, "2026-11", parse_rules({"rules": [rule]}))
    assert [a.scope for a in found] == ["group-a", "group-c"]
    assert "50,0\u00a0% — на уровне порога 50,0\u00a0% или ниже" in found[0].text("ru")  # a registry percent figure


def test_below_a_reference_figure_times_a_factor(tmp_path):
    """Revenue pace: plan 57 % done at 12 of 20 working days: 0.6 × 0.95 = 0.57, exactly at the bound."""
    rule = {
        "id": "pace",
        "report": "goals",
        "figure": "plan_done_share",
        "below_figure": "working_days_elapsed / working_days_total",
        "factor": 0.95,
        "reference_title": {"ru": "доля прошедших рабочих дней", "en": "share of working days gone"},
        "scopes": ["team", "managers"],
        "section": "progress",
    }
    days = {"working_days_elapsed": 12, "working_days_total": 20}
    write_doc(tmp_path, "2026-11", "goals", "team", {"plan_done_share": 0.57, **days})
    write_doc(tmp_path, "2026-11", "goals", "olga", {"plan_done_share": 0.58, **days}, "Ольга")
    write_doc(tmp_path, "2026-11", "goals", "ivan", {"plan_done_share": None, **days}, "Иван")  # no plan
    page = tmp_path / "2026-11" / "goals" / "team.html"
    page.write_text('<section id="plan"></section>', encoding="utf-8")  # the page lacks the anchor: link without
    found = evaluate(tmp_path, "2026-11", parse_rules({"rules": [rule]}))
    assert [(a.scope, round(a.threshold, 12)) for a in found] == [("team", 0.57)]
    assert found[0].link == "2026-11/goals/team.html"
    assert found[0].text("ru") == (
        "Вся команда. plan_done_share: 57,0\u00a0% — на уровне ориентира 57,0\u00a0% "
        "(доля прошедших рабочих дней × 0,95) или ниже."
    )
    assert [(n.scope, n.reason) for n in found.notes] == [("ivan", "missing")]


def test_percentile_is_worked_out_by_hand():
    assert percentile([10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120], 10) == 21  # rank 1.1: 20 + 0.1 × 10
    assert percentile([4, 1, 3, 2], 50) == 2.5
    assert percentile([5], 90) == 5


def test_stage_conversion_below_its_p10_over_the_last_12_months(tmp_path):
    """14 earlier months: the 2 oldest (0.0) are beyond the 12-month window; the last 12 are 0.10 … 1.20 shuffled,
    whose P10 is 0.21. The team at 0.21 fires; the group at 0.2101 does not."""
    history = months(2025, 9, 14)  # 2025-09 … 2026-10
    values = [0.0, 0.0] + [v / 100 for v in (70, 10, 120, 30, 50, 20, 110, 40, 90, 60, 100, 80)]
    for period, conv in zip(history, values, strict=True):
        write_funnel(tmp_path, period, "team", conv)
        write_funnel(tmp_path, period, "group-one", conv)
    write_funnel(tmp_path, "2026-11", "team", 0.21, cumulative=364)
    write_funnel(tmp_path, "2026-11", "group-one", 0.2101)
    rules = parse_rules(
        {
            "rules": [
                {
                    "id": "meeting_held",
                    "title": {"ru": "Конверсия в «Встреча проведена»", "en": "Conversion to meeting held"},
                    "report": "sales_analysis",
                    "table": "funnel",
                    "row": {"pipeline": "Продажи", "stage": "Встреча проведена"},
                    "column": "conv_cumulative",
                    "below_percentile": 10,
                    "count": "cumulative",
                    "count_noun": "deal",
                    "scopes": ["team", "groups"],
                    "section": "funnel",
                }
            ]
        }
    )
    assert alerts.earlier_periods(tmp_path, alerts.parse_period("2026-11"))[:2] == ["2026-10", "2026-09"]
    found = evaluate(tmp_path, "2026-11", rules)
    assert [(a.scope, a.history) for a in found] == [("team", 12)]
    assert found[0].threshold == pytest.approx(0.21, abs=1e-12)
    assert found[0].link == "2026-11/sales_analysis/team.html#funnel"
    assert found[0].text("ru") == (
        "Вся команда. Конверсия в «Встреча проведена»: 21,0\u00a0% — на уровне 10-го процентиля за "
        "12 прошлых периодов (21,0\u00a0%) или ниже; основано на: 364\u00a0сделки."
    )
    assert "at or below the 10th percentile of the last 12 periods (21.0%)" in found[0].text("en")


def test_percentile_with_short_history_says_so_and_does_not_fire(tmp_path):
    for period in months(2026, 6, 5):  # 2026-06 … 2026-10: five earlier months
        write_doc(tmp_path, period, "sales_analysis", "team", {"win_rate": 0.5})
    write_doc(tmp_path, "2026-11", "sales_analysis", "team", {"win_rate": 0.01})
    write_doc(tmp_path, "2026-Q3", "sales_analysis", "team", {"win_rate": 0.5})  # another kind: not history
    rule = {"id": "win_p10", "report": "sales_analysis", "figure": "win_rate", "below_percentile": 10}
    found = evaluate(tmp_path, "2026-11", parse_rules({"rules": [rule]}))
    assert list(found) == []
    assert [(n.scope, n.reason) for n in found.notes] == [("team", "short_history")]
    assert "история слишком короткая: 5 из нужных 6 прошлых периодов" in found.notes[0].text("ru")
    assert "the history is too short: 5 of the 6 earlier periods it needs" in found.notes[0].text("en")
    assert found.summary("ru") == "оповещений: 0 (правил: 1); не проверено: 1"


def test_an_ambiguous_row_and_a_missing_report_are_notes(tmp_path):
    write_funnel(tmp_path, "2026-11", "team", 0.3)
    rules = parse_rules(
        {
            "rules": [
                {
                    "id": "any_meeting",
                    "report": "sales_analysis",
                    "table": "funnel",
                    "row": {"stage": "Встреча проведена"},  # in both pipelines
                    "column": "conv_cumulative",
                    "below": 0.5,
                },
                {"id": "calls", "report": "calls", "figure": "calls_total", "above": 1},
            ]
        }
    )
    found = evaluate(tmp_path, "2026-11", rules)
    assert list(found) == []
    assert [(n.rule_id, n.reason) for n in found.notes] == [("any_meeting", "ambiguous"), ("calls", "no_documents")]
    assert "нет документов отчёта «Звонки» для всей команды" in found.notes[1].text("ru")


def write_rules(tmp_path, text: str) -> Path:
    path = tmp_path / "alerts.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "rule, expected",
    [
        (
            "{id: r1, report: salez, figure: revenue, below: 1}",
            "alerts.yaml: rule 'r1': field 'report': unknown report 'salez'; valid: summary, sales_analysis, "
            "unsorted_leads, calls, goals, forecast, managers, marketing, audit",
        ),
        (
            "{id: r2, report: calls, figure: calls_total}",
            "alerts.yaml: rule 'r2': field 'below': a rule needs exactly one comparison (has 0: none); valid "
            "comparisons: below, above, below_percentile, above_percentile, below_figure, above_figure",
        ),
        (
            "{id: r3, report: calls, figure: calls_total, below: 1, above: 2}",
            "alerts.yaml: rule 'r3': field 'above': a rule needs exactly one comparison (has 2: below, above)",
        ),
        (
            "{id: r4, report: calls, figure: calls_total, below: 1, scopes: [team, everyone]}",
            "alerts.yaml: rule 'r4': field 'scopes': a list of scope kinds (got ['team', 'everyone']); "
            "valid: team, groups, managers",
        ),
        (
            "{id: r5, report: calls, figure: calls_total, belw: 1}",
            "alerts.yaml: rule 'r5': field 'belw': unknown field; valid fields: id, title, report",
        ),
        ("{id: r6, report: calls, figure: calls_total, below: ten}", "rule 'r6': field 'below': a number (got 'ten')"),
        (
            "{id: r7, report: calls, figure: calls_total, below_percentile: 10, min_history: 13}",
            "rule 'r7': field 'min_history': at most 'history' (12), got 13",
        ),
        (
            "{id: r8, report: calls, figure: calls_total, above: 1, count_noun: widget}",
            "rule 'r8': field 'count_noun': unknown noun 'widget'; valid: ",
        ),
        ("{report: calls, figure: calls_total, above: 1}", "alerts.yaml: rule #1: field 'id': required"),
        (
            "{id: r9, report: sales_analysis, table: funnel, column: conv_cumulative, below: 1}",
            "rule 'r9': field 'row': required with 'table'",
        ),
    ],
)
def test_a_bad_rule_names_the_file_the_rule_and_the_field(tmp_path, rule, expected):
    path = write_rules(tmp_path, f"rules:\n  - {rule}\n")
    with pytest.raises(AlertRuleError) as err:
        load_rules(path)
    assert str(err.value).startswith("alerts.yaml: rule ")
    assert expected in str(err.value)


@pytest.mark.reliability("R48")
def test_bad_files(tmp_path):
    with pytest.raises(AlertRuleError, match="alerts.yaml: not valid YAML"):
        load_rules(write_rules(tmp_path, "rules: [unclosed\n"))
    with pytest.raises(AlertRuleError, match="unknown key\\(s\\): rulez"):
        load_rules(write_rules(tmp_path, "rulez: []\n"))
    with pytest.raises(AlertRuleError, match="rule 'a': field 'id': used twice"):
        load_rules(write_rules(tmp_path, "rules:\n" + "  - {id: a, report: calls, figure: x, above: 1}\n" * 2))
    with pytest.raises(AlertRuleError, match="no such alerts file"):
        load_rules(tmp_path / "missing.yaml")


def test_the_shipped_rules_load():
    rules = load_rules(ROOT / "params" / "alerts.yaml")
    assert [(r.id, r.report, r.comparison) for r in rules] == [
        ("revenue_pace_below_plan", "goals", "below_figure"),
        ("meeting_held_conversion_low", "sales_analysis", "below_percentile"),
        ("missed_calls_not_returned", "calls", "above"),
    ]
    assert rules[1].row == (("pipeline", "Продажи"), ("stage", "Встреча проведена"))
    assert (rules[1].history, rules[1].min_history, rules[0].factor) == (12, 6, 0.95)


def test_the_labels_have_both_languages_and_the_same_placeholders():
    from crmreports.core.labels import has
    from crmreports.delivery import alert_labels

    for key, value in alert_labels.TEXT.items():
        assert set(value) == {"ru", "en"} and all(v.strip() for v in value.values()), key
        assert set(re.findall(r"{(\w+)}", value["ru"])) == set(re.findall(r"{(\w+)}", value["en"])), key
    dynamic = [f"alerts.msg.{c}" for c in alerts.COMPARISONS] + [f"alerts.scopes.{s}" for s in alerts.SCOPE_KINDS]
    dynamic += [f"alerts.note.{r}" for r in ("short_history", "missing", "ambiguous", "no_documents")]
    dynamic += [f"archive.kind.{k}" for k in ("month", "quarter", "week", "year", "range")]
    dynamic += ["changes.documents_new", "changes.documents_gone"]
    for path in ("alerts.py", "archive.py"):
        source = (ROOT / "lib" / "crmreports" / "delivery" / path).read_text(encoding="utf-8")
        dynamic += re.findall(r"""t\(\s*["']((?:alerts|archive|changes|common)\.[\w.]+)["']""", source)
    assert dynamic and [k for k in dynamic if not has(k)] == []
