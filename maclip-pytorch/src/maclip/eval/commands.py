"""The ``maclip-pytorch eval``, ``sweep`` and ``explain`` commands.

:func:`register` adds them to the ``maclip`` parser. ``eval`` and ``sweep``
read features through the on-disk feature cache, so CLIP runs once per image
and settings; everything after the encoder is recomputed from the cache.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from ..backbone import BackboneError, resolve_device, resolve_precision
from ..cli import (
    EXIT_OK,
    EXIT_SOME_FAILED,
    CommandError,
    add_model_arguments,
    add_scoring_arguments,
    finite_float,
    progress_bar,
    scorer_from_args,
    scorer_options,
    view_config_from_args,
)
from ..images import ImageError, ImageSource
from ..quality import DEFAULT_PROMPT_PAIRS, METHODS, FusionParams, Method
from ..scorer import ImageFeatures, Scorer
from ..views import ViewConfig
from ..writers import check_output
from .cache import CachedEncoder, FeatureCache, ModelKey, default_cache_dir, weights_id
from .datasets import Dataset, DatasetError, load_dataset, load_table
from .evaluate import MethodResult, evaluate_features, per_group_srcc
from .features import FeatureSet
from .report import format_table, markdown_summary, write_csv, write_json
from .sweep import Grid, SweepData, SweepReport, run_sweep

# -- shared plumbing --------------------------------------------------------------------------


class Models:
    """Loads the backbone once, on first need, and builds a scorer per view setting."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self._base: Scorer | None = None

    def scorer(self, views: ViewConfig) -> Scorer:
        if self._base is None:
            self._base = scorer_from_args(self.args)
        options = scorer_options(self.args)
        options.update(backbone=self._base.backbone, views=views)
        return Scorer(**options)


def prompts_from_args(args: argparse.Namespace) -> tuple[tuple[str, str], ...]:
    if args.prompt_pair:
        return tuple((str(p), str(n)) for p, n in args.prompt_pair)
    return DEFAULT_PROMPT_PAIRS


def model_key_from_args(args: argparse.Namespace, views: ViewConfig) -> ModelKey:
    """The cache key the model options describe, computed without loading the model."""
    if args.checkpoint:
        if not Path(args.checkpoint).is_file():
            raise CommandError(f"checkpoint file {args.checkpoint} does not exist")
        weights = weights_id(args.checkpoint)
    elif not args.pretrained or args.pretrained.lower() in ("none", "random"):
        weights = "random"
    else:
        weights = args.pretrained
    try:
        dtype = resolve_precision(args.precision, resolve_device(args.device))
    except BackboneError as err:
        raise CommandError(str(err)) from err
    precision = str(dtype).removeprefix("torch.")
    return ModelKey(args.backbone, weights, views, args.pos_embedding, precision)


def params_from_args(args: argparse.Namespace) -> FusionParams:
    return FusionParams(lam=args.lam, alpha=args.alpha, b_sim=args.b_sim, b_mag=args.b_mag)


@dataclass
class Encoded:
    """Features of one dataset's images that could be encoded, and the failures."""

    features: FeatureSet
    target: np.ndarray  # (n,) subjective scores, higher is better
    errors: list[ImageError]


def encode_items(
    args: argparse.Namespace,
    models: Models,
    views: ViewConfig,
    items: Sequence[tuple[str, ImageSource]],
    targets: Sequence[float],
    desc: str,
) -> Encoded:
    """Features of ``items`` through the feature cache (CLIP runs only on misses)."""
    cache = FeatureCache(args.feature_cache)
    encoder = CachedEncoder(
        cache,
        model_key_from_args(args, views),
        prompts_from_args(args),
        lambda: models.scorer(views),
    )
    kept: list[ImageFeatures] = []
    kept_targets: list[float] = []
    errors: list[ImageError] = []
    with progress_bar(len(items), args.quiet, desc) as bar:
        for item, target in zip(encoder.encode(items, bar.update), targets, strict=True):
            if isinstance(item, ImageError):
                errors.append(item)
                bar.write(f"error: {item}", file=sys.stderr)
            else:
                kept.append(item)
                kept_targets.append(target)
        text = encoder.text()
    return Encoded(FeatureSet(kept, text), np.array(kept_targets, dtype=np.float64), errors)


