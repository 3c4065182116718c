"""article_revise: revision n+1 stored, every annotation re-anchored in the same transaction
(moved, fuzzy, fixed, orphaned, unchanged), conflicts, atomicity, and orphans placed again.

`assert_anchored(article)` is the invariant every revision must leave: the API and race
tests use it too.
"""

import pytest

from annotations.domain.errors import Conflict, InvalidInput, Missing, NotAllowed
from annotations.domain.spans import span_context
from annotations.models import Annotation, AnnotationEvent, Article, ArticleRevision, Status
from annotations.services.annotations import annotation_create, annotation_delete, annotation_update
from annotations.services.revisions import article_revise
from tests.factories import AnnotationFactory, ArticleFactory, span_of

pytestmark = pytest.mark.django_db

# An article in five paragraphs, and a corrected version of it: a paragraph inserted at the
# top, a word replaced in the first, the second deleted, the third kept, and the translation
# artifact of the last one corrected as its annotation suggested.
HEAD = "GENEVA, 3 March (Test Wire)"
P1 = "The summit in Geneva opened on Monday with a statement from the chair of the council."
P2 = "Delegates from forty countries arrived late because of a strike at the airport."
P3 = "Prices of rice rose by ten percent in the capital over the last month, officials said."
SAKURA = "However, the interest of the citizens of the State of Sakura remains high to volunteer to Ukraine."
INSERTED = "A new opening paragraph was added by the editors for this corrected version."
OLD = "\n\n".join([HEAD, P1, P2, P3, SAKURA])
NEW = "\n\n".join(
    [
        HEAD,
        INSERTED,
        P1.replace("opened on Monday", "began on Monday"),
        P3,
        SAKURA.replace("the citizens of the State of Sakura", "Japanese citizens"),
    ]
)


def assert_anchored(article: Article) -> None:
    """The invariant of every revision: each annotation's quote is the text at its offsets in the
    body of its revision, which is the current one unless it is orphaned (then an earlier one);
    its stored context is that body's; and the article's body is its current revision's."""
    article = Article.objects.get(pk=article.pk)
    bodies = dict(ArticleRevision.objects.filter(article=article).values_list("number", "body"))
    assert sorted(bodies) == list(range(1, article.revision + 1))
    assert bodies[article.revision] == article.body
    for annotation in Annotation.objects.filter(article=article):
        if annotation.status == Status.ORPHANED:
            assert annotation.revision < article.revision, annotation
        else:
            assert annotation.revision == article.revision, annotation
        body = bodies[annotation.revision]
        assert body[annotation.start : annotation.end] == annotation.quote, annotation
        assert (annotation.prefix, annotation.suffix) == span_context(body, annotation.start, annotation.end)


def reanchoring_events(annotation: Annotation) -> list[AnnotationEvent]:
    return list(annotation.events.filter(action__in=["moved", "fixed", "fuzzy", "orphaned"]).order_by("at", "id"))


@pytest.fixture
def editor(make_user):
    """Who revises the articles: an annotator who made none of the annotations."""
    return make_user("annotator", "ed")


@pytest.fixture
def wire(annotator, reviewer):
    return make_wire(annotator, reviewer)


def make_wire(annotator, reviewer) -> tuple[Article, dict[str, Annotation]]:
    """The OLD article and one annotation by alice for each outcome of the NEW body, approved by
    bob (but the unchanged one, left pending), by outcome."""
    article = ArticleFactory(title="Summit", body=OLD)
    approved = {"status": "approved", "reviewed_by": reviewer, "review_comment": "fine"}
    annotations = {
        "unchanged": AnnotationFactory(
            created_by=annotator, article=article, kind="entity", entity_type="DATE", quote="3 March"
        ),
        "moved": AnnotationFactory(created_by=annotator, article=article, quote="rose by ten percent", **approved),
        "fuzzy": AnnotationFactory(
            created_by=annotator, article=article, quote="opened on Monday with a statement", **approved
        ),
        "orphaned": AnnotationFactory(
            created_by=annotator, article=article, quote="forty countries arrived late", **approved
        ),
        "fixed": AnnotationFactory(
            created_by=annotator,
            article=article,
            kind="translation_artifact",
            artifact_type="wrong_referent",
            suggested_correction="Japanese citizens",
            quote="the citizens of the State of Sakura",
            **approved,
        ),
    }
    return article, annotations


def fresh(annotation: Annotation) -> Annotation:
    return Annotation.objects.get(pk=annotation.pk)


# --- the revision itself ------------------------------------------------------------


