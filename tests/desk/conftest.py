"""Fixtures of the desk's browser tests.

- `chromium`: Debian's headless Chromium, driven by Playwright (never a downloaded browser).
- `BROWSER_MARKS`: the marks of a browser test module: skipped on a machine without Chromium,
  but never in CI, where a silent skip would hide the desk's tests.
- `OUTPUT`: test-output/ at the repository root, where the screenshots go for a person to look at.
- `revised`: alice's four annotations on `article` (one approved by bob), then revision 2 by alice
  (`REVISED_BODY`), which leaves one of each outcome: "Fumio Kishida" unchanged, "Kyiv was calm"
  fuzzy (now "Kyiv was quiet", pending), "The end" moved (still approved), "Зеленский" orphaned.
  Returns the four by their first quote.
"""

import os
from pathlib import Path

import pytest
from django.db import connections

from annotations.services.revisions import article_revise

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
OUTPUT = Path(__file__).resolve().parents[2] / "test-output"

BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    # Skipped on a machine without Chromium, but never in CI, where a silent skip would hide the desk's test.
    pytest.mark.skipif(
        not CHROMIUM.exists() and not os.environ.get("CI"),
        reason="needs Debian's chromium at /usr/bin/chromium (.ci/run installs it)",
    ),
]


@pytest.fixture
def chromium(monkeypatch):
    # Playwright's sync API runs an event loop in this thread, but the ORM calls here are still synchronous.
    # Only for this test: a variable set at import would leak into other tests' subprocesses (check --deploy).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()
        # While Playwright's event loop runs, Django keeps this thread's database connections apart
        # (asgiref's Local); close them here, or the test database cannot be dropped at the end.
        connections.close_all()


# Against MIXED_SCRIPTS_BODY: "Зеленский" becomes "Zelensky", "calm" "quiet", and " on Monday" goes in.
REVISED_BODY = "Prime Minister 🇯🇵 Fumio Kishida met Zelensky in Kyiv 🙂 on Monday. Kyiv was quiet.\nThe end."


@pytest.fixture
def revised(article, annotator, reviewer, make_annotation):
    made = {
        "Fumio Kishida": make_annotation(
            annotator, article, kind="entity", quote="Fumio Kishida", entity_type="PERSON"
        ),
        "Kyiv was calm": make_annotation(annotator, article, quote="Kyiv was calm"),
        "The end": make_annotation(annotator, article, quote="The end", status="approved", reviewed_by=reviewer),
        "Зеленский": make_annotation(annotator, article, kind="entity", quote="Зеленский", entity_type="PERSON"),
    }
    article_revise(actor=annotator, article_id=article.pk, body=REVISED_BODY, note="Wire correction: names, day")
    return made
