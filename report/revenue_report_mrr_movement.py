"""Rows of the MRR movements by customer and month."""

from odoo import fields, models

from ..models.revenue_analytics import MOVEMENT_KINDS


class RevenueReportMrrMovement(models.TransientModel):
    _name = "revenue.report.mrr.movement"
    _description = "MRR Movement"
    _order = "month, partner_id"

    report_id = fields.Many2one("revenue.report", required=True, ondelete="cascade")
    currency_id = fields.Many2one(related="report_id.currency_id")
    month = fields.Date(required=True)
    partner_id = fields.Many2one("res.partner", string="Customer")
    kind = fields.Selection(list(MOVEMENT_KINDS), string="Movement", required=True)
    amount = fields.Monetary(help="Signed change of the customer's MRR.")
