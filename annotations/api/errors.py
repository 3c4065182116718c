"""The one exception handler: every error an API view raises becomes JSON in DRF's shapes.

Domain errors get the status and body of API.md; DRF's own errors stay as DRF
makes them; a body over Django's size limit is a 413, a database that does not answer is
a 503, and anything else a 500, each `{"detail": ...}`. Views never catch
these themselves: DRF calls `exception_handler`. Errors Django answers before
or outside a view (an unknown path, a bad request) are JSON under /api/ too:
project/urls.py names the handlers below.
"""

import logging

from django.conf import settings
from django.core import signals
from django.core.exceptions import RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.http import JsonResponse
from django.views import defaults
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from annotations.domain.errors import DomainError

logger = logging.getLogger("annotations.api")

DATABASE_UNAVAILABLE = "The database did not answer; try again shortly."
SERVER_ERROR = "Internal server error."


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        return Response(exc.as_data(), status=exc.http_status)
    if isinstance(exc, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return Response(
            {"detail": f"The request body is larger than {limit:,} bytes."},
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    response = drf_exception_handler(exc, context)
    if response is not None:
        return response
    # Unexpected: logged with its traceback and signalled as Django does for any uncaught
    # exception (so tests still see it raised), but answered in JSON.
    request = context.get("request")
    signals.got_request_exception.send(sender=None, request=getattr(request, "_request", request))
    if isinstance(exc, OperationalError | InterfaceError):
        logger.error("Database error: %s", exc, exc_info=exc)
        return Response(
            {"detail": DATABASE_UNAVAILABLE}, status=status.HTTP_503_SERVICE_UNAVAILABLE, headers={"Retry-After": "5"}
        )
    logger.error("Internal server error", exc_info=exc)
    return Response({"detail": SERVER_ERROR}, status=status.HTTP_500_INTERNAL_SERVER_ERROR)


def _in_api(request) -> bool:
    return request.path_info.startswith("/api/")


def bad_request(request, exception):
    if _in_api(request):
        return JsonResponse({"detail": "Bad request."}, status=status.HTTP_400_BAD_REQUEST)
    return defaults.bad_request(request, exception)


def not_found(request, exception):
    if _in_api(request):
        return JsonResponse({"detail": "Not found."}, status=status.HTTP_404_NOT_FOUND)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if _in_api(request):
        return JsonResponse({"detail": SERVER_ERROR}, status=status.HTTP_500_INTERNAL_SERVER_ERROR)
    return defaults.server_error(request)
