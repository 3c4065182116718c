"""The article file reader (interchange/articles.py): titles and dates inferred from a body, no database."""

from annotations.interchange.articles import infer_title_and_date
from tests.conftest import SEEDS


def test_title_skips_page_furniture():
    """A lone "Partager:" is not a title; the first sentence is."""
    body = (SEEDS / "001_9f5891fc28e701af.txt").read_text(encoding="utf-8")
    title, published = infer_title_and_date(body)
    assert title.startswith("JAKARTA - Japan announced the temporary closure of its Embassy in Kyiv")
    assert published is None


def test_title_and_date_from_a_leading_date_marker():
    """`date YYYY-MM-DD` before the headline gives published_at, and is not in the title."""
    body = (SEEDS / "002_99f075d83cde7e46.txt").read_text(encoding="utf-8")
    assert infer_title_and_date(body) == ("Japan says it is considering evacuating Ukrainian citizens.", "2022-01-24")
