#!/usr/bin/env bash
# Peak memory per pixel and time of the CLI scoring one large JPEG, two builds side by side:
# for each size and bundle, BEFORE's jar then AFTER's jar score the same synthetic photo (the
# benchmarks' synthetic_photos, JPEG quality 75) in fresh JVMs. Peak memory is the process's
# peak resident set (/usr/bin/time -v); the baseline is the same jar, bundle and JVM options
# scoring a 1024x768 photo (37 views: more than one batch of 32, so the encoder's activations
# are in it), so "B/px" = (peak − baseline) / decoded pixels: what the image costs above the
# JVM, ONNX Runtime, the model and one batch.
#
#   maclip-pytorch export --backbone RN50 --pretrained random -o /tmp/rn50   # never commit it
#   maclip-scoring/benchmarks/memory.sh BEFORE.jar AFTER.jar tiny=maclip-scoring/src/test/resources/golden/tinyrn rn50=/tmp/rn50
#
# Environment: SIZES (megapixels, default "1 12 50 80"; 4:5 portrait photos), JAVA_OPTS (both
# builds, default none: the JVM's default heap), PYTHON (with numpy and Pillow; default python3),
# STOP_S (stop runs of bundles named rn50* after this many seconds, default none: a peak
# measured that way covers the decode and the first batches, and the row says "stopped").
set -euo pipefail
[ $# -ge 3 ] || { sed -n 2,14p "$0"; exit 2; }
before=$1 after=$2
shift 2
root="$(cd "$(dirname "$0")/../.." && pwd)"
PYTHON=${PYTHON:-python3}
SIZES=${SIZES:-"1 12 50 80"}
STOP_S=${STOP_S:-0}
read -r -a JAVA_FLAGS <<<"${JAVA_OPTS:-}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$root/maclip-scoring/benchmarks/machine.sh"
echo "== java ${JAVA_FLAGS[*]:-(default options)}; $(java -version 2>&1 | head -1)"

photo() { # photo MEGAPIXELS FILE: a 4:5 portrait JPEG of about MEGAPIXELS million pixels (0: 1024x768)
  local size=(--megapixels "$1")
  [ "$1" = 0 ] && size=(--size 1024x768)
  "$PYTHON" "$root/maclip-pytorch/benchmarks/synthetic_photos.py" "$2" "${size[@]}"
}

# run JAR BUNDLE IMAGE [STOP]: prints "peak_kb seconds q" of one CLI run (q "stopped" when
# STOP seconds ended it)
run() {
  local out=$work/out.json rc=0
  rm -f "$out"
  /usr/bin/time -v -o "$work/time" timeout "${4:-0}" java "${JAVA_FLAGS[@]}" -jar "$1" score "$3" \
    --model "$2" --format json -o "$out" >/dev/null 2>"$work/err" || rc=$?
  if [[ $rc != 0 && $rc != 124 ]]; then echo "FAILED $(tail -1 "$work/err")"; return; fi
  local kb secs q
  kb=$(awk -F': ' '/Maximum resident/ {print $2}' "$work/time")
  secs=$(awk -F': ' '/Elapsed \(wall/ {print $2}' "$work/time")
  q=$(grep -so '"q" *: *[-0-9.eE]*' "$out" | head -1 | sed 's/.*: *//' || true)
  [[ $rc == 124 ]] && q=stopped
  echo "$kb $secs ${q:-?}"
}

photo 0 "$work/base.jpg" >/dev/null
printf '%-6s %-12s %-7s %10s %8s %10s %9s %s\n' bundle size build peak_MB B/px wall q
for spec in "$@"; do
  name=${spec%%=*} bundle=${spec#*=}
  declare -A base=()
  for build in before after; do
    jar=$before; [ $build = after ] && jar=$after
    read -r kb _ _ <<<"$(run "$jar" "$bundle" "$work/base.jpg")"
    base[$build]=$kb
  done
  for mp in $SIZES; do
    stop=0
    [[ $name == rn50* ]] && stop=$STOP_S
    read -r w h <<<"$(photo "$mp" "$work/img.jpg")"
    for build in before after; do
      jar=$before; [ $build = after ] && jar=$after
      read -r kb secs q <<<"$(run "$jar" "$bundle" "$work/img.jpg" "$stop")"
      if [[ $kb == FAILED ]]; then
        printf '%-6s %-12s %-7s %s %s %s\n' "$name" "${w}x$h" $build "$kb" "$secs" "$q"
        continue
      fi
      printf '%-6s %-12s %-7s %10.0f %8.2f %10s %9s\n' "$name" "${w}x$h" $build \
        "$(echo "$kb / 1024" | bc -l)" "$(echo "($kb - ${base[$build]}) * 1024 / ($w * $h)" | bc -l)" \
        "$secs" "$q"
    done
  done
done
