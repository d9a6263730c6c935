"""Rows of the backlog by risk."""

from odoo import fields, models


class RevenueReportBacklogRisk(models.TransientModel):
    _name = "revenue.report.backlog.risk"
    _description = "Backlog by Risk"
    _order = "id"

    report_id = fields.Many2one("revenue.report", required=True, ondelete="cascade")
    currency_id = fields.Many2one(related="report_id.currency_id")
    risk_id = fields.Many2one("revenue.risk")
    name = fields.Char(string="Risk name")
    amount = fields.Monetary()
