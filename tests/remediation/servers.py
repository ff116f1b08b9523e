"""Real server processes on loopback: moto_server (the member accounts) and `secpipe hub serve` (the hub).

Plain context managers, so the CLI tests and benchmarks/remediate.py start them the same way.
"""
from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import boto3

REGION = "us-east-1"
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
_STARTUP_SECONDS = 120  # a loaded CI machine is slow to import moto


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextlib.contextmanager
def moto_server() -> Iterator[str]:
    """moto on a free loopback port; yields its URL once it answers.

    The port is free when chosen but another process may take it before moto binds it:
    a server that exits at once is started again on another port.
    """
    for _attempt in range(3):
        port = free_port()
        process = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}"
        if _answers(process, f"{url}/moto-api/data.json"):
            break
        _stop(process)
    else:
        raise RuntimeError("moto_server did not start on a loopback port (tried 3)")
    try:
        yield url
    finally:
        _stop(process)


def _answers(process: subprocess.Popen, url: str) -> bool:
    deadline = time.monotonic() + _STARTUP_SECONDS
    while process.poll() is None and time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=5).read()
            return True
        except OSError:
            time.sleep(0.2)
    return False


@contextlib.contextmanager
def hub_server(db: Path, quota: bool = False) -> Iterator[str]:
    """`secpipe hub serve` as a user runs it; yields the endpoint URL it prints."""
    command = [sys.executable, "-m", "pipeline.cli", "hub", "serve", "--port", "0", "--db", str(db)]
    process = subprocess.Popen(command + (["--quota"] if quota else []), stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
    try:
        line = process.stdout.readline() if process.stdout else ""
        found = re.search(r"at (http://127\.0\.0\.1:\d+)", line)
        if not found:
            raise RuntimeError(f"secpipe hub serve did not start: {line!r}")
        yield found.group(1)
    finally:
        _stop(process)


def cli_environment(moto_url: str) -> dict[str, str]:
    """The CLI's environment: every AWS client goes to moto through botocore's own variable."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(CREDENTIALS, AWS_DEFAULT_REGION=REGION, AWS_ENDPOINT_URL=moto_url)
    return env


def member_session(moto_url: str, account: str, role_name: str = "secpipe-remediation",
                   region: str = REGION) -> boto3.session.Session:
    """A session in `account` on moto, reached as the engine reaches it (assume_role)."""
    sts = boto3.client("sts", endpoint_url=moto_url, region_name=region, aws_access_key_id="testing",
                       aws_secret_access_key="testing")
    creds = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/{role_name}",
                            RoleSessionName="secpipe-test")["Credentials"]
    return boto3.session.Session(aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                                 aws_session_token=creds["SessionToken"], region_name=region)


def hub_client(hub_url: str):
    return boto3.client("securityhub", endpoint_url=hub_url, region_name=REGION, aws_access_key_id="x",
                        aws_secret_access_key="x")