def test_revising_stores_the_next_revision_and_updates_the_article(wire, editor):
    article, _ = wire
    revised = article_revise(
        actor=editor, article_id=article.pk, body=NEW, note="agency correction", title="Summit (2)"
    )
    article.refresh_from_db()
    assert (article.revision, article.body, article.title) == (2, NEW, "Summit (2)")
    assert article.revised_at is not None and article.revised_at == revised.revision.created_at
    first, second = ArticleRevision.objects.filter(article=article).order_by("number")
    assert (first.number, first.body, first.title, first.reanchoring) == (1, OLD, "Summit", None)
    assert (second.number, second.body, second.title, second.note) == (2, NEW, "Summit (2)", "agency correction")
    assert second.created_by == editor
    assert second.content_sha256 == article.content_sha256 != first.content_sha256
    assert revised.reanchoring == second.reanchoring
    assert_anchored(article)


def test_a_title_left_out_stays_as_it_was(wire, editor):
    article, _ = wire
    article_revise(actor=editor, article_id=article.pk, body=NEW)
    article.refresh_from_db()
    assert article.title == "Summit"
    assert ArticleRevision.objects.get(article=article, number=2).title == "Summit"


def test_the_summary_counts_one_outcome_per_annotation(wire, editor):
    article, _ = wire
    revised = article_revise(actor=editor, article_id=article.pk, body=NEW)
    assert revised.reanchoring == {"unchanged": 1, "moved": 1, "fuzzy": 1, "fixed": 1, "orphaned": 1}


def test_an_unchanged_annotation_gets_the_new_revision_and_no_event(wire, editor):
    article, annotations = wire
    before = annotations["unchanged"]
    article_revise(actor=editor, article_id=article.pk, body=NEW)
    after = fresh(before)
    assert (after.start, after.end, after.quote, after.status) == (before.start, before.end, "3 March", "pending")
    assert after.revision == 2
    assert reanchoring_events(after) == []


def test_a_moved_annotation_keeps_its_status_and_review_and_gets_new_offsets(wire, editor, reviewer):
    article, annotations = wire
    before = annotations["moved"]
    article_revise(actor=editor, article_id=article.pk, body=NEW)
    after = fresh(before)
    assert (
        span_of(NEW, "rose by ten percent")
        == {"start": after.start, "end": after.end}
        != span_of(OLD, "rose by ten percent")
    )
    assert (after.quote, after.status, after.reviewed_by, after.review_comment) == (
        "rose by ten percent",
        "approved",
        reviewer,
        "fine",
    )
    assert after.reviewed_at == before.reviewed_at
    assert (after.prefix, after.suffix) == span_context(NEW, after.start, after.end) != (before.prefix, before.suffix)
    assert after.revision == 2
    (event,) = reanchoring_events(after)
    assert (event.action, event.actor, event.from_status, event.to_status) == ("moved", editor, "approved", "approved")
    assert (event.from_revision, event.to_revision) == (1, 2)
    assert event.changes == {
        "start": {"from": before.start, "to": after.start},
        "end": {"from": before.end, "to": after.end},
        "quote": {"from": "rose by ten percent", "to": "rose by ten percent"},
    }


def test_a_word_replaced_in_an_approved_span_makes_it_fuzzy_and_pending_again(wire, editor):
    article, annotations = wire
    before = annotations["fuzzy"]
    article_revise(actor=editor, article_id=article.pk, body=NEW)
    after = fresh(before)
    assert after.quote == "began on Monday with a statement" == NEW[after.start : after.end]
    assert after.status == Status.PENDING
    assert (after.reviewed_by, after.reviewed_at, after.review_comment) == (None, None, "")
    assert after.revision == 2
    (event,) = reanchoring_events(after)
    assert (event.action, event.from_status, event.to_status) == ("fuzzy", "approved", "pending")
    assert (event.from_revision, event.to_revision) == (1, 2)
    assert event.changes["quote"] == {"from": "opened on Monday with a statement", "to": after.quote}
    assert event.changes["start"] == {"from": before.start, "to": after.start}


