"""Chart export: what the PDF embeds."""

import re

import pandas as pd

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


def _figures():
    """Charts of every kind the reports draw: bars with long and multi-line labels, rotated ticks, a legend, a
    wrapped title, two axes, an annotation, the same texts in two sizes."""
    fig, (ax,) = base.new_figure(height=3)
    ax.barh(["очень длинная подпись этапа воронки продаж", "две\nстроки", "б"], [1, 2, 3], label="сделки")
    ax.set_title("Открытые сделки по этапам: сумма, взвешенная сумма и ожидаемое за 3 месяца, по всем воронкам")
    ax.legend(loc="best")
    yield fig
    fig, (a, b) = base.new_figure(height=3, ncols=2)
    a.plot(range(12), [x * x for x in range(12)], label="Выручка")
    a.set_xticks(range(12), [f"месяц {m}" for m in range(12)], rotation=45, ha="right")
    b.bar(["a", "b"], [5, 7])
    b.annotate("пик", (1, 7), xytext=(0.5, 6), arrowprops={"arrowstyle": "->"})
    b.set_title("Выручка", fontsize=14)
    a.set_title("Выручка")
    base.money_axis(a, "ru")
    yield fig
    # the same words at the same size, turned and aligned differently: a cache keyed on too little mixes them up
    fig, (a, b) = base.new_figure(height=3, ncols=2)
    for ax, turn in ((a, 90), (b, 0)):
        ax.plot([0, 1], [0, 1])
        ax.set_xticks([0, 1], ["Выручка", "Сделки"], rotation=turn)
        ax.set_yticks([0, 1], ["Выручка", "Сделки"])
    yield fig
    # a heatmap with its values written in, a twin axis, a band, error bars, points, steps and a marker line
    fig, (a, b) = base.new_figure(height=3.4, ncols=2)
    a.imshow([[0.1, 0.5, 0.9], [0.3, 0.7, 0.2]], aspect="auto", cmap="Blues")
    for (i, j), v in {(0, 0): "10%", (1, 2): "20%"}.items():
        a.text(j, i, v, ha="center", va="center")
    a.set_yticks([0, 1], ["янв 2026", "фев 2026"])
    b.fill_between(range(6), [1, 2, 3, 3, 4, 5], [2, 3, 5, 4, 6, 7], alpha=0.3, label="80 %")
    b.errorbar(range(6), [1.5, 2.5, 4, 3.5, 5, 6], yerr=0.5, fmt="o")
    b.step(range(6), [1, 1, 2, 3, 3, 4], where="post")
    b.scatter([1, 4], [6, 2])
    b.axvline(3, linestyle="--")
    b.twinx().plot(range(6), [100, 300, 200, 500, 400, 900], color="red")
    b.legend(loc="upper left")
    yield fig
    # pairs of texts that differ in one property only
    fig, (ax,) = base.new_figure(height=3)
    same = {
        "ha": "left",
        "va": "baseline",
        "rotation": 30,
        "rotation_mode": "default",
        "ma": "left",
        "linespacing": 1.2,
    }
    same |= {"fontsize": 8}
    others = [("ha", "right"), ("va", "top"), ("rotation", 60), ("rotation_mode", "anchor"), ("ma", "right")]
    for i, (prop, other) in enumerate([*others, ("linespacing", 2), ("fontsize", 12)]):
        for j, value in enumerate((same[prop], other)):
            ax.text(0.1 + 0.12 * i, 0.3 + 0.4 * j, "Сделки\nза месяц", **{**same, prop: value})
    yield fig


def _normalised(svg: str) -> str:
    svg = re.sub(r"<dc:date>.*?</dc:date>", "", svg)
    return re.sub(r"\b(image|C\d+_\d+_|p|m)[0-9a-f]{10}\b", r"\1ID", svg)  # matplotlib's random ids


