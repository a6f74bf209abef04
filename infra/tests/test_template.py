"""The templates against the code they deploy: names, defaults and filters must agree."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from cfn_eval import Resolved
from cfnlint.decode import decode

import backfill
from maclip_infra.notifications import Request, check_no_loop, make_filters

INFRA = Path(__file__).parents[1]
ROOT = INFRA.parent
CONFIG = ROOT / "function/src/main/java/org/maclip/function/FunctionConfig.java"
FORMATS = ROOT / "maclip-scoring/src/main/java/org/maclip/scoring/ImageFormats.java"


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


def _readable_suffixes() -> list[str]:
    """maclip-scoring's ImageFormats.SUFFIXES, read from its source."""
    body = re.search(r"SUFFIXES =\s*List\.of\((.*?)\);", FORMATS.read_text(), re.S)
    assert body, f"{FORMATS} no longer declares SUFFIXES = List.of(...)"
    return re.findall(r'"([^"]+)"', body.group(1))


def test_the_default_suffixes_are_the_formats_maclip_reads(template):
    readable = _readable_suffixes()
    assert ".png" in readable and ".gif" in readable  # the parser above still reads the file
    default = _default(template, "ImageSuffixes").split(",")
    assert sorted({s.lower() for s in default}) == sorted(readable)
    assert set(readable) <= set(default)  # S3 compares case: each lower-case suffix is there


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


# ---- resolved for parameter values, as CloudFormation would --------------------------------


