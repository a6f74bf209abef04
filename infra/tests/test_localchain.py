"""The local chain's AWS side, without the function: what it sets up and how it reports."""

from __future__ import annotations

import io
import json
from pathlib import Path

from maclip_infra import localchain

ROOT = Path(__file__).parents[2]
IMAGES = ROOT / "maclip-scoring/src/test/resources/golden/images"
TEMPLATE = ROOT / "infra/template.yaml"


def test_layout_is_the_templates_defaults():
    layout = localchain.Layout.from_template(TEMPLATE)
    assert layout.input_prefix == "incoming/"
    assert layout.results_prefix == "maclip-results/"
    assert ".png" in layout.suffixes.split(",")
    assert layout.max_receive_count == 3


def test_setup_queues_only_the_images_and_show_reports_missing_results(aws):
    layout = localchain.Layout.from_template(TEMPLATE)
    state = localchain.setup((aws.s3, aws.sqs), layout, IMAGES, visibility_timeout=30)
    expected = state["expected_results"]
    assert sorted(expected) == sorted(
        f"maclip-results/incoming/{name}.json"
        for name in [
            "holiday photos/beach 1.png",
            "a+b=c.png",
            "ünïcødé/2024/写真.png",
            "broken.png",
        ]
    )
    assert state["first_message"]["Records"][0]["eventSource"] == "aws:s3"
    # One message per image plus S3's test event; the peeked one is visible again.
    bodies = [json.loads(m["Body"]) for m in aws.drain(state["queue_url"])]
    assert sum("Records" in b for b in bodies) == 4
    assert sum(b.get("Event") == "s3:TestEvent" for b in bodies) == 1

    out = io.StringIO()
    aws_pair = (aws.s3, aws.sqs)
    assert localchain.show(aws_pair, expected, state["dead_letter_url"], out) == 1
    assert out.getvalue().count("MISSING") == 4

    for key in expected:
        source = key.removeprefix("maclip-results/").removesuffix(".json")
        result = {"source": {"key": source}, "q": 0.5, "view_scores": [{}, {}]}
        aws.s3.put_object(Bucket=localchain.BUCKET, Key=key, Body=json.dumps(result).encode())
    out = io.StringIO()
    assert localchain.show(aws_pair, expected, state["dead_letter_url"], out) == 0
    assert '"view_scores": "[2 views]"' in out.getvalue()
    assert "dead-letter queue: 0 message(s)" in out.getvalue()


def test_env_exports_the_templates_settings_for_the_shell(capsys):
    assert localchain.main(["env", "--template", str(TEMPLATE)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "export MACLIP_INPUT_PREFIX=incoming/" in lines
    assert "export MACLIP_RESULTS_PREFIX=maclip-results/" in lines
    assert any(line.startswith("export MACLIP_SUFFIXES=") for line in lines)