def view_config(args: argparse.Namespace, pre_resize: tuple[int, int] | None) -> ViewConfig:
    """The view options, with the dataset's default pre-resize unless one was given."""
    views = view_config_from_args(args)
    return views if args.pre_resize else replace(views, pre_resize=pre_resize)


def load_datasets(args: argparse.Namespace) -> list[Dataset]:
    """The datasets named by ``--dataset``/``--root`` pairs."""
    names, roots = args.dataset or [], args.root or []
    if len(names) != len(roots):
        raise CommandError(
            f"give one --root per --dataset ({len(names)} datasets, {len(roots)} roots)"
        )
    datasets = []
    try:
        for name, root in zip(names, roots, strict=True):
            if name == "table":
                datasets.append(
                    load_table(
                        root,
                        images=args.images,
                        image_column=args.image_column,
                        score_column=args.score_column,
                        higher_is_better=not args.lower_better,
                        allow_missing=args.allow_missing,
                    )
                )
            else:
                datasets.append(load_dataset(name, root, allow_missing=args.allow_missing))
    except DatasetError as err:
        raise CommandError(str(err)) from err
    return datasets


def encode_dataset(args: argparse.Namespace, models: Models, dataset: Dataset) -> Encoded:
    items = [(str(p), p) for p in dataset.paths]
    views = view_config(args, dataset.pre_resize)
    return encode_items(args, models, views, items, dataset.oriented_scores, dataset.title)


def add_dataset_arguments(parser: argparse.ArgumentParser) -> None:
    """Options naming datasets and the feature cache (shared by eval and sweep)."""
    group = parser.add_argument_group("datasets")
    group.add_argument(
        "--dataset",
        action="append",
        metavar="NAME",
        help="koniq10k, spaq, livec, kadid10k, csiq, tid2013, pipal, agiqa1k, agiqa3k, or table; "
        "repeat with --root for several",
    )
    group.add_argument(
        "--root", action="append", metavar="DIR", help="the dataset's folder (a table: its file)"
    )
    group.add_argument("--images", help="table: folder image paths are relative to")
    group.add_argument("--image-column", help="table: image path column (default: guessed)")
    group.add_argument("--score-column", help="table: score column (default: guessed)")
    group.add_argument("--lower-better", action="store_true", help="table: lower scores are better")
    group.add_argument(
        "--allow-missing",
        action="store_true",
        help="evaluate the images found when some are missing",
    )
    group.add_argument(
        "--feature-cache",
        default=default_cache_dir(),
        type=Path,
        help="feature cache folder (default: $MACLIP_FEATURE_CACHE or ~/.cache/maclip/features)",
    )
    group.add_argument("-q", "--quiet", action="store_true", help="no progress bars")


# -- maclip-pytorch eval ---------------------------------------------------------------------


def _methods(text: str) -> list[Method]:
    methods = [m.strip() for m in text.split(",") if m.strip()]
    unknown = [m for m in methods if m not in METHODS]
    if unknown or not methods:
        raise argparse.ArgumentTypeError(f"methods must be among {', '.join(METHODS)}")
    return methods  # type: ignore[return-value]


def _metric_rows(name: str, results: dict[str, MethodResult]) -> Iterator[dict[str, Any]]:
    for method, result in results.items():
        yield {"dataset": name, "method": method, **result.metrics.to_dict()}


def _print_metric_table(records: list[dict[str, Any]]) -> None:
    header = ["dataset", "method", "n", "SRCC", "95% CI", "KRCC", "PLCC", "95% CI", "RMSE"]
    rows = [
        [
            r["dataset"],
            r["method"],
            r["n"],
            r["srcc"],
            f"[{r['srcc_low']:.3f}, {r['srcc_high']:.3f}]",
            r["krcc"],
            r["plcc"],
            f"[{r['plcc_low']:.3f}, {r['plcc_high']:.3f}]",
            r["rmse"],
        ]
        for r in records
    ]
    print(format_table(header, rows))


