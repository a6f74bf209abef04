"""The Ray engine: same scores as one machine, bad images as rows, resume, tables, the CLI.

One local Ray instance (2 CPUs) serves the whole module; Ray starts slowly, so the
tests share it and a few hundred small generated images.
"""

from __future__ import annotations

import logging
import math
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from maclip.cli import main
from maclip.distributed import group_by_views, images_per_call, plan_workers
from maclip.distributed.plan import decode_rows
from maclip.results import SCORE_FIELDS
from maclip.views import ViewConfig

from .conftest import TinyModel, save_photo

NUM_IMAGES = 200


# -- sizing (pure, no Ray) ------------------------------------------------------------------
def test_plan_on_cpus_leaves_room_for_decode_tasks() -> None:
    default = plan_workers({"CPU": 2.0})
    assert (default.actors, default.cpus, default.gpus, default.threads) == (1, 1.0, 0.0, 1)
    two = plan_workers({"CPU": 2.0}, actors=2)
    assert two.actors == 2 and two.cpus == pytest.approx(0.75)
    big = plan_workers({"CPU": 64.0}, cpus_per_actor=4)
    assert big.actors == 15 and big.threads == 4


def test_plan_on_gpus_allows_fractions() -> None:
    plan = plan_workers({"CPU": 32.0, "GPU": 4.0}, gpus_per_actor=0.5)
    assert (plan.actors, plan.gpus, plan.cpus) == (8, 0.5, 1.0)
    assert plan_workers({"CPU": 8.0, "GPU": 2.0}).actors == 2
    assert plan.task_cpus == 1.0 and plan_workers({"CPU": 2.0}).task_cpus == 0.25
    assert plan_workers({"CPU": 8.0, "GPU": 2.0}, gpus_per_actor=0).gpus == 0.0
    with pytest.raises(ValueError, match="has none"):
        plan_workers({"CPU": 8.0}, gpus_per_actor=1)
    with pytest.raises(ValueError, match="at least 1"):
        plan_workers({"CPU": 8.0}, actors=0)


def test_batches_are_sized_by_the_view_budget() -> None:
    assert images_per_call(64, ViewConfig()) == 64  # 224x224: 1 patch + global view
    assert images_per_call(64, ViewConfig(pre_resize=(448, 448))) == math.ceil(128 / 5)
    assert images_per_call(1, ViewConfig()) == 1
    groups = group_by_views([2, 7, 7, 0, 30, 2, 2], budget=16)
    assert groups == [slice(0, 4), slice(4, 5), slice(5, 7)]  # the 30-view image alone
    assert group_by_views([], 16) == []
    assert decode_rows(64, actors=2) == 64  # a table: size unknown
    assert decode_rows(64, actors=2, total=41) == 6  # a small job still feeds both actors
    assert decode_rows(64, actors=2, total=10**6) == 64


