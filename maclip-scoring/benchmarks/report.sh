#!/usr/bin/env bash
# Size of a `maclip report` page and the time to write and to open it, for runs of N images.
# PHOTOS synthetic 640x480 JPEG photos (the benchmarks' synthetic_photos, quality 75) are scored
# once with --views into JSON Lines; a run of N images is N hard links to them (image i is photo
# i mod PHOTOS) with the JSON Lines their scoring writes: each photo's line under each of its
# names (the scorer is deterministic, so scoring the links again would write the same lines).
#   write: `maclip report run.jsonl` (reading, one thumbnail per image, writing), wall seconds;
#   open:  headless Chromium showing the page (--screenshot: load, script, first 100 rows drawn)
#          minus the same for an empty page, best of ROUNDS;
#   ready: the page's own time from the start of loading to the rows listed (data-ready-ms).
#
#   maclip-scoring/benchmarks/report.sh maclip-scoring/target/maclip-scoring-0.1.0-cli.jar \
#       maclip-scoring/src/test/resources/golden/tinyrn 1000 10000
#
# Environment: PYTHON (with numpy and Pillow; default python3), PHOTOS (default 1000), ROUNDS
# (default 3), CHROMIUM (default chromium).
set -euo pipefail
[ $# -ge 3 ] || { sed -n 2,18p "$0"; exit 2; }
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
start=$(date +%s.%N)
java -jar "$jar" score "$work/photos" --model "$bundle" --views -o "$work/photos.jsonl" -q
echo "== scored $PHOTOS photos with --views in $(echo "$(date +%s.%N) - $start" | bc) s"

chrome() { "$CHROMIUM" --headless --no-sandbox --disable-gpu --no-first-run \
  --user-data-dir="$work/profile" "$@" 2>/dev/null; }

# open PAGE: seconds headless Chromium takes to load and draw PAGE (best of ROUNDS)
open_s() {
  local best="" t start
  for _ in $(seq "$ROUNDS"); do
    start=$(date +%s.%N)
    chrome --window-size=1280,900 --screenshot="$work/shot.png" "file://$1" >/dev/null
    t=$(echo "$(date +%s.%N) - $start" | bc)
    if [[ -z $best ]] || (( $(echo "$t < $best" | bc) )); then best=$t; fi
  done
  echo "$best"
}

echo '<!DOCTYPE html><title>empty</title>' >"$work/empty.html"
empty=$(open_s "$work/empty.html")
printf '%-8s %10s %10s %12s %10s %10s\n' images write_s html_MB KB/image open_s ready_s
for n in "$@"; do
  dir="$work/run$n"
  mkdir -p "$dir/shots"
  "$PYTHON" - "$work/photos" "$work/photos.jsonl" "$dir/shots" "$n" "$dir/run.jsonl" <<'PY'
import json, os, sys
photos, scored, shots, n, out = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
lines = {os.path.basename(json.loads(l)["path"]): l for l in open(scored)}
names = sorted(lines)
with open(out, "w") as f:
    for i in range(n):
        photo = names[i % len(names)]
        link = os.path.join(shots, f"{i:05d}.jpg")
        os.link(os.path.join(photos, photo), link)
        row = json.loads(lines[photo])
        row["path"] = link
        f.write(json.dumps(row) + "\n")
PY
  start=$(date +%s.%N)
  java -jar "$jar" report "$dir/run.jsonl" -o "$dir/run.html" -q
  wrote=$(echo "$(date +%s.%N) - $start" | bc)
  bytes=$(stat -c %s "$dir/run.html")
  opened=$(open_s "$dir/run.html")
  ready=$(chrome --dump-dom "file://$dir/run.html" | grep -o 'data-ready-ms="[0-9]*"' | grep -o '[0-9]*')
  [[ -n $ready ]] || { echo "the page's script did not finish: $dir/run.html" >&2; exit 1; }
  printf '%-8s %10.1f %10.1f %12.2f %10.2f %10.2f\n' "$n" "$wrote" \
    "$(echo "$bytes / 1000000" | bc -l)" "$(echo "$bytes / $n / 1000" | bc -l)" \
    "$(echo "$opened - $empty" | bc -l)" "$(echo "$ready / 1000" | bc -l)"
done
echo "(open_s: the page shown minus an empty page shown, $empty s; best of $ROUNDS)"
