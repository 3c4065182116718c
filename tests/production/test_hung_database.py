"""A database that hangs (its processes stopped, not down): health says so within two seconds,
and all is well again once it resumes. Run on a PostgreSQL cluster of the test's own."""

import contextlib
import json
import os
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from .conftest import free_port, manage, require

pytestmark = pytest.mark.production


@pytest.fixture
def own_cluster():
    """A fresh PostgreSQL cluster on a port of its own, dropped afterwards: (version, name, port)."""
    require(
        os.geteuid() == 0 and shutil.which("pg_createcluster") is not None,
        "a cluster of the test's own needs root and Debian's postgresql-common (pg_createcluster)",
    )
    version = sorted(os.listdir("/usr/lib/postgresql"))[-1]
    name, port = f"copydesk_hang_{os.getpid()}", free_port()
    run = ["pg_createcluster", version, name, "-p", str(port), "--", "--auth=trust"]
    subprocess.run(run, check=True, capture_output=True, timeout=120)
    try:
        start = ["pg_ctlcluster", "--skip-systemctl-redirect", version, name, "start"]
        subprocess.run(start, check=True, capture_output=True, timeout=60)
        yield version, name, port
    finally:
        _signal_cluster(version, name, signal.SIGCONT)
        subprocess.run(["pg_dropcluster", "--stop", version, name], capture_output=True, timeout=120)


def _cluster_pids(version: str, name: str) -> list[int]:
    pid_file = Path(f"/var/lib/postgresql/{version}/{name}/postmaster.pid")
    if not pid_file.exists():
        return []
    postmaster = int(pid_file.read_text().split()[0])
    children = subprocess.run(["pgrep", "-P", str(postmaster)], capture_output=True, text=True).stdout.split()
    return [postmaster, *map(int, children)]


def _signal_cluster(version: str, name: str, sig: int) -> None:
    for pid in _cluster_pids(version, name):
        with contextlib.suppress(ProcessLookupError):  # a backend that just ended
            os.kill(pid, sig)


def _health(url: str) -> tuple[int, float, bytes]:
    started = time.monotonic()
    try:
        with urllib.request.urlopen(f"{url}/api/health/", timeout=30) as response:
            status, body = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, body = error.code, error.read()
    return status, time.monotonic() - started, body


def test_health_answers_503_within_two_seconds_while_the_database_hangs(own_cluster, serve):
    version, name, port = own_cluster
    database_url = f"postgres://postgres@127.0.0.1:{port}/postgres"
    manage(database_url, "migrate", "--noinput", "-v0")
    url = serve(database_url)
    assert _health(url)[0] == 200

    _signal_cluster(version, name, signal.SIGSTOP)
    try:
        for _ in range(3):  # the first probe hangs; later requests wait on it, not on new ones
            status, seconds, body = _health(url)
            assert status == 503 and seconds < 2.0, (status, seconds, body)
            assert b'"status":"unavailable"' in body.replace(b" ", b"")
    finally:
        _signal_cluster(version, name, signal.SIGCONT)

    deadline = time.monotonic() + 10
    while _health(url)[0] != 200:
        assert time.monotonic() < deadline, "health did not recover within 10 s of the database resuming"
        time.sleep(0.5)


def test_while_the_database_is_down_every_api_path_answers_json(own_cluster, serve):
    """During an outage every API path but health answered an HTML 500."""
    version, name, port = own_cluster
    database_url = f"postgres://postgres@127.0.0.1:{port}/postgres"
    manage(database_url, "migrate", "--noinput", "-v0")
    token = manage(database_url, "adduser", "reader", "--role", "consumer").strip().splitlines()[-1]
    url = serve(database_url)
    stop = ["pg_ctlcluster", "--skip-systemctl-redirect", version, name, "stop", "-m", "immediate"]
    subprocess.run(stop, check=True, capture_output=True, timeout=60)
    for path in ("/api/articles/", "/api/annotations/?kind=claim", "/api/exports/annotations.jsonl"):
        request = urllib.request.Request(f"{url}{path}", headers={"Authorization": f"Token {token}"})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=30)
        assert refused.value.code == 503, path
        assert refused.value.headers["Content-Type"] == "application/json"
        assert json.loads(refused.value.read()) == {"detail": "The database did not answer; try again shortly."}
    status, _, body = _health(url)
    assert (status, json.loads(body)["status"]) == (503, "unavailable")
