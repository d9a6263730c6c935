"""Month-end reports: the screens over ``revenue.analytics``.

``revenue.report`` is the period form (dates, companies); its buttons call
``revenue.analytics`` once and store what it returns as transient lines, so
that Odoo's own list, pivot and graph views show them, group them and export
them (stored fields). Every figure of the roll-forward drills down to the
schedule lines or journal items behind it (``_drilldown_domain``).
"""

from datetime import datetime, time

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, format_date

from .revenue_analytics import month_last_day as month_end
from .revenue_analytics import month_start
from .revenue_analytics import months_of as months_between

REPORT_TYPES = [
    ("rollforward", "Deferred revenue roll-forward"),
    ("backlog", "Backlog (RPO)"),
    ("mrr", "MRR / ARR"),
    ("kpis", "KPIs"),
]
BANDS = [
    ("within_12_months", "Within 12 months"),
    ("from_12_to_24_months", "12 to 24 months"),
    ("beyond_24_months", "Beyond 24 months"),
]
MOVEMENT_KINDS = [
    ("new", "New"),
    ("expansion", "Expansion"),
    ("contraction", "Contraction"),
    ("churn", "Churn"),
    ("reactivation", "Reactivation"),
]
REASONS = [
    "one_off",
    "timing",
    "discount",
    "credit_note",
    "upgrade_downgrade",
    "unexplained",
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
        default=lambda self: month_end(fields.Date.context_today(self)),
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
        string="Book-to-bill", digits=(16, 2), help="Bookings ÷ recognised."
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
    kpi_undefined = fields.Char(
        string="Not defined",
        help="KPIs whose divisor is zero in the period.",
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
        for report in self:
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
        """The IFRS 15.120 figures from ``backlog()``; its breakdown by customer,
        product and band from the schedule lines that make it up."""
        companies = self._companies()
        as_of = self.as_of or fields.Date.context_today(self)
        figures = self._analytics().backlog(as_of, companies.ids)
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
        self._insert_rows("revenue.report.backlog", self._backlog_breakdown_vals(as_of))
        return self._open_self()

    def _backlog_breakdown_vals(self, as_of):
        """Values of the backlog lines: by band, status, company, customer and
        product, one grouped read of the schedule lines per band and status.

        Read as ``backlog()`` reads (it checks the user's groups and companies,
        then reads the tables): the domain crosses orders and invoices, which
        a revenue user without sales or invoicing rights may not search.
        """
        self._analytics()._analytics_companies(self._companies().ids)
        Line = self.env["revenue.recognition.line"].sudo()
        vals_list = []
        for band, _label in BANDS:
            for kind in ("expected", "deferred"):
                domain = self._backlog_domain(as_of, band=band, kind=kind)
                groups = Line._read_group(
                    domain, ["company_id", "partner_id", "product_id"], ["amount:sum"]
                )
                vals_list += [
                    {
                        "report_id": self.id,
                        "band": band,
                        "kind": kind,
                        "company_id": company.id,
                        "partner_id": partner.id,
                        "product_id": product.id,
                        "amount": amount,
                    }
                    for company, partner, product, amount in groups
                ]
        return vals_list

    def _compute_mrr(self):
        companies = self._companies()
        analytics = self._analytics()
        self.mrr_line_ids.unlink()
        self.movement_line_ids.unlink()
        self.reconciliation_line_ids.unlink()
        # MRR of the first month, then each month's movements added to it:
        # the movements are the changes of the same rounded MRR, so this is
        # mrr(month) for every month, in two calls instead of one per month.
        months = months_between(self.date_from, self.date_to)
        current = analytics.mrr(months[0], companies.ids)
        movements = analytics.mrr_movements(self.date_from, self.date_to, companies.ids)
        by_month = {}
        for row in movements:
            by_month.setdefault(row["month"], []).append(row)
        currency = self.currency_id
        mrr_vals = []
        for month in months:
            for row in by_month.get(month, []) if month != months[0] else []:
                partner_id = row["partner_id"]
                current[partner_id] = currency.round(
                    current.get(partner_id, 0.0) + row["amount"]
                )
            mrr_vals += [
                {
                    "report_id": self.id,
                    "month": month,
                    "partner_id": partner_id,
                    "mrr": amount,
                    "arr": currency.round(12 * amount),
                }
                for partner_id, amount in current.items()
                if not currency.is_zero(amount)
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
        self.write(self._kpi_vals(period))
        return self._open_self()

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
            reasons = dict.fromkeys(REASONS, 0.0)
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

    @api.model
    def _kpi_vals(self, kpis):
        """Field values of ``kpis()``'s dict; a ratio whose divisor is 0 is None
        there, empty here (and named in ``kpi_undefined``)."""
        names = ("book_to_bill", "coverage_months", "lead_time_days")
        labels = {
            "book_to_bill": self.env._("Book-to-bill"),
            "coverage_months": self.env._("Coverage"),
            "lead_time_days": self.env._("Lead time"),
        }
        return {
            "bookings": kpis["bookings"],
            "recognised": kpis["recognised"],
            "backlog": kpis["backlog"],
            **{name: kpis[name] or 0.0 for name in names},
            "kpi_undefined": ", ".join(
                labels[name] for name in names if kpis[name] is None
            )
            or False,
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
        return self._open_lines(
            "revenue.report.mrr",
            self.env._("MRR by customer"),
            "list,pivot",
            {"search_default_groupby_partner": 1},
        )

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
        """Schedule lines of the backlog at ``as_of``, as ``backlog()`` counts it.

        Not cancelled, of a posted invoice or credit note or expected; signed
        on or before ``as_of`` (order date, else invoice date; a credit note
        by its accounting date); not recognised by a posted entry dated on or
        before it. ``kind``: ``expected`` (not invoiced by then) or
        ``deferred``; ``band``: by recognition date after ``as_of`` (what is
        already due is in the first band).
        """
        as_of_end = datetime.combine(as_of, time.max)
        domain = [
            ("company_id", "in", self._companies().ids),
            ("state", "!=", "cancelled"),
            "|",
            "&",
            ("move_id", "=", False),
            ("state", "=", "expected"),
            ("move_id.state", "=", "posted"),
            # signed on or before as_of
            "|",
            "&",
            ("move_id.move_type", "=", "out_refund"),
            ("move_id.date", "<=", as_of),
            "&",
            "|",
            ("move_id", "=", False),
            ("move_id.move_type", "!=", "out_refund"),
            "|",
            "&",
            ("order_id", "!=", False),
            ("order_id.date_order", "<=", as_of_end),
            "&",
            ("order_id", "=", False),
            "|",
            "&",
            ("move_id.invoice_date", "!=", False),
            ("move_id.invoice_date", "<=", as_of),
            "&",
            ("move_id.invoice_date", "=", False),
            ("move_id.date", "<=", as_of),
            # not recognised by then
            "|",
            "|",
            ("state", "!=", "posted"),
            ("recognition_move_id.state", "!=", "posted"),
            ("recognition_move_id.date", ">", as_of),
        ]
        if kind == "deferred":
            domain += [("move_id", "!=", False), ("move_id.date", "<=", as_of)]
        elif kind == "expected":
            domain += ["|", ("move_id", "=", False), ("move_id.date", ">", as_of)]
        if band:
            limit_12 = as_of + relativedelta(months=12)
            limit_24 = as_of + relativedelta(months=24)
            domain += {
                "within_12_months": [("recognition_date", "<=", limit_12)],
                "from_12_to_24_months": [
                    ("recognition_date", ">", limit_12),
                    ("recognition_date", "<=", limit_24),
                ],
                "beyond_24_months": [("recognition_date", ">", limit_24)],
            }[band]
        return domain

    def _deferred_accounts(self):
        """The deferred revenue accounts the roll-forward's ledger balance reads."""
        companies = self._companies()
        return self.env["account.account"].browse(
            self.env["revenue.analytics"]._deferred_account_ids(companies)
        )


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
        schedule lines for the roll-forward figures, journal items of the
        deferred accounts for the ledger balance and the difference."""
        self.ensure_one()
        report = self.report_id
        companies = report._companies()
        start, end = self.month, month_end(self.month)
        if figure == "accrued":
            return "account.move.line", [
                ("company_id", "in", companies.ids),
                ("account_id", "in", companies.revenue_unbilled_account_id.ids),
                ("parent_state", "=", "posted"),
                ("date", "<=", end),
            ]
        if figure in ("gl_balance", "difference"):
            domain = [
                ("company_id", "in", companies.ids),
                ("account_id", "in", report._deferred_accounts().ids),
                ("parent_state", "=", "posted"),
                ("date", "<=", end),
            ]
            if figure == "difference":
                domain.append(("date", ">=", start))
            return "account.move.line", domain
        base = [
            ("company_id", "in", companies.ids),
            ("state", "!=", "cancelled"),
        ]
        invoiced = [("move_id", "!=", False), ("move_id.state", "=", "posted")]
        if figure in ("opening", "closing"):
            day = start - relativedelta(days=1) if figure == "opening" else end
            return "revenue.recognition.line", base + invoiced + [
                ("move_id.date", "<=", day),
                "|",
                "|",
                ("state", "!=", "posted"),
                ("recognition_move_id.state", "!=", "posted"),
                ("recognition_move_id.date", ">", day),
            ]
        if figure in ("invoiced", "credited"):
            operator = "!=" if figure == "invoiced" else "="
            return "revenue.recognition.line", base + invoiced + [
                ("move_id.move_type", operator, "out_refund"),
                ("move_id.date", ">=", start),
                ("move_id.date", "<=", end),
            ]
        if figure == "recognised":
            return "revenue.recognition.line", base + [
                ("state", "=", "posted"),
                ("recognition_move_id.state", "=", "posted"),
                ("recognition_move_id.date", ">=", start),
                ("recognition_move_id.date", "<=", end),
            ]
        raise UserError(
            self.env._(
                "The roll-forward has no figure %(figure)s to open: choose opening, "
                "invoiced, credited, recognised, closing, ledger balance, "
                "difference or accrued.",
                figure=figure,
            )
        )


class RevenueReportBacklog(models.TransientModel):
    _name = "revenue.report.backlog"
    _description = "Backlog by Customer and Product"
    _order = "band, partner_id, product_id"

    report_id = fields.Many2one("revenue.report", required=True, ondelete="cascade")
    currency_id = fields.Many2one(related="report_id.currency_id")
    band = fields.Selection(BANDS, string="Time band", required=True)
    kind = fields.Selection(
        [
            ("expected", "Signed, not invoiced"),
            ("deferred", "Invoiced, not recognised"),
        ],
        string="Status",
        required=True,
    )
    company_id = fields.Many2one("res.company")
    partner_id = fields.Many2one("res.partner", string="Customer")
    product_id = fields.Many2one("product.product")
    amount = fields.Monetary()

    def _read_group_orderby(self, order, groupby_terms, query):
        # time bands in time order, not in the alphabetical order of their keys
        if "band" in groupby_terms:
            groupby_terms = {
                **groupby_terms,
                "band": SQL(
                    "array_position(%s::varchar[], %s::varchar)",
                    [band for band, _label in BANDS],
                    groupby_terms["band"],
                ),
            }
        return super()._read_group_orderby(order, groupby_terms, query)


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


class RevenueReportMrrMovement(models.TransientModel):
    _name = "revenue.report.mrr.movement"
    _description = "MRR Movement"
    _order = "month, partner_id"

    report_id = fields.Many2one("revenue.report", required=True, ondelete="cascade")
    currency_id = fields.Many2one(related="report_id.currency_id")
    month = fields.Date(required=True)
    partner_id = fields.Many2one("res.partner", string="Customer")
    kind = fields.Selection(MOVEMENT_KINDS, string="Movement", required=True)
    amount = fields.Monetary(help="Signed change of the customer's MRR.")


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
