#!/usr/bin/env bash
# infra/'s checks, for CI and by hand (no AWS account needed, nothing leaves loopback):
#   1. cfn-lint on every CloudFormation/SAM template under infra/;
#   2. `sam validate --lint` too, when the SAM CLI is on PATH (it is optional: pip install aws-sam-cli);
#   3. ruff on infra/'s Python, and its tests (moto's S3 and SQS server on 127.0.0.1).
# Needs cfn-lint, ruff, pytest, boto3 and moto[server] in the active Python environment.
set -euo pipefail
cd "$(dirname "$0")"
export SAM_CLI_TELEMETRY=0

mapfile -t templates < <(find . -name '*.yaml' -path '*template*' -not -path './.aws-sam/*' | sort)
echo "== cfn-lint: ${templates[*]}"
cfn-lint "${templates[@]}"

if command -v sam >/dev/null 2>&1; then
    for t in "${templates[@]}"; do
        echo "== sam validate --lint $t"
        sam validate --lint --region us-east-1 -t "$t"
    done
else
    echo "== sam validate: skipped (no SAM CLI on PATH)"
fi

echo "== ruff"
ruff check .
ruff format --check .

echo "== pytest (infra)"
python -m pytest
