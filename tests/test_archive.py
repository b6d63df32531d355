"""The archive (crmreports.delivery.archive) on hand-built out folders: the archive page with its trend lines,
the "what changed" page (movers and findings worked out by hand), retention, and escaping of CRM names."""

import json
import re
from pathlib import Path

import pytest

from crmreports.delivery import archive
from crmreports.delivery.archive import changes, finding_shape, prune, sparkline, write_archive


def write_doc(
    out: Path, period: str, report: str, scope: str, figures: dict, findings=(), label: str = "", lang: str = "ru"
):
    """A document as the runner writes it (in another language than Russian: ``<scope>.<lang>.json``)."""
    suffix = "" if lang == "ru" else f".{lang}"
    folder = out / period / report
    folder.mkdir(parents=True, exist_ok=True)
    doc = {
        "report": report,
        "period": period,
        "scope": scope,
        "figures": figures,
        "findings": list(findings),
        "tables": {},
        "meta": {"scope_label": label or scope, "currency": "RUB"},
    }
    (folder / f"{scope}{suffix}.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    (out / period / f"index{suffix}.json").write_text("[]", encoding="utf-8")
    (out / period / f"index{suffix}.html").write_text("<html></html>", encoding="utf-8")


def test_sparkline_points_are_worked_out_by_hand():
    # width 100, height 20, padding 2: x = 2, 50, 98; y from 18 (minimum) to 2 (maximum)
    svg = sparkline([100, 200, 300])
    assert '<polyline points="2,18 50,10 98,2"/>' in svg and '<circle cx="98" cy="2" r="2"/>' in svg
    assert '<polyline points="2,2 98,18"/>' in sparkline([3, None, 1])  # a gap keeps its slot
    assert '<polyline points="2,10 50,10"/>' in sparkline([5, 5, None])  # flat: mid height
    assert sparkline([7]) == "" and sparkline([None, None]) == ""
    assert "<title>a &lt;b&gt;</title>" in sparkline([1, 2], title="a <b>")


def test_the_archive_lists_every_built_period_newest_first_with_trend_lines(tmp_path):
    for period, revenue, won in (("2026-09", 100, 1), ("2026-10", 200, 2), ("2026-11", 300, 4)):
        write_doc(tmp_path, period, "sales_analysis", "team", {"revenue": revenue, "won_deals": won, "win_rate": 0.25})
    write_doc(tmp_path, "2026-Q3", "sales_analysis", "team", {"revenue": 1000, "won_deals": 9, "win_rate": 0.5})
    write_doc(tmp_path, "assets", "sales_analysis", "team", {"revenue": 5})  # not a period: not listed
    (tmp_path / "2026-12").mkdir()  # a period folder without index.json: not built, not listed
    page = write_archive(tmp_path, "ru")
    assert page == tmp_path / "index.html"
    text = page.read_text(encoding="utf-8")
    assert text.count("<svg") == 3  # months: revenue, won deals, win rate (flat); the quarter: one period, no lines
    months = text[text.index("id='month'") : text.index("id='quarter'")]
    assert '<polyline points="2,18 50,10 98,2"/>' in months  # revenue 100, 200, 300
    assert '<polyline points="2,18 50,12.7 98,2"/>' in months  # won deals 1, 2, 4: y(2) = 2 + (4-2)/3·16
    order = [m.group(1) for m in re.finditer(r"<tr><td><a href='([^']+)/index.html'>", months)]
    assert order == ["2026-11", "2026-10", "2026-09"]
    assert "300\u00a0₽" in months and "ноябрь 2026" in months
    assert "2026-11/changes.html" in months and (tmp_path / "2026-11" / "changes.html").is_file()
    assert "3 квартал 2026" in text and "1\u00a0000\u00a0₽" in text
    assert "assets/" not in text and "2026-12" not in text
    assert "Собрано периодов: 4" in text
    # the English pack has its own documents and its own archive page (index.en.html); the Russian one stays
    write_doc(tmp_path, "2026-11", "sales_analysis", "team", {"revenue": 300, "won_deals": 4}, lang="en")
    en = write_archive(tmp_path, "en")
    assert en == tmp_path / "index.en.html" and "Собрано периодов: 4" in page.read_text(encoding="utf-8")
    en = en.read_text(encoding="utf-8")
    assert "Report archive" in en and "November 2026" in en and "₽300" in en and "2026-11/index.en.html" in en


def test_the_archive_of_an_empty_folder_says_so(tmp_path):
    assert "Пока нет ни одного собранного периода." in write_archive(tmp_path).read_text(encoding="utf-8")


SALES_PREV = {"revenue": 100, "won_deals": 10, "win_rate": 0.2, "created_deals": 0, "stale_deals": 1}
SALES_CUR = {"revenue": 150, "won_deals": 9, "win_rate": 0.1, "created_deals": 5, "stale_deals": 100}


def build_two_months(out: Path):
    """2026-09 (older), 2026-10 (previous) and 2026-11 (current); a quarter in between that must be ignored."""
    write_doc(out, "2026-09", "sales_analysis", "team", {"revenue": 1})
    write_doc(out, "2026-Q4", "sales_analysis", "team", {"revenue": 10**9})
    write_doc(
        out,
        "2026-10",
        "sales_analysis",
        "team",
        SALES_PREV,
        ["Выручка за октябрь 2026 — 100 ₽: 1 успешная сделка.", "Лидер по выручке — Игорь Соколов: 5 ₽.", "Старый."],
    )
    write_doc(
        out,
        "2026-11",
        "sales_analysis",
        "team",
        SALES_CUR,
        ["Выручка за ноябрь 2026 — 150 ₽: 25 успешных сделок.", "Лидер по выручке — Анна Смирнова: 6 ₽.", "Новый."],
    )
    write_doc(out, "2026-10", "calls", "team", {"calls_total": 100, "calls_missed": 7})
    write_doc(out, "2026-11", "calls", "team", {"calls_total": 300, "calls_missed": 7})
    evil = "<script>alert(1)</script>"
    manager_prev = {"revenue": 10, "won_deals": 1, "win_rate": 0.5, "lost_deals": 4}
    manager_cur = {"revenue": 30, "won_deals": 2, "win_rate": 0.45, "lost_deals": 5}
    write_doc(out, "2026-10", "sales_analysis", "evil", manager_prev, ["Было <b>так</b>."], evil)
    write_doc(out, "2026-11", "sales_analysis", "evil", manager_cur, ["Стало <b>иначе</b> у " + evil], evil)
    write_doc(out, "2026-11", "sales_analysis", "newcomer", {"revenue": 5}, ["Первый месяц."], "Новичок")


def test_changes_picks_the_biggest_movers_and_new_and_gone_findings(tmp_path):
    build_two_months(tmp_path)
    data = changes(tmp_path, "2026-11", "ru")
    assert (data["period"], data["previous"]) == ("2026-11", "2026-10")
    # team: calls +200 %; revenue +50 % and win rate −50 % (a tie, in the JSON's order); won deals −10 %;
    # created deals were 0 (not compared); missed calls did not move; stale deals have no label: left out
    team = [
        (m["report"], m["figure"], m["previous"], m["current"], round(m["change"], 6)) for m in data["movers"]["team"]
    ]
    assert team == [
        ("calls", "calls_total", 100, 300, 2.0),
        ("sales_analysis", "revenue", 100, 150, 0.5),
        ("sales_analysis", "win_rate", 0.2, 0.1, -0.5),
        ("sales_analysis", "won_deals", 10, 9, -0.1),
    ]
    saved = json.loads((tmp_path / "2026-11" / "changes.json").read_text(encoding="utf-8"))
    assert saved["movers"] == data["movers"] and saved["findings"] == data["findings"]
    assert [m["figure"] for m in changes(tmp_path, "2026-11", "ru", top=2)["movers"]["team"]] == [
        "calls_total",
        "revenue",
    ]
    revenue = data["movers"]["team"][1]
    assert (revenue["previous_text"], revenue["current_text"], revenue["change_text"]) == (
        "100\u00a0₽",
        "150\u00a0₽",
        "+50\u00a0%",
    )
    # a rate moves in percentage points: 20 % → 10 % is −10 p.p. (ranked by its relative change, −50 %)
    win_rate = data["movers"]["team"][2]
    assert (win_rate["previous_text"], win_rate["current_text"], win_rate["change_text"]) == (
        "20,0\u00a0%",
        "10,0\u00a0%",
        "\u221210,0\u00a0п.п.",
    )
    # the manager: revenue +200 %, won deals +100 %, lost deals +25 % (the top 3); win rate −10 % is 4th
    scoped = [(m["scope"], m["figure"]) for m in data["movers"]["scopes"]]
    assert scoped == [("evil", "revenue"), ("evil", "won_deals"), ("evil", "lost_deals")]
    # findings: the revenue sentence is the same finding (numbers, month and the noun's form differ);
    # the leader changed and the last line is new
    new = [(f["scope"], f["text"]) for f in data["findings"]["new"]]
    gone = [(f["scope"], f["text"]) for f in data["findings"]["gone"]]
    assert new == [
        ("team", "Лидер по выручке — Анна Смирнова: 6 ₽."),
        ("team", "Новый."),
        ("evil", "Стало <b>иначе</b> у <script>alert(1)</script>"),
    ]
    assert gone == [
        ("team", "Лидер по выручке — Игорь Соколов: 5 ₽."),
        ("team", "Старый."),
        ("evil", "Было <b>так</b>."),
    ]
    assert data["documents"] == {"new": [{"report": "sales_analysis", "scope": "newcomer"}], "gone": []}


def test_crm_names_come_out_escaped(tmp_path):
    build_two_months(tmp_path)
    changes(tmp_path, "2026-11", "ru")
    page = (tmp_path / "2026-11" / "changes.html").read_text(encoding="utf-8")
    assert "<script>" not in page and "<b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "Стало &lt;b&gt;иначе&lt;/b&gt;" in page
    assert "Сильнее всего изменились — вся команда" in page and "+200\u00a0%" in page
    assert "<script>" not in write_archive(tmp_path, "ru").read_text(encoding="utf-8")


def test_changes_without_an_earlier_period_says_so(tmp_path):
    write_doc(tmp_path, "2026-11", "sales_analysis", "team", SALES_CUR, ["Новый."])
    write_doc(tmp_path, "2026-12", "sales_analysis", "team", SALES_CUR, ["Новый."])  # later: not a previous period
    data = changes(tmp_path, "2026-11", "en")
    assert data["previous"] is None and data["movers"]["team"] == [] and data["findings"]["new"] == []
    page = (tmp_path / "2026-11" / "changes.en.html").read_text(encoding="utf-8")  # the English page's own name
    assert "There is no earlier built period of the same kind to compare with." in page


def test_finding_shapes():
    same = [
        ("Выручка за октябрь 2026 — 31 871 000 ₽ (+2 % к предыдущему периоду): 245 успешных сделок, средний чек 1 ₽.",
         "Выручка за ноябрь 2026 — 30 910 000 ₽ (−3 % к предыдущему периоду): 251 успешная сделка, средний чек 2 ₽."),
        ("Мало звонков (меньше 30): Павел Кузнецов (6 звонков).",
         "Мало звонков (меньше 30): Павел Кузнецов (7 звонков)."),
        ("Revenue for May 2026: $1,200.", "Revenue for June 2026: $1,300."),
    ]  # fmt: skip
    for a, b in same:
        assert finding_shape(a) == finding_shape(b)
    assert finding_shape("Самый слабый переход — «Квалификация»: 76 %.") != finding_shape(
        "Самый слабый переход — «Счёт выставлен»: 56 %."
    )


def test_prune_keeps_exactly_n_of_each_kind_and_nothing_else(tmp_path):
    for name in ("2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06", "2026-Q1", "2026-Q2"):
        write_doc(tmp_path, name, "calls", "team", {"calls_total": 1})
    for name in ("assets", "2026-13", "2026-q3", "notes-2026-01"):  # not periods, or not in the canonical form
        (tmp_path / name).mkdir()
    (tmp_path / "2026-07").write_text("a file, not a folder", encoding="utf-8")
    (tmp_path / "2025-12").symlink_to(tmp_path / "assets", target_is_directory=True)
    removed = prune(tmp_path, 3)
    assert [p.name for p in removed] == ["2026-03", "2026-02", "2026-01"]
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == sorted(
        ["2026-04", "2026-05", "2026-06", "2026-Q1", "2026-Q2", "assets", "2026-13", "2026-q3", "notes-2026-01"]
        + ["2026-07", "2025-12"]
    )
    assert prune(tmp_path, 3) == []
    assert [p.name for p in prune(tmp_path, 1)] == ["2026-05", "2026-04", "2026-Q1"]
    with pytest.raises(ValueError, match="keep must be a whole number of periods, 1 or more"):
        prune(tmp_path, 0)


def test_figure_labels_fill_their_placeholders():
    assert archive.figure_label("calls.kpi.calls_missed_not_called_back", "ru", {"callback_hours": 24}) == (
        "Не перезвонили (24 ч)"
    )
    assert archive.figure_label("calls.kpi.calls_missed_not_called_back", "en", {}) == "Not called back (… h)"
    assert archive.figure_info("sales_analysis", "revenue") == ("sales.kpi.revenue", "money")
    assert archive.figure_info("sales_analysis", "stale_deals") is None
