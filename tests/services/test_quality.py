"""Translation quality kept by the services: each article's error tally follows every change to
its approved, unfixed artifacts (approve, reopen, bulk review, delete, a revision that fixes or
loses one), in the same transaction, and scores read from it agree with the artifacts."""

import threading

import pytest
from django.db import connection, connections

from annotations.models import Annotation, ArticleErrorTally, Status
from annotations.selectors.articles import article_queryset
from annotations.selectors.quality import errors_of, quality_of, scoring
from annotations.services.annotations import annotation_create, annotation_delete
from annotations.services.feed import publish_approved_as_loaded
from annotations.services.quality import recount_all_errors
from annotations.services.reviews import annotation_approve, annotation_reopen, annotations_review_bulk
from annotations.services.revisions import article_revise
from tests.factories import ArticleFactory

# 27 words; three artifacts in it.
BODY = (
    "However, the interest of the citizens of the State of Sakura remains high to volunteer to Ukraine. "
    "Partager: the ministry said on Wendesday in Tokyo and Kyiv."
)


def artifact(actor, article, quote, artifact_type, severity, **fields):
    return annotation_create(
        actor=actor,
        article=article,
        kind="translation_artifact",
        quote=quote,
        artifact_type=artifact_type,
        severity=severity,
        **fields,
    )


@pytest.fixture
def sakura(db, annotator):
    article = ArticleFactory(title="Sakura", body=BODY)
    made = {
        "referent": artifact(
            annotator,
            article,
            "the citizens of the State of Sakura",
            "wrong_referent",
            "critical",
            suggested_correction="Japanese citizens",
        ),
        "caption": artifact(annotator, article, "Partager:", "boilerplate", "minor"),
        "typo": artifact(annotator, article, "Wendesday", "grammar", "major"),
    }
    return article, made


def tallies() -> set[tuple]:
    return set(ArticleErrorTally.objects.values_list("article_id", "artifact_type", "severity", "count"))


def tallies_from_scratch() -> set[tuple]:
    """What the tallies must be: counted afresh from the artifacts (the bulk path)."""
    kept = tallies()
    recount_all_errors()
    fresh = tallies()
    assert fresh == kept, "the tallies kept by the services differ from a fresh count"
    return fresh


def quality(article):
    return quality_of(article_queryset(with_body=False).get(pk=article.pk), scoring())


def test_an_article_without_approved_errors_scores_100(sakura):
    article, _ = sakura
    assert article.word_count == 27
    assert quality(article) == {
        "words": 27,
        "penalty": 0,
        "per_1000_words": 0.0,
        "score": 100.0,
        "passed": True,
        "errors": {"minor": 0, "major": 0, "critical": 0},
    }
    assert tallies() == set()


def test_approving_and_reopening_move_the_score(sakura, reviewer):
    article, made = sakura
    annotation_approve(actor=reviewer, annotation_id=made["referent"].pk)
    annotation_approve(actor=reviewer, annotation_id=made["typo"].pk)
    # 25 + 5 = 30 points in 27 words: 1,111.11 per 1,000 words, a score of 0 (never below).
    assert quality(article) | {"errors": None} == {
        "words": 27,
        "penalty": 30,
        "per_1000_words": 1111.11,
        "score": 0,
        "passed": False,
        "errors": None,
    }
    assert quality(article)["errors"] == {"minor": 0, "major": 1, "critical": 1}
    annotation_reopen(actor=reviewer, annotation_id=made["referent"].pk)
    assert quality(article)["penalty"] == 5
    assert tallies_from_scratch() == {(article.pk, "grammar", "major", 1)}


def test_bulk_review_and_delete_keep_the_tally(sakura, reviewer, admin_user):
    article, made = sakura
    annotations_review_bulk(actor=reviewer, annotation_ids=[a.pk for a in made.values()], decision="approve")
    assert quality(article)["errors"] == {"minor": 1, "major": 1, "critical": 1}
    annotation_delete(actor=admin_user, annotation_id=made["caption"].pk)
    assert quality(article)["errors"] == {"minor": 0, "major": 1, "critical": 1}
    assert quality(article)["penalty"] == 30
    assert len(tallies_from_scratch()) == 2


