#!/usr/bin/env bash
# Peak memory and time of MA-CLIP Score on a 100-megapixel image in a real ImageJ 1.x: the
# packaged plugin installed from the update-site folder as Fiji's Updater would (plugins/, jars/,
# lib/<platform>/), in a fresh JVM per run with the given -Xmx, `ImageJ -batch` under xvfb-run.
# Each macro sets the pixel limit (max=) to the image's pixels (100 MP is over the default
# guard), makes the image with newImage (an RGB ramp: ImageJ's RGB noise needs 300 MB more than
# the image to make it; 8-bit noise, seeded: the same pixels in every run), times
# `run("MA-CLIP Score")` with getTime() and prints Q. Peak memory is the JVM's peak resident
# set (/usr/bin/time -v); the baseline is the same heap scoring a 1024x768 RGB image, so "B/px"
# = (peak − baseline) / pixels: the image in ImageJ, its conversion and the scoring above
# ImageJ, ONNX Runtime and the model. For each case and build the heaps are tried smallest
# first, up to the first that scores. Builds are given as NAME=SITE (a build's
# imagej-plugin/target/fiji), compared case by case side by side; by default this checkout's
# build alone.
#
#   mvn -B -ntp -q -pl imagej-plugin -am package -DskipTests
#   imagej-plugin/benchmarks/memory.sh "$(ls ~/.m2/repository/net/imagej/ij/*/ij-*.jar | tail -1)" \
#     before=/tmp/before/imagej-plugin/target/fiji after=imagej-plugin/target/fiji
#
# Environment: SIZE (WxH, default 10000x10000), HEAPS (default "512m 768m 1024m 1280m 1536m
# 2048m 2560m 3072m"), CASES (default "rgb gray gray-raw"), BUNDLE (default the tiny golden
# bundle), TIMEOUT_S per run (default 600).
set -euo pipefail
[ $# -ge 1 ] || { sed -n 2,22p "$0"; exit 2; }
ij_jar=$1
shift
root="$(cd "$(dirname "$0")/../.." && pwd)"
builds=("$@")
[ ${#builds[@]} -gt 0 ] || builds=("this=$root/imagej-plugin/target/fiji")
SIZE=${SIZE:-10000x10000}
HEAPS=${HEAPS:-"512m 768m 1024m 1280m 1536m 2048m 2560m 3072m"}
CASES=${CASES:-"rgb gray gray-raw"}
BUNDLE=${BUNDLE:-$root/maclip-scoring/src/test/resources/golden/tinyrn}
TIMEOUT_S=${TIMEOUT_S:-600}
width=${SIZE%x*} height=${SIZE#*x}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$root/maclip-scoring/benchmarks/machine.sh"
echo "== $(java -version 2>&1 | head -1); ImageJ $(basename "$ij_jar"); bundle $(basename "$BUNDLE")"

# each build installed as Fiji's Updater installs it: this platform's native libraries only
platform=linux64
[[ $(uname -m) == aarch64 ]] && platform=linux-arm64
mkdir -p "$work/home"
for spec in "${builds[@]}"; do
  name=${spec%%=*} site=${spec#*=}
  mkdir -p "$work/$name/lib"
  cp -r "$site/plugins" "$site/jars" "$work/$name/"
  cp -r "$site/lib/$platform" "$work/$name/lib/"
done

# run BUILD HEAP FILL W H OPTIONS: prints "peak_kb wall_s score_ms q" of one run, or "FAILED line"
run() {
  local build=$1 macro=$work/m.ijm rc=0
  shift
  cat >"$macro" <<IJM
run("MA-CLIP Settings...", "model=[$BUNDLE] max=$(($3 * $4))");
random("seed", 1);
newImage("img", "$2", $3, $4, 1);
t0 = getTime();
run("MA-CLIP Score", "model=[$BUNDLE] $5");
print("RESULT " + (getTime() - t0) + " " + d2s(getResult("Q", 0), 12));
IJM
  xvfb-run -a /usr/bin/time -v -o "$work/time" timeout "$TIMEOUT_S" \
    java -Xmx"$1" -Dplugins.dir="$work/$build" -Duser.home="$work/home" \
    -cp "$ij_jar" ij.ImageJ -batch "$macro" >"$work/out" 2>&1 || rc=$?
  local result
  result=$(grep -m1 '^RESULT ' "$work/out" || true)
  if [[ $rc != 0 || -z $result ]]; then
    echo "FAILED $(grep -v '^\s*$' "$work/out" | grep -m1 -i 'maclip\|memory\|error' \
      || tail -1 "$work/out")"
    return
  fi
  local kb secs
  kb=$(awk -F': ' '/Maximum resident/ {print $2}' "$work/time")
  secs=$(awk -F': ' '/Elapsed \(wall/ {print $2}' "$work/time")
  echo "$kb $secs ${result#RESULT }"
}

declare -A base=()
printf '%-9s %-7s %-8s %-6s %9s %9s %7s %8s %8s %s\n' \
  case build image_MB Xmx peak_MB base_MB B/px score_s wall q
pixels=$((width * height))
for c in $CASES; do
  case $c in
    rgb) type="RGB ramp" bpp=4 options="" ;;
    gray) type="8-bit noise" bpp=1 options="" ;;
    gray-raw) type="8-bit noise" bpp=1 options="raw" ;;
    *) echo "unknown case $c" >&2; exit 2 ;;
  esac
  mb=$((pixels * bpp / 1000000))
  for spec in "${builds[@]}"; do
    build=${spec%%=*}
    for heap in $HEAPS; do
      read -r kb secs ms q <<<"$(run "$build" "$heap" "$type" "$width" "$height" "$options")"
      if [[ $kb == FAILED ]]; then
        printf '%-9s %-7s %-8s %-6s refused or failed: %s\n' "$c" "$build" "$mb" "$heap" \
          "$secs $ms $q"
        continue
      fi
      if [[ -z ${base[$build$heap]:-} ]]; then
        read -r bkb _ <<<"$(run "$build" "$heap" "RGB noise" 1024 768 "")"
        base[$build$heap]=$bkb
      fi
      awk -v c="$c" -v b="$build" -v mb="$mb" -v heap="$heap" -v kb="$kb" \
        -v bkb="${base[$build$heap]}" -v px="$pixels" -v ms="$ms" -v wall="$secs" -v q="$q" \
        'BEGIN { printf "%-9s %-7s %-8s %-6s %9.0f %9.0f %7.2f %8.1f %8s %s\n", c, b, mb, heap,
                 kb / 1024, bkb / 1024, (kb - bkb) * 1024 / px, ms / 1000, wall, q }'
      break
    done
  done
done
