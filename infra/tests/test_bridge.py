"""The queue bridge: SQS batches through the Lambda Runtime API, settled as Lambda settles them."""

from __future__ import annotations

import json
import sys
import threading
import time
from pathlib import Path

import pytest
import runtime_client

from maclip_infra import bridge
from maclip_infra.events import failed_ids, sqs_event

HERE = Path(__file__).parent


def _dlq_queue(aws, max_receives: int = 1) -> tuple[str, str]:
    """A queue whose messages go to a dead-letter queue after ``max_receives`` receives."""
    dlq_url, dlq_arn = aws.queue("scoring-dlq")
    url, _ = aws.queue("scoring")
    aws.sqs.set_queue_attributes(
        QueueUrl=url,
        Attributes={
            "RedrivePolicy": json.dumps(
                {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": str(max_receives)}
            ),
            "VisibilityTimeout": "1",
        },
    )
    return url, dlq_url


def _send(aws, url: str, bodies: list[str]) -> None:
    for body in bodies:
        aws.sqs.send_message(QueueUrl=url, MessageBody=body)


def _feeder(aws, url: str, **kwargs) -> bridge.Feeder:
    arn = aws.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
    return bridge.Feeder(aws.sqs, url, arn["Attributes"]["QueueArn"], wait_seconds=1, **kwargs)


def _bodies(messages) -> list[str]:
    return sorted(m["Body"] for m in messages)


def test_failed_ids_follow_lambdas_rules():
    ids = ["a", "b", "c"]
    assert failed_ids(b"", ids) == set()
    assert failed_ids(b"null", ids) == set()
    assert failed_ids(b'{"batchItemFailures": []}', ids) == set()
    assert failed_ids(b'{"batchItemFailures": [{"itemIdentifier": "b"}]}', ids) == {"b"}
    # Whole batch failed: not JSON, not an object, an empty, missing or unknown identifier.
    for bad in [b"{oops", b'"ok"', b'{"batchItemFailures": [{"itemIdentifier": ""}]}',
                b'{"batchItemFailures": [{"id": "a"}]}',
                b'{"batchItemFailures": [{"itemIdentifier": "z"}]}']:  # fmt: skip
        assert failed_ids(bad, ids) == set(ids), bad


def test_sqs_event_has_lambdas_record_fields(aws):
    url, arn = aws.queue("q")
    aws.sqs.send_message(
        QueueUrl=url,
        MessageBody='{"Records": []}',
        MessageAttributes={"k": {"DataType": "String", "StringValue": "v"}},
    )
    got = aws.sqs.receive_message(
        QueueUrl=url, AttributeNames=["All"], MessageAttributeNames=["All"]
    )["Messages"]
    record = sqs_event(got, arn)["Records"][0]
    assert record["eventSource"] == "aws:sqs"
    assert record["eventSourceARN"] == arn
    assert record["awsRegion"] == "eu-west-1"
    assert record["body"] == '{"Records": []}'
    assert record["messageId"] == got[0]["MessageId"]
    assert record["attributes"]["ApproximateReceiveCount"] == "1"
    assert record["messageAttributes"]["k"]["stringValue"] == "v"


def test_reported_failures_stay_and_reach_the_dead_letter_queue(aws):
    url, dlq_url = _dlq_queue(aws)
    _send(aws, url, ["ok 1", "fail 2", "ok 3"])
    feeder = _feeder(aws, url, stop_when_empty=True)
    api = bridge.RuntimeApi(feeder, "arn:aws:lambda:eu-west-1:123456789012:function:f", 60_000)
    threading.Thread(target=api.serve_forever, daemon=True).start()
    try:
        handled = runtime_client.serve(api.address, limit=1)
    finally:
        api.shutdown()
    assert handled == 1
    assert (feeder.counts.succeeded, feeder.counts.failed) == (2, 1)
    time.sleep(1.2)  # the failed message's visibility timeout
    # Received once already (maxReceiveCount 1): the next receive moves it to the DLQ.
    assert aws.drain(url) == []
    assert _bodies(aws.drain(dlq_url)) == ["fail 2"]


def test_an_invocation_error_fails_the_whole_batch(aws):
    url, _ = aws.queue("scoring")
    _send(aws, url, ["ok 1", "crash 2"])
    feeder = _feeder(aws, url, visibility_timeout=1)
    api = bridge.RuntimeApi(feeder, "arn:aws:lambda:eu-west-1:123456789012:function:f", 60_000)
    threading.Thread(target=api.serve_forever, daemon=True).start()
    try:
        runtime_client.serve(api.address, limit=1)
    finally:
        api.shutdown()
    assert (feeder.counts.succeeded, feeder.counts.failed) == (0, 2)
    time.sleep(1.2)
    assert _bodies(aws.drain(url)) == ["crash 2", "ok 1"]


def test_command_line_runs_a_runtime_process_until_the_queue_is_empty(aws, caplog):
    url, dlq_url = _dlq_queue(aws, max_receives=1)
    _send(aws, url, [f"ok {n}" for n in range(13)] + ["fail x"])
    code = bridge.main(
        [
            "--queue-url", url, "--endpoint-url", aws.endpoint, "--wait-seconds", "1",
            "--until-empty", "--", sys.executable, str(HERE / "runtime_client.py"),
        ]
    )  # fmt: skip
    assert code == 0
    assert "batches: 13 messages done, 1 to retry" in caplog.text
    time.sleep(1.2)
    assert aws.drain(url) == []
    assert _bodies(aws.drain(dlq_url)) == ["fail x"]


def test_a_missing_queue_is_one_line(aws, capsys):
    code = bridge.main(
        ["--queue-url", f"{aws.endpoint}/123456789012/nope", "--endpoint-url", aws.endpoint,
         "--", "true"]
    )  # fmt: skip
    assert code == 2
    assert capsys.readouterr().err.startswith("bridge: cannot read queue")


def test_batch_size_is_checked():
    with pytest.raises(SystemExit):
        bridge.parse_args(["--queue-url", "u", "--batch-size", "11", "--", "true"])


def test_settings_come_from_the_deployed_function_and_local_ones_win(aws, tmp_path, monkeypatch):
    import boto3

    session = boto3.session.Session(region_name="eu-west-1")
    iam = session.client("iam", endpoint_url=aws.endpoint)
    role = iam.create_role(RoleName="r", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    session.client("lambda", endpoint_url=aws.endpoint).create_function(
        FunctionName="stack-scoring",
        Runtime="java21",
        Role=role,
        Handler="h",
        Code={"ZipFile": b"PK\x05\x06" + b"\x00" * 18},
        Environment={
            "Variables": {"MACLIP_INPUT_PREFIX": "in/", "MACLIP_DEVICE": "cpu", "OTHER": "x"}
        },
    )
    url, _ = aws.queue("scoring")
    _send(aws, url, ["ok"])
    seen = tmp_path / "env.json"
    monkeypatch.setenv("RUNTIME_CLIENT_ENV_OUT", str(seen))
    monkeypatch.setenv("MACLIP_DEVICE", "cuda")
    monkeypatch.setenv("MACLIP_QUEUE_URL", url)
    monkeypatch.setenv("MACLIP_FUNCTION_NAME", "stack-scoring")
    code = bridge.main(
        ["--endpoint-url", aws.endpoint, "--wait-seconds", "1", "--until-empty",
         "--", sys.executable, str(HERE / "runtime_client.py")]
    )  # fmt: skip
    assert code == 0
    env = json.loads(seen.read_text())
    assert env["MACLIP_INPUT_PREFIX"] == "in/"
    assert env["MACLIP_DEVICE"] == "cuda"
    assert "OTHER" not in env
    assert env["AWS_LAMBDA_RUNTIME_API"].startswith("127.0.0.1:")


def test_an_unknown_function_is_one_line(aws, capsys):
    url, _ = aws.queue("scoring")
    code = bridge.main(
        ["--queue-url", url, "--endpoint-url", aws.endpoint, "--settings-from-function", "nope",
         "--", "true"]
    )  # fmt: skip
    assert code == 2
    assert capsys.readouterr().err.startswith("bridge: cannot read function nope's settings")
