"""The JSON shape S3 delivers, built by hand where no AWS service builds it for us.

``s3_event``: the body S3 puts on the queue for a new object (the backfill sends these, so the
function cannot tell a backfilled key from a fresh upload).
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