def _write_dataset_outputs(
    out: Path,
    name: str,
    encoded: Encoded,
    results: dict[str, MethodResult],
    plots: bool,
    mos_label: str,
) -> None:
    """Per-image predictions CSV and the three figures of one dataset."""
    first = next(iter(results.values())).scores  # the cues do not depend on the method
    rows = []
    for i, key in enumerate(encoded.features.keys):
        row: dict[str, Any] = {"path": key, "target": float(encoded.target[i])}
        for method, result in results.items():
            row[method] = float(result.scores.q[i])
        row.update(q_sim=float(first.q_sim[i]), q_mag=float(first.q_mag[i]))
        if "maclip" in results:
            row["w_sim"] = float(results["maclip"].scores.w_sim[i])
        rows.append(row)
    write_csv(out / f"{name}-predictions.csv", rows)
    if not plots or len(encoded.target) < 3:
        return
    from . import plots as figures  # matplotlib is imported only when drawing

    target = encoded.target
    figures.scatter_with_fit(
        {m: r.scores.q for m, r in results.items()},
        target,
        out / f"{name}-scatter.png",
        name,
        mos_label,
    )
    figures.cues_scatter(
        first.q_sim, first.q_mag, target, out / f"{name}-cues.png", name, mos_label
    )
    if "maclip" in results:
        figures.weight_vs_mos(
            results["maclip"].scores.w_sim, target, out / f"{name}-weights.png", name, mos_label
        )


def run_eval(args: argparse.Namespace) -> int:
    """``maclip-pytorch eval``: the paper's protocol on datasets, or the synthetic benchmark."""
    if args.synthetic:
        return run_synthetic(args)
    datasets = load_datasets(args)
    if not datasets:
        raise CommandError("name a dataset: --dataset NAME --root DIR (or --synthetic)")
    models = Models(args)
    params = params_from_args(args)
    records: list[dict[str, Any]] = []
    failed = 0
    for dataset in datasets:
        encoded = encode_dataset(args, models, dataset)
        failed += len(encoded.errors)
        if len(encoded.features) < 3:
            raise CommandError(f"{dataset.title}: fewer than 3 images could be scored")
        results = evaluate_features(
            encoded.features, encoded.target, args.methods, params, args.bootstrap, args.seed
        )
        records.extend(_metric_rows(dataset.title, results))
        if args.output:
            label = "MOS" if dataset.higher_is_better else "−DMOS"
            _write_dataset_outputs(
                args.output, dataset.name, encoded, results, not args.no_plots, label
            )
    _print_metric_table(records)
    if args.output:
        write_csv(args.output / "metrics.csv", records)
        (args.output / "metrics.md").write_text(markdown_summary(records), encoding="utf-8")
        write_json(args.output / "metrics.json", {"params": vars(params), "results": records})
        print(f"wrote tables and figures to {args.output}", file=sys.stderr)
    if failed:
        print(f"{failed} images could not be scored (listed above)", file=sys.stderr)
    return EXIT_SOME_FAILED if failed else EXIT_OK


def run_synthetic(args: argparse.Namespace) -> int:
    """``maclip-pytorch eval --synthetic``: SRCC of score against distortion level, per kind."""
    from .synthetic import synthetic_images

    try:
        images = list(synthetic_images(max_side=args.synthetic_size))
    except (RuntimeError, ImportError) as err:
        raise CommandError(str(err)) from err
    items: list[tuple[str, ImageSource]] = [(im.key, im.pixels) for im in images]
    levels = [float(im.level) for im in images]
    encoded = encode_items(args, Models(args), view_config(args, None), items, levels, "synthetic")
    if encoded.errors:
        raise CommandError(f"{len(encoded.errors)} synthetic images could not be scored")
    params = params_from_args(args)
    kinds = np.array([im.kind for im in images])
    photos = np.array([im.photo for im in images])
    level = encoded.target
    records = []
    for method in args.methods:
        q = encoded.features.scores(method, params).q
        for kind in dict.fromkeys(kinds):
            rows = kinds == kind
            pooled, within = per_group_srcc(q[rows], level[rows], photos[rows])
            records.append(
                {
                    "distortion": str(kind),
                    "method": method,
                    "srcc_pooled": pooled,
                    "srcc_per_photo": within,
                    "images": int(rows.sum()),
                }
            )
    print(
        format_table(
            ["distortion", "method", "SRCC(Q, -level) pooled", "mean per photo", "images"],
            [list(r.values()) for r in records],
        )
    )
    print("SRCC 1: scores fall steadily as the distortion grows; 0: no relation.", file=sys.stderr)
    if args.output:
        write_csv(args.output / "synthetic.csv", records)
        rows = [
            {"image": k, "level": float(t)}
            for k, t in zip(encoded.features.keys, level, strict=True)
        ]
        for method in args.methods:
            q = encoded.features.scores(method, params).q
            for row, value in zip(rows, q, strict=True):
                row[method] = float(value)
        write_csv(args.output / "synthetic-predictions.csv", rows)
    return EXIT_OK


