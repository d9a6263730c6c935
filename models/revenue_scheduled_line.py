from dataclasses import dataclass, field
from datetime import date

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import format_date

from ..engine import ScheduleError, period_count
from .schedule_errors import schedule_error_message

#: Revenue dates outside this range are refused (typing errors, overflows).
REVENUE_DATE_MIN = date(1900, 1, 1)
REVENUE_DATE_MAX = date(2199, 12, 31)


@dataclass
class RevenueSource:
    """One document line to schedule: an invoice line or an order line.

    A plain value object made by ``_prepare_revenue_sources()``: the amounts
    to spread (signed as revenue, in document and company currency), the
    term, and ``values`` copied onto every schedule line (state, document
    links, partner, product, accounts, analytic distribution).
    """

    record: object
    schedule: object
    start: object
    end: object
    currency: object
    company: object
    amount_currency: float
    amount: float
    values: dict = field(default_factory=dict)
    #: Billed minus allocated (price allocation): carried by one schedule line
    #: that is never recognised, in company and document currency.
    allocation_difference: float = 0.0
    allocation_difference_currency: float = 0.0
    #: Price allocation: ``RevenueSource``s of the part of this invoice line's
    #: amount that other obligations of the order recognise, on their terms.
    transfers: list = field(default_factory=list)
    #: Price allocation: what the invoice line bills above its allocation
    #: (negative: below), in document currency, kept on the invoice line.
    billed_above_allocation: float = 0.0


