#!/usr/bin/env bash
# The bucket-triggered chain on this machine, with no AWS account and nothing beyond loopback:
#
#   moto's S3 + SQS server (127.0.0.1)
#     bucket notifications from template.yaml's defaults (one per image suffix, same code as
#     the deployed custom resource) -> queue with a dead-letter queue and redrive policy
#   upload sample images (a broken one, a text file and one outside the prefix among them)
#   the function's queue worker (org.maclip.function.worker.QueueWorkerMain), run from the
#     unpacked function.zip as the GPU image runs it: long-polls the queue, scores, deletes what
#     it scored, leaves what failed for the redrive; stopped with SIGTERM once the queue is empty
#   print the result objects it wrote, the source objects' tags, the dead-letter queue's depth
#   then a short soak (maclip_infra/soak.py: SOAK_UPLOADS uploads, 60 by default, 0 skips it):
#     good, broken and over-limit images, a key uploaded twice, spaces and unicode, S3 503s
#     through a loopback fault proxy, a worker killed (SIGKILL) mid-batch and one stopped
#     (SIGTERM) mid-batch; counts every result and the dead-letter queue, exits 1 on a mismatch
#
# Usage: infra/local-chain.sh [--model BUNDLE]   (default: the tiny test bundle, random weights)
#        SOAK_UPLOADS=500 infra/local-chain.sh   (the soak of infra/README.md, "Reliability")
# Needs: Java 17, Maven, and moto[server] (pip install 'moto[server]>=5,<6'; or MOTO_SERVER=path);
# the soak also Pillow and numpy. The function is built when missing (REBUILD=1 rebuilds it).
# Exits 1 when a result is missing or a count is wrong.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# find_moto, ensure_built, start_moto, cleanup, die; TARGET_DIR, ROOT_DIR, PYTHON, STARTED_PIDS.
source "$here/../function/local/common.sh"
MODEL="$ROOT_DIR/maclip-scoring/src/test/resources/golden/tinyrn"
if [ "${1:-}" = "--model" ]; then MODEL="$(cd "${2:?--model needs a bundle directory}" && pwd)"; fi
[ -f "$MODEL/maclip.json" ] || die "no model bundle at $MODEL (maclip.json missing)"
SOAK_UPLOADS=${SOAK_UPLOADS:-60}

find_moto
"$PYTHON" -c "import cfnlint" 2>/dev/null || die "$PYTHON lacks cfn-lint (moto[server] brings it)"
ensure_built
WORK="$(mktemp -d)"
trap 'cleanup; rm -rf "$WORK"' EXIT
start_moto
echo "== moto S3/SQS server on $MOTO_URL"

# The packaged function, unpacked as infra/gpu/Dockerfile unpacks it.
mkdir "$WORK/function"
(cd "$WORK/function" && "$PYTHON" -m zipfile -e "$TARGET_DIR/function.zip" .)
WORKER=(java -XX:+ExitOnOutOfMemoryError -cp "$WORK/function:$WORK/function/lib/*"
    org.maclip.function.worker.QueueWorkerMain)

cd "$here"
"$PYTHON" -m maclip_infra.localchain setup --endpoint "$MOTO_URL" --template template.yaml \
    --images "$ROOT_DIR/maclip-scoring/src/test/resources/golden/images" --state "$WORK/state.json"

# The function's settings as the template passes them (FunctionConfig's environment names).
eval "$("$PYTHON" -m maclip_infra.localchain env --template template.yaml)"
export MACLIP_MODEL="$MODEL" MACLIP_MODEL_CACHE="$WORK/model-cache" MACLIP_TAGGING_ENABLED=true
export MACLIP_S3_ENDPOINT_OVERRIDE="$MOTO_URL" MACLIP_S3_PATH_STYLE=true MACLIP_S3_REGION=us-east-1
export MACLIP_WORKER_QUEUE_URL="$MOTO_URL/123456789012/maclip-local-queue"
export MACLIP_WORKER_ENDPOINT_OVERRIDE="$MOTO_URL" MACLIP_WORKER_WAIT_SECONDS=1
export AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_REGION=us-east-1

echo "== the function's queue worker, until the queue is empty; then SIGTERM"
"${WORKER[@]}" >"$WORK/worker.log" 2>&1 &
worker=$!
STARTED_PIDS+=("$worker")
if ! "$PYTHON" -m maclip_infra.localchain wait --endpoint "$MOTO_URL" --state "$WORK/state.json"; then
    cut -c1-300 "$WORK/worker.log" >&2
    die "the worker did not empty the queue"
fi
kill -TERM "$worker"
status=0
wait "$worker" || status=$?
grep -E "org.maclip|started in|stopped in" "$WORK/worker.log" | cut -c25-300 || true
# A JVM ended by SIGTERM exits with 143 once its shutdown hooks are done.
[ "$status" = 0 ] || [ "$status" = 143 ] || die "the worker exited with status $status"

echo "== results"
"$PYTHON" -m maclip_infra.localchain show --endpoint "$MOTO_URL" --state "$WORK/state.json"

if [ "$SOAK_UPLOADS" -gt 0 ]; then
    echo "== soak: $SOAK_UPLOADS uploads with faults (maclip_infra/soak.py)"
    "$PYTHON" -m maclip_infra.soak --endpoint "$MOTO_URL" --uploads "$SOAK_UPLOADS" \
        --work "$WORK/soak" -- "${WORKER[@]}"
fi
