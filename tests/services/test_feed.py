"""The change feed as the services write it: each change to the approved set, in the same
transaction, with the export's record; a mirror that follows it equals the export."""

import json

import pytest
from django.db import transaction

from annotations.domain.errors import Gone, InvalidInput, NotAllowed
from annotations.models import Annotation, Change, Status
from annotations.selectors.feed import changes_after, feed_head
from annotations.services.annotations import annotation_create, annotation_delete
from annotations.services.articles import article_update
from annotations.services.feed import prune_changes, publish_approved_as_loaded
from annotations.services.reviews import (
    annotation_approve,
    annotation_reject,
    annotation_reopen,
    annotations_review_bulk,
)
from annotations.services.revisions import article_revise
from tests.factories import ArticleFactory
from tests.mirror import Mirror, exported
from tests.services.test_revisions import NEW, OLD

pytestmark = pytest.mark.django_db


def changes() -> list[tuple[str, int, str]]:
    return [(c.type, c.annotation_id, c.reason) for c in Change.objects.order_by("id")]


@pytest.fixture
def claim(annotator, article):
    return annotation_create(actor=annotator, article=article, kind="claim", quote="Kyiv was calm")


def test_an_approval_enters_the_feed_with_the_exports_record(claim, reviewer):
    annotation_approve(actor=reviewer, annotation_id=claim.pk, comment="checked")
    (change,) = Change.objects.all()
    assert (change.type, change.annotation_id, change.article_id) == ("annotation.approved", claim.pk, claim.article_id)
    assert change.record == exported()[claim.pk]
    assert change.record["review_comment"] == "checked" and change.revision == 1
    # The record survives a round trip through JSON unchanged (it is what clients get).
    assert json.loads(json.dumps(change.record)) == change.record


def test_creating_rejecting_and_reopening_a_rejection_change_nothing(claim, reviewer):
    annotation_reject(actor=reviewer, annotation_id=claim.pk, comment="wrong span")
    annotation_reopen(actor=reviewer, annotation_id=claim.pk)
    assert changes() == []


def test_reopening_an_approved_annotation_withdraws_it(claim, reviewer):
    annotation_approve(actor=reviewer, annotation_id=claim.pk)
    annotation_reopen(actor=reviewer, annotation_id=claim.pk, comment="look again")
    assert changes() == [("annotation.approved", claim.pk, ""), ("annotation.withdrawn", claim.pk, "reopened")]
    assert Change.objects.order_by("id").last().record is None


def test_deleting_an_approved_annotation_withdraws_it_and_the_change_outlives_it(claim, reviewer, admin_user):
    annotation_approve(actor=reviewer, annotation_id=claim.pk)
    annotation_delete(actor=admin_user, annotation_id=claim.pk)
    assert not Annotation.objects.filter(pk=claim.pk).exists()
    assert changes() == [("annotation.approved", claim.pk, ""), ("annotation.withdrawn", claim.pk, "deleted")]
    withdrawn = Change.objects.order_by("id").last()
    assert (withdrawn.kind, withdrawn.source, withdrawn.language) == ("claim", "Test Wire", "en")


def test_deleting_a_pending_annotation_changes_nothing(claim, annotator):
    annotation_delete(actor=annotator, annotation_id=claim.pk)
    assert changes() == []


def test_a_bulk_review_writes_one_change_per_approval(annotator, reviewer, article):
    made = [
        annotation_create(actor=annotator, article=article, kind="claim", quote=quote)
        for quote in ("Kyiv was calm", "The end")
    ]
    annotations_review_bulk(actor=reviewer, annotation_ids=[a.pk for a in made], decision="approve")
    assert changes() == [("annotation.approved", a.pk, "") for a in made]
    mirror = Mirror()
    mirror.follow()
    assert mirror.records == exported()


def test_a_revision_updates_withdraws_or_keeps_out_each_annotation(annotator, reviewer):
    """Approved and moved: updated; approved and unchanged: updated too (its revision and maybe
    its title changed); approved and changed: withdrawn as fuzzy; approved and gone: withdrawn
    as orphaned; a pending one: nothing."""
    article = ArticleFactory(title="Summit", body=OLD)
    quotes = {
        "moved": "Prices of rice rose by ten percent",
        "unchanged": "GENEVA, 3 March",
        "fuzzy": "opened on Monday",
        "orphaned": "Delegates from forty countries",
    }
    made = {}
    for name, quote in quotes.items():
        made[name] = annotation_create(actor=annotator, article=article, kind="claim", quote=quote)
        annotation_approve(actor=reviewer, annotation_id=made[name].pk)
    pending = annotation_create(actor=annotator, article=article, kind="claim", quote="strike at the airport")
    mirror = Mirror()
    mirror.follow()

    article_revise(actor=annotator, article_id=article.pk, body=NEW, title="Summit (corrected)")

    after = {(c.annotation_id): (c.type, c.reason) for c in Change.objects.filter(revision=2)}
    after.update({c.annotation_id: (c.type, c.reason) for c in Change.objects.filter(type="annotation.withdrawn")})
    assert after == {
        made["moved"].pk: ("annotation.updated", ""),
        made["unchanged"].pk: ("annotation.updated", ""),
        made["fuzzy"].pk: ("annotation.withdrawn", "fuzzy"),
        made["orphaned"].pk: ("annotation.withdrawn", "orphaned"),
    }
    assert pending.pk not in after
    moved = Change.objects.get(annotation_id=made["moved"].pk, type="annotation.updated")
    assert moved.record["start"] == NEW.index(quotes["moved"]) and moved.record["revision"] == 2
    assert moved.record["article_title"] == "Summit (corrected)"
    mirror.follow()
    assert mirror.records == exported()
    assert set(mirror.records) == {made["moved"].pk, made["unchanged"].pk}


