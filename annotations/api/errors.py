"""The one exception handler: domain errors become the status and body shape of API.md.

Views never catch domain errors themselves: DRF calls `exception_handler`.
"""

from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from annotations.domain.errors import DomainError


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        return Response(exc.as_data(), status=exc.http_status)
    return drf_exception_handler(exc, context)
