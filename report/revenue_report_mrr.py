"""Rows of MRR by customer and month."""

from odoo import fields, models


class RevenueReportMrr(models.TransientModel):
    _name = "revenue.report.mrr"
    _description = "MRR by Customer and Month"
    _order = "month, partner_id"

    report_id = fields.Many2one("revenue.report", required=True, ondelete="cascade")
    currency_id = fields.Many2one(related="report_id.currency_id")
    month = fields.Date(required=True)
    partner_id = fields.Many2one("res.partner", string="Customer")
    mrr = fields.Monetary(string="MRR", help="Monthly recurring revenue.")
    arr = fields.Monetary(string="ARR", help="Annual recurring revenue: 12 × MRR.")
