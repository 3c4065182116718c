"""domain/errors.py: each refusal carries its HTTP status and the body the API returns. No database."""

import pytest

from annotations.domain.errors import Conflict, InvalidInput, Missing, NotAllowed, invalid


@pytest.mark.parametrize(
    ("error", "status"), [(InvalidInput("x"), 400), (NotAllowed("x"), 403), (Missing("x"), 404), (Conflict("x"), 409)]
)
def test_each_refusal_has_its_status(error, status):
    assert error.http_status == status


def test_bodies_are_drfs_shapes():
    """Field errors as {field: [messages]}, a bare message as non_field_errors, others as detail (plus extras)."""
    assert invalid("start", "Too early.").as_data() == {"start": ["Too early."]}
    assert InvalidInput("Whole thing wrong.").as_data() == {"non_field_errors": ["Whole thing wrong."]}
    assert Conflict("Already stored.", id=7).as_data() == {"detail": "Already stored.", "id": 7}
    assert str(InvalidInput({"a": ["one", "two"], "b": ["three"]})) == "a: one two; b: three"
