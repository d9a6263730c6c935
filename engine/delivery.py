"""Delivery basis: revenue recognised as the delivered quantity rises.

A document line covers a slice ``[low, high]`` of its order line's quantity
(an invoice covers the units after those invoiced before it; what is not
invoiced yet covers the rest). Each day the order line's cumulative delivered
quantity changes, the part of the slice it now covers is recognised on that
day; a return covers less, hence a negative line. What the slice still waits
for is one last line, *awaiting delivery*, never due until a delivery dates it.

Amounts are rounded cumulatively as in ``schedule.py``: the running share of
the covered quantity is rounded, each line is the difference, so the lines add
up to the amount exactly and a later delivery never changes an earlier line.

>>> from datetime import date
>>> [(str(line.recognition_date), str(line.amount_currency), awaiting)
...  for line, awaiting in delivery_schedule(
...      "1000.00", [(date(2026, 3, 15), 4), (date(2026, 4, 10), 10)],
...      low=0, high=10, awaiting_date=date(2026, 6, 30))]
[('2026-03-15', '400.00', False), ('2026-04-10', '600.00', False)]
"""

from decimal import Decimal, localcontext
from fractions import Fraction
from math import lcm

from .schedule import _EXACT, _amount, _cumulative_units, _new_line, _rounding


def _fraction(value):
    """An exact fraction of a quantity (floats read through ``str``)."""
    if isinstance(value, float):
        value = str(value)
    return Fraction(Decimal(value))


def delivery_schedule(
    amount_currency,
    deliveries,
    *,
    low,
    high,
    awaiting_date,
    currency_rounding=Decimal("0.01"),
    amount=None,
    company_rounding=None,
):
    """The delivery-basis lines of an amount covering quantities ``[low, high]``.

    :param deliveries: ``(date, cumulative delivered quantity at the end of that
        day)`` pairs, in date order
    :param awaiting_date: the estimated date of the line awaiting delivery
    :return: ``[(ScheduleLine, awaiting), ...]``; ``awaiting`` is True for the
        last line when part of the slice is not delivered yet. Lines that round
        to zero in both currencies are left out.

    A return after a full delivery gives a negative line, and the slice is
    awaiting delivery again:

    >>> from datetime import date
    >>> [(str(line.amount_currency), awaiting) for line, awaiting in
    ...  delivery_schedule("100.00", [(date(2026, 1, 5), 2), (date(2026, 1, 9), 1)],
    ...                    low=0, high=2, awaiting_date=date(2026, 2, 1))]
    [('100.00', False), ('-50.00', False), ('50.00', True)]
    """
    low, high = _fraction(low), _fraction(high)
    if high < low:
        low, high = high, low
    span = high - low
    points = []
    for when, delivered in deliveries:
        covered = min(max(_fraction(delivered), low), high) - low
        if points and points[-1][0] == when:
            points[-1] = (when, covered)
        else:
            points.append((when, covered))
    if span <= 0:
        # Nothing to deliver in the slice (a zero quantity): delivered at once.
        points, span = [(awaiting_date, Fraction(1))], Fraction(1)
    points.append((None, span))
    scale = lcm(*(covered.denominator for _when, covered in points))
    cumulative = [int(covered * scale) for _when, covered in points]
    with localcontext(_EXACT):
        total_currency = _amount(amount_currency, "document currency")
        unit_currency = _rounding(currency_rounding, "document currency")
        total_company = (
            total_currency if amount is None else _amount(amount, "company currency")
        )
        unit_company = (
            unit_currency
            if company_rounding is None
            else _rounding(company_rounding, "company currency")
        )
        rounded_currency = _cumulative_units(total_currency, unit_currency, cumulative)
        rounded_company = _cumulative_units(total_company, unit_company, cumulative)
        lines = []
        previous_currency = previous_company = 0
        for (when, _covered), now_currency, now_company in zip(
            points, rounded_currency, rounded_company, strict=True
        ):
            units_currency = now_currency - previous_currency
            units_company = now_company - previous_company
            previous_currency, previous_company = now_currency, now_company
            if not units_currency and not units_company:
                continue
            awaiting = when is None
            day = awaiting_date if awaiting else when
            line = _new_line(
                len(lines),
                day,
                day,
                day,
                units_currency * unit_currency,
                units_company * unit_company,
            )
            lines.append((line, awaiting))
    return lines
