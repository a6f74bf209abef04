"""A soak of the local chain: many uploads, faults on the way, every outcome counted.

Against a local S3/SQS server (moto) it creates a bucket whose notifications go to a queue with
a dead-letter queue (the template's defaults: input prefix, image suffixes, results prefix,
maxReceiveCount), and uploads ``--uploads`` objects: good images of several sizes and formats
(portrait and landscape), broken ones (garbage, truncated, empty), images over the pixel limit
and over the byte limit, keys uploaded twice (with new content), keys with spaces, ``+`` and
unicode, plus keys S3 always refuses and messages that are not S3 notifications (the only
things that belong in the dead-letter queue). The queue worker (the command after ``--``) reads
S3 through a loopback fault proxy that answers S3's 503 SlowDown to a share of requests. The
first worker is killed (SIGKILL) while it holds a batch and restarted; the second is stopped
(SIGTERM) while it holds one and must finish it; a third drains the rest. Then it counts: every
good image exactly one result, scored, of its latest upload; every bad one an error result;
nothing else under the results prefix; the queue empty; the dead-letter queue holding exactly
the refused keys and the stray messages. Then it reconciles what operators would see with those
counts: the metric lines in the workers' output (every good key scored, every bad one failed
with its cause, as many lines as the log's own per-image lines) and the EventBridge events a
rule on moto's default bus routed to a queue (the low-quality images, and every error result
with its cause). Prints the figures; exits 1 when a count is wrong.

  python -m maclip_infra.soak --endpoint http://127.0.0.1:PORT --uploads 500 --work DIR \\
      -- java -cp 'function/:function/lib/*' org.maclip.function.worker.QueueWorkerMain
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus

from maclip_infra.faultproxy import FaultProxy
from maclip_infra.localchain import (
    Layout,
    clients,
    drain,
    events_client,
    queue_arn,
    queue_depth,
)
from maclip_infra.monitoring import Signals, drain_events, metric_lines, route_events
from maclip_infra.notifications import apply, check_no_loop, make_filters

BUCKET = "maclip-soak"
QUEUE = "maclip-soak-queue"
DEAD_LETTERS = "maclip-soak-dead-letters"
REFUSED_MARKER = "always-503"
STRAY = "not an S3 notification #"
# The limits the worker runs with (FunctionConfig's maclip.max-pixels and max-object-bytes).
MAX_PIXELS = 250_000
MAX_OBJECT_BYTES = 450_000
# Bad images: over the pixel limit (a few kilobytes); noise over the byte limit, not the pixels.
OVER_PIXELS = (600, 480)
OVER_BYTES = (490, 490)
VISIBILITY_SECONDS = 6
# Announced as low quality: about the median Q of the soak's images with the tiny test bundle
# (0.70 / 0.81 / 0.92 min / median / max in a 30-upload soak).
LOW_QUALITY_BELOW = 0.8
FUNCTION_NAME = "maclip-soak"
TEMPLATE = Path(__file__).parents[1] / "template.yaml"

# Good image sizes (width, height): portrait and landscape, each under both limits.
GOOD_SIZES = [
    (64, 48),
    (48, 64),
    (200, 150),
    (150, 200),
    (320, 240),
    (240, 320),
    (224, 224),
    (500, 400),
    (400, 500),
    (640, 360),
]
FOLDERS = ["day 1", "day 2/morning shots", "ünïcødé/写真", "a+b=c & d", "x", "deep/er/est"]


# ---- the uploads -----------------------------------------------------------------------------


@dataclass
class Corpus:
    """What was uploaded, by what must become of it."""

    good: dict[str, str] = field(default_factory=dict)  # key -> ETag of its last upload
    bad: dict[str, str] = field(default_factory=dict)  # key -> kind (broken, empty, ...)
    refused: list[str] = field(default_factory=list)  # S3 always answers 503
    twice: list[str] = field(default_factory=list)
    uploads: int = 0
    stray: int = 0
    sizes: Counter[str] = field(default_factory=Counter)


def _image(width: int, height: int, seed: int, fmt: str, noise: int) -> bytes:
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width]
    base = np.stack(
        [255 * x / max(1, width - 1), 255 * y / max(1, height - 1), np.full(x.shape, seed % 256)],
        axis=-1,
    )
    pixels = base + rng.integers(-noise, noise + 1, size=base.shape) if noise else base
    out = io.BytesIO()
    Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).save(out, format=fmt)
    return out.getvalue()


def _good(width: int, height: int, seed: int, fmt: str) -> bytes:
    body = _image(width, height, seed, fmt, noise=4)
    assert len(body) <= MAX_OBJECT_BYTES and width * height <= MAX_PIXELS, (width, height)
    return body


def plan(uploads: int, prefix: str, seed: int) -> list[tuple[str, str, int]]:
    """(key, kind, n) for each upload, in a shuffled order; kinds: good, twice, broken, empty,
    truncated, pixels, bytes, refused."""
    if uploads < 30:
        raise SystemExit("--uploads must be at least 30")
    kinds = (
        ["twice"] * max(2, uploads // 50)
        + ["broken"] * max(2, uploads // 40)
        + ["truncated"] * max(1, uploads // 80)
        + ["empty"] * max(1, uploads // 100)
        + ["pixels"] * max(2, uploads // 40)
        + ["bytes"] * max(1, uploads // 100)
        + ["refused"] * 2
    )
    twice = kinds.count("twice")
    kinds += ["good"] * (uploads - len(kinds) - twice)  # a key uploaded twice counts twice
    rng = random.Random(seed)
    rng.shuffle(kinds)
    suffixes = [".png", ".jpg", ".jpeg", ".JPG", ".PNG"]
    out = []
    for n, kind in enumerate(kinds):
        folder = FOLDERS[n % len(FOLDERS)]
        tag = REFUSED_MARKER + " " if kind == "refused" else ""
        key = f"{prefix}soak/{folder}/{tag}photo {n:04d}{suffixes[n % len(suffixes)]}"
        out.append((key, kind, n))
    return out


def upload(s3: Any, planned: Sequence[tuple[str, str, int]], seed: int) -> Corpus:
    corpus = Corpus()

    def put(key: str, body: bytes) -> str:
        corpus.uploads += 1
        return str(s3.put_object(Bucket=BUCKET, Key=key, Body=body)["ETag"]).strip('"')

    def fmt(key: str) -> str:
        return "PNG" if key.lower().endswith(".png") else "JPEG"

    for key, kind, n in planned:
        width, height = GOOD_SIZES[n % len(GOOD_SIZES)]
        if kind in ("good", "twice", "refused"):
            etag = put(key, _good(width, height, seed + n, fmt(key)))
            corpus.sizes[f"{width}x{height}"] += 1
            if kind == "twice":  # a new version of the same key: its result must be this one's
                etag = put(key, _good(height, width, seed + n + 100_000, fmt(key)))
                corpus.twice.append(key)
            if kind == "refused":
                corpus.refused.append(key)
            else:
                corpus.good[key] = etag
        elif kind == "broken":
            put(key, random.Random(seed + n).randbytes(2000))
            corpus.bad[key] = kind
        elif kind == "truncated":
            put(key, _image(width, height, seed + n, fmt(key), noise=8)[:300])
            corpus.bad[key] = kind
        elif kind == "empty":
            put(key, b"")
            corpus.bad[key] = kind
        elif kind == "pixels":
            put(key, _image(*OVER_PIXELS, seed + n, "PNG", noise=0))
            corpus.bad[key] = kind
        elif kind == "bytes":
            body = _image(*OVER_BYTES, seed + n, "PNG", noise=127)
            assert len(body) > MAX_OBJECT_BYTES, len(body)
            put(key, body)
            corpus.bad[key] = kind
    return corpus


# ---- the worker processes ---------------------------------------------------------------------


class Worker:
    """One worker process, its output in a log file."""

    def __init__(self, command: Sequence[str], env: dict[str, str], log: Path) -> None:
        self.log = log
        self.started = time.monotonic()
        with log.open("wb") as out:
            self.process = subprocess.Popen(list(command), env=env, stdout=out, stderr=out)

    def text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def wait_ready(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while "Taking work from" not in self.text():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the worker did not start (log: {self.log}):\n{self.text()}")
            time.sleep(0.1)

    def signal(self, sig: int, timeout: float = 150) -> tuple[int, float]:
        """Sends ``sig``; (exit status, seconds to exit)."""
        start = time.monotonic()
        self.process.send_signal(sig)
        status = self.process.wait(timeout=timeout)
        return status, time.monotonic() - start


def _result_keys(s3: Any, prefix: str) -> list[str]:
    keys: list[str] = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=prefix):
        keys.extend(o["Key"] for o in page.get("Contents", []))
    return keys


def _in_batch(
    worker: Worker, sqs: Any, url: str, s3: Any, prefix: str, done: float, timeout: float = 300
) -> tuple[int, int]:
    """Waits until a share ``done`` of the results exists and then for the worker to begin a
    batch (its debug log); returns (results, messages in flight) while that batch runs. Gives up
    waiting for a batch after 10 s (the checks that follow then fail)."""
    deadline = time.monotonic() + timeout
    reached: float | None = None
    begun_before = 0
    while time.monotonic() < deadline:
        text = worker.text()
        begun, settled = text.count("Began a batch of"), len(_SETTLED.findall(text))
        if reached is None:
            if len(_result_keys(s3, prefix)) >= done:
                reached, begun_before = time.monotonic(), begun
        elif (begun > begun_before and begun > settled) or time.monotonic() - reached > 10:
            return len(_result_keys(s3, prefix)), queue_depth(sqs, url)[1]
        time.sleep(0.01)
    raise SystemExit(f"no progress to {done:.0f} results within {timeout:.0f} s")


# ---- the count --------------------------------------------------------------------------------


@dataclass
class Figures:
    rows: list[tuple[str, str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def add(self, name: str, value: Any) -> None:
        self.rows.append((name, str(value)))

    def expect(self, name: str, got: Any, want: Any) -> None:
        self.rows.append((name, f"{got} (expected {want})"))
        if got != want:
            self.problems.append(f"{name}: {got}, expected {want}")


def count(
    aws: tuple[Any, Any], corpus: Corpus, layout: Layout, urls: tuple[str, str], figures: Figures
) -> None:
    s3, sqs = aws
    queue_url, dead_url = urls

    def result(key: str) -> dict[str, Any] | None:
        try:
            body = s3.get_object(Bucket=BUCKET, Key=layout.results_prefix + key + ".json")
        except s3.exceptions.NoSuchKey:
            return None
        return dict(json.loads(body["Body"].read()))

    results = set(_result_keys(s3, layout.results_prefix))
    expected = {layout.results_prefix + k + ".json" for k in [*corpus.good, *corpus.bad]}
    good_ok = stale = 0
    for key, etag in corpus.good.items():
        r = result(key)
        if r and r.get("ok") and isinstance(r.get("q"), float):
            good_ok += 1
            stale += r["source"]["etag"] != etag
        else:
            figures.problems.append(f"{key}: {r and r.get('error')}")
    figures.expect("good images with one scored result", good_ok, len(corpus.good))
    figures.expect("  of which not of the key's latest upload", stale, 0)
    bad_ok = 0
    kinds: Counter[str] = Counter()
    for key in corpus.bad:
        r = result(key)
        if r and r.get("ok") is False and r.get("error"):
            bad_ok += 1
            kinds[_error_kind(str(r["error"]))] += 1
    figures.expect("bad objects with an error result", bad_ok, len(corpus.bad))
    want_kinds = Counter(
        {"unreadable": 0, "empty": 0, "over maclip.max-pixels": 0, "over max-object-bytes": 0}
    )
    for kind in corpus.bad.values():
        want_kinds[_BAD_KINDS[kind]] += 1
    for kind, n in sorted(want_kinds.items()):
        figures.expect(f"  error: {kind}", kinds[kind], n)
    figures.expect(
        "results of keys S3 always refused", sum(result(k) is not None for k in corpus.refused), 0
    )
    figures.expect("result objects in all", len(results), len(expected))
    figures.expect("result objects of no upload", len(results - expected), 0)
    figures.expect(
        "messages left on the queue (visible, in flight)", queue_depth(sqs, queue_url), (0, 0)
    )
    dead = drain(sqs, dead_url)
    stray = sum(m["Body"].startswith(STRAY) for m in dead)
    refused = sorted(_key_of(m["Body"]) for m in dead if not m["Body"].startswith(STRAY))
    figures.expect("dead-letter queue: stray messages", stray, corpus.stray)
    figures.expect(
        "dead-letter queue: notifications of refused keys", refused, sorted(corpus.refused)
    )
    figures.expect(
        "dead-letter queue: messages in all", len(dead), corpus.stray + len(corpus.refused)
    )


_BAD_KINDS = {
    "broken": "unreadable",
    "truncated": "unreadable",
    "empty": "empty",
    "pixels": "over maclip.max-pixels",
    "bytes": "over max-object-bytes",
}


def _error_kind(error: str) -> str:
    if "maclip.max-pixels" in error:
        return "over maclip.max-pixels"
    if "maclip.max-object-bytes" in error:
        return "over max-object-bytes"
    if "empty" in error:
        return "empty"
    return "unreadable"


def _key_of(body: str) -> str:
    records = json.loads(body).get("Records", [])
    return unquote_plus(records[0]["s3"]["object"]["key"]) if records else body


_CAUSES = {  # what the metric lines must name each bad kind (FailureCause)
    "broken": "unreadable",
    "truncated": "unreadable",
    "empty": "unreadable",
    "pixels": "too-many-pixels",
    "bytes": "too-large",
}


def reconcile(
    s3: Any, corpus: Corpus, layout: Layout, logs: Sequence[str], signals: Signals, figures: Figures
) -> None:
    """The metric lines and events against the soak's own counts and the logs' per-image lines."""
    logged_ok = sum(len(_LOGGED_OK.findall(text)) for text in logs)
    logged_bad = sum(len(_LOGGED_BAD.findall(text)) for text in logs)
    figures.expect("metric lines: scored, one per 'Q=' log line", signals.scored_lines, logged_ok)
    figures.expect(
        "metric lines: failed, one per 'not scorable' log line", signals.failed_lines, logged_bad
    )
    figures.expect("metric lines: Function dimension", signals.functions, {FUNCTION_NAME})
    good = set(corpus.good)
    figures.expect("metric lines: good keys scored", len(good & signals.scored.keys()), len(good))
    figures.expect("metric lines: other keys scored", sorted(signals.scored.keys() - good), [])
    want = {key: {_CAUSES[kind]} for key, kind in corpus.bad.items()}
    got = signals.failed
    figures.expect("metric lines: keys failed with another cause", _differ(want, got), [])
    for cause, n in sorted(Counter(c for (c,) in want.values()).items()):
        figures.expect(f"  failed: {cause}", sum(causes == {cause} for causes in got.values()), n)
    figures.expect(
        "metric lines: keys S3 always refused (retried, never counted)",
        sorted((signals.scored.keys() | signals.failed.keys()) & set(corpus.refused)),
        [],
    )
    figures.expect("batch lines: objects retried > 0 (503s)", signals.retried > 0, True)
    figures.add("batch lines: batches / objects retried", f"{signals.batches} / {signals.retried}")
    low_final = set()
    qs = []
    for key in good:
        try:
            body = s3.get_object(Bucket=BUCKET, Key=layout.results_prefix + key + ".json")["Body"]
        except s3.exceptions.NoSuchKey:
            continue  # counted missing above
        result = json.loads(body.read())
        qs.append(float(result["q"]))
        if result.get("low_quality"):
            low_final.add(key)
    qs.sort()
    if qs:
        figures.add(
            "Q of the good images: min / median / max",
            f"{qs[0]:.4f} / {qs[len(qs) // 2]:.4f} / {qs[-1]:.4f}",
        )
    figures.add(
        f"good images whose result is low quality (Q < {LOW_QUALITY_BELOW})", len(low_final)
    )
    figures.expect(
        "  some, not all (the threshold splits them)", 0 < len(low_final) < len(good), True
    )
    figures.expect(
        "events: low-quality keys = keys of LowQuality=1 lines",
        sorted(signals.low_events ^ signals.low_lines),
        [],
    )
    figures.expect(
        "events: low-quality results not announced", sorted(low_final - signals.low_events), []
    )
    figures.expect(
        "events: error results announced with another cause",
        _differ(want, signals.error_events),
        [],
    )
    figures.expect("events: sent per the batch lines", signals.events_sent, signals.events_seen)
    figures.expect("events: refused by EventBridge", signals.events_failed, 0)
    figures.expect(
        "batch lines: results replaced of another model (one model)",
        signals.replaced_other_model,
        0,
    )


def _differ(want: dict[str, set[str]], got: dict[str, set[str]]) -> list[str]:
    """Keys whose causes differ (missing on one side included)."""
    return sorted(k for k in want.keys() | got.keys() if want.get(k) != got.get(k))


_LOGGED_OK = re.compile(r"s3://" + BUCKET + r"/.+?: Q=")
_LOGGED_BAD = re.compile(r"s3://" + BUCKET + r"/.+?: not scorable")
_BATCH_RETRIED = re.compile(
    r"Batch of \d+ message\(s\) in \d+ ms: \d+ done and deleted, (\d+) left"
)
_SETTLED = re.compile(r"Batch of \d+ message\(s\) (?:in|abandoned)")
_SCORED = re.compile(r"s3://" + BUCKET + r"/(.+?): (?:Q=|not scorable)")


def log_figures(logs: Sequence[str], figures: Figures) -> None:
    scored = Counter(m.group(1) for text in logs for m in _SCORED.finditer(text))
    batches = sum(len(_SETTLED.findall(text)) for text in logs)
    # Each settled batch's own line (the "Stopped after" totals would count them twice).
    retried = sum(int(n) for text in logs for n in _BATCH_RETRIED.findall(text))
    figures.add("batches settled (all workers)", batches)
    figures.add("messages left for retry by a batch (redelivered by the queue)", retried)
    figures.add("objects scored (or refused) more than once", sum(n > 1 for n in scored.values()))


# ---- the run ----------------------------------------------------------------------------------


def setup(aws: tuple[Any, Any], layout: Layout) -> tuple[str, str]:
    s3, sqs = aws
    filters = make_filters(layout.input_prefix, layout.suffixes)
    check_no_loop(filters, BUCKET, "", layout.results_prefix)
    s3.create_bucket(Bucket=BUCKET)
    dead_url = sqs.create_queue(QueueName=DEAD_LETTERS)["QueueUrl"]
    redrive = {
        "deadLetterTargetArn": queue_arn(sqs, dead_url),
        "maxReceiveCount": str(layout.max_receive_count),
    }
    url = sqs.create_queue(QueueName=QUEUE, Attributes={"RedrivePolicy": json.dumps(redrive)})[
        "QueueUrl"
    ]
    apply(s3, BUCKET, "maclip-soak-", "queue", queue_arn(sqs, url), filters)
    return url, dead_url


def run(args: argparse.Namespace) -> int:
    aws = clients(args.endpoint)
    s3, sqs = aws
    layout = Layout.from_template(TEMPLATE)
    queue_url, dead_url = setup(aws, layout)
    announced_url = route_events(events_client(args.endpoint), sqs, BUCKET + "-announced", BUCKET)
    figures = Figures()
    t0 = time.monotonic()
    corpus = upload(s3, plan(args.uploads, layout.input_prefix, args.seed), args.seed)
    for n in range(2):
        sqs.send_message(QueueUrl=queue_url, MessageBody=f"{STRAY}{n}")
        corpus.stray += 1
    figures.add("uploads (PUTs)", corpus.uploads)
    figures.add("  good images, distinct keys", len(corpus.good))
    figures.add(
        "  good image sizes", ", ".join(f"{s} ({n})" for s, n in sorted(corpus.sizes.items()))
    )
    figures.add("  keys uploaded twice (new content the second time)", len(corpus.twice))
    figures.add("  bad objects", dict(Counter(corpus.bad.values())))
    figures.add("  keys S3 always answers 503 for", len(corpus.refused))
    figures.add("stray messages (not S3 notifications)", corpus.stray)
    figures.add("upload time", f"{time.monotonic() - t0:.1f} s")

    proxy = FaultProxy(args.endpoint, args.fault_rate, args.seed, REFUSED_MARKER)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    env = {
        **os.environ,
        **layout.function_environment(),
        "MACLIP_S3_ENDPOINT_OVERRIDE": proxy.url,
        "MACLIP_S3_PATH_STYLE": "true",
        "MACLIP_WORKER_QUEUE_URL": queue_url,
        "MACLIP_WORKER_ENDPOINT_OVERRIDE": args.endpoint,
        "MACLIP_WORKER_WAIT_SECONDS": "1",
        "MACLIP_WORKER_CONCURRENCY": "2",
        "MACLIP_WORKER_VISIBILITY_TIMEOUT": str(VISIBILITY_SECONDS),
        "MACLIP_MAX_PIXELS": str(MAX_PIXELS),
        "MACLIP_MAX_OBJECT_BYTES": str(MAX_OBJECT_BYTES),
        "MACLIP_TAGGING_ENABLED": "false",
        "MACLIP_METRICS_FUNCTION_NAME": FUNCTION_NAME,
        "MACLIP_EVENTS_LOW_QUALITY_BELOW": str(LOW_QUALITY_BELOW),
        "MACLIP_EVENTS_ERRORS": "true",
        "MACLIP_EVENTS_ENDPOINT_OVERRIDE": args.endpoint,
        "MACLIP_EVENTS_REGION": "us-east-1",
        # "Began a batch of": the soak stops and kills workers in the middle of a batch.
        "QUARKUS_LOG_CATEGORY__ORG_MACLIP_FUNCTION_WORKER__LEVEL": "DEBUG",
    }
    args.work.mkdir(parents=True, exist_ok=True)
    total = len(corpus.good) + len(corpus.bad)
    start = time.monotonic()

    first = Worker(args.command, env, args.work / "worker-1.log")
    first.wait_ready()
    results, held = _in_batch(first, sqs, queue_url, s3, layout.results_prefix, 0.3 * total)
    status, _ = first.signal(signal.SIGKILL)
    text = first.text()
    figures.add("worker 1: SIGKILL at results / messages in flight", f"{results} / {held}")
    cut = text.count("Began a batch of") - len(_SETTLED.findall(text))
    figures.expect("worker 1: killed in the middle of a batch (begun, not settled)", cut > 0, True)
    figures.expect("worker 1: exit status", status, -signal.SIGKILL)

    second = Worker(args.command, env, args.work / "worker-2.log")
    second.wait_ready()
    results, held = _in_batch(second, sqs, queue_url, s3, layout.results_prefix, 0.6 * total)
    status, seconds = second.signal(signal.SIGTERM)
    text = second.text()
    stopping = re.search(r"Stopping: no new batches; finishing the (\d+) in progress", text)
    in_progress = int(stopping.group(1)) if stopping else -1
    after = len(_SETTLED.findall(text[stopping.end() :])) if stopping else -1
    figures.add("worker 2: SIGTERM at results / messages in flight", f"{results} / {held}")
    figures.expect("worker 2: stopped in the middle of a batch", in_progress > 0, True)
    figures.add("worker 2: batches in progress at SIGTERM", in_progress)
    figures.expect("worker 2: batches settled after SIGTERM", after, in_progress)
    figures.expect("worker 2: exit status (143: SIGTERM, hooks done)", status, 143)
    figures.add("worker 2: seconds from SIGTERM to exit", f"{seconds:.1f}")

    third = Worker(args.command, env, args.work / "worker-3.log")
    third.wait_ready()
    drained = _drained(sqs, (queue_url, dead_url), corpus.stray + len(corpus.refused), 600)
    elapsed = time.monotonic() - start
    status, _ = third.signal(signal.SIGTERM)
    figures.expect("worker 3: drained the queue", drained, True)
    figures.expect("worker 3: exit status", status, 143)
    figures.add("time from the first worker's start to an empty queue", f"{elapsed:.1f} s")
    figures.add(
        "  objects per second (all three workers, restarts included)", f"{total / elapsed:.1f}"
    )
    c = proxy.counts
    figures.add("S3 requests through the fault proxy", c.requests)
    figures.add(f"  answered 503 at random ({args.fault_rate:.0%})", c.random_503)
    figures.add("  answered 503 for the refused keys", c.refused_503)
    proxy.shutdown()
    logs = [w.text() for w in (first, second, third)]
    log_figures(logs, figures)
    count(aws, corpus, layout, (queue_url, dead_url), figures)
    signals = Signals()
    signals.add_lines(line for text in logs for line in metric_lines(text))
    signals.add_events(drain_events(sqs, announced_url))
    reconcile(s3, corpus, layout, logs, signals, figures)

    width = max(len(name) for name, _ in figures.rows)
    for name, value in figures.rows:
        print(f"{name:<{width}}  {value}")
    if figures.problems:
        print(f"SOAK FAILED ({len(figures.problems)}): " + "; ".join(figures.problems))
        for worker in (first, second, third):
            print(f"== the last lines of {worker.log.name}")
            print("\n".join(line[:300] for line in worker.text().splitlines()[-30:]))
        return 1
    print("soak passed: every count as expected")
    return 0


def _drained(sqs: Any, urls: tuple[str, str], dead: int, timeout: float) -> bool:
    """Once the queue is empty and the dead-letter queue holds ``dead`` messages, 3 s running."""
    queue_url, dead_url = urls
    deadline = time.monotonic() + timeout
    since: float | None = None
    while time.monotonic() < deadline:
        if queue_depth(sqs, queue_url) == (0, 0) and queue_depth(sqs, dead_url)[0] >= dead:
            since = since or time.monotonic()
            if time.monotonic() - since >= 3:
                return True
        else:
            since = None
        time.sleep(0.5)
    return False


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--endpoint", required=True, help="the local S3/SQS server (moto)")
    p.add_argument("--uploads", type=int, default=500)
    p.add_argument(
        "--fault-rate", type=float, default=0.1, help="share of S3 requests answered 503"
    )
    p.add_argument("--seed", type=int, default=17)
    p.add_argument("--work", type=Path, required=True, help="folder for the workers' logs")
    p.add_argument("command", nargs="+", help="the worker, after --")
    return run(p.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
