"""Schedule preview for setup screens: the lines plus why there may be N + 1."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .dates import months_between, recognition_bounds
from .schedule import compute_schedule


@dataclass(frozen=True, slots=True)
class Preview:
    """What a schedule would produce, with the facts a form needs to explain it.

    ``extra_line`` is True when a monthly basis spreads an N-month term over
    N + 1 calendar months. ``explanation_code``/``explanation_params`` let a
    caller build its own (translated) sentence.
    """

    lines: list
    total: Decimal
    line_count: int
    occurrences: int
    months_touched: int
    recognition_start: date
    recognition_end: date
    extra_line: bool
    explanation_code: str
    explanation_params: dict


def preview(
    amount,
    start,
    *,
    basis,
    convention,
    occurrences,
    end=None,
    percentages=None,
    rounding=Decimal("0.01"),
):
    """Compute a one-currency schedule and explain its line count."""
    lines = compute_schedule(
        amount,
        start,
        basis=basis,
        convention=convention,
        occurrences=occurrences,
        end=end,
        percentages=percentages,
        currency_rounding=rounding,
    )
    rec_start, rec_end = recognition_bounds(start, occurrences, convention, end)
    months = months_between(rec_start, rec_end)
    by_month = basis != "occurrences" and not percentages
    extra_line = by_month and months == occurrences + 1
    code = None
    params = {}
    if by_month and months != occurrences:
        code = (
            "start_not_first_day"
            if extra_line and rec_start.day != 1
            else "term_months"
        )
        params = {
            "start": rec_start,
            "end": rec_end,
            "occurrences": occurrences,
            "months": months,
        }
    return Preview(
        lines=lines,
        total=sum((line.amount_currency for line in lines), Decimal(0)),
        line_count=len(lines),
        occurrences=occurrences,
        months_touched=months,
        recognition_start=rec_start,
        recognition_end=rec_end,
        extra_line=extra_line,
        explanation_code=code,
        explanation_params=params,
    )
