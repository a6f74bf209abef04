#!/usr/bin/env bash
# The bucket-triggered chain on this machine, with no AWS account and nothing beyond loopback:
#
#   moto's S3 + SQS server (127.0.0.1)
#     bucket notifications from template.yaml's defaults (one per image suffix, same code as
#     the deployed custom resource) -> queue with a dead-letter queue and redrive policy
#   upload sample images (a broken one, a text file and one outside the prefix among them)
#   the queue bridge (maclip_infra/bridge.py) serves the Lambda Runtime API from the queue,
#     deleting what the function scored and leaving what it reported failed (as Lambda does)
#     -> the function's packaged JVM build, unchanged, run by the AWS Lambda Java runtime
#        interface client, the way function/try-local.sh runs it (function/local/common.sh)
#   print the result objects it wrote, the source objects' tags, the dead-letter queue's depth
#
# Usage: infra/local-chain.sh [--model BUNDLE]   (default: the tiny test bundle, random weights)
# Needs: Java 17, Maven, and moto[server] (pip install 'moto[server]>=5,<6'; or MOTO_SERVER=path);
# the function is built when missing (REBUILD=1 rebuilds it). Exits 1 when a result is missing.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# find_moto, ensure_built, start_moto, cleanup, die; RUNNER_JAR, RUNTIME_JARS, ROOT_DIR, PYTHON.
source "$here/../function/local/common.sh"
MODEL="$ROOT_DIR/maclip-scoring/src/test/resources/golden/tinyrn"
if [ "${1:-}" = "--model" ]; then MODEL="$(cd "${2:?--model needs a bundle directory}" && pwd)"; fi
[ -f "$MODEL/maclip.json" ] || die "no model bundle at $MODEL (maclip.json missing)"

find_moto
"$PYTHON" -c "import cfnlint" 2>/dev/null || die "$PYTHON lacks cfn-lint (moto[server] brings it)"
ensure_built
WORK="$(mktemp -d)"
trap 'cleanup; rm -rf "$WORK"' EXIT
start_moto
echo "== moto S3/SQS server on $MOTO_URL"

cd "$here"
"$PYTHON" -m maclip_infra.localchain setup --endpoint "$MOTO_URL" --template template.yaml \
    --images "$ROOT_DIR/maclip-scoring/src/test/resources/golden/images" --state "$WORK/state.json"

# The function's settings as the template passes them (FunctionConfig's environment names).
eval "$("$PYTHON" -m maclip_infra.localchain env --template template.yaml)"
export MACLIP_MODEL="$MODEL" MACLIP_MODEL_CACHE="$WORK/model-cache" MACLIP_TAGGING_ENABLED=true
export MACLIP_S3_ENDPOINT_OVERRIDE="$MOTO_URL" MACLIP_S3_PATH_STYLE=true MACLIP_S3_REGION=us-east-1
export AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_REGION=us-east-1

echo "== the function, fed by the queue bridge until the queue is empty"
"$PYTHON" -m maclip_infra.bridge --queue-url "$MOTO_URL/123456789012/maclip-local-queue" \
    --endpoint-url "$MOTO_URL" --region us-east-1 --wait-seconds 2 --until-empty --timeout 300 \
    -- java -cp "$RUNNER_JAR:$RUNTIME_JARS/*" \
    com.amazonaws.services.lambda.runtime.api.client.AWSLambda \
    io.quarkus.amazon.lambda.runtime.QuarkusStreamHandler::handleRequest

echo "== results"
"$PYTHON" -m maclip_infra.localchain show --endpoint "$MOTO_URL" --state "$WORK/state.json"
