"""``maclip serve``: load the model once and serve it over HTTP (needs the ``serve`` extra)."""

from __future__ import annotations

import argparse
from typing import Any

from ..cli import (
    EXIT_OK,
    CommandError,
    add_model_arguments,
    add_scoring_arguments,
    scorer_from_args,
)
from .limits import ServeSettings

_DEFAULTS = ServeSettings()


def register(commands: argparse._SubParsersAction[Any]) -> None:
    """Add the ``serve`` sub-command to ``maclip``'s sub-parsers."""
    parser = commands.add_parser(
        "serve",
        help="serve scores and quality maps over HTTP, with a web page",
        description="Load the model once and serve POST /v1/score, POST /v1/explain, "
        "GET /v1/info, GET /healthz, the OpenAPI schema at /docs and a web page at /.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    limits = parser.add_argument_group("service limits")
    limits.add_argument(
        "--max-upload-mb",
        type=float,
        default=_DEFAULTS.max_upload_bytes / 2**20,
        help="largest request body, MiB (default: %(default)s)",
    )
    limits.add_argument(
        "--max-images",
        type=int,
        default=_DEFAULTS.max_images,
        help="most images per request (default: %(default)s)",
    )
    limits.add_argument(
        "--queue-size",
        type=int,
        default=_DEFAULTS.queue_size,
        help="most images waiting for the model; more answer 503 (default: %(default)s)",
    )
    limits.add_argument(
        "--batch-window-ms",
        type=float,
        default=_DEFAULTS.batch_window_s * 1000,
        help="wait for concurrent requests to share a batch, ms (default: %(default)s)",
    )
    limits.add_argument(
        "--max-batch-images",
        type=int,
        default=_DEFAULTS.max_batch_images,
        help="most images scored together (default: %(default)s)",
    )
    limits.add_argument(
        "--max-connections",
        type=int,
        default=128,
        help="most connections at once; more answer 503, bounding the bodies held in memory "
        "(default: %(default)s)",
    )
    limits.add_argument(
        "--log-level",
        default="info",
        choices=["critical", "error", "warning", "info", "debug"],
        help="server log level (default: info)",
    )
    add_model_arguments(parser)
    add_scoring_arguments(parser)
    parser.set_defaults(func=run_serve)


def settings_from_args(args: argparse.Namespace) -> ServeSettings:
    """The :class:`ServeSettings` the ``serve`` options describe."""
    try:
        return ServeSettings(
            max_upload_bytes=int(args.max_upload_mb * 2**20),
            max_images=args.max_images,
            queue_size=args.queue_size,
            batch_window_s=args.batch_window_ms / 1000,
            max_batch_images=args.max_batch_images,
        )
    except ValueError as err:
        raise CommandError(str(err)) from err


def run_serve(args: argparse.Namespace) -> int:
    """``maclip serve``: build the scorer, then run uvicorn until interrupted."""
    try:
        import uvicorn

        from .app import create_app
    except ImportError as err:
        raise CommandError(
            f"maclip serve needs the serve extra: pip install 'maclip[serve]' ({err})"
        ) from err
    settings = settings_from_args(args)
    if args.max_connections < 1:
        raise CommandError("--max-connections must be at least 1")
    app = create_app(scorer_from_args(args), settings)
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        log_level=args.log_level,
        limit_concurrency=args.max_connections,
    )
    return EXIT_OK
