"""An export's record count and its rows come from one snapshot, whatever commits meanwhile."""

import threading

import pytest
from django.db import connection, connections

from annotations.services.reviews import annotation_approve
from tests.api.test_exports import JSONL, jsonl_records

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs a second connection that can commit"),
]


def test_an_annotation_approved_after_the_count_is_not_in_the_file(
    client_for, consumer, annotator, reviewer, article, make_annotation
):
    for quote in ("Prime", "Minister"):
        make_annotation(annotator, article, quote=quote, status="approved", reviewed_by=reviewer)
    late = make_annotation(annotator, article, quote="The end")
    response = client_for(consumer).get(JSONL)  # the header is drawn: the snapshot is taken

    def approve_elsewhere():
        try:
            annotation_approve(actor=reviewer, annotation_id=late.pk)
        finally:
            connections.close_all()

    thread = threading.Thread(target=approve_elsewhere)
    thread.start()
    thread.join(timeout=30)
    records = jsonl_records(response)
    assert response["Copydesk-Record-Count"] == "2"
    assert [record["quote"] for record in records] == ["Prime", "Minister"]
    assert len(jsonl_records(client_for(consumer).get(JSONL))) == 3  # a new export sees it
