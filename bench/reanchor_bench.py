"""Benchmark re-anchoring (annotations.domain.anchoring.reanchor) on revisions with known truth.

    .venv/bin/python bench/reanchor_bench.py

Runs the pure function on every case of bench/revision_corpus.py (seed and
synthetic articles, nine kinds of edit) and prints, per kind and overall:

- exact: of the spans whose text survived as it was, the share placed (any
  outcome but orphaned) at the true offsets. Target 100 %.
- wrong: of all spans, the share placed on the wrong text without saying
  fuzzy: unchanged/moved/fixed away from the truth, or unchanged/moved when the
  span's text was edited or is gone. Target 0; every one is listed below.
- fuzzy: how many placements said fuzzy, the share of those that landed
  right (the true span; for an edited span, covering at least half of it), and
  how many of them were on text that survived as it was (f-sur: needless
  confirmations; those placed off its true offsets are listed as FUZZY-OFF).
- orphans: how many, and how many of them had text that survived (missed).
- fixed: artifacts replaced by their correction, and how many were found fixed.

Then the speed of the function alone on a 20,000 code point article with 1,000
spans (median of 5 runs). Needs no database and no Django settings.
"""

import statistics
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from annotations.domain.anchoring import Outcome, Placement, reanchor  # noqa: E402
from bench.revision_corpus import KINDS, Case, Truth, corpus, large_case  # noqa: E402

CONFIDENT = {Outcome.UNCHANGED, Outcome.MOVED, Outcome.FIXED}
SPEED_KINDS = ("typo", "sentences_in_out", "paragraphs_moved", "near_total_rewrite")
RUNS = 5


def is_wrong(truth: Truth, placement: Placement) -> bool:
    """Placed on the wrong text without being flagged fuzzy."""
    if placement.outcome not in CONFIDENT:
        return False
    if truth.status in ("same", "fixed"):
        return (placement.start, placement.end) != (truth.start, truth.end)
    return True  # edited or gone, yet said to be as it was (or fixed)


def fuzzy_right(truth: Truth, placement: Placement) -> bool:
    if truth.status in ("same", "fixed"):
        return (placement.start, placement.end) == (truth.start, truth.end)
    if truth.status == "changed":
        overlap = min(placement.end, truth.end) - max(placement.start, truth.start)
        return overlap >= 0.5 * (truth.end - truth.start)
    return False


def contract_broken(case: Case, anchor, placement: Placement) -> str:
    """What a placement says that its own contract forbids, or ""."""
    if placement.key != anchor.key:
        return "key out of order"
    if placement.outcome == Outcome.ORPHANED:
        return "" if (placement.start, placement.end) == (anchor.start, anchor.end) else "orphan not at the old span"
    if not 0 <= placement.start < placement.end <= len(case.new_body):
        return "offsets outside the new body"
    if placement.quote != case.new_body[placement.start : placement.end]:
        return "quote is not the new body's text"
    if placement.outcome == Outcome.UNCHANGED and (placement.start, placement.end) != (anchor.start, anchor.end):
        return "unchanged at other offsets"
    if placement.outcome in (Outcome.UNCHANGED, Outcome.MOVED) and placement.quote != anchor.quote:
        return f"{placement.outcome.value} with other text"
    if placement.outcome == Outcome.FIXED and placement.quote != anchor.correction:
        return "fixed but not reading the correction"
    return ""


def _where(body: str, start: int, end: int) -> str:
    return f"{body[max(0, start - 25) : start]!r}[{body[start:end]!r}]{body[end : end + 25]!r}"


