import pytest

from crmreports.core import fmt
from crmreports.core.periods import parse_period

NB = "\u00a0"


def test_money_and_numbers():
    assert fmt.money(1200000) == f"1{NB}200{NB}000{NB}₽"
    assert fmt.money(1200000, "en") == "₽1,200,000"
    assert fmt.money(None) == "—"
    assert fmt.money_short(1234567) == f"1,2{NB}млн{NB}₽"
    assert fmt.money_short(94000, "en") == "₽94K"
    assert fmt.number(1234567.5, "ru", 1) == f"1{NB}234{NB}567,5"


def test_percent_and_change():
    assert fmt.percent(0.16) == f"16{NB}%"
    assert fmt.percent(0.156, "en", 1) == "15.6%"
    assert fmt.change(120, 100) == f"+20{NB}%"
    assert fmt.change(80, 100, "en") == "−20%"
    assert fmt.change(0.30, 0.25, "ru", "points") == f"+5,0{NB}п.п."
    assert fmt.change(5, 0) == "—"


def test_russian_plurals():
    assert fmt.count(1, "deal") == f"1{NB}сделка"
    assert fmt.count(3, "deal") == f"3{NB}сделки"
    assert fmt.count(11, "deal") == f"11{NB}сделок"
    assert fmt.count(21, "deal") == f"21{NB}сделка"
    assert fmt.count(112, "deal") == f"112{NB}сделок"
    assert fmt.count(2, "deal", "en") == f"2{NB}deals"
    assert fmt.days(2.5, "ru", 1) == f"2,5{NB}дня"
    assert fmt.days(5) == f"5{NB}дней"


def test_dates_and_periods():
    assert fmt.day("2026-11-24 14:05") == "24.11.2026"
    assert fmt.period_label(parse_period("2026-10")) == "октябрь 2026"
    assert fmt.period_label(parse_period("2026-10"), "en") == "October 2026"
    assert fmt.period_label(parse_period("2026-Q3")) == "3 квартал 2026"
    assert fmt.period_label(parse_period("2026-W44")) == "неделя 44, 2026 (26.10–01.11)"
    assert fmt.duration_hm(3900) == f"1{NB}ч 05{NB}мин"


def test_month_names_stand_alone_and_genitive():
    assert fmt.month_name(11, "ru") == "ноябрь" and fmt.month_name(11, "ru", genitive=True) == "ноября"
    assert fmt.month_name(3, "ru", genitive=True) == "марта"
    assert fmt.month_name(11, "en") == fmt.month_name(11, "en", genitive=True) == "November"


def test_labels_load_once_under_threads():
    """The pack renders in threads: the first lookups racing each other must not see duplicates."""
    from concurrent.futures import ThreadPoolExecutor

    from crmreports.core import labels

    labels._merged = None
    with ThreadPoolExecutor(8) as pool:
        out = list(pool.map(lambda _: labels.t("common.team", "ru"), range(64)))
    assert set(out) == {"Вся команда"}


def test_every_label_has_both_languages():
    from crmreports.core.labels import all_keys

    for key, value in all_keys().items():
        assert set(value) == {"ru", "en"} and all(value.values()), key


@pytest.mark.reliability("R31")
def test_estimates_are_shown_to_three_significant_figures():
    """A forecast shown to the rouble pretends a precision the model does not have (issue #20)."""
    assert fmt.round_sig(33_729_477) == 33_700_000
    assert fmt.round_sig(29_949_652) == 29_900_000 and fmt.round_sig(37_509_301) == 37_500_000
    assert fmt.round_sig(999_600) == 1_000_000 and fmt.round_sig(-1234.5) == -1230 and fmt.round_sig(0) == 0
    assert fmt.round_sig(float("nan")) != fmt.round_sig(float("nan"))  # missing stays missing
    assert fmt.money_estimate(33_729_477, "ru") == "33\u00a0700\u00a0000\u00a0₽"
    assert fmt.money_estimate(33_729_477, "en") == "₽33,700,000"
