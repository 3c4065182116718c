"""The Python trigram similarity (the SQLite fallback's) is pg_trgm's: the same figure for the
same texts, so that similar claims rank alike on both databases."""

import pytest
from django.db import connection

from annotations.domain.similarity import similarity

PAIRS = [
    ("word", "two words"),
    ("Japan will accept refugees", "Japan to accept refugees from Ukraine"),
    ("Зеленский сказал", "зеленский"),
    ("the citizens of the State of Sakura", "Japanese citizens"),
    ("U.S. officials' families", "families of U.S. officials"),
    ("🇯🇵 Kishida 🙂", "Kishida"),
    ("", "anything"),
]


def test_known_figures():
    assert similarity("word", "two words") == pytest.approx(4 / 11)
    assert similarity("", "anything") == 0.0


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="compares with PostgreSQL's pg_trgm")
@pytest.mark.parametrize(("first", "second"), PAIRS)
def test_the_same_figure_as_pg_trgm(first, second):
    with connection.cursor() as cursor:
        cursor.execute("SELECT similarity(%s, %s)", [first, second])
        (expected,) = cursor.fetchone()
    assert similarity(first, second) == pytest.approx(expected, abs=1e-6)
