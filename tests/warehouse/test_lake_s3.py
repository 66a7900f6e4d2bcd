"""A lake whose data files are in an S3-compatible store: moto's S3 server on loopback.

moto's server (`python -m moto.server`) is a real HTTP server speaking the S3 API (PUT, ranged
GET, multipart uploads, DELETE, ListObjectsV2), so DuckDB's httpfs talks to it exactly as to
MinIO or AWS; the bucket is listed with boto3 to see the objects really are there. The server
checks request signatures (`INITIAL_NO_AUTH_ACTION_COUNT`: only the IAM calls that make the
test user and its key go unsigned), so a lake whose secret is wrong is refused.

Each test runs on a SQLite catalog and on a PostgreSQL one (skipped without
$NEWSFLOW_TEST_POSTGRES, see tests/conftest.py).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest

from bench.load_rate import synthetic_articles
from flows.maintenance import maintain
from schemas.errors import LoadError
from tests.warehouse.test_lake import _writers, duplicated
from warehouse import lake
from warehouse.db import connect
from warehouse.load import load_batch
from warehouse.query import run_sql

REPO = Path(__file__).resolve().parents[2]
REGION = "us-east-1"
# The IAM calls that make the test user, its key and its policy: unsigned, then all is checked.
_SETUP_CALLS = 3


@dataclass(frozen=True)
class S3Server:
    endpoint: str
    key_id: str
    secret: str


@dataclass(frozen=True)
class Bucket:
    name: str
    client: object  # a boto3 S3 client on the test server

    def objects(self) -> set[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.name)
        return {item["Key"] for page in pages for item in page.get("Contents", [])}

    def url(self, key: str) -> str:
        return f"s3://{self.name}/{key}"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(port: int, server: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and server.poll() is None:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"moto's S3 server did not start on port {port}")


def _test_user(endpoint: str) -> tuple[str, str]:
    """An IAM user allowed everything on S3: its key id and secret."""
    iam = boto3.client(
        "iam",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id="setup",
        aws_secret_access_key="setup",
    )
    iam.create_user(UserName="newsflow")
    key = iam.create_access_key(UserName="newsflow")["AccessKey"]
    policy = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
    }
    iam.put_user_policy(UserName="newsflow", PolicyName="s3", PolicyDocument=json.dumps(policy))
    return key["AccessKeyId"], key["SecretAccessKey"]


@pytest.fixture(scope="module")
def s3_server() -> Iterator[S3Server]:
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        env={**os.environ, "INITIAL_NO_AUTH_ACTION_COUNT": str(_SETUP_CALLS)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for(port, server)
        endpoint = f"http://127.0.0.1:{port}"
        yield S3Server(endpoint, *_test_user(endpoint))
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture
def bucket(s3_server: S3Server, monkeypatch) -> Bucket:
    """A new bucket, and the environment a newsflow process on it has."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": s3_server.key_id,
        "AWS_SECRET_ACCESS_KEY": s3_server.secret,
        "AWS_REGION": REGION,
        "NEWSFLOW_S3_ENDPOINT": s3_server.endpoint,
    }.items():
        monkeypatch.setenv(name, value)
    client = boto3.client(
        "s3",
        endpoint_url=s3_server.endpoint,
        aws_access_key_id=s3_server.key_id,
        aws_secret_access_key=s3_server.secret,
        region_name=REGION,
    )
    name = f"lake-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=name)
    return Bucket(name, client)


@pytest.fixture
def s3_lake(lake_location: str, bucket: Bucket, monkeypatch) -> str:
    """A new lake (SQLite or PostgreSQL catalog) with its data files in s3://bucket/lake/."""
    monkeypatch.setenv("NEWSFLOW_LAKE_DATA_PATH", f"s3://{bucket.name}/lake/")
    return lake_location


def count(location: str, table: str) -> int:
    return run_sql(location, f"SELECT count(*) FROM {table}").rows[0][0]


def lake_files(location: str) -> set[str]:
    """Every data and delete file the lake's current snapshot reads."""
    found: set[str] = set()
    with connect(location, read_only=True) as con:
        tables = con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = ?", [lake.LAKE]
        ).fetchall()
        for (table,) in tables:
            rows = con.execute(
                f"SELECT data_file, delete_file FROM ducklake_list_files('{lake.LAKE}', ?)",
                [table],
            ).fetchall()
            found.update(path for row in rows for path in row if path)
    return found


# -- the secret -------------------------------------------------------------------------------


