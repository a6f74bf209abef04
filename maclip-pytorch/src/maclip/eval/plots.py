"""Figures for papers: predictions against MOS, the two cues, and the fusion weight.

Each function writes one image file (the format follows the suffix: PNG, PDF,
SVG) with matplotlib's object-oriented API (no global pyplot state, no display
needed) and returns its path.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from .metrics import fit_logistic, plcc, srcc


def _save(figure: Figure, path: str | os.PathLike) -> Path:
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(out, dpi=150, bbox_inches="tight")
    return out


def _point_size(n: int) -> float:
    """Marker area that stays readable from 10 to 10,000 points."""
    return float(np.clip(4000 / max(n, 1), 3, 30))


def scatter_with_fit(
    predictions: Mapping[str, np.ndarray],
    mos: np.ndarray,
    path: str | os.PathLike,
    title: str = "",
    mos_label: str = "MOS",
) -> Path:
    """One panel per method: prediction (x) against MOS (y) with the fitted logistic curve.

    Args:
        predictions: ``{method: (n,) predictions}``.
        mos: ``(n,)`` subjective scores (higher is better).
        path: Output file.
        title: Figure title (the dataset).
        mos_label: Y-axis label.
    """
    figure = Figure(figsize=(4.2 * len(predictions), 3.8), layout="constrained")
    axes = figure.subplots(1, len(predictions), squeeze=False)[0]
    for ax, (method, pred) in zip(axes, predictions.items(), strict=True):
        ax.scatter(pred, mos, s=_point_size(len(mos)), alpha=0.55, linewidths=0, color="tab:blue")
        fit = fit_logistic(pred, mos)
        grid = np.linspace(float(np.min(pred)), float(np.max(pred)), 200)
        ax.plot(grid, fit(grid), color="tab:red", lw=2, label=f"{fit.kind} fit")
        ax.set_title(
            f"{method}: SRCC {srcc(pred, mos):.3f}, PLCC {plcc(pred, mos):.3f}", fontsize=10
        )
        ax.set_xlabel(f"predicted Q ({method})")
        ax.set_ylabel(mos_label)
        ax.grid(alpha=0.3)
        ax.legend(loc="lower right", fontsize=8)
    if title:
        figure.suptitle(title)
    return _save(figure, path)


def _colour_by_mos(
    figure: Figure, ax: Axes, x: np.ndarray, y: np.ndarray, mos: np.ndarray, label: str
) -> None:
    order = np.argsort(mos)  # best images drawn last, on top
    points = ax.scatter(
        x[order],
        y[order],
        c=mos[order],
        cmap="viridis",
        s=_point_size(len(mos)),
        alpha=0.8,
        linewidths=0,
    )
    figure.colorbar(points, ax=ax, label=label)
    ax.grid(alpha=0.3)


def cues_scatter(
    q_sim: np.ndarray,
    q_mag: np.ndarray,
    mos: np.ndarray,
    path: str | os.PathLike,
    title: str = "",
    mos_label: str = "MOS",
) -> Path:
    """``Q_sim`` (x) against ``Q_mag`` (y), each image coloured by its MOS."""
    figure = Figure(figsize=(5.2, 4.2), layout="constrained")
    ax = figure.subplots()
    _colour_by_mos(figure, ax, q_sim, q_mag, mos, mos_label)
    ax.set_xlabel("Q_sim (prompt similarity)")
    ax.set_ylabel("Q_mag (feature magnitude)")
    ax.set_title(
        f"{title + ': ' if title else ''}cues vs {mos_label}\n"
        f"SRCC with {mos_label}: Q_sim {srcc(q_sim, mos):.3f}, Q_mag {srcc(q_mag, mos):.3f}",
        fontsize=10,
    )
    return _save(figure, path)


def weight_vs_mos(
    w_sim: np.ndarray,
    mos: np.ndarray,
    path: str | os.PathLike,
    title: str = "",
    mos_label: str = "MOS",
) -> Path:
    """The fusion weight ``w_sim`` of each image (y) against its MOS (x), with a binned mean."""
    figure = Figure(figsize=(5.2, 4.0), layout="constrained")
    ax = figure.subplots()
    ax.scatter(mos, w_sim, s=_point_size(len(mos)), alpha=0.6, linewidths=0, color="tab:purple")
    count = min(10, len(mos) // 20)  # bins of at least 20 images
    if count >= 3:
        edges = np.quantile(mos, np.linspace(0, 1, count + 1))
        bins = np.clip(np.searchsorted(edges, mos, side="right") - 1, 0, count - 1)
        used = [b for b in range(count) if np.any(bins == b)]
        centres = [float(np.mean(mos[bins == b])) for b in used]
        means = [float(np.mean(w_sim[bins == b])) for b in used]
        ax.plot(
            centres,
            means,
            "o-",
            color="black",
            lw=1.5,
            ms=4,
            label=f"mean in {count} MOS bins of equal count",
        )
        ax.legend(fontsize=8)
    ax.set_xlabel(mos_label)
    ax.set_ylabel("w_sim (weight of Q_sim; w_mag = 1 − w_sim)")
    ax.set_title(f"{title + ': ' if title else ''}fusion weight vs {mos_label}", fontsize=10)
    ax.grid(alpha=0.3)
    return _save(figure, path)
