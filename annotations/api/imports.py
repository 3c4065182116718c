"""/api/imports/: files of annotations made elsewhere (API.md, "Imports and machine suggestions")."""

import json
import tempfile

from django.conf import settings
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.parsers import BaseParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from annotations.domain.errors import InvalidInput
from annotations.domain.roles import Role
from annotations.interchange.annotation_files import READERS
from annotations.interchange.importing import submit
from annotations.models import AnnotationImport, ImportState
from annotations.selectors.users import user_role

from .negotiation import ParsedByTypeOneRepresentation
from .permissions import RolePermission
from .schema import ERRORS, NOT_FOUND


class AnnotationImportSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    progress = serializers.SerializerMethodField()
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = AnnotationImport
        fields = [
            "id",
            "url",
            "format",
            "name",
            "size",
            "state",
            "stage",
            "records_read",
            "bytes_read",
            "progress",
            "articles_created",
            "annotations_created",
            "errors",
            "created_by",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.FloatField(allow_null=True, min_value=0, max_value=1))
    def get_progress(self, record) -> float | None:
        """The share of the file read (1 when done); null while queued or for an empty file."""
        if record.state == ImportState.DONE:
            return 1.0
        if record.state == ImportState.QUEUED or not record.size:
            return None
        return round(min(record.bytes_read / record.size, 1.0), 4)

    def get_url(self, record) -> str:
        request = self.context.get("request")
        path = reverse("import-detail", args=[record.pk])
        return request.build_absolute_uri(path) if request else path


class _WholeBody(BaseParser):
    """Any other media type: the body is the file itself."""

    media_type = "*/*"

    def parse(self, stream, media_type=None, parser_context=None):
        return stream


_FORMAT = OpenApiParameter(
    "format", str, required=True, enum=sorted(READERS), description="The file's format (its offsets are converted)."
)
_MAPPING = OpenApiParameter(
    "mapping",
    str,
    description='A JSON object of label -> fields or a default label, e.g. {"PER": "PERSON"} (also a multipart field).',
)


class AnnotationImportView(APIView):
    """POST /api/imports/annotations/?format=F: the file as the body, or a multipart `file`."""

    permission_classes = [IsAuthenticated, RolePermission]
    required_roles = {"create": Role.ANNOTATOR}
    action = "create"
    parser_classes = [MultiPartParser, _WholeBody]
    renderer_classes = [JSONRenderer]
    content_negotiation_class = ParsedByTypeOneRepresentation

    @extend_schema(
        operation_id="imports_annotations_create",
        summary="Import a file of annotations (annotators and up): 201 when done, 202 when queued",
        parameters=[_FORMAT, _MAPPING],
        request={"multipart/form-data": OpenApiTypes.OBJECT, "application/octet-stream": OpenApiTypes.BINARY},
        responses={
            201: AnnotationImportSerializer,
            202: OpenApiResponse(AnnotationImportSerializer, description="Queued: follow its url."),
            400: OpenApiResponse(
                AnnotationImportSerializer,
                description="Refused whole, `errors` naming each record; or a bad parameter.",
            ),
            **{code: response for code, response in ERRORS.items() if code != 400},
        },
    )
    def post(self, request):
        upload, name, size, mapping = self._file(request)
        record = submit(
            actor=request.user,
            format_name=request.query_params.get("format"),
            name=name,
            upload=upload,
            size=size,
            mapping=mapping,
        )
        code = {
            ImportState.QUEUED: status.HTTP_202_ACCEPTED,
            ImportState.DONE: status.HTTP_201_CREATED,
        }.get(record.state, status.HTTP_400_BAD_REQUEST)
        return Response(AnnotationImportSerializer(record, context={"request": request}).data, status=code)

    def _file(self, request):
        mapping_text = request.query_params.get("mapping")
        if request.content_type.startswith("multipart/"):
            upload = request.FILES.get("file")
            if upload is None:
                raise InvalidInput({"file": ["Send the file as the multipart field `file` (or as the body)."]})
            mapping_text = request.data.get("mapping", mapping_text)
            name, size = upload.name, upload.size
        else:
            # Read in pieces, not as request.body: a large file would pass DATA_UPLOAD_MAX_MEMORY_SIZE.
            upload = tempfile.SpooledTemporaryFile(max_size=settings.IMPORT_AT_ONCE_BYTES)  # noqa: SIM115 - returned
            size = 0
            for chunk in iter(lambda: request._request.read(1 << 20), b""):
                size += upload.write(chunk)
            upload.seek(0)
            name = request.query_params.get("name", "")
        try:
            mapping = json.loads(mapping_text) if mapping_text else None
        except json.JSONDecodeError as error:
            raise InvalidInput({"mapping": [f"Not JSON: {error.msg}."]}) from None
        return upload, name, size, mapping


class AnnotationImportDetailView(APIView):
    """GET /api/imports/{id}/: an import's state, progress and result; its submitter's, or any for admins."""

    permission_classes = [IsAuthenticated, RolePermission]
    required_roles = {"retrieve": Role.ANNOTATOR}
    action = "retrieve"

    @extend_schema(
        operation_id="imports_retrieve",
        summary="An import's state (queued, running, done, failed), progress and result",
        responses={200: AnnotationImportSerializer, **ERRORS, **NOT_FOUND},
    )
    def get(self, request, pk: int):
        records = AnnotationImport.objects.select_related("created_by")
        if user_role(request.user) < Role.ADMIN:
            records = records.filter(created_by=request.user)
        record = get_object_or_404(records, pk=pk)
        return Response(AnnotationImportSerializer(record, context={"request": request}).data)
