"""Hypothesis properties of schedules, checked against a slow reference.

The reference below is a direct reading of the schedule rules of
readme/DEVELOP.md with ``Fraction`` arithmetic and ``calendar.monthrange``;
it shares no code with the engine.
"""

import calendar
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from math import floor

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import (
    BASES,
    CONVENTIONS,
    ScheduleInput,
    compute_schedule,
    compute_schedules,
)

DAY = timedelta(days=1)
UNITS = [
    Decimal("0.01"),
    Decimal("1"),
    Decimal("0.001"),
    Decimal("0.05"),
    Decimal("0.1"),
]
PROPERTY = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


# -- Reference -----------------------------------------------------------------------


def ref_add_months(value, months):
    index = value.month - 1 + months
    year, month = value.year + index // 12, index % 12 + 1
    return date(year, month, min(value.day, calendar.monthrange(year, month)[1]))


def ref_last_day(value):
    return value.replace(day=calendar.monthrange(value.year, value.month)[1])


def ref_round(value, unit):
    """Round a Fraction to a multiple of unit, half away from zero."""
    units = value / Fraction(unit)
    magnitude = floor(abs(units) + Fraction(1, 2))
    return (magnitude if units >= 0 else -magnitude) * Fraction(unit)


def reference(case):
    """Every period of the case: (date, start, end, exact share, line, exact company
    share, company line), zero lines included."""
    start, n = case["start"], case["occurrences"]
    convention, basis = case["convention"], case["basis"]
    first = start.replace(day=1)
    if convention == "next_month" or (convention == "mid_month" and start.day > 15):
        rec_start = ref_add_months(first, 1)
    elif convention == "mid_month":
        rec_start = first
    else:
        rec_start = start
    if case["end"] is None:
        rec_end = ref_add_months(rec_start, n) - DAY
    else:
        rec_end = case["end"] + (rec_start - start)
    periods, weights = [], []
    if basis == "occurrences" or case["percentages"]:
        for k in range(n):
            periods.append(
                (ref_add_months(rec_start, k), ref_add_months(rec_start, k + 1) - DAY)
            )
        weights = [Fraction(str(p)) for p in case["percentages"] or [1] * n]
    else:
        month = rec_start.replace(day=1)
        while month <= rec_end:
            last = ref_last_day(month)
            period = (max(month, rec_start), min(last, rec_end))
            days = (period[1] - period[0]).days + 1
            periods.append(period)
            weights.append(
                Fraction(days, last.day) if basis == "monthly" else Fraction(days)
            )
            month = last + DAY
    rows = []
    done = done_company = Fraction(0)
    prefix = Fraction(0)
    total = Fraction(case["amount_currency"])
    company = Fraction(case["amount"])
    for k, ((period_start, period_end), weight) in enumerate(
        zip(periods, weights, strict=True)
    ):
        if convention == "actual_start":
            when = min(max(ref_add_months(rec_start, k), period_start), period_end)
        elif convention == "month_end":
            when = ref_last_day(period_start)
        else:
            when = rec_start if k == 0 else period_start.replace(day=1)
        share = weight / sum(weights)
        prefix += share
        line = ref_round(total * prefix, case["currency_rounding"]) - done
        line_company = (
            ref_round(company * prefix, case["company_rounding"]) - done_company
        )
        done += line
        done_company += line_company
        rows.append(
            (
                when,
                period_start,
                period_end,
                total * share,
                line,
                company * share,
                line_company,
            )
        )
    return rows, rec_start, rec_end


# -- Strategies ----------------------------------------------------------------------


@st.composite
def cases(draw, max_occurrences=36, derived_end=None, big=False):
    basis = draw(st.sampled_from(BASES))
    n = draw(st.integers(1, max_occurrences))
    start = draw(st.dates(date(1999, 1, 1), date(2060, 12, 31)))
    if derived_end or (derived_end is None and draw(st.booleans())):
        end = None
    else:
        end = start + timedelta(days=draw(st.integers(0, 1500)))
    percentages = None
    if basis == "monthly" and not derived_end and draw(st.booleans()):
        cuts = sorted(
            draw(st.lists(st.integers(0, 10000), min_size=n - 1, max_size=n - 1))
        )
        bounds = [0, *cuts, 10000]
        percentages = [
            Decimal(b - a).scaleb(-2) for a, b in zip(bounds, bounds[1:], strict=False)
        ]
    unit, company_unit = draw(st.sampled_from(UNITS)), draw(st.sampled_from(UNITS))
    low = 10**6 if big else 0
    count = draw(st.integers(low, 10**10))
    company_count = draw(st.integers(low, 10**10))
    sign = draw(st.sampled_from([1, -1]))
    return {
        "amount_currency": sign * count * unit,
        "start": start,
        "basis": basis,
        "convention": draw(st.sampled_from(CONVENTIONS)),
        "occurrences": n,
        "end": end,
        "percentages": percentages,
        "currency_rounding": unit,
        "amount": sign * company_count * company_unit,
        "company_rounding": company_unit,
    }


