"""/api/exports/annotations.{jsonl,csv,jsonld} and claimreviews.jsonld: approved annotations (or
rated claims), streamed, filtered as the list; quality.csv: the articles' translation quality."""

from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from annotations.domain.errors import InvalidInput
from annotations.filters import AnnotationExportFilter, ArticleFilter
from annotations.interchange.csv import for_spreadsheets
from annotations.interchange.jsonld import Iris
from annotations.interchange.quality import COLUMNS as QUALITY_COLUMNS
from annotations.interchange.quality import write_quality_csv
from annotations.interchange.registry import FORMATS
from annotations.interchange.stream import counted_export
from annotations.selectors.annotations import annotations_for_export
from annotations.selectors.quality import articles_scored, scoring

from .negotiation import OneRepresentation
from .permissions import RolePermission
from .schema import ERRORS


def _filter_parameters(filterset) -> list[OpenApiParameter]:
    """A FilterSet's filters as the schema's query parameters."""
    return [
        OpenApiParameter(name, str, description=str(f.extra.get("help_text", "")))
        for name, f in filterset.base_filters.items()
    ]


SPREADSHEET = OpenApiParameter(
    "spreadsheet",
    bool,
    description=(
        "CSV: for spreadsheets (Excel, LibreOffice, Sheets): the file starts with a UTF-8 byte order mark, "
        "so that they read it as UTF-8. Records end with CRLF and a line break in a cell (a note's) stays "
        "in its quoted cell, as RFC 4180 allows, with or without it."
    ),
)


def _is_csv(content_type: str) -> bool:
    return content_type.startswith("text/csv")


def _export_parameters(export) -> list[OpenApiParameter]:
    """An export's filters and options, for the schema."""
    filters = _filter_parameters(AnnotationExportFilter)
    end_marker = OpenApiParameter(
        "end_marker",
        bool,
        description=(
            'JSONL and CSV: end the file with a marker line (JSONL `{"copydesk_end_of_export": '
            '{"records": N}}`, CSV a last row `copydesk_end_of_export: N records`) that a truncated '
            "file lacks. JSON-LD ends with its own closing brackets."
        ),
    )
    options = [end_marker] if export.end_marker else []
    if _is_csv(export.content_type):
        options.append(SPREADSHEET)
    return [*filters, *options]


class AnnotationExportView(APIView):
    """A streamed file of approved annotations; the list's filters apply (`status` aside)."""

    permission_classes = [IsAuthenticated, RolePermission]
    renderer_classes = [JSONRenderer]
    content_negotiation_class = OneRepresentation
    action = "export"  # RolePermission: consumers and up
    export_format = ""  # a name in interchange.registry.FORMATS, set by export_view()

    def get(self, request):
        export = FORMATS[self.export_format]
        annotations = export.holds(annotations_for_export(params=request.query_params))
        end_marker = export.end_marker and _asked(request.query_params, "end_marker")
        spreadsheet = _is_csv(export.content_type) and _asked(request.query_params, "spreadsheet")
        iris = Iris.of(collection=request.build_absolute_uri(), absolute=request.build_absolute_uri)
        pieces = counted_export(annotations, export.write, iris=iris, end_marker=end_marker, spreadsheet=spreadsheet)
        head = next(pieces)  # read in the snapshot the rows are read from
        response = StreamingHttpResponse(pieces, content_type=export.content_type)
        response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
        response[RECORD_COUNT_HEADER] = str(head.total)
        response[CURSOR_HEADER] = head.cursor
        response["X-Accel-Buffering"] = "no"  # let a proxy pass the stream on as it comes
        return response


RECORD_COUNT_HEADER = "Copydesk-Record-Count"
QUALITY_CONTENT_TYPE = "text/csv; charset=utf-8; header=present"
CURSOR_HEADER = "Copydesk-Cursor"
_TRUE, _FALSE = {"true", "1", "yes"}, {"false", "0", "no", ""}


def _asked(params, option: str) -> bool:
    """Whether a true/false query parameter is true (absent: false)."""
    value = params.get(option, "false").lower()
    if value not in _TRUE | _FALSE:
        raise InvalidInput({option: ["Must be true or false."]})
    return value in _TRUE


def export_view(export_format: str):
    """The view of one export format, with its own OpenAPI description."""
    export = FORMATS[export_format]
    view = type(
        f"Annotation{export_format.upper()}ExportView", (AnnotationExportView,), {"export_format": export_format}
    )
    schema = extend_schema(
        operation_id=f"exports_annotations_{export_format}",
        summary=export.summary,
        parameters=_export_parameters(export),
        responses={
            (200, export.content_type.split(";")[0]): OpenApiResponse(
                OpenApiTypes.STR,
                description=f"The file, streamed. The `{RECORD_COUNT_HEADER}` header gives the number of "
                "records it holds (counted in the same snapshot): a client that received fewer has a cut file. "
                f"The `{CURSOR_HEADER}` header gives the change feed's position the file is consistent with: "
                "follow `/api/changes/?after=` that cursor to keep a mirror of it.",
            ),
            **ERRORS,
        },
    )
    return extend_schema_view(get=schema)(view).as_view()


class QualityExportView(APIView):
    """GET /api/exports/quality.csv: a row per article with its translation quality, streamed;
    the article list's filters apply."""

    permission_classes = [IsAuthenticated, RolePermission]
    renderer_classes = [JSONRenderer]
    content_negotiation_class = OneRepresentation
    action = "export"  # RolePermission: consumers and up

    @extend_schema(
        operation_id="exports_quality_csv",
        summary="Export each article's translation quality (MQM) as CSV (streamed, not paginated)",
        parameters=[*_filter_parameters(ArticleFilter), SPREADSHEET],
        responses={
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR,
                description="A header row, then per article: " + ", ".join(QUALITY_COLUMNS) + ". `passed` is "
                "true or false, and empty with `per_1000_words` and `score` for an article with no words.",
            ),
            **ERRORS,
        },
    )
    def get(self, request):
        articles = articles_scored(params=request.query_params)
        pieces = write_quality_csv(articles, scoring())
        if _asked(request.query_params, "spreadsheet"):
            pieces = for_spreadsheets(pieces)
        response = StreamingHttpResponse(pieces, content_type=QUALITY_CONTENT_TYPE)
        response["Content-Disposition"] = 'attachment; filename="quality.csv"'
        response["X-Accel-Buffering"] = "no"
        return response
