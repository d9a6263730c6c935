"""Delivery basis (engine.delivery): worked examples and properties."""

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from engine import ScheduleError, compute_schedule, delivery_schedule, period_count


def _rows(lines):
    return [
        (line.recognition_date, str(line.amount_currency), str(line.amount), awaiting)
        for line, awaiting in lines
    ]


def test_upfront_invoice_delivered_in_two_parts():
    # 10 units invoiced 1,000: 4 on 15 March = 400, 6 more on 10 April = 600.
    lines = delivery_schedule(
        "1000.00",
        [(date(2026, 3, 15), 4)],
        low=0,
        high=10,
        awaiting_date=date(2026, 5, 1),
    )
    assert _rows(lines) == [
        (date(2026, 3, 15), "400.00", "400.00", False),
        (date(2026, 5, 1), "600.00", "600.00", True),
    ]


def test_second_invoice_covers_the_later_units():
    # Units 5-10 of an order line (a second invoice of 500): 4 delivered on
    # 15 March cover none of them, 7 in all on 2 April cover 2 (200).
    lines = delivery_schedule(
        "500.00",
        [(date(2026, 3, 15), 4), (date(2026, 4, 2), 7)],
        low=5,
        high=10,
        awaiting_date=date(2026, 5, 1),
    )
    assert _rows(lines) == [
        (date(2026, 4, 2), "200.00", "200.00", False),
        (date(2026, 5, 1), "300.00", "300.00", True),
    ]


def test_thirds_round_cumulatively_in_both_currencies():
    # 100.00 EUR = 90.00 in company currency over 3 units delivered one a day:
    # 33.33 / 33.34 / 33.33 and 30.00 each.
    lines = delivery_schedule(
        "100.00",
        [(date(2026, 1, d), d) for d in (1, 2, 3)],
        low=0,
        high=3,
        awaiting_date=date(2026, 2, 1),
        amount="90.00",
    )
    assert [(str(x.amount_currency), str(x.amount)) for x, _a in lines] == [
        ("33.33", "30.00"),
        ("33.34", "30.00"),
        ("33.33", "30.00"),
    ]


def test_credit_note_slice_is_negative():
    lines = delivery_schedule(
        "-1000.00",
        [(date(2026, 3, 15), 4)],
        low=10,
        high=0,
        awaiting_date=date(2026, 5, 1),
    )
    assert [str(x.amount_currency) for x, _a in lines] == ["-400.00", "-600.00"]


def test_without_deliveries_the_basis_is_a_point_in_time():
    assert period_count(date(2026, 1, 31), None, "delivery", "actual_start", 1) == 1
    lines = compute_schedule(
        "120.00",
        date(2026, 1, 31),
        basis="delivery",
        convention="month_end",
        occurrences=12,
    )
    assert [(x.recognition_date, str(x.amount)) for x in lines] == [
        (date(2026, 1, 31), "120.00")
    ]


def test_bad_amount_is_a_schedule_error():
    try:
        delivery_schedule("x", [], low=0, high=1, awaiting_date=date(2026, 1, 1))
    except ScheduleError as error:
        assert error.code == "bad_amount"
    else:
        raise AssertionError("no error")


quantities = st.integers(min_value=-5, max_value=40).map(lambda q: Decimal(q) / 2)


@given(
    total=st.integers(min_value=-(10**9), max_value=10**9).map(
        lambda units: Decimal(units) / 100
    ),
    low=st.integers(min_value=0, max_value=20),
    size=st.integers(min_value=1, max_value=20),
    delivered=st.lists(quantities, max_size=12),
)
def test_lines_add_up_and_never_move(total, low, size, delivered):
    start = date(2026, 1, 1)
    events = [(start + timedelta(days=i), q) for i, q in enumerate(delivered)]
    kwargs = {"low": low, "high": low + size, "awaiting_date": date(2027, 1, 1)}
    lines = delivery_schedule(total, events, **kwargs)
    # conservation
    assert sum((x.amount_currency for x, _a in lines), Decimal(0)) == total
    assert sum(1 for _x, awaiting in lines if awaiting) <= 1
    # a later delivery never changes the lines of earlier days
    dated = [x for x, awaiting in lines if not awaiting]
    more = delivery_schedule(
        total, [*events, (date(2026, 12, 31), low + size)], **kwargs
    )
    assert [x for x, awaiting in more if not awaiting][: len(dated)] == dated
    assert not any(awaiting for _x, awaiting in more)
