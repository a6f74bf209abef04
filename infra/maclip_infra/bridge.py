"""Run the Lambda function off Lambda: SQS batches fed through the Lambda Runtime API.

The GPU host (and the local chain) runs the function's own build, unchanged, the way Lambda
runs it: a runtime client process (the AWS Lambda Java runtime interface client, or a native
``bootstrap``) polls ``AWS_LAMBDA_RUNTIME_API`` for the next invocation. This module serves
that API on loopback and answers each poll with a batch received from the queue, shaped as
Lambda's SQS event source mapping shapes it; when the function answers, the messages it did
not report in ``batchItemFailures`` are deleted, the others come back after their visibility
timeout and, after the queue's ``maxReceiveCount``, go to its dead-letter queue: the same
contract as on Lambda, so the queue, dead-letter queue and alarm of the stack serve both.

  python -m maclip_infra.bridge --queue-url URL -- java -cp ... \\
      com.amazonaws.services.lambda.runtime.api.client.AWSLambda \\
      io.quarkus.amazon.lambda.runtime.QuarkusStreamHandler::handleRequest

One runtime process handles one batch at a time, as on Lambda; run several bridges (each
with its own process) for more.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from maclip_infra.events import failed_ids, sqs_event

LOG = logging.getLogger("maclip.bridge")
API = "/2018-06-01/runtime"


@dataclass
class Counts:
    batches: int = 0
    succeeded: int = 0
    failed: int = 0


@dataclass
class Feeder:
    """Receives batches from the queue and settles them when the function answers."""

    sqs: Any
    queue_url: str
    queue_arn: str
    batch_size: int = 10
    wait_seconds: int = 20
    visibility_timeout: int | None = None
    stop_when_empty: bool = False
    max_batches: int = 0
    stopping: threading.Event = field(default_factory=threading.Event)
    counts: Counts = field(default_factory=Counts)
    _in_flight: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def next_batch(self) -> tuple[str, dict[str, Any]] | None:
        """Blocks until messages arrive; None once stopping (or empty, with stop_when_empty)."""
        while not self.stopping.is_set():
            kwargs: dict[str, Any] = {
                "QueueUrl": self.queue_url,
                "MaxNumberOfMessages": self.batch_size,
                "WaitTimeSeconds": self.wait_seconds,
                "AttributeNames": ["All"],
                "MessageAttributeNames": ["All"],
            }
            if self.visibility_timeout is not None:
                kwargs["VisibilityTimeout"] = self.visibility_timeout
            messages = self.sqs.receive_message(**kwargs).get("Messages", [])
            if messages:
                request_id = str(uuid.uuid4())
                with self._lock:
                    self._in_flight[request_id] = messages
                return request_id, sqs_event(messages, self.queue_arn)
            if self.stop_when_empty and not self._in_flight:
                self.stopping.set()
        return None

    def settle(self, request_id: str, response: bytes | None) -> None:
        """Deletes what succeeded; ``response`` None is an invocation error (all failed)."""
        with self._lock:
            messages = self._in_flight.pop(request_id, None)
        if messages is None:
            LOG.warning("answer for unknown invocation %s ignored", request_id)
            return
        ids = [m["MessageId"] for m in messages]
        failed = set(ids) if response is None else failed_ids(response, ids)
        done = [m for m in messages if m["MessageId"] not in failed]
        for start in range(0, len(done), 10):
            chunk = done[start : start + 10]
            answer = self.sqs.delete_message_batch(
                QueueUrl=self.queue_url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(chunk)
                ],
            )
            for refused in answer.get("Failed", []):
                LOG.warning("could not delete a scored message: %s", refused.get("Message"))
        self.counts.batches += 1
        self.counts.succeeded += len(done)
        self.counts.failed += len(failed)
        LOG.info("batch of %d: %d done, %d to retry", len(ids), len(done), len(failed))
        if self.max_batches and self.counts.batches >= self.max_batches:
            self.stopping.set()


class RuntimeApi(ThreadingHTTPServer):
    """The Lambda Runtime API (2018-06-01) on loopback, backed by a Feeder."""

    daemon_threads = True

    def __init__(self, feeder: Feeder, function_arn: str, timeout_ms: int, port: int = 0):
        super().__init__(("127.0.0.1", port), _Handler)
        self.feeder = feeder
        self.function_arn = function_arn
        self.timeout_ms = timeout_ms
        self.init_error: str | None = None
        # Set once the runtime process has exited: a poll made while stopping is held until
        # then, so the process is ended quietly instead of failing on an error answer.
        self.process_gone = threading.Event()

    @property
    def address(self) -> str:
        host, port = self.server_address[:2]
        return f"{host}:{port}"


class _Handler(BaseHTTPRequestHandler):
    server: RuntimeApi

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        if self.path != f"{API}/invocation/next":
            self._answer(404, {"errorMessage": f"no such path {self.path}"})
            return
        batch = self.server.feeder.next_batch()
        if batch is None:
            self.server.process_gone.wait(timeout=30)
            with contextlib.suppress(OSError):
                self._answer(410, {"errorMessage": "the bridge is stopping"})
            return
        request_id, event = batch
        headers = {
            "Lambda-Runtime-Aws-Request-Id": request_id,
            "Lambda-Runtime-Deadline-Ms": str(int(time.time() * 1000) + self.server.timeout_ms),
            "Lambda-Runtime-Invoked-Function-Arn": self.server.function_arn,
            "Lambda-Runtime-Trace-Id": f"Root=1-{int(time.time()):08x}-{uuid.uuid4().hex[:24]}",
        }
        self._answer(200, event, headers)

    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        parts = self.path.removeprefix(API).strip("/").split("/")
        if parts == ["init", "error"]:
            self.server.init_error = body.decode("utf-8", "replace")
            LOG.error("the function failed to start: %s", self.server.init_error)
            self.server.feeder.stopping.set()
        elif len(parts) == 3 and parts[0] == "invocation" and parts[2] in ("response", "error"):
            if parts[2] == "error":
                LOG.error("invocation failed: %s", body.decode("utf-8", "replace")[:2000])
            self.server.feeder.settle(parts[1], body if parts[2] == "response" else None)
        else:
            self._answer(404, {"errorMessage": f"no such path {self.path}"})
            return
        self._answer(202, {"status": "OK"})

    def _answer(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        LOG.debug(format, *args)


def lambda_environment(api: str, name: str, memory_mb: int) -> dict[str, str]:
    """What Lambda sets for a runtime process (the subset runtime clients read)."""
    return {
        "AWS_LAMBDA_RUNTIME_API": api,
        "AWS_LAMBDA_FUNCTION_NAME": name,
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(memory_mb),
        "AWS_LAMBDA_LOG_GROUP_NAME": f"/maclip/{name}",
        "AWS_LAMBDA_LOG_STREAM_NAME": os.uname().nodename,
    }


def function_settings(lambda_client: Any, name: str) -> dict[str, str]:
    """The deployed function's MACLIP_* environment: the GPU host scores with its settings."""
    config = lambda_client.get_function_configuration(FunctionName=name)
    variables = config.get("Environment", {}).get("Variables", {})
    return {k: v for k, v in variables.items() if k.startswith("MACLIP_")}


