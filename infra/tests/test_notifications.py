"""The bucket's notification filters: checks, and their effect on a real (moto) S3 server."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any
from urllib.parse import unquote_plus

import pytest

from maclip_infra.notifications import (
    FilterError,
    apply,
    check_no_loop,
    handler,
    make_filters,
    parse_suffixes,
)

IMAGES = ".jpg,.jpeg,.png"


def test_suffixes_parse_from_a_comma_list_dropping_blanks():
    assert parse_suffixes(" .jpg, ,.png,") == (".jpg", ".png")
    assert parse_suffixes([".tif", " "]) == (".tif",)


@pytest.mark.parametrize(
    ("prefix", "suffixes", "message"),
    [
        ("in/", "", "no image suffix"),
        ("in/", ".jpg,jpg", "overlap"),
        ("in/", ".tif,.tiff,.TIF,f", "overlap"),
        ("in put/", ".jpg", "percent-encoded"),
        ("in/", ".jp*g", "percent-encoded"),
    ],
)
def test_filters_refuse_what_s3_would_refuse_or_misread(prefix, suffixes, message):
    with pytest.raises(FilterError, match=message):
        make_filters(prefix, suffixes)


def test_filters_match_case_sensitively_like_s3():
    filters = make_filters("in/", ".jpg,.JPG,.tif,.tiff")
    assert filters.matches("in/a/b.jpg")
    assert filters.matches("in/B.JPG")
    assert filters.matches("in/x.tiff")
    assert not filters.matches("in/c.Jpg")
    assert not filters.matches("out/a.jpg")
    assert not filters.matches("in/a.jpg.json")


@pytest.mark.parametrize("suffix", [".json", "json", "n"])
def test_no_suffix_may_match_a_result(suffix):
    filters = make_filters("in/", f".jpg,{suffix}")
    with pytest.raises(FilterError, match="trigger the function again"):
        check_no_loop(filters, "b", "other-bucket", "results/")


@pytest.mark.parametrize(
    ("prefix", "results_prefix"),
    [("in/", "in/results/"), ("data/in/", "data/"), ("", "results/"), ("in/", "in/")],
)
def test_in_one_bucket_the_prefixes_must_be_disjoint(prefix, results_prefix):
    filters = make_filters(prefix, IMAGES)
    with pytest.raises(FilterError, match="overlap"):
        check_no_loop(filters, "b", "", results_prefix)
    with pytest.raises(FilterError, match="overlap"):
        check_no_loop(filters, "b", "b", results_prefix)


def test_accepted_layouts():
    check_no_loop(make_filters("in/", IMAGES), "b", "", "results/")
    check_no_loop(make_filters("in/", IMAGES), "b", "b", "maclip/")
    # Another bucket: any prefixes, even the whole input bucket.
    check_no_loop(make_filters("", IMAGES), "b", "scores", "")
    with pytest.raises(FilterError, match="results prefix is needed"):
        check_no_loop(make_filters("in/", IMAGES), "b", "", "")


def _keys_sent(aws, url: str) -> list[str]:
    """Decoded keys of the object events on the queue; S3's s3:TestEvent bodies are skipped."""
    bodies = [json.loads(m["Body"]) for m in aws.drain(url)]
    return sorted(
        unquote_plus(b["Records"][0]["s3"]["object"]["key"]) for b in bodies if "Records" in b
    )


def test_applied_filters_send_only_matching_uploads_and_keep_others_entries(aws):
    bucket = aws.bucket("photos")
    url, arn = aws.queue("scoring")
    _, other_arn = aws.queue("someone-elses")
    aws.s3.put_bucket_notification_configuration(
        Bucket=bucket,
        NotificationConfiguration={
            "QueueConfigurations": [
                {"Id": "theirs", "QueueArn": other_arn, "Events": ["s3:ObjectRemoved:*"]}
            ]
        },
    )
    filters = make_filters("in/", IMAGES)
    apply(aws.s3, bucket, "maclip-test-", "queue", arn, filters)
    # S3 greets a newly configured queue with a test event (the function must ignore it).
    greeting = [json.loads(m["Body"]) for m in aws.drain(url)]
    assert [g.get("Event") for g in greeting] == ["s3:TestEvent"]

    config = aws.s3.get_bucket_notification_configuration(Bucket=bucket)
    ids = sorted(c["Id"] for c in config["QueueConfigurations"])
    assert ids == ["maclip-test-1", "maclip-test-2", "maclip-test-3", "theirs"]

    for key in ["in/a.jpg", "in/deep/er/b c.png", "in/x.gif", "out/d.jpg", "results/in/a.jpg.json"]:
        aws.s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    assert _keys_sent(aws, url) == ["in/a.jpg", "in/deep/er/b c.png"]

    # Re-applied with other suffixes: ours replaced, not added to.
    apply(aws.s3, bucket, "maclip-test-", "queue", arn, make_filters("in/", ".gif"))
    config = aws.s3.get_bucket_notification_configuration(Bucket=bucket)
    assert sorted(c["Id"] for c in config["QueueConfigurations"]) == ["maclip-test-1", "theirs"]
    aws.s3.put_object(Bucket=bucket, Key="in/a.jpg", Body=b"x")
    aws.s3.put_object(Bucket=bucket, Key="in/y.gif", Body=b"x")
    assert _keys_sent(aws, url) == ["in/y.gif"]

    # Removed: only theirs stays.
    apply(aws.s3, bucket, "maclip-test-")
    config = aws.s3.get_bucket_notification_configuration(Bucket=bucket)
    assert [c["Id"] for c in config["QueueConfigurations"]] == ["theirs"]


