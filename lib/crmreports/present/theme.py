"""Chart theme and helpers shared by every report's charts.

Figures are built with the object API (``matplotlib.figure.Figure``), so nothing depends on pyplot's
global state and charts are safe to build in threads.
"""

from __future__ import annotations

import contextlib
import io
import re

from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.ticker import FixedFormatter, FuncFormatter, MaxNLocator

from ..core import fmt

PALETTE = ["#2563eb", "#f59e0b", "#10b981", "#ef4444", "#8b5cf6", "#06b6d4", "#84cc16", "#ec4899"]
ACCENT, MUTED, GRID = "#2563eb", "#9ca3af", "#e5e7eb"
RC = {
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#6b7280",
    "axes.grid": True,
    "grid.color": GRID,
    "grid.linewidth": 0.6,
    "axes.axisbelow": True,
    "svg.fonttype": "none",  # text stays text: 3–4× lighter SVG, faster PDFs, searchable chart labels
}
WIDTH = 7.5  # inches: fits an A4 page with margins
LINE_CHARS = 60  # the longest line of a label on a chart; longer lines end in "…"
LABEL_LINES = 4  # at most this many lines per label
TITLE_CHARS = 200  # a title (wrapped by matplotlib) is cut after this many characters
ELLIPSIS = "…"
_DOLLAR = re.compile(r"(?<!\\)\$")


def _share_text_metrics() -> None:
    """Measure each chart text once per process, not once per renderer.

    matplotlib caches a text's size per renderer, and every ``savefig`` makes two (one for the constrained
    layout, one for the SVG), so the tick labels, titles and legends of every chart of every document were
    measured again: 10,000 measurements for a sales report, of 200 distinct texts. The size depends only on the
    renderer's kind, the text, its font and the dpi, so one dict keyed on those serves them all (the SVG comes
    out byte for byte the same; 10 % of a warm document's execution). Left out if matplotlib's private
    function is not there.
    """
    import matplotlib.text as mtext

    original = getattr(mtext, "_get_text_metrics_with_cache", None)
    if original is None or getattr(original, "_shared", False):
        return
    metrics: dict = {}

    def shared(renderer, text, fontprop, ismath, dpi):
        key = (type(renderer), text, fontprop, ismath, dpi)
        found = metrics.get(key)
        if found is None:
            if len(metrics) > 50_000:
                metrics.clear()
            found = metrics[(type(renderer), text, fontprop.copy(), ismath, dpi)] = original(
                renderer, text, fontprop, ismath, dpi
            )
        return found

    shared._shared, shared._original = True, original
    mtext._get_text_metrics_with_cache = shared


def _share_text_layouts() -> None:
    """Lay out each chart text once per process, not at every measurement.

    matplotlib lays a text out again (font lookup, the font's height tables, each line's metrics, alignment and
    rotation) each time its extent is asked for: a sales report asks 3,000 times, for every tick label at every
    draw, tight-bbox and layout pass. The layout depends only on the text, its font, size, rotation, alignment,
    line spacing, the dpi and the renderer's kind (not on where the text stands), so one dict keyed on those
    serves them all; a wrapped text or one whose rotation follows its transform is laid out as before. The SVG
    comes out byte for byte the same. Left out if matplotlib's private method is not there.
    """
    original = getattr(Text, "_get_layout", None)
    if original is None or getattr(original, "_shared", False):
        return
    from matplotlib.transforms import Bbox

    layouts: dict = {}

    def key(text: Text, renderer, font) -> tuple:
        return (
            type(renderer),
            text._text,
            font,
            text.get_figure(root=True).dpi,
            text._parse_math,
            text._linespacing,
            text._multialignment,
            text._horizontalalignment,
            text._verticalalignment,
            text._rotation,
            text._rotation_mode,
        )

    def shared(self, renderer):
        if self._wrap or self._transform_rotates_text or self.get_usetex():
            return original(self, renderer)
        found = layouts.get(key(self, renderer, self._fontproperties))
        if found is None:
            if len(layouts) > 50_000:
                layouts.clear()
            found = layouts[key(self, renderer, self._fontproperties.copy())] = original(self, renderer)
        bbox, lines, box = found
        return Bbox(bbox.get_points().copy()), list(lines), box

    shared._shared, shared._original = True, original
    Text._get_layout = shared


