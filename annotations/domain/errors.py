"""Domain errors: what the services raise when they refuse.

Each carries the HTTP status it means; the API's exception handler and the
desk turn them into a response or a form error, so no caller needs its own
mapping.
"""


class DomainError(Exception):
    http_status = 400

    def __init__(self, message: str = "", **extra):
        super().__init__(message)
        self.message = message
        self.extra = extra

    def as_data(self) -> dict:
        return {"detail": self.message, **self.extra}


class InvalidInput(DomainError):
    """Bad input; `errors` is DRF's shape: {"field": ["message", ...]}."""

    http_status = 400

    def __init__(self, errors: dict[str, list[str]] | str):
        if isinstance(errors, str):
            errors = {"non_field_errors": [errors]}
        self.errors = errors
        super().__init__("; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in errors.items()))

    def as_data(self) -> dict:
        return self.errors


class NotAllowed(DomainError):
    """The user may not do this (their role, or their own annotation)."""

    http_status = 403


class Conflict(DomainError):
    """The object is not in a state that allows the action (or another request won a race)."""

    http_status = 409


class Missing(DomainError):
    http_status = 404


class Gone(DomainError):
    """What was asked for is no longer kept (a feed cursor older than the retention)."""

    http_status = 410


def invalid(field: str, message: str) -> InvalidInput:
    return InvalidInput({field: [message]})
