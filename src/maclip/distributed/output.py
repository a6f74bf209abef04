"""The output folder of a Ray job: Parquet shards written atomically, read back for resume.

Each write task writes its rows as a file ``part-<hash of its keys>.parquet``: first
under a hidden temporary name, then renamed, so a job that dies leaves whole shards
only (plus, at worst, hidden temporaries that :func:`scored_keys` removes), and a
write that Ray retries replaces its own shard instead of adding a second copy. The folder is
an ordinary Parquet dataset: ``pandas.read_parquet(folder)``,
``pyarrow.dataset.dataset(folder)`` or ``ray.data.read_parquet(folder)`` read it.
``output`` may be a local folder or a URI pyarrow understands (``s3://...``,
``gs://...``); on a cluster it must be storage every node can write to.
"""

from __future__ import annotations

import hashlib
import os
import uuid

import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq

SHARD_PREFIX, SHARD_SUFFIX = "part-", ".parquet"
TEMP_PREFIX = ".tmp-"


def filesystem(output: str | os.PathLike) -> tuple[pafs.FileSystem, str]:
    """The pyarrow filesystem and root path of ``output`` (a local path or a URI)."""
    text = os.fspath(output)
    if "://" in text:
        return pafs.FileSystem.from_uri(text)
    return pafs.LocalFileSystem(), os.path.abspath(text)


def _entries(fs: pafs.FileSystem, root: str) -> list[pafs.FileInfo]:
    if fs.get_file_info(root).type == pafs.FileType.NotFound:
        return []
    return fs.get_file_info(pafs.FileSelector(root, recursive=False))


def shard_paths(output: str | os.PathLike) -> list[str]:
    """The finished shards in ``output``, sorted (empty when it does not exist)."""
    fs, root = filesystem(output)
    names = (info.base_name for info in _entries(fs, root))
    return sorted(
        f"{root}/{n}" for n in names if n.startswith(SHARD_PREFIX) and n.endswith(SHARD_SUFFIX)
    )


def write_table(table: pa.Table, output: str | os.PathLike) -> str:
    """Write ``table`` (with a ``key`` column) as a shard of ``output``; its path.

    The shard is named by a hash of its keys and written under a temporary name, then
    renamed: the same rows written twice (a retried task) leave one shard.
    """
    fs, root = filesystem(output)
    fs.create_dir(root, recursive=True)
    digest = hashlib.sha256("\0".join(table.column("key").to_pylist()).encode())
    name = f"{SHARD_PREFIX}{digest.hexdigest()[:32]}{SHARD_SUFFIX}"
    temporary = f"{root}/{TEMP_PREFIX}{uuid.uuid4().hex}-{name}"
    final = f"{root}/{name}"
    pq.write_table(table, temporary, filesystem=fs)
    fs.move(temporary, final)
    return final


def remove_temporaries(output: str | os.PathLike) -> int:
    """Delete the half-written temporaries a dead job left in ``output``; how many."""
    fs, root = filesystem(output)
    stale = [i.path for i in _entries(fs, root) if i.base_name.startswith(TEMP_PREFIX)]
    for path in stale:
        fs.delete_file(path)
    return len(stale)


def read_column(output: str | os.PathLike, column: str) -> pa.ChunkedArray:
    """One column of every finished shard in ``output`` (empty when there are none)."""
    fs, _ = filesystem(output)
    paths = shard_paths(output)
    if not paths:
        return pa.chunked_array([], type=pa.string())
    tables = [pq.read_table(path, columns=[column], filesystem=fs) for path in paths]
    return pa.concat_tables(tables).column(column)


def scored_keys(output: str | os.PathLike) -> pa.Array:
    """Keys already in ``output`` (for resume), after removing stale temporaries."""
    remove_temporaries(output)
    return pa.array(read_column(output, "key").combine_chunks(), type=pa.string())
