"""Prospective changes of terms: what remains, spread over the rest of a term."""

from decimal import Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from engine import spread

CENT = Decimal("0.01")


def test_extension_of_a_subscription():
    # 900.00 left over 21 months of 50.00: 42.857142… each; running totals
    # 42.857 → 42.86, 85.714 → 85.71 (42.85), 128.571 → 128.57 (42.86), …
    amounts = spread(Decimal("900.00"), [Decimal("50.00")] * 21, CENT)
    assert amounts[:3] == [Decimal("42.86"), Decimal("42.85"), Decimal("42.86")]
    assert sum(amounts) == Decimal("900.00")
    assert set(amounts) == {Decimal("42.85"), Decimal("42.86")}


def test_uneven_weights_follow_the_new_term():
    # 100.00 over a partial first month (16 of 30 days) and a full one:
    # 100 × 16/46 = 34.782… → 34.78, then 65.22
    amounts = spread(Decimal("100.00"), [Decimal("16"), Decimal("30")], CENT)
    assert amounts == [Decimal("34.78"), Decimal("65.22")]


def test_credit_note_mirror_is_the_negation():
    weights = [Decimal("50.00")] * 21
    assert spread(Decimal("-900.00"), weights, CENT) == [
        -amount for amount in spread(Decimal("900.00"), weights, CENT)
    ]


def test_zero_weights_share_equally_and_nothing_left():
    assert spread(Decimal("10.00"), [0, 0, 0], CENT) == [
        Decimal("3.33"),
        Decimal("3.34"),
        Decimal("3.33"),
    ]
    assert spread(Decimal("0.00"), [Decimal("1")] * 3, CENT) == [Decimal("0.00")] * 3
    assert spread(Decimal("5.00"), [], CENT) == []


@given(
    total=st.integers(min_value=-(10**9), max_value=10**9),
    weights=st.lists(
        st.integers(min_value=0, max_value=10**6), min_size=1, max_size=60
    ),
)
def test_conservation_and_bounds(total, weights):
    total = Decimal(total) * CENT
    amounts = spread(total, [Decimal(weight) for weight in weights], CENT)
    assert len(amounts) == len(weights)
    assert sum(amounts) == total
    shares = weights if any(weights) else [1] * len(weights)
    whole = sum(shares)
    for amount, share in zip(amounts, shares, strict=True):
        exact = Fraction(total) * share / whole
        assert abs(Fraction(amount) - exact) <= Fraction(CENT)