def test_s3_secret_options_come_from_the_usual_environment():
    minio = lake.s3_secret_options(
        {
            "AWS_ACCESS_KEY_ID": "k",
            "AWS_SECRET_ACCESS_KEY": "s",
            "AWS_DEFAULT_REGION": "eu-west-3",
            "AWS_ENDPOINT_URL": "http://minio.internal:9000/",
        }
    )
    assert minio == {
        "KEY_ID": "k",
        "SECRET": "s",
        "REGION": "eu-west-3",
        "ENDPOINT": "minio.internal:9000",
        "URL_STYLE": "path",
        "USE_SSL": False,
    }
    ceph = lake.s3_secret_options(
        {"NEWSFLOW_S3_ENDPOINT": "ceph.internal:7480", "AWS_ENDPOINT_URL": "http://other"}
    )
    assert ceph == {"ENDPOINT": "ceph.internal:7480", "URL_STYLE": "path", "USE_SSL": True}
    aws = lake.s3_secret_options({"AWS_REGION": "us-east-2", "AWS_SESSION_TOKEN": "t"})
    assert aws == {"REGION": "us-east-2", "SESSION_TOKEN": "t"}  # AWS itself: its own defaults


def test_the_secret_is_made_on_connect_and_never_shown(s3_lake, bucket, s3_server):
    with connect(s3_lake) as con:
        assert lake.data_path(con) == f"s3://{bucket.name}/lake/"
        secrets = con.execute("SELECT type, secret_string FROM duckdb_secrets()").fetchall()
    assert [kind for kind, _ in secrets] == ["s3"]
    shown = secrets[0][1]
    assert s3_server.key_id in shown and s3_server.secret not in shown  # DuckDB redacts it


# -- loads, reads, maintenance ----------------------------------------------------------------


def test_batches_go_to_the_bucket_and_come_back(s3_lake, bucket):
    for first in range(0, 30, 15):  # 15 articles a batch: past inlining, each writes files
        load_batch(s3_lake, synthetic_articles(first, 15, 2))
    load_batch(s3_lake, synthetic_articles(0, 15, 2))  # again: nothing new

    assert count(s3_lake, "articles") == 30 and count(s3_lake, "claims") == 60
    assert duplicated(s3_lake) == {}
    titles = run_sql(s3_lake, "SELECT title FROM articles ORDER BY title LIMIT 2").rows
    assert titles == [("Article 0",), ("Article 1",)]
    files = lake_files(s3_lake)
    keys = bucket.objects()
    assert files and all(path.startswith(f"s3://{bucket.name}/lake/") for path in files)
    assert files <= {bucket.url(key) for key in keys}  # every file the lake reads is an object
    assert all(key.startswith("lake/") and key.endswith(".parquet") for key in keys)


def test_maintenance_merges_expires_and_deletes_objects(s3_lake, bucket):
    for first in range(0, 60, 15):
        load_batch(s3_lake, synthetic_articles(first, 15, 2))
    before = bucket.objects()

    upkeep = maintain(s3_lake, keep_snapshots_days=0).lake

    assert upkeep is not None
    assert upkeep.data_files_after < upkeep.data_files_before
    assert upkeep.expired_snapshots > 0 and upkeep.deleted_files > 0
    after = bucket.objects()
    assert len(before - after) == upkeep.deleted_files  # the deleted files left the bucket
    assert lake_files(s3_lake) <= {bucket.url(key) for key in after}
    assert count(s3_lake, "articles") == 60 and count(s3_lake, "claims") == 120


# -- other processes --------------------------------------------------------------------------


def test_another_process_needs_only_the_attach_string_and_the_credentials(s3_lake, bucket):
    load_batch(s3_lake, synthetic_articles(0, 15, 2))
    env = {k: v for k, v in os.environ.items() if k != "NEWSFLOW_LAKE_DATA_PATH"}
    script = (
        "import sys; from warehouse.query import run_sql;"
        " print(run_sql(sys.argv[1], 'SELECT count(*) FROM claims').rows[0][0])"
    )
    read = subprocess.run(
        [sys.executable, "-c", script, s3_lake],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert read.returncode == 0, read.stderr[-3000:]
    assert read.stdout.strip() == "30"


@pytest.mark.slow  # 15-25 s; test_lake.py runs the same writers quickly on a folder
def test_two_processes_write_one_lake_in_s3_at_once(s3_lake, bucket):
    batches, per_batch = 2, 12  # 12 articles: files in the bucket, not rows in the catalog
    load_batch(s3_lake, [])  # the schema first
    writers = _writers(s3_lake, ["one", "two"], batches, per_batch)
    outputs = [writer.communicate(timeout=600) for writer in writers]
    for writer, (out, err) in zip(writers, outputs, strict=True):
        assert writer.returncode == 0, err[-3000:]
        assert json.loads(out)["new_articles"] == batches * per_batch
    assert count(s3_lake, "articles") == 2 * batches * per_batch
    assert duplicated(s3_lake) == {}
    assert lake_files(s3_lake) <= {bucket.url(key) for key in bucket.objects()}


def test_a_wrong_secret_is_refused_and_not_shown(s3_lake, bucket, monkeypatch):
    wrong = "not-the-secret-8c1f0e"
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", wrong)
    with pytest.raises(LoadError) as refused:
        load_batch(s3_lake, synthetic_articles(0, 15, 2))
    assert "SignatureDoesNotMatch" in str(refused.value)
    assert wrong not in str(refused.value)
    assert bucket.objects() == set()
