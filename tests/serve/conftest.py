"""A real ``maclip serve`` process on 127.0.0.1 with the tiny model, for the API and page tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from ..conftest import TinyModel

#: Limits small enough to test every refusal with small images.
MAX_UPLOAD_MB = 1.0
MAX_IMAGES = 4
QUEUE_SIZE = 8
MAX_PIXELS = 1_000_000
BATCH_WINDOW_MS = 150


@dataclass
class Server:
    """A running service: its base URL and process."""

    url: str
    process: subprocess.Popen[bytes]
    log: Path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(model: TinyModel, log: Path, *extra: str, timeout: float = 120.0) -> Server:
    """Start ``maclip serve`` with ``model`` on a free loopback port; wait for /healthz."""
    pytest.importorskip(
        "fastapi", reason="the serve extra is not installed: pip install '.[serve]'"
    )
    httpx = pytest.importorskip("httpx", reason="httpx is needed to call the service")
    port = _free_port()
    command = [sys.executable, "-m", "maclip", "serve", *model.cli_args()]
    command += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning", *extra]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"maclip serve exited with {process.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(f"{url}/healthz", timeout=1.0).status_code == 200:
                return Server(url, process, log)
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    process.kill()
    pytest.fail(f"maclip serve did not answer /healthz within {timeout} s:\n{log.read_text()}")


def stop_server(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


@pytest.fixture(scope="session")
def server(tiny_rn: TinyModel, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The service with small limits and a long batching window (so batching is visible)."""
    log = tmp_path_factory.mktemp("serve") / "server.log"
    running = start_server(
        tiny_rn,
        log,
        "--max-upload-mb",
        str(MAX_UPLOAD_MB),
        "--max-images",
        str(MAX_IMAGES),
        "--queue-size",
        str(QUEUE_SIZE),
        "--max-pixels",
        str(MAX_PIXELS),
        "--batch-window-ms",
        str(BATCH_WINDOW_MS),
    )
    yield running
    stop_server(running)
