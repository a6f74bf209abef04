"""``maclip-pytorch eval-bundles``: bundles (fp32, int8) scored through ONNX Runtime, side by side.

Each bundle scores every image of a dataset exactly as the Java scorer does: the bundle's
view settings, normalisation, prompt embeddings, logit scale and default method and
parameters, with its ``visual.onnx`` run by ONNX Runtime on the CPU. The table gives each
bundle's SRCC and PLCC against the dataset's scores and their difference from the first
bundle's, with the largest per-image ``|ΔQ|``: a user with real weights checks an int8
bundle against its fp32 one on KonIQ or SPAQ with one command.
"""

from __future__ import annotations

import argparse
import json
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ..cli import EXIT_OK, CommandError, progress_bar
from ..export import INPUT_NAME, MANIFEST, OUTPUT_NAME, _require_onnx, session_options
from ..images import DEFAULT_MAX_PIXELS, ImageSource
from ..pipeline import Failed, Preparer
from ..quality import FusionParams, ViewScores, score_views
from ..views import ViewConfig, cut_views
from .metrics import plcc, srcc

#: Views per ONNX Runtime run (the Java scorer's default batch).
BATCH = 32


@dataclass
class OnnxBundle:
    """A bundle read for scoring through ONNX Runtime."""

    path: Path
    manifest: dict[str, Any]
    session: Any

    @classmethod
    def load(cls, path: str | Path) -> OnnxBundle:
        """Read a bundle folder or ``.zip``; a clear error when it is not one."""
        onnxruntime = _require_onnx()
        folder = Path(path)
        try:
            if folder.is_file():
                with zipfile.ZipFile(folder) as archive:
                    manifest = json.loads(archive.read(MANIFEST))
                    model: bytes | str = archive.read(manifest["onnx"]["file"])
            else:
                manifest = json.loads((folder / MANIFEST).read_text())
                model = str(folder / manifest["onnx"]["file"])
            session = onnxruntime.InferenceSession(
                model, session_options(), providers=["CPUExecutionProvider"]
            )
        except (OSError, KeyError, ValueError, zipfile.BadZipFile) as err:
            raise CommandError(f"cannot read bundle {folder}: {err}") from err
        except Exception as err:  # ONNX Runtime's own errors
            raise CommandError(f"cannot load {folder}'s ONNX model: {err}") from err
        return cls(folder, manifest, session)

    @property
    def precision(self) -> str:
        return str(self.manifest.get("precision", "fp32"))

    def __post_init__(self) -> None:
        self._preparer = self.preparer()

    def preparer(self) -> Preparer:
        view = self.manifest["view"]
        config = ViewConfig(
            patch_size=view["patch_size"],
            stride=view["stride"],
            min_side=view["min_side"],
            include_global=view["include_global"],
        )
        norm = self.manifest["normalisation"]
        mean, std = torch.tensor(norm["mean"]), torch.tensor(norm["std"])
        return Preparer(config, DEFAULT_MAX_PIXELS, mean, std)

    def score(self, source: ImageSource) -> float:
        """The image's ``Q`` with the bundle's defaults; NaN when it cannot be prepared."""
        item = self._preparer(source)
        if isinstance(item, Failed):
            return float("nan")
        views = cut_views(item.image, item.boxes, self.manifest["view"]["patch_size"])
        return float(self.score_views(views).q.mean())

    def score_views(self, views: torch.Tensor) -> ViewScores:
        """Each of ``views`` (normalised, ``(N, 3, P, P)``) scored with the bundle's defaults."""
        outputs = [
            self.session.run([OUTPUT_NAME], {INPUT_NAME: views[i : i + BATCH].numpy()})[0]
            for i in range(0, len(views), BATCH)
        ]
        features = torch.from_numpy(np.concatenate(outputs).astype(np.float32))
        prompts = self.manifest["prompts"]
        text = torch.tensor(
            [[p["positive_embedding"], p["negative_embedding"]] for p in prompts],
            dtype=torch.float32,
        )
        text = text / text.norm(dim=-1, keepdim=True)
        defaults = dict(self.manifest["defaults"])
        method = defaults.pop("method")
        return score_views(
            features, text, float(self.manifest["logit_scale"]), method, FusionParams(**defaults)
        )


