"""The KPI screen's button that refreshes the Revenue dashboard's figures."""

from odoo import models


class RevenueReport(models.TransientModel):
    _inherit = "revenue.report"

    def action_refresh_dashboard(self):
        """The Revenue dashboard's figures of the active company, computed now."""
        return self.env["revenue.kpi.snapshot"].action_refresh()
