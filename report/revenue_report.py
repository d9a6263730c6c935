"""Month-end reports: the screens over ``revenue.analytics``.

``revenue.report`` is the period form (dates, companies); its buttons call
``revenue.analytics`` once and store what it returns as transient rows, so
that Odoo's own list, pivot and graph views show them, group them and export
them (stored fields). Every figure and the domain of the records it opens
come from ``revenue.analytics``: the screens never define a figure again.

Over 500 lines because it is the one period form of every report (fields,
the compute and open button of each report type); the rows each report
stores are in their own files next to it.
"""

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, float_is_zero, float_round, format_date

from ..models.revenue_analytics import (
    BANDS,
    KPI_RATIOS,
    RECONCILIATION_REASONS,
    month_last_day,
    month_start,
    months_of,
)

REPORT_TYPES = [
    ("rollforward", "Deferred revenue roll-forward"),
    ("backlog", "Backlog (RPO)"),
    ("mrr", "MRR / ARR"),
    ("kpis", "KPIs"),
    ("forecast", "Forecast"),
]


class RevenueReport(models.TransientModel):
    _name = "revenue.report"
    _description = "Revenue Report"

    report_type = fields.Selection(
        REPORT_TYPES, string="Report", required=True, default="rollforward"
    )
    date_from = fields.Date(
        string="From",
        required=True,
        default=lambda self: (
            month_start(fields.Date.context_today(self)) - relativedelta(months=11)
        ),
    )
    date_to = fields.Date(
        string="To",
        required=True,
        default=lambda self: month_last_day(fields.Date.context_today(self)),
    )
    as_of = fields.Date(
        string="As of",
        default=fields.Date.context_today,
        help="Backlog: what was signed on or before this date and not recognised "
        "by then.",
    )
    company_ids = fields.Many2many(
        "res.company",
        string="Companies",
        required=True,
        default=lambda self: self.env.companies,
    )
    currency_id = fields.Many2one(
        "res.currency", default=lambda self: self.env.company.currency_id
    )
    # backlog (IFRS 15.120)
    backlog_expected = fields.Monetary(
        string="Signed, not invoiced", help="Expected lines: signed, not invoiced."
    )
    backlog_deferred = fields.Monetary(
        string="Invoiced, not recognised",
        help="Deferred revenue: invoiced, not recognised yet.",
    )
    backlog_total = fields.Monetary(string="Remaining performance obligations")
    band_within_12_months = fields.Monetary(string="Within 12 months")
    band_from_12_to_24_months = fields.Monetary(string="12 to 24 months")
    band_beyond_24_months = fields.Monetary(string="Beyond 24 months")
    # KPIs of the whole period
    bookings = fields.Monetary(
        help="Untaxed amount of the scheduled lines of the orders dated in the "
        "period, and of the scheduled lines of invoices without order dated in it."
    )
    recognised = fields.Monetary(help="Revenue recognised in the period.")
    book_to_bill = fields.Float(
        string="Book-to-bill (bookings ÷ recognised)",
        digits=(16, 2),
        help="Bookings ÷ revenue recognised in the period.",
    )
    backlog = fields.Monetary(help="Backlog at the end of the period.")
    coverage_months = fields.Float(
        string="Coverage (months)",
        digits=(16, 1),
        help="Backlog ÷ average revenue recognised per month in the period.",
    )
    lead_time_days = fields.Float(
        string="Lead time (days)",
        digits=(16, 1),
        help="Average days from the order date to the first recognised line, for "
        "the orders whose first line was recognised in the period.",
    )
    kpi_months = fields.Integer(
        string="Months in the period",
        help="The calendar months the period touches: the coverage divides the "
        "backlog by the revenue recognised per month over them.",
    )
    recognised_per_month = fields.Monetary(
        string="Recognised per month", help="Recognised ÷ months in the period."
    )
    alert_book_to_bill = fields.Boolean(help="Book-to-bill below the threshold.")
    alert_coverage_months = fields.Boolean(help="Coverage below the threshold.")
    alert_lead_time_days = fields.Boolean(help="Lead time above the threshold.")
    kpi_alerts = fields.Char(
        string="Alerts",
        compute="_compute_kpi_names",
        help="The KPIs outside the company's thresholds.",
    )
    forecast_period = fields.Selection(
        [("week", "Week"), ("month", "Month")],
        string="Forecast by",
        default="week",
        help="The next 13 weeks or 12 months from the start date.",
    )
    forecast_line_ids = fields.One2many(
        "revenue.report.forecast", "report_id", string="Forecast"
    )
    risk_line_ids = fields.One2many(
        "revenue.report.backlog.risk", "report_id", string="Backlog by risk"
    )
    kpi_undefined = fields.Char(
        string="Not defined",
        compute="_compute_kpi_names",
        help="KPIs whose divisor is zero in the period.",
    )
    undefined_book_to_bill = fields.Boolean(
        string="Book-to-bill not defined", help="Nothing recognised in the period."
    )
    undefined_coverage_months = fields.Boolean(
        string="Coverage not defined", help="Nothing recognised in the period."
    )
    undefined_lead_time_days = fields.Boolean(
        string="Lead time not defined", help="No order started in the period."
    )
    rollforward_line_ids = fields.One2many(
        "revenue.report.rollforward", "report_id", string="Roll-forward"
    )
    backlog_line_ids = fields.One2many(
        "revenue.report.backlog", "report_id", string="Backlog by customer"
    )
    mrr_line_ids = fields.One2many("revenue.report.mrr", "report_id", string="MRR")
    movement_line_ids = fields.One2many(
        "revenue.report.mrr.movement", "report_id", string="MRR movements"
    )
    reconciliation_line_ids = fields.One2many(
        "revenue.report.mrr.reconciliation", "report_id", string="MRR reconciliation"
    )

    @api.depends("report_type", "date_from", "date_to", "as_of")
    def _compute_display_name(self):
        # the breadcrumb: "Backlog (RPO) · 11/25/2026", "KPIs · 12/01/2025 – 11/30/2026"
        labels = dict(self._fields["report_type"]._description_selection(self.env))
        for report in self:
            if report.report_type == "backlog":
                period = format_date(self.env, report.as_of)
            else:
                period = " – ".join(
                    format_date(self.env, day)
                    for day in (report.date_from, report.date_to)
                )
            report.display_name = f"{labels.get(report.report_type, '')} · {period}"

    @api.constrains("date_from", "date_to")
    def _check_period(self):
        # the backlog reads a date, the forecast a start and a number of periods
        for report in self.filtered(
            lambda r: r.report_type not in ("backlog", "forecast")
        ):
            if report.date_from > report.date_to:
                raise UserError(
                    self.env._(
                        "The period of the report starts after it ends (%(start)s > "
                        "%(end)s): choose a start date before the end date.",
                        start=report.date_from,
                        end=report.date_to,
                    )
                )

    def _companies(self):
        """The chosen companies the user may see (they default to the active ones)."""
        self.ensure_one()
        allowed = self.env.user.company_ids
        companies = self.company_ids & allowed
        if not companies:
            raise UserError(
                self.env._(
                    "Choose at least one of your companies for the report %(report)s.",
                    report=dict(REPORT_TYPES)[self.report_type],
                )
            )
        return companies

    def _analytics(self):
        return self.env["revenue.analytics"].with_context(
            allowed_company_ids=self._companies().ids
        )

    # --- computing ---------------------------------------------------------------

    def action_compute(self):
        """Compute the chosen report and open it."""
        self.ensure_one()
        return getattr(self, f"_compute_{self.report_type}")()

    def _compute_rollforward(self):
        companies = self._companies()
        rows = self._analytics().rollforward(
            self.date_from, self.date_to, companies.ids
        )
        self.rollforward_line_ids.unlink()
        self.env["revenue.report.rollforward"].create(
            [
                {
                    "report_id": self.id,
                    "month": row["month"],
                    **{
                        name: row[name]
                        for name in (
                            "opening",
                            "invoiced",
                            "credited",
                            "recognised",
                            "closing",
                            "gl_balance",
                            "difference",
                            "accrued",
                        )
                    },
                }
                for row in rows
            ]
        )
        action = self._open_lines(
            "revenue.report.rollforward",
            self.env._("Deferred revenue roll-forward"),
            "list,form",
        )
        # opened from its menu: a new trail of breadcrumbs
        action["target"] = "main"
        return action

    def _compute_backlog(self):
        """The IFRS 15.120 figures, their breakdown by band, status, customer
        and product, and the backlog by risk: ``backlog_report()``, one read
        of the schedule lines for the three."""
        companies = self._companies()
        as_of = self.as_of or fields.Date.context_today(self)
        report = self._analytics().backlog_report(as_of, companies.ids)
        figures = report["backlog"]
        bands = figures["bands"]
        self.write(
            {
                "as_of": as_of,
                "backlog_expected": figures["expected"],
                "backlog_deferred": figures["deferred"],
                "backlog_total": figures["total"],
                **{f"band_{band}": bands[band] for band, _label in BANDS},
            }
        )
        self.backlog_line_ids.unlink()
        self._insert_rows(
            "revenue.report.backlog",
            [{"report_id": self.id, **row} for row in report["breakdown"]],
        )
        self.risk_line_ids.unlink()
        self.env["revenue.report.backlog.risk"].create(
            [
                {
                    "report_id": self.id,
                    "risk_id": row["risk_id"],
                    "name": row["name"],
                    "amount": row["amount"],
                }
                for row in report["by_risk"]
            ]
        )
        return self._open_self()

    def _backlog_breakdown_vals(self, as_of):
        """Values of the backlog lines: by band, status, company, customer and
        product, from ``backlog_breakdown()`` (one query)."""
        return [
            {"report_id": self.id, **row}
            for row in self._analytics().backlog_breakdown(as_of, self._companies().ids)
        ]

    def _compute_mrr(self):
        companies = self._companies()
        analytics = self._analytics()
        self.mrr_line_ids.unlink()
        self.movement_line_ids.unlink()
        self.reconciliation_line_ids.unlink()
        # MRR of the first month, then each month's movements added to it:
        # the movements are the changes of the same rounded MRR, so this is
        # mrr(month) for every month, in two calls instead of one per month.
        months = months_of(self.date_from, self.date_to)
        current = {
            row["partner_id"]: row["mrr"]
            for row in analytics.mrr(months[0], companies.ids)
        }
        movements = analytics.mrr_movements(self.date_from, self.date_to, companies.ids)
        by_month = {}
        for row in movements:
            by_month.setdefault(row["month"], []).append(row)
        currency = self.currency_id
        # currency.round() and is_zero() without reading the currency each time
        rounding = currency.rounding

        def rnd(value):
            return float_round(value, precision_rounding=rounding)

        mrr_vals = []
        for month in months:
            for row in by_month.get(month, []) if month != months[0] else []:
                partner_id = row["partner_id"]
                current[partner_id] = rnd(current.get(partner_id, 0.0) + row["amount"])
            mrr_vals += [
                {
                    "report_id": self.id,
                    "month": month,
                    "partner_id": partner_id,
                    "mrr": amount,
                    "arr": rnd(12 * amount),
                }
                for partner_id, amount in current.items()
                if not float_is_zero(amount, precision_rounding=rounding)
            ]
        self._insert_rows("revenue.report.mrr", mrr_vals)
        self._insert_rows(
            "revenue.report.mrr.movement",
            [
                {
                    "report_id": self.id,
                    "month": row["month"],
                    "partner_id": row["partner_id"],
                    "kind": row["kind"],
                    "amount": row["amount"],
                }
                for row in movements
            ],
        )
        return self._open_self()

    def _compute_kpis(self):
        companies = self._companies()
        analytics = self._analytics()
        period = analytics.kpis(self.date_from, self.date_to, companies.ids)
        vals = self._kpi_vals(period)
        months = analytics.kpi_months(self.date_from, self.date_to)
        vals["kpi_months"] = months
        vals["recognised_per_month"] = period["recognised"] / months
        self.write(vals)
        return self._open_self()

    def _compute_forecast(self):
        """The forecast from the start date (the next 13 weeks or 12 months,
        as the lines stand now) and, for the periods already started, plan
        vs actual."""
        companies = self._companies()
        analytics = self._analytics()
        period = self.forecast_period or "week"
        periods = 13 if period == "week" else 12
        forecast = analytics.forecast(self.date_from, periods, period, companies.ids)
        today = fields.Date.context_today(self)
        past = [row for row in forecast if row["period_start"] <= today]
        plan = {}
        if past:
            plan = {
                row["period_start"]: row
                for row in analytics.plan_vs_actual(
                    self.date_from, len(past), period, companies.ids
                )
            }
        self.forecast_line_ids.unlink()
        self.env["revenue.report.forecast"].create(
            [
                {
                    "report_id": self.id,
                    "period_start": row["period_start"],
                    "expected": row["expected"],
                    "deferred": row["deferred"],
                    "total": row["total"],
                    "planned": plan.get(row["period_start"], {}).get("planned", 0.0),
                    "actual": plan.get(row["period_start"], {}).get("actual", 0.0),
                    "is_past": row["period_start"] in plan,
                }
                for row in forecast
            ]
        )
        return self._open_lines(
            "revenue.report.forecast",
            self.env._("Revenue forecast"),
            "graph,list,pivot",
        )

    def _compute_mrr_reconciliation(self):
        """The reconciliation of MRR with invoiced revenue, for the period's
        last month (``mrr_reconciliation()``), when it is first opened."""
        companies = self._companies()
        analytics = self._analytics()
        self.reconciliation_line_ids.unlink()
        month = month_start(self.date_to)
        reconciliation = analytics.mrr_reconciliation(month, companies.ids)
        rec_vals = []
        for row in reconciliation:
            partner_id = row["partner_id"]
            reasons = dict.fromkeys(RECONCILIATION_REASONS, 0.0)
            for reason, amount in row["reasons"]:
                reasons[reason] += amount
            rec_vals.append(
                {
                    "report_id": self.id,
                    "month": month,
                    "partner_id": partner_id,
                    "mrr": row["mrr"],
                    "invoiced": row["invoiced"],
                    "recognised": row["recognised"],
                    **{
                        f"reason_{reason}": amount for reason, amount in reasons.items()
                    },
                }
            )
        self.env["revenue.report.mrr.reconciliation"].create(rec_vals)

    @api.depends(
        *(f"alert_{name}" for name in KPI_RATIOS),
        *(f"undefined_{name}" for name in KPI_RATIOS),
    )
    def _compute_kpi_names(self):
        """The KPIs flagged, named in the user's language."""
        labels = {
            "book_to_bill": self.env._("Book-to-bill"),
            "coverage_months": self.env._("Coverage"),
            "lead_time_days": self.env._("Lead time"),
        }
        for report in self:
            for field, flag in (
                ("kpi_alerts", "alert"),
                ("kpi_undefined", "undefined"),
            ):
                report[field] = (
                    ", ".join(
                        labels[name] for name in KPI_RATIOS if report[f"{flag}_{name}"]
                    )
                    or False
                )

    @api.model
    def _kpi_vals(self, kpis):
        """Field values of ``kpis()``'s dict; a ratio whose divisor is 0 is
        False there, hidden here (``undefined_<name>``, named in
        ``kpi_undefined``)."""
        return {
            "bookings": kpis["bookings"],
            "recognised": kpis["recognised"],
            "backlog": kpis["backlog"],
            **{name: kpis[name] or 0.0 for name in KPI_RATIOS},
            **{f"alert_{name}": name in kpis["alerts"] for name in KPI_RATIOS},
            **{f"undefined_{name}": kpis[name] is False for name in KPI_RATIOS},
        }

    def _insert_rows(self, model, vals_list):
        """Create this report's rows of ``model`` in one INSERT.

        A month of MRR and its movements make tens of thousands of rows for
        a few thousand customers: the ORM's ``create`` spends about 40 µs on
        each, this one statement a fraction of it. Only for the report's own
        transient rows, whose fields are plain stored values (no computed or
        related stored field, no constraint): ``vals_list`` gives every
        column of each row.
        """
        self.ensure_one()
        if not vals_list:
            return
        Model = self.env[model]
        Model.flush_model()
        columns = list(vals_list[0])
        types = {
            "many2one": "int4",
            "date": "date",
            "selection": "varchar",
            "monetary": "numeric",
            "float": "numeric",
        }
        now = fields.Datetime.now()
        arrays = [
            SQL(
                "%s::%s[]",
                [None if vals[name] is False else vals[name] for vals in vals_list],
                SQL(types[Model._fields[name].type]),
            )
            for name in columns
        ]
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO %(table)s (%(columns)s, create_uid, write_uid,
                                       create_date, write_date)
                SELECT *, %(uid)s, %(uid)s, %(now)s, %(now)s
                  FROM unnest(%(arrays)s)
                """,
                table=SQL.identifier(Model._table),
                columns=SQL(", ").join(SQL.identifier(name) for name in columns),
                uid=self.env.uid,
                now=now,
                arrays=SQL(", ").join(arrays),
            )
        )
        Model.invalidate_model()
        self.invalidate_recordset()

    # --- opening -----------------------------------------------------------------

    def _open_self(self):
        return {
            "type": "ir.actions.act_window",
            "name": dict(self._fields["report_type"]._description_selection(self.env))[
                self.report_type
            ],
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "views": [(self.env.ref(self._result_view()).id, "form")],
            # a report opened from its menu starts a new trail of breadcrumbs
            "target": "main",
        }

    def _result_view(self):
        return f"revenue_recognition.revenue_report_view_form_{self.report_type}"

    def _open_lines(self, model, name, view_modes, context=None):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": model,
            "view_mode": view_modes,
            "views": [(False, mode) for mode in view_modes.split(",")],
            "domain": [("report_id", "=", self.id)],
            "context": {"create": False, "edit": False, **(context or {})},
            "target": "current",
        }

    def action_open_backlog_lines(self):
        return self._open_lines(
            "revenue.report.backlog",
            self.env._("Backlog by customer and product"),
            "pivot,graph,list",
        )

    def action_open_backlog_risks(self):
        """The backlog at the as-of date by risk tag (``backlog_by_risk()``)."""
        return self._open_lines(
            "revenue.report.backlog.risk",
            self.env._("Backlog by risk"),
            "list",
        )

    def action_open_backlog_schedule_lines(self):
        """The schedule lines that make up the backlog at the as-of date."""
        self.ensure_one()
        return self._schedule_lines_action(
            self.env._("Backlog on %(date)s", date=self.as_of),
            self._backlog_domain(self.as_of),
        )

    def _schedule_lines_action(self, name, domain):
        """The schedule lines of ``domain``, as a list (pivot and graph too)."""
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "revenue_recognition.action_revenue_recognition_line_all"
        )
        action.update(
            {
                "name": name,
                "domain": domain,
                "context": {"create": False},
                "target": "current",
            }
        )
        return action

    def action_open_mrr(self):
        return self._open_lines(
            "revenue.report.mrr", self.env._("MRR by month"), "graph,pivot,list"
        )

    def action_open_mrr_customers(self):
        """Each customer's MRR of the period's last month (MRR is a monthly
        figure: summed over months it would mean nothing); its total is the
        month's MRR, as in the reconciliation."""
        action = self._open_lines(
            "revenue.report.mrr",
            self.env._(
                "MRR by customer · %(month)s",
                month=format_date(self.env, self.date_to, date_format="MMMM y"),
            ),
            "list,pivot",
            {"search_default_groupby_partner": 1},
        )
        action["domain"] = action["domain"] + [
            ("month", "=", month_start(self.date_to))
        ]
        return action

    def action_open_movements(self):
        return self._open_lines(
            "revenue.report.mrr.movement",
            self.env._("MRR movements"),
            "graph,pivot,list",
        )

    def action_open_reconciliation(self):
        if not self.reconciliation_line_ids:
            self._compute_mrr_reconciliation()
        return self._open_lines(
            "revenue.report.mrr.reconciliation",
            self.env._(
                "MRR reconciliation of %(month)s",
                month=format_date(
                    self.env, month_start(self.date_to), date_format="MMMM y"
                ),
            ),
            "list,pivot",
        )

    # --- drill-down domains ------------------------------------------------------

    def _backlog_domain(self, as_of, band=None, kind=None):
        """Schedule lines of the backlog at ``as_of``: ``backlog_domain()``."""
        return self._analytics().backlog_domain(
            as_of, band=band, kind=kind, company_ids=self._companies().ids
        )

    def _deferred_accounts(self):
        """The deferred revenue accounts the roll-forward's ledger balance reads."""
        companies = self._companies()
        return self.env["account.account"].browse(
            self.env["revenue.analytics"]._deferred_account_ids(companies)
        )
