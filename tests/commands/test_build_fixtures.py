"""build_fixtures: the committed demo fixtures are what seeds/ and fixtures/gold_spec.py build, and a bad spec fails.

CI runs `build_fixtures --check`; these tests catch a fixture that drifted from
its seed or its spec, and a spec the build must refuse.
"""

import shutil
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from annotations.management.commands.build_fixtures import (
    FIXTURE_FILES,
    FIXTURES_DIR,
    SpecError,
    build_fixtures,
    load_spec,
)
from tests.conftest import SEEDS

# --- drift: the committed JSON is what the seeds and the spec give -----------------------


def test_committed_fixtures_are_what_the_seeds_and_the_spec_build():
    """Rebuilding from seeds/ and the spec gives the committed files exactly (else: run build_fixtures)."""
    built = build_fixtures()
    for name in FIXTURE_FILES:
        assert (FIXTURES_DIR / name).read_text(encoding="utf-8") == built[name], f"fixtures/{name} is stale"


def test_load_demo_loads_every_fixture_file():
    """No fixture file is left out of the demo."""
    assert sorted(FIXTURE_FILES) == sorted(p.name for p in FIXTURES_DIR.glob("*.json"))


def test_a_changed_seed_gives_other_fixtures(tmp_path):
    """Text inserted before the annotated spans moves every offset, so the committed fixtures no longer match."""
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    voi = seeds / "001_9f5891fc28e701af.txt"
    voi.write_text("Updated. " + voi.read_text(encoding="utf-8"), encoding="utf-8")
    built = build_fixtures(seeds_dir=seeds)
    assert built["gold_annotations.json"] != (FIXTURES_DIR / "gold_annotations.json").read_text(encoding="utf-8")


def test_a_seed_without_an_annotated_quote_fails_the_build(tmp_path):
    """A quote of the spec that is gone from its seed is an error that names the seed and the quote."""
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    voi = seeds / "001_9f5891fc28e701af.txt"
    voi.write_text(voi.read_text(encoding="utf-8").replace("State of Sakura", "Japan"), encoding="utf-8")
    with pytest.raises(SpecError, match=r"001_9f5891fc28e701af.*State of Sakura.*not in the seed"):
        build_fixtures(seeds_dir=seeds)


def test_build_fixtures_check_passes_on_the_committed_fixtures():
    """`build_fixtures --check` is what CI runs to catch a stale fixture."""
    out = StringIO()
    call_command("build_fixtures", "--check", stdout=out)
    assert "up to date" in out.getvalue()


def test_build_fixtures_rejects_a_self_review(tmp_path):
    """The build refuses a spec in which an author reviews their own annotation."""
    spec = load_spec()
    spec.GOLD = {
        "000_341965346715e028": [spec.entity("Lviv", "GPE", by="reviewer", history=[spec.approve("reviewer")])]
    }
    with pytest.raises(SpecError, match="may not review"):
        build_fixtures(spec=spec)


def test_build_fixtures_command_reports_a_bad_spec(monkeypatch):
    """The command turns a spec error into a CommandError naming the problem."""

    def broken(**kwargs):
        raise SpecError("001_9f5891fc28e701af, annotation 3: the quote is not in the seed text")

    monkeypatch.setattr("annotations.management.commands.build_fixtures.build_fixtures", broken)
    with pytest.raises(CommandError, match="gold spec: 001_9f5891fc28e701af"):
        call_command("build_fixtures", "--check")
