"""Worked examples of readme/DEVELOP.md (*Schedule rules*), hand-checked schedules."""

import dataclasses
from datetime import date
from decimal import Decimal

import pytest

from engine import ScheduleInput, ScheduleLine, compute_schedule, compute_schedules


def rows(lines, company=False):
    """(recognition date, amount) pairs, amounts as strings to pin the exponent."""
    return [
        (line.recognition_date, str(line.amount if company else line.amount_currency))
        for line in lines
    ]


def periods(lines):
    return [(line.period_start, line.period_end) for line in lines]


# -- readme/DEVELOP.md worked examples ------------------------------------------


def test_design_occurrences_next_month():
    lines = compute_schedule(
        Decimal("300.00"),
        date(2025, 11, 18),
        basis="occurrences",
        convention="next_month",
        occurrences=3,
    )
    assert rows(lines) == [
        (date(2025, 12, 1), "100.00"),
        (date(2026, 1, 1), "100.00"),
        (date(2026, 2, 1), "100.00"),
    ]
    assert periods(lines) == [
        (date(2025, 12, 1), date(2025, 12, 31)),
        (date(2026, 1, 1), date(2026, 1, 31)),
        (date(2026, 2, 1), date(2026, 2, 28)),
    ]
    assert [line.sequence for line in lines] == [0, 1, 2]
    assert rows(lines, company=True) == rows(lines)


def test_design_monthly_annual_contract():
    lines = compute_schedule(
        12000,
        date(2026, 3, 1),
        basis="monthly",
        convention="actual_start",
        occurrences=12,
    )
    assert rows(lines) == [
        (date(2026 + (month > 12), (month - 1) % 12 + 1, 1), "1000.00")
        for month in range(3, 15)
    ]
    assert lines[-1].period_end == date(2027, 2, 28)


def test_design_monthly_days_month_end():
    lines = compute_schedule(
        "1200",
        date(2023, 1, 1),
        end=date(2023, 12, 31),
        basis="monthly_days",
        convention="month_end",
        occurrences=12,
    )
    # 1,200 × days / 365, rounded cumulatively: 31-day months 101.92 (one
    # 101.91 absorbs the accumulated rounding), 30-day months 98.63.
    assert rows(lines) == [
        (date(2023, 1, 31), "101.92"),
        (date(2023, 2, 28), "92.05"),
        (date(2023, 3, 31), "101.92"),
        (date(2023, 4, 30), "98.63"),
        (date(2023, 5, 31), "101.92"),
        (date(2023, 6, 30), "98.63"),
        (date(2023, 7, 31), "101.92"),
        (date(2023, 8, 31), "101.91"),
        (date(2023, 9, 30), "98.63"),
        (date(2023, 10, 31), "101.92"),
        (date(2023, 11, 30), "98.63"),
        (date(2023, 12, 31), "101.92"),
    ]
    assert sum(line.amount_currency for line in lines) == 1200


def test_design_monthly_mid_month_start_gives_13_lines():
    lines = compute_schedule(
        Decimal("1200.00"),
        date(2023, 1, 15),
        basis="monthly",
        convention="actual_start",
        occurrences=12,
    )
    assert len(lines) == 13
    assert rows(lines)[0] == (date(2023, 1, 15), "54.84")
    assert rows(lines)[1:12] == [(date(2023, m, 15), "100.00") for m in range(2, 13)]
    assert rows(lines)[12] == (date(2024, 1, 14), "45.16")
    assert periods(lines)[0] == (date(2023, 1, 15), date(2023, 1, 31))
    assert periods(lines)[12] == (date(2024, 1, 1), date(2024, 1, 14))


