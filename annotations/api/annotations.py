"""/api/annotations/: list (filtered), read, create, edit, delete, review, history."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from annotations.domain.errors import InvalidInput
from annotations.domain.roles import Role
from annotations.filters import AnnotationPageFilter
from annotations.inputs import (
    AnnotationUpdateSerializer,
    AnnotationWriteSerializer,
    LinkSerializer,
    RejectSerializer,
    ReviewSerializer,
)
from annotations.selectors.annotations import annotation_history, annotations_visible_to
from annotations.selectors.claims import SIMILAR_LIMIT, similar_claims
from annotations.services.annotations import annotation_create, annotation_delete, annotation_update
from annotations.services.claims import claim_unlink, claims_link
from annotations.services.reviews import annotation_approve, annotation_reject, annotation_reopen

from .permissions import RolePermission
from .schema import CONFLICT, ERRORS, NOT_FOUND
from .serializers.annotations import AnnotationEventSerializer, AnnotationSerializer, SimilarClaimsSerializer


@extend_schema_view(
    list=extend_schema(
        summary="List annotations (consumers see approved ones only)",
        responses={200: AnnotationSerializer(many=True), **ERRORS},
    ),
    retrieve=extend_schema(summary="One annotation", responses={200: AnnotationSerializer, **ERRORS, **NOT_FOUND}),
    create=extend_schema(
        summary="Create an annotation (pending)",
        request=AnnotationWriteSerializer,
        responses={201: AnnotationSerializer, **ERRORS},
    ),
    partial_update=extend_schema(
        summary="Edit your annotation; it goes back to pending",
        request=AnnotationUpdateSerializer,
        responses={200: AnnotationSerializer, **ERRORS, **NOT_FOUND, **CONFLICT},
    ),
    destroy=extend_schema(
        summary="Delete your annotation while not approved (admins: always)",
        responses={204: None, **ERRORS, **NOT_FOUND, **CONFLICT},
    ),
)
class AnnotationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    # PUT is not offered: PATCH is the one way to edit (405 for PUT).
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    permission_classes = [IsAuthenticated, RolePermission]
    required_roles = {
        "create": Role.ANNOTATOR,
        "partial_update": Role.ANNOTATOR,
        "destroy": Role.ANNOTATOR,
        "approve": Role.REVIEWER,
        "reject": Role.REVIEWER,
        "reopen": Role.REVIEWER,
        "link": Role.ANNOTATOR,
        "unlink": Role.ANNOTATOR,
    }
    serializer_class = AnnotationSerializer
    filterset_class = AnnotationPageFilter

    def get_queryset(self):
        return annotations_visible_to(self.request.user)

    def filter_queryset(self, queryset):
        # The list's filters are the list's: one annotation is found by its id alone (an
        # orphaned one too, which the list leaves out unless ?status=orphaned).
        return queryset if self.detail else super().filter_queryset(queryset)

    def create(self, request):
        serializer = AnnotationWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        annotation = annotation_create(actor=request.user, **serializer.validated_data)
        return Response(AnnotationSerializer(annotation).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        annotation = self.get_object()
        serializer = AnnotationUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        annotation = annotation_update(actor=request.user, annotation_id=annotation.pk, **serializer.validated_data)
        return Response(AnnotationSerializer(annotation).data)

    def destroy(self, request, pk=None):
        annotation_delete(actor=request.user, annotation_id=self.get_object().pk)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _review(self, request, service, serializer_class):
        annotation = self.get_object()
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        annotation = service(actor=request.user, annotation_id=annotation.pk, **serializer.validated_data)
        return Response(AnnotationSerializer(annotation).data)

    @extend_schema(
        summary="Approve a pending annotation of someone else's",
        request=ReviewSerializer,
        responses={200: AnnotationSerializer, **ERRORS, **NOT_FOUND, **CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._review(request, annotation_approve, ReviewSerializer)

    @extend_schema(
        summary="Reject a pending annotation of someone else's (comment required)",
        request=RejectSerializer,
        responses={200: AnnotationSerializer, **ERRORS, **NOT_FOUND, **CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._review(request, annotation_reject, RejectSerializer)

    @extend_schema(
        summary="Send an approved or rejected annotation back to pending",
        request=ReviewSerializer,
        responses={200: AnnotationSerializer, **ERRORS, **NOT_FOUND, **CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        return self._review(request, annotation_reopen, ReviewSerializer)

    @extend_schema(
        summary="Every change to the annotation, oldest first",
        responses={200: AnnotationEventSerializer(many=True), **ERRORS, **NOT_FOUND},
    )
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def history(self, request, pk=None):
        events = annotation_history(annotation=self.get_object())
        return Response(AnnotationEventSerializer(events, many=True).data)

    @extend_schema(
        summary="Claims in other articles that state the same thing, most similar first",
        parameters=[
            OpenApiParameter("limit", int, description=f"At most this many (default {SIMILAR_LIMIT}, max 50).")
        ],
        responses={200: SimilarClaimsSerializer, **ERRORS, **NOT_FOUND},
    )
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def similar(self, request, pk=None):
        limit = request.query_params.get("limit", str(SIMILAR_LIMIT))
        if not limit.isascii() or not limit.isdigit() or not 1 <= int(limit) <= 50:
            raise InvalidInput({"limit": ["A whole number from 1 to 50."]})
        found = similar_claims(self.get_object(), user=request.user, limit=int(limit))
        results = [{**AnnotationSerializer(s.claim).data, "similarity": s.similarity} for s in found]
        return Response({"count": len(results), "next": None, "previous": None, "results": results})

    @extend_schema(
        summary="Put this claim and another in one claim group (they state the same thing)",
        request=LinkSerializer,
        responses={200: AnnotationSerializer, **ERRORS, **NOT_FOUND, **CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def link(self, request, pk=None):
        serializer = LinkSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        annotation = claims_link(actor=request.user, annotation_id=self.get_object().pk, **serializer.validated_data)
        return Response(AnnotationSerializer(annotation).data)

    @extend_schema(
        summary="Take this claim out of its claim group",
        request=None,
        responses={200: AnnotationSerializer, **ERRORS, **NOT_FOUND},
    )
    @action(detail=True, methods=["post"])
    def unlink(self, request, pk=None):
        annotation = claim_unlink(actor=request.user, annotation_id=self.get_object().pk)
        return Response(AnnotationSerializer(annotation).data)
