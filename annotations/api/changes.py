"""/api/changes/: the change feed (API.md, "Change feed"); selectors/feed.py reads it."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from annotations.filters import ChangeFilter
from annotations.models import ChangeType, WithdrawalReason
from annotations.selectors.feed import LIMIT_DEFAULT, LIMIT_MAX, change_payload, changes_after, parse_after, parse_limit

from .permissions import RolePermission
from .schema import ERRORS, GONE

_CHANGE_FIELDS = {
    "cursor": serializers.CharField(help_text="Opaque: its position in the feed."),
    "type": serializers.ChoiceField(choices=ChangeType.choices),
    "at": serializers.DateTimeField(),
    "annotation_id": serializers.IntegerField(),
    "article_id": serializers.IntegerField(),
    "revision": serializers.IntegerField(allow_null=True),
    "record": serializers.JSONField(
        allow_null=True, help_text="The JSONL export's record of the annotation; null when withdrawn."
    ),
    "reason": serializers.ChoiceField(
        choices=WithdrawalReason.choices, allow_null=True, help_text="Why it was withdrawn; null otherwise."
    ),
}
_PAGE = inline_serializer(
    "ChangePage",
    {
        "results": inline_serializer("Change", _CHANGE_FIELDS, many=True),
        "next": serializers.CharField(help_text="The cursor to pass as `after` for the next page."),
        "has_more": serializers.BooleanField(help_text="Whether more changes were there already."),
    },
)
_PARAMETERS = [
    OpenApiParameter(
        "after",
        str,
        description="A cursor: a change's `cursor`, a page's `next`, or an export's `Copydesk-Cursor` header. "
        "Without it, the feed starts at its oldest change kept: a mirror built from there is whole only while "
        "nothing has been pruned, so a new client starts from an export and its cursor. A cursor older than "
        "the changes kept is a 410.",
    ),
    OpenApiParameter("limit", int, description=f"Changes per page (default {LIMIT_DEFAULT}, at most {LIMIT_MAX})."),
    *(
        OpenApiParameter(name, str, description=str(f.extra.get("help_text", "")) or f"The annotation's {name}.")
        for name, f in ChangeFilter.base_filters.items()
    ),
]


class ChangeFeedView(APIView):
    """Changes to the approved annotations, oldest first: applied in order to an empty mirror
    (or an export and its cursor), they give exactly the approved annotations."""

    permission_classes = [IsAuthenticated, RolePermission]
    action = "list"  # RolePermission: consumers and up

    @extend_schema(
        operation_id="changes_list",
        summary="The change feed: changes to the approved annotations after a cursor",
        parameters=_PARAMETERS,
        responses={200: _PAGE, **ERRORS, **GONE},
    )
    def get(self, request):
        params = request.query_params
        page = changes_after(
            after=parse_after(params.get("after")),
            limit=parse_limit(params.get("limit")),
            filters={name: params.getlist(name) for name in ChangeFilter.base_filters if name in params},
        )
        return Response(
            {"results": [change_payload(c) for c in page.changes], "next": page.next, "has_more": page.has_more}
        )
