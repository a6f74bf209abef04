"""The S3 and SQS side of the local demo and benchmarks, against a local S3 server (moto).

    python demo_s3.py --endpoint URL setup BUCKET
    python demo_s3.py --endpoint URL upload BUCKET FILE=KEY [FILE=KEY ...]
    python demo_s3.py --endpoint URL events BUCKET OUT.jsonl [--batch N]
    python demo_s3.py --endpoint URL results BUCKET
    python demo_s3.py --endpoint URL route-events BUCKET
    python demo_s3.py --endpoint URL announced BUCKET

`setup` makes the bucket and a queue that receives its object-created notifications, as the
recommended S3 -> SQS -> Lambda deployment does. `events` takes the notifications from that
queue and writes the events Lambda's SQS event source mapping would send, N messages each.
`results` prints the result documents the function wrote. `route-events` adds a rule on the
default EventBridge bus sending maclip's events about the bucket to a queue, as a user would;
`announced` prints the events that queue received (infra/maclip_infra/monitoring.py does both).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import boto3

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "infra"))
from maclip_infra.monitoring import drain_events, route_events  # noqa: E402

RESULTS_PREFIX = "maclip-results/"


def clients(endpoint: str):  # noqa: ANN201
    common = {"endpoint_url": endpoint, "region_name": "us-east-1",
              "aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
    return boto3.client("s3", **common), boto3.client("sqs", **common)


def setup(s3, sqs, bucket: str) -> None:  # noqa: ANN001
    s3.create_bucket(Bucket=bucket)
    queue_url = sqs.create_queue(QueueName=f"{bucket}-events")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    s3.put_bucket_notification_configuration(
        Bucket=bucket,
        NotificationConfiguration={"QueueConfigurations": [{"QueueArn": arn, "Events": ["s3:ObjectCreated:*"]}]},
    )
    print(f"bucket {bucket}, notifications to queue {arn}")


def upload(s3, bucket: str, pairs: list[str]) -> None:  # noqa: ANN001
    for pair in pairs:
        file, _, key = pair.partition("=")
        s3.put_object(Bucket=bucket, Key=key, Body=Path(file).read_bytes())
        print(f"uploaded s3://{bucket}/{key}")


def events(sqs, bucket: str, out: Path, batch: int) -> None:  # noqa: ANN001
    queue_url = sqs.get_queue_url(QueueName=f"{bucket}-events")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    messages = []
    while True:
        got = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages", [])
        if not got:
            break
        for m in got:
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=m["ReceiptHandle"])
        messages.extend(got)
    with out.open("w") as f:
        for start in range(0, len(messages), batch):
            records = [
                {
                    "messageId": m["MessageId"],
                    "receiptHandle": m["ReceiptHandle"],
                    "body": m["Body"],
                    "attributes": {"ApproximateReceiveCount": "1"},
                    "messageAttributes": {},
                    "md5OfBody": m["MD5OfBody"],
                    "eventSource": "aws:sqs",
                    "eventSourceARN": arn,
                    "awsRegion": "us-east-1",
                }
                for m in messages[start : start + batch]
            ]
            f.write(json.dumps({"Records": records}) + "\n")
    print(f"{len(messages)} notification(s) -> {out} ({batch} per event)")


def results(s3, bucket: str) -> None:  # noqa: ANN001
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=RESULTS_PREFIX)
    keys = [o["Key"] for page in pages for o in page.get("Contents", [])]
    print(f"{len(keys)} result(s) under s3://{bucket}/{RESULTS_PREFIX}")
    shown = None
    for key in keys:
        doc = json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
        source = doc["source"]["key"]
        if doc["ok"]:
            shown = shown or (key, doc)
            tags = {t["Key"]: t["Value"] for t in s3.get_object_tagging(Bucket=bucket, Key=source)["TagSet"]}
            tag = f"  tag maclip-q={tags['maclip-q']}" if "maclip-q" in tags else ""
            print(f"  {source}: Q={doc['q']:.4f} Q_sim={doc['q_sim']:.4f} Q_mag={doc['q_mag']:.4f}"
                  f" w_sim={doc['w_sim']:.3f} ({doc['views']} views, {doc['width']}x{doc['height']}){tag}")
        else:
            print(f"  {source}: error: {doc['error']}")
    if shown:
        key, doc = shown
        print(f"\ns3://{bucket}/{key} in full (view scores after the first cut):")
        doc["view_scores"] = doc["view_scores"][:1] + (["..."] if len(doc["view_scores"]) > 1 else [])
        print(json.dumps(doc, indent=2, ensure_ascii=False))


def announced(sqs, bucket: str) -> None:  # noqa: ANN001
    url = sqs.get_queue_url(QueueName=f"{bucket}-announced")["QueueUrl"]
    got = drain_events(sqs, url)
    print(f"{len(got)} event(s) on the default bus about s3://{bucket}, through a rule to a queue")
    for event in got:
        print(json.dumps(event, ensure_ascii=False))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint", required=True)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("setup").add_argument("bucket")
    up = sub.add_parser("upload")
    up.add_argument("bucket")
    up.add_argument("pairs", nargs="+", metavar="FILE=KEY")
    ev = sub.add_parser("events")
    ev.add_argument("bucket")
    ev.add_argument("out", type=Path)
    ev.add_argument("--batch", type=int, default=10)
    sub.add_parser("results").add_argument("bucket")
    sub.add_parser("route-events").add_argument("bucket")
    sub.add_parser("announced").add_argument("bucket")
    args = parser.parse_args()

    s3, sqs = clients(args.endpoint)
    if args.command == "setup":
        setup(s3, sqs, args.bucket)
    elif args.command == "upload":
        upload(s3, args.bucket, args.pairs)
    elif args.command == "events":
        events(sqs, args.bucket, args.out, args.batch)
    elif args.command == "route-events":
        bus = boto3.client("events", endpoint_url=args.endpoint, region_name="us-east-1",
                           aws_access_key_id="testing", aws_secret_access_key="testing")
        route_events(bus, sqs, f"{args.bucket}-announced", args.bucket)
        print(f"rule on the default bus: maclip's events about {args.bucket} -> queue {args.bucket}-announced")
    elif args.command == "announced":
        announced(sqs, args.bucket)
    else:
        results(s3, args.bucket)
    return 0


if __name__ == "__main__":
    sys.exit(main())