# -- no Ray needed --------------------------------------------------------------------------
def test_core_imports_and_cli_work_without_ray(tmp_path: Path) -> None:
    """With ``ray`` and ``pyarrow`` unimportable, maclip imports; --engine ray says what to do."""
    fake = tmp_path / "fake"
    for name in ("ray", "pyarrow"):
        (fake / name).mkdir(parents=True)
        (fake / name / "__init__.py").write_text(f"raise ImportError('{name} is blocked')\n")
    script = textwrap.dedent(
        f"""
        import sys
        sys.path.insert(0, {str(fake)!r})
        import maclip, maclip.cli, maclip.distributed
        maclip.cli.build_parser()
        assert "ray" not in sys.modules and "pyarrow" not in sys.modules
        code = maclip.cli.main(["score", "--engine", "ray", "x.jpg", "-o", {str(tmp_path)!r}])
        assert code == 2, code
        print("ok")
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
    assert "pip install 'maclip[ray]'" in done.stderr


def test_cli_ray_engine_needs_an_output_folder(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["score", "--engine", "ray", "x.jpg"]) == 2
    assert "give -o FOLDER" in capsys.readouterr().err
    assert main(["score", "--engine", "ray", "x.jpg", "-o", "out", "--format", "csv"]) == 2


def test_shards_are_atomic_and_a_rewrite_replaces_its_own(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    from maclip.distributed.output import remove_temporaries, scored_keys, shard_paths, write_table
    from maclip.distributed.stages import result_rows
    from maclip.results import ImageResult

    rows = result_rows([ImageResult.failed("a.jpg", "empty file"), ImageResult("b.jpg", q=0.5)])
    write_table(rows, tmp_path)
    write_table(rows, tmp_path)  # a retried write task
    write_table(rows.slice(1), tmp_path)
    assert len(shard_paths(tmp_path)) == 2
    (tmp_path / ".tmp-x-part-y.parquet").write_bytes(b"half")
    assert sorted(scored_keys(tmp_path).to_pylist()) == ["a.jpg", "b.jpg", "b.jpg"]
    assert remove_temporaries(tmp_path) == 0  # scored_keys already removed it


# -- a local Ray instance -------------------------------------------------------------------
@pytest.fixture(scope="module")
def ray_address() -> object:
    ray = pytest.importorskip("ray")
    pytest.importorskip("pyarrow")
    context = ray.init(num_cpus=2, include_dashboard=False, logging_level=logging.WARNING)
    yield context.address_info["gcs_address"]
    ray.shutdown()


@pytest.fixture(scope="module")
def images(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """200 photos from 64x64 to 300x200 (PNG and JPEG), one corrupt and one empty file."""
    folder = tmp_path_factory.mktemp("ray-images")
    for i in range(NUM_IMAGES):
        height, width = 64 + (i * 37) % 237, 64 + (i * 53) % 137
        suffix = ".png" if i % 3 == 0 else ".jpg"
        save_photo(folder / f"img{i:03d}{suffix}", height, width, seed=i)
    (folder / "corrupt.jpg").write_bytes(b"\xff\xd8\xff\xe0 this is not a JPEG")
    (folder / "empty.png").write_bytes(b"")
    return folder


@pytest.fixture(scope="module")
def all_paths(images: Path) -> list[str]:
    return sorted(str(p) for p in images.iterdir())


@pytest.fixture(scope="module")
def options(tiny_rn: TinyModel) -> dict[str, object]:
    """Scorer keyword arguments of the tiny model, as the actors receive them."""
    return {
        "backbone": tiny_rn.name,
        "checkpoint": str(tiny_rn.checkpoint),
        "model_config": str(tiny_rn.config),
        "device": "cpu",
        "batch_size": 16,
    }


@pytest.fixture(scope="module")
def reference(tiny_rn: TinyModel, all_paths: list[str]) -> dict[str, object]:
    """``Scorer.score`` on one machine, by key."""
    return {r.key: r for r in tiny_rn.scorer(batch_size=16).score(all_paths)}


def read_output(folder: Path) -> list[dict[str, object]]:
    import pyarrow.parquet as pq

    return pq.read_table(folder).to_pylist()


def assert_matches_reference(rows: list[dict[str, object]], reference: dict[str, object]) -> None:
    keys = [row["key"] for row in rows]
    assert len(keys) == len(set(keys)), "a key was written twice"
    assert set(keys) == set(reference), "some inputs are missing from the output"
    for row in rows:
        expected = reference[row["key"]]
        if expected.error is not None:
            assert row["error"] == expected.error
            assert all(row[name] is None for name in SCORE_FIELDS)
            continue
        assert row["error"] is None, row
        for name in SCORE_FIELDS:
            assert row[name] == pytest.approx(getattr(expected, name), abs=1e-5), name


def test_scores_equal_one_machine_and_bad_images_are_rows(
    ray_address: str,
    images: Path,
    options: dict[str, object],
    reference: dict[str, object],
    tmp_path: Path,
) -> None:
    from maclip.distributed import score_dataset

    out = tmp_path / "scores"
    seen: list[tuple[int, list[str]]] = []
    summary = score_dataset(
        images,
        out,
        scorer_options=options,
        actors=2,
        rows_per_file=40,
        on_shard=lambda rows, errors: seen.append((rows, errors)),
    )
    assert (summary.written, summary.failed, summary.skipped) == (NUM_IMAGES + 2, 2, 0)
    assert sum(rows for rows, _ in seen) == NUM_IMAGES + 2
    errors = sorted(e for _, errs in seen for e in errs)
    assert errors[0].startswith(f"{images / 'corrupt.jpg'}: ")
    assert errors[1] == f"{images / 'empty.png'}: empty file (0 bytes)"
    assert len(list(out.glob("part-*.parquet"))) >= (NUM_IMAGES + 2) // 40
    assert_matches_reference(read_output(out), reference)
    with pytest.raises(FileExistsError, match="resume"):
        score_dataset(images, out, scorer_options=options)


def test_resume_after_a_killed_run_writes_each_key_once(
    ray_address: str,
    all_paths: list[str],
    options: dict[str, object],
    reference: dict[str, object],
    tiny_rn: TinyModel,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Kill a CLI run on the shared cluster after its first shards, then resume it."""
    subset = all_paths[:40]  # the corrupt and the empty file come first
    listed = tmp_path / "images.txt"
    listed.write_text("\n".join(subset) + "\n")
    out = tmp_path / "scores"
    model = [*tiny_rn.cli_args(), "--batch-size", "16"]
    command = [sys.executable, "-m", "maclip", "score", str(listed), "-o", str(out), "-q"]
    command += [*model, "--engine", "ray", "--address", ray_address, "--actors", "1"]
    command += ["--rows-per-file", "2"]
    log = tmp_path / "killed-job.log"
    with log.open("wb") as stderr:
        job = subprocess.Popen(command, start_new_session=True, stderr=stderr)
    deadline = time.monotonic() + 120
    while len(list(out.glob("part-*.parquet"))) < 2:
        assert job.poll() is None, log.read_text()
        assert time.monotonic() < deadline, "the job wrote no shard in time"
        time.sleep(0.05)
    os.killpg(job.pid, signal.SIGKILL)
    job.wait()
    before = {row["key"] for row in read_output(out)}
    assert 0 < len(before) < len(subset), "the run was not interrupted"
    # A write the dead job left half done: removed on resume, never read.
    (out / ".tmp-part-deadbeef.parquet").write_bytes(b"PAR1 half a file")

    args = ["score", str(listed), "-o", str(out), *model, "--engine", "ray", "--resume"]
    bad_left = [k for k in subset if reference[k].error is not None and k not in before]
    code = main([*args, "--actors", "2", "--rows-per-file", "10"])
    assert code == (1 if bad_left else 0)
    err = capsys.readouterr().err
    assert f"{len(before)} already in {out}" in err
    for key in bad_left:
        assert f"error: {key}: {reference[key].error}" in err
    assert not list(out.glob(".tmp-*"))
    assert_matches_reference(read_output(out), {k: reference[k] for k in subset})

    # Nothing left to do: a second resume scores nothing and writes nothing.
    assert main([*args, "-q"]) == 0
    assert len(read_output(out)) == len(subset)


def test_tables_of_bytes_and_paths(
    ray_address: str,
    all_paths: list[str],
    options: dict[str, object],
    reference: dict[str, object],
    tmp_path: Path,
) -> None:
    """A Parquet table of image bytes, resumed on top of shards already written; CSV paths."""
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq
    import ray

    from maclip.distributed import score_dataset
    from maclip.distributed.job import _table_source
    from maclip.distributed.output import write_table
    from maclip.distributed.stages import RESULTS, result_rows

    chosen = all_paths[::5]  # 41 images; the first, corrupt, is left to decode from bytes
    table = pa.table({"path": chosen, "bytes": [Path(p).read_bytes() for p in chosen]})
    pq.write_table(table, tmp_path / "images.parquet")
    out = tmp_path / "scores"
    write_table(result_rows([reference[p] for p in chosen[1:21]]), out)  # as if scored before
    summary = score_dataset([tmp_path / "images.parquet"], out, scorer_options=options, resume=True)
    assert (summary.written, summary.skipped) == (len(chosen) - 20, 20)
    assert pq.read_schema(next(out.glob("part-*"))) == RESULTS
    assert_matches_reference(read_output(out), {p: reference[p] for p in chosen})

    pq.write_table(table.select(["bytes"]), tmp_path / "bytes.parquet")
    with pytest.raises(ValueError, match="needs a key column"):
        score_dataset([tmp_path / "bytes.parquet"], tmp_path / "none", scorer_options=options)
    csv = tmp_path / "paths.csv"
    pacsv.write_csv(pa.table({"path": chosen}), csv)
    assert _table_source(ray.data.read_csv(str(csv)), "path", "bytes", None) == ("path", "path")
    with pytest.raises(ValueError, match="no 'file' \\(paths\\)"):
        score_dataset([csv], tmp_path / "none", scorer_options=options, path_column="file")


def test_a_model_that_cannot_load_is_one_clear_error(
    ray_address: str,
    images: Path,
    tiny_rn: TinyModel,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    missing = tiny_rn.checkpoint.with_name("missing.pt")
    args = ["score", str(images / "img001.jpg"), "-o", str(tmp_path / "never")]
    args += ["--engine", "ray", "--backbone", tiny_rn.name, "--model-config", str(tiny_rn.config)]
    assert main([*args, "--checkpoint", str(missing), "--actors", "1"]) == 2
    err = capsys.readouterr().err
    assert f"maclip: error: checkpoint file {missing} does not exist" in err.splitlines()[-1]
