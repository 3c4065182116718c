"""CSV cells (interchange/csv.py): what a spreadsheet would run as a formula is neutralised, no database."""

import pytest

from annotations.interchange.csv import neutralise_formula


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_cells_a_spreadsheet_would_run_start_with_an_apostrophe(value):
    """=, +, -, @, tab or CR first: an apostrophe makes the cell plain text."""
    assert neutralise_formula(value) == "'" + value


@pytest.mark.parametrize("value", ["Kyiv, 2024", "a=b", "", 17, None])
def test_other_cells_are_left_alone(value):
    """Text that starts otherwise, and values that are not text, come back unchanged."""
    assert neutralise_formula(value) == value
