"""similar_claims finds candidates through a claim's rarest words: on PostgreSQL the words index's
statistics say which are rare; the words Python takes out of a text are PostgreSQL's."""

import pytest
from django.db import connection

from annotations.domain.similarity import words
from annotations.selectors.claims import similar_claims
from annotations.services.annotations import annotation_create
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db
postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's text search")


@postgres_only
@pytest.mark.parametrize(
    "text",
    ["Japan's 870,000 refugees — in Lviv!", "Зеленский сказал: «нет»", "U.S. officials' e-mail at 9:30"],
)
def test_python_takes_the_words_postgresql_indexes(text):
    with connection.cursor() as cursor:
        cursor.execute("SELECT lexeme FROM unnest(to_tsvector('simple', %s))", [text])
        lexemes = {row[0] for row in cursor.fetchall()}
    # PostgreSQL's parser keeps some tokens whole that Python splits ("e-mail" and its parts);
    # every word Python finds is one PostgreSQL has, so a probe chosen in Python finds its claims.
    assert words(text) <= lexemes | {part for lexeme in lexemes for part in words(lexeme)}


def test_a_short_rare_word_shared_finds_its_claim_before_and_after_statistics(annotator):
    """Thirty claims say "government"; only one other says "Lviv"; "embassy", "offices" and "moved"
    are in no other claim. Probed by length the Lviv claim would be missed; counted, "lviv" is the
    rarest word another claim has. The index's statistics (after ANALYZE) only spare counting
    the words they show to be past the count's cap: the same answer."""
    claim = annotation_create(
        actor=annotator,
        article=ArticleFactory(body="The government's embassy moved its offices to Lviv."),
        kind="claim",
        quote="The government's embassy moved its offices to Lviv",
    )
    for n in range(30):
        body = f"Government statement number {n}: the government met."
        annotation_create(actor=annotator, article=ArticleFactory(body=body), kind="claim", quote=body[:-1])
    lviv = annotation_create(
        actor=annotator,
        article=ArticleFactory(body="Shelling reached Lviv."),
        kind="claim",
        quote="Shelling reached Lviv",
    )
    before = [s.claim.pk for s in similar_claims(claim, user=annotator, limit=50)]
    assert lviv.pk in before
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE annotations_annotation")
    assert [s.claim.pk for s in similar_claims(claim, user=annotator, limit=50)] == before
