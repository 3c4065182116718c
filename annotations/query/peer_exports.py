"""The peer exports' files built by PostgreSQL: a SELECT per format whose rows are the file's
parts (a Label Studio task, a doccano line, a brat article's .txt and .ann), for COPY to stream.

Each groups the export's annotations by article, in article order, each article's in id order:
what interchange/peer_exports.py's Python path writes, which tests compare with these.
"""

from django.db import connections, models
from django.db.models import Case, F, QuerySet, Value, When
from django.db.models.functions import Upper

from annotations.domain.kinds import Kind
from annotations.models import Article

# A Label Studio region's fields that every region shares (both paths write these).
REGION_ID_PREFIX = "copydesk-"
REGION_CONSTANTS = {"from_name": "label", "to_name": "text", "type": "labels", "origin": "manual"}

# A character outside the Basic Multilingual Plane: two UTF-16 code units, one code point.
_ASTRAL = r"'[\U00010000-\U0010FFFF]'"


def peer_label() -> models.Expression:
    """interchange/peer_exports.label_of() in SQL: the entity type, CLAIM, the artifact type in
    upper case (a test holds the two to every kind and type)."""
    return Case(
        When(kind=Kind.ENTITY.value, then=F("entity_type")),
        When(kind=Kind.CLAIM.value, then=Value("CLAIM")),
        default=Upper(F("artifact_type")),
        output_field=models.TextField(),
    )


def _grouped(
    annotations: QuerySet, aggregates: str, columns: dict[str, models.Expression], article_values: str = ""
) -> tuple[str, tuple]:
    """`(SELECT article_id, <aggregates> ... GROUP BY article_id) AS g` over the export's
    annotations, each row `a` with `id`, `article_id` and `columns` by name; then each group's
    article (as `ar`: id, body, title, url and `article_values`), read once per group, not once
    per annotation, and only for the articles exported."""
    connection = connections[annotations.db]
    quote = connection.ops.quote_name
    # No ORDER BY: the list's order would make PostgreSQL sort the subquery instead of grouping
    # it straight from the index on article_id (each aggregate orders its group by id).
    rows = annotations.order_by().values_list("id", "article_id", *columns.values())
    sql, params = rows.query.get_compiler(connection=connection).as_sql()
    names = ", ".join(quote(name) for name in ["id", "article_id", *columns])
    article = Article._meta.db_table
    extra = f", {article_values}" if article_values else ""
    grouped = (
        f"(SELECT a.article_id, {aggregates} FROM ({sql}) AS a({names}) GROUP BY a.article_id) AS g "  # noqa: S608 - the ORM's SQL
        # A lateral subquery, kept whole (OFFSET 0): as a join, the planner may compute the
        # article's values for every article before matching the groups, and a value pulled up
        # into its uses would be computed at each.
        f"CROSS JOIN LATERAL (SELECT ar.id, ar.body, ar.title, ar.url{extra} FROM {quote(article)} AS ar "
        "WHERE ar.id = g.article_id OFFSET 0) AS ar"
    )
    return grouped, params


def label_studio_tasks(annotations: QuerySet) -> tuple[str, tuple]:
    """A JSON Label Studio task per article: data (text, title, url, copydesk_article) and one
    annotation whose result is every span a `labels` region, offsets in code points."""
    constants = ", ".join(f"'{key}', '{value}'" for key, value in REGION_CONSTANTS.items())
    region = (
        f"JSON_BUILD_OBJECT('id', '{REGION_ID_PREFIX}' || a.id, {constants}, 'value', JSON_BUILD_OBJECT("
        "'start', a.start, 'end', a.\"end\", 'text', a.quote, 'labels', JSON_BUILD_ARRAY(a.label)))"
    )
    grouped, params = _grouped(
        annotations,
        f"JSON_AGG({region} ORDER BY a.id) AS regions",
        {"start": F("start"), "end": F("end"), "quote": F("quote"), "label": peer_label()},
    )
    select = (
        "SELECT JSON_BUILD_OBJECT('data', JSON_BUILD_OBJECT("  # noqa: S608 - fixed SQL around the ORM's
        "'text', ar.body, 'title', ar.title, 'url', ar.url, 'copydesk_article', ar.id), "
        "'annotations', JSON_BUILD_ARRAY(JSON_BUILD_OBJECT('result', g.regions))) "
        f"FROM {grouped} ORDER BY g.article_id"
    )
    return select, params


