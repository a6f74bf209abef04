"""The backfill against a moto S3 and SQS server: the keys, the shape of each message."""

from __future__ import annotations

import io
import json
from typing import Any
from urllib.parse import unquote_plus

import backfill
from maclip_infra.events import encode_key
from maclip_infra.notifications import apply, make_filters

SUFFIXES = ".jpg,.png,.JPG"
IMAGES = [
    "in/a.jpg",
    "in/with space.png",
    "in/plus+sign.jpg",
    "in/ünïcødé/写真.JPG",
    "in/deep/er/and/deeper/d.jpg",
]
NOT_IMAGES = ["in/notes.txt", "in/e.Jpg", "out/f.jpg", "maclip-results/in/a.jpg.json"]


def _fill(aws, bucket: str, keys: list[str]) -> None:
    for key in keys:
        aws.s3.put_object(Bucket=bucket, Key=key, Body=key.encode())


def _records(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    bodies = [json.loads(m["Body"]) for m in messages]
    return [r for b in bodies for r in b.get("Records", [])]


def _run(aws, *args: str) -> int:
    return backfill.main(["--endpoint-url", aws.endpoint, "--suffixes", SUFFIXES, *args])


def test_keys_are_encoded_as_s3_encodes_them():
    assert encode_key("in/a b+c/é.jpg") == "in/a+b%2Bc/%C3%A9.jpg"
    for key in IMAGES:
        assert unquote_plus(encode_key(key)) == key


def test_backfill_enqueues_each_matching_key_once_as_an_s3_event(aws, capsys):
    bucket = aws.bucket("photos")
    url, _ = aws.queue("scoring")
    _fill(aws, bucket, IMAGES + NOT_IMAGES)

    assert _run(aws, "--bucket", bucket, "--prefix", "in/", "--queue-url", url) == 0
    assert "enqueued 5 keys from s3://photos/in/" in capsys.readouterr().out

    records = _records(aws.drain(url))
    assert sorted(unquote_plus(r["s3"]["object"]["key"]) for r in records) == sorted(IMAGES)
    for record in records:
        key = unquote_plus(record["s3"]["object"]["key"])
        head = aws.s3.head_object(Bucket=bucket, Key=key)
        assert record["s3"]["object"]["size"] == head["ContentLength"]
        assert record["s3"]["object"]["eTag"] == head["ETag"].strip('"')
        assert record["s3"]["bucket"]["name"] == bucket
        assert record["eventName"] == "ObjectCreated:Put"


def test_backfill_messages_have_the_fields_of_s3s_own(aws):
    """Same keys at every level as the message moto's S3 sends for the same upload."""
    bucket = aws.bucket("photos")
    url, arn = aws.queue("scoring")
    apply(aws.s3, bucket, "maclip-t-", "queue", arn, make_filters("in/", SUFFIXES))
    _fill(aws, bucket, ["in/with space.png"])
    from_s3 = _records(aws.drain(url))
    assert _run(aws, "--bucket", bucket, "--prefix", "in/", "--queue-url", url) == 0
    from_backfill = _records(aws.drain(url))
    assert len(from_s3) == len(from_backfill) == 1
    ours, theirs = from_backfill[0], from_s3[0]
    assert ours.keys() == theirs.keys()
    assert ours["s3"].keys() == theirs["s3"].keys()
    assert ours["s3"]["object"].keys() == theirs["s3"]["object"].keys()
    assert ours["s3"]["bucket"].keys() == theirs["s3"]["bucket"].keys()
    for field in ["eventSource", "eventName", "eventVersion", "awsRegion"]:
        assert ours[field] == theirs[field]
    for obj in (ours, theirs):
        assert unquote_plus(obj["s3"]["object"]["key"]) == "in/with space.png"


def test_more_than_one_sqs_batch_and_resume_after_a_key(aws):
    bucket = aws.bucket("photos")
    url, _ = aws.queue("scoring")
    keys = [f"in/{n:03d}.jpg" for n in range(37)]
    _fill(aws, bucket, keys)
    assert _run(aws, "--bucket", bucket, "--prefix", "in/", "--queue-url", url) == 0
    sent = [unquote_plus(r["s3"]["object"]["key"]) for r in _records(aws.drain(url))]
    assert sorted(sent) == keys

    assert _run(aws, "--bucket", bucket, "--queue-url", url, "--start-after", "in/029.jpg") == 0
    sent = [unquote_plus(r["s3"]["object"]["key"]) for r in _records(aws.drain(url))]
    assert sorted(sent) == keys[30:]

    assert _run(aws, "--bucket", bucket, "--queue-url", url, "--limit", "12") == 0
    assert len(_records(aws.drain(url))) == 12


def test_progress_names_a_key_to_resume_after(aws):
    bucket = aws.bucket("photos")
    url, _ = aws.queue("scoring")
    keys = [f"in/{n:03d}.jpg" for n in range(100)]
    _fill(aws, bucket, keys)
    out = io.StringIO()
    filters = make_filters("in/", SUFFIXES)
    count = backfill.backfill(
        aws.s3, aws.sqs, bucket, filters, url, "eu-west-1", workers=1, report_every=40, out=out
    )
    assert count == 100
    lines = out.getvalue().splitlines()
    assert lines == [
        "enqueued 40 (resume after 'in/039.jpg')",
        "enqueued 80 (resume after 'in/079.jpg')",
    ]


def test_dry_run_counts_without_sending(aws, capsys):
    bucket = aws.bucket("photos")
    url, _ = aws.queue("scoring")
    _fill(aws, bucket, IMAGES + NOT_IMAGES)
    assert _run(aws, "--bucket", bucket, "--prefix", "in/", "--dry-run") == 0
    assert "would enqueue 5 keys" in capsys.readouterr().out
    assert aws.drain(url) == []


def test_errors_are_one_line_not_a_trace(aws, capsys):
    bucket = aws.bucket("photos")
    _fill(aws, bucket, IMAGES)
    missing = f"{aws.endpoint}/123456789012/no-such-queue"
    assert _run(aws, "--bucket", bucket, "--queue-url", missing) == 2
    err = capsys.readouterr().err
    assert err.startswith("backfill: ") and "Traceback" not in err
    assert "queue" in err.lower()

    assert _run(aws, "--bucket", "no-such-bucket", "--dry-run") == 2
    assert "NoSuchBucket" in capsys.readouterr().err

    assert _run(aws, "--bucket", bucket, "--suffixes", ".jpg,jpg", "--dry-run") == 2
    assert "overlap" in capsys.readouterr().err


class _FlakySqs:
    """SQS answering SendMessageBatch with a throttled entry on the first call only."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def send_message_batch(self, QueueUrl: str, Entries: list[dict[str, str]]):  # noqa: N803
        self.calls.append([e["Id"] for e in Entries])
        failed = [{"Id": "1", "SenderFault": False, "Code": "Throttling"}]
        return {"Failed": failed if len(self.calls) == 1 else []}


def test_throttled_entries_are_sent_again_and_only_they():
    sqs = _FlakySqs()
    batch = [backfill.Listed(f"in/{n}.jpg", 1, '"e"') for n in range(3)]
    backfill.send_batch(sqs, "url", "b", "eu-west-1", batch)
    assert sqs.calls == [["0", "1", "2"], ["1"]]
