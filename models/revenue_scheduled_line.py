from odoo import api, fields, models
from odoo.exceptions import ValidationError


class RevenueScheduledLineMixin(models.AbstractModel):
    """Schedule dates of a document line (order line, invoice line).

    The concrete model provides ``_compute_revenue_schedule_id()`` (with its
    own dependencies), ``_revenue_start()``
    (the effective start), ``_revenue_start_depends()`` (the fields that start
    depends on) and ``_revenue_label()`` (how a message names the line).
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
                line.revenue_end_date = schedule._contract_end(line._revenue_start())
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
                        end=line.revenue_end_date,
                        start=start,
                    )
                )

    def _revenue_start(self):
        raise NotImplementedError

    def _revenue_label(self):
        raise NotImplementedError
