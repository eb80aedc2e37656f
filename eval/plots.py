"""Plots of the reports, as PNG bytes (matplotlib's Agg canvas, no pyplot, no display).

Only ASCII goes into a plot (labels, system names are shortened), since a CJK font is not
guaranteed on every machine.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

#: F1 with its interval: (values, lows, highs), one entry per group.
Series = tuple[Sequence[float], Sequence[float], Sequence[float]]

_COLORS = ("#3182bd", "#e6550d", "#31a354", "#756bb1", "#636363", "#de2d26")


def _ascii(text: str, limit: int = 40) -> str:
    clean = text.encode("ascii", "replace").decode("ascii")
    return clean if len(clean) <= limit else "..." + clean[-(limit - 3):]


def _png(fig: Figure) -> bytes:
    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    return buf.getvalue()


def _err(values: Sequence[float], lows: Sequence[float], highs: Sequence[float]) -> np.ndarray:
    v, lo, hi = (np.asarray(x, dtype=float) for x in (values, lows, highs))
    return np.vstack([np.clip(v - lo, 0, None), np.clip(hi - v, 0, None)])


def f1_bars(groups: Sequence[str], series: Mapping[str, Series], title: str) -> bytes:
    """Horizontal bars of F1 per group (label), one colour per series (system), CI whiskers."""
    n_series = max(1, len(series))
    height = 0.8 / n_series
    fig = Figure(figsize=(7.5, 0.5 + 0.32 * len(groups) * max(1.5, n_series * 0.9)))
    ax = fig.add_subplot()
    y = np.arange(len(groups))
    for k, (name, (values, lows, highs)) in enumerate(series.items()):
        offset = (k - (n_series - 1) / 2) * height
        ax.barh(y + offset, values, height=height * 0.9, xerr=_err(values, lows, highs),
                color=_COLORS[k % len(_COLORS)], ecolor="#333", capsize=2, label=_ascii(name))
        for yy, v in zip(y + offset, values, strict=True):  # value at the foot of its bar, clear of whiskers
            ax.text(0.01, yy, f"{v:.2f}", va="center", fontsize=7, color="white" if v > 0.09 else "black")
    ax.set_yticks(y, [_ascii(g) for g in groups])
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel("F1 (bars: 95% bootstrap interval over documents)")
    ax.set_title(_ascii(title, 80))
    ax.grid(axis="x", alpha=0.3)
    if len(series) > 1:
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=min(3, len(series)), fontsize=8)
    return _png(fig)


def confusion_plot(labels: Sequence[str], matrix: Sequence[Sequence[int]], title: str) -> bytes:
    """Heat map of counts, coloured by share of the row (gold label) so rare labels stay visible."""
    counts = np.asarray(matrix, dtype=float)
    rows = counts.sum(axis=1, keepdims=True)
    share = np.divide(counts, rows, out=np.zeros_like(counts), where=rows > 0)
    fig = Figure(figsize=(1.2 + 0.62 * len(labels), 0.9 + 0.55 * len(labels)))
    ax = fig.add_subplot()
    image = ax.imshow(share, cmap="Blues", vmin=0, vmax=1)
    for i in range(counts.shape[0]):
        for j in range(counts.shape[1]):
            if counts[i, j]:
                ax.text(j, i, f"{int(counts[i, j])}", ha="center", va="center", fontsize=8,
                        color="white" if share[i, j] > 0.6 else "black")
    ticks = [_ascii(label, 12) for label in labels]
    ax.set_xticks(range(len(labels)), ticks, rotation=45, ha="right")
    ax.set_yticks(range(len(labels)), ticks)
    ax.set_xlabel("predicted label")
    ax.set_ylabel("gold label")
    ax.set_title(_ascii(title, 80))
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04, label="share of gold row")
    return _png(fig)


def delta_plot(rows: Sequence[str], deltas: Series, title: str) -> bytes:
    """Forest plot: each delta with its interval, and a line at 0."""
    values, lows, highs = deltas
    fig = Figure(figsize=(7.5, 0.8 + 0.3 * len(rows)))
    ax = fig.add_subplot()
    y = np.arange(len(rows))
    # green: interval above 0, red: below 0, grey: contains 0
    colors = ["#31a354" if lo > 0 else "#de2d26" if hi < 0 else "#636363"
              for lo, hi in zip(lows, highs, strict=True)]
    ax.hlines(y, lows, highs, colors=colors, lw=2)
    ax.scatter(values, y, c=colors, zorder=3, s=22)
    ax.axvline(0, color="#999", lw=1)
    ax.set_yticks(y, [_ascii(r) for r in rows])
    ax.invert_yaxis()
    ax.set_xlabel("F1 delta vs baseline (95% paired bootstrap interval)")
    ax.set_title(_ascii(title, 80))
    ax.grid(axis="x", alpha=0.3)
    return _png(fig)


def curve_plot(train_docs: Sequence[int], series: Mapping[str, Series], title: str) -> bytes:
    """F1 against the number of training documents, with interval bands."""
    fig = Figure(figsize=(7, 4.2))
    ax = fig.add_subplot()
    for k, (name, (values, lows, highs)) in enumerate(series.items()):
        color = _COLORS[k % len(_COLORS)]
        ax.plot(train_docs, values, marker="o", color=color, label=_ascii(name))
        ax.fill_between(train_docs, lows, highs, color=color, alpha=0.15)
    ax.set_xticks(list(train_docs))
    ax.set_xlabel("training documents")
    ax.set_ylabel("F1 on dev (band: 95% bootstrap interval)")
    ax.set_ylim(0, 1)
    ax.set_title(_ascii(title, 80))
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right")
    return _png(fig)
