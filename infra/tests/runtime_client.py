"""A minimal Lambda runtime process (the test's stand-in for the Java runtime client).

It speaks the Runtime API over HTTP exactly as a runtime client does: GET the next
invocation, then POST a response or an error. Its "function" reports as failed every SQS
record whose body contains "fail", and fails the whole invocation when one contains "crash".
"""

from __future__ import annotations

import json
import os
import sys
import urllib.error
import urllib.request

API = "/2018-06-01/runtime"


def answer(event: dict) -> tuple[str, dict]:
    bodies = [(r["messageId"], r["body"]) for r in event["Records"]]
    if any("crash" in b for _, b in bodies):
        return "error", {"errorMessage": "crashed", "errorType": "RuntimeException"}
    return "response", {
        "batchItemFailures": [{"itemIdentifier": i} for i, b in bodies if "fail" in b]
    }


def serve(api: str, limit: int = 0) -> int:
    """Handles invocations until the API says it is stopping (or after ``limit``)."""
    handled = 0
    while not limit or handled < limit:
        try:
            with urllib.request.urlopen(f"http://{api}{API}/invocation/next", timeout=60) as r:
                request_id = r.headers["Lambda-Runtime-Aws-Request-Id"]
                assert int(r.headers["Lambda-Runtime-Deadline-Ms"]) > 0
                event = json.loads(r.read())
        except urllib.error.HTTPError:
            return handled
        kind, body = answer(event)
        request = urllib.request.Request(
            f"http://{api}{API}/invocation/{request_id}/{kind}",
            data=json.dumps(body).encode(),
            method="POST",
        )
        urllib.request.urlopen(request, timeout=60).read()
        handled += 1
    return handled


if __name__ == "__main__":
    if "RUNTIME_CLIENT_ENV_OUT" in os.environ:  # lets a test see the environment it was given
        seen = {k: v for k, v in os.environ.items() if k.startswith(("MACLIP_", "AWS_LAMBDA_"))}
        with open(os.environ["RUNTIME_CLIENT_ENV_OUT"], "w") as out:
            json.dump(seen, out)
    serve(os.environ["AWS_LAMBDA_RUNTIME_API"])
    sys.exit(0)