def test_a_failed_change_leaves_no_change_behind(claim, reviewer):
    with pytest.raises(RuntimeError), transaction.atomic():
        annotation_approve(actor=reviewer, annotation_id=claim.pk)
        raise RuntimeError("the request failed after the approval")
    assert changes() == [] and Annotation.objects.get(pk=claim.pk).status == Status.PENDING


def test_annotations_approved_without_the_services_are_told_once(claim, reviewer):
    """load_demo loads approved annotations from a fixture: they enter the feed once."""
    Annotation.objects.filter(pk=claim.pk).update(status=Status.APPROVED, reviewed_by=reviewer)
    assert publish_approved_as_loaded() == 1
    assert publish_approved_as_loaded() == 0
    mirror = Mirror()
    mirror.follow()
    assert mirror.records == exported() and list(mirror.records) == [claim.pk]


def test_pruning_keeps_the_newest_change_and_answers_older_cursors_gone(claim, reviewer, settings):
    annotation_approve(actor=reviewer, annotation_id=claim.pk)
    annotation_reopen(actor=reviewer, annotation_id=claim.pk)
    annotation_approve(actor=reviewer, annotation_id=claim.pk)
    first, second, newest = Change.objects.order_by("id").values_list("id", flat=True)
    Change.objects.filter(pk__in=[first, second]).update(at="2020-01-01T00:00:00Z")
    Change.objects.filter(pk=newest).update(at="2020-01-02T00:00:00Z")  # old too, but the newest: kept

    assert prune_changes() == 2
    assert list(Change.objects.values_list("id", flat=True)) == [newest]
    with pytest.raises(Gone, match="no longer kept"):
        changes_after(after=first, limit=10, filters={})
    page = changes_after(after=second, limit=10, filters={})  # the last one pruned: nothing missed
    assert [c.id for c in page.changes] == [newest]
    # Without a cursor, the feed starts at its oldest change kept.
    assert [c.id for c in changes_after(after=None, limit=10, filters={}).changes] == [newest]
    assert feed_head() == newest


def test_a_cursor_ahead_of_the_feed_is_gone(claim, reviewer):
    annotation_approve(actor=reviewer, annotation_id=claim.pk)
    with pytest.raises(Gone, match="ahead of the feed"):
        changes_after(after=feed_head() + 1, limit=10, filters={})


def test_editing_an_articles_details_updates_its_approved_annotations(claims, reviewer, admin_user):
    for claim in claims[:2]:
        annotation_approve(actor=reviewer, annotation_id=claim.pk)
    mirror = Mirror()
    mirror.follow()
    article_update(actor=admin_user, article_id=claims[0].article_id, title="Mixed scripts, corrected")
    assert changes()[-2:] == [("annotation.updated", c.pk, "") for c in claims[:2]]  # not the pending one
    mirror.follow()
    assert mirror.records == exported()
    assert {r["article_title"] for r in mirror.records.values()} == {"Mixed scripts, corrected"}
    article_update(actor=admin_user, article_id=claims[0].article_id, title="Mixed scripts, corrected")
    assert len(changes()) == 4  # nothing changed, nothing told


def test_a_new_source_refiles_them_for_followers_filtering_by_source(claims, reviewer, admin_user):
    for claim in claims[:2]:
        annotation_approve(actor=reviewer, annotation_id=claim.pk)
    by_old, by_new, everything = Mirror(filters={"source": "Test Wire"}), Mirror(filters={"source": "Kyodo"}), Mirror()
    for mirror in (by_old, by_new, everything):
        mirror.follow()
    article_update(actor=admin_user, article_id=claims[0].article_id, source="Kyodo", url="https://example.com/k")
    assert [(t, r) for t, _, r in changes()[-4:]] == [("annotation.withdrawn", "refiled")] * 2 + [
        ("annotation.approved", "")
    ] * 2
    for mirror, filters in ((by_old, {"source": "Test Wire"}), (by_new, {"source": "Kyodo"}), (everything, {})):
        mirror.follow()
        assert mirror.records == exported(**filters)
    assert set(by_new.records) == {c.pk for c in claims[:2]} and by_old.records == {}


def test_only_admins_edit_an_articles_details_and_never_its_body(claims, annotator, admin_user):
    with pytest.raises(NotAllowed):
        article_update(actor=annotator, article_id=claims[0].article_id, title="Mine now")
    with pytest.raises(InvalidInput):
        article_update(actor=admin_user, article_id=claims[0].article_id, body="Another text.")
    with pytest.raises(InvalidInput) as error:
        article_update(actor=admin_user, article_id=claims[0].article_id, language="not a tag")
    assert "language" in error.value.errors
