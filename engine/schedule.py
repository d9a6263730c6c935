"""Revenue schedules: periods, weights and cumulative rounding.

Schedule rules 3 (periods), 4 (amounts) and 5 (recognition dates), as
numbered in ``readme/DEVELOP.md`` (*Schedule rules*).

All arithmetic is exact and integer-based: monthly weights are scaled by
:data:`MONTH_LCM` so that every weight is an integer, the total is expressed
as an exact fraction of rounding units, and each cumulative amount is rounded
half away from zero with ``divmod``-style floor division.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, Context, Decimal, localcontext
from math import lcm

from .dates import (
    add_months,
    days_in_month,
    month_end,
    months_between,
    recognition_bounds,
)
from .errors import ScheduleError
from .numbers import to_decimal

#: Allowed ``recognition_basis`` codes.
BASES = ("occurrences", "monthly", "monthly_days")
#: The basis whose lines follow deliveries (``engine.delivery``), not time.
DELIVERY_BASIS = "delivery"
#: Every basis a schedule may have.
ALL_BASES = (*BASES, DELIVERY_BASIS)

#: Least common multiple of 28, 29, 30 and 31: a day in any month is a whole
#: number of 1/MONTH_LCM months, so ``monthly`` weights stay integers.
MONTH_LCM = 377580

_ONE_DAY = timedelta(days=1)
# Products of an integer and a rounding unit are exact under this context,
# whatever precision the caller's thread context has.
_EXACT = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN)


@dataclass(frozen=True, slots=True)
class ScheduleLine:
    """One line of a schedule, in document and company currency (same sign)."""

    sequence: int
    recognition_date: date
    period_start: date
    period_end: date
    amount_currency: Decimal
    amount: Decimal


class _new_line:  # noqa: N801 - used like a function: it returns a ScheduleLine
    """Fast constructor of :class:`ScheduleLine`, for the batch hot loop.

    The frozen dataclass ``__init__`` stores each field through
    ``object.__setattr__``, which was a quarter of the time of a batch. This
    twin has the same slots, so it fills them with plain stores and then
    becomes a ScheduleLine (``__class__`` assignment between identical slot
    layouts); the result is indistinguishable from ``ScheduleLine(...)``.
    """

    __slots__ = ScheduleLine.__slots__

    def __init__(
        self,
        sequence,
        recognition_date,
        period_start,
        period_end,
        amount_currency,
        amount,
    ):
        self.sequence = sequence
        self.recognition_date = recognition_date
        self.period_start = period_start
        self.period_end = period_end
        self.amount_currency = amount_currency
        self.amount = amount
        self.__class__ = ScheduleLine


@dataclass(frozen=True, slots=True)
class ScheduleInput:
    """One schedule to compute in :func:`compute_schedules`.

    ``amount`` is the company-currency total (``None``: same as
    ``amount_currency``); ``company_rounding`` defaults to
    ``currency_rounding``. ``key`` is returned untouched with the lines.
    """

    amount_currency: object
    start: date
    basis: str
    convention: str
    occurrences: int
    end: date = None
    percentages: tuple = None
    currency_rounding: object = Decimal("0.01")
    amount: object = None
    company_rounding: object = None
    key: object = None


@dataclass(frozen=True, slots=True)
class _Structure:
    """Amount-independent part of a schedule, shared by identical terms.

    ``periods`` holds ``(recognition_date, period_start, period_end)`` and
    ``cumulative`` the running sum of integer weights (last item = total).
    """

    recognition_start: date
    recognition_end: date
    periods: tuple
    cumulative: tuple


def compute_schedule(
    amount_currency,
    start,
    *,
    basis,
    convention,
    occurrences,
    end=None,
    percentages=None,
    currency_rounding=Decimal("0.01"),
    amount=None,
    company_rounding=None,
):
    """Return the schedule lines of one amount as a list of :class:`ScheduleLine`.

    Amounts accept ``Decimal``, ``int``, ``str`` or ``float`` (read through
    ``str``); rounding units must be greater than 0. Lines that round to zero
    in both currencies are left out. ``end`` (inclusive) shapes only the
    calendar-month bases; ``occurrences`` and percentage schedules always
    have N periods (an end before the start is still an error). Raises
    :class:`ScheduleError`.

    Cumulative rounding: each line is the rounded running total minus the
    previous one, so the lines always add up to the amount.

    >>> [str(line.amount_currency) for line in compute_schedule(
    ...     "100.00", date(2026, 1, 1), basis="occurrences",
    ...     convention="actual_start", occurrences=3)]
    ['33.33', '33.34', '33.33']
    """
    structure = build_structure(start, end, basis, convention, occurrences, percentages)
    with localcontext(_EXACT):
        return _lines(
            structure, amount_currency, currency_rounding, amount, company_rounding
        )


def compute_schedules(inputs):
    """Compute many schedules: ``[(input.key, lines), ...]`` in input order.

    Inputs with the same dates, basis, convention, occurrences and
    percentages share one period structure, so large batches cost little
    more than the rounding itself. A :class:`ScheduleError` raised for an
    input carries that input's ``key`` in its ``key`` attribute.
    """
    structures = {}
    results = []
    with localcontext(_EXACT):
        for item in inputs:
            # Hashable key; an empty sequence means no percentages.
            percentages = tuple(item.percentages) if item.percentages else None
            cache_key = (
                item.start,
                item.end,
                item.basis,
                item.convention,
                item.occurrences,
                percentages,
            )
            try:
                structure = structures.get(cache_key)
                if structure is None:
                    structure = structures[cache_key] = build_structure(*cache_key)
                lines = _lines(
                    structure,
                    item.amount_currency,
                    item.currency_rounding,
                    item.amount,
                    item.company_rounding,
                )
            except ScheduleError as error:
                error.key = item.key
                raise
            results.append((item.key, lines))
    return results


def period_count(start, end, basis, convention, occurrences, percentages=None):
    """Return how many periods (lines, at most) a schedule has, without building it.

    Constant time: the caller can refuse a schedule that would be too long
    before asking for its lines. Raises :class:`ScheduleError` like
    :func:`build_structure` for bad terms (except the percentages' values).
    """
    if basis not in ALL_BASES:
        raise ScheduleError("unknown_basis", basis=basis, allowed=ALL_BASES)
    rec_start, rec_end = recognition_bounds(start, occurrences, convention, end)
    if basis == DELIVERY_BASIS:
        return 1
    if basis == "occurrences" or percentages:
        return occurrences
    return months_between(rec_start, rec_end)


def build_structure(start, end, basis, convention, occurrences, percentages=None):
    """Validate the terms and return their periods and cumulative weights."""
    if basis not in ALL_BASES:
        raise ScheduleError("unknown_basis", basis=basis, allowed=ALL_BASES)
    rec_start, rec_end = recognition_bounds(start, occurrences, convention, end)
    if percentages and basis != "monthly":
        raise ScheduleError("percentages_not_monthly", basis=basis)
    if basis == DELIVERY_BASIS:
        # Without deliveries (engine.delivery), a point in time: one line on S.
        periods, weights = [(start, start, start)], [1]
    elif basis == "occurrences" or percentages:
        periods = _occurrence_periods(rec_start, occurrences, convention)
        if percentages:
            weights = _percentage_weights(percentages, occurrences)
        else:
            weights = [1] * occurrences
    else:
        periods, weights = _month_periods(
            rec_start, rec_end, convention, basis == "monthly"
        )
    cumulative = []
    running = 0
    for weight in weights:
        running += weight
        cumulative.append(running)
    return _Structure(rec_start, rec_end, tuple(periods), tuple(cumulative))


def _occurrence_periods(rec_start, occurrences, convention):
    # Boundaries are computed from S' each time so that day clamping
    # (31 Jan -> 28 Feb) never drifts to later periods.
    bounds = [add_months(rec_start, k) for k in range(occurrences + 1)]
    periods = []
    for k in range(occurrences):
        period_start = bounds[k]
        # Rule 5: actual_start and every first line on S' (= period start).
        if convention == "month_end":
            when = month_end(period_start)
        elif convention == "actual_start" or k == 0:
            when = period_start
        else:
            when = period_start.replace(day=1)
        periods.append((when, period_start, bounds[k + 1] - _ONE_DAY))
    return periods


def _month_periods(rec_start, rec_end, convention, prorated):
    # Walks (year, month) integers rather than dates: this runs once per
    # distinct term and dominated large batches with varied start dates.
    periods = []
    weights = []
    year, month = rec_start.year, rec_start.month
    last_index = (rec_end.year - year) * 12 + rec_end.month - month
    for k in range(last_index + 1):
        length = days_in_month(year, month)
        period_start = date(year, month, 1) if k else rec_start
        period_end = date(year, month, length) if k < last_index else rec_end
        days = period_end.day - period_start.day + 1
        weights.append(days * (MONTH_LCM // length) if prorated else days)
        # Rule 5. Period k lies in the month of S' + k months, so clamping
        # S' + k months into the period only changes the partial last month.
        # For the first-of-month conventions the period start is the date:
        # S' for the first month, the 1st afterwards.
        if convention == "actual_start":
            when = min(date(year, month, min(rec_start.day, length)), period_end)
        elif convention == "month_end":
            when = date(year, month, length)
        else:
            when = period_start
        periods.append((when, period_start, period_end))
        if month == 12:
            year, month = year + 1, 1
        else:
            month += 1
    return periods, weights


def _percentage_weights(percentages, occurrences):
    if len(percentages) != occurrences:
        raise ScheduleError(
            "bad_percentages_length", count=len(percentages), occurrences=occurrences
        )
    ratios = []
    for value in percentages:
        number = _parse_number(value)
        if number is None or number < 0:
            raise ScheduleError("bad_percentage", value=value)
        ratios.append(number.as_integer_ratio())
    denominator = lcm(*(den for _num, den in ratios))
    weights = [num * (denominator // den) for num, den in ratios]
    if sum(weights) != 100 * denominator:
        total = Decimal(sum(weights)) / denominator
        raise ScheduleError("bad_percentages_sum", total=total)
    return weights


def _parse_number(value):
    """``value`` (a number or a numeric text) as a finite Decimal, converted
    by :func:`numbers.to_decimal`; None if it is not a number."""
    if not isinstance(value, Decimal | float | int | str):
        return None
    try:
        number = to_decimal(value)
    except ArithmeticError:
        return None
    return number if number.is_finite() else None


def _rounding(value, which):
    unit = _parse_number(value)
    if unit is None or unit <= 0:
        raise ScheduleError("bad_rounding", rounding=value, which=which)
    return unit


def _amount(value, which):
    number = _parse_number(value)
    if number is None:
        raise ScheduleError("bad_amount", amount=value, which=which)
    return number


def _cumulative_units(total, unit, cumulative):
    """Round ``total × cumulative_k / cumulative_last`` to whole ``unit``s.

    Half away from zero, in integers: the total is the exact fraction p/q of
    rounding units, so each rounded prefix is floor((2p·C + q·W) / (2q·W))
    for p ≥ 0, mirrored for p < 0 so that negating the total negates every
    line.
    """
    total_num, total_den = total.as_integer_ratio()
    unit_num, unit_den = unit.as_integer_ratio()
    p = total_num * unit_den
    q = total_den * unit_num
    half = q * cumulative[-1]
    full = 2 * half
    if p >= 0:
        twice = 2 * p
        return [(twice * c + half) // full for c in cumulative]
    twice = -2 * p
    return [-((twice * c + half) // full) for c in cumulative]


def _lines(structure, amount_currency, currency_rounding, amount, company_rounding):
    total_currency = _amount(amount_currency, "document currency")
    unit_currency = _rounding(currency_rounding, "document currency")
    cumulative = structure.cumulative
    rounded_currency = _cumulative_units(total_currency, unit_currency, cumulative)
    if amount is None and company_rounding is None:
        rounded_company, unit_company = rounded_currency, unit_currency
    else:
        total_company = (
            total_currency if amount is None else _amount(amount, "company currency")
        )
        unit_company = (
            unit_currency
            if company_rounding is None
            else _rounding(company_rounding, "company currency")
        )
        rounded_company = _cumulative_units(total_company, unit_company, cumulative)
    same = rounded_company is rounded_currency
    # Line amounts repeat (every full month weighs the same): share one
    # Decimal per distinct value instead of allocating one per line.
    amounts_currency = {}
    amounts_company = amounts_currency if same else {}
    lines = []
    sequence = 0
    previous_currency = previous_company = 0
    for (when, period_start, period_end), now_currency, now_company in zip(
        structure.periods, rounded_currency, rounded_company, strict=True
    ):
        units_currency = now_currency - previous_currency
        units_company = now_company - previous_company
        previous_currency = now_currency
        previous_company = now_company
        if units_currency or units_company:
            line_currency = amounts_currency.get(units_currency)
            if line_currency is None:
                line_currency = amounts_currency[units_currency] = (
                    units_currency * unit_currency
                )
            line_company = amounts_company.get(units_company)
            if line_company is None:
                line_company = amounts_company[units_company] = (
                    units_company * unit_company
                )
            lines.append(
                _new_line(
                    sequence,
                    when,
                    period_start,
                    period_end,
                    line_currency,
                    line_company,
                )
            )
            sequence += 1
    return lines