_tick_memo: dict | None = None  # while a chart is saved (to_svg): each axis's last tick update and its inputs


def _share_tick_updates() -> None:
    """While a chart is saved, an axis's ticks are updated again only when what they come from changed.

    ``savefig`` updates every axis's ticks four times (the layout's two passes, the tight bounding box, the
    draw), each time running the locator and the formatter and placing every tick. The ticks depend on the
    view interval, the axis's length (how many ticks fit) and its locators and formatters; when none of these
    changed since the axis's last update in this save, that update's ticks are still in place and returned
    as they are. The SVGs are byte-identical (tests/test_charts.py)."""
    from matplotlib.axis import Axis

    original = Axis._update_ticks

    def shared(self):
        memo = _tick_memo
        if memo is None:
            return original(self)
        box = self.axes.bbox
        key = (
            tuple(self.get_view_interval()),
            box.width,
            box.height,
            self.major.locator,
            self.major.formatter,
            self.minor.locator,
            self.minor.formatter,
            self.get_transform(),
        )
        found = memo.get(self)
        if found is not None and found[0] == key:
            return list(found[1])
        ticks = original(self)
        memo[self] = (key, ticks)
        return list(ticks)

    shared._shared, shared._original = True, original
    Axis._update_ticks = shared


_share_text_metrics()
_share_text_layouts()
_share_tick_updates()


def plain(s) -> str:
    """A text drawn as it is written: every ``$`` escaped, so matplotlib never takes a name such as
    ``$\\frac{$ broken`` for mathtext (which would raise and kill the report)."""
    return _DOLLAR.sub(r"\\$", str(s))


def shorten(s, width: int = LINE_CHARS, lines: int = LABEL_LINES) -> str:
    """A label that fits a chart: each line at most ``width`` characters and at most ``lines`` lines, the cut
    marked with an ellipsis. A 10,000-character stage name would otherwise squeeze the axes to nothing."""
    parts = str(s).split("\n")
    cut = [p if len(p) <= width else p[: width - 1].rstrip() + ELLIPSIS for p in parts[:lines]]
    if len(parts) > lines and not cut[-1].endswith(ELLIPSIS):
        cut[-1] = cut[-1][: width - 1].rstrip() + ELLIPSIS
    return "\n".join(cut)


def new_figure(height: float = 3.2, ncols: int = 1, width: float = WIDTH) -> tuple[Figure, list]:
    import matplotlib

    with matplotlib.rc_context(RC):
        fig = Figure(figsize=(width, height), layout="constrained")
        axes = fig.subplots(1, ncols, squeeze=False)[0]
    for ax in axes:
        _style(ax)
    return fig, list(axes)


def _style(ax) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.grid(True, color=GRID, linewidth=0.6)
    ax.set_axisbelow(True)
    ax.tick_params(labelsize=8)


def to_svg(fig: Figure) -> str:
    """The figure as an SVG string (vector, sharp in print; text kept as DejaVu Sans text).

    Titles wrap at the figure's width: a title wider than the figure would otherwise widen the tight
    bounding box, and the whole chart would be printed smaller than its siblings.
    """
    import matplotlib

    for ax in fig.axes:
        for title in (ax.title, ax._left_title, ax._right_title):
            title.set_wrap(True)
    if fig._suptitle is not None:
        fig._suptitle.set_wrap(True)
    _text_as_data(fig)
    buf = io.StringIO()
    fig.draw = _layout_then_draw(fig)
    global _tick_memo
    _tick_memo = {}
    try:
        with matplotlib.rc_context(RC):
            fig.savefig(buf, format="svg", bbox_inches="tight")
    finally:
        del fig.draw
        _tick_memo = None
    svg = buf.getvalue()
    return svg[svg.find("<svg") :]


