"""What the function tells operators, read back on the local chain: its metric lines (CloudWatch's
embedded metric format, in the worker's output) and its EventBridge events (routed by a rule on
moto's default bus to an SQS queue, as a user would route them).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from maclip_infra.localchain import drain

SOURCE = "org.maclip"  # QualityEvents.SOURCE
LOW_QUALITY = "Low-quality image"  # QualityEvents.LOW_QUALITY
NOT_SCORED = "Image not scored"  # QualityEvents.NOT_SCORED


def metric_lines(text: str) -> list[dict[str, Any]]:
    """The embedded-metric-format lines of a log: whole-line JSON objects with an ``_aws`` member
    (where CloudWatch Logs would find them; anything else on the line hides them from it)."""
    lines = []
    for line in text.splitlines():
        if line.startswith('{"_aws":'):
            lines.append(json.loads(line))
    return lines


@dataclass
class Signals:
    """Per key: what the metric lines and the events said about it, every attempt included."""

    scored: dict[str, int] = field(default_factory=dict)  # key -> scored lines
    failed: dict[str, set[str]] = field(default_factory=dict)  # key -> causes
    low_lines: set[str] = field(default_factory=set)  # keys with a LowQuality=1 line
    low_events: set[str] = field(default_factory=set)
    error_events: dict[str, set[str]] = field(default_factory=dict)  # key -> causes announced
    scored_lines: int = 0
    failed_lines: int = 0
    events_seen: int = 0
    batches: int = 0
    retried: int = 0
    events_sent: int = 0
    events_failed: int = 0
    replaced_other_model: int = 0
    functions: set[str] = field(default_factory=set)

    def add_lines(self, lines: Iterable[dict[str, Any]]) -> None:
        for line in lines:
            self.functions.add(str(line.get("Function")))
            key = line.get("key")
            if line.get("ImagesScored") == 1:
                self.scored_lines += 1
                self.scored[key] = self.scored.get(key, 0) + 1
                if line.get("LowQuality") == 1:
                    self.low_lines.add(key)
            elif line.get("ImagesFailed") == 1:
                self.failed_lines += 1
                self.failed.setdefault(key, set()).add(str(line["Cause"]))
            elif "BatchImages" in line:
                self.batches += 1
                self.retried += int(line["Retried"])
                self.events_sent += int(line["EventsSent"])
                self.events_failed += int(line["EventsFailed"])
                self.replaced_other_model += int(line["ReplacedOtherModel"])

    def add_events(self, events: Iterable[dict[str, Any]]) -> None:
        for event in events:
            if event.get("source") != SOURCE:
                continue
            self.events_seen += 1
            detail = event["detail"]
            if event["detail-type"] == LOW_QUALITY:
                self.low_events.add(detail["key"])
            elif event["detail-type"] == NOT_SCORED:
                self.error_events.setdefault(detail["key"], set()).add(detail["cause"])


def route_events(events: Any, sqs: Any, queue_name: str, bucket: str) -> str:
    """A queue that receives maclip's events about ``bucket``: a rule on the default bus."""
    url = str(sqs.create_queue(QueueName=queue_name)["QueueUrl"])
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    pattern = {"source": [SOURCE], "detail": {"bucket": [bucket]}}
    events.put_rule(Name=f"{queue_name}-rule", EventPattern=json.dumps(pattern))
    events.put_targets(Rule=f"{queue_name}-rule", Targets=[{"Id": "queue", "Arn": arn}])
    return url


def drain_events(sqs: Any, url: str) -> list[dict[str, Any]]:
    """Every event waiting on a :func:`route_events` queue, parsed, removed from it."""
    return [json.loads(m["Body"]) for m in drain(sqs, url)]
