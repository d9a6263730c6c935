"""Preview: lines plus the explanation of the 'one line more' case."""

from datetime import date
from decimal import Decimal

from engine import preview


def test_extra_line_explained():
    result = preview(
        "1200",
        date(2023, 1, 15),
        basis="monthly",
        convention="actual_start",
        occurrences=12,
    )
    assert result.line_count == 13 == len(result.lines)
    assert result.total == Decimal("1200.00")
    assert result.extra_line is True
    assert result.months_touched == 13
    assert result.occurrences == 12
    assert (result.recognition_start, result.recognition_end) == (
        date(2023, 1, 15),
        date(2024, 1, 14),
    )
    assert result.explanation_code == "start_not_first_day"
    assert result.explanation_params == {
        "start": date(2023, 1, 15),
        "end": date(2024, 1, 14),
        "occurrences": 12,
        "months": 13,
    }


def test_no_explanation_when_months_match():
    for basis in ("monthly", "monthly_days", "occurrences"):
        result = preview(
            "1200",
            date(2023, 1, 1),
            basis=basis,
            convention="month_end",
            occurrences=12,
        )
        assert result.line_count == 12
        assert result.extra_line is False
        assert result.explanation_code is None


def test_occurrences_never_have_an_extra_line():
    result = preview(
        "1200",
        date(2023, 1, 15),
        basis="occurrences",
        convention="actual_start",
        occurrences=12,
    )
    assert result.line_count == 12
    assert result.months_touched == 13
    assert result.extra_line is False
    assert result.explanation_code is None


def test_mid_month_moves_start_to_a_first():
    result = preview(
        "1200",
        date(2023, 1, 20),
        basis="monthly",
        convention="mid_month",
        occurrences=12,
    )
    assert result.line_count == 12
    assert result.extra_line is False


def test_explicit_end_spanning_more_months():
    result = preview(
        "1200",
        date(2023, 1, 1),
        end=date(2023, 3, 31),
        basis="monthly_days",
        convention="month_end",
        occurrences=12,
        rounding=Decimal("1"),
    )
    assert result.line_count == 3
    assert result.total == Decimal("1200")
    assert result.extra_line is False
    assert result.explanation_code == "term_months"
    assert result.explanation_params["months"] == 3


def test_explicit_end_thirteen_months_from_a_first():
    result = preview(
        "1300",
        date(2023, 1, 1),
        end=date(2024, 1, 31),
        basis="monthly",
        convention="actual_start",
        occurrences=12,
    )
    assert result.line_count == 13
    assert result.extra_line is True
    assert result.explanation_code == "term_months"
