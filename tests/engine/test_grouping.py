"""Grouping of schedule lines into recognition entries (engine/grouping.py)."""

from collections import Counter
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.grouping import RecognitionItem, build_lines, plan_entries

DATES = [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)]


@st.composite
def items(draw):
    count = draw(st.integers(min_value=1, max_value=40))
    result = []
    for key in range(count):
        cents = draw(st.integers(min_value=-100_000, max_value=100_000).filter(bool))
        rate = draw(st.sampled_from([1, 2, 3]))
        result.append(
            RecognitionItem(
                key=key,
                date=draw(st.sampled_from(DATES)),
                deferred_account_id=draw(st.sampled_from([487, 488])),
                income_account_id=draw(st.sampled_from([706, 707])),
                currency_id=rate,
                amount=Decimal(cents) / 100,
                amount_currency=Decimal(cents * rate) / 100,
                partner_id=draw(st.sampled_from([1, 2, None])),
                product_id=draw(st.sampled_from([10, 11])),
                analytic_distribution=draw(st.sampled_from([None, {"5": 100.0}])),
            )
        )
    return result


@settings(max_examples=150, deadline=None)
@given(
    items=items(),
    grouping=st.sampled_from(["detail", "summary"]),
    max_items=st.integers(1, 15),
)
def test_entries_balance_and_cover_every_item_once(items, grouping, max_items):
    entries = plan_entries(items, grouping=grouping, max_items=max_items)
    seen = Counter(key for entry in entries for key in entry.keys)
    assert seen == Counter(item.key for item in items)
    for entry in entries:
        assert 1 <= len(entry.items) <= max_items
        assert {item.date for item in entry.items} == {entry.date}
        assert sum(line.balance for line in entry.lines) == 0
        for currency in {line.currency_id for line in entry.lines}:
            assert (
                sum(
                    line.amount_currency
                    for line in entry.lines
                    if line.currency_id == currency
                )
                == 0
            )
        income = [line for line in entry.lines if line.kind == "income"]
        assert sum(line.balance for line in income) == -entry.amount
        # no empty journal item
        for line in entry.lines:
            assert line.balance != 0 or line.amount_currency != 0
    assert [entry.date for entry in entries] == sorted(entry.date for entry in entries)


@settings(max_examples=100, deadline=None)
@given(items=items())
def test_detail_writes_one_income_line_per_item(items):
    lines = build_lines(items, "detail")
    income = [line for line in lines if line.kind == "income"]
    assert len(income) == len(items)
    assert sorted(line.balance for line in income) == sorted(-i.amount for i in items)
    deferred = [line for line in lines if line.kind == "deferred"]
    deferred_keys = Counter(
        (line.account_id, line.currency_id, line.partner_id) for line in deferred
    )
    # one deferred line per account, currency and customer (and side)
    assert all(count <= 2 for count in deferred_keys.values())
    # each customer's deferred lines release exactly that customer's items
    for partner in {item.partner_id for item in items}:
        assert sum(
            line.balance for line in deferred if line.partner_id == partner
        ) == sum(item.amount for item in items if item.partner_id == partner)


@settings(max_examples=100, deadline=None)
@given(items=items())
def test_summary_groups_by_account_analytic_currency(items):
    income = [line for line in build_lines(items, "summary") if line.kind == "income"]
    keys = [
        (
            line.account_id,
            line.currency_id,
            tuple(sorted((line.analytic_distribution or {}).items())),
            line.balance > 0,
        )
        for line in income
    ]
    assert len(keys) == len(set(keys))
    assert sum(line.item_count for line in income) == len(items)


def test_credit_note_flips_sides():
    items = [
        RecognitionItem(1, DATES[0], 487, 706, 1, "100.00", "100.00"),
        RecognitionItem(2, DATES[0], 487, 706, 1, "-40.00", "-40.00"),
    ]
    lines = build_lines(items, "summary")
    assert sorted((line.kind, line.balance) for line in lines) == [
        ("deferred", Decimal("-40.00")),
        ("deferred", Decimal("100.00")),
        ("income", Decimal("-100.00")),
        ("income", Decimal("40.00")),
    ]


def test_split_numbers_the_parts_of_a_date():
    items = [
        RecognitionItem(key, DATES[0], 487, 706, 1, "1.00", "1.00") for key in range(5)
    ]
    entries = plan_entries(items, grouping="summary", max_items=2)
    assert [(entry.part, entry.parts, len(entry.items)) for entry in entries] == [
        (1, 3, 2),
        (2, 3, 2),
        (3, 3, 1),
    ]


def test_locked_dates_merge_into_the_open_date():
    items = [
        RecognitionItem(1, DATES[0], 487, 706, 1, "1.00", "1.00"),
        RecognitionItem(2, DATES[1], 487, 706, 1, "2.00", "2.00"),
    ]
    entries = plan_entries(items, date_map={DATES[0]: DATES[1]})
    assert [(entry.date, entry.keys) for entry in entries] == [(DATES[1], [1, 2])]


def test_bad_arguments():
    with pytest.raises(ValueError, match="unknown grouping"):
        build_lines([], "weekly")
    with pytest.raises(ValueError, match="max_items"):
        plan_entries([], max_items=0)
