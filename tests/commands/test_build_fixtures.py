"""build_fixtures: the committed demo fixtures are what seeds/ and fixtures/gold_spec.py build, and a bad spec fails.

CI runs `build_fixtures --check`; these tests catch a fixture that drifted from
its seed or its spec, and a spec the build must refuse. They also hold the gold
set's fact-checks (the claims Kyodo's report settles, rated) and its claim groups.
"""

import json
import shutil
from datetime import date
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from annotations.management.commands.build_fixtures import (
    FIXTURE_FILES,
    FIXTURES_DIR,
    SpecError,
    build_fixtures,
    load_spec,
)
from annotations.models import Annotation, AnnotationEvent, ClaimGroup, Kind, Status
from annotations.services.annotations import annotation_create
from annotations.services.claims import claims_link
from tests.conftest import SEEDS

KYODO, VOI, AGENCY = "000_341965346715e028", "001_9f5891fc28e701af", "002_99f075d83cde7e46"

# Every rated gold claim: (seed, start of its quote) -> (rating, the day it was made).
RATED = {
    (VOI, "The embassy's operations will be moved to a temporary liaison office"): ("true", date(2022, 3, 2)),
    (VOI, "Russian troops opened fire on the main television tower"): ("mostly_true", date(2022, 3, 2)),
    (VOI, "The Japanese government has asked them to evacuate and secure a charter plane"): (
        "mostly_false",
        date(2022, 3, 2),
    ),
    (VOI, "we want people to stop all travel to Ukraine"): ("true", date(2022, 3, 2)),
    (AGENCY, "its troops are only there for training"): ("false", date(2022, 1, 24)),
}


@pytest.fixture
def demo(db):
    """The demo loaded with load_demo into the test database."""
    call_command("load_demo", stdout=StringIO())


def gold_claim(seed: str, quote_start: str) -> Annotation:
    return Annotation.objects.get(article__imported_from=f"{seed}.txt", kind=Kind.CLAIM, quote__startswith=quote_start)


def spec_with(items_by_seed: dict, groups: dict):
    spec = load_spec()
    spec.GOLD, spec.CLAIM_GROUPS = items_by_seed, groups
    return spec


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


# --- fact-checks: the claims Kyodo's report of 2 March 2022 settles -----------------------------


def test_the_claims_kyodo_settles_are_rated_and_no_others(demo):
    """The rated claims are exactly these, each with its rating and the day it was made."""
    rated = Annotation.objects.filter(kind=Kind.CLAIM).exclude(rating="").select_related("article")
    found = {}
    for claim in rated:
        (key,) = [k for k in RATED if claim.article.imported_from == f"{k[0]}.txt" and claim.quote.startswith(k[1])]
        found[key] = (claim.rating, claim.claim_date)
    assert found == RATED


def test_a_mistranslated_claim_is_rated_below_its_original(demo):
    """VOI's 'asked them to ... secure a charter plane' is mostly false; the Kyodo sentence it garbles is
    in its group, and the explanation quotes Kyodo."""
    garbled = gold_claim(VOI, "The Japanese government has asked them to evacuate")
    original = gold_claim(KYODO, "The Japanese government has called on them to evacuate")
    assert garbled.rating == "mostly_false"
    assert "secured a chartered plane" in garbled.rating_explanation
    assert garbled.claim_group_id == original.claim_group_id is not None


def test_kyodos_own_claims_are_not_rated(demo):
    """Seed 000 is the reference: the report cannot settle its own claims."""
    kyodo_claims = Annotation.objects.filter(article__imported_from=f"{KYODO}.txt", kind=Kind.CLAIM)
    assert kyodo_claims.count() >= 8
    assert not kyodo_claims.exclude(rating="").exists()
    assert not kyodo_claims.exclude(rating_explanation="").exists()


def test_every_rated_claim_says_why_and_when_and_is_not_rejected(demo):
    """A rating comes with an explanation and the claim's date, on a claim approved or awaiting review;
    no explanation or date without a rating."""
    claims = Annotation.objects.filter(kind=Kind.CLAIM)
    for claim in claims.exclude(rating=""):
        assert claim.rating_explanation.startswith("Kyodo"), claim.quote
        assert claim.claim_date is not None, claim.quote
        assert claim.status in (Status.APPROVED, Status.PENDING), claim.quote
    unrated = claims.filter(rating="")
    assert not unrated.exclude(rating_explanation="").exists()
    assert not unrated.exclude(claim_date=None).exists()
    assert {Status.APPROVED, Status.PENDING} == set(claims.exclude(rating="").values_list("status", flat=True))


# --- claim groups: one claim as it appears in several articles ------------------------------------


def test_claim_groups_link_claims_of_different_articles(demo):
    """Four groups, each of claims only, each spanning Kyodo's report and VOI's retelling of it."""
    groups = ClaimGroup.objects.prefetch_related("claims__article").order_by("id")
    assert groups.count() == 4
    for group in groups:
        members = list(group.claims.all())
        assert {m.kind for m in members} == {Kind.CLAIM}, group.pk
        assert {m.article.imported_from for m in members} == {f"{KYODO}.txt", f"{VOI}.txt"}, group.pk
    assert not Annotation.objects.exclude(kind=Kind.CLAIM).exclude(claim_group=None).exists()


def test_the_lviv_claims_are_one_group(demo):
    """Kyodo's 'operations transferred to a liaison office set up in Lviv' and VOI's retelling are linked."""
    kyodo = gold_claim(KYODO, "Japan decided to temporarily shut its embassy in Kyiv")
    voi = gold_claim(VOI, "The embassy's operations will be moved to a temporary liaison office")
    assert kyodo.claim_group_id == voi.claim_group_id is not None
    assert set(kyodo.claim_group.claims.all()) == {kyodo, voi}