class _CloudFormation:
    """A loopback HTTP server standing in for CloudFormation's pre-signed response URL."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []
        answers = self.bodies

        class Handler(BaseHTTPRequestHandler):
            def do_PUT(self) -> None:  # noqa: N802 (http.server's name)
                length = int(self.headers["Content-Length"])
                answers.append(json.loads(self.rfile.read(length)))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/response"

    def event(self, kind: str, props: dict[str, str], **extra: Any) -> dict[str, Any]:
        return {
            "RequestType": kind,
            "ResponseURL": self.url,
            "StackId": "arn:aws:cloudformation:eu-west-1:123456789012:stack/s/1",
            "RequestId": "r1",
            "LogicalResourceId": "BucketNotifications",
            "ResourceProperties": props,
            **extra,
        }


@pytest.fixture
def cloudformation() -> Iterator[_CloudFormation]:
    cf = _CloudFormation()
    yield cf
    cf.server.shutdown()


def _props(bucket: str, arn: str, **changes: str) -> dict[str, str]:
    props = {
        "ServiceToken": "arn:aws:lambda:eu-west-1:123456789012:function:n",
        "Bucket": bucket,
        "IdPrefix": "maclip-stack-",
        "TargetKind": "queue",
        "TargetArn": arn,
        "Prefix": "in/",
        "Suffixes": IMAGES,
        "ResultsBucket": "",
        "ResultsPrefix": "maclip-results/",
    }
    return {**props, **changes}


def test_custom_resource_creates_and_deletes(aws, cloudformation):
    bucket = aws.bucket("photos")
    _, arn = aws.queue("scoring")
    handler(cloudformation.event("Create", _props(bucket, arn)), None, aws.s3)
    answer = cloudformation.bodies[-1]
    assert answer["Status"] == "SUCCESS", answer["Reason"]
    assert answer["PhysicalResourceId"] == "photos/maclip-stack-"
    assert answer["Data"] == {"Configurations": "3"}
    assert (
        len(aws.s3.get_bucket_notification_configuration(Bucket=bucket)["QueueConfigurations"]) == 3
    )

    delete = cloudformation.event(
        "Delete", _props(bucket, arn), PhysicalResourceId=answer["PhysicalResourceId"]
    )
    handler(delete, None, aws.s3)
    assert cloudformation.bodies[-1]["Status"] == "SUCCESS"
    assert "QueueConfigurations" not in aws.s3.get_bucket_notification_configuration(Bucket=bucket)


def test_custom_resource_refuses_a_loop_and_says_why(aws, cloudformation):
    bucket = aws.bucket("photos")
    _, arn = aws.queue("scoring")
    handler(
        cloudformation.event("Create", _props(bucket, arn, ResultsPrefix="in/scores/")),
        None,
        aws.s3,
    )
    answer = cloudformation.bodies[-1]
    assert answer["Status"] == "FAILED"
    assert "'in/' and results prefix 'in/scores/' overlap" in answer["Reason"]
    assert "QueueConfigurations" not in aws.s3.get_bucket_notification_configuration(Bucket=bucket)


def test_custom_resource_delete_of_a_bucket_already_gone_succeeds(aws, cloudformation):
    _, arn = aws.queue("scoring")
    event = cloudformation.event("Delete", _props("gone", arn), PhysicalResourceId="gone/x-")
    handler(event, None, aws.s3)
    assert cloudformation.bodies[-1]["Status"] == "SUCCESS"
    assert cloudformation.bodies[-1]["PhysicalResourceId"] == "gone/x-"
