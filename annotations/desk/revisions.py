"""An article's revisions on the desk: the diff of one revision against the one before, as a
reviewer reads it (deletions struck through, insertions marked, long unchanged stretches cut).

The diff is diff-match-patch's (the C++ build the re-anchoring uses) with its semantic cleanup,
which groups a changed word or phrase into one deletion and one insertion instead of scattered
letters. Every piece of text is escaped; the result keeps the text's line breaks (pre-wrap).
"""

from dataclasses import dataclass

import fast_diff_match_patch
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

# An unchanged stretch longer than this is cut, keeping about CONTEXT code points at each side.
COLLAPSE_OVER = 320
CONTEXT = 120


@dataclass(frozen=True)
class RevisionDiff:
    html: SafeString
    deleted: int  # code points taken out
    inserted: int  # code points put in


def revision_diff(old: str, new: str, *, collapse_over: int = COLLAPSE_OVER, context: int = CONTEXT) -> RevisionDiff:
    """The changes from `old` to `new`: as HTML (<del> and <ins>, unchanged text between them) and counted."""
    ops = fast_diff_match_patch.diff(old, new, cleanup="Semantic", counts_only=False)
    return RevisionDiff(
        html=_html(ops, collapse_over=collapse_over, context=context),
        deleted=sum(len(text) for op, text in ops if op == "-"),
        inserted=sum(len(text) for op, text in ops if op == "+"),
    )


def _html(ops: list[tuple[str, str]], *, collapse_over: int, context: int) -> SafeString:
    html: list[str] = []
    last = len(ops) - 1
    for index, (op, text) in enumerate(ops):
        if op == "-":
            html.append(format_html('<del class="desk-diff-del">{}</del>', text))
        elif op == "+":
            html.append(format_html('<ins class="desk-diff-ins">{}</ins>', text))
        elif len(text) <= collapse_over:
            html.append(escape(text))
        else:
            head = _head(text, context) if index > 0 else ""
            tail = _tail(text, context) if index < last else ""
            skipped = len(text) - len(head) - len(tail)
            gap = format_html('<span class="desk-diff-gap" title="{} unchanged characters">…</span>', f"{skipped:,}")
            html.append(f"{escape(head)}{gap}{escape(tail)}")
    return mark_safe("".join(html))  # noqa: S308 - every piece of text above is escaped


def _head(text: str, context: int) -> str:
    """The start of an unchanged stretch, up to `context` code points, cut after a line or a word."""
    cut = text[:context]
    for boundary in ("\n", " "):
        at = cut.rfind(boundary)
        if at >= context // 3:
            return cut[: at + 1]
    return cut


def _tail(text: str, context: int) -> str:
    """The end of an unchanged stretch, up to `context` code points, cut before a line or a word."""
    cut = text[-context:]
    for boundary in ("\n", " "):
        at = cut.find(boundary)
        if 0 <= at <= context - context // 3:
            return cut[at:]
    return cut
