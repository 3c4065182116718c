"""Logging: each line reaches the console once."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


LOG_ONCE = (
    "import logging, django; django.setup(); "
    "logging.getLogger('django.request').warning('Not Found: /nowhere'); "
    "logging.getLogger('annotations').warning('from the app')"
)


def test_each_log_line_is_printed_once():
    """Django's own loggers and the app's each reach the console once, with DEBUG on or off."""
    for debug in ("true", "false"):
        result = subprocess.run(
            [sys.executable, "-c", LOG_ONCE],
            cwd=ROOT,
            env={**os.environ, "DJANGO_SETTINGS_MODULE": "project.settings", "DEBUG": debug, "SECRET_KEY": "x" * 50},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        assert result.stderr.count("Not Found: /nowhere") == 1, result.stderr
        assert result.stderr.count("from the app") == 1, result.stderr
