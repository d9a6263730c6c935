"""Every ScheduleError code, its params and its message."""

from datetime import date
from decimal import Decimal

import pytest

from engine import (
    MESSAGES,
    ScheduleError,
    ScheduleInput,
    compute_schedule,
    compute_schedules,
    contract_end,
    preview,
    recognition_bounds,
)

START = date(2024, 1, 15)


def schedule(**overrides):
    values = {
        "amount_currency": "100.00",
        "start": START,
        "basis": "monthly",
        "convention": "actual_start",
        "occurrences": 3,
    }
    values.update(overrides)
    return compute_schedule(
        values.pop("amount_currency"), values.pop("start"), **values
    )


@pytest.mark.parametrize(
    ("overrides", "code", "params", "words"),
    [
        ({"start": None}, "missing_start", {}, "start date"),
        ({"occurrences": 0}, "bad_occurrences", {"occurrences": 0}, "at least 1"),
        ({"occurrences": -2}, "bad_occurrences", {"occurrences": -2}, "at least 1"),
        ({"occurrences": 2.0}, "bad_occurrences", {"occurrences": 2.0}, "whole number"),
        ({"occurrences": "3"}, "bad_occurrences", {"occurrences": "3"}, "whole number"),
        (
            {"end": date(2024, 1, 14)},
            "end_before_start",
            {
                "start": START,
                "end": date(2024, 1, 14),
                "recognition_start": START,
                "recognition_end": date(2024, 1, 14),
            },
            "14 Jan 2024 is before",
        ),
        (
            {"percentages": [50, 50]},
            "bad_percentages_length",
            {"count": 2, "occurrences": 3},
            "exactly one percentage per occurrence",
        ),
        (
            {"percentages": [33.33, 33.33, 33.33]},
            "bad_percentages_sum",
            {"total": Decimal("99.99")},
            "add up to 99.99",
        ),
        (
            {"percentages": ["50", "60", "-10"]},
            "bad_percentage",
            {"value": "-10"},
            "at least 0",
        ),
        (
            {"percentages": ["50", "fifty", "0"]},
            "bad_percentage",
            {"value": "fifty"},
            "not a number",
        ),
        (
            {"basis": "occurrences", "percentages": [50, 25, 25]},
            "percentages_not_monthly",
            {"basis": "occurrences"},
            "switch the basis to monthly",
        ),
        (
            {"basis": "yearly"},
            "unknown_basis",
            {
                "basis": "yearly",
                "allowed": ("occurrences", "monthly", "monthly_days", "delivery"),
            },
            "occurrences, monthly, monthly_days, delivery",
        ),
        (
            {"convention": "fortnight"},
            "unknown_convention",
            {
                "convention": "fortnight",
                "allowed": (
                    "actual_start",
                    "month_start",
                    "mid_month",
                    "next_month",
                    "month_end",
                ),
            },
            "Use one of: actual_start",
        ),
        (
            {"currency_rounding": Decimal(0)},
            "bad_rounding",
            {"rounding": Decimal(0), "which": "document currency"},
            "greater than 0",
        ),
        (
            {"company_rounding": "-0.01"},
            "bad_rounding",
            {"rounding": "-0.01", "which": "company currency"},
            "company currency rounding unit",
        ),
        (
            {"currency_rounding": "abc"},
            "bad_rounding",
            {"rounding": "abc", "which": "document currency"},
            "greater than 0",
        ),
        (
            {"amount_currency": "NaN"},
            "bad_amount",
            {"amount": "NaN", "which": "document currency"},
            "finite number",
        ),
        (
            {"amount": float("inf")},
            "bad_amount",
            {"amount": float("inf"), "which": "company currency"},
            "finite number",
        ),
        (
            {"amount_currency": None},
            "bad_amount",
            {"amount": None, "which": "document currency"},
            "numeric amount",
        ),
        (
            {"start": date(9999, 6, 1), "occurrences": 12},
            "date_out_of_range",
            {"start": date(9999, 6, 1), "occurrences": 12},
            "last supported date",
        ),
    ],
)
def test_error_codes(overrides, code, params, words):
    with pytest.raises(ScheduleError) as caught:
        schedule(**overrides)
    error = caught.value
    assert isinstance(error, ValueError)
    assert error.code == code
    assert error.params == params
    assert words in str(error)
    assert error.key is None


def test_every_code_has_a_message_naming_the_fix():
    for code, message in MESSAGES.items():
        fix_words = ("Set", "Give", "Adjust", "Use", "Remove", "Enter")
        assert any(word in message for word in fix_words), code


def test_end_before_start_after_shift():
    # next_month moves S' 16 days later to 1 Feb, so an end on 15 Jan
    # becomes 31 Jan: one day before S'.
    with pytest.raises(ScheduleError) as caught:
        recognition_bounds(date(2024, 1, 16), 1, "next_month", end=date(2024, 1, 15))
    assert caught.value.code == "end_before_start"
    assert caught.value.params["recognition_start"] == date(2024, 2, 1)
    assert caught.value.params["recognition_end"] == date(2024, 1, 31)
    assert "31 Jan 2024" in str(caught.value)


def test_end_equal_to_start_is_one_day():
    lines = schedule(end=START)
    assert [(line.period_start, line.period_end) for line in lines] == [(START, START)]


def test_batch_error_names_the_input_key():
    inputs = [
        ScheduleInput("10", START, "monthly", "month_end", 1, key="ok"),
        ScheduleInput("10", START, "monthly", "month_end", 0, key=("move.line", 7)),
    ]
    with pytest.raises(ScheduleError) as caught:
        compute_schedules(inputs)
    assert caught.value.code == "bad_occurrences"
    assert caught.value.key == ("move.line", 7)


def test_helpers_validate_too():
    with pytest.raises(ScheduleError, match="start date") as caught:
        contract_end(None, 12)
    assert caught.value.code == "missing_start"
    with pytest.raises(ScheduleError) as caught:
        contract_end(START, True)
    assert caught.value.code == "bad_occurrences"
    with pytest.raises(ScheduleError) as caught:
        preview(
            "1",
            START,
            basis="monthly",
            convention="actual_start",
            occurrences=1,
            rounding=0,
        )
    assert caught.value.code == "bad_rounding"
