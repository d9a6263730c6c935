"""Stateless date helpers: month arithmetic and recognition bounds.

Schedule rules 1 (start convention) and 2 (end), as numbered in
``readme/DEVELOP.md`` (*Schedule rules*).
"""

from datetime import date, timedelta

from .errors import ScheduleError

#: Allowed ``recognition_convention`` codes.
CONVENTIONS = ("actual_start", "month_start", "mid_month", "next_month", "month_end")

_ONE_DAY = timedelta(days=1)
_MONTH_DAYS = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def days_in_month(year, month):
    """Return the number of days of a month (``calendar.monthrange`` without
    the weekday it also computes, which dominated schedule building)."""
    if month == 2 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0):
        return 29
    return _MONTH_DAYS[month]


def add_months(value, months):
    """Return ``value`` plus ``months`` months, clamping the day to the month's end.

    31 Jan + 1 month = 28 Feb (29 Feb in leap years), like ``relativedelta``.

    >>> add_months(date(2025, 1, 31), 1), add_months(date(2024, 1, 31), 1)
    (datetime.date(2025, 2, 28), datetime.date(2024, 2, 29))
    """
    year, month0 = divmod(value.month - 1 + months, 12)
    year += value.year
    day = value.day
    if day > 28:
        day = min(day, days_in_month(year, month0 + 1))
    return date(year, month0 + 1, day)


def month_end(value):
    """Return the last day of ``value``'s month."""
    return value.replace(day=days_in_month(value.year, value.month))


def month_start(value):
    """Return the first day of ``value``'s month."""
    return value.replace(day=1)


def previous_month_end(value):
    """Return the last day of the month before ``value``'s.

    >>> previous_month_end(date(2026, 3, 15))
    datetime.date(2026, 2, 28)
    """
    return month_start(value) - timedelta(days=1)


def month_starts(first, last):
    """Return the first days of the months from ``first``'s to ``last``'s, inclusive.

    >>> months = month_starts(date(2025, 11, 18), date(2026, 1, 5))
    >>> [month.isoformat() for month in months]
    ['2025-11-01', '2025-12-01', '2026-01-01']
    """
    first = month_start(first)
    return [add_months(first, n) for n in range(max(months_between(first, last), 0))]


def contract_end(start, occurrences):
    """Return the automatic contract end: ``start`` + ``occurrences`` months − 1 day."""
    _check_start(start)
    _check_occurrences(occurrences)
    return _shifted(start, occurrences, start, occurrences) - _ONE_DAY


def recognition_bounds(start, occurrences, convention, end=None):
    """Return ``(S', E')``, the first and last day revenue is recognised for.

    S' follows the convention (rule 1). Without ``end``, E' = S' + N months
    − 1 day; with an explicit (inclusive) ``end``, E' is ``end`` moved by the
    same number of days as the start (rule 2). Raises ``ScheduleError``.

    Mid-month, started on the 16th: S' is the 1st of the next month, 16 days
    later, and an explicit end moves by the same 16 days.

    >>> recognition_bounds(date(2025, 3, 16), 3, "mid_month", end=date(2025, 6, 15))
    (datetime.date(2025, 4, 1), datetime.date(2025, 7, 1))
    >>> recognition_bounds(date(2025, 3, 16), 3, "mid_month")
    (datetime.date(2025, 4, 1), datetime.date(2025, 6, 30))
    """
    if convention not in CONVENTIONS:
        raise ScheduleError(
            "unknown_convention", convention=convention, allowed=CONVENTIONS
        )
    _check_start(start)
    _check_occurrences(occurrences)
    if convention == "next_month" or (convention == "mid_month" and start.day > 15):
        rec_start = _shifted(start.replace(day=1), 1, start, occurrences)
    elif convention == "mid_month":
        rec_start = start.replace(day=1)
    else:
        rec_start = start
    if end is None:
        rec_end = _shifted(rec_start, occurrences, start, occurrences) - _ONE_DAY
    else:
        try:
            rec_end = end + (rec_start - start)
        except OverflowError:
            raise ScheduleError(
                "date_out_of_range", start=start, occurrences=occurrences
            ) from None
        if rec_end < rec_start:
            raise ScheduleError(
                "end_before_start",
                start=start,
                end=end,
                recognition_start=rec_start,
                recognition_end=rec_end,
            )
    return rec_start, rec_end


def months_between(first, last):
    """Return how many calendar months the inclusive range touches."""
    return (last.year - first.year) * 12 + last.month - first.month + 1


def _shifted(value, months, start, occurrences):
    try:
        return add_months(value, months)
    except (ValueError, OverflowError):
        raise ScheduleError(
            "date_out_of_range", start=start, occurrences=occurrences
        ) from None


def _check_start(start):
    if start is None:
        raise ScheduleError("missing_start")


def _check_occurrences(occurrences):
    if type(occurrences) is not int or occurrences < 1:
        raise ScheduleError("bad_occurrences", occurrences=occurrences)