# -- Conventions -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("convention", "dates"),
    [
        ("actual_start", [date(2025, 11, 18), date(2025, 12, 18), date(2026, 1, 18)]),
        ("month_start", [date(2025, 11, 18), date(2025, 12, 1), date(2026, 1, 1)]),
        ("month_end", [date(2025, 11, 30), date(2025, 12, 31), date(2026, 1, 31)]),
        ("mid_month", [date(2025, 12, 1), date(2026, 1, 1), date(2026, 2, 1)]),
        ("next_month", [date(2025, 12, 1), date(2026, 1, 1), date(2026, 2, 1)]),
    ],
)
def test_conventions_on_occurrences(convention, dates):
    lines = compute_schedule(
        "300.00",
        date(2025, 11, 18),
        basis="occurrences",
        convention=convention,
        occurrences=3,
    )
    assert [line.recognition_date for line in lines] == dates


def test_month_start_keeps_periods_from_actual_start():
    lines = compute_schedule(
        "300.00",
        date(2025, 11, 18),
        basis="occurrences",
        convention="month_start",
        occurrences=3,
    )
    assert periods(lines) == [
        (date(2025, 11, 18), date(2025, 12, 17)),
        (date(2025, 12, 18), date(2026, 1, 17)),
        (date(2026, 1, 18), date(2026, 2, 17)),
    ]


@pytest.mark.parametrize(
    ("start", "first"),
    [
        (date(2023, 3, 1), date(2023, 3, 1)),
        (date(2023, 3, 15), date(2023, 3, 1)),
        (date(2023, 3, 16), date(2023, 4, 1)),
        (date(2023, 12, 31), date(2024, 1, 1)),
    ],
)
def test_mid_month_cut_off_is_the_15th(start, first):
    lines = compute_schedule(
        "200.00", start, basis="occurrences", convention="mid_month", occurrences=2
    )
    assert [line.recognition_date for line in lines] == [
        first,
        first.replace(
            month=first.month % 12 + 1, year=first.year + (first.month == 12)
        ),
    ]
    assert lines[0].period_start == first


def test_mid_month_16th_with_explicit_end_shifts_the_end():
    # S' = 1 Apr (16 days later), so E' = 15 Apr + 16 days = 1 May.
    lines = compute_schedule(
        "310.00",
        date(2023, 3, 16),
        end=date(2023, 4, 15),
        basis="monthly_days",
        convention="mid_month",
        occurrences=1,
    )
    assert rows(lines) == [(date(2023, 4, 1), "300.00"), (date(2023, 5, 1), "10.00")]
    assert periods(lines) == [
        (date(2023, 4, 1), date(2023, 4, 30)),
        (date(2023, 5, 1), date(2023, 5, 1)),
    ]


def test_next_month_with_explicit_end_is_twelve_full_months():
    lines = compute_schedule(
        "1200.00",
        date(2025, 11, 18),
        end=date(2026, 11, 17),
        basis="monthly",
        convention="next_month",
        occurrences=12,
    )
    assert len(lines) == 12
    assert {line.amount_currency for line in lines} == {Decimal("100.00")}
    assert lines[0].period_start == date(2025, 12, 1)
    assert lines[-1].period_end == date(2026, 11, 30)


def test_month_end_monthly_partial_last_month():
    lines = compute_schedule(
        "1200.00",
        date(2023, 1, 15),
        basis="monthly",
        convention="month_end",
        occurrences=12,
    )
    assert lines[0].recognition_date == date(2023, 1, 31)
    # The last month is served until 14 Jan but recognised at its month end.
    assert lines[-1].recognition_date == date(2024, 1, 31)
    assert lines[-1].period_end == date(2024, 1, 14)


# -- Month ends, leap years, 31st starts ---------------------------------------------


def test_31st_start_clamps_without_drifting():
    lines = compute_schedule(
        "100.00",
        date(2023, 1, 31),
        basis="occurrences",
        convention="actual_start",
        occurrences=4,
    )
    assert rows(lines) == [
        (date(2023, 1, 31), "25.00"),
        (date(2023, 2, 28), "25.00"),
        (date(2023, 3, 31), "25.00"),
        (date(2023, 4, 30), "25.00"),
    ]
    assert periods(lines) == [
        (date(2023, 1, 31), date(2023, 2, 27)),
        (date(2023, 2, 28), date(2023, 3, 30)),
        (date(2023, 3, 31), date(2023, 4, 29)),
        (date(2023, 4, 30), date(2023, 5, 30)),
    ]


