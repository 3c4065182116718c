"""make_benchmark_data: rows that satisfy every rule the services keep, on both databases."""

import pytest
from django.core.management import call_command
from django.db.models import F

from annotations.models import Annotation, AnnotationEvent, Article, Status

pytestmark = pytest.mark.django_db(transaction=True)


def test_generated_data_keeps_the_services_rules(capsys):
    call_command("make_benchmark_data", "--annotations", "450", "--seed", "7")
    assert capsys.readouterr().out.startswith("added 2 articles, 450 annotations and their history")
    bodies = dict(Article.objects.values_list("id", "body"))
    annotations = list(Annotation.objects.all())
    assert len(annotations) == 450
    assert all(a.quote == bodies[a.article_id][a.start : a.end] for a in annotations)
    assert not Annotation.objects.filter(reviewed_by=F("created_by")).exists()  # four eyes
    reviewed = Annotation.objects.exclude(status=Status.PENDING).count()
    assert AnnotationEvent.objects.count() == 450 + reviewed
    assert all(changes == {} for changes in AnnotationEvent.objects.values_list("changes", flat=True))


def test_sentences_make_claims_of_a_sentence_or_part_of_one(capsys):
    """--sentences: news-like sentences, and claims of 5 words or more that stay inside one."""
    call_command("make_benchmark_data", "--annotations", "450", "--seed", "7", "--sentences")
    bodies = dict(Article.objects.values_list("id", "body"))
    claims = list(Annotation.objects.filter(kind="claim"))
    assert claims and all(c.quote == bodies[c.article_id][c.start : c.end] for c in claims)
    assert all("." not in c.quote and "\n" not in c.quote for c in claims if len(c.quote.split()) > 1)
    assert sum(len(c.quote.split()) >= 5 for c in claims) / len(claims) > 0.8
    assert Article.objects.filter(word_count__gt=0).count() == Article.objects.count()
