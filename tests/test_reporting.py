"""The month-end reporting screens show what ``revenue.analytics`` returns.

A small book, written the way users write it (orders confirmed and invoiced,
an invoice without order, a full credit note from the reversal wizard, two
recognition runs, an order not invoiced yet); every report is computed from
the period form, compared figure by figure with the analytics method it
shows and with figures computed by hand, and every roll-forward figure's
drill-down is summed back to the figure.
"""

from ast import literal_eval
from datetime import date

from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import RevenueTestCommon


@tagged("post_install", "-at_install")
class TestReporting(RevenueTestCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.line_model = cls.env["revenue.recognition.line"]
        cls.product_12m = cls._create_product(
            name="Platform subscription",
            type="service",
            invoice_policy="order",
            lst_price=1200.0,
            revenue_schedule_id=cls.schedule_12m.id,
        )
        # O1: 1,200 over 2026, 12 x 100 (monthly, actual start 1 January),
        # ordered 18 Nov 2025, invoiced 1 Jan 2026.
        with freeze_time("2025-11-18"):  # confirming dates the order today
            cls.order_1 = cls._create_order(
                [(cls.product_12m, 1, 1200.0, {"revenue_start_date": "2026-01-01"})],
                partner=cls.partner_a,
                date_order="2025-11-18",
            )
            cls.order_1.action_confirm()
        cls.invoice_1 = cls.order_1._create_invoices()
        cls.invoice_1.invoice_date = "2026-01-01"
        cls.invoice_1.action_post()
        # I2: invoice without order, 300 quarterly from the next month:
        # 1 Feb, 1 Mar, 1 Apr 2026, 100 each.
        cls.invoice_2 = cls._create_invoice(
            [(cls.product_service, 300.0, None)],
            invoice_date="2026-01-15",
            partner_id=cls.partner_b.id,
        )
        cls.invoice_2.action_post()
        cls.line_model._recognise(
            date(2026, 1, 31), domain=[("company_id", "=", cls.company.id)]
        )
        # I2 credited in full on 10 Feb 2026, before any of it was recognised.
        wizard = (
            cls.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=cls.invoice_2.ids)
            .create({"date": "2026-02-10", "journal_id": cls.invoice_2.journal_id.id})
        )
        cls.refund_2 = cls.env["account.move"].browse(wizard.refund_moves()["res_id"])
        cls.refund_2.action_post()
        # O2: 300 quarterly, ordered 20 Feb 2026, not invoiced (expected lines
        # 1 Mar, 1 Apr, 1 May 2026).
        with freeze_time("2026-02-20"):
            cls.order_2 = cls._create_order(
                [(cls.product_service, 1, 300.0, None)],
                partner=cls.partner_b,
                date_order="2026-02-20",
            )
            cls.order_2.action_confirm()
        cls.line_model._recognise(
            date(2026, 3, 31), domain=[("company_id", "=", cls.company.id)]
        )
        cls.analytics = cls.env["revenue.analytics"]

    def _report(self, report_type, **values):
        values.setdefault("company_ids", [Command.set(self.company.ids)])
        return self.env["revenue.report"].create({"report_type": report_type, **values})

    def _sum(self, model, domain):
        field = "amount" if model == "revenue.recognition.line" else "balance"
        groups = self.env[model]._read_group(domain, aggregates=[f"{field}:sum"])
        return groups[0][0]

    # --- roll-forward -------------------------------------------------------------

    def test_rollforward_equals_analytics_and_ties(self):
        self.assertBooks(after_run=True)
        report = self._report(
            "rollforward", date_from="2026-01-01", date_to="2026-03-31"
        )
        action = report.action_compute()
        self.assertEqual(action["res_model"], "revenue.report.rollforward")
        rows = self.env[action["res_model"]].search(action["domain"])
        expected = self.analytics.rollforward(
            date(2026, 1, 1), date(2026, 3, 31), self.company.ids
        )
        figures = (
            "opening",
            "invoiced",
            "credited",
            "recognised",
            "closing",
            "gl_balance",
            "difference",
            "accrued",
        )
        self.assertEqual(
            [(row.month, *(row[name] for name in figures)) for row in rows],
            [(line["month"], *(line[name] for name in figures)) for line in expected],
        )
        # By hand. January: I1 1,200 + I2 300 invoiced, O1's January 100
        # recognised: 0 + 1,500 - 100 = 1,400. February: I2 credited -300;
        # recognised O1 100 + I2 100 - its mirror 100 = 100: 1,400 - 300 - 100
        # = 1,000. March: the same 100 recognised: 900. The ledger agrees.
        self.assertEqual(
            [(row.opening, row.invoiced, row.credited, row.recognised) for row in rows],
            [(0.0, 1500.0, 0.0, 100.0), (1400.0, 0.0, -300.0, 100.0)]
            + [(1000.0, 0.0, 0.0, 100.0)],
        )
        self.assertEqual(rows.mapped("closing"), [1400.0, 1000.0, 900.0])
        self.assertEqual(rows.mapped("gl_balance"), [1400.0, 1000.0, 900.0])
        self.assertEqual(rows.mapped("difference"), [0.0, 0.0, 0.0])

    def test_rollforward_drilldown_sums_to_each_figure(self):
        report = self._report(
            "rollforward", date_from="2026-01-01", date_to="2026-03-31"
        )
        report.action_compute()
        self.assertEqual(len(report.rollforward_line_ids), 3)
        for row in report.rollforward_line_ids:
            for figure in ("opening", "invoiced", "credited", "recognised", "closing"):
                model, domain = row._drilldown_domain(figure)
                self.assertEqual(model, "revenue.recognition.line")
                self.assertAlmostEqual(
                    self._sum(model, domain),
                    row[figure],
                    places=2,
                    msg=f"{figure} of {row.month}",
                )
            model, domain = row._drilldown_domain("gl_balance")
            self.assertEqual(model, "account.move.line")
            # the ledger's deferred balance is a credit: minus the items' sum
            self.assertAlmostEqual(-self._sum(model, domain), row.gl_balance, places=2)
            action = row.with_context(figure="invoiced").action_drilldown()
            self.assertEqual(action["res_model"], "revenue.recognition.line")
            self.assertEqual(
                self.line_model.search(action["domain"]),
                self.line_model.search(row._drilldown_domain("invoiced")[1]),
            )
        january = report.rollforward_line_ids[0]
        _model, domain = january._drilldown_domain("invoiced")
        # I1's 12 lines and I2's 3 lines
        self.assertEqual(
            self.line_model.search(domain).move_id, self.invoice_1 | self.invoice_2
        )
        self.assertEqual(self.line_model.search_count(domain), 15)

    # --- backlog ------------------------------------------------------------------

    def test_backlog_equals_analytics_and_breakdown(self):
        report = self._report("backlog", as_of="2026-03-31")
        action = report.action_compute()
        self.assertEqual(action["res_id"], report.id)
        figures = self.analytics.backlog(date(2026, 3, 31), self.company.ids)
        self.assertEqual(
            (
                report.backlog_expected,
                report.backlog_deferred,
                report.backlog_total,
                report.band_within_12_months,
                report.band_from_12_to_24_months,
                report.band_beyond_24_months,
            ),
            (
                figures["expected"],
                figures["deferred"],
                figures["total"],
                figures["bands"]["within_12_months"],
                figures["bands"]["from_12_to_24_months"],
                figures["bands"]["beyond_24_months"],
            ),
        )
        # By hand: O1's April-December lines 9 x 100 = 900 deferred; I2 and its
        # credit note cancel out; O2 300 expected (its 1 March line is due and
        # counts in the first band). All within 12 months.
        self.assertEqual(
            (report.backlog_expected, report.backlog_deferred, report.backlog_total),
            (300.0, 900.0, 1200.0),
        )
        self.assertEqual(report.band_within_12_months, 1200.0)
        # The breakdown by customer and product adds up to the same figures.
        lines = report.backlog_line_ids
        for band in ("within_12_months", "from_12_to_24_months", "beyond_24_months"):
            self.assertAlmostEqual(
                sum(lines.filtered(lambda r, b=band: r.band == b).mapped("amount")),
                report[f"band_{band}"],
                places=2,
            )
        for kind, total in (("expected", 300.0), ("deferred", 900.0)):
            self.assertAlmostEqual(
                sum(lines.filtered(lambda r, k=kind: r.kind == k).mapped("amount")),
                total,
                places=2,
            )
        by_partner = {}
        for line in lines:
            by_partner[line.partner_id] = (
                by_partner.get(line.partner_id, 0) + line.amount
            )
        self.assertAlmostEqual(by_partner[self.partner_a], 900.0, places=2)
        self.assertAlmostEqual(by_partner[self.partner_b], 300.0, places=2)
        pivot = report.action_open_backlog_lines()
        self.assertEqual(pivot["res_model"], "revenue.report.backlog")
        self.assertEqual(
            self.env["revenue.report.backlog"].search(pivot["domain"]), lines
        )
        schedule_lines = report.action_open_backlog_schedule_lines()
        self.assertAlmostEqual(
            self._sum("revenue.recognition.line", schedule_lines["domain"]),
            1200.0,
            places=2,
        )

    # --- KPIs ---------------------------------------------------------------------

    def test_kpis_equal_analytics(self):
        report = self._report("kpis", date_from="2026-01-01", date_to="2026-03-31")
        report.action_compute()
        kpis = self.analytics.kpis(
            date(2026, 1, 1), date(2026, 3, 31), self.company.ids
        )
        for name in ("bookings", "recognised", "backlog"):
            self.assertAlmostEqual(report[name], kpis[name], places=2, msg=name)
        for name in ("book_to_bill", "coverage_months", "lead_time_days"):
            self.assertAlmostEqual(report[name], kpis[name] or 0.0, places=2, msg=name)
        # By hand: bookings O2 300 + I2 300 (no order) = 600; recognised
        # 3 x 100 = 300; book-to-bill 600 / 300 = 2; backlog 1,200;
        # coverage 1,200 / (300 / 3 months) = 12 months; lead time O1 from
        # 18 Nov 2025 to 1 Jan 2026 = 12 + 31 + 1 = 44 days.
        self.assertEqual(
            (
                report.bookings,
                report.recognised,
                report.book_to_bill,
                report.backlog,
                report.coverage_months,
                report.lead_time_days,
            ),
            (600.0, 300.0, 2.0, 1200.0, 12.0, 44.0),
        )
        self.assertFalse(report.kpi_undefined)
        self.assertFalse(
            report.undefined_book_to_bill or report.undefined_lead_time_days
        )

    def test_kpis_undefined_ratio_is_named(self):
        """A period that recognises nothing has no book-to-bill nor coverage."""
        report = self._report("kpis", date_from="2027-06-01", date_to="2027-06-30")
        report.action_compute()
        kpis = self.analytics.kpis(
            date(2027, 6, 1), date(2027, 6, 30), self.company.ids
        )
        self.assertIs(kpis["book_to_bill"], False)
        self.assertEqual(report.recognised, 0.0)
        self.assertIn("Book-to-bill", report.kpi_undefined)
        # the screen hides an undefined ratio rather than show it as 0
        self.assertEqual(
            (
                report.undefined_book_to_bill,
                report.undefined_coverage_months,
                report.undefined_lead_time_days,
            ),
            (True, True, kpis["lead_time_days"] is False),
        )

    # --- MRR ----------------------------------------------------------------------

    def test_mrr_screens_equal_analytics(self):
        report = self._report("mrr", date_from="2026-01-01", date_to="2026-03-31")
        report.action_compute()
        for month in (date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)):
            rows = report.mrr_line_ids.filtered(lambda r, m=month: r.month == m)
            self.assertEqual(
                {row.partner_id.id: row.mrr for row in rows},
                {
                    row["partner_id"]: row["mrr"]
                    for row in self.analytics.mrr(month, self.company.ids)
                },
            )
            for row in rows:
                self.assertAlmostEqual(row.arr, 12 * row.mrr, places=2)
        # By hand: partner A's 1,200 over 12 months is 100 a month all quarter.
        march_a = report.mrr_line_ids.filtered(
            lambda r: r.month == date(2026, 3, 1) and r.partner_id == self.partner_a
        )
        self.assertAlmostEqual(march_a.mrr, 100.0, places=2)
        movements = self.analytics.mrr_movements(
            date(2026, 1, 1), date(2026, 3, 31), self.company.ids
        )
        self.assertEqual(
            sorted(
                (row.month, row.partner_id.id, row.kind, row.amount)
                for row in report.movement_line_ids
            ),
            sorted(
                (row["month"], row["partner_id"], row["kind"], row["amount"])
                for row in movements
            ),
        )
        reconciliation = self.analytics.mrr_reconciliation(
            date(2026, 3, 1), self.company.ids
        )
        self.assertFalse(report.reconciliation_line_ids)  # computed when opened
        action = report.action_open_reconciliation()
        rows = self.env[action["res_model"]].search(action["domain"])
        self.assertEqual(rows, report.reconciliation_line_ids)
        self.assertEqual(len(rows), len(reconciliation))
        for expected in reconciliation:
            row = rows.filtered(
                lambda r, e=expected: r.partner_id.id == e["partner_id"]
            )
            self.assertAlmostEqual(row.mrr, expected["mrr"], places=2)
            self.assertAlmostEqual(row.invoiced, expected["invoiced"], places=2)
            self.assertAlmostEqual(row.recognised, expected["recognised"], places=2)
            self.assertAlmostEqual(
                sum(
                    row[f"reason_{reason}"]
                    for reason in (
                        "one_off",
                        "timing",
                        "discount",
                        "credit_note",
                        "upgrade_downgrade",
                        "unexplained",
                    )
                ),
                sum(amount for _reason, amount in expected["reasons"]),
                places=2,
            )
            self.assertAlmostEqual(row.difference, row.invoiced - row.mrr, places=2)
        for method in (
            "action_open_mrr",
            "action_open_movements",
            "action_open_mrr_customers",
            "action_open_reconciliation",
        ):
            action = getattr(report, method)()
            self.assertTrue(self.env[action["res_model"]].search(action["domain"]))

    # --- screens and access -------------------------------------------------------

    def test_mrr_by_customer_is_the_months_mrr(self):
        """By customer: the last month's MRR, not summed over the months; its
        total is the month's MRR of the reconciliation."""
        report = self._report("mrr", date_from="2026-01-01", date_to="2026-03-31")
        report.action_compute()
        action = report.action_open_mrr_customers()
        rows = self.env["revenue.report.mrr"].search(action["domain"])
        self.assertEqual(set(rows.mapped("month")), {date(2026, 3, 1)})
        march = self.analytics.mrr(date(2026, 3, 1), self.company.ids)
        self.assertEqual(
            {row.partner_id.id: row.mrr for row in rows},
            {row["partner_id"]: row["mrr"] for row in march},
        )
        # partner A's 1,200 over 12 months: 100 (not 300 for the quarter)
        self.assertEqual(
            rows.filtered(lambda r: r.partner_id == self.partner_a).mrr, 100.0
        )
        reconciliation = self.analytics.mrr_reconciliation(
            date(2026, 3, 1), self.company.ids
        )
        self.assertAlmostEqual(
            sum(rows.mapped("mrr")),
            sum(row["mrr"] for row in reconciliation),
            places=2,
        )

    def test_menus_and_actions_open(self):
        for xmlid in (
            "action_revenue_waterfall",
            "action_revenue_report_rollforward",
            "action_revenue_report_backlog",
            "action_revenue_report_mrr",
            "action_revenue_report_kpis",
        ):
            action = self.env.ref(f"revenue_recognition.{xmlid}")
            self.assertTrue(action.name)
        # the waterfall's pivot: invoice month x recognition month; I1's lines
        # are on January's row, 100 in each month of 2026
        waterfall = self.env.ref("revenue_recognition.action_revenue_waterfall")
        groups = self.line_model.read_group(
            [*literal_eval(waterfall.domain), ("move_id", "=", self.invoice_1.id)],
            ["amount:sum"],
            ["invoice_date:month", "recognition_date:month"],
            lazy=False,
        )
        self.assertEqual(len(groups), 12)
        self.assertEqual({group["amount"] for group in groups}, {100.0})
        self.assertEqual(
            self.invoice_1.revenue_line_ids[:1].invoice_date, date(2026, 1, 1)
        )

    def test_access_by_role(self):
        company = self.company
        roles = {
            "accountant": "account.group_account_invoice",
            "auditor": "account.group_account_readonly",
            "revenue_user": "revenue_recognition.group_revenue_user",
        }
        for role, groups in roles.items():
            user = new_test_user(
                self.env,
                login=f"rr_reporting_{role}",
                groups=f"base.group_user,{groups}",
                company_id=company.id,
                company_ids=[Command.set(company.ids)],
            )
            report = (
                self.env["revenue.report"]
                .with_user(user)
                .create({"report_type": "backlog", "as_of": "2026-03-31"})
            )
            report.action_compute()
            self.assertEqual(report.backlog_total, 1200.0, role)
            self.assertTrue(report.backlog_line_ids, role)
            rollforward = (
                self.env["revenue.report"]
                .with_user(user)
                .create(
                    {
                        "report_type": "rollforward",
                        "date_from": "2026-03-01",
                        "date_to": "2026-03-31",
                    }
                )
            )
            rollforward.action_compute()
            self.assertEqual(rollforward.rollforward_line_ids.closing, 900.0, role)
            # the user's own report lines only
            self.assertEqual(
                self.env["revenue.report.rollforward"]
                .with_user(user)
                .search([("report_id", "=", rollforward.id)]),
                rollforward.rollforward_line_ids,
            )
        salesman = new_test_user(
            self.env,
            login="rr_reporting_salesman",
            groups="sales_team.group_sale_salesman",
            company_id=company.id,
        )
        with self.assertRaises(AccessError):
            self.env["revenue.report"].with_user(salesman).create(
                {"report_type": "backlog", "as_of": fields.Date.today()}
            )
