"""The soak's own parts, without the worker: what it uploads, and the fault proxy."""

from __future__ import annotations

import threading
from collections import Counter
from pathlib import Path

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from maclip_infra import localchain, soak
from maclip_infra.faultproxy import FaultProxy
from maclip_infra.notifications import make_filters

TEMPLATE = Path(__file__).parents[1] / "template.yaml"


def test_plan_covers_every_kind_and_every_upload_is_notified():
    layout = localchain.Layout.from_template(TEMPLATE)
    planned = soak.plan(500, layout.input_prefix, seed=17)
    kinds = Counter(kind for _, kind, _ in planned)
    uploads = len(planned) + kinds["twice"]  # a key uploaded twice is two uploads
    assert uploads == 500
    assert set(kinds) == {
        "good",
        "twice",
        "broken",
        "truncated",
        "empty",
        "pixels",
        "bytes",
        "refused",
    }
    assert kinds["good"] > 400
    keys = [key for key, _, _ in planned]
    assert len(set(keys)) == len(keys)
    assert (
        any(" " in k for k in keys)
        and any("写真" in k for k in keys)
        and any("+" in k for k in keys)
    )
    filters = make_filters(layout.input_prefix, layout.suffixes)
    assert all(filters.matches(k) for k in keys), "S3 must notify every upload"


def test_good_images_stay_under_both_limits_and_the_bad_ones_do_not():
    for width, height in soak.GOOD_SIZES:
        assert soak._good(width, height, 1, "PNG")
    assert soak.OVER_PIXELS[0] * soak.OVER_PIXELS[1] > soak.MAX_PIXELS
    assert len(soak._image(*soak.OVER_BYTES, 3, "PNG", noise=127)) > soak.MAX_OBJECT_BYTES
    assert soak.OVER_BYTES[0] * soak.OVER_BYTES[1] <= soak.MAX_PIXELS


def _client(endpoint: str):
    return boto3.session.Session(region_name="eu-west-1").client(
        "s3",
        endpoint_url=endpoint,
        config=Config(retries={"total_max_attempts": 1, "mode": "standard"}),
    )


@pytest.fixture
def proxy(aws):
    servers = []

    def start(rate: float) -> FaultProxy:
        server = FaultProxy(aws.endpoint, rate, seed=1, marker=soak.REFUSED_MARKER)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.shutdown()


def test_fault_proxy_forwards_requests_and_refuses_the_marked_keys(aws, proxy):
    aws.bucket("soak-proxy")
    server = proxy(0.0)
    s3 = _client(server.url)
    s3.put_object(Bucket="soak-proxy", Key="a b/ü.png", Body=b"12345")
    assert s3.get_object(Bucket="soak-proxy", Key="a b/ü.png")["Body"].read() == b"12345"
    assert s3.head_object(Bucket="soak-proxy", Key="a b/ü.png")["ContentLength"] == 5
    with pytest.raises(ClientError) as refused:
        s3.head_object(Bucket="soak-proxy", Key=f"x/{soak.REFUSED_MARKER} 1.png")
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 503
    with pytest.raises(ClientError) as slow:
        s3.get_object(Bucket="soak-proxy", Key=f"{soak.REFUSED_MARKER}.png")
    assert slow.value.response["Error"]["Code"] == "SlowDown"
    assert (server.counts.requests, server.counts.refused_503, server.counts.random_503) == (
        5,
        2,
        0,
    )


def test_fault_proxy_refuses_its_share_at_random(aws, proxy):
    aws.bucket("soak-random")
    s3 = _client(proxy(0.5).url)
    outcomes = Counter()
    for n in range(40):
        try:
            s3.put_object(Bucket="soak-random", Key=f"k{n}", Body=b"x")
            outcomes["ok"] += 1
        except ClientError:
            outcomes["503"] += 1
    assert 8 <= outcomes["503"] <= 32, outcomes


def test_wait_empty_needs_nothing_visible_and_nothing_in_flight(aws):
    url, _ = aws.queue("soak-wait")
    aws.sqs.send_message(QueueUrl=url, MessageBody="x")
    assert not localchain.wait_empty(aws.sqs, url, timeout=1.5, settle=0.5)
    got = aws.sqs.receive_message(QueueUrl=url, VisibilityTimeout=30)["Messages"]
    assert localchain.queue_depth(aws.sqs, url) == (0, 1)
    assert not localchain.wait_empty(aws.sqs, url, timeout=1.5, settle=0.5), "in flight counts"
    aws.sqs.delete_message(QueueUrl=url, ReceiptHandle=got[0]["ReceiptHandle"])
    assert localchain.wait_empty(aws.sqs, url, timeout=5, settle=0.5)