# -- maclip-pytorch sweep --------------------------------------------------------------------


def _floats(text: str) -> tuple[float, ...]:
    try:
        values = tuple(finite_float(v) for v in text.split(",") if v.strip())
    except argparse.ArgumentTypeError as err:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a comma-separated list of finite numbers"
        ) from err
    if not values:
        raise argparse.ArgumentTypeError("give at least one value")
    return values


def _params_text(p: FusionParams) -> str:
    return f"λ={p.lam:g} α={p.alpha:g} b_sim={p.b_sim:g} b_mag={p.b_mag:g}"


def _print_sweep(report: SweepReport) -> None:
    names = list(report.tune_srcc)
    part = "held-out" if report.holdout else "all (no held-out split: tuned on the same images)"
    print(
        f"{len(report.points)} grid points; tuned on {1 - report.holdout:.0%} of each dataset, "
        f"reported on {part}"
    )
    rows = [
        [
            name,
            _params_text(best.params),
            best.tune_srcc,
            best.test_srcc[name],
            best.test_plcc[name],
        ]
        for name, best in report.per_dataset.items()
    ]
    overall = report.overall
    rows += [
        [
            f"all → {name}",
            _params_text(overall.params),
            overall.tune_srcc,
            overall.test_srcc[name],
            overall.test_plcc[name],
        ]
        for name in names
    ]
    print(format_table(["tuned on", "best setting", "tune SRCC", "test SRCC", "test PLCC"], rows))


def run_sweep_command(args: argparse.Namespace) -> int:
    """``maclip-pytorch sweep``: grid search of λ, α and bases on cached features."""
    datasets = load_datasets(args)
    if not datasets:
        raise CommandError("name a dataset: --dataset NAME --root DIR")
    # --lam etc. hold the grid here; the encoding scorer only needs features, not fusion
    models = Models(argparse.Namespace(**{**vars(args), **asdict(FusionParams())}))
    data = []
    for dataset in datasets:
        encoded = encode_dataset(args, models, dataset)
        data.append(SweepData(dataset.title, encoded.features, encoded.target))
    grid = Grid(args.lam, args.alpha, args.b_sim, args.b_mag)
    try:
        report = run_sweep(data, grid, args.method, args.holdout, args.seed)
    except ValueError as err:
        raise CommandError(str(err)) from err
    _print_sweep(report)
    if args.output:
        records = []
        for i, p in enumerate(report.points):
            record: dict[str, Any] = vars(p).copy()
            record.update({f"srcc_{name}": float(v[i]) for name, v in report.tune_srcc.items()})
            record["srcc_mean"] = float(np.mean([v[i] for v in report.tune_srcc.values()]))
            records.append(record)
        write_csv(args.output, records)
        print(f"wrote every grid point's tuning SRCC to {args.output}", file=sys.stderr)
    return EXIT_OK


# -- maclip-pytorch explain ------------------------------------------------------------------


def run_explain(args: argparse.Namespace) -> int:
    """``maclip-pytorch explain IMAGE``: the image with its quality map and the score breakdown."""
    from .explain import explain_figure, figure_suffixes

    output = args.output or Path(f"{Path(args.image).stem}-quality.png")
    check_output(str(output))
    if output.suffix.lower() not in figure_suffixes():
        raise CommandError(
            f"{output}: unknown figure format {output.suffix or '(no suffix)'}; "
            f"end the file name in one of {', '.join(figure_suffixes())}"
        )
    scorer = scorer_from_args(args)
    result = scorer.score([args.image])[0]
    if result.error is not None:
        print(f"error: {result.key}: {result.error}", file=sys.stderr)
        return EXIT_SOME_FAILED
    try:
        explain_figure(args.image, result, output, field=args.field)
    except OSError as err:
        raise CommandError(f"{output}: cannot write the figure ({err.strerror or err})") from err
    print(f"Q={result.q:.4f} (Q_sim={result.q_sim:.4f}, Q_mag={result.q_mag:.4f}); wrote {output}")
    return EXIT_OK


