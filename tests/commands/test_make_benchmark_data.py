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
