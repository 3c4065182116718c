"""The production setup (make serve: nginx in front of gunicorn's threaded workers), run for real
on loopback against a database of its own.

- `production_database`: a fresh, migrated database URL: on the PostgreSQL server of
  DATABASE_URL when that is PostgreSQL, else an SQLite file.
- `serve(database_url, **env)`: starts deploy/serve on a free port with DEBUG off and returns
  its base URL; stopped (with both processes) at the end of the test.

They need nginx (Debian's package; .ci/run installs it): without it they skip, or fail when
COPYDESK_REQUIRE_PRODUCTION=1 (CI sets it).
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def require(condition: bool, reason: str) -> None:
    if condition:
        return
    if os.environ.get("COPYDESK_REQUIRE_PRODUCTION") == "1":
        pytest.fail(f"COPYDESK_REQUIRE_PRODUCTION=1, but {reason}")
    pytest.skip(reason)


def free_port() -> int:
    """A port with the one above it free too (gunicorn listens there)."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        with socket.socket() as above:
            try:
                above.bind(("127.0.0.1", port + 1))
            except OSError:
                continue
        return port
    raise RuntimeError("no two free ports in a row")


def manage(database_url: str, *args: str, timeout: float = 300) -> str:
    env = {**os.environ, "DATABASE_URL": database_url, "DEBUG": "true"}
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def wait_until_up(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/api/health/", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not come up in {seconds} s")


@pytest.fixture
def production_database(tmp_path):
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        parts = urlsplit(url)
        name = f"copydesk_production_{os.getpid()}"
        admin = urlunsplit(parts._replace(path="/postgres"))
        _psql(admin, f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name}")
        database_url = urlunsplit(parts._replace(path=f"/{name}"))
        manage(database_url, "migrate", "--noinput", "-v0")
        yield database_url
        _psql(admin, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    else:
        database_url = f"sqlite:///{tmp_path / 'production.sqlite3'}"
        manage(database_url, "migrate", "--noinput", "-v0")
        yield database_url


def _psql(admin_url: str, *statements: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as connection:
        for statement in statements:
            connection.execute(statement)


@pytest.fixture
def serve(tmp_path):
    require(Path(NGINX).exists(), f"nginx is not installed ({NGINX}); apt-get install nginx")
    started = []

    def start(database_url: str, **env: str) -> str:
        port = free_port()
        environment = {
            **os.environ,
            "PORT": str(port),
            "RUN_DIR": str(tmp_path / f"run-{port}"),
            "DATABASE_URL": database_url,
            "DEBUG": "false",
            "SECRET_KEY": "production-test-" + "x" * 40,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "false",
            "SESSION_COOKIE_SECURE": "false",
            "CSRF_COOKIE_SECURE": "false",
            "SECURE_HSTS_SECONDS": "0",
            "CACHE_DIR": str(tmp_path / f"cache-{port}"),
            "WEB_WORKERS": "2",
            **env,
        }
        log = open(tmp_path / f"serve-{port}.log", "wb")  # noqa: SIM115 - closed with the server
        process = subprocess.Popen(
            ["deploy/serve"], cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        started.append((process, log))
        url = f"http://127.0.0.1:{port}"
        try:
            wait_until_up(url)
        except AssertionError:
            raise AssertionError((tmp_path / f"serve-{port}.log").read_text()[-3000:]) from None
        return url

    yield start
    for process, log in started:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        log.close()