def run(
    feeder: Feeder,
    command: Sequence[str],
    name: str,
    timeout_s: int,
    memory_mb: int,
    settings: dict[str, str] | None = None,
) -> int:
    """Serves the API, runs the function process, returns when told to stop or it exits.

    The process's environment: ``settings`` (a deployed function's), overridden by this
    process's own environment (e.g. the GPU image's MACLIP_DEVICE=cuda), then Lambda's.
    """
    region = feeder.queue_arn.split(":")[3]
    account = feeder.queue_arn.split(":")[4]
    api = RuntimeApi(feeder, f"arn:aws:lambda:{region}:{account}:function:{name}", timeout_s * 1000)
    threading.Thread(target=api.serve_forever, daemon=True).start()
    env = {**(settings or {}), **os.environ, **lambda_environment(api.address, name, memory_mb)}
    LOG.info("runtime API on %s; starting %s", api.address, " ".join(command[:3]))
    child = subprocess.Popen(list(command), env=env)
    signal.signal(signal.SIGTERM, lambda *_: feeder.stopping.set())
    try:
        while child.poll() is None and not feeder.stopping.is_set():
            time.sleep(0.2)
    except KeyboardInterrupt:
        feeder.stopping.set()
    finally:
        if child.poll() is None:
            child.terminate()
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        api.process_gone.set()
        api.shutdown()
    c = feeder.counts
    LOG.info("%d batches: %d messages done, %d to retry", c.batches, c.succeeded, c.failed)
    if api.init_error is not None:
        return 1
    if child.returncode not in (None, 0, -signal.SIGTERM) and not feeder.stopping.is_set():
        LOG.error("the function process exited with %s", child.returncode)
        return 1
    return 0


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description="Feed SQS batches to a Lambda runtime process (see the module's doc).",
        usage="%(prog)s --queue-url URL [options] -- COMMAND...",
    )
    env = os.environ.get
    p.add_argument("--queue-url", default=env("MACLIP_QUEUE_URL"), help="env MACLIP_QUEUE_URL")
    p.add_argument(
        "--settings-from-function",
        default=env("MACLIP_FUNCTION_NAME"),
        metavar="NAME",
        help="copy this Lambda function's MACLIP_* settings (env MACLIP_FUNCTION_NAME)",
    )
    p.add_argument(
        "--batch-size",
        type=int,
        default=int(env("MACLIP_QUEUE_BATCH_SIZE", "10")),
        help="messages per invocation, 1-10 (env MACLIP_QUEUE_BATCH_SIZE)",
    )
    p.add_argument("--wait-seconds", type=int, default=20, help="SQS long-poll wait")
    p.add_argument("--visibility-timeout", type=int, help="default: the queue's")
    p.add_argument("--timeout", type=int, default=900, help="invocation deadline, seconds")
    p.add_argument("--memory-mb", type=int, default=16384, help="reported to the function")
    p.add_argument("--name", default="maclip-scoring", help="function name reported")
    p.add_argument("--until-empty", action="store_true", help="stop once the queue is empty")
    p.add_argument("--max-batches", type=int, default=0, help="stop after N batches (0: never)")
    p.add_argument("--endpoint-url", help="SQS endpoint (a local server)")
    p.add_argument("--region", help="AWS region (default: the SDK's)")
    p.add_argument("command", nargs="+", help="the runtime process, after --")
    args = p.parse_args(argv)
    if not args.queue_url:
        p.error("--queue-url (or MACLIP_QUEUE_URL) is needed")
    if not 1 <= args.batch_size <= 10:
        p.error("--batch-size must be between 1 and 10 (an SQS receive's maximum)")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(format="%(asctime)s bridge %(message)s")
    LOG.setLevel(logging.INFO)
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    session = boto3.session.Session(region_name=args.region)
    sqs = session.client("sqs", endpoint_url=args.endpoint_url)
    try:
        arn = sqs.get_queue_attributes(QueueUrl=args.queue_url, AttributeNames=["QueueArn"])
    except (BotoCoreError, ClientError) as error:
        print(f"bridge: cannot read queue {args.queue_url}: {error}", file=sys.stderr)
        return 2
    settings = None
    if args.settings_from_function:
        client = session.client("lambda", endpoint_url=args.endpoint_url)
        try:
            settings = function_settings(client, args.settings_from_function)
        except (BotoCoreError, ClientError) as error:
            name = args.settings_from_function
            print(f"bridge: cannot read function {name}'s settings: {error}", file=sys.stderr)
            return 2
        LOG.info("settings of function %s: %s", args.settings_from_function, sorted(settings))
    feeder = Feeder(
        sqs,
        args.queue_url,
        arn["Attributes"]["QueueArn"],
        batch_size=args.batch_size,
        wait_seconds=args.wait_seconds,
        visibility_timeout=args.visibility_timeout,
        stop_when_empty=args.until_empty,
        max_batches=args.max_batches,
    )
    return run(feeder, args.command, args.name, args.timeout, args.memory_mb, settings)


if __name__ == "__main__":
    sys.exit(main())
