"""The JSON shapes AWS delivers, built by hand where no AWS service builds them for us.

- ``s3_event``: the body S3 puts on the queue for a new object (the backfill sends these,
  so the function cannot tell a backfilled key from a fresh upload).
- ``sqs_event``: what Lambda's SQS event source mapping passes to the function (the GPU
  host's bridge builds these from messages it received itself).
- ``failed_ids``: which messages of such a batch the function reported as failed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote_plus

BACKFILL_CONFIGURATION = "maclip-backfill"


def encode_key(key: str) -> str:
    """A key as S3 writes it into events: form-encoded UTF-8 (space is '+'), '/' kept."""
    return quote_plus(key, safe="/")


def s3_record(
    bucket: str,
    key: str,
    size: int,
    etag: str,
    region: str,
    partition: str = "aws",
    version_id: str | None = None,
    configuration: str = BACKFILL_CONFIGURATION,
) -> dict[str, Any]:
    """One ``ObjectCreated:Put`` record, as S3 event notifications (version 2.1) write it."""
    obj: dict[str, Any] = {"key": encode_key(key), "size": size, "eTag": etag.strip('"')}
    if version_id:
        obj["versionId"] = version_id
    return {
        "eventVersion": "2.1",
        "eventSource": "aws:s3",
        "awsRegion": region,
        "eventTime": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
        "eventName": "ObjectCreated:Put",
        "s3": {
            "s3SchemaVersion": "1.0",
            "configurationId": configuration,
            "bucket": {"name": bucket, "arn": f"arn:{partition}:s3:::{bucket}"},
            "object": obj,
        },
    }


def s3_event(records: Sequence[Mapping[str, Any]]) -> str:
    """A message body: ``{"Records": [...]}``."""
    return json.dumps({"Records": list(records)}, ensure_ascii=False)


def sqs_event(messages: Sequence[Mapping[str, Any]], queue_arn: str) -> dict[str, Any]:
    """The event Lambda builds from ReceiveMessage results (``Records`` with ``aws:sqs``)."""
    region = queue_arn.split(":")[3]
    return {
        "Records": [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": dict(m.get("Attributes", {})),
                "messageAttributes": _message_attributes(m.get("MessageAttributes", {})),
                "md5OfBody": m.get("MD5OfBody", ""),
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": region,
            }
            for m in messages
        ]
    }


def _message_attributes(attributes: Mapping[str, Any]) -> dict[str, Any]:
    """ReceiveMessage's ``StringValue`` keys, spelt as Lambda spells them (``stringValue``)."""
    return {
        name: {
            "stringValue": a.get("StringValue"),
            "binaryValue": a.get("BinaryValue"),
            "stringListValues": [],
            "binaryListValues": [],
            "dataType": a.get("DataType"),
        }
        for name, a in attributes.items()
    }


def failed_ids(response: bytes, batch_ids: Sequence[str]) -> set[str]:
    """Message ids the function reported failed (ReportBatchItemFailures semantics).

    As Lambda does: an empty or null answer, or an empty list, means all succeeded; an
    answer that is not JSON or not an object, or an identifier that is empty or not in
    the batch, makes the whole batch fail.
    """
    text = response.decode("utf-8", errors="replace").strip()
    if not text or text == "null":
        return set()
    try:
        answer = json.loads(text)
    except json.JSONDecodeError:
        return set(batch_ids)
    if not isinstance(answer, dict):
        return set(batch_ids)
    failures = answer.get("batchItemFailures") or []
    ids = {f.get("itemIdentifier") if isinstance(f, dict) else None for f in failures}
    if None in ids or "" in ids or not ids <= set(batch_ids):
        return set(batch_ids)
    return {i for i in ids if isinstance(i, str)}
