"""How the pack's index, the delivery messages and the archive print a forecast and a plan's done share: a forecast
to 3 significant figures (the model has no more), a done share never rounded up to 100 % (issues #14, #20)."""

from crmreports import reports as registry
from crmreports.batch.index import _value
from crmreports.delivery.archive import _format as archive_format
from crmreports.delivery.messages import format_value


def test_the_index_prints_forecasts_to_3_significant_figures_and_done_shares_honestly():
    # 34 107 593 to 3 significant figures is 34 100 000; 0.997 rounds to 100 % at 0 decimals, so one is added
    assert _value("estimate", 34_107_593.0, {}, "ru", "RUB") == "34\u00a0100\u00a0000\u00a0₽"
    assert _value("done", 0.997, {}, "ru", "RUB") == "99,7\u00a0%"
    assert _value("done", 0.915, {}, "ru", "RUB") == "92\u00a0%"  # far from 100 %: no decimal needed
    assert _value("money", 34_107_593.0, {}, "ru", "RUB") == "34\u00a0107\u00a0593\u00a0₽"


def test_messages_and_archive_format_them_the_same_way():
    assert format_value("estimate", 34_107_593.0, "en") == "₽34,100,000"
    assert format_value("done", 0.997, "ru") == "99,7\u00a0%"
    assert archive_format("done", 0.997, "ru") == "99,7\u00a0%"


def test_the_forecast_and_goals_declare_those_kinds():
    kinds = {(r.name, f.key): f.kind for r in registry.registry().values() for f in r.index_figures}
    assert kinds[("forecast", "forecast_m1_revenue")] == "estimate"
    assert kinds[("goals", "plan_done_share")] == "done"
    assert ("summary", "money_at_stake") not in kinds  # overlapping actions: their sum is no figure
