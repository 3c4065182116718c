"""Start and stop the production setup (deploy/serve) for a benchmark, on DATABASE_URL."""

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def start_server(port: int, **settings: str) -> subprocess.Popen:
    """deploy/serve on 127.0.0.1:port with DEBUG off and plain HTTP, `settings` on top; returns
    once /api/health/ answers."""
    env = {
        **os.environ,
        "PORT": str(port),
        "DEBUG": "false",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "benchmark-" + "x" * 40),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "CACHE_DIR": str(ROOT / "run" / f"bench-cache-{port}"),
        **settings,
    }
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    server = subprocess.Popen(  # noqa: S603 - the repository's own script
        [str(ROOT / "deploy" / "serve")],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    for _ in range(120):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health/", timeout=2):
                return server
        except OSError:
            time.sleep(0.25)
    stop_server(server)
    raise SystemExit("the server did not come up")


def stop_server(server: subprocess.Popen) -> None:
    """Stop nginx and gunicorn together (deploy/serve's process group)."""
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=30)