def _statements(resolved: Resolved) -> dict[str, dict[str, Any]]:
    resources = resolved.resources()
    policy = resources["ScoringAccessPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    inline = resources["ScoringRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    return {s["Sid"]: s for s in policy + inline}


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def test_defaults_grant_the_new_buckets_prefixes_only(template):
    resolved = Resolved(template, {})
    resources = resolved.resources()
    statements = _statements(resolved)
    assert statements["ReadInputPrefix"]["Resource"] == "<InputBucket.Arn>/incoming/*"
    assert statements["WriteResultsPrefix"]["Resource"] == (
        "arn:aws:s3:::<InputBucket>/maclip-results/*"
    )
    assert statements["ConsumeQueue"]["Resource"] == "<Queue.Arn>"
    assert not {"TagInputPrefix", "ReadModel", "EncryptedBuckets"} & statements.keys()
    assert "FailedInvocationsToDeadLetterQueue" not in statements
    assert {"Queue", "QueuePolicy", "QueueToFunction", "ScoringZipFunction"} <= resources.keys()
    assert not {"ScoringImageFunction", "S3InvokesFunction", "DirectFailures"} & resources.keys()
    env = resolved.value(template["Globals"]["Function"])["Environment"]["Variables"]
    assert env["MACLIP_MODEL"] == "/var/task/model"
    notify = resources["BucketNotifications"]["Properties"]
    assert (notify["TargetKind"], notify["TargetArn"]) == ("queue", "<Queue.Arn>")


def test_existing_buckets_s3_model_and_tags_are_granted_exactly(template):
    resolved = Resolved(
        template,
        {
            "InputBucketName": "photos",
            "InputPrefix": "in/",
            "ResultsBucketName": "scores",
            "ResultsPrefix": "out/",
            "ModelLocation": "s3://models/maclip/rn50.zip",
            "TagObjects": "true",
            "KmsKeyArn": "arn:aws:kms:eu-west-1:123456789012:key/k",
        },
    )
    statements = _statements(resolved)
    assert statements["ReadInputPrefix"]["Resource"] == "arn:aws:s3:::photos/in/*"
    assert statements["TellDeletedFromForbidden"]["Resource"] == "arn:aws:s3:::photos"
    assert statements["WriteResultsPrefix"]["Resource"] == "arn:aws:s3:::scores/out/*"
    assert statements["TagInputPrefix"]["Resource"] == "arn:aws:s3:::photos/in/*"
    assert statements["ReadModel"]["Resource"] == [
        "arn:aws:s3:::models/maclip/rn50.zip",
        "arn:aws:s3:::models/maclip/rn50.zip/*",
    ]
    assert statements["EncryptedBuckets"]["Resource"] == "arn:aws:kms:eu-west-1:123456789012:key/k"
    assert "InputBucket" not in resolved.resources()
    # Nothing writes under the input prefix, and no object right covers a whole bucket.
    for statement in statements.values():
        for resource in _as_list(statement["Resource"]):
            if statement["Sid"] != "TellDeletedFromForbidden" and resource.startswith("arn:aws:s3"):
                assert re.match(r"arn:aws:s3:::[^/*]+/.+", resource), resource
        if "s3:PutObject" in _as_list(statement["Action"]):
            assert statement["Resource"] == "arn:aws:s3:::scores/out/*"


def test_direct_trigger_with_an_image(template):
    resolved = Resolved(template, {"Trigger": "direct", "Packaging": "image"})
    resources = resolved.resources()
    assert {"S3InvokesFunction", "DirectFailures", "ScoringImageFunction"} <= resources.keys()
    assert not {"Queue", "QueuePolicy", "QueueToFunction", "ScoringZipFunction"} & resources.keys()
    failures = resources["DirectFailures"]["Properties"]["DestinationConfig"]["OnFailure"]
    assert failures["Destination"] == "<DeadLetterQueue.Arn>"
    statements = _statements(resolved)
    assert statements["FailedInvocationsToDeadLetterQueue"]["Resource"] == "<DeadLetterQueue.Arn>"
    assert "ConsumeQueue" not in statements
    globals_ = resolved.value(template["Globals"]["Function"])
    assert globals_["Environment"]["Variables"]["MACLIP_MODEL"] == "/opt/maclip/model"
    assert globals_["ReservedConcurrentExecutions"] == _default(template, "MaxConcurrency")
    notify = resources["BucketNotifications"]["Properties"]
    alias = "arn:aws:lambda:eu-west-1:123456789012:function:<ScoringImageFunction>:live"
    assert (notify["TargetKind"], notify["TargetArn"]) == ("function", alias)
    assert resources["S3InvokesFunction"]["Properties"]["FunctionName"] == alias
    direct = resources["DirectFailures"]["Properties"]
    assert (direct["FunctionName"], direct["Qualifier"]) == ("<ScoringImageFunction>", "live")


def _snap_start(resolved: Resolved) -> str:
    return resolved.resources()["ScoringZipFunction"]["Properties"]["SnapStart"]["ApplyOn"]


def test_snap_start_serves_the_jvm_zip_through_its_alias(template):
    resolved = Resolved(template, {})
    assert _snap_start(resolved) == "PublishedVersions"
    mapping = resolved.resources()["QueueToFunction"]["Properties"]
    assert mapping["FunctionName"] == (
        "arn:aws:lambda:eu-west-1:123456789012:function:<ScoringZipFunction>:live"
    )
    # SnapStart allows 512 MB of /tmp only: the default fits it, and a rule says so otherwise.
    assert _default(template, "EphemeralStorageMB") == "512"
    rule = template["Rules"]["SnapStartKeepsItsStorageLimit"]
    assert Resolved(template, {"EphemeralStorageMB": "1024"}).value(rule["RuleCondition"])
    assert not Resolved(template, {"SnapStart": "false"}).value(rule["RuleCondition"])
    assert not Resolved(template, {"EphemeralStorageMB": "1024"}).value(
        rule["Assertions"][0]["Assert"]
    )
    # Lambda has no SnapStart for provided.al2023 (native) or container images.
    assert _snap_start(Resolved(template, {"Packaging": "native"})) == "None"
    assert _snap_start(Resolved(template, {"SnapStart": "false"})) == "None"


def test_a_local_model_path_needs_no_s3_right(template):
    resolved = Resolved(template, {"ModelLocation": "/opt/models/vit"})
    assert "ReadModel" not in _statements(resolved)
    env = resolved.value(template["Globals"]["Function"])["Environment"]["Variables"]
    assert env["MACLIP_MODEL"] == "/opt/models/vit"


# ---- the GPU stack against the scoring stack and the worker ---------------------------------


@pytest.fixture(scope="module")
def gpu() -> dict[str, Any]:
    return _load(INFRA / "gpu/template.yaml")


def _imports(node: Any) -> set[str]:
    """Export names a template imports, with ${ScoringStackName}- dropped."""
    found: set[str] = set()
    if isinstance(node, dict):
        if "Fn::ImportValue" in node:
            name = node["Fn::ImportValue"]["Fn::Sub"]
            found.add(name.removeprefix("${ScoringStackName}-"))
        for value in node.values():
            found |= _imports(value)
    elif isinstance(node, list):
        for value in node:
            found |= _imports(value)
    return found


def test_gpu_stack_imports_only_what_the_scoring_stack_exports(template, gpu):
    exported = {
        o["Export"]["Name"]["Fn::Sub"].removeprefix("${AWS::StackName}-")
        for o in template["Outputs"].values()
        if "Export" in o
    }
    imported = _imports(gpu["Resources"])
    assert imported == {"QueueUrl", "QueueArn", "ScoringAccessPolicyArn", "ScoringSettings"}
    assert imported <= exported


WORKER = ROOT / "function/src/main/java/org/maclip/function/worker"


def test_gpu_task_environment_is_what_the_worker_reads(template, gpu):
    container = gpu["Resources"]["TaskDefinition"]["Properties"]["ContainerDefinitions"][0]
    env = {e["Name"]: e["Value"] for e in container["Environment"]}
    worker = {n for n in env if n.startswith("MACLIP_WORKER_")}
    assert worker == {
        "MACLIP_WORKER_QUEUE_URL",
        "MACLIP_WORKER_BATCH_SIZE",
        "MACLIP_WORKER_CONCURRENCY",
    }
    config = (WORKER / "WorkerConfig.java").read_text()
    for name in worker:
        method = _camel(name.removeprefix("MACLIP_WORKER_"))
        assert f" {method}();" in config, name
    assert container["StopTimeout"] == 120
    assert container["ResourceRequirements"] == [{"Type": "GPU", "Value": "1"}]


SCORING_SETTINGS = {"Fn::ImportValue": {"Fn::Sub": "${ScoringStackName}-ScoringSettings"}}


@pytest.mark.parametrize(
    "values",
    [
        {},
        {
            "InputPrefix": "",
            "ImageSuffixes": ".png,.TIF",
            "ResultsBucketName": "other-results",
            "ResultsPrefix": "",
            "TagObjects": "true",
            "TagKey": "q score:v1",
            "Method": "clipiqa",
            "MaxObjectBytes": "1000",
            "MaxPixels": "40000000",
        },
    ],
    ids=["defaults", "every setting changed, empty ones too"],
)
def test_gpu_task_takes_every_scoring_setting_from_the_scoring_stack(template, gpu, values):
    """The GPU task's scoring settings are the scoring stack's function's, whatever they are:
    its one export, split as CloudFormation splits it, gives each variable the function's value.
    """
    scoring = Resolved(template, values)
    settings = scoring.value(template["Outputs"]["ScoringSettings"]["Value"])
    function_env = scoring.value(template["Globals"]["Function"]["Environment"]["Variables"])
    container = gpu["Resources"]["TaskDefinition"]["Properties"]["ContainerDefinitions"][0]
    text = json.dumps(container["Environment"]).replace(
        json.dumps(SCORING_SETTINGS), json.dumps(settings)
    )
    env = {e["Name"]: e["Value"] for e in Resolved(gpu, {}).value(json.loads(text))}
    scoring_names = {
        n for n in env if n.startswith("MACLIP_") and not n.startswith("MACLIP_WORKER_")
    } - {"MACLIP_BATCH_SIZE"}  # views per run: a GPU takes more
    assert scoring_names == {
        "MACLIP_INPUT_PREFIX",
        "MACLIP_SUFFIXES",
        "MACLIP_RESULTS_BUCKET",
        "MACLIP_RESULTS_PREFIX",
        "MACLIP_TAGGING_ENABLED",
        "MACLIP_TAGGING_KEY",
        "MACLIP_METHOD",
        "MACLIP_MAX_OBJECT_BYTES",
        "MACLIP_MAX_PIXELS",
    }
    for name in scoring_names:
        assert str(env[name]) == str(function_env[name]), name
    exported = [r["Ref"] for r in template["Outputs"]["ScoringSettings"]["Value"]["Fn::Join"][1]]
    assert not set(exported) & set(gpu["Parameters"]), "no copy of a setting on the GPU stack"


def _camel(name: str) -> str:
    first, *rest = name.lower().split("_")
    return first + "".join(part.title() for part in rest)


def test_alarms_name_the_queue_as_cloudwatch_does(gpu):
    """The QueueName dimension is cut from the imported ARN: it must give the queue's name."""
    arn = "arn:aws:sqs:eu-west-1:123456789012:stack-Queue-AbC"
    alarms = gpu["Resources"]
    nodes = [alarms["BacklogHigh"]["Properties"]["Dimensions"][0]["Value"]]
    for metric in alarms["QueueEmpty"]["Properties"]["Metrics"]:
        if "MetricStat" in metric:
            nodes.append(metric["MetricStat"]["Metric"]["Dimensions"][0]["Value"])
    resolved = Resolved({"Parameters": {}}, {})
    resolved_arn = {"Fn::ImportValue": {"Fn::Sub": "${ScoringStackName}-QueueArn"}}
    for node in nodes:
        text = json.dumps(node).replace(json.dumps(resolved_arn), json.dumps(arn))
        assert resolved.value(json.loads(text)) == "stack-Queue-AbC"


def test_every_packaging_names_the_same_entry_points(template):
    handler = template["Resources"]["ScoringZipFunction"]["Properties"]["Handler"]["Fn::If"][2]
    assert handler in (INFRA / "image/Dockerfile").read_text()
    worker_main = "org.maclip.function.worker.QueueWorkerMain"
    assert (WORKER / "QueueWorkerMain.java").is_file()
    for path in ["gpu/Dockerfile", "local-chain.sh"]:
        assert worker_main in (INFRA / path).read_text(), path
