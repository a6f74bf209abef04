"""The input bucket's event notifications: which keys reach the queue (or the function).

One place decides the filters, for the deployed stack (this module is the code of the
template's ``BucketNotifications`` custom resource), for the local chain
(``local-chain.sh``) and for the backfill (``backfill.py``), so all three see the same keys.

S3 allows one prefix and one suffix per notification configuration, so each image suffix
gets its own configuration (same prefix, same target). Only ``s3:ObjectCreated:*`` is
subscribed: tagging a source object or writing a result never sends an event of that kind
unless the result's key matches a configuration, which ``check_no_loop`` rules out.

Self-contained on purpose (standard library and boto3 only): it is the custom resource's
whole deployment package.
"""

from __future__ import annotations

import json
import logging
import re
import urllib.request
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

LOG = logging.getLogger(__name__)

EVENTS = ["s3:ObjectCreated:*"]
RESULT_SUFFIX = ".json"
# Characters S3 matches literally in a filter; anything else would need percent-encoding,
# whose matching rules are easy to get wrong, so such prefixes and suffixes are refused.
_PLAIN = re.compile(r"^[A-Za-z0-9/._\-]*$")
_KINDS = {"queue": "QueueConfigurations", "function": "LambdaFunctionConfigurations"}
_ARN_KEYS = {"queue": "QueueArn", "function": "LambdaFunctionArn"}
_OWNED_LISTS = (
    "QueueConfigurations",
    "LambdaFunctionConfigurations",
    "TopicConfigurations",
)


class FilterError(ValueError):
    """A prefix, suffix or results location that the stack must not be deployed with."""


@dataclass(frozen=True)
class Filters:
    """Keys of the input bucket to score: under ``prefix``, ending in one of ``suffixes``."""

    prefix: str
    suffixes: tuple[str, ...]

    def matches(self, key: str) -> bool:
        """True when S3 would send an event for ``key`` (S3 compares case-sensitively)."""
        return key.startswith(self.prefix) and any(key.endswith(s) for s in self.suffixes)


def parse_suffixes(suffixes: Iterable[str] | str) -> tuple[str, ...]:
    """Suffixes from a list or a comma-separated string, blanks dropped, order kept."""
    items = suffixes.split(",") if isinstance(suffixes, str) else list(suffixes)
    return tuple(s.strip() for s in items if s.strip())


def make_filters(prefix: str, suffixes: Iterable[str] | str) -> Filters:
    """Checked filters: plain characters, at least one suffix, no two overlapping.

    S3 refuses two configurations of one event type whose suffixes overlap (one ends with
    the other, e.g. ``jpg`` and ``.jpg``) with a terse error; this says which two.
    """
    parsed = parse_suffixes(suffixes)
    if not parsed:
        raise FilterError("no image suffix given: at least one is needed (e.g. .jpg)")
    for value, what in [(prefix, "prefix"), *[(s, "suffix") for s in parsed]]:
        if not _PLAIN.match(value):
            raise FilterError(
                f"{what} {value!r} has characters S3 filters would need percent-encoded; "
                "use letters, digits, '/', '.', '_' and '-' only"
            )
    for i, a in enumerate(parsed):
        for b in parsed[i + 1 :]:
            if a.endswith(b) or b.endswith(a):
                raise FilterError(f"suffixes {a!r} and {b!r} overlap; S3 refuses both")
    return Filters(prefix, parsed)


def check_no_loop(
    filters: Filters, input_bucket: str, results_bucket: str, results_prefix: str
) -> None:
    """Refuse settings under which a result object could trigger the function again.

    Two independent rules, each enough on its own: results end in ``.json``, which no
    image suffix may match; and in the input bucket the results prefix and the input
    prefix must not contain one another (an empty input prefix covers every key).
    """
    for suffix in filters.suffixes:
        if RESULT_SUFFIX.endswith(suffix):
            raise FilterError(
                f"suffix {suffix!r} matches the results' {RESULT_SUFFIX!r}: "
                "results would trigger the function again"
            )
    if results_bucket and results_bucket != input_bucket:
        return
    if not results_prefix:
        raise FilterError("results go to the input bucket, so a results prefix is needed")
    if results_prefix.startswith(filters.prefix) or filters.prefix.startswith(results_prefix):
        raise FilterError(
            f"input prefix {filters.prefix!r} and results prefix {results_prefix!r} overlap "
            f"in bucket {input_bucket!r}: choose disjoint prefixes or a results bucket"
        )


def configurations(
    filters: Filters, target_arn: str, kind: str, id_prefix: str
) -> list[dict[str, Any]]:
    """One notification configuration per suffix, as PutBucketNotificationConfiguration takes."""
    arn_key = _ARN_KEYS[kind]
    result = []
    for n, suffix in enumerate(filters.suffixes, start=1):
        rules = [{"Name": "suffix", "Value": suffix}]
        if filters.prefix:
            rules.insert(0, {"Name": "prefix", "Value": filters.prefix})
        result.append(
            {
                "Id": f"{id_prefix}{n}",
                arn_key: target_arn,
                "Events": list(EVENTS),
                "Filter": {"Key": {"FilterRules": rules}},
            }
        )
    return result


