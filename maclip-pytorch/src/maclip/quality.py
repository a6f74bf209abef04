"""The MA-CLIP quality maths as pure tensor functions.

Nothing here loads a model or an image: every function takes tensors of CLIP
embeddings and returns tensors of scores, so the same code scores live views,
cached features and sweeps.

Shapes use ``N`` for views (or images), ``D`` for the embedding dimension and
``P`` for antonym prompt pairs. All scores are in ``[0, 1]`` except ``Q_mag``,
which is a positive, unbounded Box-Cox statistic (typically 0.5-2 for CLIP).

Reference: Liao et al., "Beyond Cosine Similarity: Magnitude-Aware CLIP for
No-Reference Image Quality Assessment", AAAI 2026, arXiv:2511.09948.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import Literal

import torch

Method = Literal["maclip", "clipiqa", "magnitude"]
METHODS: tuple[Method, ...] = ("maclip", "clipiqa", "magnitude")

#: The paper's antonym prompt pairs, (positive, negative).
DEFAULT_PROMPT_PAIRS: tuple[tuple[str, str], ...] = (
    ("Good image", "bad image"),
    ("Sharp image", "blurry image"),
    ("sharp edges", "blurry edges"),
    ("High resolution image", "low resolution image"),
    ("Noise-free image", "noisy image"),
)

#: Added to the standard deviation before dividing, as in the paper.
STD_EPS = 1e-6


@dataclass(frozen=True)
class FusionParams:
    """Parameters of the magnitude cue and the confidence-guided fusion.

    Attributes:
        lam: Box-Cox exponent λ (0 means ``log(x + 1)``).
        alpha: Fusion temperature α multiplying ``Δ = Q_sim − Q_mag``.
        b_sim: Base logit of the similarity cue.
        b_mag: Base logit of the magnitude cue.
    """

    lam: float = 0.5
    alpha: float = 1.0
    b_sim: float = 1.0
    b_mag: float = 0.6

    def __post_init__(self) -> None:
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        bad = [f"{name}={value}" for name, value in values.items() if not math.isfinite(value)]
        if bad:
            raise ValueError(f"fusion parameters must be finite numbers: {', '.join(bad)}")


@dataclass(frozen=True)
class ViewScores:
    """Per-view scores; every field has leading dimension ``N``.

    Attributes:
        q: Final score, ``(N,)``.
        q_sim: Similarity cue, ``(N,)`` in ``[0, 1]``.
        q_mag: Magnitude cue, ``(N,)``, ``>= 0``.
        w_sim: Fusion weight of ``q_sim``, ``(N,)`` in ``[0, 1]``.
        w_mag: Fusion weight of ``q_mag``, ``(N,)``; ``w_sim + w_mag = 1``.
        pair_probs: Positive-prompt probability per pair, ``(N, P)`` in ``[0, 1]``.
    """

    q: torch.Tensor
    q_sim: torch.Tensor
    q_mag: torch.Tensor
    w_sim: torch.Tensor
    w_mag: torch.Tensor
    pair_probs: torch.Tensor

    def mean(self) -> ViewScores:
        """Average over the ``N`` views, keeping a leading dimension of 1."""
        return ViewScores(*(getattr(self, name).mean(dim=0, keepdim=True) for name in _FIELDS))

    def index(self, rows: slice | torch.Tensor) -> ViewScores:
        """Select rows (views) of every field."""
        return ViewScores(*(getattr(self, name)[rows] for name in _FIELDS))


_FIELDS = ("q", "q_sim", "q_mag", "w_sim", "w_mag", "pair_probs")


def pair_probabilities(
    image_features: torch.Tensor, text_features: torch.Tensor, logit_scale: float
) -> torch.Tensor:
    """Probability of the positive prompt in each antonym pair.

    Args:
        image_features: ``(N, D)`` image embeddings, any norm (they are L2-normalised here).
        text_features: ``(P, 2, D)`` prompt embeddings, ``[:, 0]`` positive, ``[:, 1]``
            negative; any norm (L2-normalised here).
        logit_scale: CLIP's learned temperature, already exponentiated (100 for OpenAI CLIP).

    Returns:
        ``(N, P)`` softmax probability of the positive prompt, in ``[0, 1]``.
    """
    image = torch.nn.functional.normalize(image_features.float(), dim=-1)
    text = torch.nn.functional.normalize(text_features.float(), dim=-1)
    logits = logit_scale * torch.einsum("nd,pkd->npk", image, text)
    return logits.softmax(dim=-1)[..., 0]


def similarity_score(pair_probs: torch.Tensor) -> torch.Tensor:
    """``Q_sim``: mean positive-prompt probability over pairs, ``(N, P) -> (N,)``."""
    return pair_probs.mean(dim=-1)


def box_cox(x: torch.Tensor, lam: float) -> torch.Tensor:
    """Shifted Box-Cox transform ``((x + 1)^λ − 1) / λ``, or ``log(x + 1)`` at λ = 0.

    Args:
        x: Tensor of values ``>= 0``, any shape.
        lam: Exponent λ.

    Returns:
        Tensor of the same shape, ``>= 0`` for ``x >= 0``.
    """
    if lam == 0:
        return torch.log1p(x)
    return (torch.pow(x + 1.0, lam) - 1.0) / lam


def magnitude_score(image_features: torch.Tensor, lam: float = 0.5) -> torch.Tensor:
    """``Q_mag``: Box-Cox statistic of the unnormalised embedding's magnitudes.

    ``x = |f| / (std(|f|) + 1e-6)`` with the sample standard deviation (N − 1)
    over the ``D`` dimensions of each view, then ``mean(box_cox(x, λ))``.

    Args:
        image_features: ``(N, D)`` *unnormalised* projected image embeddings.
        lam: Box-Cox exponent λ.

    Returns:
        ``(N,)`` magnitude scores, ``>= 0``.
    """
    magnitude = image_features.float().abs()
    scaled = magnitude / (magnitude.std(dim=-1, keepdim=True) + STD_EPS)
    return box_cox(scaled, lam).mean(dim=-1)


def fusion_weights(
    q_sim: torch.Tensor, q_mag: torch.Tensor, alpha: float, b_sim: float, b_mag: float
) -> tuple[torch.Tensor, torch.Tensor]:
    """Confidence-guided fusion weights.

    ``Δ = Q_sim − Q_mag``; ``(w_sim, w_mag) = softmax(b_sim + αΔ, b_mag − αΔ)``.

    Args:
        q_sim: ``(N,)`` similarity cue.
        q_mag: ``(N,)`` magnitude cue.
        alpha: Temperature α.
        b_sim: Base logit of the similarity cue.
        b_mag: Base logit of the magnitude cue.

    Returns:
        ``(w_sim, w_mag)``, each ``(N,)`` in ``[0, 1]``, summing to 1.
    """
    delta = q_sim - q_mag
    logits = torch.stack((b_sim + alpha * delta, b_mag - alpha * delta), dim=-1)
    weights = logits.softmax(dim=-1)
    return weights[..., 0], weights[..., 1]


def score_views(
    image_features: torch.Tensor,
    text_features: torch.Tensor,
    logit_scale: float,
    method: Method = "maclip",
    params: FusionParams = FusionParams(),
) -> ViewScores:
    """Score views from their embeddings with one of the three methods.

    ``maclip`` fuses both cues; ``clipiqa`` is ``Q_sim`` alone (``w_sim = 1``);
    ``magnitude`` is ``Q_mag`` alone (``w_mag = 1``). Both cues are always reported.

    Args:
        image_features: ``(N, D)`` unnormalised image embeddings.
        text_features: ``(P, 2, D)`` prompt-pair embeddings.
        logit_scale: CLIP's exponentiated logit scale.
        method: ``"maclip"``, ``"clipiqa"`` or ``"magnitude"``.
        params: λ, α and the base logits.

    Returns:
        :class:`ViewScores` with ``N`` rows.
    """
    probs = pair_probabilities(image_features, text_features, logit_scale)
    q_sim = similarity_score(probs)
    q_mag = magnitude_score(image_features, params.lam)
    if method == "maclip":
        w_sim, w_mag = fusion_weights(q_sim, q_mag, params.alpha, params.b_sim, params.b_mag)
    elif method == "clipiqa":
        w_sim, w_mag = torch.ones_like(q_sim), torch.zeros_like(q_sim)
    elif method == "magnitude":
        w_sim, w_mag = torch.zeros_like(q_sim), torch.ones_like(q_sim)
    else:
        raise ValueError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    q = w_sim * q_sim + w_mag * q_mag
    return ViewScores(q=q, q_sim=q_sim, q_mag=q_mag, w_sim=w_sim, w_mag=w_mag, pair_probs=probs)
