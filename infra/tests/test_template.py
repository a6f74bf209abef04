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
    assert imported == {
        "QueueUrl",
        "QueueArn",
        "ScoringAccessPolicyArn",
        "ScoringSettings",
        "FunctionName",
    }
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
    # Its metrics under the scoring function's name, so the dashboard and alarms count them.
    assert env.pop("MACLIP_METRICS_FUNCTION_NAME") == {
        "Fn::ImportValue": {"Fn::Sub": "${ScoringStackName}-FunctionName"}
    }
    assert "MACLIP_METRICS_FUNCTION_NAME" in _config_keys()
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
    } - {"MACLIP_BATCH_SIZE", "MACLIP_METRICS_FUNCTION_NAME"}  # a GPU takes more views a run;
    # its metrics count under the scoring function's name (an import of its own)
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
        "MACLIP_METRICS_NAMESPACE",
        "MACLIP_EVENTS_LOW_QUALITY_BELOW",
        "MACLIP_EVENTS_ERRORS",
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


# ---- monitoring: the function's metrics, the alarms, the dashboard, the events -------------

METRICS = ROOT / "function/src/main/java/org/maclip/function/monitoring/MetricLine.java"


def _emitted_metrics() -> set[str]:
    """The metric names MetricLine declares ("Name:Unit" strings in its source)."""
    names = set(re.findall(r'"(\w+):(?:Count|Milliseconds|None)"', METRICS.read_text()))
    assert {"ImagesScored", "ImagesFailed", "Q"} <= names  # the parser still reads the file
    return names


def _metric_names(node: Any) -> set[str]:
    """MetricName values in a (resolved) resource."""
    found: set[str] = set()
    if isinstance(node, dict):
        if isinstance(node.get("MetricName"), str):
            found.add(node["MetricName"])
        for value in node.values():
            found |= _metric_names(value)
    elif isinstance(node, list):
        for value in node:
            found |= _metric_names(value)
    return found


@pytest.mark.parametrize("trigger", ["sqs", "direct"])
def test_dashboard_is_json_and_shows_only_metrics_the_function_writes(template, trigger):
    resolved = Resolved(template, {"Trigger": trigger})
    body = json.loads(resolved.resources()["Dashboard"]["Properties"]["DashboardBody"])
    ours = set()
    for widget in body["widgets"]:
        for row in widget["properties"].get("metrics", []):
            if row[0] in ("maclip", "."):  # the namespace, or "the row above's"
                ours.add(row[1])
    ours -= {"ApproximateNumberOfMessagesVisible", "ApproximateNumberOfMessagesNotVisible",
             "ApproximateAgeOfOldestMessage"}  # fmt: skip
    assert ours and ours <= _emitted_metrics(), ours - _emitted_metrics()
    text = json.dumps(body)
    assert '"Function", "stack-scoring"' in text
    assert 'MetricName=\\"ImagesFailed\\"' in text and "Cause" in text


def test_alarms_watch_the_function_and_notify_the_topic(template):
    resources = Resolved(template, {"AlarmEmail": "ops@example.com"}).resources()
    alarms = {n: r["Properties"] for n, r in resources.items() if r["Type"].endswith("::Alarm")}
    assert set(alarms) == {
        "DeadLetterAlarm",
        "FailureRatioAlarm",
        "OldestMessageAlarm",
        "QualityDriftAlarm",
    }
    for name, alarm in alarms.items():
        assert alarm["AlarmActions"] == ["<DeadLetterAlarmTopic>"], name
    ratio = alarms["FailureRatioAlarm"]
    assert {m["Id"] for m in ratio["Metrics"]} == {"failed", "scored", "ratio"}
    assert _metric_names(ratio) == {"ImagesFailed", "ImagesScored"}
    assert ratio["Threshold"] == _default(template, "FailureRatioThreshold")
    drift = alarms["QualityDriftAlarm"]
    assert drift["ThresholdMetricId"] == "band"
    band = next(m for m in drift["Metrics"] if m["Id"] == "band")
    assert band["Expression"] == "ANOMALY_DETECTION_BAND(median, 3)"
    median = next(m for m in drift["Metrics"] if m["Id"] == "median")["MetricStat"]
    assert (median["Metric"]["MetricName"], median["Stat"]) == ("Q", "p50")
    for alarm in (ratio, drift):
        for metric in alarm["Metrics"]:
            if "MetricStat" in metric:
                stat = metric["MetricStat"]["Metric"]
                assert stat["Namespace"] == _default(template, "MetricsNamespace")
                assert stat["Dimensions"] == [{"Name": "Function", "Value": "stack-scoring"}]
    assert _metric_names(ratio) | _metric_names(drift) <= _emitted_metrics()
    oldest = alarms["OldestMessageAlarm"]
    assert oldest["MetricName"] == "ApproximateAgeOfOldestMessage"
    assert oldest["Dimensions"][0]["Value"] == "<Queue.QueueName>"
    # Without a mail address there is no topic, and no alarm names one.
    quiet = Resolved(template, {}).resources()
    assert "DeadLetterAlarmTopic" not in quiet
    assert all("AlarmActions" not in r["Properties"] for r in quiet.values()
               if r["Type"].endswith("::Alarm"))  # fmt: skip
    # A direct trigger has no queue to age.
    assert "OldestMessageAlarm" not in Resolved(template, {"Trigger": "direct"}).resources()


