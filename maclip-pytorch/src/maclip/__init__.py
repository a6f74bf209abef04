"""maclip: training-free no-reference image quality assessment with MA-CLIP.

The one class to learn first is :class:`Scorer`::

    from maclip import Scorer
    scorer = Scorer()                 # OpenAI CLIP RN50 on the best device
    result = scorer.score("photo.jpg")[0]
    print(result.q, result.q_sim, result.q_mag)
"""

from .backbone import Backbone, BackboneError, load_backbone
from .images import ImageError, load_image
from .quality import DEFAULT_PROMPT_PAIRS, METHODS, FusionParams, score_views
from .results import ImageResult, ViewResult
from .scorer import ImageFeatures, Scorer
from .views import ViewConfig, count_views

__version__ = "0.1.0"

__all__ = [
    "DEFAULT_PROMPT_PAIRS",
    "METHODS",
    "Backbone",
    "BackboneError",
    "FusionParams",
    "ImageError",
    "ImageFeatures",
    "ImageResult",
    "Scorer",
    "ViewConfig",
    "ViewResult",
    "count_views",
    "load_backbone",
    "load_image",
    "score_views",
]
