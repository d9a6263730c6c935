"""Rows of the deferred revenue roll-forward, one per month."""

from odoo import api, fields, models
from odoo.tools import format_date


class RevenueReportRollforward(models.TransientModel):
    _name = "revenue.report.rollforward"
    _description = "Deferred Revenue Roll-forward"
    _order = "month"

    report_id = fields.Many2one("revenue.report", required=True, ondelete="cascade")
    currency_id = fields.Many2one(related="report_id.currency_id")
    month = fields.Date(required=True)
    opening = fields.Monetary(help="Deferred revenue at the end of the previous month.")
    invoiced = fields.Monetary(help="Revenue deferred by invoices dated in the month.")
    credited = fields.Monetary(
        help="Deferred revenue taken back by credit notes dated in the month."
    )
    recognised = fields.Monetary(
        help="Revenue recognised by entries dated in the month."
    )
    closing = fields.Monetary(help="Opening + invoiced + credited − recognised.")
    gl_balance = fields.Monetary(
        string="Ledger balance",
        help="Credit balance of the deferred revenue accounts at the end of the "
        "month, posted entries.",
    )
    difference = fields.Monetary(help="Closing − ledger balance: 0 when it ties.")
    accrued = fields.Monetary(
        string="Accrued (unbilled)",
        help="Shown apart, never in the deferred balance: the debit balance of the "
        "unbilled revenue accounts (418) at the end of the month, i.e. revenue "
        "earned and not invoiced yet, accrued at the month end and reversed the "
        "next day.",
    )

    @api.depends("month")
    def _compute_display_name(self):
        # "November 2026" / "novembre 2026": a month, not the date of its 1st
        for row in self:
            row.display_name = format_date(self.env, row.month, date_format="MMMM y")

    def action_drilldown(self):
        """What makes up the figure named in the context's ``figure``."""
        self.ensure_one()
        figure = self.env.context.get("figure")
        model, domain = self._drilldown_domain(figure)
        label = self._fields[figure].get_description(self.env)["string"]
        name = f"{label} · {self.month.strftime('%Y-%m')}"
        if model == "account.move.line":
            return {
                "type": "ir.actions.act_window",
                "name": name,
                "res_model": model,
                "view_mode": "list,form,pivot",
                "views": [
                    (self.env.ref("account.view_move_line_tree").id, "list"),
                    (False, "form"),
                    (False, "pivot"),
                ],
                "domain": domain,
                "context": {"create": False, "search_default_group_by_account": 1},
            }
        return self.report_id._schedule_lines_action(name, domain)

    def _drilldown_domain(self, figure):
        """(model, domain) of the records whose amounts make up ``figure``:
        ``rollforward_domain()``."""
        self.ensure_one()
        report = self.report_id
        return report._analytics().rollforward_domain(
            figure, self.month, company_ids=report._companies().ids
        )
