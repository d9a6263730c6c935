"""What the Revenue dashboard shows of the KPIs and of the rolling forecast.

A spreadsheet dashboard reads stored records (``read_group`` or
``web_search_read``), while the KPIs, their alerts and the forecast are
computed by ``revenue.analytics``. This model stores, per company, the last
answer of ``revenue.analytics``: the KPIs of the month that closed last (with
the alerts of ``kpis()``), the forecast of the next 12 months and of the next
13 weeks (from this week's Monday), and plan vs actual of the last 12
months. The daily KPI-alert cron refreshes it, the KPI screen's *Refresh the
dashboard* button too; the dashboard says when it was computed.
Nothing here is a second definition: every value is a result of the
analytics, copied.
"""

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models

from .revenue_analytics import KPI_RATIOS, month_last_day, month_start

#: Months of the dashboard's forecast and of its plan vs actual.
DASHBOARD_MONTHS = 12
#: Weeks of the dashboard's weekly forecast.
DASHBOARD_WEEKS = 13


class RevenueKpiSnapshot(models.Model):
    _name = "revenue.kpi.snapshot"
    _description = "Revenue Dashboard Figures"
    _order = "company_id, kind, period_start"
    _rec_name = "period_start"

    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, index=True, ondelete="cascade"
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    kind = fields.Selection(
        [
            ("kpi", "KPIs of the closed month"),
            ("forecast", "Forecast"),
            ("forecast_week", "Forecast by week"),
            ("plan", "Plan vs actual"),
        ],
        string="Figures",
        required=True,
        readonly=True,
    )
    period_start = fields.Date(required=True, readonly=True)
    computed_at = fields.Datetime(string="Computed on", readonly=True)
    # --- kind "kpi": revenue.analytics.kpis() of the month -----------------------
    bookings = fields.Monetary(readonly=True)
    recognised = fields.Monetary(readonly=True)
    backlog = fields.Monetary(readonly=True)
    kpi_months = fields.Integer(string="Months in the period", readonly=True)
    book_to_bill = fields.Float(
        string="Book-to-bill (bookings ÷ recognised)", readonly=True
    )
    coverage_months = fields.Float(
        string="Coverage (months)",
        readonly=True,
        help="Backlog ÷ (recognised ÷ months of the period).",
    )
    lead_time_days = fields.Float(string="Lead time (days)", readonly=True)
    undefined_kpis = fields.Char(
        string="Undefined (divisor 0)",
        readonly=True,
        help="KPIs whose divisor is zero (shown empty).",
    )
    threshold_book_to_bill = fields.Float(
        string="Book-to-bill Alert Below", readonly=True
    )
    threshold_coverage_months = fields.Float(
        string="Coverage Alert Below (months)", readonly=True
    )
    threshold_lead_time_days = fields.Float(
        string="Lead Time Alert Above (days)", readonly=True
    )
    alert_book_to_bill = fields.Boolean(string="Book-to-bill alert", readonly=True)
    alert_coverage_months = fields.Boolean(string="Coverage alert", readonly=True)
    alert_lead_time_days = fields.Boolean(string="Lead time alert", readonly=True)
    alert_count = fields.Integer(string="Alerts", readonly=True)
    # --- kind "forecast": revenue.analytics.forecast() ---------------------------
    expected = fields.Monetary(string="Signed, not invoiced", readonly=True)
    deferred = fields.Monetary(string="Invoiced, not recognised", readonly=True)
    total = fields.Monetary(string="To recognise", readonly=True)
    # --- kind "plan": revenue.analytics.plan_vs_actual() -------------------------
    planned = fields.Monetary(readonly=True)
    actual = fields.Monetary(string="Recognised in the month", readonly=True)
    difference = fields.Monetary(readonly=True)

    @api.model
    def _snapshot_vals(self, company, today):
        """The rows of ``company`` as ``revenue.analytics`` computes them today."""
        analytics = (
            self.env["revenue.analytics"]
            .with_company(company)
            .with_context(allowed_company_ids=company.ids)
        )
        now = fields.Datetime.now()
        common = {"company_id": company.id, "computed_at": now}
        closed = month_start(today) - relativedelta(months=1)
        kpis = analytics.kpis(closed, month_last_day(closed), company_ids=company.ids)
        rows = [
            {
                **common,
                "kind": "kpi",
                "period_start": closed,
                "bookings": kpis["bookings"],
                "recognised": kpis["recognised"],
                "backlog": kpis["backlog"],
                "kpi_months": analytics.kpi_months(closed, month_last_day(closed)),
                **{name: kpis[name] or 0.0 for name in KPI_RATIOS},
                "undefined_kpis": ",".join(n for n in KPI_RATIOS if kpis[n] is False)
                or False,
                "threshold_book_to_bill": company.revenue_alert_book_to_bill,
                "threshold_coverage_months": company.revenue_alert_coverage_months,
                "threshold_lead_time_days": company.revenue_alert_lead_time_days,
                **{f"alert_{name}": name in kpis["alerts"] for name in KPI_RATIOS},
                "alert_count": len(kpis["alerts"]),
            }
        ]
        start = month_start(today)
        monday = today - relativedelta(days=today.weekday())
        for kind, first, periods, period in (
            ("forecast", start, DASHBOARD_MONTHS, "month"),
            ("forecast_week", monday, DASHBOARD_WEEKS, "week"),
        ):
            rows += [
                {
                    **common,
                    "kind": kind,
                    "period_start": row["period_start"],
                    "expected": row["expected"],
                    "deferred": row["deferred"],
                    "total": row["total"],
                }
                for row in analytics.forecast(
                    first, periods, period, company_ids=company.ids
                )
            ]
        for row in analytics.plan_vs_actual(
            start - relativedelta(months=DASHBOARD_MONTHS),
            DASHBOARD_MONTHS,
            "month",
            company_ids=company.ids,
        ):
            rows.append(
                {
                    **common,
                    "kind": "plan",
                    "period_start": row["period_start"],
                    "planned": row["planned"],
                    "actual": row["actual"],
                    "difference": row["difference"],
                }
            )
        return rows

    @api.model
    def _refresh(self, companies=None):
        """Replace the rows of ``companies`` (default: the active one) by what
        the analytics compute today (the user must be allowed in them: the
        analytics check it; the rows are then written as superuser, as nobody
        writes them by hand)."""
        companies = companies or self.env.company
        today = fields.Date.context_today(self)
        vals = []
        for company in companies:
            vals += self._snapshot_vals(company, today)
        snapshots = self.sudo()
        snapshots.search([("company_id", "in", companies.ids)]).unlink()
        return snapshots.create(vals)

    @api.model
    def action_refresh(self):
        """The dashboard's figures of the active company, computed now."""
        self.check_access("read")
        self._refresh(self.env.company)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._(
                    "The Revenue dashboard's figures are up to date."
                ),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }


class RevenueAnalytics(models.AbstractModel):
    _inherit = "revenue.analytics"

    @api.model
    def _cron_kpi_alerts(self):
        """The alerts of the closed month, then the dashboard's figures of
        every company."""
        result = super()._cron_kpi_alerts()
        for company in self.env["res.company"].search([]):
            self.env["revenue.kpi.snapshot"].with_company(company).with_context(
                allowed_company_ids=company.ids
            )._refresh(company)
        return result
