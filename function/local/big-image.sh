#!/usr/bin/env bash
# Scores one large JPEG in the packaged function (JVM mode) as Lambda would run it at a given
# memory size, and prints the result (Q or the error result), the function's peak resident
# memory (VmHWM) and the time: what the README's "largest image" figure rests on.
#
#   maclip-pytorch export --backbone RN50 --pretrained random -o /tmp/rn50   # never commit it
#   MACLIP_MODEL=/tmp/rn50 function/local/big-image.sh 89
#
# Argument: megapixels (default 89: just under the 89.5 MP pixel limit; a 4:5 portrait photo, the
# benchmarks' synthetic JPEG at quality 75). Environment: MEMORY_MB (the function's memory size,
# default 3538 as the template's; the function reads it as Lambda's
# AWS_LAMBDA_FUNCTION_MEMORY_SIZE, and the JVM sizes its heap as in a container of that size,
# -XX:MaxRAM), JAVA_OPTS (default: the Lambda Java 17 runtime's -XX:+UseSerialGC
# -XX:TieredStopAtLevel=1).
set -euo pipefail
source "$(dirname "$0")/common.sh"

MP=${1:-89}
MODEL=${MACLIP_MODEL:-/tmp/rn50}
[ -e "$MODEL" ] || die "no bundle at $MODEL: maclip-pytorch export --backbone RN50 --pretrained random -o $MODEL"
MEMORY_MB=${MEMORY_MB:-3538}
read -r -a JAVA_FLAGS <<<"${JAVA_OPTS:--XX:+UseSerialGC -XX:TieredStopAtLevel=1}"
find_moto
ensure_built
WORK=$(mktemp -d)
echo "== $MP MP; model $MODEL; $MEMORY_MB MB; java ${JAVA_FLAGS[*]} -XX:MaxRAM=${MEMORY_MB}m;" \
  "$(nproc) cores; $(uptime)"

start_moto
demo_s3 setup big >/dev/null
size=$("$PYTHON" "$ROOT_DIR/maclip-pytorch/benchmarks/synthetic_photos.py" "$WORK/big.jpg" \
  --megapixels "$MP" | tr ' ' x)
echo "== photo $size, $(stat -c %s "$WORK/big.jpg") bytes"
demo_s3 upload big "$WORK/big.jpg=big/photo.jpg" >/dev/null
demo_s3 events big "$WORK/all.jsonl" --batch 1 >/dev/null
grep -v TestEvent "$WORK/all.jsonl" >"$WORK/events.jsonl" || true
AWS_LAMBDA_FUNCTION_MEMORY_SIZE=$MEMORY_MB \
  run_function "$WORK/events.jsonl" "$WORK/summary.json" "${JAVA_FLAGS[@]}" "-XX:MaxRAM=${MEMORY_MB}m"
"$PYTHON" - "$WORK/summary.json" "$MEMORY_MB" <<'PY'
import json, sys
s, memory = json.load(open(sys.argv[1])), int(sys.argv[2])
inv = s["invocations"][0]
peak = s["peak_rss_kb"] / 1024
print(f"== peak resident memory {peak:.0f} MiB of {memory} MB; the invocation took"
      f" {inv['latency_ms'] / 1000:.0f} s, {inv['cpu_total_s']:.0f} CPU-s")
PY
demo_s3 results big | sed -n 1,2p
