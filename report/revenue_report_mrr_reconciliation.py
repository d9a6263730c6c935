"""Rows of the reconciliation of MRR with invoiced revenue."""

from odoo import api, fields, models


class RevenueReportMrrReconciliation(models.TransientModel):
    _name = "revenue.report.mrr.reconciliation"
    _description = "MRR Reconciliation"
    _order = "partner_id"

    report_id = fields.Many2one("revenue.report", required=True, ondelete="cascade")
    currency_id = fields.Many2one(related="report_id.currency_id")
    month = fields.Date(required=True)
    partner_id = fields.Many2one("res.partner", string="Customer")
    mrr = fields.Monetary(string="MRR")
    invoiced = fields.Monetary(
        help="Untaxed amount of the invoices dated in the month, credit notes negative."
    )
    recognised = fields.Monetary()
    difference = fields.Monetary(
        compute="_compute_difference",
        store=True,
        help="Invoiced − MRR: what the reasons explain.",
    )
    reason_one_off = fields.Monetary(string="One-off")
    reason_timing = fields.Monetary(string="Timing")
    reason_discount = fields.Monetary(string="Discount")
    reason_credit_note = fields.Monetary(string="Credit note")
    reason_upgrade_downgrade = fields.Monetary(string="Upgrade / downgrade")
    reason_unexplained = fields.Monetary(string="Unexplained")

    @api.depends("mrr", "invoiced")
    def _compute_difference(self):
        for line in self:
            line.difference = line.invoiced - line.mrr
