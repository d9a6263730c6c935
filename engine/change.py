"""Changes of terms: what is not yet recognised, spread over the rest of a term.

The prospective method (IFRS 15.21(a)) keeps what was recognised and spreads
what remains over the periods of the new term that are still to come, in
proportion to what the new term gives each of them, rounded cumulatively as
every schedule is (DEVELOP.md, rule 4): the amounts add up to what remains,
each within one rounding unit of its exact share.
"""

from decimal import Decimal
from fractions import Fraction

from .schedule import _amount, _cumulative_units, _rounding


def spread(total, weights, rounding):
    """``total`` shared in proportion to ``weights``, rounded cumulatively.

    :param total: the amount to share (``Decimal``, ``str`` or ``int``; signed)
    :param weights: one weight per period (the new term's amounts of those
        periods); their sign is ignored; all zero: equal shares
    :param rounding: the currency's rounding unit
    :return: a list of ``Decimal``, one per weight, adding up to ``total``

    1,200 for 2026 by month, January to March recognised, extended on 1 April
    to the end of 2027: 900 over the 21 months left, 50.00 each in the new
    term:

    >>> amounts = spread(Decimal("900.00"), [Decimal("50.00")] * 21, "0.01")
    >>> [str(amount) for amount in amounts[:4]], sum(amounts)
    (['42.86', '42.85', '42.86', '42.86'], Decimal('900.00'))
    """
    unit = _rounding(rounding, "currency")
    total = _amount(total, "currency")
    if not weights:
        return []
    shares = [abs(Fraction(Decimal(weight))) for weight in weights]
    if not any(shares):
        shares = [Fraction(1)] * len(shares)
    cumulative, running = [], Fraction(0)
    for share in shares:
        running += share
        cumulative.append(running)
    units = _cumulative_units(total, unit, cumulative)
    amounts, previous = [], 0
    for prefix in units:
        amounts.append((prefix - previous) * unit)
        previous = prefix
    return amounts
