#!/usr/bin/env bash
# Size of a `maclip report` page and the time to write and to open it, for runs of N images:
# N synthetic 640x480 JPEG photos (the benchmarks' synthetic_photos, quality 75; PHOTOS distinct
# ones hard-linked under N names when PHOTOS < N) are scored with --views into JSON Lines, then
#   write: `maclip report run.jsonl` (reading, one thumbnail per image, writing), wall seconds;
#   open:  headless Chromium loading the page until its script has listed the first rows
#          (--dump-dom; the page sets data-ready when done), minus the same for an empty page,
#          best of ROUNDS.
#
#   maclip-scoring/benchmarks/report.sh maclip-scoring/target/maclip-scoring-0.1.0-cli.jar \
#       maclip-scoring/src/test/resources/golden/tinyrn 1000 10000
#
# Environment: PYTHON (with numpy and Pillow; default python3), PHOTOS (distinct photos, default
# 1000), ROUNDS (default 3), CHROMIUM (default chromium).
set -euo pipefail
[ $# -ge 3 ] || { sed -n 2,15p "$0"; exit 2; }
jar=$1 bundle=$2
shift 2
root="$(cd "$(dirname "$0")/../.." && pwd)"
PYTHON=${PYTHON:-python3}
PHOTOS=${PHOTOS:-1000}
ROUNDS=${ROUNDS:-3}
CHROMIUM=${CHROMIUM:-chromium}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$root/maclip-scoring/benchmarks/machine.sh"
echo "== $("$CHROMIUM" --version 2>/dev/null); $(java -version 2>&1 | head -1)"

PYTHONPATH="$root/maclip-pytorch/benchmarks" "$PYTHON" - "$work/photos" "$PHOTOS" <<'PY'
import os, sys
from synthetic_photos import photo_bytes
out, n = sys.argv[1], int(sys.argv[2])
os.makedirs(out)
for i in range(n):
    with open(os.path.join(out, f"photo{i:05d}.jpg"), "wb") as f:
        f.write(photo_bytes(480, 640, i, "JPEG"))
PY

# load PAGE: seconds headless Chromium takes to load PAGE and run its script (best of ROUNDS)
load() {
  local best="" t
  for _ in $(seq "$ROUNDS"); do
    local start end
    start=$(date +%s.%N)
    "$CHROMIUM" --headless --no-sandbox --disable-gpu --no-first-run --user-data-dir="$work/profile" \
      --dump-dom "file://$1" 2>/dev/null >"$work/dom.html"
    end=$(date +%s.%N)
    t=$(echo "$end - $start" | bc)
    if [[ $1 != "$work/empty.html" ]] && ! grep -q 'data-ready="true"' "$work/dom.html"; then
      echo "the page's script did not finish: $1" >&2; exit 1
    fi
    if [[ -z $best ]] || (( $(echo "$t < $best" | bc) )); then best=$t; fi
  done
  echo "$best"
}

echo '<!DOCTYPE html><title>empty</title>' >"$work/empty.html"
empty=$(load "$work/empty.html")
printf '%-8s %10s %10s %10s %12s %14s\n' images score_s write_s html_MB KB/image open_s
for n in "$@"; do
  dir="$work/run$n"
  mkdir -p "$dir/shots"
  for i in $(seq 0 $((n - 1))); do
    ln "$work/photos/photo$(printf %05d $((i % PHOTOS))).jpg" "$dir/shots/$(printf %05d "$i").jpg"
  done
  start=$(date +%s.%N)
  java -jar "$jar" score "$dir/shots" --model "$bundle" --views -o "$dir/run.jsonl" -q
  scored=$(echo "$(date +%s.%N) - $start" | bc)
  start=$(date +%s.%N)
  java -jar "$jar" report "$dir/run.jsonl" -o "$dir/run.html" -q
  wrote=$(echo "$(date +%s.%N) - $start" | bc)
  bytes=$(stat -c %s "$dir/run.html")
  opened=$(load "$dir/run.html")
  printf '%-8s %10.1f %10.1f %10.1f %12.2f %14.2f\n' "$n" "$scored" "$wrote" \
    "$(echo "$bytes / 1000000" | bc -l)" "$(echo "$bytes / $n / 1000" | bc -l)" \
    "$(echo "$opened - $empty" | bc -l)"
done
echo "(open_s: the page's load minus an empty page's, $empty s; best of $ROUNDS)"
