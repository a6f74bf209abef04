"""Writing results as a terminal table, CSV, JSON Lines or JSON.

CSV and JSON Lines are written row by row and flushed as each image is scored,
so an interrupted run keeps what it did. File names that are not UTF-8 (kept by
Python as ``surrogateescape`` characters) are written back as their original bytes
in CSV and tables, and as ``\\udcXX`` escapes in JSON.

JSON Lines output supports resuming: :func:`completed_keys` reads an earlier,
possibly interrupted, file, drops a torn last line and the rows of failed images
(they are tried again), and returns the keys already scored.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import sys
from pathlib import Path
from typing import IO, Any, Literal

from .results import SCORE_FIELDS, ImageResult

Format = Literal["table", "csv", "jsonl", "json"]
FORMATS: tuple[Format, ...] = ("table", "csv", "jsonl", "json")
_SUFFIX_FORMATS: dict[str, Format] = {
    ".csv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
}


class OutputError(ValueError):
    """An output path that cannot be written (a folder, no permission, ...)."""


def infer_format(output: str | None, requested: Format | None) -> Format:
    """The requested format, else the one the output's suffix implies, else ``table``."""
    if requested:
        if requested not in FORMATS:
            raise ValueError(f"unknown format {requested!r}; choose one of {', '.join(FORMATS)}")
        return requested
    if output:
        return _SUFFIX_FORMATS.get(Path(output).suffix.lower(), "table")
    return "table"


def _format_cell(value: Any) -> str:
    if isinstance(value, float):
        return "nan" if math.isnan(value) else f"{value:.4f}"
    return "" if value is None else str(value)


class ResultWriter:
    """Writes results to a stream in one format; use as a context manager."""

    def __init__(self, stream: IO[str], fmt: Format, include_views: bool = False) -> None:
        self.stream = stream
        self.fmt = fmt
        self.include_views = include_views
        self._rows: list[dict[str, Any]] = []
        self._csv: csv.DictWriter[str] | None = None

    def write(self, result: ImageResult) -> None:
        """Record one result (written at once for CSV and JSON Lines)."""
        if self.fmt == "jsonl":
            record = result.to_dict(include_views=self.include_views)
            self.stream.write(json.dumps(record, allow_nan=False) + "\n")
            self.stream.flush()
        elif self.fmt == "csv":
            row = result.to_row()
            if self._csv is None:
                self._csv = csv.DictWriter(self.stream, fieldnames=list(row))
                self._csv.writeheader()
            self._csv.writerow({k: _format_csv(v) for k, v in row.items()})
            self.stream.flush()
        elif self.fmt == "json":
            self._rows.append(result.to_dict(include_views=self.include_views))
        else:
            self._rows.append(result.to_row())

    def close(self) -> None:
        """Write what is buffered (JSON list, table) and flush."""
        if self.fmt == "json":
            json.dump(self._rows, self.stream, indent=2, allow_nan=False)
            self.stream.write("\n")
        elif self.fmt == "table":
            self.stream.write(render_table(self._rows))
        self.stream.flush()

    def __enter__(self) -> ResultWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _format_csv(value: Any) -> Any:
    return "" if value is None else value


def render_table(rows: list[dict[str, Any]]) -> str:
    """An aligned text table of flat rows (path, scores, views, error)."""
    if not rows:
        return "(no images)\n"
    columns = ["path", *SCORE_FIELDS, "views"]
    if any(r.get("error") for r in rows):
        columns.append("error")
    headers = {"q": "Q", "q_sim": "Q_sim", "q_mag": "Q_mag"}
    cells = [[headers.get(c, c) for c in columns]]
    cells += [[_format_cell(r.get(c)) for c in columns] for r in rows]
    widths = [max(len(line[i]) for line in cells) for i in range(len(columns))]
    numeric = {c for c in columns if c in SCORE_FIELDS or c == "views"}
    lines = []
    for line in cells:
        parts = [
            cell.rjust(w) if col in numeric else cell.ljust(w)
            for cell, w, col in zip(line, widths, columns, strict=True)
        ]
        lines.append("  ".join(parts).rstrip())
    return "\n".join(lines) + "\n"


def completed_keys(path: str | os.PathLike) -> set[str]:
    """Keys already scored in a JSON Lines output, tidying the file for appending.

    A torn (unparseable) last line and the rows of failed images are removed, so
    appending the remaining images leaves each key exactly once.
    """
    file = Path(path)
    if not file.exists():
        return set()
    kept: list[str] = []
    done: set[str] = set()
    changed = False
    try:
        text = file.read_text(encoding="utf-8", errors="surrogateescape")
    except OSError as err:
        raise OutputError(f"{path}: cannot read it to resume ({err.strerror or err})") from err
    for line in text.splitlines():
        try:
            record = json.loads(line)
            key = record["path"]
        except (json.JSONDecodeError, KeyError, TypeError):
            changed = True
            continue
        if record.get("error") or key in done:
            changed = True
            continue
        done.add(key)
        kept.append(line)
    if changed:
        tmp = file.with_name(file.name + ".tmp")
        tmp.write_text(
            "".join(f"{line}\n" for line in kept), encoding="utf-8", errors="surrogateescape"
        )
        os.replace(tmp, file)
    return done


def check_output(output: str | None) -> None:
    """Refuse an output that names a folder (call before any work is done).

    Raises:
        OutputError: naming the path and what to do instead.
    """
    if output is not None and output != "-" and Path(output).is_dir():
        raise OutputError(f"{output}: is a folder; -o needs a file, e.g. -o {output}/scores.csv")


def open_output(output: str | None, append: bool) -> IO[str]:
    """The output stream: a file (appended to when resuming) or standard output.

    Raises:
        OutputError: the file cannot be created or opened.
    """
    if output is None or output == "-":
        if isinstance(sys.stdout, io.TextIOWrapper):
            sys.stdout.reconfigure(errors="surrogateescape")
        return sys.stdout
    check_output(output)
    try:
        Path(output).parent.mkdir(parents=True, exist_ok=True)
        return open(
            output,
            "a" if append else "w",
            encoding="utf-8",
            errors="surrogateescape",
            newline="",
        )
    except OSError as err:
        raise OutputError(f"{output}: cannot write it ({err.strerror or err})") from err
