"""Spend files (lib/crmreports/sources/spend.py): plain CSV and YAML, Яндекс Директ and VK Реклама statistics
exports, and clear errors naming file, line and field. Fixture exports in tests/fixtures_spend/ have the shape of
the real ones: Direct's report wizard CSV (a title line, Russian headers, semicolons, an «Итого» line), the
Direct Reports API TSV (title line, Date/CampaignName/Cost in millionths, «Total rows»), VK's statistics CSV."""

from __future__ import annotations

import pandas as pd
import pytest

from crmreports.sources import spend

FIX = __import__("pathlib").Path(__file__).parent / "fixtures_spend"
NOV, OCT = pd.Timestamp("2026-11-01"), pd.Timestamp("2026-10-01")


def _as_dict(df):
    return {(s, m.strftime("%Y-%m")): a for s, m, a in zip(df["source"], df["month"], df["amount"])}


def test_direct_wizard_export():
    df = spend.read_ad_export(
        FIX / "direct_wizard.csv", "direct", {"Поиск | Оборудование": "Яндекс Директ"}, default_source="Директ РСЯ"
    )
    # November: search 4 310,40 + 4 689,60 = 9 000,00; the network campaign (not mapped) 1 205,00 to the default;
    # 30 October: 3 000,00 in October; the «Итого» line is skipped
    assert _as_dict(df) == {
        ("Директ РСЯ", "2026-11"): 1205.0,
        ("Яндекс Директ", "2026-10"): 3000.0,
        ("Яндекс Директ", "2026-11"): 9000.0,
    }


def test_direct_api_tsv_in_millionths():
    df = spend.read_ad_export(FIX / "direct_api.tsv", "direct", {}, default_source="Яндекс Директ")
    # 4 310 400 000 + 950 000 000 millionths = 4 310.40 + 950.00
    assert _as_dict(df) == {("Яндекс Директ", "2026-11"): pytest.approx(5260.4)}


def test_vk_export():
    df = spend.read_ad_export(FIX / "vk_stats.csv", "vk", {"Лиды | Оборудование": "VK Реклама"})
    assert _as_dict(df) == {("VK Реклама", "2026-11"): pytest.approx(4600.5)}  # 2 500,50 + 2 100,00


def test_unmapped_campaign_is_an_error_naming_it():
    with pytest.raises(spend.SpendError) as e:
        spend.read_ad_export(FIX / "direct_wizard.csv", "direct", {"Поиск | Оборудование": "Яндекс Директ"})
    msg = str(e.value)
    assert "direct_wizard.csv, line 4" in msg and "'Кампания'" in msg and "РСЯ | Ретаргетинг" in msg


def test_plain_csv_and_yaml_add_up(tmp_path):
    (tmp_path / "acc.csv").write_text("source;month;amount\nСайт;2026-11;120 000,50\nСайт;2026-10;1000\n")
    (tmp_path / "direct.csv").write_bytes((FIX / "direct_wizard.csv").read_bytes())
    (tmp_path / "acc.yaml").write_text(
        "spend:\n  Сайт: {2026-11: 500}\n  Авито: {2026-11: 7000}\n"
        "exports:\n  - file: direct.csv\n    format: direct\n    source: Яндекс Директ\n",
        encoding="utf-8",
    )
    data = spend.read_spend(spend.spend_files("acc", tmp_path))
    d = _as_dict(data.spend)
    # Сайт November: 120 000,50 (CSV) + 500 (YAML); every Direct campaign to «Яндекс Директ»: 9 000 + 1 205
    assert d[("Сайт", "2026-11")] == 120500.5 and d[("Сайт", "2026-10")] == 1000.0
    assert d[("Авито", "2026-11")] == 7000.0 and d[("Яндекс Директ", "2026-11")] == 10205.0
    assert len(data.files) == 2


@pytest.mark.parametrize(
    "text, line, field, valid",
    [
        ("source,month,amount\nСайт,2026-11,100\nСайт,2026-11,abc\n", 3, "amount", "valid: a number"),
        ("source,month,amount\nСайт,2026-13,100\n", 2, "month", "valid: YYYY-MM"),
        ("source,month,amount\nСайт,2026-11,-5\n", 2, "amount", "non-negative"),
        ("source,month,amount\n,2026-11,5\n", 2, "source", "empty source"),
        ("source,amount\nСайт,5\n", 1, "month", "missing column"),
    ],
)
def test_malformed_csv_names_file_line_and_field(tmp_path, text, line, field, valid):
    p = tmp_path / "bad.csv"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(spend.SpendError) as e:
        spend.read_spend([p])
    assert f"bad.csv, line {line}, field {field!r}" in str(e.value) and valid in str(e.value)
    assert (e.value.line, e.value.field) == (line, field)


def test_malformed_yaml(tmp_path):
    p = tmp_path / "bad.yaml"
    p.write_text("spend:\n  Сайт: {2026-11: много}\n", encoding="utf-8")
    with pytest.raises(spend.SpendError, match=r"bad.yaml, line 2, field 'Сайт.2026-11'.*not an amount"):
        spend.read_spend([p])
    p.write_text("spend:\n  Сайт: {2026-11: 1}\nexport: []\n", encoding="utf-8")
    with pytest.raises(spend.SpendError, match=r"line 3, field 'export': unknown key; valid: spend, exports"):
        spend.read_spend([p])
    p.write_text("exports:\n  - {file: x.csv, format: google}\n", encoding="utf-8")
    with pytest.raises(spend.SpendError, match=r"exports\[1\].format.*valid: direct, vk"):
        spend.read_spend([p])


def test_account_key_and_demo_file():
    assert spend.account_key(pd.Series({"source": "demo", "subdomain": "tehnosnab"})) == "demo"
    assert spend.account_key(pd.Series({"source": "api", "subdomain": "Shop"})) == "shop"
    assert spend.account_key(pd.Series({"source": "import:olist", "subdomain": None, "name": "Olist: funnel"})) == (
        "olist-funnel"
    )
    demo = spend.load_account_spend(pd.Series({"source": "demo"}))
    d = _as_dict(demo.spend)
    # params/spend/demo.csv: Яндекс Директ 900 000 × season 1.2 in November 2026; the exhibition only in March/October
    assert d[("Яндекс Директ", "2026-11")] == 1080000.0 and ("Выставка", "2026-11") not in d
    assert {s for s, _ in d} == {"Яндекс Директ", "VK Реклама", "Авито", "Сайт", "Выставка"}
