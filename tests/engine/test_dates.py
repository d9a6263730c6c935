"""Month arithmetic, automatic contract end, recognition bounds (schedule rules 1-2)."""

from datetime import date

import pytest

from engine import BASES, CONVENTIONS, add_months, contract_end, recognition_bounds


def test_codes():
    assert BASES == ("occurrences", "monthly", "monthly_days")
    assert CONVENTIONS == (
        "actual_start",
        "month_start",
        "mid_month",
        "next_month",
        "month_end",
    )


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2023, 1, 31), 1, date(2023, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 2, 29), 48, date(2028, 2, 29)),
        (date(2023, 3, 31), 1, date(2023, 4, 30)),
        (date(2023, 12, 15), 1, date(2024, 1, 15)),
        (date(2023, 12, 15), 25, date(2026, 1, 15)),
        (date(2023, 5, 10), 0, date(2023, 5, 10)),
        (date(2023, 5, 10), -5, date(2022, 12, 10)),
        (date(2100, 1, 29), 1, date(2100, 2, 28)),
        (date(2000, 1, 29), 1, date(2000, 2, 29)),
    ],
)
def test_add_months(start, months, expected):
    assert add_months(start, months) == expected


@pytest.mark.parametrize(
    ("start", "occurrences", "expected"),
    [
        (date(2024, 1, 1), 12, date(2024, 12, 31)),
        (date(2023, 1, 15), 12, date(2024, 1, 14)),
        (date(2023, 1, 31), 1, date(2023, 2, 27)),
        (date(2024, 2, 29), 12, date(2025, 2, 27)),
        (date(2024, 3, 1), 1, date(2024, 3, 31)),
        (date(2023, 11, 18), 600, date(2073, 11, 17)),
    ],
)
def test_contract_end(start, occurrences, expected):
    assert contract_end(start, occurrences) == expected


@pytest.mark.parametrize(
    ("start", "convention", "end", "expected"),
    [
        (
            date(2023, 1, 15),
            "actual_start",
            None,
            (date(2023, 1, 15), date(2024, 1, 14)),
        ),
        (
            date(2023, 1, 15),
            "month_start",
            None,
            (date(2023, 1, 15), date(2024, 1, 14)),
        ),
        (date(2023, 1, 15), "month_end", None, (date(2023, 1, 15), date(2024, 1, 14))),
        (date(2023, 1, 15), "mid_month", None, (date(2023, 1, 1), date(2023, 12, 31))),
        (date(2023, 1, 16), "mid_month", None, (date(2023, 2, 1), date(2024, 1, 31))),
        (date(2023, 12, 16), "mid_month", None, (date(2024, 1, 1), date(2024, 12, 31))),
        (date(2023, 1, 1), "next_month", None, (date(2023, 2, 1), date(2024, 1, 31))),
        (
            date(2023, 12, 31),
            "next_month",
            None,
            (date(2024, 1, 1), date(2024, 12, 31)),
        ),
        # Explicit end: shifted by S' - S days.
        (
            date(2023, 1, 15),
            "mid_month",
            date(2023, 3, 20),
            (date(2023, 1, 1), date(2023, 3, 6)),
        ),
        (
            date(2023, 1, 16),
            "next_month",
            date(2023, 3, 20),
            (date(2023, 2, 1), date(2023, 4, 5)),
        ),
        (
            date(2023, 1, 16),
            "actual_start",
            date(2023, 3, 20),
            (date(2023, 1, 16), date(2023, 3, 20)),
        ),
    ],
)
def test_recognition_bounds(start, convention, end, expected):
    assert recognition_bounds(start, 12, convention, end) == expected
