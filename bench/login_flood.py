"""A flood of wrong desk passwords against the production setup, and what it does to the API.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/copydesk_load   # any migrated database
    .venv/bin/python bench/login_flood.py                                   # BENCH_SECONDS=20

Starts deploy/serve with the production settings (throttles on), then measures the median
time of an API list page alone, and again while 8 threads post wrong passwords for a real
user to /admin/login/ as fast as they are answered (each with the session's CSRF token, as a
browser would). Prints both medians and how the sign-ins were answered. Before the sign-in
throttle and django-axes, every attempt hashed a password: the tester measured API requests
going from 21 ms to 750 ms under such a flood. Not part of the test suite.
"""

import os
import re
import statistics
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from production import start_server, stop_server  # noqa: E402 - bench/, the script's own folder
from rest_framework.authtoken.models import Token  # noqa: E402

from annotations.domain.roles import Role  # noqa: E402
from annotations.services.users import assign_role  # noqa: E402

PORT = int(os.environ.get("BENCH_PORT", "8790"))
BASE = f"http://127.0.0.1:{PORT}"
SECONDS = float(os.environ.get("BENCH_SECONDS", "20"))


def api_median(token: str, seconds: float) -> float:
    timings, deadline = [], time.monotonic() + seconds
    while time.monotonic() < deadline:
        request = urllib.request.Request(
            f"{BASE}/api/annotations/?kind=claim", headers={"Authorization": f"Token {token}"}
        )
        started = time.monotonic()
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()
        timings.append(time.monotonic() - started)
        time.sleep(0.05)
    return statistics.median(timings) * 1000


def flood(stop: threading.Event, answers: Counter) -> None:
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{BASE}/admin/login/", timeout=30).read().decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode({"username": "flooded", "password": "wrong", "csrfmiddlewaretoken": csrf}).encode()
    while not stop.is_set():
        headers = {"Referer": f"{BASE}/admin/login/"}
        request = urllib.request.Request(f"{BASE}/admin/login/", data=form, headers=headers)
        try:
            with opener.open(request, timeout=30) as response:
                answers[response.status] += 1
        except urllib.error.HTTPError as error:
            answers[error.code] += 1


def main() -> None:
    user, _ = get_user_model().objects.get_or_create(username="flooded")
    user.set_password("the right one, not tried")
    user.save()
    assign_role(user, Role.REVIEWER)
    token = Token.objects.get_or_create(user=user)[0].key
    server = start_server(PORT)
    try:
        quiet = api_median(token, SECONDS / 2)
        stop, answers = threading.Event(), Counter()
        threads = [threading.Thread(target=flood, args=(stop, answers)) for _ in range(8)]
        for thread in threads:
            thread.start()
        loud = api_median(token, SECONDS)
        stop.set()
        for thread in threads:
            thread.join()
        print(f"API list page, median: {quiet:.0f} ms alone, {loud:.0f} ms during the flood")
        print(f"sign-in attempts answered: {dict(sorted(answers.items()))} (200 = the form again, 429 = throttled)")
    finally:
        stop_server(server)


if __name__ == "__main__":
    main()