def test_each_linked_claim_has_the_event_the_link_service_writes(demo):
    """One 'linked' event per grouped claim, by an annotator, after its creation, its status unchanged,
    the group from none to its own; unlinked claims have none."""
    linked = AnnotationEvent.objects.filter(action="linked").select_related("annotation", "actor")
    assert sorted(e.annotation_id for e in linked) == sorted(
        Annotation.objects.exclude(claim_group=None).values_list("id", flat=True)
    )
    for event in linked:
        claim = event.annotation
        assert event.changes == {"claim_group": {"from": None, "to": claim.claim_group_id}}
        assert event.from_status == event.to_status
        assert event.actor.username in ("annotator", "annotator2")
        assert event.at > claim.created_at
        assert event.at == ClaimGroup.objects.get(pk=claim.claim_group_id).created_at


def test_a_new_claim_joins_a_gold_group_through_the_service(demo):
    """The loaded groups are the service's: linking a new claim to a grouped gold claim puts it in that group,
    and a new group gets an id after the gold ones."""
    annotator = get_user_model().objects.get(username="annotator")
    voi = gold_claim(VOI, "we want people to stop all travel to Ukraine")
    new = annotation_create(
        actor=annotator,
        article=voi.article,
        kind="claim",
        quote='called on Japanese nationals to refrain from traveling to Ukraine "regardless of purpose"',
        claimant="Hirokazu Matsuno",
    )
    claims_link(actor=annotator, annotation_id=new.pk, to=voi.pk)
    new.refresh_from_db()
    assert new.claim_group_id == voi.claim_group_id
    gold_groups = set(ClaimGroup.objects.values_list("id", flat=True))
    assert len(gold_groups) == 4
    first = gold_claim(AGENCY, "its troops are only there for training")
    claims_link(actor=annotator, annotation_id=first.pk, to=gold_claim(AGENCY, "Japan is also moving").pk)
    first.refresh_from_db()
    assert first.claim_group_id > max(gold_groups)


# --- the spec's ratings and groups, checked by the build -----------------------------------------------


def test_build_links_a_group_after_its_last_claim_and_before_its_reviews():
    """A group's claims get its id and a 'linked' event a minute after the last one was made, in the status
    each had then; their reviews, later, still decide their status."""
    spec = load_spec()
    spec = spec_with(
        {
            KYODO: [spec.claim("Refugees from Ukraine will not count", group="g", history=[spec.approve("reviewer")])],
            VOI: [spec.claim("Keiichi Kurogi is one of the dozens", group="g", by="annotator2")],
        },
        {"g": spec.linked(by="annotator2", states="the same")},
    )
    records = json.loads(build_fixtures(spec=spec)["gold_annotations.json"])
    (group,) = [r for r in records if r["model"] == "annotations.claimgroup"]
    annotations = [r for r in records if r["model"] == "annotations.annotation"]
    links = [
        r["fields"]
        for r in records
        if r["model"] == "annotations.annotationevent" and r["fields"]["action"] == "linked"
    ]
    assert [a["fields"]["claim_group"] for a in annotations] == [group["pk"], group["pk"]]
    assert group["fields"]["created_at"] == "2025-06-02T09:06:00Z"  # the second claim made at 09:05
    assert [(e["annotation"], e["actor"], e["at"], e["from_status"], e["to_status"]) for e in links] == [
        (1, ["annotator2"], "2025-06-02T09:06:00Z", "pending", "pending"),
        (2, ["annotator2"], "2025-06-02T09:06:00Z", "pending", "pending"),
    ]
    assert [a["fields"]["status"] for a in annotations] == ["approved", "pending"]
    assert [a["fields"]["updated_at"] for a in annotations] == ["2025-06-03T05:00:00Z", "2025-06-02T09:06:00Z"]


@pytest.mark.parametrize(
    ("claims", "groups", "error"),
    [
        ({"group": "nameless"}, {}, "claim group 'nameless' is not in CLAIM_GROUPS"),
        ({"group": "g"}, {"g": {"by": "annotator", "states": ""}}, "claim group 'g' has 1 claim"),
        ({"rating": "pants_on_fire"}, {}, "unknown rating 'pants_on_fire'"),
        ({"rating": "true", "claim_date": "2 March 2022"}, {}, "claim_date '2 March 2022' is not an ISO date"),
    ],
)
def test_build_refuses_a_bad_rating_or_group(claims, groups, error):
    """Unknown groups, groups of one, unknown ratings and dates that are not ISO dates fail the build."""
    spec = load_spec()
    spec = spec_with({KYODO: [spec.claim("Refugees from Ukraine will not count", **claims)]}, groups)
    with pytest.raises(SpecError, match=error):
        build_fixtures(spec=spec)


def test_build_refuses_a_group_linked_by_someone_who_may_not_annotate():
    """Only a demo user who may annotate links claims (claims_link asks for an annotator)."""
    spec = load_spec()
    spec = spec_with(
        {
            KYODO: [spec.claim("Refugees from Ukraine will not count", group="g")],
            VOI: [spec.claim("Keiichi Kurogi", group="g")],
        },
        {"g": spec.linked(by="consumer", states="")},
    )
    with pytest.raises(SpecError, match="'consumer' is not a demo user who may link claims"):
        build_fixtures(spec=spec)
