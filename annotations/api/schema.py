"""The error responses every operation documents in the OpenAPI schema."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

_detail = inline_serializer("ErrorDetail", {"detail": serializers.CharField()})
ERRORS = {
    400: OpenApiResponse(OpenApiTypes.OBJECT, description="Invalid input: {field: [messages]}."),
    401: OpenApiResponse(_detail, description="No or bad credentials."),
    403: OpenApiResponse(_detail, description="Not allowed for this user."),
}
NOT_FOUND = {404: OpenApiResponse(_detail, description="No such object (or not visible to this user).")}
CONFLICT = {409: OpenApiResponse(_detail, description="The annotation's state does not allow this.")}
GONE = {410: OpenApiResponse(_detail, description="The cursor is older than the changes kept: export again.")}
