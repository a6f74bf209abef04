#!/usr/bin/env bash
# The bucket-triggered chain on this machine, with no AWS account and nothing beyond loopback:
#
#   moto's S3 + SQS server (127.0.0.1)
#     bucket notifications from template.yaml's defaults (one per image suffix, same code as
#     the deployed custom resource) -> queue with a dead-letter queue and redrive policy
#   upload sample images (a broken one, a text file and one outside the prefix among them)
#   the queue bridge (maclip_infra/bridge.py) serves the Lambda Runtime API from the queue
#     -> the function's packaged JVM build (function/target/function.zip), unchanged, run by
#        the AWS Lambda Java runtime interface client, as Lambda's Java runtime runs it
#   print the result objects it wrote (and the dead-letter queue's depth)
#
# Usage: infra/local-chain.sh [--model BUNDLE]   (default: the tiny test bundle, random weights)
# Needs: Java 17+, Maven, and a Python with boto3 and moto[server] (PYTHON=..., default python3):
#   python3 -m venv /tmp/v && /tmp/v/bin/pip install boto3 "moto[server]" && PYTHON=/tmp/v/bin/python infra/local-chain.sh
# FUNCTION_ZIP=... uses another build of the function (default: built here when missing).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
python="${PYTHON:-python3}"
model="$root/maclip-scoring/src/test/resources/golden/tinyrn"
if [ "${1:-}" = "--model" ]; then model="$(cd "${2:?--model needs a bundle directory}" && pwd)"; fi
function_zip="${FUNCTION_ZIP:-$root/function/target/function.zip}"

die() { echo "local-chain: $*" >&2; exit 1; }
"$python" -c "import boto3, moto.server, cfnlint" 2>/dev/null \
    || die "$python lacks boto3 or moto[server]: pip install boto3 'moto[server]' (or set PYTHON)"
command -v java >/dev/null || die "java not found (Java 17 or later)"
command -v mvn >/dev/null || die "mvn not found (Maven)"
[ -f "$model/maclip.json" ] || die "no model bundle at $model (maclip.json missing)"

work="$(mktemp -d)"
moto_pid=""
cleanup() {
    if [ -n "$moto_pid" ]; then kill "$moto_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

if [ ! -f "$function_zip" ]; then
    echo "== building the function (mvn -pl function -am package)"
    (cd "$root" && mvn -B -q -pl function -am package -DskipTests)
fi
echo "== function: $function_zip ($(du -h "$function_zip" | cut -f1))"
"$python" -m zipfile -e "$function_zip" "$work/function"
"$here/fetch-runtime-client.sh" "$work/ric"

port="$("$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
endpoint="http://127.0.0.1:$port"
"$python" -m moto.server -H 127.0.0.1 -p "$port" >"$work/moto.log" 2>&1 &
moto_pid=$!
"$python" - "$endpoint" <<'EOF'
import sys, time, urllib.request
for _ in range(100):
    try:
        urllib.request.urlopen(sys.argv[1] + "/moto-api/", timeout=1)
        break
    except OSError:
        time.sleep(0.1)
else:
    sys.exit("moto server did not start")
EOF
echo "== moto S3/SQS server on $endpoint"

cd "$here"
"$python" -m maclip_infra.localchain setup --endpoint "$endpoint" --template "$here/template.yaml" \
    --images "$root/maclip-scoring/src/test/resources/golden/images" --state "$work/state.json"

# The function's settings, as the template passes them (FunctionConfig's environment names).
eval "$("$python" - "$here/template.yaml" <<'EOF'
import shlex, sys
from pathlib import Path
from maclip_infra.localchain import Layout
layout = Layout.from_template(Path(sys.argv[1]))
for name, value in [("MACLIP_INPUT_PREFIX", layout.input_prefix),
                    ("MACLIP_SUFFIXES", layout.suffixes),
                    ("MACLIP_RESULTS_PREFIX", layout.results_prefix)]:
    print(f"export {name}={shlex.quote(value)}")
EOF
)"
export MACLIP_MODEL="$model" MACLIP_MODEL_CACHE="$work/model-cache" MACLIP_TAGGING_ENABLED=true
export MACLIP_S3_ENDPOINT_OVERRIDE="$endpoint" MACLIP_S3_PATH_STYLE=true MACLIP_S3_REGION=us-east-1
export AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_REGION=us-east-1

echo "== the function, fed by the queue bridge until the queue is empty"
"$python" -m maclip_infra.bridge --queue-url "$endpoint/123456789012/maclip-local-queue" \
    --endpoint-url "$endpoint" --region us-east-1 --wait-seconds 2 --until-empty --timeout 300 \
    -- java -cp "$work/function:$work/function/lib/*:$work/ric/*" \
    com.amazonaws.services.lambda.runtime.api.client.AWSLambda \
    io.quarkus.amazon.lambda.runtime.QuarkusStreamHandler::handleRequest

echo "== results"
"$python" -m maclip_infra.localchain show --endpoint "$endpoint" --state "$work/state.json"