def test_31st_start_monthly_keeps_day_where_it_exists():
    lines = compute_schedule(
        "1000.00",
        date(2024, 1, 31),
        basis="monthly",
        convention="actual_start",
        occurrences=3,
    )
    # E' = 31 Jan + 3 months - 1 day = 29 Apr; weights 1/31 + 1 + 1 + 29/30
    # = 2789/930, so Jan = 1000 × 30/2789 = 10.7565, prefixes 344.209, 677.662.
    assert [line.recognition_date for line in lines] == [
        date(2024, 1, 31),
        date(2024, 2, 29),
        date(2024, 3, 31),
        date(2024, 4, 29),
    ]
    assert [line.amount_currency for line in lines] == [
        Decimal("10.76"),
        Decimal("333.45"),
        Decimal("333.45"),
        Decimal("322.34"),
    ]


def test_leap_day_start_monthly():
    lines = compute_schedule(
        "1200.00",
        date(2024, 2, 29),
        basis="monthly",
        convention="actual_start",
        occurrences=12,
    )
    # E' = 28 Feb 2025 - 1 day. Weights: 1/29 + 11 + 27/28 = 9743/812.
    assert len(lines) == 13
    assert lines[0].amount_currency == Decimal("3.45")  # 1200 × 28 / 9743
    assert lines[0].period_end == date(2024, 2, 29)
    assert lines[-1].period_end == date(2025, 2, 27)
    assert lines[-1].recognition_date == date(2025, 2, 27)
    assert lines[-1].amount_currency == Decimal("96.44")  # 1200 × 783 / 9743
    assert sum(line.amount_currency for line in lines) == 1200


def test_leap_year_monthly_days():
    lines = compute_schedule(
        "366.00",
        date(2024, 1, 1),
        basis="monthly_days",
        convention="month_end",
        occurrences=12,
    )
    assert lines[1].recognition_date == date(2024, 2, 29)
    assert [line.amount_currency for line in lines][:3] == [
        Decimal("31.00"),
        Decimal("29.00"),
        Decimal("31.00"),
    ]


# -- Term lengths and tiny amounts ---------------------------------------------------


def test_one_occurrence_monthly_splits_over_two_months():
    lines = compute_schedule(
        "100.00",
        date(2023, 1, 15),
        basis="monthly",
        convention="actual_start",
        occurrences=1,
    )
    # Weights 17/31 and 14/28: 100 × 34/65 = 52.307...
    assert rows(lines) == [(date(2023, 1, 15), "52.31"), (date(2023, 2, 14), "47.69")]


def test_one_occurrence_is_one_line():
    lines = compute_schedule(
        "99.99",
        date(2023, 1, 15),
        basis="occurrences",
        convention="month_end",
        occurrences=1,
    )
    assert rows(lines) == [(date(2023, 1, 31), "99.99")]
    assert periods(lines) == [(date(2023, 1, 15), date(2023, 2, 14))]


def test_600_occurrences():
    lines = compute_schedule(
        "1000.00",
        date(2024, 1, 1),
        basis="occurrences",
        convention="month_start",
        occurrences=600,
    )
    assert len(lines) == 600
    assert [line.amount_currency for line in lines] == [
        Decimal(value) for value in ("1.67", "1.66", "1.67") * 200
    ]
    assert lines[-1].period_end == date(2073, 12, 31)
    assert lines[-1].sequence == 599


def test_one_cent_lands_on_the_middle_period_only():
    lines = compute_schedule(
        "0.01",
        date(2023, 1, 1),
        basis="occurrences",
        convention="actual_start",
        occurrences=12,
    )
    # Cumulative 1 × k/12 cents first reaches 0.5 at k = 6 (June).
    assert rows(lines) == [(date(2023, 6, 1), "0.01")]
    assert lines[0].sequence == 0