# -- registration ----------------------------------------------------------------------------


def register(commands: argparse._SubParsersAction) -> None:
    """Add ``eval``, ``sweep`` and ``explain`` to the ``maclip-pytorch`` sub-commands."""
    evaluate = commands.add_parser(
        "eval",
        help="evaluate on IQA datasets (SRCC/PLCC with CIs, plots)",
        description="Score IQA datasets through the feature cache and compare with their MOS.",
        conflict_handler="resolve",
    )
    add_dataset_arguments(evaluate)
    evaluate.add_argument(
        "--synthetic",
        action="store_true",
        help="built-in benchmark: bundled photos under 5 distortions x 5 levels (no download)",
    )
    evaluate.add_argument(
        "--synthetic-size", type=int, metavar="PX", help="shrink the synthetic photos to this side"
    )
    evaluate.add_argument(
        "--bootstrap",
        type=int,
        default=1000,
        metavar="N",
        help="bootstrap resamples for CIs (0: none)",
    )
    evaluate.add_argument("--seed", type=int, default=0, help="seed of the bootstrap")
    evaluate.add_argument(
        "-o", "--output", type=Path, help="folder for tables, predictions, figures"
    )
    evaluate.add_argument("--no-plots", action="store_true", help="tables only")
    add_model_arguments(evaluate)
    add_scoring_arguments(evaluate)
    evaluate.add_argument(  # replaces the single --method of the scoring options
        "--method",
        dest="methods",
        type=_methods,
        default=list(METHODS),
        help="methods to evaluate, comma-separated (default: maclip,clipiqa,magnitude)",
    )
    evaluate.set_defaults(func=run_eval, method="maclip")  # the scorer's own, unused here

    from .bundles import register as register_bundles

    register_bundles(commands, add_dataset_arguments)

    sweep = commands.add_parser(
        "sweep",
        help="grid-search λ, α and bases on cached features",
        description="Evaluate a grid of λ, α, b_sim, b_mag on cached features; report the best "
        "settings per dataset and across datasets on a held-out split.",
        conflict_handler="resolve",
    )
    add_dataset_arguments(sweep)
    add_model_arguments(sweep)
    add_scoring_arguments(sweep)
    grid = sweep.add_argument_group("grid (comma-separated values)")
    defaults = Grid()
    for flag, name in (
        ("--lam", "lam"),
        ("--alpha", "alpha"),
        ("--b-sim", "b_sim"),
        ("--b-mag", "b_mag"),
    ):
        values = ",".join(f"{v:g}" for v in getattr(defaults, name))
        grid.add_argument(
            flag, type=_floats, default=getattr(defaults, name), help=f"default: {values}"
        )
    sweep.add_argument(
        "--holdout",
        type=float,
        default=0.5,
        help="fraction of each dataset held out for reporting (default: 0.5; 0: none)",
    )
    sweep.add_argument("--seed", type=int, default=0, help="seed of the split")
    sweep.add_argument("-o", "--output", type=Path, help="CSV of every grid point's tuning SRCC")
    sweep.set_defaults(func=run_sweep_command)

    explain = commands.add_parser(
        "explain",
        help="draw an image's quality map and score breakdown",
        description="Score one image and draw it with its per-patch quality map and the breakdown.",
    )
    explain.add_argument("image", metavar="IMAGE")
    explain.add_argument(
        "-o", "--output", type=Path, help="figure file (default: IMAGE-quality.png)"
    )
    explain.add_argument(
        "--field",
        default="q",
        choices=["q", "q_sim", "q_mag", "w_sim", "w_mag"],
        help="score mapped",
    )
    add_model_arguments(explain)
    add_scoring_arguments(explain)
    explain.set_defaults(func=run_explain)
