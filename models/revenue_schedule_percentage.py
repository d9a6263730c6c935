"""The percentage of each period of a schedule by percentages."""

from odoo import api, fields, models
from odoo.exceptions import ValidationError


class RevenueSchedulePercentage(models.Model):
    _name = "revenue.schedule.percentage"
    _description = "Revenue Schedule Period Percentage"
    _order = "schedule_id, sequence, id"

    schedule_id = fields.Many2one(
        "revenue.schedule", required=True, ondelete="cascade", index=True
    )
    sequence = fields.Integer(default=1)
    period = fields.Integer(compute="_compute_period")
    percentage = fields.Float(digits=(16, 4), required=True)

    @api.depends("schedule_id.percentage_ids.sequence")
    def _compute_period(self):
        for row in self:
            rows = row.schedule_id.percentage_ids.sorted(lambda r: (r.sequence, r.id))
            row.period = (list(rows).index(row) + 1) if row in rows else 0

    @api.constrains("percentage")
    def _check_percentage_range(self):
        for row in self:
            if not 0 <= row.percentage <= 100:
                raise ValidationError(
                    self.env._(
                        "Schedule %(schedule)s, period %(period)s: the percentage "
                        "%(percentage)s is not between 0 and 100. Enter a share of "
                        "the amount between 0 and 100.",
                        schedule=row.schedule_id.display_name,
                        period=row.period,
                        percentage=row.percentage,
                    )
                )
