"""Allocation by standalone selling prices: examples and properties."""

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine import allocate

CENT = Decimal("0.01")


def test_kpmg_bundle():
    # 80 × 20/90 = 17.777… → 17.78; running 80 × 50/90 = 44.444… → 44.44,
    # 44.44 − 17.78 = 26.66; running 80 → 80.00 − 44.44 = 35.56
    assert allocate(Decimal("80"), [20, 30, 40], CENT) == [
        Decimal("17.78"),
        Decimal("26.66"),
        Decimal("35.56"),
    ]


def test_negative_total_mirrors():
    assert allocate(Decimal("-80"), [20, 30, 40], CENT) == [
        Decimal("-17.78"),
        Decimal("-26.66"),
        Decimal("-35.56"),
    ]


def test_half_away_from_zero():
    # 0.05 × 1/2 = 0.025 → 0.03; the second line gets 0.05 − 0.03 = 0.02
    assert allocate(Decimal("0.05"), [1, 1], CENT) == [Decimal("0.03"), Decimal("0.02")]


def test_zero_weight_line_gets_nothing():
    assert allocate(Decimal("90"), [0, 3, 0], CENT) == [
        Decimal("0.00"),
        Decimal("90.00"),
        Decimal("0.00"),
    ]


@pytest.mark.parametrize("weights", [[], [0, 0], [1, -1]])
def test_bad_weights(weights):
    with pytest.raises(ValueError):
        allocate(Decimal("10"), weights, CENT)


@given(
    st.integers(min_value=-(10**9), max_value=10**9),
    st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=12),
)
def test_conservation_and_bounds(cents, weights):
    if not sum(weights):
        weights = [*weights[:-1], 1]
    total = Decimal(cents) * CENT
    shares = allocate(total, weights, CENT)
    assert sum(shares) == total
    for share, weight in zip(shares, weights, strict=True):
        exact = Fraction(total) * weight / sum(weights)
        assert abs(Fraction(share) - exact) <= Fraction(CENT)
