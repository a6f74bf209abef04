"""The local chain's AWS side (local-chain.sh): a bucket and queues as the template makes them.

``setup`` creates, on a local S3/SQS server (moto), the input bucket, the queue with its
dead-letter queue and redrive policy, and the bucket's notifications from the template's own
default parameters (input prefix, image suffixes, results prefix, max receive count), checked
by the same code as the deployed custom resource; then uploads sample images and shows the
message S3 queued for the first. ``wait`` returns once the queue is empty (nothing visible,
nothing in flight); ``show`` prints the result objects the function wrote.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from maclip_infra.notifications import apply, check_no_loop, make_filters

BUCKET = "maclip-local"
QUEUE = "maclip-local-queue"
DEAD_LETTERS = "maclip-local-dead-letters"
ID_PREFIX = "maclip-local-"


@dataclass(frozen=True)
class Layout:
    """The template's defaults that decide which keys are scored and where results go."""

    input_prefix: str
    suffixes: str
    results_prefix: str
    max_receive_count: int

    def function_environment(self) -> dict[str, str]:
        """What the template sets for the function (FunctionConfig's environment names)."""
        return {
            "MACLIP_INPUT_PREFIX": self.input_prefix,
            "MACLIP_SUFFIXES": self.suffixes,
            "MACLIP_RESULTS_PREFIX": self.results_prefix,
        }

    @classmethod
    def from_template(cls, path: Path) -> Layout:
        from cfnlint.decode import decode  # comes with moto[server]

        template, problems = decode(str(path))
        if problems or template is None:
            raise SystemExit(f"cannot read {path}: {problems}")
        params = template["Parameters"]
        return cls(
            input_prefix=str(params["InputPrefix"]["Default"]),
            suffixes=str(params["ImageSuffixes"]["Default"]),
            results_prefix=str(params["ResultsPrefix"]["Default"]),
            max_receive_count=int(params["MaxReceiveCount"]["Default"]),
        )


def samples(images: Path, prefix: str) -> dict[str, bytes]:
    """Keys a user might upload: spaces, '+', unicode, deep folders, a broken and a text file."""
    read = {p.name: p.read_bytes() for p in sorted(images.glob("*.png"))}
    if len(read) < 3:
        raise SystemExit(f"need three PNG images in {images}")
    first, second, third = list(read.values())[:3]
    return {
        f"{prefix}holiday photos/beach 1.png": first,
        f"{prefix}a+b=c.png": second,
        f"{prefix}ünïcødé/2024/写真.png": third,
        f"{prefix}broken.png": b"this is not an image",
        f"{prefix}notes.txt": b"not an image suffix: S3 sends no event",
        "elsewhere/outside-the-prefix.png": first,
    }


def setup(aws: Any, layout: Layout, images: Path, visibility_timeout: int) -> dict[str, Any]:
    s3, sqs = aws
    filters = make_filters(layout.input_prefix, layout.suffixes)
    check_no_loop(filters, BUCKET, "", layout.results_prefix)
    region = s3.meta.region_name
    where = {} if region == "us-east-1" else {"LocationConstraint": region}
    s3.create_bucket(Bucket=BUCKET, **({"CreateBucketConfiguration": where} if where else {}))
    dlq_url = sqs.create_queue(QueueName=DEAD_LETTERS)["QueueUrl"]
    dlq_arn = queue_arn(sqs, dlq_url)
    redrive = {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": str(layout.max_receive_count)}
    url = sqs.create_queue(
        QueueName=QUEUE,
        Attributes={
            "VisibilityTimeout": str(visibility_timeout),
            "RedrivePolicy": json.dumps(redrive),
        },
    )["QueueUrl"]
    apply(s3, BUCKET, ID_PREFIX, "queue", queue_arn(sqs, url), filters)
    uploads = samples(images, layout.input_prefix)
    for key, body in uploads.items():
        s3.put_object(Bucket=BUCKET, Key=key, Body=body)
    scored = [k for k in uploads if filters.matches(k)]
    return {
        "queue_url": url,
        "dead_letter_url": dlq_url,
        "uploaded": list(uploads),
        "expected_results": [layout.results_prefix + k + ".json" for k in scored],
        "first_message": _peek(sqs, url),
    }


def queue_arn(sqs: Any, url: str) -> str:
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
    return str(attrs["Attributes"]["QueueArn"])


def _peek(sqs: Any, url: str) -> Any:
    """The first object event on the queue, left there (visible again at once)."""
    got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    for m in got:
        sqs.change_message_visibility(
            QueueUrl=url, ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=0
        )
    bodies = [json.loads(m["Body"]) for m in got]
    return next((b for b in bodies if "Records" in b), bodies[0] if bodies else None)


def drain(sqs: Any, url: str) -> list[dict[str, Any]]:
    """Every message waiting on a queue, removed from it."""
    messages: list[dict[str, Any]] = []
    while True:
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
        batch = got.get("Messages", [])
        if not batch:
            return messages
        messages.extend(batch)
        for m in batch:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])


