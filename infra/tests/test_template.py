"""The templates against the code they deploy: names, defaults and filters must agree."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from cfnlint.decode import decode

import backfill
from maclip_infra.notifications import Request, check_no_loop, make_filters

INFRA = Path(__file__).parents[1]
ROOT = INFRA.parent
CONFIG = ROOT / "function/src/main/java/org/maclip/function/FunctionConfig.java"


def _load(path: Path) -> dict[str, Any]:
    template, matches = decode(str(path))
    assert not matches, matches
    return template


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return _load(INFRA / "template.yaml")


def _default(template: dict[str, Any], name: str) -> str:
    return str(template["Parameters"][name]["Default"])


def _config_keys() -> set[str]:
    """maclip.* keys of the function's @ConfigMapping, as environment variable names."""
    source = CONFIG.read_text()
    keys = set()
    for group, body in re.findall(r"\n  interface (\w+) \{(.*?)\n  \}", source, re.S):
        for method in re.findall(r"\n\s+\S+ (\w+)\(\);", body):
            keys.add(f"{group}.{method}")
    top = source.split("interface Tagging")[0]
    for name in re.findall(r"\n  (?:[\w<>.]+) (\w+)\(\);", top):
        keys.add(name)
    for name in re.findall(r'@WithName\("([\w-]+)"\)', source):
        keys.add(name)

    def env(key: str) -> str:
        kebab = re.sub(r"([a-z])([A-Z])", r"\1-\2", key).lower()
        return "MACLIP_" + re.sub(r"[.-]", "_", kebab).upper()

    return {env(k) for k in keys}


@pytest.mark.skipif(not CONFIG.exists(), reason="function/ not written yet")
def test_every_maclip_variable_is_one_the_function_reads(template):
    variables = template["Globals"]["Function"]["Environment"]["Variables"]
    ours = {v for v in variables if v.startswith("MACLIP_")}
    known = _config_keys()
    assert "MACLIP_RESULTS_PREFIX" in known  # the parser above still understands the file
    assert ours - known == set(), f"the function has no setting for {sorted(ours - known)}"


def test_default_filters_deploy_without_a_loop(template):
    filters = make_filters(_default(template, "InputPrefix"), _default(template, "ImageSuffixes"))
    check_no_loop(filters, "bucket", "", _default(template, "ResultsPrefix"))


def test_backfill_defaults_to_the_templates_suffixes(template):
    assert _default(template, "ImageSuffixes") == backfill.DEFAULT_SUFFIXES


def test_custom_resource_properties_are_the_ones_the_handler_reads(template):
    props = dict(template["Resources"]["BucketNotifications"]["Properties"])
    plain = {k: "x" for k in props}
    plain.update(TargetKind="queue", Prefix="in/", Suffixes=".jpg", ResultsPrefix="out/")
    request = Request.of(plain)  # raises on a missing key
    assert request.filters.suffixes == (".jpg",)
    handler = template["Resources"]["NotificationsFunction"]["Properties"]["Handler"]
    module, function = handler.split(".")
    assert (INFRA / "maclip_infra" / f"{module}.py").exists() and function == "handler"


def test_queue_settings_follow_lambdas_rules(template):
    resources = template["Resources"]
    mapping = resources["QueueToFunction"]["Properties"]
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    timeout = int(_default(template, "TimeoutSeconds"))
    assert int(_default(template, "VisibilityTimeoutSeconds")) >= 6 * timeout
    # S3 cannot publish to a queue encrypted with the AWS managed KMS key.
    for name in ("Queue", "DeadLetterQueue"):
        assert resources[name]["Properties"]["SqsManagedSseEnabled"] is True


def test_zip_function_points_at_the_quarkus_build(template):
    props = template["Resources"]["ScoringZipFunction"]["Properties"]
    assert props["CodeUri"] == "../function/target/function.zip"
    handler = props["Handler"]["Fn::If"][2]
    assert handler == "io.quarkus.amazon.lambda.runtime.QuarkusStreamHandler::handleRequest"