def merged(
    existing: Mapping[str, Any], id_prefix: str, kind: str | None, ours: Sequence[dict[str, Any]]
) -> dict[str, Any]:
    """The bucket's configuration with ours replaced: others' entries are kept as they were.

    ``kind`` None (with no ``ours``) removes our entries only: the stack's delete.
    """
    result: dict[str, Any] = {}
    for name in _OWNED_LISTS:
        kept = [c for c in existing.get(name, []) if not c.get("Id", "").startswith(id_prefix)]
        if kind is not None and _KINDS[kind] == name:
            kept.extend(ours)
        if kept:
            result[name] = kept
    if "EventBridgeConfiguration" in existing:
        result["EventBridgeConfiguration"] = existing["EventBridgeConfiguration"]
    return result


def apply(
    s3: Any,
    bucket: str,
    id_prefix: str,
    kind: str | None = None,
    target_arn: str = "",
    filters: Filters | None = None,
) -> dict[str, Any]:
    """Replace our notification configurations on ``bucket`` (none when ``kind`` is None)."""
    current = s3.get_bucket_notification_configuration(Bucket=bucket)
    current.pop("ResponseMetadata", None)
    ours = configurations(filters, target_arn, kind, id_prefix) if kind and filters else []
    config = merged(current, id_prefix, kind, ours)
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration=config)
    return config


# ---- the CloudFormation custom resource ------------------------------------------------------


@dataclass(frozen=True)
class Request:
    """The custom resource's properties (all strings, as CloudFormation passes them)."""

    bucket: str
    id_prefix: str
    kind: str
    target_arn: str
    filters: Filters
    results_bucket: str
    results_prefix: str

    @classmethod
    def of(cls, props: Mapping[str, Any]) -> Request:
        kind = props["TargetKind"]
        if kind not in _KINDS:
            raise FilterError(f"TargetKind must be one of {sorted(_KINDS)}, not {kind!r}")
        filters = make_filters(props.get("Prefix", ""), props.get("Suffixes", ""))
        request = cls(
            bucket=props["Bucket"],
            id_prefix=props["IdPrefix"],
            kind=kind,
            target_arn=props["TargetArn"],
            filters=filters,
            results_bucket=props.get("ResultsBucket", ""),
            results_prefix=props.get("ResultsPrefix", ""),
        )
        check_no_loop(filters, request.bucket, request.results_bucket, request.results_prefix)
        return request


def physical_id(props: Mapping[str, Any]) -> str:
    """Bucket and id prefix: when an update changes either, CloudFormation deletes the old one."""
    return f"{props.get('Bucket', '')}/{props.get('IdPrefix', '')}"


def handle(event: Mapping[str, Any], s3: Any) -> tuple[str, dict[str, Any]]:
    """Carry out one Create, Update or Delete; returns the physical id and the response's Data."""
    props = event["ResourceProperties"]
    if event["RequestType"] == "Delete":
        try:
            apply(s3, props["Bucket"], props["IdPrefix"])
        except s3.exceptions.NoSuchBucket:
            LOG.info("bucket %s is gone: nothing to remove", props["Bucket"])
        return event["PhysicalResourceId"], {}
    request = Request.of(props)
    config = apply(
        s3, request.bucket, request.id_prefix, request.kind, request.target_arn, request.filters
    )
    ours = [c for v in config.values() if isinstance(v, list) for c in v]
    count = sum(c["Id"].startswith(request.id_prefix) for c in ours)
    return physical_id(props), {"Configurations": str(count)}


def respond(
    event: Mapping[str, Any], status: str, reason: str, resource_id: str, data: Mapping[str, Any]
) -> None:
    """PUT the result to CloudFormation's pre-signed response URL."""
    body = json.dumps(
        {
            "Status": status,
            "Reason": reason[:3000],
            "PhysicalResourceId": resource_id,
            "StackId": event["StackId"],
            "RequestId": event["RequestId"],
            "LogicalResourceId": event["LogicalResourceId"],
            "Data": dict(data),
        }
    ).encode()
    request = urllib.request.Request(
        event["ResponseURL"], data=body, method="PUT", headers={"Content-Type": ""}
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        answer.read()


def handler(event: Mapping[str, Any], context: Any, s3: Any = None) -> None:
    """Lambda entry point: never raises, always answers CloudFormation (or the stack hangs)."""
    fallback = event.get("PhysicalResourceId") or physical_id(event["ResourceProperties"])
    try:
        if s3 is None:
            import boto3

            s3 = boto3.client("s3")
        resource_id, data = handle(event, s3)
        respond(event, "SUCCESS", "notifications applied", resource_id, data)
    except Exception as error:  # reported to CloudFormation
        LOG.exception("bucket notifications failed")
        respond(event, "FAILED", f"{type(error).__name__}: {error}", fallback, {})
