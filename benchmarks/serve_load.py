"""Bounded load test of ``maclip serve`` on the loopback, compared with the batch engine.

Starts ``maclip serve`` on 127.0.0.1 (only; no other host can be given), sends a
fixed number of single-image ``POST /v1/score`` requests from ``--concurrency``
clients, stops issuing new ones after ``--time-limit`` seconds, and reports
requests/s, latency p50/p95/p99, the error count, the server's memory (RSS now
and peak) and its batching counters. It also scores as many images in-process with
:meth:`maclip.Scorer.score` (the batch engine), before and after the load, and
prints the throughput ratio. Model options are those of ``maclip serve`` and are used for both.

    python benchmarks/serve_load.py --requests 200 --concurrency 16 \\
        --backbone RN50 --pretrained random --device cpu
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from synthetic_photos import photo_bytes

from maclip.cli import build_parser, scorer_from_args

HOST = "127.0.0.1"  # loopback only


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


def memory_mib(pid: int) -> dict[str, float]:
    """Resident memory of a process (Linux ``/proc``): now and peak, MiB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0]) / 1024
    return {"rss_mib": fields.get("VmRSS", float("nan")), "peak_mib": fields.get("VmHWM", 0.0)}


def start_server(serve_args: list[str], log: Path) -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port = sock.getsockname()[1]
    command = [sys.executable, "-m", "maclip", "serve", "--host", HOST, "--port", str(port)]
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*command, "--log-level", "warning", *serve_args], stdout=out, stderr=out
        )
    url = f"http://{HOST}:{port}"
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"maclip serve exited:\n{log.read_text()}")
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return process, url
        except httpx.TransportError:
            time.sleep(0.3)
    process.kill()
    sys.exit("maclip serve did not start within 600 s")


async def load(
    url: str, images: list[bytes], requests: int, concurrency: int, time_limit: float
) -> dict[str, Any]:
    """Send up to ``requests`` single-image requests; stop issuing after ``time_limit`` s."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    sent = 0
    start = time.perf_counter()

    async def client(http: httpx.AsyncClient) -> None:
        nonlocal sent
        while sent < requests and time.perf_counter() - start < time_limit:
            index = sent
            sent += 1
            files = {"files": (f"{index}.png", images[index % len(images)], "image/png")}
            began = time.perf_counter()
            try:
                response = await http.post(f"{url}/v1/score", files=files)
                status = response.status_code
            except httpx.HTTPError:
                status = 0
            latencies.append(time.perf_counter() - began)
            statuses[status] = statuses.get(status, 0) + 1

    timeout = httpx.Timeout(max(time_limit, 60.0))
    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(timeout=timeout, limits=limits) as http:
        await asyncio.gather(*(client(http) for _ in range(concurrency)))
    elapsed = time.perf_counter() - start
    ok = statuses.get(200, 0)
    return {
        "requests": len(latencies),
        "ok": ok,
        "errors": len(latencies) - ok,
        "statuses": statuses,
        "seconds": elapsed,
        "requests_per_s": ok / elapsed,
        "p50_ms": percentile(latencies, 50) * 1000,
        "p95_ms": percentile(latencies, 95) * 1000,
        "p99_ms": percentile(latencies, 99) * 1000,
    }


def batch_engine(serve_args: list[str], images: list[bytes], count: int) -> dict[str, Any]:
    """Images/s of ``Scorer.score`` on the same ``count`` images, in process."""
    scorer = scorer_from_args(build_parser().parse_args(["serve", *serve_args]))
    scorer.score(images)  # warm-up
    batch = [images[i % len(images)] for i in range(count)]
    start = time.perf_counter()
    results = scorer.score(batch)
    elapsed = time.perf_counter() - start
    assert all(r.ok for r in results)
    return {"images": count, "seconds": elapsed, "images_per_s": count / elapsed}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=200, help="requests to send")
    parser.add_argument("--concurrency", type=int, default=16, help="clients at once")
    parser.add_argument("--time-limit", type=float, default=120.0, help="stop sending after, s")
    parser.add_argument("--images", type=int, default=16, help="distinct images to cycle")
    parser.add_argument("--size", type=int, nargs=2, default=(256, 256), metavar=("H", "W"))
    parser.add_argument("--json", help="also write the figures to this JSON file")
    args, serve_args = parser.parse_known_args()
    if "--device" not in serve_args:
        serve_args += ["--device", "cpu"]
    images = [photo_bytes(*args.size, seed) for seed in range(args.images)]
    # Machines shared with other work are noisy: time the engine before and after the service.
    engine_before = batch_engine(serve_args, images, args.requests)
    log = Path(tempfile.mkdtemp(prefix="maclip-serve-load-")) / "server.log"
    process, url = start_server(serve_args, log)
    try:
        for image in images[:2]:  # warm-up
            httpx.post(f"{url}/v1/score", files={"files": ("w.png", image)}, timeout=300)
        served = asyncio.run(load(url, images, args.requests, args.concurrency, args.time_limit))
        served["server_memory"] = memory_mib(process.pid)
        info = httpx.get(f"{url}/v1/info").json()
    finally:
        process.terminate()
        process.wait(timeout=30)
    engine_after = batch_engine(serve_args, images, args.requests)
    engine = {
        "before": engine_before,
        "after": engine_after,
        "images_per_s": (engine_before["images_per_s"] + engine_after["images_per_s"]) / 2,
    }
    report = {
        "model": f"{info['model']['backbone']} ({info['model']['weights']})",
        "device": info["device"],
        "image_size": list(args.size),
        "concurrency": args.concurrency,
        "service": served,
        "batching": info["batching"],
        "batch_engine": engine,
        "service_vs_engine": served["requests_per_s"] / engine["images_per_s"],
        "load_average": os.getloadavg(),
    }
    memory = served["server_memory"]
    print(f"model {report['model']} on {report['device']}, {args.size[0]}x{args.size[1]} images")
    print(
        f"service: {served['ok']}/{served['requests']} ok, {served['errors']} errors "
        f"{served['statuses']}, {served['requests_per_s']:.2f} requests/s, latency p50 "
        f"{served['p50_ms']:.0f} ms, p95 {served['p95_ms']:.0f} ms, p99 {served['p99_ms']:.0f} ms"
    )
    batching = info["batching"]
    print(
        f"server memory: RSS {memory['rss_mib']:.0f} MiB (peak {memory['peak_mib']:.0f} MiB); "
        f"batches {batching['batches']}, mean {batching['mean_batch']:.2f} images per batch"
    )
    print(
        f"batch engine (Scorer.score, in process): {engine_before['images_per_s']:.2f} images/s "
        f"before, {engine_after['images_per_s']:.2f} after; service / engine (mean) = "
        f"{report['service_vs_engine']:.2f}"
    )
    print("load average (1, 5, 15 min): " + ", ".join(f"{v:.2f}" for v in os.getloadavg()))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
