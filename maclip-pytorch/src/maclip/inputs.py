"""Turning command-line arguments into a list of image paths.

An argument may be an image file, a directory (its images; with
``recursive=True`` also those in sub-directories), a glob pattern (``*``,
``?``, ``[...]``; ``**`` crosses directories), or a text file of paths
(``.txt``, ``.lst`` or ``.list``; one path per line, ``#`` comments and blank
lines ignored, relative paths taken from the list file's folder).

Descending (``-r`` and ``**``) follows folder symlinks but enters each real folder
once, so a symlink loop ends and cannot repeat an image; the final list holds each
file once, compared by its real path (the first name given is kept).
"""

from __future__ import annotations

import fnmatch
import glob
import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from .images import IMAGE_EXTENSIONS

LIST_SUFFIXES = frozenset({".txt", ".lst", ".list"})


class InputError(ValueError):
    """An argument that names nothing to score (e.g. a pattern matching no file)."""


def is_image_name(path: Path) -> bool:
    """True when the file name has an image extension (case-insensitive)."""
    return path.suffix.lower() in IMAGE_EXTENSIONS


def _unreadable(path: str | os.PathLike, err: OSError, what: str = "folder") -> InputError:
    return InputError(f"{os.fspath(path)}: cannot read this {what} ({err.strerror or err})")


def walk_files(folder: Path) -> Iterator[Path]:
    """Files below ``folder``, following folder symlinks but entering each real folder once.

    Raises:
        InputError: ``folder`` or a folder below it cannot be read.
    """

    def refuse(err: OSError) -> None:
        raise _unreadable(err.filename, err)

    seen = {os.path.realpath(folder)}
    for parent, folders, files in os.walk(folder, onerror=refuse, followlinks=True):
        kept = []
        for name in sorted(folders):
            real = os.path.realpath(os.path.join(parent, name))
            if real not in seen:
                seen.add(real)
                kept.append(name)
        folders[:] = kept  # os.walk descends into these only
        yield from (Path(parent, name) for name in files)


def scan_directory(folder: Path, recursive: bool) -> list[str]:
    """Image files in ``folder`` (and below when ``recursive``), sorted by path.

    Raises:
        InputError: a folder cannot be read.
    """
    if recursive:
        found: Iterable[Path] = walk_files(folder)
    else:
        try:
            found = list(folder.iterdir())
        except OSError as err:
            raise _unreadable(folder, err) from err
    return sorted(str(p) for p in found if p.is_file() and is_image_name(p))


def _match(parts: Sequence[str], pattern: Sequence[str]) -> bool:
    """Whether path components match glob components (``**``: any number of folders).

    As in :mod:`glob`, wildcards do not match names that start with a dot.
    """
    if not pattern:
        return not parts
    if pattern[0] == "**":
        return any(
            _match(parts[skip:], pattern[1:])
            for skip in range(len(parts) + 1)
            if not any(part.startswith(".") for part in parts[:skip])
        )
    if not parts or (parts[0].startswith(".") and not pattern[0].startswith(".")):
        return False
    return fnmatch.fnmatch(parts[0], pattern[0]) and _match(parts[1:], pattern[1:])


def glob_files(pattern: str) -> list[str]:
    """Paths matching a glob pattern; ``**`` descends as :func:`walk_files` does."""
    if "**" not in pattern:
        return glob.glob(pattern)
    parts = Path(pattern).parts
    first = next(i for i, part in enumerate(parts) if glob.has_magic(part))
    root = Path(*parts[:first]) if first else Path()
    if not root.is_dir():
        return []
    matches = []
    for file in walk_files(root):
        relative = file.relative_to(root).parts
        if _match(relative, parts[first:]):
            matches.append(str(file))
    return matches


def read_list_file(list_file: Path) -> list[str]:
    """Paths listed in a text file, relative ones resolved against the file's folder.

    The file is read as UTF-8; bytes that are not UTF-8 are kept as the operating
    system's file names keep them (``surrogateescape``).
    """
    try:
        text = list_file.read_text(encoding="utf-8", errors="surrogateescape")
    except OSError as err:
        raise _unreadable(list_file, err, "list") from err
    paths = []
    for line in text.splitlines():
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
        matches = sorted(glob_files(argument))
        files = [m for m in matches if os.path.isfile(m) and is_image_name(Path(m))]
        if not files:
            raise InputError(f"{argument}: no image files match this pattern")
        return files
    # A missing file is kept: scoring reports it as a per-file error.
    return [argument]


def gather_inputs(arguments: Sequence[str], recursive: bool = False) -> list[str]:
    """Expand arguments into image paths, in order, without duplicates.

    Raises:
        InputError: an argument is a pattern that matches no image file, or names a
            folder or list that cannot be read.
    """
    return _unique(p for argument in arguments for p in _expand(argument, recursive))


def _unique(paths: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    ordered = []
    for path in paths:
        key = os.path.realpath(path)
        if key not in seen:
            seen.add(key)
            ordered.append(path)
    return ordered
