"""`secpipe hub serve` as a user runs it, and the in-process helpers the other commands use."""
from __future__ import annotations

import re
import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import boto3
import pytest

from pipeline.hub import default_db_path, start_local_hub
from pipeline.hub.timestamps import to_microseconds
from tests.hub.conftest import client_for, make_finding


def test_serve_prints_the_url_serves_boto3_and_stops_on_sigterm(tmp_path):
    db = tmp_path / "served.sqlite3"
    process = subprocess.Popen([sys.executable, "-m", "pipeline.cli", "hub", "serve", "--port", "0", "--db", str(db)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()
        url = re.search(r"at (http://127\.0\.0\.1:\d+)", line).group(1)
        client = boto3.client("securityhub", endpoint_url=url, region_name="us-east-1",
                              aws_access_key_id="x", aws_secret_access_key="x")
        assert client.batch_import_findings(Findings=[make_finding("served")])["SuccessCount"] == 1
        assert [f["Id"] for f in client.get_findings()["Findings"]] == ["served"]
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert "stopped" in out
    assert db.is_file()


def test_serve_on_a_port_in_use_is_a_one_line_error(tmp_path, hub):
    result = subprocess.run([sys.executable, "-m", "pipeline.cli", "hub", "serve", "--port", str(hub.port),
                             "--db", str(tmp_path / "x.sqlite3")], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.startswith("secpipe: error: cannot serve on 127.0.0.1:")
    assert "Traceback" not in result.stderr


def test_findings_persist_across_restarts(tmp_path):
    db = tmp_path / "hub.sqlite3"
    with start_local_hub(db) as first:
        client_for(first).batch_import_findings(Findings=[make_finding("kept")])
    with start_local_hub(db) as second:
        assert [f["Id"] for f in client_for(second).get_findings()["Findings"]] == ["kept"]


def test_default_db_path_honours_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("SECPIPE_HUB_DB", str(tmp_path / "custom.sqlite3"))
    assert default_db_path() == tmp_path / "custom.sqlite3"
    monkeypatch.delenv("SECPIPE_HUB_DB")
    assert default_db_path().name == "hub.sqlite3" and "secpipe" in str(default_db_path())


def test_timestamps_compare_as_instants():
    assert to_microseconds("2024-01-04T15:25:10+01:00") == to_microseconds("2024-01-04T14:25:10Z")
    assert to_microseconds("2024-01-04T15:25:10-1759") == to_microseconds("2024-01-05T09:24:10Z")
    assert to_microseconds("2019-01-31T23:00:00.123456789Z") - to_microseconds("2019-01-31T23:00:00Z") == 123456
    assert to_microseconds("2016-12-31T23:59:60Z") == to_microseconds("2017-01-01T00:00:00Z")


def test_timestamps_without_a_zone_are_refused():
    for text in ("2024-01-04T15:25:10", "2024-13-04T15:25:10Z", "yesterday"):
        with pytest.raises(ValueError):
            to_microseconds(text)


def test_concurrent_clients_lose_nothing(hub):
    def import_batches(worker: int) -> int:
        client = client_for(hub)
        accepted = 0
        for batch in range(3):
            findings = [make_finding(f"w{worker}-b{batch}-{i}") for i in range(50)]
            accepted += client.batch_import_findings(Findings=findings)["SuccessCount"]
            client.get_findings(MaxResults=5)
        return accepted

    with ThreadPoolExecutor(max_workers=4) as pool:
        assert sum(pool.map(import_batches, range(4))) == 600
    assert hub.store.count() == 600


def test_serves_on_ipv6_loopback(tmp_path):
    try:
        hub = start_local_hub(tmp_path / "v6.sqlite3", host="::1")
    except OSError:
        pytest.skip("no IPv6 loopback on this machine")
    with hub:
        assert hub.endpoint_url.startswith("http://[::1]:")
        client_for(hub).batch_import_findings(Findings=[make_finding("v6")])
        assert [f["Id"] for f in client_for(hub).get_findings()["Findings"]] == ["v6"]
