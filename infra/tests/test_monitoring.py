"""Reading back what the function tells operators: its metric lines and its events."""

from __future__ import annotations

import json

import boto3

from maclip_infra.monitoring import (
    LOW_QUALITY,
    NOT_SCORED,
    SOURCE,
    Signals,
    drain_events,
    metric_lines,
    route_events,
)


def _line(**values) -> str:
    return json.dumps({"_aws": {"Timestamp": 1, "CloudWatchMetrics": []}, **values})


LOG = "\n".join(
    [
        "2026-12-07 05:33:26,971 INFO  [org.maclip.function.ScoringService] s3://b/a.png: Q=0.8",
        _line(Function="f", ImagesScored=1, Q=0.7, LowQuality=1, key="a.png"),
        _line(Function="f", ImagesScored=1, Q=0.9, LowQuality=0, key="b.png"),
        _line(Function="f", ImagesScored=1, Q=0.7, LowQuality=1, key="a.png"),  # a retry
        _line(Function="f", ImagesFailed=1, Cause="unreadable", key="c.png"),
        "INFO a log line that quotes " + _line(Function="x", ImagesScored=1, key="hidden.png"),
        _line(
            Function="f",
            BatchImages=4,
            Retried=1,
            EventsSent=2,
            EventsFailed=0,
            ReplacedOtherModel=1,
        ),
    ]
)


def test_only_whole_lines_count_as_metric_lines_and_every_attempt_is_tallied():
    lines = metric_lines(LOG)
    assert len(lines) == 5, "a line with a prefix is not extracted by CloudWatch either"
    signals = Signals()
    signals.add_lines(lines)
    assert signals.scored == {"a.png": 2, "b.png": 1}
    assert (signals.scored_lines, signals.failed_lines) == (3, 1)
    assert signals.failed == {"c.png": {"unreadable"}}
    assert signals.low_lines == {"a.png"}
    assert (signals.batches, signals.retried, signals.events_sent) == (1, 1, 2)
    assert signals.replaced_other_model == 1
    assert signals.functions == {"f"}


def test_a_rule_on_the_default_bus_routes_only_maclips_events_of_the_bucket(aws):
    events = boto3.session.Session(region_name="eu-west-1").client(
        "events", endpoint_url=aws.endpoint
    )
    url = route_events(events, aws.sqs, "photos-announced", "photos")

    def put(source: str, detail_type: str, bucket: str, **detail) -> None:
        detail = {"bucket": bucket, "key": "k.png", **detail}
        events.put_events(
            Entries=[{"Source": source, "DetailType": detail_type, "Detail": json.dumps(detail)}]
        )

    put(SOURCE, LOW_QUALITY, "photos", q=0.2)
    put(SOURCE, NOT_SCORED, "photos", cause="too-large")
    put(SOURCE, LOW_QUALITY, "other-bucket", q=0.1)
    put("someone.else", LOW_QUALITY, "photos", q=0.1)

    signals = Signals()
    signals.add_events(drain_events(aws.sqs, url))
    assert signals.low_events == {"k.png"}
    assert signals.error_events == {"k.png": {"too-large"}}
    assert signals.events_seen == 2
    assert drain_events(aws.sqs, url) == []