def test_an_annotation_on_a_deleted_sentence_is_orphaned_with_its_old_span_kept(wire, editor):
    article, annotations = wire
    before = annotations["orphaned"]
    article_revise(actor=editor, article_id=article.pk, body=NEW)
    after = fresh(before)
    assert after.status == Status.ORPHANED
    assert (after.start, after.end, after.quote, after.revision) == (before.start, before.end, before.quote, 1)
    assert (after.prefix, after.suffix) == (before.prefix, before.suffix)
    assert OLD[after.start : after.end] == after.quote
    assert after.fixed_in_revision is None
    (event,) = reanchoring_events(after)
    assert (event.action, event.from_status, event.to_status) == ("orphaned", "approved", "orphaned")
    assert (event.from_revision, event.to_revision) == (1, 2)
    assert event.changes == {
        "start": {"from": before.start, "to": None},
        "end": {"from": before.end, "to": None},
        "quote": {"from": before.quote, "to": None},
    }


def test_an_artifact_that_now_reads_its_correction_is_fixed_and_stays_approved(wire, editor, reviewer):
    article, annotations = wire
    before = annotations["fixed"]
    article_revise(actor=editor, article_id=article.pk, body=NEW)
    after = fresh(before)
    assert after.quote == "Japanese citizens" == NEW[after.start : after.end]
    assert (after.status, after.reviewed_by) == ("approved", reviewer)
    assert (after.fixed_in_revision, after.revision) == (2, 2)
    assert after.suggested_correction == "Japanese citizens"
    (event,) = reanchoring_events(after)
    assert (event.action, event.from_status, event.to_status) == ("fixed", "approved", "approved")
    assert event.changes["quote"] == {"from": "the citizens of the State of Sakura", "to": "Japanese citizens"}


def test_every_revision_of_a_series_keeps_the_invariant(wire, editor, annotator):
    """Several revisions in a row, annotations made between them, all on the right text."""
    article, _ = wire
    article_revise(actor=editor, article_id=article.pk, body=NEW)
    assert_anchored(article)
    annotation_create(actor=annotator, article=article, kind="claim", quote="added by the editors")
    third = NEW.replace("Prices of rice", "Prices of wheat and rice") + "\n\nA closing line."
    article_revise(actor=editor, article_id=article.pk, body=third)
    assert_anchored(article)
    fourth = "A brand new lead.\n\n" + third.replace(INSERTED + "\n\n", "")
    article_revise(actor=editor, article_id=article.pk, body=fourth)
    assert_anchored(article)
    article.refresh_from_db()
    assert article.revision == 4
    assert ArticleRevision.objects.filter(article=article).count() == 4


# --- refusals --------------------------------------------------------------------


def test_the_current_body_again_is_a_conflict_naming_the_revision(wire, editor):
    article, _ = wire
    article_revise(actor=editor, article_id=article.pk, body=NEW)
    with pytest.raises(Conflict) as excinfo:
        article_revise(actor=editor, article_id=article.pk, body=NEW.replace("\n", "\r\n"))  # same once normalised
    assert excinfo.value.extra == {"revision": 2}
    assert ArticleRevision.objects.filter(article=article).count() == 2


def test_another_articles_current_body_is_a_conflict_naming_it(wire, editor):
    article, _ = wire
    other = ArticleFactory(body="Another article altogether.")
    with pytest.raises(Conflict) as excinfo:
        article_revise(actor=editor, article_id=article.pk, body="Another article altogether.")
    assert excinfo.value.extra == {"id": other.pk}


def test_another_articles_earlier_body_is_a_conflict_naming_it(wire, editor):
    article, _ = wire
    other = ArticleFactory(body="First version of the other one.")
    article_revise(actor=editor, article_id=other.pk, body="Second version of the other one.")
    with pytest.raises(Conflict) as excinfo:
        article_revise(actor=editor, article_id=article.pk, body="First version of the other one.")
    assert excinfo.value.extra == {"id": other.pk}
    article.refresh_from_db()
    assert article.revision == 1


def test_an_earlier_body_of_the_same_article_is_a_new_revision(wire, editor):
    article, _ = wire
    article_revise(actor=editor, article_id=article.pk, body=NEW)
    article_revise(actor=editor, article_id=article.pk, body=OLD)
    article.refresh_from_db()
    assert (article.revision, article.body) == (3, OLD)
    assert_anchored(article)


@pytest.mark.parametrize("body", ["", "   ", "\r\n\n\t"])
def test_a_blank_body_is_refused(wire, editor, body):
    article, _ = wire
    with pytest.raises(InvalidInput) as excinfo:
        article_revise(actor=editor, article_id=article.pk, body=body)
    assert list(excinfo.value.errors) == ["body"]


def test_an_unknown_article_is_missing(editor):
    with pytest.raises(Missing):
        article_revise(actor=editor, article_id=987654, body="Anything.")


