"""Monthly recurring revenue of one schedule: its amount ÷ its term in months.

A schedule's term in months is the sum of its periods' months: a period
inside one calendar month weighs the days it serves ÷ the days of that month
(bases ``monthly`` and ``monthly_days``), a period that runs into the next
month is one occurrence and weighs one month (basis ``occurrences`` and
per-period percentages).
"""

from fractions import Fraction

from .dates import days_in_month


def period_months(period_start, period_end):
    """Months of one period (see the module docstring).

    >>> from datetime import date
    >>> period_months(date(2023, 1, 15), date(2023, 1, 31))
    Fraction(17, 31)
    >>> period_months(date(2023, 1, 15), date(2023, 2, 14))
    Fraction(1, 1)
    """
    if (period_start.year, period_start.month) != (period_end.year, period_end.month):
        return Fraction(1)
    days = (period_end - period_start).days + 1
    return Fraction(days, days_in_month(period_start.year, period_start.month))


def monthly_amount(lines):
    """MRR of a schedule: the sum of its lines' amounts ÷ its term in months.

    :param lines: the schedule's ``ScheduleLine`` list (company currency
        ``amount``); empty: 0
    :return: a float, not rounded (a share of a month's revenue)

    1,200 from 15 Jan 2023 over 12 months, monthly basis: 13 lines, 17/31 +
    11 + 14/31 = 12 months, 100 a month:

    >>> from datetime import date, timedelta
    >>> from decimal import Decimal
    >>> from types import SimpleNamespace as Line
    >>> lines = [Line(period_start=date(2023, 1, 15), period_end=date(2023, 1, 31),
    ...               amount=Decimal("54.84"))]
    >>> lines += [Line(period_start=start, period_end=end, amount=Decimal("100.00"))
    ...           for start, end in ((date(2023, m, 1), date(2023, m + 1, 1)
    ...                               - timedelta(days=1)) for m in range(2, 12))]
    >>> lines += [Line(period_start=date(2023, 12, 1), period_end=date(2023, 12, 31),
    ...                amount=Decimal("100.00")),
    ...           Line(period_start=date(2024, 1, 1), period_end=date(2024, 1, 14),
    ...                amount=Decimal("45.16"))]
    >>> len(lines), monthly_amount(lines)
    (13, 100.0)
    """
    months = sum(
        (period_months(line.period_start, line.period_end) for line in lines),
        Fraction(0),
    )
    if not months:
        return 0.0
    total = sum((Fraction(line.amount) for line in lines), Fraction(0))
    return float(total / months)
