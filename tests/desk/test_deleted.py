"""Deleted annotations on the desk: an admin-site delete keeps them too, and reviewers alone read them."""

import pytest
from django.urls import reverse

from annotations.models import DeletedAnnotation
from annotations.services.annotations import annotation_delete

pytestmark = pytest.mark.django_db

DELETED_LIST = reverse("admin:annotations_deletedannotation_changelist")


def test_admin_delete_keeps_it_too(reworked, annotator, browser_for):
    url = reverse("admin:annotations_annotation_delete", args=[reworked.pk])
    response = browser_for(annotator).post(url, {"post": "yes"})
    assert response.status_code == 302
    assert DeletedAnnotation.objects.get(former_id=reworked.pk).deleted_by == annotator


def test_reviewers_read_deleted_annotations_on_the_desk(reworked, annotator, reviewer, browser_for):
    annotation_delete(actor=annotator, annotation_id=reworked.pk)
    kept = DeletedAnnotation.objects.get()
    client = browser_for(reviewer)
    listing = client.get(DELETED_LIST).content.decode()
    assert "Kyiv was calm" in listing and "alice" in listing
    page = client.get(reverse("admin:annotations_deletedannotation_change", args=[kept.pk])).content.decode()
    for shown in ("the ministry", "checked again", "span too short", "rejected", "edited", "deleted", "bob"):
        assert shown in page, shown
    assert '<input type="submit"' not in page  # read-only: nothing to save
    assert client.post(reverse("admin:annotations_deletedannotation_delete", args=[kept.pk])).status_code == 403


def test_annotators_do_not_see_the_deleted(reworked, annotator, browser_for):
    annotation_delete(actor=annotator, annotation_id=reworked.pk)
    assert browser_for(annotator).get(DELETED_LIST).status_code == 403