def test_a_consumer_may_not_revise(wire, consumer):
    article, _ = wire
    with pytest.raises(NotAllowed):
        article_revise(actor=consumer, article_id=article.pk, body=NEW)
    article.refresh_from_db()
    assert article.revision == 1


def test_a_failure_while_re_anchoring_stores_nothing(wire, editor, monkeypatch):
    """The events are written last: if that fails, no span, status, revision or body has changed."""
    article, _ = wire
    annotations_before = list(Annotation.objects.filter(article=article).order_by("id").values())
    events_before = AnnotationEvent.objects.count()

    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(AnnotationEvent.objects, "bulk_create", fail)
    with pytest.raises(RuntimeError, match="disk full"):
        article_revise(actor=editor, article_id=article.pk, body=NEW)
    article.refresh_from_db()
    assert (article.revision, article.body, article.revised_at) == (1, OLD, None)
    assert list(ArticleRevision.objects.filter(article=article).values_list("number", flat=True)) == [1]
    assert list(Annotation.objects.filter(article=article).order_by("id").values()) == annotations_before
    assert AnnotationEvent.objects.count() == events_before
    monkeypatch.undo()
    article_revise(actor=editor, article_id=article.pk, body=NEW)  # and the same revision then goes through
    assert_anchored(article)


# --- spans that trade places ---------------------------------------------------------

Q1 = "Tokyo said the talks would resume next week after a pause."
Q2 = "Osaka said the talks would resume next week after a pause."


def test_two_spans_of_one_kind_and_type_trading_places_break_no_unique_constraint(annotator, editor):
    article = ArticleFactory(body=f"Header line.\n{Q1}\n{Q2}\nFooter line.")
    tokyo = annotation_create(actor=annotator, article=article, kind="entity", entity_type="GPE", quote="Tokyo")
    osaka = annotation_create(actor=annotator, article=article, kind="entity", entity_type="GPE", quote="Osaka")
    new = f"Header line.\n{Q2}\n{Q1}\nFooter line."
    old_tokyo, old_osaka = (tokyo.start, tokyo.end), (osaka.start, osaka.end)
    article_revise(actor=editor, article_id=article.pk, body=new)
    tokyo, osaka = fresh(tokyo), fresh(osaka)
    assert (tokyo.start, tokyo.end, tokyo.quote) == (*old_osaka, "Tokyo")
    assert (osaka.start, osaka.end, osaka.quote) == (*old_tokyo, "Osaka")
    assert (tokyo.status, osaka.status) == ("pending", "pending")
    assert_anchored(article)


# --- orphans -----------------------------------------------------------------------


def test_an_orphan_is_looked_for_again_and_comes_back_fuzzy_when_its_text_returns(wire, editor):
    article, annotations = wire
    article_revise(actor=editor, article_id=article.pk, body=NEW)
    article_revise(actor=editor, article_id=article.pk, body=NEW + "\n\n" + P2)
    orphan = fresh(annotations["orphaned"])
    assert orphan.status == Status.PENDING
    assert (orphan.quote, orphan.revision) == ("forty countries arrived late", 3)
    assert orphan.reviewed_by is None
    events = reanchoring_events(orphan)
    assert [(e.action, e.from_revision, e.to_revision) for e in events] == [("orphaned", 1, 2), ("fuzzy", 1, 3)]
    assert (events[-1].from_status, events[-1].to_status) == ("orphaned", "pending")
    assert_anchored(article)


def test_an_orphan_still_missing_keeps_its_revision_and_gets_no_new_event(wire, editor):
    article, annotations = wire
    article_revise(actor=editor, article_id=article.pk, body=NEW)
    revised = article_revise(actor=editor, article_id=article.pk, body=NEW + "\n\nOne more line.")
    orphan = fresh(annotations["orphaned"])
    assert (orphan.status, orphan.revision) == ("orphaned", 1)
    assert [e.action for e in reanchoring_events(orphan)] == ["orphaned"]
    assert revised.reanchoring["orphaned"] == 1
    assert_anchored(article)


def test_an_orphan_whose_span_another_annotation_took_meanwhile_stays_orphaned(wire, editor, other_annotator):
    """Revision 2 rewords the sentence; a colleague annotates the new wording; revision 3 restores
    the old words: both would land on one span, and the live annotation keeps it."""
    article, annotations = wire
    reworded = P2.replace("forty countries", "forty states")
    article_revise(actor=editor, article_id=article.pk, body=NEW + "\n\n" + reworded)
    assert fresh(annotations["orphaned"]).status == Status.ORPHANED
    colleague = annotation_create(
        actor=other_annotator, article=article, kind="claim", quote="forty states arrived late"
    )
    revised = article_revise(actor=editor, article_id=article.pk, body=NEW + "\n\n" + P2)
    colleague, orphan = fresh(colleague), fresh(annotations["orphaned"])
    assert colleague.status == Status.PENDING and colleague.quote == "forty countries arrived late"
    assert (orphan.status, orphan.revision) == ("orphaned", 1)
    assert revised.reanchoring["orphaned"] == 1
    assert_anchored(article)