def test_zero_amount_gives_no_lines():
    assert (
        compute_schedule(
            0, date(2023, 1, 1), basis="monthly", convention="month_end", occurrences=3
        )
        == []
    )


# -- Currencies, rounding units and signs --------------------------------------------


@pytest.mark.parametrize(
    ("amount", "rounding", "expected"),
    [
        ("1000", "1", ["333", "334", "333"]),
        ("10.000", "0.001", ["3.333", "3.334", "3.333"]),
        ("10.00", "0.05", ["3.35", "3.30", "3.35"]),
        ("100.00", "0.01", ["33.33", "33.34", "33.33"]),
        ("-100.00", "0.01", ["-33.33", "-33.34", "-33.33"]),
        ("100", "10", ["30", "40", "30"]),
    ],
)
def test_rounding_units(amount, rounding, expected):
    lines = compute_schedule(
        amount,
        date(2024, 5, 1),
        basis="occurrences",
        convention="actual_start",
        occurrences=3,
        currency_rounding=Decimal(rounding),
    )
    assert [str(line.amount_currency) for line in lines] == expected


@pytest.mark.parametrize(
    ("amount", "expected"),
    [("0.05", ["0.03", "0.02"]), ("-0.05", ["-0.03", "-0.02"])],
)
def test_ties_round_half_away_from_zero(amount, expected):
    lines = compute_schedule(
        amount,
        date(2024, 5, 1),
        basis="occurrences",
        convention="actual_start",
        occurrences=2,
    )
    assert [str(line.amount_currency) for line in lines] == expected


def test_two_currencies_with_different_totals_and_roundings():
    lines = compute_schedule(
        Decimal("100.00"),
        date(2024, 5, 1),
        basis="occurrences",
        convention="actual_start",
        occurrences=3,
        amount=Decimal("13457"),
        company_rounding=Decimal("1"),
    )
    assert [str(line.amount_currency) for line in lines] == ["33.33", "33.34", "33.33"]
    assert [str(line.amount) for line in lines] == ["4486", "4485", "4486"]


def test_company_amount_defaults():
    same = compute_schedule(
        "100.00",
        date(2024, 5, 1),
        basis="occurrences",
        convention="actual_start",
        occurrences=3,
    )
    assert [line.amount for line in same] == [line.amount_currency for line in same]
    # A company total without its own rounding uses the document rounding.
    other = compute_schedule(
        "100.00",
        date(2024, 5, 1),
        basis="occurrences",
        convention="actual_start",
        occurrences=3,
        amount="50",
    )
    assert [str(line.amount) for line in other] == ["16.67", "16.66", "16.67"]
    # A company rounding without a company total rounds the document total.
    coarse = compute_schedule(
        "100.00",
        date(2024, 5, 1),
        basis="occurrences",
        convention="actual_start",
        occurrences=3,
        company_rounding="1",
    )
    assert [str(line.amount) for line in coarse] == ["33", "34", "33"]


def test_line_kept_when_only_one_currency_is_non_zero():
    lines = compute_schedule(
        "0.01",
        date(2024, 5, 1),
        basis="occurrences",
        convention="actual_start",
        occurrences=3,
        amount="1.00",
    )
    assert [str(line.amount_currency) for line in lines] == ["0.00", "0.01", "0.00"]
    assert [str(line.amount) for line in lines] == ["0.33", "0.34", "0.33"]


def test_zero_lines_dropped_and_sequences_contiguous():
    lines = compute_schedule(
        "0.02",
        date(2024, 1, 1),
        basis="occurrences",
        convention="actual_start",
        occurrences=4,
    )
    # Cumulative cents: 0.5 -> 1, 1 -> 1, 1.5 -> 2, 2 -> 2.
    assert rows(lines) == [(date(2024, 1, 1), "0.01"), (date(2024, 3, 1), "0.01")]
    assert [line.sequence for line in lines] == [0, 1]