def _astral_positions(body: str) -> str:
    """The code point offsets of `body`'s astral characters, ascending; NULL when it has none.
    Its pieces between them, their lengths summed, give each one's offset."""
    return (
        f"CASE WHEN {body} ~ {_ASTRAL} THEN (SELECT ARRAY_AGG(x.at ORDER BY x.n) FROM ("  # noqa: S608 - fixed SQL around the ORM's
        "SELECT t.n, SUM(CHAR_LENGTH(t.piece)) OVER (ORDER BY t.n) + t.n - 1 AS at, COUNT(*) OVER () AS pieces "
        f"FROM REGEXP_SPLIT_TO_TABLE({body}, {_ASTRAL}) WITH ORDINALITY AS t(piece, n)) AS x "
        "WHERE x.n < x.pieces) END"
    )


def _utf16(offset: str, astral: str) -> str:
    """A code point offset in UTF-16 code units: one more for each astral character before it,
    counted by binary search of their positions (WIDTH_BUCKET: how many are <= offset - 1)."""
    return f"{offset} + COALESCE(WIDTH_BUCKET({offset} - 1, {astral}), 0)"


def doccano_lines(annotations: QuerySet) -> tuple[str, tuple]:
    """A JSON doccano line per article: text, label ([start, end, label], offsets in UTF-16
    code units, as doccano's editor counts), url, title.

    The astral characters' positions are found once per article, and only in an article that
    has one; its spans' offsets are then shifted by a binary search each."""
    grouped, params = _grouped(
        annotations,
        'ARRAY_AGG(a.start ORDER BY a.id) AS starts, ARRAY_AGG(a."end" ORDER BY a.id) AS ends, '
        "ARRAY_AGG(a.label ORDER BY a.id) AS labels",
        {"start": F("start"), "end": F("end"), "label": peer_label()},
        article_values=f"{_astral_positions('ar.body')} AS astral",
    )
    select = (
        "SELECT JSON_BUILD_OBJECT('text', ar.body, 'label', l.labels, 'url', ar.url, 'title', ar.title) "  # noqa: S608 - fixed SQL around the ORM's
        f"FROM {grouped} "
        "CROSS JOIN LATERAL (SELECT JSON_AGG(JSON_BUILD_ARRAY("
        f"{_utf16('u.s', 'ar.astral')}, {_utf16('u.e', 'ar.astral')}, u.l) ORDER BY u.n) "
        "FROM UNNEST(g.starts, g.ends, g.labels) WITH ORDINALITY AS u(s, e, l, n)) AS l(labels) "
        "ORDER BY g.article_id"
    )
    return select, params


# A brat text-bound annotation's places and text: `start end` and the quote, or, for a quote over
# line breaks, each non-empty line's `start end` joined by `;` and the lines joined by spaces
# (as brat stores such a selection; interchange/peer_exports.brat_ann()).
_BRAT_PLACES = (
    "CASE WHEN STRPOS(a.quote, E'\\n') = 0 THEN a.start || ' ' || a.\"end\" || E'\\t' || a.quote "
    "ELSE COALESCE((SELECT STRING_AGG(x.at || ' ' || (x.at + CHAR_LENGTH(x.part)), ';' ORDER BY x.n) "
    "|| E'\\t' || STRING_AGG(x.part, ' ' ORDER BY x.n) FROM ("
    "SELECT p.part, p.n, a.start + SUM(CHAR_LENGTH(p.part) + 1) OVER (ORDER BY p.n) - CHAR_LENGTH(p.part) - 1 AS at "
    "FROM UNNEST(STRING_TO_ARRAY(a.quote, E'\\n')) WITH ORDINALITY AS p(part, n)) AS x "
    "WHERE x.part <> ''), E'\\t') END"
)


def brat_files(annotations: QuerySet) -> tuple[str, tuple]:
    """A row per article: its id, its body (the .txt) and its .ann (`T<n>\\t<label> <places>\\t<text>`
    a line, numbered in id order)."""
    grouped, params = _grouped(
        annotations,
        f"ARRAY_AGG(a.label || ' ' || {_BRAT_PLACES} ORDER BY a.id) AS lines",
        {"start": F("start"), "end": F("end"), "quote": F("quote"), "label": peer_label()},
    )
    select = (
        f"SELECT ar.id::bigint, ar.body, l.ann FROM {grouped} "  # noqa: S608 - fixed SQL around the ORM's
        "CROSS JOIN LATERAL (SELECT STRING_AGG('T' || u.n || E'\\t' || u.line || E'\\n', '' ORDER BY u.n) "
        "FROM UNNEST(g.lines) WITH ORDINALITY AS u(line, n)) AS l(ann) "
        "ORDER BY g.article_id"
    )
    return select, params
