"""Allocation of a price across lines in proportion to weights.

Used for standalone selling prices: an order's untaxed total of the scheduled
lines is shared in proportion to quantity × standalone price, and rounded
cumulatively like the schedules (each line gets the rounded running total
minus what the lines before it got), so the shares always add up to the total.

>>> from decimal import Decimal
>>> allocate(Decimal("80"), [20, 30, 40], Decimal("0.01"))
[Decimal('17.78'), Decimal('26.66'), Decimal('35.56')]
"""

from decimal import Decimal
from fractions import Fraction

from .errors import ScheduleError
from .numbers import to_decimal


def _round_units(value):
    """``value`` (a Fraction of rounding units) to an integer, half away from zero."""
    units = abs(value)
    rounded = (units.numerator * 2 + units.denominator) // (units.denominator * 2)
    return rounded if value >= 0 else -rounded


def allocate(total, weights, rounding):
    """Shares of ``total`` in proportion to ``weights``, rounded cumulatively.

    :param total: the amount to share (Decimal, int or str; may be negative)
    :param weights: one non-negative number per line, in line order; their sum
        must be positive
    :param rounding: the currency's rounding unit (e.g. ``Decimal("0.01")``)
    :return: one Decimal per weight; they add up to ``total`` rounded to the
        unit, each within one unit of its exact share
    """
    unit = Fraction(to_decimal(rounding))
    if unit <= 0:
        raise ScheduleError("bad_rounding", rounding=rounding, which="allocation")
    exact_weights = [Fraction(to_decimal(weight)) for weight in weights]
    if any(weight < 0 for weight in exact_weights) or sum(exact_weights) <= 0:
        raise ValueError("allocation weights must be non-negative with a positive sum")
    exact_total = Fraction(to_decimal(total)) / unit
    weight_sum = sum(exact_weights)
    shares = []
    running = Fraction(0)
    previous = 0
    for weight in exact_weights:
        running += weight
        now = _round_units(exact_total * running / weight_sum)
        shares.append(Decimal(now - previous) * to_decimal(rounding))
        previous = now
    return shares
