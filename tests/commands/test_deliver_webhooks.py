"""python manage.py deliver_webhooks: delivers until SIGTERM and keeps its place; on
PostgreSQL it wakes on the commit of a change (LISTEN/NOTIFY), and workers running side by
side never deliver one change twice at once."""

import json
import os
import signal
import subprocess
import sys
import threading
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from annotations.models import Change, WebhookSubscription
from annotations.services.annotations import annotation_create
from annotations.services.reviews import annotation_approve
from annotations.services.webhooks import webhook_subscribe

ROOT = Path(__file__).resolve().parents[2]


def delivered_ids(receiver) -> list[int]:
    return [json.loads(r.body)["annotation_id"] for r in receiver.requests]


@pytest.mark.django_db
def test_the_worker_delivers_until_sigterm_then_a_new_one_goes_on_where_it_stopped(
    admin_user, reviewer, claims, receiver
):
    webhook_subscribe(actor=admin_user, url=receiver.url)
    annotation_approve(actor=reviewer, annotation_id=claims[0].pk)

    def stop_once_delivered():
        receiver.wait_for(1)
        os.kill(os.getpid(), signal.SIGTERM)  # what a process manager sends

    threading.Thread(target=stop_once_delivered, daemon=True).start()
    out = StringIO()
    call_command("deliver_webhooks", "--poll", "0.1", stdout=out)
    assert "Stopped; 1 changes delivered." in out.getvalue()

    annotation_approve(actor=reviewer, annotation_id=claims[1].pk)
    call_command("deliver_webhooks", "--once", stdout=StringIO())
    assert delivered_ids(receiver) == [claims[0].pk, claims[1].pk]  # nothing lost, nothing repeated


# --- real processes on PostgreSQL ----------------------------------------------------------


def start_worker(*args: str) -> subprocess.Popen:
    """The worker in a process of its own, on this test's database."""
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "WEBHOOK_ALLOW_PRIVATE_URLS": "true",
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", "deliver_webhooks", "--no-prune", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def wait_until_started(worker: subprocess.Popen) -> None:
    line = worker.stdout.readline()
    assert line.startswith("Delivering webhooks"), line


def stop(worker: subprocess.Popen) -> str:
    worker.send_signal(signal.SIGTERM)
    output, _ = worker.communicate(timeout=15)
    assert worker.returncode == 0, output
    return output


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="LISTEN/NOTIFY needs PostgreSQL")
def test_a_worker_wakes_on_the_commit_of_a_change_not_on_its_poll(admin_user, reviewer, claims, receiver):
    webhook_subscribe(actor=admin_user, url=receiver.url)
    worker = start_worker("--poll", "30")  # a poll that would never come within the test
    try:
        wait_until_started(worker)
        time.sleep(0.3)  # LISTEN is in place once it has printed its first line
        started = time.monotonic()
        annotation_approve(actor=reviewer, annotation_id=claims[0].pk)
        (request,) = receiver.wait_for(1, timeout=5)
        assert request.at - started < 2.0
    finally:
        output = stop(worker)
    assert "Stopped; 1 changes delivered." in output
    assert WebhookSubscription.objects.get().position > 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent workers need a server database")
def test_workers_side_by_side_deliver_each_change_once(admin_user, reviewer, claims, receiver, annotator, article):
    webhook_subscribe(actor=admin_user, url=receiver.url)
    receiver.delay = 0.05  # slow enough that the workers overlap
    workers = [start_worker("--poll", "0.2") for _ in range(3)]
    try:
        for worker in workers:
            wait_until_started(worker)
        more = [
            annotation_create(actor=annotator, article=article, kind="entity", quote=q, entity_type="LOC")
            for q in ("Kyiv was", "Зеленский", "Prime Minister")
        ]
        for annotation in [*claims, *more]:
            annotation_approve(actor=reviewer, annotation_id=annotation.pk)
        receiver.wait_for(6, timeout=15)
        time.sleep(0.5)  # anything delivered twice would have arrived by now
    finally:
        for worker in workers:
            stop(worker)
    ids = [r.headers["webhook-id"] for r in receiver.requests]
    assert len(ids) == 6 and ids == sorted(ids, key=int) and len(set(ids)) == 6


@pytest.mark.django_db
def test_prune_changes_deletes_what_is_older_than_the_retention(reviewer, claims, settings):
    settings.CHANGES_RETENTION_DAYS = 7
    for claim in claims:
        annotation_approve(actor=reviewer, annotation_id=claim.pk)
    Change.objects.filter(annotation_id__in=[claims[0].pk, claims[1].pk]).update(at="2020-01-01T00:00:00Z")
    out = StringIO()
    call_command("prune_changes", stdout=out)
    assert out.getvalue().strip() == "Pruned 2 changes older than 7 days."
    assert list(Change.objects.values_list("annotation_id", flat=True)) == [claims[2].pk]
