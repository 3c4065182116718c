"""domain/transitions.py: the one table of review moves, checked against the workflow API.md describes.

Written out here rather than read back from the table, so that a change to the
workflow shows up as a failing test. No database.
"""

import pytest

from annotations.domain.transitions import BY_ACTION, REVIEWS, TRANSITIONS, Status, reviews_allowed_from

# move -> (history action, statuses it may follow, status it leads to, by a reviewer other than the author,
# needs a comment)
WORKFLOW = {
    "approve": ("approved", {"pending"}, "approved", True, False),
    "reject": ("rejected", {"pending"}, "rejected", True, True),
    "reopen": ("reopened", {"approved", "rejected"}, "pending", True, False),
    "edit": ("edited", {"pending", "rejected", "orphaned"}, "pending", False, False),
}


def test_the_table_is_the_workflow():
    table = {
        name: (t.action, set(t.from_statuses), t.to_status, t.by_reviewer, t.comment_required)
        for name, t in TRANSITIONS.items()
    }
    assert table == WORKFLOW
    assert REVIEWS == ["approve", "reject", "reopen"]
    assert {action: t.to_status for action, t in BY_ACTION.items()} == {
        "approved": "approved",
        "rejected": "rejected",
        "reopened": "pending",
        "edited": "pending",
    }


@pytest.mark.parametrize(
    ("status", "reviews"),
    [("pending", ["approve", "reject"]), ("approved", ["reopen"]), ("rejected", ["reopen"])],
)
def test_reviews_allowed_from_each_status(status, reviews):
    """What the desk offers on an annotation's page, in the table's order."""
    assert reviews_allowed_from(status) == reviews


def test_only_moves_out_of_pending_record_a_review():
    """Going back to pending clears who reviewed and when; approving and rejecting store them."""
    assert {name: t.records_review for name, t in TRANSITIONS.items()} == {
        "approve": True,
        "reject": True,
        "reopen": False,
        "edit": False,
    }
    assert [status.value for status in Status] == ["pending", "approved", "rejected", "orphaned"]
