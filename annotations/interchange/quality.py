"""quality.csv: one row per article with its translation quality's figures (API.md,
"Translation quality"), RFC 4180 like the annotations' CSV."""

from collections.abc import Iterator

from django.db.models import QuerySet

from annotations.domain.kinds import Severity
from annotations.domain.quality import Scoring
from annotations.domain.records import api_datetime
from annotations.selectors.quality import quality_of

from . import stream
from .csv import neutralise_formula, row_writer
from .stream import in_pieces

ARTICLE_COLUMNS = ("article", "title", "source", "language", "url", "published_at", "revision")
FIGURE_COLUMNS = ("words", "penalty", "per_1000_words", "score", "passed")
COLUMNS = (*ARTICLE_COLUMNS, *FIGURE_COLUMNS, *(severity.value for severity in Severity))


def quality_lines(articles: QuerySet, scoring: Scoring) -> Iterator[str]:
    writer = row_writer()
    yield writer.writerow(COLUMNS)
    with stream.reading(articles.db):
        for article in articles.iterator(chunk_size=stream.CHUNK_ROWS):
            figures = quality_of(article, scoring)
            passed = {True: "true", False: "false", None: ""}[figures["passed"]]
            row = [
                article.pk,
                article.title,
                article.source,
                article.language,
                article.url,
                api_datetime(article.published_at),
                article.revision,
                *(figures[column] for column in FIGURE_COLUMNS[:-1]),
                passed,
                *(figures["errors"][severity] for severity in Severity),
            ]
            yield writer.writerow([neutralise_formula(value) for value in row])


def write_quality_csv(articles: QuerySet, scoring: Scoring) -> Iterator[bytes]:
    return in_pieces(quality_lines(articles, scoring))
