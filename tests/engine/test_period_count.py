"""period_count: the number of lines of a schedule, without computing it."""

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import BASES, CONVENTIONS, ScheduleError, compute_schedule, period_count


def test_occurrences_basis_is_the_occurrences():
    assert period_count(date(2025, 11, 18), None, "occurrences", "next_month", 3) == 3


def test_monthly_mid_month_start_touches_one_more_month():
    assert period_count(date(2025, 3, 15), None, "monthly", "actual_start", 12) == 13


def test_explicit_end_counts_the_months_touched():
    start, end = date(2025, 1, 1), date(2199, 12, 31)
    assert period_count(start, end, "monthly", "actual_start", 12) == 175 * 12


def test_huge_occurrences_is_a_schedule_error_not_a_crash():
    with pytest.raises(ScheduleError) as caught:
        period_count(date(2025, 1, 1), None, "monthly", "actual_start", 2**31)
    assert caught.value.code == "date_out_of_range"


def test_bad_basis_refused():
    with pytest.raises(ScheduleError):
        period_count(date(2025, 1, 1), None, "weekly", "actual_start", 3)


@settings(max_examples=200, deadline=None)
@given(
    start=st.dates(min_value=date(1900, 1, 1), max_value=date(2190, 12, 31)),
    length=st.integers(min_value=0, max_value=800),
    explicit_end=st.booleans(),
    basis=st.sampled_from(BASES),
    convention=st.sampled_from(CONVENTIONS),
    occurrences=st.integers(min_value=1, max_value=36),
)
def test_count_bounds_the_lines_computed(
    start, length, explicit_end, basis, convention, occurrences
):
    """Never fewer periods than lines (lines rounding to zero are left out)."""
    end = date.fromordinal(start.toordinal() + length) if explicit_end else None
    count = period_count(start, end, basis, convention, occurrences)
    lines = compute_schedule(
        "1000000.00",
        start,
        basis=basis,
        convention=convention,
        occurrences=occurrences,
        end=end,
    )
    assert len(lines) == count
