"""A one-image explanation figure: where quality is low, and why the score is what it is.

Left: the image with its per-patch quality map (:func:`maclip.qualitymap.quality_map`)
overlaid, with a colour bar. Right: the breakdown — ``Q``, ``Q_sim``, ``Q_mag``,
the fusion weights, the number of views, and the probability of each positive
prompt.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from ..images import ImageSource, load_image
from ..qualitymap import quality_map
from ..results import ImageResult

FIELD_LABELS = {
    "q": "Q (final score)",
    "q_sim": "Q_sim (prompt similarity)",
    "q_mag": "Q_mag (feature magnitude)",
    "w_sim": "w_sim (weight of Q_sim)",
    "w_mag": "w_mag (weight of Q_mag)",
}


def figure_suffixes() -> list[str]:
    """File suffixes matplotlib can write a figure as (``.png``, ``.pdf``, ...)."""
    from matplotlib.backend_bases import FigureCanvasBase

    return sorted(f".{name}" for name in FigureCanvasBase.get_supported_filetypes())


def explain_figure(
    image: ImageSource,
    result: ImageResult,
    path: str | os.PathLike,
    field: str = "q",
    alpha: float = 0.55,
) -> Path:
    """Write the explanation figure of one scored image.

    Args:
        image: The image that was scored (any input :func:`maclip.load_image` takes).
        result: Its result, with per-view scores.
        path: Output file (format from the suffix: PNG, PDF, SVG, JPEG).
        field: The score mapped: ``q``, ``q_sim``, ``q_mag``, ``w_sim`` or ``w_mag``.
        alpha: Opacity of the map over the image.

    Returns:
        The path written.
    """
    pixels = load_image(image).permute(1, 2, 0).numpy()
    height, width = pixels.shape[:2]
    values = quality_map(result, field)
    aspect = width / height
    figure = Figure(figsize=(4.8 * aspect + 6.0, 5.0), layout="constrained")
    axes = figure.subplot_mosaic(
        [["image", "text"], ["image", "bars"]], width_ratios=[4.8 * aspect, 5.0]
    )
    image_ax, text_ax, bars = axes["image"], axes["text"], axes["bars"]

    image_ax.imshow(pixels, extent=(0, width, height, 0))
    shown = image_ax.imshow(
        values, cmap="viridis", alpha=alpha, extent=(0, width, height, 0), interpolation="nearest"
    )
    image_ax.set_axis_off()
    image_ax.set_title(f"{Path(result.key).name}: {FIELD_LABELS[field]} per patch", fontsize=10)
    colour_ax = image_ax.inset_axes((1.02, 0.0, 0.03, 1.0))  # as tall as the image
    figure.colorbar(shown, cax=colour_ax, label=field)

    text_ax.set_axis_off()
    rows = [
        ("Q", f"{result.q:.4f}", "w_sim·Q_sim + w_mag·Q_mag"),
        ("Q_sim", f"{result.q_sim:.4f}", "prompt similarity"),
        ("Q_mag", f"{result.q_mag:.4f}", "feature magnitude (Box-Cox)"),
        ("w_sim", f"{result.w_sim:.4f}", "fusion weight of Q_sim"),
        ("w_mag", f"{result.w_mag:.4f}", "fusion weight of Q_mag"),
        ("views", f"{result.num_views}", f"image {result.size[1]}×{result.size[0]} px"),
    ]
    text = "\n".join(f"{name:<6}{value:>8}   {note}" for name, value, note in rows)
    text_ax.text(0.0, 1.0, text, family="monospace", fontsize=10, va="top")
    text_ax.set_title("score breakdown (means over views)", fontsize=10, loc="left")

    prompts = list(result.pair_probs)
    probs = np.array([result.pair_probs[p] for p in prompts])
    positions = np.arange(len(prompts))
    bars.barh(positions, probs, color="tab:green")
    bars.set_yticks(positions, [f'"{p}"' for p in prompts], fontsize=9)
    bars.invert_yaxis()
    bars.set_xlim(0, 1)
    bars.axvline(0.5, color="grey", lw=0.8, ls="--")
    bars.set_xlabel("probability of the positive prompt against its antonym", fontsize=9)
    bars.set_title("per-prompt probabilities", fontsize=10, loc="left")
    for row, p in zip(positions, probs, strict=True):
        bars.text(min(p + 0.02, 0.86), float(row), f"{p:.3f}", va="center", fontsize=8)
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(out, dpi=150)
    return out
