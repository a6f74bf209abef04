"""A local stand-in for the AWS Lambda Runtime API, enough to run a packaged function.

Serves the events of a JSON-lines file, one invocation each, to a function that polls it as it
would poll Lambda (GET /2018-06-01/runtime/invocation/next, then POST .../response or .../error),
prints every response, and writes a summary when the last event is answered: for each
invocation the time it was handed out and answered, and the first response's time since the
server started (the function is started right after it: that is the cold start) and since the
function's process started (given its id: the cold start without the server's head start). Given the
function's process id (--pid-file), it also records the CPU time the function spent on each
invocation and its peak resident memory (VmHWM), both read from /proc.

    python runtime_api.py EVENTS.jsonl --port 9001 --summary summary.json --pid-file fn.pid

Standard library only. Loopback only.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

PREFIX = "/2018-06-01/runtime"
FUNCTION_ARN = "arn:aws:lambda:us-east-1:000000000000:function:maclip-local"


class Process:
    """The function's process, read from /proc once its id is known (Linux only)."""

    def __init__(self, pid_file: Path | None) -> None:
        self.pid_file = pid_file
        self.peak_rss_kb = 0

    def _proc(self, name: str) -> str | None:
        try:
            pid = int(self.pid_file.read_text().strip()) if self.pid_file else 0
            return Path(f"/proc/{pid}/{name}").read_text() if pid else None
        except (OSError, ValueError):
            return None

    def cpu_seconds(self) -> float | None:
        """User plus system CPU time so far."""
        stat = self._proc("stat")
        if stat is None:
            return None
        fields = stat.rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def age_s(self) -> float | None:
        """Seconds since the process started (/proc starttime, 10 ms ticks, against CLOCK_BOOTTIME)."""
        stat = self._proc("stat")
        if stat is None:
            return None
        start = int(stat.rsplit(")", 1)[1].split()[19]) / os.sysconf("SC_CLK_TCK")
        return time.clock_gettime(time.CLOCK_BOOTTIME) - start

    def sample_memory(self) -> None:
        for line in (self._proc("status") or "").splitlines():
            if line.startswith("VmHWM:"):
                self.peak_rss_kb = max(self.peak_rss_kb, int(line.split()[1]))


class Invocations:
    """The events still to hand out and what became of those handed out."""

    def __init__(self, events: list[str], process: Process) -> None:
        self.process = process
        self.cpu_at: dict[str, float | None] = {}
        self.pending: queue.Queue[tuple[str, str]] = queue.Queue()
        for event in events:
            self.pending.put((str(uuid.uuid4()), event))
        self.total = len(events)
        self.handed: dict[str, float] = {}
        self.records: list[dict[str, object]] = []
        self.started = time.monotonic()
        self.done = threading.Event()
        self.lock = threading.Lock()

    def hand_out(self, request_id: str) -> None:
        with self.lock:
            self.handed[request_id] = time.monotonic()
            self.cpu_at[request_id] = self.process.cpu_seconds()

    def finish(self, request_id: str, outcome: str, body: str) -> None:
        now = time.monotonic()
        age = self.process.age_s()
        cpu = self.process.cpu_seconds()
        self.process.sample_memory()
        with self.lock:
            given = self.handed.pop(request_id, now)
            cpu_given = self.cpu_at.pop(request_id, None)
            self.records.append(
                {
                    "request_id": request_id,
                    "outcome": outcome,
                    "handed_out_s": round(given - self.started, 4),
                    "answered_s": round(now - self.started, 4),
                    "process_age_s": None if age is None else round(age, 2),
                    "latency_ms": round((now - given) * 1000, 1),
                    "cpu_s": None if cpu is None or cpu_given is None else round(cpu - cpu_given, 2),
                    "cpu_total_s": cpu,
                    "body": json.loads(body) if body.strip().startswith(("{", "[")) else body,
                }
            )
            if len(self.records) == self.total:
                self.done.set()


def handler_for(invocations: Invocations) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

        def reply(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:  # noqa: N802
            if self.path != f"{PREFIX}/invocation/next":
                self.reply(404)
                return
            request_id, event = invocations.pending.get()  # blocks, as Lambda does
            invocations.hand_out(request_id)
            deadline = int(time.time() * 1000) + 900_000
            self.reply(
                200,
                event.encode(),
                {
                    "Content-Type": "application/json",
                    "Lambda-Runtime-Aws-Request-Id": request_id,
                    "Lambda-Runtime-Deadline-Ms": str(deadline),
                    "Lambda-Runtime-Invoked-Function-Arn": FUNCTION_ARN,
                    "Lambda-Runtime-Trace-Id": "Root=1-00000000-000000000000000000000000",
                },
            )

        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode("utf-8", "replace")
            parts = self.path[len(PREFIX) :].strip("/").split("/")
            if parts[:2] == ["init", "error"]:
                print(f"function failed to start: {body}", file=sys.stderr, flush=True)
                self.reply(202)
                invocations.done.set()
                return
            if len(parts) == 3 and parts[0] == "invocation" and parts[2] in ("response", "error"):
                self.reply(202)
                print(f"[{parts[2]}] {body}", flush=True)
                invocations.finish(parts[1], parts[2], body)
                return
            self.reply(404)

    return Handler


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("events", type=Path, help="JSON-lines file: one Lambda event per line")
    parser.add_argument("--port", type=int, default=9001)
    parser.add_argument("--summary", type=Path, help="where to write the summary JSON")
    parser.add_argument("--timeout", type=float, default=600, help="give up after this many seconds")
    parser.add_argument("--pid-file", type=Path, help="file holding the function's process id")
    args = parser.parse_args()

    events = [line for line in args.events.read_text().splitlines() if line.strip()]
    invocations = Invocations(events, Process(args.pid_file))
    server = ThreadingHTTPServer(("127.0.0.1", args.port), handler_for(invocations))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"Lambda Runtime API on 127.0.0.1:{args.port}: {len(events)} event(s) to serve", flush=True)

    finished = invocations.done.wait(args.timeout)
    server.shutdown()
    records = sorted(invocations.records, key=lambda r: float(r["handed_out_s"]))  # type: ignore[arg-type]
    summary = {
        "events": len(events),
        "answered": len(records),
        "errors": sum(1 for r in records if r["outcome"] == "error"),
        "first_response_s": min((float(r["answered_s"]) for r in records), default=None),  # type: ignore[arg-type]
        # The same, counted from the function process's own start (without the server's head start).
        "first_response_since_process_start_s": min(
            (r["process_age_s"] for r in records if r["process_age_s"] is not None), default=None  # type: ignore[type-var]
        ),
        "peak_rss_kb": invocations.process.peak_rss_kb or None,
        "invocations": records,
    }
    if args.summary:
        args.summary.write_text(json.dumps(summary, indent=2))
    if not finished:
        print(f"timed out after {args.timeout:.0f} s with {len(records)} of {len(events)} answered", file=sys.stderr)
        return 1
    return 0 if len(records) == len(events) and summary["errors"] == 0 else 2


if __name__ == "__main__":
    sys.exit(main())
