#!/usr/bin/env bash
# Compares the cold start of two or more builds of the packaged function (JVM mode), interleaved
# round by round so that a change in the machine's load touches every build alike: each round
# starts every build once, in a fresh process, with the same bundle, the same events (one image,
# then WARM more, SQS batches of 1) and Lambda's JVM flags. Reports the median per build of: the
# cold start (the function process's start to its first response), the phases it logs (Quarkus
# start, model load, checksum, ONNX Runtime session, self-check, first scoring batch), the first
# invocation, the warm latency, and the process's CPU time to the first response.
#
#   maclip-pytorch export --backbone RN50 --pretrained random -o /tmp/rn50   # never commit it
#   git worktree add /tmp/before <commit> && (cd /tmp/before && mvn -B -q -pl function -am \
#     package -DskipTests -Dbuild.folder=target-before)        # never mvn install
#   mvn -B -q -pl function -am package -DskipTests -Dbuild.folder=target-cold
#   ROUNDS=7 function/local/coldstart.sh before=/tmp/before/function/target-before \
#     after=function/target-cold
#
# Environment: MACLIP_MODEL (default /tmp/rn50), ROUNDS (default 5), WARM (warm invocations after
# the cold one, default 3), JAVA_OPTS (default: the Lambda Java 17 runtime's
# -XX:+UseSerialGC -XX:TieredStopAtLevel=1), EXTRA_JAVA_OPTS_<name> (more flags for one build,
# e.g. EXTRA_JAVA_OPTS_after=-XX:SharedArchiveFile=...).
set -euo pipefail
source "$(dirname "$0")/common.sh"

[ $# -ge 1 ] || die "usage: $0 name=build-folder [name=build-folder...]"
MODEL=${MACLIP_MODEL:-/tmp/rn50}
[ -e "$MODEL" ] || die "no bundle at $MODEL: maclip-pytorch export --backbone RN50 --pretrained random -o $MODEL"
ROUNDS=${ROUNDS:-5}
WARM=${WARM:-3}
read -r -a JAVA_FLAGS <<<"${JAVA_OPTS:--XX:+UseSerialGC -XX:TieredStopAtLevel=1}"
names=()
folders=()
for arg in "$@"; do
  names+=("${arg%%=*}")
  folder=$(cd "${arg#*=}" && pwd)
  [ -f "$folder/maclip-function-0.1.0-runner.jar" ] || die "no packaged function in $folder"
  ls "$folder"/local-runtime/aws-lambda-java-runtime-interface-client-*.jar >/dev/null 2>&1 \
    || die "no local-runtime in $folder"
  folders+=("$folder")
done
find_moto
WORK=$(mktemp -d)
echo "== working in $WORK; model $MODEL; java ${JAVA_FLAGS[*]}; $(nproc) cores; $ROUNDS rounds"
echo "== before: $(uptime)"

start_moto
demo_s3 setup cold >/dev/null
count=$((1 + WARM))
make_photos "$WORK" "$count"
pairs=()
for i in $(seq 0 "$WARM"); do pairs+=("$WORK/photo$(printf %03d "$i").jpg=cold/photo$i.jpg"); done
demo_s3 upload cold "${pairs[@]}" >/dev/null
demo_s3 events cold "$WORK/all.jsonl" --batch 1 >/dev/null
grep -v TestEvent "$WORK/all.jsonl" >"$WORK/events.jsonl" || true

for round in $(seq 1 "$ROUNDS"); do
  for i in "${!names[@]}"; do
    name=${names[$i]}
    RUNNER_JAR="${folders[$i]}/maclip-function-0.1.0-runner.jar"
    RUNTIME_JARS="${folders[$i]}/local-runtime"
    extra_var="EXTRA_JAVA_OPTS_$name"
    read -r -a extra <<<"${!extra_var:-}"
    run_function "$WORK/events.jsonl" "$WORK/$name-$round.json" "${JAVA_FLAGS[@]}" "${extra[@]}"
    cp "$WORK/function.log" "$WORK/$name-$round.log"
    echo "   round $round $name: $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["first_response_since_process_start_s"])' "$WORK/$name-$round.json") s; $(cut -d' ' -f1-3 /proc/loadavg)"
  done
done
echo "== after: $(uptime)"

"$PYTHON" - "$WORK" "$ROUNDS" "${names[@]}" <<'PY'
import json, re, statistics, sys
work, rounds, names = sys.argv[1], int(sys.argv[2]), sys.argv[3:]

def ms(pattern, log):
    m = re.search(pattern, log)
    return int(m.group(1)) / 1000 if m else None

rows = {}
for name in names:
    cols = {k: [] for k in ("cold", "cpu", "quarkus", "load", "checksum", "session", "self_check", "first_batch", "first", "warm")}
    for r in range(1, rounds + 1):
        s = json.load(open(f"{work}/{name}-{r}.json"))
        log = open(f"{work}/{name}-{r}.log").read()
        inv = s["invocations"]
        cols["cold"].append(s["first_response_since_process_start_s"])
        cols["cpu"].append(inv[0]["cpu_total_s"])
        m = re.search(r"started in ([0-9.]+)s", log)
        cols["quarkus"].append(float(m.group(1)) if m else None)
        cols["load"].append(ms(r"(?:loaded|read) from .* in (\d+) ms", log))
        cols["checksum"].append(ms(r"checksum(?: took)? (\d+) ms", log))
        cols["session"].append(ms(r"ONNX Runtime session (\d+) ms", log))
        cols["self_check"].append(ms(r"self-check (\d+) ms", log))
        cols["first_batch"].append(ms(r"First scoring batch of this process: \d+ images in (\d+) ms", log))
        cols["first"].append(inv[0]["latency_ms"] / 1000)
        cols["warm"].append(statistics.median(x["latency_ms"] for x in inv[1:]) / 1000 if len(inv) > 1 else None)
    rows[name] = cols

labels = [
    ("cold", "cold start: function process start to the first response"),
    ("cpu", "  CPU time of the process to the first response"),
    ("quarkus", "  Quarkus start (\"started in\"), model load included"),
    ("load", "  model load on the start-up path (older builds: read and session; now: read only)"),
    ("checksum", "    checksum of visual.onnx, beside the start (not logged by the oldest build)"),
    ("session", "    ONNX Runtime session (not logged by the oldest build)"),
    ("self_check", "    the bundle's self-check, after the session (builds since it exists)"),
    ("first", "  first invocation (fetch, score, write)"),
    ("first_batch", "    its scoring batch (not logged by the oldest build)"),
    ("warm", "warm latency per image, batches of 1 (median of the rounds' medians)"),
]
print(f"| measure (median of {rounds} rounds, s) | " + " | ".join(names) + " |")
print("| --- |" + " --- |" * len(names))
for key, label in labels:
    cells = []
    for name in names:
        vals = [v for v in rows[name][key] if v is not None]
        cells.append(f"{statistics.median(vals):.2f} ({min(vals):.2f}–{max(vals):.2f})" if vals else "—")
    print(f"| {label} | " + " | ".join(cells) + " |")
PY