def queue_depth(sqs: Any, url: str) -> tuple[int, int]:
    """(visible, in flight) messages on a queue."""
    attrs = sqs.get_queue_attributes(
        QueueUrl=url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return int(attrs["ApproximateNumberOfMessages"]), int(
        attrs["ApproximateNumberOfMessagesNotVisible"]
    )


def wait_empty(sqs: Any, url: str, timeout: float, settle: float = 2.0) -> bool:
    """True once the queue has stayed empty for ``settle`` seconds; False after ``timeout``."""
    deadline = time.monotonic() + timeout
    empty_since: float | None = None
    while time.monotonic() < deadline:
        if queue_depth(sqs, url) == (0, 0):
            empty_since = empty_since or time.monotonic()
            if time.monotonic() - empty_since >= settle:
                return True
        else:
            empty_since = None
        time.sleep(0.5)
    return False


def show(aws: Any, expected: Sequence[str], dead_letter_url: str, out: Any = sys.stdout) -> int:
    """Prints every result; returns 1 when one is missing or a message was dead-lettered."""
    s3, sqs = aws
    missing = 0
    for key in expected:
        try:
            body = s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()
        except s3.exceptions.NoSuchKey:
            print(f"MISSING s3://{BUCKET}/{key}", file=out)
            missing += 1
            continue
        result = json.loads(body)
        source = result.get("source", {}).get("key", "")
        print(f"s3://{BUCKET}/{key} (source tags: {_tags(s3, source)})", file=out)
        print(_summary(result), file=out)
    dead = sqs.get_queue_attributes(
        QueueUrl=dead_letter_url, AttributeNames=["ApproximateNumberOfMessages"]
    )["Attributes"]["ApproximateNumberOfMessages"]
    print(f"dead-letter queue: {dead} message(s)", file=out)
    return 1 if missing or int(dead) else 0


def _summary(result: dict[str, Any]) -> str:
    """The result, its per-view list shown as a count."""
    shown = dict(result)
    if isinstance(result.get("view_scores"), list):
        shown["view_scores"] = f"[{len(result['view_scores'])} views]"
    return json.dumps(shown, indent=2, ensure_ascii=False)


def _tags(s3: Any, key: str) -> str:
    tags = s3.get_object_tagging(Bucket=BUCKET, Key=key)["TagSet"]
    return ", ".join(f"{t['Key']}={t['Value']}" for t in tags) or "none"


def clients(endpoint: str) -> tuple[Any, Any]:
    import boto3

    session = boto3.session.Session(
        region_name="us-east-1", aws_access_key_id="local", aws_secret_access_key="local"
    )
    return (
        session.client("s3", endpoint_url=endpoint),
        session.client("sqs", endpoint_url=endpoint),
    )


def events_client(endpoint: str) -> Any:
    """An EventBridge client for the local server (moto), as :func:`clients` builds the others."""
    import boto3

    session = boto3.session.Session(
        region_name="us-east-1", aws_access_key_id="local", aws_secret_access_key="local"
    )
    return session.client("events", endpoint_url=endpoint)


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("setup")
    s.add_argument("--endpoint", required=True)
    s.add_argument("--template", type=Path, required=True)
    s.add_argument("--images", type=Path, required=True)
    s.add_argument("--visibility-timeout", type=int, default=30)
    s.add_argument("--state", type=Path, required=True, help="JSON file for `show`")
    q = sub.add_parser("wait", help="until the queue is empty")
    q.add_argument("--endpoint", required=True)
    q.add_argument("--state", type=Path, required=True)
    q.add_argument("--timeout", type=float, default=300)
    w = sub.add_parser("show")
    w.add_argument("--endpoint", required=True)
    w.add_argument("--state", type=Path, required=True)
    e = sub.add_parser("env", help="shell exports of the function's settings")
    e.add_argument("--template", type=Path, required=True)
    args = p.parse_args(argv)
    if args.command == "env":
        for name, value in Layout.from_template(args.template).function_environment().items():
            print(f"export {name}={shlex.quote(value)}")
        return 0
    aws = clients(args.endpoint)
    if args.command == "setup":
        layout = Layout.from_template(args.template)
        state = setup(aws, layout, args.images, args.visibility_timeout)
        args.state.write_text(json.dumps(state, ensure_ascii=False))
        print(f"bucket s3://{BUCKET}: uploaded {len(state['uploaded'])} objects")
        for key in state["uploaded"]:
            print(f"  {key}")
        print(f"queue {state['queue_url']}; the first S3 event message on it:")
        print(json.dumps(state["first_message"], indent=2, ensure_ascii=False))
        return 0
    state = json.loads(args.state.read_text())
    if args.command == "wait":
        if wait_empty(aws[1], state["queue_url"], args.timeout):
            return 0
        print(f"the queue was not empty after {args.timeout:.0f} s", file=sys.stderr)
        return 1
    return show(aws, state["expected_results"], state["dead_letter_url"])


if __name__ == "__main__":
    sys.exit(main())
