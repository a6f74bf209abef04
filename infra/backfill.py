#!/usr/bin/env python3
"""Score the images already in a bucket: enqueue one S3-event message per existing key.

The messages look exactly like the ones S3 sends for a new upload (``ObjectCreated:Put``,
form-encoded key, size, ETag; ``configurationId`` is ``maclip-backfill``), so the same
queue, function, dead-letter queue and results layout do the work. Keys are chosen with the
same prefix and suffix filters as the stack's notifications (maclip_infra.notifications).

  python infra/backfill.py --bucket photos --prefix incoming/ --queue-url URL
  python infra/backfill.py --bucket photos --prefix incoming/ --dry-run   # count only

Listing is in key order, so an interrupted run resumes with ``--start-after`` and the last
key it printed. A key enqueued twice is scored twice and its result overwritten (the
function is idempotent), never duplicated.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from maclip_infra.events import s3_event, s3_record
from maclip_infra.notifications import FilterError, Filters, make_filters

#: The template's ImageSuffixes default (infra/tests/test_template.py keeps the two equal, and
#: the template's equal to the formats maclip-scoring reads).
DEFAULT_SUFFIXES = ".jpg,.jpeg,.png,.bmp,.gif,.tif,.tiff,.webp,.ppm,.pgm,.pnm,.JPG,.JPEG,.PNG"
SQS_BATCH = 10
SEND_TRIES = 5


class BackfillError(RuntimeError):
    """A failure the user must act on; the message says which key to resume after."""


@dataclass(frozen=True)
class Listed:
    key: str
    size: int
    etag: str


def list_keys(
    s3: Any, bucket: str, filters: Filters, start_after: str = "", limit: int = 0
) -> Iterator[Listed]:
    """Keys under the prefix that the notifications would have sent, in key order."""
    kwargs = {"Bucket": bucket, "Prefix": filters.prefix}
    if start_after:
        kwargs["StartAfter"] = start_after
    count = 0
    for page in s3.get_paginator("list_objects_v2").paginate(**kwargs):
        for item in page.get("Contents", []):
            if not filters.matches(item["Key"]):
                continue
            yield Listed(item["Key"], item["Size"], item["ETag"])
            count += 1
            if limit and count >= limit:
                return


def batches(items: Iterable[Listed], size: int = SQS_BATCH) -> Iterator[list[Listed]]:
    batch: list[Listed] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def send_batch(sqs: Any, queue_url: str, bucket: str, region: str, batch: Sequence[Listed]) -> None:
    """SendMessageBatch with retries of the entries SQS refused (throttling, 5xx)."""
    entries = {
        str(i): s3_event([s3_record(bucket, item.key, item.size, item.etag, region)])
        for i, item in enumerate(batch)
    }
    for attempt in range(SEND_TRIES):
        answer = sqs.send_message_batch(
            QueueUrl=queue_url,
            Entries=[{"Id": i, "MessageBody": body} for i, body in entries.items()],
        )
        failed = answer.get("Failed", [])
        sender_faults = [f for f in failed if f.get("SenderFault")]
        if sender_faults:
            first = sender_faults[0]
            raise BackfillError(
                f"SQS refused {batch[int(first['Id'])].key!r}: {first.get('Message')}"
            )
        entries = {f["Id"]: entries[f["Id"]] for f in failed}
        if not entries:
            return
        time.sleep(0.2 * 2**attempt)
    raise BackfillError(f"SQS kept failing {len(entries)} messages after {SEND_TRIES} tries")


def backfill(
    s3: Any,
    sqs: Any | None,
    bucket: str,
    filters: Filters,
    queue_url: str,
    region: str,
    start_after: str = "",
    limit: int = 0,
    workers: int = 4,
    report_every: int = 10_000,
    out: Any = sys.stdout,
) -> int:
    """Enqueue every matching key (count only when ``sqs`` is None); returns the count.

    Batches go out on ``workers`` threads, a bounded window at a time; progress lines name
    the last key of a window that SQS accepted whole, so resuming from it loses nothing.
    """
    keys = list_keys(s3, bucket, filters, start_after, limit)
    if sqs is None:
        return sum(1 for _ in keys)
    count, reported, confirmed = 0, 0, start_after
    with ThreadPoolExecutor(max_workers=workers) as pool:
        window: list[Any] = []
        for batch in batches(keys):
            window.append(pool.submit(send_batch, sqs, queue_url, bucket, region, batch))
            count += len(batch)
            if len(window) < 4 * workers:
                continue
            _wait(window, confirmed)
            window, confirmed = [], batch[-1].key
            if count - reported >= report_every:
                print(f"enqueued {count} (resume after {confirmed!r})", file=out, flush=True)
                reported = count
        _wait(window, confirmed)
    return count


def _wait(futures: Sequence[Any], confirmed: str) -> None:
    for future in futures:
        try:
            future.result()
        except BackfillError as error:
            hint = f"rerun with --start-after {confirmed!r}" if confirmed else "rerun"
            raise BackfillError(f"{error}; {hint}") from error


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--bucket", required=True, help="the input bucket")
    p.add_argument("--prefix", default="", help="input prefix (the stack's InputPrefix)")
    p.add_argument(
        "--suffixes", default=DEFAULT_SUFFIXES, help="comma-separated, as the stack's ImageSuffixes"
    )
    p.add_argument("--queue-url", help="the stack's QueueUrl output")
    p.add_argument("--dry-run", action="store_true", help="count the keys, send nothing")
    p.add_argument("--start-after", default="", help="resume after this key")
    p.add_argument("--limit", type=int, default=0, help="stop after this many keys (0: all)")
    p.add_argument("--workers", type=int, default=4, help="threads sending to SQS")
    p.add_argument("--region", help="AWS region (default: the SDK's)")
    p.add_argument("--endpoint-url", help="S3 and SQS endpoint (a local server, for tests)")
    args = p.parse_args(argv)
    if not args.dry_run and not args.queue_url:
        p.error("--queue-url is needed (or --dry-run)")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    session = boto3.session.Session(region_name=args.region)
    s3 = session.client("s3", endpoint_url=args.endpoint_url)
    sqs = None if args.dry_run else session.client("sqs", endpoint_url=args.endpoint_url)
    try:
        filters = make_filters(args.prefix, args.suffixes)
        started = time.monotonic()
        count = backfill(
            s3,
            sqs,
            args.bucket,
            filters,
            args.queue_url or "",
            session.region_name or "us-east-1",
            args.start_after,
            args.limit,
            args.workers,
        )
    except (FilterError, BackfillError, BotoCoreError, ClientError) as error:
        print(f"backfill: {error}", file=sys.stderr)
        return 2
    seconds = time.monotonic() - started
    verb = "would enqueue" if args.dry_run else "enqueued"
    print(f"{verb} {count} keys from s3://{args.bucket}/{filters.prefix} in {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