def test_shared_text_layouts_and_metrics_draw_the_same_svg_as_matplotlib():
    # theme replaces two private matplotlib functions with caches shared across charts (each text laid out and
    # measured once per process); the charts must come out exactly as matplotlib's own functions draw them
    import matplotlib.text as mtext

    def drawn() -> tuple[list[str], list[tuple]]:
        svgs, boxes = [], []
        for fig in _figures():
            svgs.append(_normalised(base.to_svg(fig)))
            # every text's extent, measured with the renderer that drew it (the SVG's)
            boxes += [t.get_window_extent().bounds for t in fig.findobj(mtext.Text) if t.get_text() and t._renderer]
        return svgs, boxes

    shared_layout, shared_metrics = mtext.Text._get_layout, mtext._get_text_metrics_with_cache
    assert shared_layout._shared and shared_metrics._shared
    cached = drawn()
    cached_again = drawn()  # now every text is in the caches
    mtext.Text._get_layout, mtext._get_text_metrics_with_cache = shared_layout._original, shared_metrics._original
    try:
        plain = drawn()
    finally:
        mtext.Text._get_layout, mtext._get_text_metrics_with_cache = shared_layout, shared_metrics
    assert cached == plain and cached_again == plain
    plain = plain[0]
    assert all("<text" in svg for svg in plain) and "месяц 11" in plain[1]


def test_a_chart_laid_out_without_its_dry_drawing_is_the_same_svg():
    # to_svg's savefig runs the layout engine alone where matplotlib draws every artist with drawing turned off
    # before measuring the tight box (theme._layout_then_draw); the SVG must be byte for byte matplotlib's own
    import functools

    quick = [_normalised(base.to_svg(fig)) for fig in _figures()]
    made = base._layout_then_draw
    base._layout_then_draw = lambda fig: functools.partial(type(fig).draw, fig)  # matplotlib's draw, dry run and all
    try:
        full = [_normalised(base.to_svg(fig)) for fig in _figures()]
    finally:
        base._layout_then_draw = made
    assert quick == full
    assert len(full) == 5 and "20%" in full[3] and "янв 2026" in full[3]
    fig = next(_figures())
    base.to_svg(fig)
    assert "draw" not in vars(fig)  # the figure's own draw is back


FUNNEL = [  # the demo's sales funnel, 2026-11: pipeline, stage, cumulative, passed, conversion among decided deals
    ("Продажи", "Первичный контакт", 931, 910, None),
    ("Продажи", "Квалификация", 581, 537, 0.7695),
    ("Продажи", "Встреча назначена", 363, 338, 0.779),
    ("Продажи", "Встреча проведена", 258, 248, 0.8687),
    ("Продажи", "Коммерческое предложение", 194, 186, 0.8981),
    ("Продажи", "Согласование договора", 125, 119, 0.7764),
    ("Продажи", "Счёт выставлен", 81, 70, 0.7941),
    ("Продажи", "Успешно реализовано", 50, 50, 0.7143),
    ("Повторные продажи", "Новый запрос", 203, 186, None),
    ("Повторные продажи", "Выявление потребности", 138, 131, 0.8466),
    ("Повторные продажи", "КП отправлено", 101, 94, 0.8559),
    ("Повторные продажи", "Согласование условий", 64, 31, 0.7356),
    ("Повторные продажи", "Счёт выставлен", 44, 36, 0.9565),
    ("Повторные продажи", "Ожидание оплаты", 34, 0, 0.9444),
    ("Повторные продажи", "Успешно реализовано", 34, 34, 1.0),
]


def test_ticks_updated_only_when_their_inputs_changed_draw_the_same_svg():
    # while a chart is saved, an axis's ticks are updated again only when its view, length, locators or
    # formatters changed since its last update in that save (theme._share_tick_updates)
    from matplotlib.axis import Axis

    def more():
        yield from _figures()
        # ticks that depend on the axis's length, which the layout's passes change: the demo's sales funnel (two
        # axes side by side, wrapped stage names, the default locator)
        from crmreports.reports.sales_analysis import charts as sales_charts

        yield sales_charts.funnel(
            pd.DataFrame(FUNNEL, columns=["pipeline", "stage", "cumulative", "passed", "conv_decided"])
        )
        fig, (ax,) = base.new_figure(height=2.5)
        ax.barh(range(3), [250_000, 1_900_000, 7_300_000])
        ax.set_yticks(range(3), ["Очень длинное название этапа воронки", "Б", "В"])
        base.money_axis(ax, "ru", axis="x")
        yield fig

    shared = Axis._update_ticks
    assert shared._shared
    memo = [_normalised(base.to_svg(fig)) for fig in more()]
    Axis._update_ticks = shared._original
    try:
        plain = [_normalised(base.to_svg(fig)) for fig in more()]
    finally:
        Axis._update_ticks = shared
    assert memo == plain and len(plain) == 7 and "млн" in plain[6]
    assert base._tick_memo is None  # only while a chart is saved
