#!/usr/bin/env bash
# Copies the AWS Lambda Java runtime interface client (and the one jar it needs beyond the
# function's own lib/) from Maven Central into DIR. With it, the function's unchanged JVM
# build runs outside Lambda against any Runtime API (the queue bridge, maclip_infra/bridge.py):
#   java -cp "FUNCTION:FUNCTION/lib/*:DIR/*" com.amazonaws.services.lambda.runtime.api.client.AWSLambda \
#        io.quarkus.amazon.lambda.runtime.QuarkusStreamHandler::handleRequest
# Used by local-chain.sh and gpu/Dockerfile; the versions are chosen here only.
set -euo pipefail
dest="${1:?usage: fetch-runtime-client.sh DIR}"
mkdir -p "$dest"
for artifact in \
    com.amazonaws:aws-lambda-java-runtime-interface-client:2.10.1 \
    com.amazonaws:aws-lambda-java-serialization:1.2.0; do
    # Maven's own output only when it fails (its quiet mode still prints colour codes).
    if ! log="$(mvn -B -q ${MVN_OFFLINE:+-o} dependency:copy -Dartifact="$artifact" -DoutputDirectory="$dest" 2>&1)"; then
        echo "$log" >&2
        echo "fetch-runtime-client: could not copy $artifact from Maven" >&2
        exit 1
    fi
done