def _orphan(wire, editor) -> tuple[Article, Annotation]:
    article, annotations = wire
    article_revise(actor=editor, article_id=article.pk, body=NEW)
    return article, fresh(annotations["orphaned"])


def test_its_author_places_an_orphan_again_and_it_is_pending_at_the_current_revision(wire, editor, annotator):
    article, orphan = _orphan(wire, editor)
    placed = annotation_update(actor=annotator, annotation_id=orphan.pk, quote="summit")
    placed = fresh(placed)
    assert (placed.status, placed.revision, placed.quote) == ("pending", 2, "summit")
    assert NEW[placed.start : placed.end] == "summit"
    last = placed.events.order_by("at", "id").last()
    assert (last.action, last.from_status, last.to_status) == ("edited", "orphaned", "pending")
    assert_anchored(article)


def test_a_reviewer_may_place_someone_elses_orphan_again(wire, editor, other_reviewer):
    article, orphan = _orphan(wire, editor)
    start = NEW.index("Japanese citizens")
    placed = annotation_update(actor=other_reviewer, annotation_id=orphan.pk, start=start, end=start + 8)
    assert (placed.status, placed.revision, placed.quote) == ("pending", 2, "Japanese")
    assert_anchored(article)


@pytest.mark.parametrize("who", ["other_annotator", "consumer"])
def test_another_annotator_or_a_consumer_may_not_place_an_orphan(wire, editor, request, who):
    _, orphan = _orphan(wire, editor)
    with pytest.raises(NotAllowed):
        annotation_update(actor=request.getfixturevalue(who), annotation_id=orphan.pk, quote="summit")
    assert fresh(orphan).status == Status.ORPHANED


def test_an_orphan_edited_without_a_span_is_refused_naming_the_current_revision(wire, editor, annotator):
    _, orphan = _orphan(wire, editor)
    with pytest.raises(InvalidInput) as excinfo:
        annotation_update(actor=annotator, annotation_id=orphan.pk, note="still here?")
    assert "revision 2" in excinfo.value.message
    assert fresh(orphan).status == Status.ORPHANED


def test_an_orphan_may_be_deleted_by_its_author(wire, editor, annotator):
    _, orphan = _orphan(wire, editor)
    annotation_delete(actor=annotator, annotation_id=orphan.pk)
    assert not Annotation.objects.filter(pk=orphan.pk).exists()


# --- offsets read from an older revision ---------------------------------------------


def test_creating_with_an_old_revision_is_a_conflict_naming_the_current_one(wire, editor, other_annotator):
    article, _ = wire
    article_revise(actor=editor, article_id=article.pk, body=NEW)
    with pytest.raises(Conflict) as excinfo:
        annotation_create(actor=other_annotator, article=article, kind="claim", quote="summit", revision=1)
    assert excinfo.value.extra == {"revision": 2}
    assert not Annotation.objects.filter(article=article, quote="summit").exists()
    made = annotation_create(actor=other_annotator, article=article, kind="claim", quote="summit", revision=2)
    assert made.revision == 2
    assert_anchored(article)


def test_creating_with_a_stale_article_object_uses_the_current_body(wire, editor, other_annotator):
    """A caller holding the article as it was before the revision still annotates the stored text."""
    article, _ = wire
    stale = Article.objects.get(pk=article.pk)
    article_revise(actor=editor, article_id=article.pk, body=NEW)
    made = annotation_create(actor=other_annotator, article=stale, kind="claim", quote="added by the editors")
    assert made.revision == 2 and NEW[made.start : made.end] == "added by the editors"
    assert_anchored(article)


def test_editing_with_an_old_revision_is_a_conflict(wire, editor, annotator):
    article, annotations = wire
    article_revise(actor=editor, article_id=article.pk, body=NEW)
    with pytest.raises(Conflict) as excinfo:
        annotation_update(actor=annotator, annotation_id=annotations["unchanged"].pk, note="x", revision=1)
    assert excinfo.value.extra == {"revision": 2}