def _layout_then_draw(fig: Figure):
    """``fig.draw`` for one ``savefig``: its first draw, the one with drawing turned off that lays the figure out
    before the tight bounding box is measured, runs the layout engine only; the real draw is matplotlib's own.

    The bounding box and the real draw each update the ticks, titles and labels they measure, so the artists'
    dry drawing changed nothing they use: the SVGs are byte-identical (tests/test_charts.py), and a chart costs
    a sixth less."""

    def draw(renderer):
        # matplotlib's dry run sets no-op draw_* methods on the renderer (on the vector renderer a MixedModeRenderer
        # hands its calls to): without them, this is the real draw
        if "draw_path" not in vars(getattr(renderer, "_renderer", renderer)):
            return type(fig).draw(fig, renderer)
        with fig._render_lock:  # Figure.draw up to its artists' drawing
            fig._get_draw_artists(renderer)
            engine = fig.get_layout_engine()
            if fig.axes and engine is not None:
                with contextlib.suppress(ValueError):  # as Figure.draw
                    engine.execute(fig)
            fig.stale = False

    return draw


def _text_as_data(fig: Figure) -> None:
    """Every text of the figure as plain text of a bounded size: no mathtext (a ``$`` in a manager's name is a
    dollar sign, see :func:`plain`), labels shortened with an ellipsis (:func:`shorten`), titles cut at
    :data:`TITLE_CHARS`."""
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            # tick labels are re-made at every draw from their formatter: labels given as a list
            # (``set_yticks(y, names)``) and our own FuncFormatters are wrapped to come out plain and short
            for formatter, setter in (
                (axis.get_major_formatter(), axis.set_major_formatter),
                (axis.get_minor_formatter(), axis.set_minor_formatter),
            ):
                if isinstance(formatter, (FixedFormatter, FuncFormatter)) and not getattr(formatter, "_plain", False):
                    wrapped = FuncFormatter(lambda x, pos, f=formatter: plain(shorten(f(x, pos))))
                    wrapped._plain = True
                    setter(wrapped)
    for text in _texts(fig):
        value = text.get_text()
        if text.get_wrap():  # matplotlib wraps a title at spaces only: a longer word is cut too
            value = " ".join(w if len(w) <= LINE_CHARS else w[: LINE_CHARS - 1] + ELLIPSIS for w in value.split(" "))
            if len(value) > TITLE_CHARS:
                value = value[: TITLE_CHARS - 1].rstrip() + ELLIPSIS
        elif len(value) > LINE_CHARS or value.count("\n") >= LABEL_LINES:
            value = shorten(value)
        if value != text.get_text() or "$" in value:
            text.set_text(plain(value))


def _texts(artist) -> list:
    """``artist.findobj(Text)``, in its order and with its repeats, without its list concatenations (a twelfth of
    a chart's time)."""
    found: list = []
    for child in artist.get_children():
        found += _texts(child)
    if isinstance(artist, Text):
        found.append(artist)
    return found


def money_axis(ax, lang: str, currency: str = "RUB", axis: str = "y") -> None:
    f = FuncFormatter(lambda v, _: fmt.money_short(v, lang, currency) if v else "0")
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_formatter(f)
    if axis == "x":  # money labels ("25 млн ₽") are wide: at most 5 ticks side by side
        target.set_major_locator(MaxNLocator(nbins=5))


def wrap(s, width: int, lines: int = 3) -> str:
    """Wrap a long label over several lines at word boundaries: at most ``lines`` lines of at most ``width``
    characters (a longer word is cut), the cut marked with an ellipsis (see :func:`shorten`)."""
    s = str(s)
    if len(s) <= width:
        return s
    words, out, cur = s.split(), [], ""
    for w in words:
        if cur and len(cur) + 1 + len(w) > width:
            out.append(cur)
            cur = w
        else:
            cur = f"{cur} {w}".strip()
    out.append(cur)
    return shorten("\n".join(out), width, lines)
