"""Reading lists at a million rows: the planner's estimates, pages read ids first,
counts capped, date windows read the cheaper way (BENCHMARKS.md has the figures)."""
