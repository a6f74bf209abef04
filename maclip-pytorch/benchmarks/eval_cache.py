"""Re-analysis from the feature cache against scoring again with CLIP.

On the same generated KonIQ-sized JPEGs (1024x768, 36 views each) and a
full-size RN50 with random weights (speed does not depend on the values;
nothing is downloaded), it times, side by side in one process:

* ``encode``: the first ``maclip-pytorch eval``-style pass, CLIP encoding every view and
  writing the feature cache;
* ``rescore``: scoring every image again from the cache with other fusion
  settings (reading the cache and :func:`maclip.quality.score_views`), as a
  second ``eval`` or each ``sweep`` grid point does;
* ``direct``: scoring again with :class:`maclip.Scorer`, i.e. without a cache.

It prints seconds per pass, images/s and the ratio direct / rescore, and
checks that the rescored Q equals the direct Q.

    python benchmarks/eval_cache.py                  # 2-4 minutes on 2 busy CPU cores
    python benchmarks/eval_cache.py --images 32 --device cuda
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image
from synthetic_photos import photo

from maclip import Scorer
from maclip.eval.cache import CachedEncoder, FeatureCache
from maclip.eval.features import FeatureSet
from maclip.quality import FusionParams


def make_images(folder: Path, count: int) -> list[Path]:
    paths = []
    for i in range(count):
        path = folder / f"{i}.jpg"
        Image.fromarray(photo(768, 1024, i)).save(path, quality=90)
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=4)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    params = FusionParams(lam=0.25, alpha=2.0, b_sim=1.0, b_mag=0.4)
    with tempfile.TemporaryDirectory() as tmp:
        paths = make_images(Path(tmp), args.images)
        items = [(str(p), p) for p in paths]
        scorer = Scorer("RN50", pretrained="random", device=args.device)
        start = time.perf_counter()
        encoder = CachedEncoder.for_scorer(FeatureCache(Path(tmp) / "cache"), scorer)
        list(encoder.encode(items))
        encode = time.perf_counter() - start

        start = time.perf_counter()
        again = CachedEncoder.for_scorer(FeatureCache(Path(tmp) / "cache"), scorer)
        features = FeatureSet(again.encode(items), again.text())
        cached_q = features.scores("maclip", params).q
        rescore = time.perf_counter() - start

        start = time.perf_counter()
        direct_scorer = Scorer(
            scorer.backbone,
            lam=params.lam,
            alpha=params.alpha,
            b_sim=params.b_sim,
            b_mag=params.b_mag,
        )
        direct_q = np.array([r.q for r in direct_scorer.score(paths)])
        direct = time.perf_counter() - start

    n = args.images
    views = len(features.features)
    print(f"{n} images of 1024x768 ({views} views), RN50 random weights, {args.device}")
    for name, seconds in (("encode", encode), ("rescore", rescore), ("direct", direct)):
        print(f"{name:<8} {seconds:8.3f} s  {n / seconds:9.1f} img/s")
    print(f"direct / rescore: {direct / rescore:.0f}x")
    print(f"largest |Q_cache - Q_direct|: {np.abs(cached_q - direct_q).max():.2e}")


if __name__ == "__main__":
    main()
