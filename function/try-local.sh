#!/usr/bin/env bash
# Try the function without AWS: a local S3 + SQS (moto), a bucket whose object-created
# notifications go to a queue, a few uploaded images (one broken), and the packaged function
# (JVM mode, under the Lambda Java runtime client) fed those notifications through a local
# Lambda Runtime API, as Lambda's SQS event source would. Prints the results it wrote.
#
#   function/try-local.sh            # the tiny test bundle (its scores mean nothing)
#   MACLIP_MODEL=/tmp/rn50 function/try-local.sh
#
# Needs: Java 17, Maven, and moto (pip install 'moto[server]>=5,<6'; or MOTO_SERVER=path).
set -euo pipefail
source "$(dirname "$0")/local/common.sh"

MODEL=${MACLIP_MODEL:-$ROOT_DIR/maclip-scoring/src/test/resources/golden/tinyrn}
IMAGES="$ROOT_DIR/maclip-scoring/src/test/resources/golden/images"
find_moto
ensure_built
WORK=$(mktemp -d)
echo "== working in $WORK; model $MODEL"

start_moto
echo "== S3 and SQS (moto) on $MOTO_URL"
demo_s3 setup photos
demo_s3 route-events photos
printf 'this is not an image\n' >"$WORK/broken.jpg"
demo_s3 upload photos \
  "$IMAGES/rgb_512x384.png=incoming/holiday 2026/beach+sun.png" \
  "$IMAGES/gray8_230x400.png=incoming/scans/été/page 1.png" \
  "$IMAGES/rgba_240x300.png=incoming/rgba.png" \
  "$WORK/broken.jpg=incoming/broken.jpg"
demo_s3 events photos "$WORK/events.jsonl" --batch 10

echo "== the function (JVM mode) on a local Lambda Runtime API"
export MACLIP_TAGGING_ENABLED=true
# Announce images under Q 1.0 (one of the tiny bundle's three scores here) and every error result.
export MACLIP_EVENTS_LOW_QUALITY_BELOW=1.0 MACLIP_EVENTS_ERRORS=true
export MACLIP_EVENTS_ENDPOINT_OVERRIDE="$MOTO_URL" MACLIP_EVENTS_REGION=us-east-1
run_function "$WORK/events.jsonl" "$WORK/summary.json"
echo "response: $("$PYTHON" -c 'import json,sys; s=json.load(open(sys.argv[1])); print(json.dumps(s["invocations"][0]["body"]), "after", s["first_response_s"], "s from start")' "$WORK/summary.json")"
grep -E "org.maclip|started in" "$WORK/function.log" | cut -c25- || true

echo "== metric lines (CloudWatch's embedded metric format; on Lambda they become metrics): the first and the batch's"
grep -m1 '^{"_aws".*"ImagesScored"' "$WORK/function.log" || true
grep -m1 '^{"_aws".*"BatchImages"' "$WORK/function.log" || true
echo "== EventBridge"
demo_s3 announced photos

echo "== results"
demo_s3 results photos
