# Shared by try-local.sh and bench.sh (sourced, not run): moto, the local Lambda Runtime API and
# the packaged function (JVM mode, started the way Lambda's Java runtime starts it).

FUNCTION_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROOT_DIR=$(dirname "$FUNCTION_DIR")
LOCAL_DIR="$FUNCTION_DIR/local"
# FUNCTION_TARGET: another build folder of the function (-Dbuild.folder), e.g. to compare builds.
TARGET_DIR=${FUNCTION_TARGET:-$FUNCTION_DIR/target}
RUNNER_JAR="$TARGET_DIR/maclip-function-0.1.0-runner.jar"
RUNTIME_JARS="$TARGET_DIR/local-runtime"
STARTED_PIDS=()

die() {
  echo "error: $*" >&2
  exit 1
}

# Stops, by their ids, the processes this script started.
cleanup() {
  for pid in "${STARTED_PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${STARTED_PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
}
trap cleanup EXIT

free_port() {
  "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# moto_server from MOTO_SERVER (.ci/run sets it) or the PATH; PYTHON is the interpreter beside it
# (moto brings boto3 along).
find_moto() {
  MOTO=${MOTO_SERVER:-}
  [ -z "$MOTO" ] && MOTO=$(command -v moto_server || true)
  [ -n "$MOTO" ] && [ -x "$MOTO" ] || die "moto_server not found: pip install 'moto[server]>=5,<6' (or set MOTO_SERVER)"
  PYTHON=$(dirname "$MOTO")/python
  [ -x "$PYTHON" ] || PYTHON=python3
  "$PYTHON" -c 'import boto3' 2>/dev/null || die "$PYTHON cannot import boto3 (installed with moto)"
}

# The packaged function and the Lambda runtime client (function/pom.xml copies it to
# target/local-runtime at package); built when either is missing. One reactor build, so that
# the function takes maclip-scoring from this checkout, installed or not.
ensure_built() {
  if [ ! -f "$RUNNER_JAR" ] || [ "${REBUILD:-0}" = 1 ] ||
    ! ls "$RUNTIME_JARS"/aws-lambda-java-runtime-interface-client-*.jar >/dev/null 2>&1; then
    echo "== building the function (mvn package)"
    mvn -B -q -f "$ROOT_DIR/pom.xml" -pl function -am package -DskipTests
  fi
}

start_moto() {
  local port
  port=$(free_port)
  "$MOTO" -H 127.0.0.1 -p "$port" >"$WORK/moto.log" 2>&1 &
  STARTED_PIDS+=($!)
  MOTO_URL="http://127.0.0.1:$port"
  for _ in $(seq 1 100); do
    curl -s -o /dev/null "$MOTO_URL/moto-api/" && return 0
    sleep 0.2
  done
  die "moto_server did not start (log: $WORK/moto.log)"
}

# make_photos DIR COUNT: DIR/photo000.jpg... , synthetic 1024x768 JPEG photos (the benchmarks').
make_photos() {
  "$PYTHON" -c "import numpy, PIL" 2>/dev/null \
    || die "$PYTHON lacks numpy or Pillow (needed to make the test photos): use the maclip-pytorch venv"
  PYTHONPATH="$ROOT_DIR/maclip-pytorch/benchmarks" "$PYTHON" - "$1" "$2" <<'PY'
import sys
from pathlib import Path
from synthetic_photos import photo_bytes
out, count = Path(sys.argv[1]), int(sys.argv[2])
for i in range(count):
    (out / f"photo{i:03d}.jpg").write_bytes(photo_bytes(768, 1024, seed=i, fmt="JPEG"))
PY
}

demo_s3() {
  "$PYTHON" "$LOCAL_DIR/demo_s3.py" --endpoint "$MOTO_URL" "$@"
}

# run_function EVENTS SUMMARY [java options...]: serves the events through a local Runtime API to
# a fresh function process and waits until all are answered; SUMMARY gets the timings, the
# function's CPU time per invocation and its peak memory.
run_function() {
  local events=$1 summary=$2
  shift 2
  local port runtime_pid java_pid
  port=$(free_port)
  rm -f "$WORK/function.pid"
  "$PYTHON" "$LOCAL_DIR/runtime_api.py" "$events" --port "$port" --summary "$summary" \
    --pid-file "$WORK/function.pid" >"$WORK/runtime-api.log" 2>&1 &
  runtime_pid=$!
  STARTED_PIDS+=("$runtime_pid")
  sleep 0.5
  AWS_LAMBDA_RUNTIME_API="127.0.0.1:$port" AWS_REGION=us-east-1 \
    AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing \
    MACLIP_MODEL="$MODEL" MACLIP_S3_ENDPOINT_OVERRIDE="$MOTO_URL" MACLIP_S3_PATH_STYLE=true \
    java "$@" -cp "$RUNNER_JAR:$RUNTIME_JARS/*" \
    com.amazonaws.services.lambda.runtime.api.client.AWSLambda \
    io.quarkus.amazon.lambda.runtime.QuarkusStreamHandler::handleRequest \
    >"$WORK/function.log" 2>&1 &
  java_pid=$!
  STARTED_PIDS+=("$java_pid")
  echo "$java_pid" >"$WORK/function.pid"
  local grace=25
  while kill -0 "$runtime_pid" 2>/dev/null; do
    # The function stops by itself once the Runtime API is gone; gone before that, it failed.
    if ! kill -0 "$java_pid" 2>/dev/null && [ $((grace--)) -le 0 ]; then
      tail -20 "$WORK/function.log" >&2
      die "the function exited before every event was answered (log: $WORK/function.log)"
    fi
    sleep 0.2
  done
  kill "$java_pid" 2>/dev/null || true
  wait "$java_pid" 2>/dev/null || true
  wait "$runtime_pid" || die "not every event was answered (see $WORK/runtime-api.log, $WORK/function.log)"
}
