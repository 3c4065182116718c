"""/api/health/: whether the database answers, within a second or two whatever it does."""

import threading
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from django.db import connection
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import api_view, authentication_classes, permission_classes, throttle_classes
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

PROBE_SECONDS = 1.5  # how long health waits for the database before it says "unavailable"

# The probe runs in a thread of its own, so that a database that accepts connections but
# never answers (its processes stopped) cannot hold the request: health stops waiting. One
# probe at a time per process: while one hangs, later requests wait on it rather than
# start more threads that would hang too.
_prober = ThreadPoolExecutor(max_workers=1, thread_name_prefix="health-probe")
_probe_lock = threading.Lock()
_probe: Future | None = None


def _select_one() -> None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    finally:
        # The probe thread's own connection, closed each time: never a broken one reused,
        # and none left open behind (a test database could not be dropped).
        connection.close()


def database_problem(timeout: float = PROBE_SECONDS) -> str | None:
    """None if the database answered `SELECT 1` within `timeout` seconds, else what went wrong."""
    global _probe
    with _probe_lock:
        if _probe is None or _probe.done():
            _probe = _prober.submit(_select_one)
        probe = _probe
    try:
        probe.result(timeout=timeout)
    except FutureTimeout:
        return f"database: no answer within {timeout:g} s"
    except Exception as exc:  # any database failure means "down"
        return f"database: {exc.__class__.__name__}"
    return None


@extend_schema(
    summary="Service health: the database answers",
    responses={
        200: inline_serializer("Health", {"status": serializers.CharField()}),
        503: inline_serializer("HealthDown", {"status": serializers.CharField(), "detail": serializers.CharField()}),
    },
)
@api_view(["GET"])
@authentication_classes([])
@permission_classes([AllowAny])
@throttle_classes([])  # load balancers and monitors ask often, from one address
def health(request):
    if problem := database_problem():
        return Response(
            {"status": "unavailable", "detail": problem},
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": "5"},
        )
    return Response({"status": "ok"})
