"""From Odoo records to engine inputs, and from engine lines to create() values."""

from dataclasses import dataclass, field
from decimal import Decimal

from odoo.exceptions import UserError

from ..engine import ScheduleError, ScheduleInput, compute_schedules
from .schedule_errors import schedule_error_message


@dataclass
class RevenueSource:
    """One document line to schedule: an invoice line or an order line."""

    record: object
    schedule: object
    start: object
    end: object
    currency: object
    company: object
    amount_currency: float
    amount: float
    values: dict = field(default_factory=dict)


def _decimal(value, currency):
    """The float amount of a record, exactly as its currency rounds it."""
    return Decimal(str(currency.round(value)))


def build_line_vals(env, sources):
    """``create()`` values of revenue.recognition.line for many sources at once.

    One engine batch call; a bad source raises a UserError naming its record,
    before anything is written.
    """
    inputs = []
    for index, source in enumerate(sources):
        # the start may come from a date changed since the line was saved
        source.record._revenue_check_schedule_bounds()
        schedule = source.schedule
        company_currency = source.company.currency_id
        inputs.append(
            ScheduleInput(
                amount_currency=_decimal(source.amount_currency, source.currency),
                amount=_decimal(source.amount, company_currency),
                start=source.start,
                end=source.end or None,
                currency_rounding=Decimal(str(source.currency.rounding)),
                company_rounding=Decimal(str(company_currency.rounding)),
                key=index,
                **schedule._engine_kwargs(),
            )
        )
    try:
        results = compute_schedules(inputs)
    except ScheduleError:
        _raise_first_error(env, sources, inputs)
        raise
    vals_list = []
    for index, lines in results:
        source = sources[index]
        common = {
            "company_id": source.company.id,
            "currency_id": source.currency.id,
            "schedule_id": source.schedule.id,
            "on_hold": source.schedule.automatic_hold
            and source.values.get("state") == "pending",
            **source.values,
        }
        for line in lines:
            vals_list.append(
                {
                    **common,
                    "sequence": line.sequence,
                    "recognition_date": line.recognition_date,
                    "period_start": line.period_start,
                    "period_end": line.period_end,
                    "amount": float(line.amount),
                    "amount_currency": float(line.amount_currency),
                }
            )
    return vals_list


def _raise_first_error(env, sources, inputs):
    """Name the record whose schedule cannot be computed (error path only)."""
    for source, schedule_input in zip(sources, inputs, strict=True):
        try:
            compute_schedules([schedule_input])
        except ScheduleError as error:
            raise UserError(
                schedule_error_message(env, error, source.record._revenue_label())
            ) from error