class RevenueScheduledLineMixin(models.AbstractModel):
    """Schedule dates of a document line (order line, invoice line).

    The concrete model provides ``_compute_revenue_schedule_id()`` (with its
    own dependencies), ``_revenue_start()``
    (the effective start), ``_revenue_start_depends()`` (the fields that start
    depends on), ``_revenue_label()`` (how a message names the line) and
    ``_prepare_revenue_sources()`` (what to schedule). The values of the
    schedule lines are made by ``_prepare_revenue_line_vals()``; both are the
    places to extend, as OCA add-ons extend ``_prepare_*`` methods.
    """

    _name = "revenue.scheduled.line.mixin"
    _description = "Document line with a revenue schedule"

    revenue_schedule_id = fields.Many2one(
        "revenue.schedule",
        compute="_compute_revenue_schedule_id",
        store=True,
        readonly=False,
        precompute=True,
        index="btree_not_null",
        check_company=True,
        help="Defer this line's revenue and recognise it with this schedule.",
    )
    revenue_start_date = fields.Date(string="Revenue Start")
    revenue_end_date = fields.Date(
        string="Revenue End",
        compute="_compute_revenue_end_date",
        store=True,
        readonly=False,
        precompute=True,
    )

    def _compute_revenue_schedule_id(self):
        raise NotImplementedError

    def _revenue_start_depends(self):
        return []

    @api.depends(
        lambda self: [
            "revenue_schedule_id",
            "revenue_start_date",
            *self._revenue_start_depends(),
        ]
    )
    def _compute_revenue_end_date(self):
        for line in self:
            schedule = line.revenue_schedule_id
            if schedule.automatic_contract_terms:
                start = line._revenue_start()
                if start and not REVENUE_DATE_MIN <= start <= REVENUE_DATE_MAX:
                    # Refused by _check_revenue_schedule_bounds, naming the line.
                    line.revenue_end_date = False
                else:
                    line.revenue_end_date = schedule._contract_end(start)
            else:
                line.revenue_end_date = schedule and line.revenue_end_date

    @api.constrains("revenue_start_date", "revenue_end_date")
    def _check_revenue_dates(self):
        for line in self:
            start = line._revenue_start()
            if line.revenue_end_date and start and line.revenue_end_date < start:
                raise ValidationError(
                    self.env._(
                        "%(line)s: the revenue end date %(end)s is before the start "
                        "date %(start)s. Correct the end date on the line.",
                        line=line._revenue_label(),
                        end=format_date(self.env, line.revenue_end_date),
                        start=format_date(self.env, start),
                    )
                )

    @api.constrains("revenue_schedule_id", "revenue_start_date", "revenue_end_date")
    def _check_revenue_schedule_bounds(self):
        """Dates from 1900 to 2199, and no more periods than the company allows.

        Checked before any schedule line is computed: the engine is never
        asked for a schedule longer than ``revenue_max_periods``.
        """
        for line in self.filtered("revenue_schedule_id"):
            line._revenue_check_schedule_bounds()

    def _revenue_check_schedule_bounds(self):
        """Raise a ValidationError naming the line if its schedule is out of bounds."""
        self.ensure_one()
        start = self._revenue_start()
        for value in (start, self.revenue_start_date, self.revenue_end_date):
            if value and not REVENUE_DATE_MIN <= value <= REVENUE_DATE_MAX:
                raise ValidationError(
                    self.env._(
                        "%(line)s: the revenue date %(date)s is outside the supported "
                        "range, %(min)s to %(max)s. Correct the revenue start and end "
                        "dates (or the document date).",
                        line=self._revenue_label(),
                        date=format_date(self.env, value),
                        min=format_date(self.env, REVENUE_DATE_MIN),
                        max=format_date(self.env, REVENUE_DATE_MAX),
                    )
                )
        schedule = self.revenue_schedule_id
        limit = self.company_id.revenue_max_periods or schedule._revenue_max_periods()
        if schedule.occurrences > limit:
            count = schedule.occurrences
        elif not start:
            return  # no start yet: the schedule cannot be computed, nor counted
        else:
            try:
                count = period_count(
                    start,
                    self.revenue_end_date or None,
                    schedule.recognition_basis,
                    schedule.recognition_convention,
                    schedule.occurrences,
                    schedule._engine_percentages(),
                )
            except ScheduleError as error:
                raise ValidationError(
                    schedule_error_message(self.env, error, self._revenue_label())
                ) from error
        if count > limit:
            raise ValidationError(
                self.env._(
                    "%(line)s: schedule %(schedule)s would give %(count)s lines from "
                    "%(start)s, more than the %(max)s periods allowed. Shorten the "
                    "term (revenue end date) or use a schedule with fewer "
                    "occurrences.",
                    line=self._revenue_label(),
                    schedule=schedule.display_name,
                    count=count,
                    start=format_date(self.env, start) if start else "-",
                    max=limit,
                )
            )

    def _revenue_start(self):
        raise NotImplementedError

    def _revenue_label(self):
        raise NotImplementedError

    def _prepare_revenue_sources(self):
        """``RevenueSource`` list of the lines of ``self`` to schedule."""
        raise NotImplementedError

    def _prepare_revenue_line_vals(self, source, schedule_lines):
        """``create()`` values of the schedule lines of one source.

        :param source: the ``RevenueSource`` of this record
        :param schedule_lines: the engine's ``ScheduleLine`` list for it
        """
        common = {
            "company_id": source.company.id,
            "currency_id": source.currency.id,
            "schedule_id": source.schedule.id,
            "on_hold": source.schedule.automatic_hold
            and source.values.get("state") == "pending",
            **source.values,
        }
        vals_list = [
            {
                **common,
                "sequence": line.sequence,
                "recognition_date": line.recognition_date,
                "period_start": line.period_start,
                "period_end": line.period_end,
                "amount": float(line.amount),
                "amount_currency": float(line.amount_currency),
            }
            for line in schedule_lines
        ]
        if source.allocation_difference or source.allocation_difference_currency:
            vals_list.append(
                {
                    **common,
                    "on_hold": False,
                    "allocation_difference": True,
                    "sequence": len(schedule_lines),
                    "recognition_date": source.start,
                    "period_start": source.start,
                    "period_end": source.start,
                    "amount": source.allocation_difference,
                    "amount_currency": source.allocation_difference_currency,
                }
            )
        return vals_list
