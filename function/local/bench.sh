#!/usr/bin/env bash
# Measures the packaged function (JVM mode) as try-local.sh runs it: cold start (the function
# process's start to the first response, i.e. after the first result is written; coldstart.sh
# compares builds), warm latency per 1024x768 image
# with SQS batches of 1, images per second with batches of 1 and of 10, peak memory (the
# function process's peak resident set, VmHWM), and the CPU time behind each figure (what a
# busy shared machine cannot distort).
#
#   maclip-pytorch export --backbone RN50 --pretrained random -o /tmp/rn50   # never commit it
#   MACLIP_MODEL=/tmp/rn50 function/local/bench.sh
#
# Environment: WARM (warm single-image invocations, default 5), BATCHES (10-image invocations
# after a first one that warms up, default 2), JAVA_OPTS (default: the Lambda Java 17 runtime's
# -XX:+UseSerialGC -XX:TieredStopAtLevel=1), MACLIP_BATCH_SIZE, MACLIP_THREADS.
set -euo pipefail
source "$(dirname "$0")/common.sh"

MODEL=${MACLIP_MODEL:-/tmp/rn50}
[ -e "$MODEL" ] || die "no bundle at $MODEL: maclip-pytorch export --backbone RN50 --pretrained random -o $MODEL"
WARM=${WARM:-5}
BATCHES=${BATCHES:-2}
read -r -a JAVA_FLAGS <<<"${JAVA_OPTS:--XX:+UseSerialGC -XX:TieredStopAtLevel=1}"
find_moto
ensure_built
WORK=$(mktemp -d)
echo "== working in $WORK; model $MODEL; java ${JAVA_FLAGS[*]}; $(nproc) cores"

start_moto
demo_s3 setup bench >/dev/null
count=$((1 + WARM + 10 * (BATCHES + 1)))
make_photos "$WORK" "$count"

# Run 1: SQS batches of one image: the first invocation is the cold start, the others are warm.
pairs=()
for i in $(seq 0 "$WARM"); do pairs+=("$WORK/photo$(printf %03d "$i").jpg=bench/one/photo$i.jpg"); done
demo_s3 upload bench "${pairs[@]}" >/dev/null
demo_s3 events bench "$WORK/one.jsonl" --batch 1 >/dev/null
grep -v TestEvent "$WORK/one.jsonl" >"$WORK/one-images.jsonl" || true
echo "== batches of 1: $((WARM + 1)) invocations"
run_function "$WORK/one-images.jsonl" "$WORK/one.json" "${JAVA_FLAGS[@]}"
cp "$WORK/function.log" "$WORK/function-one.log"

# Run 2: SQS batches of ten images, in a fresh process; the first batch warms it up. The
# notifications of run 1's results are dropped first (the function would ignore them anyway).
demo_s3 events bench "$WORK/dropped.jsonl" >/dev/null
pairs=()
for i in $(seq $((WARM + 1)) $((count - 1))); do
  pairs+=("$WORK/photo$(printf %03d "$i").jpg=bench/ten/photo$i.jpg")
done
demo_s3 upload bench "${pairs[@]}" >/dev/null
demo_s3 events bench "$WORK/ten.jsonl" --batch 10 >/dev/null
echo "== batches of 10: $((BATCHES + 1)) invocations"
run_function "$WORK/ten.jsonl" "$WORK/ten.json" "${JAVA_FLAGS[@]}"

echo "== $(uptime)"
"$PYTHON" - "$WORK/one.json" "$WORK/ten.json" "$WORK/function-one.log" <<'PY'
import json, re, statistics, sys
one, ten = (json.load(open(p)) for p in sys.argv[1:3])
log = open(sys.argv[3]).read()
started = re.search(r"started in ([0-9.]+)s", log)
loaded = re.search(r"(?:loaded|read) from .* in (\d+) ms", log)
first = one["invocations"][0]
warm = one["invocations"][1:]
tens = ten["invocations"][1:]
lat = [r["latency_ms"] / 1000 for r in warm]
cpu = [r["cpu_s"] for r in warm]
ten_wall = sum(r["latency_ms"] for r in tens) / 1000
ten_cpu = sum(r["cpu_s"] for r in tens)
n_ten = 10 * len(tens)
mib = lambda kb: f"{kb / 1024:.0f} MiB"
rows = [
    ("cold start: process start to the first response (one image)",
     f"{one.get('first_response_since_process_start_s') or one['first_response_s']:.1f} s",
     f"{first['cpu_total_s']:.1f} s"),
    ("  of which Quarkus start, model load included", f"{started.group(1)} s" if started else "?", ""),
    ("  of which the model on the start-up path (bundle read; session and checksum run beside)", f"{int(loaded.group(1)) / 1000:.1f} s" if loaded else "?", ""),
    ("  of which the first invocation", f"{first['latency_ms'] / 1000:.1f} s", f"{first['cpu_s']:.1f} s"),
    (f"warm latency per 1024x768 image, batches of 1 (median of {len(lat)})", f"{statistics.median(lat):.2f} s",
     f"{statistics.median(cpu):.2f} s"),
    ("images/s, batches of 1 (warm)", f"{len(lat) / sum(lat):.3f}", f"{len(cpu) / sum(cpu):.3f} per CPU-s"),
    (f"images/s, batches of 10 (warm, {n_ten} images)", f"{n_ten / ten_wall:.3f}", f"{n_ten / ten_cpu:.3f} per CPU-s"),
    ("peak memory (VmHWM), batches of 1", mib(one["peak_rss_kb"]), ""),
    ("peak memory (VmHWM), batches of 10", mib(ten["peak_rss_kb"]), ""),
]
print("| measure | wall | CPU time |")
print("| --- | --- | --- |")
for name, wall, cpu_time in rows:
    print(f"| {name} | {wall} | {cpu_time} |")
PY