def test_events_are_off_by_default_and_put_on_the_default_bus_only(template):
    resolved = Resolved(template, {})
    assert "AnnounceOnTheDefaultBus" not in _statements(resolved)
    env = resolved.value(template["Globals"]["Function"])["Environment"]["Variables"]
    assert env["MACLIP_EVENTS_LOW_QUALITY_BELOW"] == ""
    assert env["MACLIP_EVENTS_ERRORS"] == "false"
    for values in ({"LowQualityBelow": "0.4"}, {"AnnounceErrors": "true"}):
        statement = _statements(Resolved(template, values))["AnnounceOnTheDefaultBus"]
        assert statement["Action"] == "events:PutEvents"
        assert statement["Resource"] == "arn:aws:events:eu-west-1:123456789012:event-bus/default"
    pattern = re.compile(template["Parameters"]["LowQualityBelow"]["AllowedPattern"])
    for good in ["", "0.4", "1", "-0.25"]:
        assert pattern.match(good), good
    for bad in ["0.4.1", "abc", "1e3", " 0.4"]:
        assert not pattern.match(bad), bad


def test_gpu_metric_filters_make_the_metrics_the_alarms_read(template, gpu):
    """ECS's awslogs driver does not extract embedded metrics: the GPU stack's filters do."""
    resources = gpu["Resources"].values()
    filters = [r["Properties"] for r in resources if r["Type"] == "AWS::Logs::MetricFilter"]
    made = set()
    for f in filters:
        (metric,) = f["MetricTransformations"]
        assert metric["MetricNamespace"] == {  # the scoring stack's MetricsNamespace
            "Fn::Select": [9, {"Fn::Split": ["|", SCORING_SETTINGS]}]
        }
        assert metric["Dimensions"][0] == {"Key": "Function", "Value": "$.Function"}
        field = re.fullmatch(r"\{ \$\.(\w+) = 1 \}", f["FilterPattern"]).group(1)
        assert field in _emitted_metrics(), field
        made.add((metric["MetricName"], tuple(d["Key"] for d in metric["Dimensions"])))
    assert {name for name, _ in made} <= _emitted_metrics()
    alarms = Resolved(template, {}).resources()
    read = _metric_names(alarms["FailureRatioAlarm"]) | _metric_names(alarms["QualityDriftAlarm"])
    assert {(name, ("Function",)) for name in read} <= made
    assert ("ImagesFailed", ("Function", "Cause")) in made  # the dashboard's failures by cause
    assert "MetricsNamespace" not in gpu["Parameters"], "no copy of a setting on the GPU stack"


def test_a_model_is_rolled_out_by_its_sha256_in_the_functions_configuration(template):
    sha = "18355180ac28c0e8b4b4e87697f51c613c847fe9e344452214524a93ffe15657"
    env = Resolved(template, {"ModelSha256": sha}).value(template["Globals"]["Function"])
    assert env["Environment"]["Variables"]["MACLIP_MODEL_SHA256"] == sha  # a new version
    assert "MACLIP_MODEL_SHA256" in _config_keys()
    pattern = re.compile(template["Parameters"]["ModelSha256"]["AllowedPattern"])
    assert pattern.match("") and pattern.match(sha) and pattern.match(sha.upper())
    assert not pattern.match(sha[:-1]) and not pattern.match(sha + "0")


def _readme_parameters() -> dict[str, str]:
    """The README's "Every template parameter" table: name -> default as written."""
    readme = (INFRA / "README.md").read_text()
    section = readme.split("## Every template parameter", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `(\w+)` \| (empty|`[^`]*`) \|", section, re.M)
    return {name: "" if default == "empty" else default.strip("`") for name, default in rows}


def test_every_template_parameter_is_documented_with_its_default(template):
    documented = _readme_parameters()
    parameters = template["Parameters"]
    assert sorted(documented) == sorted(parameters), "README.md's parameter table and the template"
    for name, parameter in parameters.items():
        default = parameter.get("Default", "")
        expected = str(default).lower() if isinstance(default, bool) else str(default)
        assert documented[name] == expected, name
