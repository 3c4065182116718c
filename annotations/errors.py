"""Domain errors raised by the services, and the one handler that maps them to HTTP.

Views never catch these themselves: DRF calls `exception_handler`, which turns
each domain error into the status and body shape of API.md.
"""

from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


class DomainError(Exception):
    http_status = status.HTTP_400_BAD_REQUEST

    def __init__(self, message: str = "", **extra):
        super().__init__(message)
        self.message = message
        self.extra = extra

    def as_data(self) -> dict:
        return {"detail": self.message, **self.extra}


class InvalidInput(DomainError):
    """Bad input; `errors` is DRF's shape: {"field": ["message", ...]}."""

    http_status = status.HTTP_400_BAD_REQUEST

    def __init__(self, errors: dict[str, list[str]] | str):
        if isinstance(errors, str):
            errors = {"non_field_errors": [errors]}
        self.errors = errors
        super().__init__("; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in errors.items()))

    def as_data(self) -> dict:
        return self.errors


class NotAllowed(DomainError):
    """The user may not do this (their role, or their own annotation)."""

    http_status = status.HTTP_403_FORBIDDEN


class Conflict(DomainError):
    """The object is not in a state that allows the action (or another request won a race)."""

    http_status = status.HTTP_409_CONFLICT


class Missing(DomainError):
    http_status = status.HTTP_404_NOT_FOUND


def invalid(field: str, message: str) -> InvalidInput:
    return InvalidInput({field: [message]})


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        return Response(exc.as_data(), status=exc.http_status)
    return drf_exception_handler(exc, context)
