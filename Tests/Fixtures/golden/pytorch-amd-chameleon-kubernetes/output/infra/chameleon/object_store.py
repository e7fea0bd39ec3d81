"""Objects in the S3-compatible store the MLflow server uses (Chameleon's object store on a lease).

    python object_store.py put BUCKET KEY < FILE     upload stdin
    python object_store.py get BUCKET KEY > FILE     download to stdout
    python object_store.py has BUCKET KEY            exit 0 when the object exists, 1 when not

The endpoint comes from MLFLOW_S3_ENDPOINT_URL and the key from AWS_ACCESS_KEY_ID and
AWS_SECRET_ACCESS_KEY, as the compose `mlflow` service sets them; bootstrap.sh runs this inside it.
"""

from __future__ import annotations

import os
import sys

import boto3
from botocore.exceptions import BotoCoreError, ClientError


def main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[0] not in ("put", "get", "has"):
        print(__doc__, file=sys.stderr)
        return 2
    command, bucket, key = argv
    endpoint = os.environ.get("MLFLOW_S3_ENDPOINT_URL")
    if not endpoint:
        print("object_store: MLFLOW_S3_ENDPOINT_URL is not set", file=sys.stderr)
        return 2
    client = boto3.client("s3", endpoint_url=endpoint)
    try:
        if command == "put":
            data = sys.stdin.buffer.read()
            if not data:
                print(f"object_store: nothing on stdin to store as {bucket}/{key}", file=sys.stderr)
                return 1
            client.put_object(Bucket=bucket, Key=key, Body=data)
            stored = client.head_object(Bucket=bucket, Key=key)["ContentLength"]
            if stored != len(data):
                print(f"object_store: {bucket}/{key} holds {stored} bytes, not {len(data)}", file=sys.stderr)
                return 1
        elif command == "get":
            client.download_fileobj(bucket, key, sys.stdout.buffer)
        else:
            try:
                client.head_object(Bucket=bucket, Key=key)
            except ClientError as error:
                if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                    return 1
                raise
    except (BotoCoreError, ClientError) as error:
        print(f"object_store: {command} {bucket}/{key}: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