def test_a_fixed_error_no_longer_counts_and_the_words_are_counted_again(sakura, reviewer, annotator):
    article, made = sakura
    annotations_review_bulk(actor=reviewer, annotation_ids=[a.pk for a in made.values()], decision="approve")
    # The correction applied and the caption dropped: the referent is fixed, the caption orphaned.
    fixed_body = BODY.replace("the citizens of the State of Sakura", "Japanese citizens").replace("Partager: ", "")
    article_revise(actor=annotator, article_id=article.pk, body=fixed_body)
    figures = quality(article)
    assert figures["words"] == 21
    assert figures["errors"] == {"minor": 0, "major": 1, "critical": 0}
    assert figures["penalty"] == 5
    referent = Annotation.objects.get(pk=made["referent"].pk)
    assert (referent.status, referent.fixed_in_revision, referent.quote) == ("approved", 2, "Japanese citizens")
    assert Annotation.objects.get(pk=made["caption"].pk).status == Status.ORPHANED
    assert [e.annotation.pk for e in errors_of(article, scoring())] == [made["typo"].pk]
    tallies_from_scratch()


def test_pending_and_rejected_artifacts_and_other_kinds_do_not_count(sakura, reviewer, annotator):
    article, made = sakura
    from annotations.services.reviews import annotation_reject

    annotation_reject(actor=reviewer, annotation_id=made["typo"].pk, comment="Not a typo.")
    claim = annotation_create(actor=annotator, article=article, kind="claim", quote="the ministry said")
    annotation_approve(actor=reviewer, annotation_id=claim.pk)
    assert quality(article)["penalty"] == 0
    assert tallies() == set()


def test_type_weights_and_severity_weights_apply_as_read(sakura, reviewer, settings):
    """The weights are the settings' at the time of reading: no recount when they change."""
    article, made = sakura
    annotations_review_bulk(actor=reviewer, annotation_ids=[a.pk for a in made.values()], decision="approve")
    assert quality(article)["penalty"] == 31
    settings.MQM_TYPE_WEIGHTS = {"boilerplate": 0, "wrong_referent": 2}
    settings.MQM_SEVERITY_WEIGHTS = {"major": 10}
    assert quality(article)["penalty"] == 60  # 25 x 2 + 10 + 1 x 0
    assert [e.penalty for e in errors_of(article, scoring())] == [50, 10, 0]


def test_the_errors_listed_add_up_to_the_penalty(sakura, reviewer):
    article, made = sakura
    annotations_review_bulk(actor=reviewer, annotation_ids=[a.pk for a in made.values()], decision="approve")
    errors = errors_of(article, scoring())
    assert [(e.annotation.pk, e.mqm_error_type, e.penalty) for e in errors] == [
        (made["referent"].pk, "Accuracy/Mistranslation/Entity", 25),
        (made["typo"].pk, "Fluency/Grammar", 5),
        (made["caption"].pk, "Accuracy/Addition", 1),
    ]
    assert sum(e.penalty for e in errors) == quality(article)["penalty"]


def test_a_bulk_load_counts_every_article_once(sakura, reviewer):
    """publish_approved_as_loaded (load_demo, the migration's backfill) recounts at its end."""
    article, made = sakura
    annotations_review_bulk(actor=reviewer, annotation_ids=[a.pk for a in made.values()], decision="approve")
    ArticleErrorTally.objects.all().delete()
    from annotations.models import Change

    Change.objects.all().delete()  # as if loaded from a fixture: approved, with no change yet
    assert publish_approved_as_loaded() == 3
    assert quality(article)["errors"] == {"minor": 1, "major": 1, "critical": 1}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
def test_reviewers_approving_one_articles_errors_at_once_are_all_counted(annotator, reviewer, other_reviewer):
    """Recounts of one article are one at a time (the feed's lock), each seeing the last
    committed: no approval is lost from the tally, none counted twice."""
    words = [f"w{n}x" for n in range(40)]  # none inside another
    article = ArticleFactory(title="Race", body=" ".join(words))
    errors = [artifact(annotator, article, word, "grammar", "minor") for word in words]
    barrier = threading.Barrier(4)

    def approve(share, actor):
        try:
            barrier.wait(timeout=10)
            for annotation in share:
                annotation_approve(actor=actor, annotation_id=annotation.pk)
        finally:
            connections.close_all()

    reviewers = [reviewer, other_reviewer, reviewer, other_reviewer]
    threads = [threading.Thread(target=approve, args=(errors[i::4], reviewers[i])) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert tallies() == {(article.pk, "grammar", "minor", 40)}
    assert quality(article)["penalty"] == 40
