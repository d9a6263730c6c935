"""Pure-Python revenue schedule engine. Never imports odoo.

The rules it implements, with worked examples, are in ``readme/DEVELOP.md``
(*Schedule rules*); this example is the first of them.

>>> from datetime import date
>>> [(str(line.recognition_date), line.amount) for line in compute_schedule(
...     "300.00", date(2025, 11, 18), basis="occurrences",
...     convention="next_month", occurrences=3)]
[('2025-12-01', Decimal('100.00')), ('2026-01-01', Decimal('100.00')), \
('2026-02-01', Decimal('100.00'))]
"""

from .allocation import allocate
from .delivery import delivery_schedule
from .change import spread
from .dates import (
    CONVENTIONS,
    add_months,
    contract_end,
    month_end,
    month_start,
    month_starts,
    months_between,
    previous_month_end,
    recognition_bounds,
)
from .errors import MESSAGES, ScheduleError, format_date
from .mrr import monthly_amount, period_months
from .numbers import to_decimal
from .preview import Preview, preview
from .schedule import (
    ALL_BASES,
    BASES,
    DELIVERY_BASIS,
    MONTH_LCM,
    ScheduleInput,
    ScheduleLine,
    compute_schedule,
    compute_schedules,
    period_count,
)

__all__ = [
    "ALL_BASES",
    "DELIVERY_BASIS",
    "BASES",
    "CONVENTIONS",
    "MESSAGES",
    "MONTH_LCM",
    "Preview",
    "ScheduleError",
    "ScheduleInput",
    "ScheduleLine",
    "add_months",
    "allocate",
    "compute_schedule",
    "compute_schedules",
    "contract_end",
    "delivery_schedule",
    "format_date",
    "month_end",
    "month_start",
    "month_starts",
    "monthly_amount",
    "months_between",
    "period_count",
    "period_months",
    "previous_month_end",
    "preview",
    "recognition_bounds",
    "spread",
    "to_decimal",
]