class Tally:
    def __init__(self):
        self.count = Counter()

    def add(self, case: Case, anchor, truth: Truth, placement: Placement, report: list[str]) -> None:
        c = self.count
        c["spans"] += 1
        c[f"truth_{truth.status}"] += 1
        c[f"outcome_{placement.outcome.value}"] += 1
        if truth.status == "same":
            c["exact"] += placement.outcome != Outcome.ORPHANED and (placement.start, placement.end) == (
                truth.start,
                truth.end,
            )
        if truth.status == "fixed":
            c["fixed_found"] += placement.outcome == Outcome.FIXED and (placement.start, placement.end) == (
                truth.start,
                truth.end,
            )
        if placement.outcome == Outcome.FUZZY:
            c["fuzzy_right"] += fuzzy_right(truth, placement)
            c["fuzzy_same"] += truth.status == "same"  # a person asked to confirm what survived as it was
            if truth.status == "same" and not fuzzy_right(truth, placement):
                report.append(
                    f"FUZZY-OFF {case.kind_of_edit} {case.name} {anchor.key} {anchor.quote[:60]!r}: fuzzy to "
                    f"{_where(case.new_body, placement.start, placement.end)}; truth at "
                    f"{_where(case.new_body, truth.start, truth.end)}"
                )
        if placement.outcome == Outcome.ORPHANED:
            c["missed"] += truth.status == "same"
            c["missed_other"] += truth.status in ("changed", "fixed")
        broken = contract_broken(case, anchor, placement)
        if broken:
            c["contract"] += 1
            report.append(f"CONTRACT {case.kind_of_edit} {case.name} {anchor.key} {anchor.quote!r}: {broken}")
        if is_wrong(truth, placement):
            c["wrong"] += 1
            if truth.start is None:
                told = "truth: gone; old at " + _where(case.old_body, anchor.start, anchor.end)
            else:
                told = f"truth: {truth.status} at {_where(case.new_body, truth.start, truth.end)}"
            report.append(
                f"WRONG {case.kind_of_edit} {case.name} {anchor.key} {anchor.quote[:60]!r}: "
                f"{placement.outcome.value} to {_where(case.new_body, placement.start, placement.end)}; {told}"
            )
        elif placement.outcome == Outcome.ORPHANED and truth.status == "same":
            report.append(
                f"MISSED {case.kind_of_edit} {case.name} {anchor.key} {anchor.quote[:60]!r}: "
                f"orphaned, truth at {_where(case.new_body, truth.start, truth.end)}"
            )

    def row(self, label: str) -> str:
        c = self.count

        def share(part: int, whole: int) -> str:
            return f"{100 * part / whole:6.1f}%" if whole else "      -"

        fuzzy = c["outcome_fuzzy"]
        return (
            f"{label:<20} {c['spans']:>6} {share(c['exact'], c['truth_same'])} {c['truth_same']:>5} "
            f"{share(c['wrong'], c['spans'])} {c['wrong']:>5} {fuzzy:>6} "
            f"{share(c['fuzzy_right'], fuzzy)} {c['fuzzy_same']:>5} "
            f"{c['outcome_orphaned']:>6} {c['missed']:>6} {c['fixed_found']:>3}/{c['truth_fixed']:<3} "
            f"{c['outcome_unchanged']:>5} {c['outcome_moved']:>5}"
        )


HEADER = (
    f"{'edit':<20} {'spans':>6} {'exact':>7} {'of':>5} {'wrong':>7} {'n':>5} {'fuzzy':>6} {'right':>7} {'f-sur':>5} "
    f"{'orphan':>6} {'missed':>6} {'fixed':>7} {'unch':>5} {'moved':>5}"
)


def quality() -> tuple[list[str], list[str], Counter]:
    by_kind = defaultdict(Tally)
    overall = Tally()
    report = []
    for case in corpus():
        placements = reanchor(case.old_body, case.new_body, case.anchors)
        assert len(placements) == len(case.anchors), "one placement per anchor"
        for anchor, placement in zip(case.anchors, placements, strict=True):
            truth = case.truth[anchor.key]
            by_kind[case.kind_of_edit].add(case, anchor, truth, placement, report)
            overall.add(case, anchor, truth, placement, [])
    rows = [HEADER] + [by_kind[kind].row(kind) for kind in KINDS] + [overall.row("overall")]
    return rows, report, overall.count


def speed() -> list[str]:
    rows = []
    for kind in SPEED_KINDS:
        case = large_case(kind)
        times = []
        for _ in range(RUNS):
            started = time.perf_counter()
            reanchor(case.old_body, case.new_body, case.anchors)
            times.append(1000 * (time.perf_counter() - started))
        rows.append(
            f"{kind:<20} {len(case.old_body):>6} cp {len(case.anchors):>5} spans  "
            f"median {statistics.median(times):8.1f} ms  (min {min(times):.1f}, max {max(times):.1f})"
        )
    return rows


def main() -> int:
    rows, report, overall = quality()
    print("Re-anchoring quality (exact: of surviving spans; wrong: placed wrong, not flagged fuzzy)")
    print("\n".join(rows))
    contract = overall["contract"]
    print(f"contract violations: {contract}; orphaned though edited or fixed: {overall['missed_other']}")
    if report:
        print(f"\n{len(report)} to debug:")
        print("\n".join(report))
    print("\nSpeed of reanchor alone (median of 5 runs)")
    print("\n".join(speed()))
    return 1 if overall["wrong"] or contract else 0


if __name__ == "__main__":
    sys.exit(main())