def run(case):
    values = dict(case)
    return compute_schedule(
        values.pop("amount_currency"), values.pop("start"), **values
    )


# -- Properties ----------------------------------------------------------------------


@PROPERTY
@given(cases())
def test_matches_reference(case):
    rows, _start, _end = reference(case)
    expected = [
        (when, start, end, line, line_company)
        for when, start, end, _share, line, _share_company, line_company in rows
        if line or line_company
    ]
    lines = run(case)
    assert [
        (
            line.recognition_date,
            line.period_start,
            line.period_end,
            line.amount_currency,
            line.amount,
        )
        for line in lines
    ] == expected
    assert [line.sequence for line in lines] == list(range(len(lines)))


@PROPERTY
@given(cases())
def test_lines_add_up_in_both_currencies(case):
    lines = run(case)
    assert sum(line.amount_currency for line in lines) == case["amount_currency"]
    assert sum(line.amount for line in lines) == case["amount"]


@PROPERTY
@given(cases())
def test_each_line_near_its_share_and_prefixes_exact(case):
    rows, _start, _end = reference(case)
    lines = {line.period_start: line for line in run(case)}
    unit, company_unit = (
        Fraction(case["currency_rounding"]),
        Fraction(case["company_rounding"]),
    )
    prefix = prefix_company = done = done_company = Fraction(0)
    for row in rows:
        period_start, share, share_company = row[1], row[3], row[5]
        line = lines.get(period_start)
        amount = Fraction(line.amount_currency) if line else Fraction(0)
        company = Fraction(line.amount) if line else Fraction(0)
        assert abs(amount - share) <= unit
        assert abs(company - share_company) <= company_unit
        prefix += share
        prefix_company += share_company
        done += amount
        done_company += company
        assert done == ref_round(prefix, unit)
        assert done_company == ref_round(prefix_company, company_unit)


@PROPERTY
@given(cases())
def test_dates_increase_inside_the_term(case):
    rows, rec_start, rec_end = reference(case)
    lines = run(case)
    first = rec_start.replace(day=1)
    last = ref_last_day(max(rec_end, rows[-1][2]))
    dates = [line.recognition_date for line in lines]
    assert dates == sorted(dates)
    assert len(set(dates)) == len(dates)
    for line in lines:
        assert first <= line.recognition_date <= last
        assert first <= line.period_start <= line.period_end <= last
        when, start = line.recognition_date, line.period_start
        assert (when.year, when.month) == (start.year, start.month)
    if len(lines) == len(rows):
        for before, after in zip(lines, lines[1:], strict=False):
            assert after.period_start == before.period_end + DAY


@PROPERTY
@given(cases(derived_end=True, big=True))
def test_line_counts(case):
    lines = run(case)
    _rows, rec_start, _end = reference(case)
    n = case["occurrences"]
    if case["basis"] == "occurrences":
        assert len(lines) == n
    else:
        assert len(lines) == (n if rec_start.day == 1 else n + 1)


@PROPERTY
@given(cases(big=True))
def test_explicit_end_monthly_counts_months_touched(case):
    lines = run(case)
    _rows, rec_start, rec_end = reference(case)
    months = (rec_end.year - rec_start.year) * 12 + rec_end.month - rec_start.month + 1
    if case["percentages"]:
        assert len(lines) == sum(1 for value in case["percentages"] if value)
    elif case["basis"] == "occurrences":
        assert len(lines) == case["occurrences"]
    else:
        assert len(lines) == months


@PROPERTY
@given(cases())
def test_negating_the_amounts_negates_every_line(case):
    negated = dict(
        case, amount_currency=-case["amount_currency"], amount=-case["amount"]
    )
    assert [
        (line.sequence, line.recognition_date, -line.amount_currency, -line.amount)
        for line in run(case)
    ] == [
        (line.sequence, line.recognition_date, line.amount_currency, line.amount)
        for line in run(negated)
    ]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(cases(max_occurrences=24), min_size=1, max_size=6), st.data())
def test_batch_equals_single(batch, data):
    # Repeat some inputs so the shared-structure cache is exercised.
    batch = batch + data.draw(st.lists(st.sampled_from(batch), max_size=4))
    inputs = [ScheduleInput(key=index, **case) for index, case in enumerate(batch)]
    assert compute_schedules(inputs) == [
        (index, run(case)) for index, case in enumerate(batch)
    ]
