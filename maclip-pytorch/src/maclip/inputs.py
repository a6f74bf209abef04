"""Turning command-line arguments into a list of image paths.

An argument may be an image file, a directory (its images; with
``recursive=True`` also those in sub-directories), a glob pattern (``*``,
``?``, ``[...]``; ``**`` crosses directories), or a text file of paths
(``.txt``, ``.lst`` or ``.list``; one path per line, ``#`` comments and blank
lines ignored, relative paths taken from the list file's folder).
"""

from __future__ import annotations

import glob
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from .images import IMAGE_EXTENSIONS

LIST_SUFFIXES = frozenset({".txt", ".lst", ".list"})


class InputError(ValueError):
    """An argument that names nothing to score (e.g. a pattern matching no file)."""


def is_image_name(path: Path) -> bool:
    """True when the file name has an image extension (case-insensitive)."""
    return path.suffix.lower() in IMAGE_EXTENSIONS


def scan_directory(folder: Path, recursive: bool) -> list[str]:
    """Image files in ``folder`` (and below when ``recursive``), sorted by path."""
    found = folder.rglob("*") if recursive else folder.iterdir()
    return sorted(str(p) for p in found if p.is_file() and is_image_name(p))


def read_list_file(list_file: Path) -> list[str]:
    """Paths listed in a text file, relative ones resolved against the file's folder."""
    paths = []
    for line in list_file.read_text(encoding="utf-8").splitlines():
        entry = line.strip()
        if not entry or entry.startswith("#"):
            continue
        path = Path(entry)
        paths.append(str(path if path.is_absolute() else list_file.parent / path))
    return paths


def _expand(argument: str, recursive: bool) -> list[str]:
    path = Path(argument)
    if path.is_dir():
        return scan_directory(path, recursive)
    if path.is_file():
        return read_list_file(path) if path.suffix.lower() in LIST_SUFFIXES else [argument]
    if glob.has_magic(argument):
        matches = sorted(glob.glob(argument, recursive=True))
        files = [m for m in matches if os.path.isfile(m) and is_image_name(Path(m))]
        if not files:
            raise InputError(f"{argument}: no image files match this pattern")
        return files
    # A missing file is kept: scoring reports it as a per-file error.
    return [argument]


def gather_inputs(arguments: Sequence[str], recursive: bool = False) -> list[str]:
    """Expand arguments into image paths, in order, without duplicates.

    Raises:
        InputError: an argument is a pattern that matches no image file.
    """
    return _unique(p for argument in arguments for p in _expand(argument, recursive))


def _unique(paths: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    ordered = []
    for path in paths:
        key = os.path.normpath(path)
        if key not in seen:
            seen.add(key)
            ordered.append(path)
    return ordered
