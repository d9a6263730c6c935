"""Rows of the revenue forecast, one per week or month, with plan vs actual."""

from odoo import api, fields, models


class RevenueReportForecast(models.TransientModel):
    _name = "revenue.report.forecast"
    _description = "Revenue Forecast"
    _order = "period_start"

    report_id = fields.Many2one("revenue.report", required=True, ondelete="cascade")
    currency_id = fields.Many2one(related="report_id.currency_id")
    period_start = fields.Date(string="Period", required=True)
    expected = fields.Monetary(
        string="Signed, not invoiced",
        help="Expected lines to recognise in the period, as they stand now.",
    )
    deferred = fields.Monetary(
        string="Invoiced, not recognised",
        help="Deferred revenue to recognise in the period, as it stands now.",
    )
    total = fields.Monetary(string="To recognise")
    is_past = fields.Boolean(
        string="Started", help="The period has started: plan vs actual applies."
    )
    planned = fields.Monetary(
        help="What was planned at the start of the period: the lines to "
        "recognise in it as they stood the day before it started.",
    )
    actual = fields.Monetary(help="Revenue recognised in the period.")
    difference = fields.Monetary(
        compute="_compute_difference",
        store=True,
        help="Actual − planned.",
    )

    @api.depends("planned", "actual")
    def _compute_difference(self):
        for row in self:
            row.difference = row.actual - row.planned
