"""python manage.py deliver_webhooks: the worker that pushes the change feed to subscribers.

Runs until SIGTERM or SIGINT (Ctrl-C); then it finishes the delivery in hand (each is
bounded by WEBHOOK_TIMEOUT_SECONDS), gives back its subscriptions and exits, its place
kept: positions are stored after each delivery. Any number may run at once
(services/webhooks.py: a subscription is leased to one worker at a time). On
PostgreSQL it wakes as soon as a change commits (LISTEN/NOTIFY), with a poll as a
safety net; on SQLite it polls. It also prunes the feed once an hour.
"""

import contextlib
import logging
import os
import signal
import socket
import threading
import time
import uuid

import psycopg
from django.core.management.base import BaseCommand
from django.db import InterfaceError, OperationalError, close_old_connections, connection
from django.utils import timezone

from annotations.services.feed import NOTIFY_CHANNEL, prune_changes
from annotations.services.webhooks import deliver_due, next_retry_at

logger = logging.getLogger("annotations.webhooks")

PRUNE_EVERY = 3600.0  # seconds between prunings of the feed


class Command(BaseCommand):
    help = "Deliver the change feed to webhook subscribers, until stopped (SIGTERM, SIGINT)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--poll",
            type=float,
            default=None,
            help="Seconds between looks at the feed when nothing wakes the worker "
            "(default: 5 on PostgreSQL, which wakes on each commit; 0.5 on SQLite).",
        )
        parser.add_argument("--once", action="store_true", help="One round of deliveries, then exit.")
        parser.add_argument("--no-prune", action="store_true", help="Leave pruning the feed to another worker.")
        parser.add_argument(
            "--no-listen", action="store_true", help="Poll only, even on PostgreSQL (bench/feed_bench.py compares)."
        )

    def handle(self, *, poll, once, no_prune, no_listen=False, **_options):
        stop = threading.Event()
        previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGTERM, signal.SIGINT)}
        worker = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        listener = _Listener.open() if connection.vendor == "postgresql" and not no_listen else None
        poll = poll if poll is not None else (5.0 if listener else 0.5)
        self.stdout.write(
            f"Delivering webhooks as {worker} ({'LISTEN ' + NOTIFY_CHANNEL + ' and ' if listener else ''}"
            f"a look every {poll:g} s). Stop with Ctrl-C or SIGTERM."
        )
        delivered, pruned_at = 0, 0.0
        try:
            while not stop.is_set():
                try:
                    if not (no_prune or once) and time.monotonic() - pruned_at >= PRUNE_EVERY:
                        pruned_at = time.monotonic()
                        if pruned := prune_changes():
                            logger.info("Pruned %d changes older than the retention.", pruned)
                    delivered += deliver_due(worker=worker, should_stop=stop.is_set)
                    if once:
                        break
                    _wait(stop, listener, poll)
                except (OperationalError, InterfaceError) as exc:
                    logger.warning("The database did not answer (%s); trying again shortly.", exc)
                    close_old_connections()
                    connection.close()
                    stop.wait(2.0)
        finally:
            if listener:
                listener.close()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        self.stdout.write(f"Stopped; {delivered} changes delivered.")


def _wait(stop: threading.Event, listener, poll: float) -> None:
    """Until a change commits (PostgreSQL), a retry falls due, `poll` seconds pass, or stop."""
    timeout = poll
    if (retry := next_retry_at()) is not None:
        timeout = max(0.0, min(timeout, (retry - timezone.now()).total_seconds()))
    deadline = time.monotonic() + timeout
    while not stop.is_set() and (left := deadline - time.monotonic()) > 0:
        slice_ = min(left, 0.5)  # short slices: a stop signal is seen within half a second
        if listener is None:
            stop.wait(slice_)
        elif listener.notified(slice_):
            return


class _Listener:
    """A connection of its own that LISTENs for the feed's NOTIFY (services/feed.py sends it)."""

    def __init__(self, conn):
        self.conn = conn

    @staticmethod
    def _connect():
        conn = psycopg.connect(**connection.get_connection_params(), autocommit=True)
        conn.execute(f"LISTEN {NOTIFY_CHANNEL}")
        return conn

    @classmethod
    def open(cls):
        return cls(cls._connect())

    def notified(self, timeout: float) -> bool:
        try:
            if not any(True for _ in self.conn.notifies(timeout=timeout, stop_after=1)):
                return False
            for _ in self.conn.notifies(timeout=0):  # the others already queued: one look serves them all
                pass
            return True
        except psycopg.Error as exc:
            # The server restarted, say: wake (a look at the feed misses nothing) and listen again.
            logger.warning("The LISTEN connection was lost (%s); reconnecting.", exc)
            time.sleep(min(timeout, 1.0))
            with contextlib.suppress(psycopg.Error):  # still down: the next wait tries again
                self.conn = self._connect()
            return True

    def close(self):
        self.conn.close()
