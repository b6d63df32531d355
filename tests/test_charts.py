"""Chart export: what the PDF embeds."""

import re

from crmreports.present import theme as base


def _svg_width_pt(svg: str) -> float:
    return float(re.search(r'<svg[^>]*\swidth="([\d.]+)pt"', svg)[1])


def test_a_long_title_wraps_instead_of_widening_the_chart():
    # 7.5 in = 540 pt, plus the tight box's 0.1 in padding on each side: at most 554.4 pt (548.7 measured).
    # Without wrapping this chart is 706.9 pt wide. Before titles wrapped, a title wider than the figure widened the
    # tight bounding box (the forecast's stage chart came out 9.4 in wide) and the chart was printed smaller than the
    # others.
    fig, (ax,) = base.new_figure(height=3)
    ax.barh(["очень длинная подпись этапа воронки продаж", "б"], [1, 2])
    ax.set_title("Открытые сделки по этапам: сумма, взвешенная сумма и ожидаемое за 3 месяца, по всем воронкам")
    svg = base.to_svg(fig)
    assert _svg_width_pt(svg) <= 554.4
    assert "Открытые сделки по этапам" in svg  # text stays text, first line kept
    assert svg.count("<text") >= 2 and "ожидаемое" in svg


def test_a_short_title_is_not_wrapped():
    fig, (ax,) = base.new_figure(height=3)
    ax.plot([1, 2], [3, 4])
    ax.set_title("Выручка")
    assert "Выручка" in base.to_svg(fig)


def test_money_on_the_x_axis_has_few_enough_ticks_to_read():
    # "25 млн ₽" labels overlapped at matplotlib's default of 9-10 ticks across 7.5 in
    fig, (ax,) = base.new_figure(height=3)
    ax.barh(["a", "b"], [1_000_000, 42_000_000])
    base.money_axis(ax, "ru", axis="x")
    fig.draw_without_rendering()
    labels = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert 3 <= len(labels) <= 6, labels
    assert any("млн" in s for s in labels)
