"""Errors raised by the schedule engine.

Every error carries a stable ``code`` and the values involved in ``params``,
so the Odoo layer can show its own translated message; ``str(error)`` is an
English message that names the problem and the fix.
"""

_MONTHS = (
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
)

#: English message templates by error code (``str.format`` with ``params``).
MESSAGES = {
    "missing_start": (
        "The revenue schedule has no start date. Set a start date on the line "
        "(or an order or invoice date it can default to)."
    ),
    "bad_occurrences": (
        "The number of occurrences must be a whole number of at least 1 "
        "(got {occurrences}). Set the schedule's occurrences to 1 or more."
    ),
    "end_before_start": (
        "The recognition end {recognition_end} is before the recognition start "
        "{recognition_start} (start date {start}, end date {end}). Set an end "
        "date on or after the start date."
    ),
    "bad_percentages_length": (
        "The schedule has {count} percentages but {occurrences} occurrences. "
        "Give exactly one percentage per occurrence."
    ),
    "bad_percentages_sum": (
        "The percentages add up to {total}, not 100. Adjust them so that they "
        "add up to exactly 100."
    ),
    "bad_percentage": (
        "The percentage {value} is not a number of at least 0. Use only "
        "positive numbers or 0."
    ),
    "percentages_not_monthly": (
        "Percentages per period only apply to the 'monthly' basis, not to "
        "'{basis}'. Remove the percentages or switch the basis to monthly."
    ),
    "unknown_basis": ("Unknown recognition basis '{basis}'. Use one of: {allowed}."),
    "unknown_convention": (
        "Unknown recognition convention '{convention}'. Use one of: {allowed}."
    ),
    "bad_rounding": (
        "The {which} rounding unit {rounding} is not a number greater than 0. "
        "Set the currency's rounding to a positive value such as 0.01."
    ),
    "bad_amount": (
        "The {which} amount {amount} is not a finite number. Enter a numeric amount."
    ),
    "date_out_of_range": (
        "The schedule from {start} over {occurrences} occurrences ends beyond "
        "the last supported date. Use a realistic start date and term."
    ),
}


def format_date(value):
    """Format a date as ``15 Jan 2023`` without depending on the locale."""
    return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"


def _display(value):
    if hasattr(value, "isoformat") and hasattr(value, "day"):
        return format_date(value)
    if isinstance(value, tuple | list):
        return ", ".join(str(item) for item in value)
    return value


class ScheduleError(ValueError):
    """Invalid schedule input.

    ``code`` is one of the keys of :data:`MESSAGES`; ``params`` holds the raw
    values (dates, numbers, codes) the message refers to. ``key`` is the
    caller's id of the failing input when raised by ``compute_schedules``.
    """

    def __init__(self, code, **params):
        self.code = code
        self.params = params
        self.key = None
        shown = {name: _display(value) for name, value in params.items()}
        super().__init__(MESSAGES[code].format(**shown))