@pytest.mark.parametrize("value", [Decimal("0.1"), 0.1, "0.1", "0.10"])
def test_amount_types(value):
    lines = compute_schedule(
        value,
        date(2024, 1, 1),
        basis="occurrences",
        convention="actual_start",
        occurrences=1,
    )
    assert lines[0].amount_currency == Decimal("0.10")
    assert str(lines[0].amount_currency) == "0.10"


def test_float_rounding_unit_is_read_through_str():
    lines = compute_schedule(
        1.0,
        date(2024, 1, 1),
        basis="occurrences",
        convention="actual_start",
        occurrences=3,
        currency_rounding=0.01,
    )
    assert [str(line.amount_currency) for line in lines] == ["0.33", "0.34", "0.33"]


# -- Percentages ---------------------------------------------------------------------


def test_percentages_follow_occurrence_periods():
    lines = compute_schedule(
        "1000.00",
        date(2025, 11, 18),
        basis="monthly",
        convention="month_start",
        occurrences=3,
        percentages=[50, "25", Decimal("25")],
    )
    assert rows(lines) == [
        (date(2025, 11, 18), "500.00"),
        (date(2025, 12, 1), "250.00"),
        (date(2026, 1, 1), "250.00"),
    ]
    assert periods(lines)[0] == (date(2025, 11, 18), date(2025, 12, 17))


def test_percentages_with_decimals_and_floats():
    lines = compute_schedule(
        "100.00",
        date(2025, 1, 1),
        basis="monthly",
        convention="actual_start",
        occurrences=3,
        percentages=[33.33, Decimal("33.333"), "33.337"],
    )
    assert [str(line.amount_currency) for line in lines] == ["33.33", "33.33", "33.34"]


def test_zero_percentage_drops_its_line():
    lines = compute_schedule(
        "100.00",
        date(2025, 1, 1),
        basis="monthly",
        convention="actual_start",
        occurrences=3,
        percentages=[0, 100, 0],
    )
    assert rows(lines) == [(date(2025, 2, 1), "100.00")]


def test_empty_percentages_mean_none():
    lines = compute_schedule(
        "300.00",
        date(2025, 1, 1),
        basis="occurrences",
        convention="actual_start",
        occurrences=3,
        percentages=[],
    )
    assert len(lines) == 3
    batch = compute_schedules(
        [
            ScheduleInput(
                "300.00",
                date(2025, 1, 1),
                "occurrences",
                "actual_start",
                3,
                percentages=[],
            )
        ]
    )
    assert batch == [(None, lines)]


def test_batch_accepts_percentage_lists():
    inputs = [
        ScheduleInput(
            "100.00",
            date(2025, 1, 1),
            "monthly",
            "actual_start",
            2,
            percentages=[40, 60],
            key=key,
        )
        for key in ("a", "b")
    ]
    assert [
        (key, [str(line.amount_currency) for line in lines])
        for key, lines in compute_schedules(inputs)
    ] == [("a", ["40.00", "60.00"]), ("b", ["40.00", "60.00"])]


# -- Line objects ----------------------------------------------------------------------


def test_lines_are_frozen_schedule_lines():
    for lines in (
        compute_schedule(
            "10.00",
            date(2024, 1, 1),
            basis="monthly",
            convention="month_end",
            occurrences=2,
        ),
        compute_schedules(
            [ScheduleInput("10.00", date(2024, 1, 1), "monthly", "month_end", 2)]
        )[0][1],
    ):
        line = lines[0]
        assert type(line) is ScheduleLine
        assert line == ScheduleLine(
            0,
            date(2024, 1, 31),
            date(2024, 1, 1),
            date(2024, 1, 31),
            Decimal("5.00"),
            Decimal("5.00"),
        )
        assert dataclasses.asdict(line)["amount"] == Decimal("5.00")
        assert dataclasses.replace(line, sequence=3).sequence == 3
        assert not hasattr(line, "__dict__")
        with pytest.raises(dataclasses.FrozenInstanceError):
            line.amount = Decimal(0)