def compare_bundles(
    bundles: Sequence[OnnxBundle],
    items: Sequence[tuple[str, ImageSource]],
    target: Sequence[float],
    quiet: bool = True,
) -> list[dict[str, Any]]:
    """One row per bundle: SRCC, PLCC, their differences from the first and the largest |ΔQ|."""
    scores: list[np.ndarray] = []
    for bundle in bundles:
        with progress_bar(len(items), quiet, desc=bundle.path.name) as bar:
            values = []
            for _, source in items:
                values.append(bundle.score(source))
                bar.update()
        scores.append(np.array(values))
    usable = np.all([np.isfinite(q) for q in scores], axis=0)
    if usable.sum() < 3:
        raise CommandError(f"only {int(usable.sum())} images could be scored by every bundle")
    y = np.asarray(target, dtype=np.float64)[usable]
    rows: list[dict[str, Any]] = []
    for bundle, q in zip(bundles, scores, strict=True):
        rows.append(
            {
                "bundle": str(bundle.path),
                "precision": bundle.precision,
                "images": int(usable.sum()),
                "srcc": srcc(q[usable], y),
                "plcc": plcc(q[usable], y),
                "max_abs_q_diff": float(np.abs(q[usable] - scores[0][usable]).max()),
            }
        )
    for row in rows:
        row["srcc_diff"] = row["srcc"] - rows[0]["srcc"]
        row["plcc_diff"] = row["plcc"] - rows[0]["plcc"]
    return rows


def _items(args: argparse.Namespace) -> tuple[list[tuple[str, ImageSource]], list[float], str]:
    if args.synthetic:
        from .synthetic import synthetic_images

        images = list(synthetic_images(max_side=args.synthetic_size))
        # higher distortion level is worse: the target is minus the level
        return [(im.key, im.pixels) for im in images], [-im.level for im in images], "synthetic"
    from .commands import load_datasets

    datasets = load_datasets(args)
    if len(datasets) != 1:
        raise CommandError("name one dataset: --dataset NAME --root DIR (or --synthetic)")
    data = datasets[0]
    return [(str(p), p) for p in data.paths], data.oriented_scores, data.title


def run_eval_bundles(args: argparse.Namespace) -> int:
    """``maclip-pytorch eval-bundles``: the table of :func:`compare_bundles`."""
    bundles = [OnnxBundle.load(path) for path in args.bundles]
    items, target, title = _items(args)
    rows = compare_bundles(bundles, items, target, quiet=args.quiet)
    print(f"{title}: {rows[0]['images']} images, each bundle through ONNX Runtime (CPU)")
    print(
        f"{'bundle':<32}{'precision':>10}{'SRCC':>9}{'PLCC':>9}{'ΔSRCC':>10}{'ΔPLCC':>10}"
        f"{'max|ΔQ|':>10}"
    )
    for r in rows:
        print(
            f"{Path(r['bundle']).name[-31:]:<32}{r['precision']:>10}{r['srcc']:>9.4f}"
            f"{r['plcc']:>9.4f}{r['srcc_diff']:>+10.4f}{r['plcc_diff']:>+10.4f}"
            f"{r['max_abs_q_diff']:>10.2e}"
        )
    print("(differences against the first bundle)")
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(json.dumps(rows, indent=1) + "\n")
    return EXIT_OK


def register(commands: argparse._SubParsersAction, add_dataset_arguments: Any) -> None:
    """Add ``eval-bundles`` to the ``maclip-pytorch`` sub-commands."""
    parser = commands.add_parser(
        "eval-bundles",
        help="SRCC/PLCC of bundles (fp32 and int8, say) through ONNX Runtime, side by side",
        description=__doc__.split("\n\n")[1] if __doc__ else None,
    )
    parser.add_argument("bundles", nargs="+", metavar="BUNDLE", help="bundle folders or zips")
    add_dataset_arguments(parser)
    parser.add_argument(
        "--synthetic", action="store_true", help="the built-in synthetic benchmark instead"
    )
    parser.add_argument(
        "--synthetic-size", type=int, metavar="PX", help="shrink the synthetic photos to this side"
    )
    parser.add_argument("-o", "--output", type=Path, help="write the rows as JSON here")
    parser.set_defaults(func=run_eval_bundles)
