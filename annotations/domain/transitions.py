"""The review workflow: statuses, history actions, and the one table of moves between them.

The services enforce it, the desk offers what it allows, and `build_fixtures`
checks the gold set's histories against it.
"""

from dataclasses import dataclass

from .labels import LabelledEnum


class Status(LabelledEnum):
    PENDING = "pending", "Pending"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    # Not found in the article's current revision: kept, out of lists and exports, to place again.
    ORPHANED = "orphaned", "Orphaned"


class HistoryAction(LabelledEnum):
    CREATED = "created", "Created"
    EDITED = "edited", "Edited"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    REOPENED = "reopened", "Reopened"
    # What a revision did to the span (anchoring.Outcome; unchanged spans get no event).
    MOVED = "moved", "Moved"
    FIXED = "fixed", "Fixed"
    FUZZY = "fuzzy", "Re-anchored, to confirm"
    ORPHANED = "orphaned", "Orphaned"
    # A claim put in a claim group with claims that state the same thing elsewhere, or taken out.
    LINKED = "linked", "Linked to a claim elsewhere"
    UNLINKED = "unlinked", "Unlinked"


REANCHORING_ACTIONS = frozenset({HistoryAction.MOVED, HistoryAction.FIXED, HistoryAction.FUZZY, HistoryAction.ORPHANED})


@dataclass(frozen=True)
class Transition:
    action: HistoryAction  # the history event it writes; its label is what the desk says once done
    noun: str  # "a rejection", for messages
    from_statuses: frozenset[Status]
    to_status: Status
    by_reviewer: bool  # a reviewer other than the author (four eyes); otherwise the author or an admin
    comment_required: bool = False

    @property
    def records_review(self) -> bool:
        """Whether it stores who reviewed and when (going back to pending clears them)."""
        return self.to_status != Status.PENDING


# Created annotations start pending; every later move is one of these.
TRANSITIONS: dict[str, Transition] = {
    "approve": Transition(
        HistoryAction.APPROVED, "an approval", frozenset({Status.PENDING}), Status.APPROVED, by_reviewer=True
    ),
    "reject": Transition(
        HistoryAction.REJECTED,
        "a rejection",
        frozenset({Status.PENDING}),
        Status.REJECTED,
        by_reviewer=True,
        comment_required=True,
    ),
    "reopen": Transition(
        HistoryAction.REOPENED,
        "a reopening",
        frozenset({Status.APPROVED, Status.REJECTED}),
        Status.PENDING,
        by_reviewer=True,
    ),
    # An edit is a new version to review; an approved annotation must be reopened first.
    # An orphaned one is placed again by an edit (its author, a reviewer or an admin).
    "edit": Transition(
        HistoryAction.EDITED,
        "an edit",
        frozenset({Status.PENDING, Status.REJECTED, Status.ORPHANED}),
        Status.PENDING,
        by_reviewer=False,
    ),
}
REVIEWS = [name for name, transition in TRANSITIONS.items() if transition.by_reviewer]
BY_ACTION: dict[str, Transition] = {transition.action: transition for transition in TRANSITIONS.values()}


def reviews_allowed_from(status: str) -> list[str]:
    """The reviews an annotation in this status can receive, in the table's order."""
    return [name for name in REVIEWS if status in TRANSITIONS[name].from_statuses]
