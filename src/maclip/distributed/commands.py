"""``maclip score --engine ray``: the command-line face of :func:`score_dataset`."""

from __future__ import annotations

import argparse
import sys

from ..backbone import BackboneError
from ..cli import EXIT_OK, EXIT_SOME_FAILED, CommandError, progress_bar, scorer_options
from ..inputs import InputError
from .job import ROWS_PER_FILE, RayMissingError, score_dataset


def add_ray_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``--engine`` option of ``maclip score`` and the Ray engine's settings."""
    group = parser.add_argument_group(
        "Ray engine (--engine ray; needs the ray extra: pip install 'maclip[ray]')"
    )
    group.add_argument(
        "--engine",
        choices=["local", "ray"],
        default="local",
        help="local: this process (default); ray: a Ray cluster, writing Parquet shards "
        "into the -o folder",
    )
    group.add_argument(
        "--address",
        help="Ray cluster to join: auto, HOST:6379 or ray://HOST:10001 "
        "(default: $RAY_ADDRESS, else a new local Ray instance)",
    )
    group.add_argument(
        "--actors", type=int, metavar="N", help="scoring actors, one model each (default: fill)"
    )
    group.add_argument(
        "--gpus-per-actor",
        type=float,
        metavar="F",
        help="GPUs per actor; 0.5 puts two actors on a GPU (default: 1 if the cluster has GPUs)",
    )
    group.add_argument(
        "--cpus-per-actor", type=float, metavar="F", help="CPUs per actor (default: 1)"
    )
    group.add_argument(
        "--rows-per-file",
        type=int,
        default=ROWS_PER_FILE,
        metavar="N",
        help="rows per Parquet shard (default: %(default)s)",
    )
    group.add_argument(
        "--path-column", default="path", help="table inputs: column of image paths (default: path)"
    )
    group.add_argument(
        "--bytes-column",
        default="bytes",
        help="table inputs: column of encoded images (default: bytes)",
    )
    group.add_argument(
        "--key-column", help="table inputs: column naming each row (default: the path column)"
    )


def run_score_ray(args: argparse.Namespace) -> int:
    """Score ``args.paths`` on Ray into the Parquet folder ``args.output``."""
    if not args.output:
        raise CommandError("--engine ray writes Parquet shards into a folder: give -o FOLDER")
    if args.format is not None or args.views:
        raise CommandError("--engine ray writes Parquet shards; leave out --format and --views")
    options = scorer_options(args)
    with progress_bar(None, args.quiet) as bar:

        def shard_done(rows: int, errors: list[str]) -> None:
            for error in errors:
                bar.write(f"error: {error}", file=sys.stderr)
            bar.update(rows)

        try:
            summary = score_dataset(
                args.paths,
                args.output,
                scorer_options=options,
                recursive=args.recursive,
                path_column=args.path_column,
                bytes_column=args.bytes_column,
                key_column=args.key_column,
                resume=args.resume,
                actors=args.actors,
                gpus_per_actor=args.gpus_per_actor,
                cpus_per_actor=args.cpus_per_actor,
                rows_per_file=args.rows_per_file,
                address=args.address,
                on_shard=shard_done,
            )
        except (RayMissingError, FileExistsError, InputError, BackboneError, ValueError) as err:
            raise CommandError(str(err)) from err
        except ConnectionError as err:
            raise CommandError(f"cannot reach the Ray cluster ({err})") from err
    if not args.quiet:
        scored = summary.written - summary.failed
        print(
            f"scored {scored} of {summary.written} images"
            + (f"; {summary.failed} failed" if summary.failed else "")
            + (f"; {summary.skipped} already in {args.output}" if summary.skipped else "")
            + f" ({summary.plan.actors} scoring actor{'s' if summary.plan.actors > 1 else ''})",
            file=sys.stderr,
        )
    return EXIT_SOME_FAILED if summary.failed else EXIT_OK
