"""Analytics as the contracts stood, KPI alerts, forecast, risks and bounds.

A book written day by day (each event under ``freeze_time`` of its day):

- O1, partner A, ordered 10 Jan 2026: 1,200 over 12 months from 1 Feb 2026
  (12 × 100); on 15 Feb an upsell line of 600 from 1 Mar (12 × 50);
- O2, partner B, ordered 20 Jan: 2,400 from 1 Feb (12 × 200), cancelled on
  5 Mar;
- O3, partner B, ordered 25 Jan: 2 × 300 from 1 Feb (12 × 50), reduced to
  1 on 20 Feb (12 × 25);
- O4, partner C, ordered 15 Jan in EUR: 800 EUR from 1 Jun (EUR at 2 per
  USD on the order's date: 400 USD), invoiced 10 Mar when EUR is at 4 per
  USD (200 USD deferred);
- O5, partner C, ordered 20 Apr: 1,200 from 1 Apr (the service started
  before signature), invoiced 20 Apr, April recognised on 30 Apr (100).
"""

from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import RevenueTestCommon


@tagged("post_install", "-at_install")
class TestAnalyticsAsItStood(RevenueTestCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.analytics = cls.env["revenue.analytics"]
        cls.line_model = cls.env["revenue.recognition.line"]
        cls.product_annual = cls._create_product(
            name="Annual platform",
            type="service",
            invoice_policy="order",
            lst_price=1200.0,
            revenue_schedule_id=cls.schedule_12m.id,
        )
        partner = cls.env["res.partner"]
        cls.pa, cls.pb, cls.pc = (
            partner.create({"name": f"Stood customer {x}"}) for x in "ABC"
        )
        cls.eur = cls.setup_other_currency(
            "EUR", rates=[("2025-01-01", 2.0), ("2026-03-01", 4.0)]
        )
        cls.eur_pricelist = cls.env["product.pricelist"].create(
            {"name": "EUR stood", "currency_id": cls.eur.id}
        )
        cls.risk_termination = cls.env.ref(
            "revenue_recognition.revenue_risk_termination"
        )
        cls.risk_dependency = cls.env.ref("revenue_recognition.revenue_risk_dependency")

        def order(partner, day, price, start, qty=1, **values):
            with freeze_time(day):
                so = cls._create_order(
                    [(cls.product_annual, qty, price, {"revenue_start_date": start})],
                    partner=partner,
                    date_order=day,
                    **values,
                )
                so.action_confirm()
            return so

        def invoice(so, day):
            with freeze_time(day):
                move = so._create_invoices()
                move.invoice_date = day
                move.action_post()
            return move

        cls.o1 = order(cls.pa, "2026-01-10", 1200.0, "2026-02-01")
        cls.o4 = order(
            cls.pc, "2026-01-15", 800.0, "2026-06-01", pricelist_id=cls.eur_pricelist.id
        )
        cls.o2 = order(cls.pb, "2026-01-20", 2400.0, "2026-02-01")
        cls.o3 = order(cls.pb, "2026-01-25", 300.0, "2026-02-01", qty=2)
        with freeze_time("2026-02-15"):
            cls.o1.order_line = [
                Command.create(
                    {
                        "product_id": cls.product_annual.id,
                        "product_uom_qty": 1,
                        "price_unit": 600.0,
                        "revenue_start_date": "2026-03-01",
                    }
                )
            ]
        with freeze_time("2026-02-20"):
            cls.o3.order_line.write({"product_uom_qty": 1, "price_unit": 300.0})
        with freeze_time("2026-03-05"):
            cls.o2._action_cancel()
        cls.i4 = invoice(cls.o4, "2026-03-10")
        cls.o5 = order(cls.pc, "2026-04-20", 1200.0, "2026-04-01")
        cls.i5 = invoice(cls.o5, "2026-04-20")
        with freeze_time("2026-04-30"):
            cls.line_model._recognise(
                date(2026, 4, 30), domain=[("company_id", "=", cls.company.id)]
            )

    def _backlog(self, day):
        return self.analytics.backlog(day, company_ids=self.company.ids)

    def _sum(self, domain):
        return self.line_model._read_group(domain, aggregates=["amount:sum"])[0][0]

    # --- the book -------------------------------------------------------------------

    def test_book(self):
        self.assertBooks()
        # O2 cancelled on 5 March: its 12 expected lines kept, cancelled that day
        lines = self.o2.revenue_line_ids
        self.assertEqual(set(lines.mapped("state")), {"cancelled"})
        self.assertEqual(set(lines.mapped("cancel_date")), {date(2026, 3, 5)})
        self.assertEqual(set(lines.mapped("signed_date")), {date(2026, 1, 20)})
        # O4 invoiced at 4 EUR per USD: 200 USD deferred
        self.assertAlmostEqual(sum(self.i4.revenue_line_ids.mapped("amount")), 200.0)
        # O5's April line recognised: 100
        self.assertEqual(
            self.o5.revenue_line_ids.filtered(lambda line: line.state == "posted")[
                :1
            ].amount,
            100.0,
        )

    # --- backlog and bookings as they stood ---------------------------------------

    def test_backlog_as_it_stood(self):
        # 31 Jan: O1 1,200 + O2 2,400 + O3 600 + O4 400 (800 EUR at 2), all
        # signed, nothing invoiced -> 4,600; all due by 31 Jan 2027 but O4's
        # last four lines (1 Feb to 1 May 2027): 400 - 400 x 8 / 12 (cumulative
        # rounding) = 400 - 266.67 = 133.33.
        january = self._backlog("2026-01-31")
        self.assertEqual(
            (january["expected"], january["deferred"], january["total"]),
            (4600.0, 0.0, 4600.0),
        )
        self.assertEqual(
            january["bands"],
            {
                "within_12_months": 4466.67,
                "from_12_to_24_months": 133.33,
                "beyond_24_months": 0.0,
            },
        )
        # 28 Feb: + the upsell 600 (signed 15 Feb), O3 down to 300 (20 Feb),
        # O2 still there (cancelled on 5 March) -> 4,600 + 600 - 300 = 4,900.
        self.assertEqual(self._backlog("2026-02-28")["total"], 4900.0)
        # 31 Mar: O1 1,800 + O3 300 expected; O4 invoiced: 200 deferred.
        march = self._backlog("2026-03-31")
        self.assertEqual(
            (march["expected"], march["deferred"], march["total"]),
            (2100.0, 200.0, 2300.0),
        )
        # each figure's schedule lines add up to it
        for day in ("2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30"):
            figures = self._backlog(day)
            for kind in ("expected", "deferred"):
                domain = self.analytics.backlog_domain(
                    day, kind=kind, company_ids=self.company.ids
                )
                self.assertAlmostEqual(
                    self._sum(domain) or 0.0, figures[kind], places=2, msg=day
                )
            for band, amount in figures["bands"].items():
                domain = self.analytics.backlog_domain(
                    day, band=band, company_ids=self.company.ids
                )
                self.assertAlmostEqual(self._sum(domain) or 0.0, amount, places=2)

    def test_bookings_as_they_stood(self):
        # January as it stood on 31 Jan: O1 1,200 + O2 2,400 + O3 600 + O4
        # 800 EUR at the order's rate 2 = 400 -> 4,600 (the upsell and O3's
        # reduction came later, O2's cancellation too).
        january = self.analytics.kpis(
            "2026-01-01", "2026-01-31", company_ids=self.company.ids
        )
        self.assertEqual(january["bookings"], 4600.0)
        # Nothing recognised: no ratio, no alert (False, not None: XML-RPC).
        self.assertEqual(january["recognised"], 0.0)
        self.assertIs(january["book_to_bill"], False)
        self.assertIs(january["coverage_months"], False)
        self.assertIs(january["lead_time_days"], False)
        self.assertEqual(january["alerts"], [])
        # To 28 Feb: + upsell 600 - O3's 300 = 4,900.
        self.assertEqual(
            self.analytics.kpis(
                "2026-01-01", "2026-02-28", company_ids=self.company.ids
            )["bookings"],
            4900.0,
        )
        # To 31 Mar: O2 cancelled (-2,400); O4 invoiced at 4, still booked at
        # the order's rate: 1,800 + 300 + 400 = 2,500.
        self.assertEqual(
            self.analytics.kpis(
                "2026-01-01", "2026-03-31", company_ids=self.company.ids
            )["bookings"],
            2500.0,
        )

    # --- KPIs and alerts ------------------------------------------------------------

    def test_kpis_lead_time_never_negative_and_alerts(self):
        kpis = self.analytics.kpis(
            "2026-04-01", "2026-04-30", company_ids=self.company.ids
        )
        # bookings: O5 1,200; recognised: its April line 100; backlog on 30
        # Apr: O1 1,800 + O3 300 + O4 200 + O5 1,100 = 3,400; coverage
        # 3,400 / (100 / 1 month) = 34; lead time: first line 1 Apr, ordered
        # 20 Apr -> 0 days, not -19.
        self.assertEqual(
            {name: value for name, value in kpis.items() if name != "alerts"},
            {
                "bookings": 1200.0,
                "recognised": 100.0,
                "book_to_bill": 12.0,
                "backlog": 3400.0,
                "coverage_months": 34.0,
                "lead_time_days": 0.0,
            },
        )
        # default thresholds (1.0, 6 months, 30 days): no alert
        self.assertEqual(kpis["alerts"], [])
        self.company.write(
            {
                "revenue_alert_book_to_bill": 15.0,
                "revenue_alert_coverage_months": 40.0,
                "revenue_alert_lead_time_days": -1.0,
            }
        )
        kpis = self.analytics.kpis(
            "2026-04-01", "2026-04-30", company_ids=self.company.ids
        )
        self.assertEqual(
            kpis["alerts"], ["book_to_bill", "coverage_months", "lead_time_days"]
        )
        # lead time 0 days: at a threshold of 0 it is not above it (no alert)
        self.company.revenue_alert_lead_time_days = 0.0
        at_threshold = self.analytics.kpis(
            "2026-04-01", "2026-04-30", company_ids=self.company.ids
        )
        self.assertEqual(at_threshold["alerts"], ["book_to_bill", "coverage_months"])
        self.company.revenue_alert_lead_time_days = -1.0
        # the KPI screen: red flags, and the figures the coverage comes from
        report = self.env["revenue.report"].create(
            {
                "report_type": "kpis",
                "date_from": "2026-04-01",
                "date_to": "2026-04-30",
                "company_ids": [Command.set(self.company.ids)],
            }
        )
        report.action_compute()
        self.assertRecordValues(
            report,
            [
                {
                    "alert_book_to_bill": True,
                    "alert_coverage_months": True,
                    "alert_lead_time_days": True,
                    "kpi_months": 1,
                    "recognised_per_month": 100.0,
                    "coverage_months": 34.0,
                }
            ],
        )
        self.assertIn("Book-to-bill", report.kpi_alerts)

    def test_month_close_alert_activity(self):
        self.company.revenue_alert_coverage_months = 40.0
        manager = self.env.user
        manager.groups_id |= self.env.ref("revenue_recognition.group_revenue_manager")
        activities = self.analytics._check_month_alerts("2026-04-15", self.company)
        self.assertTrue(activities)
        mine = activities.filtered(lambda act: act.user_id == manager)
        self.assertEqual(len(mine), 1)
        self.assertEqual(mine.res_model, "account.journal")
        self.assertEqual(mine.res_id, self.company.revenue_journal_id.id)
        self.assertIn("Coverage", str(mine.note))
        self.assertIn("secure renewals", str(mine.note))
        # once per month
        self.assertFalse(
            self.analytics._check_month_alerts("2026-04-15", self.company).filtered(
                lambda act: act.user_id == manager
            )
        )
        # back within the thresholds: nothing
        self.company.revenue_alert_coverage_months = 6.0
        self.assertFalse(self.analytics._check_month_alerts("2026-04-01", self.company))

    # --- forecast -------------------------------------------------------------------

    def test_forecast_and_plan_vs_actual(self):
        with freeze_time("2026-05-01"):
            forecast = self.analytics.forecast(
                "2026-05-01", periods=3, period="month", company_ids=self.company.ids
            )
        # expected: O1 100 + upsell 50 + O3 25 = 175 a month; deferred: O5
        # 100 a month, O4 from June: 200 / 12 rounded cumulatively (16.67,
        # 16.66, ...).
        self.assertEqual(
            forecast,
            [
                {
                    "period_start": date(2026, 5, 1),
                    "expected": 175.0,
                    "deferred": 100.0,
                    "total": 275.0,
                },
                {
                    "period_start": date(2026, 6, 1),
                    "expected": 175.0,
                    "deferred": 116.67,
                    "total": 291.67,
                },
                {
                    "period_start": date(2026, 7, 1),
                    "expected": 175.0,
                    "deferred": 116.66,
                    "total": 291.66,
                },
            ],
        )
        with freeze_time("2026-05-01"):
            domain = self.analytics.forecast_domain(
                "2026-06-01", "2026-06-30", company_ids=self.company.ids
            )
        self.assertAlmostEqual(self._sum(domain), 291.67, places=2)
        # weeks: 13 by default, from the date given
        with freeze_time("2026-05-01"):
            weeks = self.analytics.forecast("2026-05-01", company_ids=self.company.ids)
        self.assertEqual(len(weeks), 13)
        self.assertEqual(weeks[1]["period_start"], date(2026, 5, 8))
        # O1's, the upsell's and O3's lines of 1 May fall in the first week
        self.assertEqual(weeks[0]["total"], 275.0)
        # April: planned on 31 March 175 (O1 100, upsell 50, O3 25; O5 was
        # not signed yet), recognised 100 (O5).
        self.assertEqual(
            self.analytics.plan_vs_actual(
                "2026-04-01", periods=1, company_ids=self.company.ids
            ),
            [
                {
                    "period_start": date(2026, 4, 1),
                    "planned": 175.0,
                    "actual": 100.0,
                    "difference": -75.0,
                }
            ],
        )

    def test_forecast_screen(self):
        with freeze_time("2026-05-01"):
            report = self.env["revenue.report"].create(
                {
                    "report_type": "forecast",
                    "date_from": "2026-04-01",
                    "forecast_period": "month",
                    "company_ids": [Command.set(self.company.ids)],
                }
            )
            action = report.action_compute()
        self.assertEqual(action["res_model"], "revenue.report.forecast")
        rows = self.env["revenue.report.forecast"].search(action["domain"])
        self.assertEqual(len(rows), 12)
        # April and May have started on 1 May: plan vs actual. April: 175
        # planned, 100 recognised; May: planned on 30 April 175 + O5 100 =
        # 275, nothing recognised yet. From June: the forecast only.
        self.assertEqual(
            [(r.is_past, r.planned, r.actual, r.difference) for r in rows[:3]],
            [(True, 175.0, 100.0, -75.0), (True, 275.0, 0.0, -275.0)]
            + [(False, 0.0, 0.0, 0.0)],
        )
        self.assertEqual(rows[2].total, 291.67)

    # --- risks ----------------------------------------------------------------------

    def test_backlog_by_risk(self):
        self.o1.revenue_risk_id = self.risk_termination
        self.o3.order_line.revenue_risk_id = self.risk_dependency
        # 31 March: O1 1,800 (termination), O3 300 (dependency), O4 200.
        self.assertEqual(
            self.analytics.backlog_by_risk("2026-03-31", company_ids=self.company.ids),
            [
                {
                    "risk_id": self.risk_termination.id,
                    "name": "Termination",
                    "amount": 1800.0,
                },
                {
                    "risk_id": self.risk_dependency.id,
                    "name": "Dependency",
                    "amount": 300.0,
                },
                {"risk_id": False, "name": "No risk", "amount": 200.0},
            ],
        )
        report = self.env["revenue.report"].create(
            {
                "report_type": "backlog",
                "as_of": "2026-03-31",
                "company_ids": [Command.set(self.company.ids)],
            }
        )
        report.action_compute()
        self.assertEqual(report.risk_line_ids.mapped("amount"), [1800.0, 300.0, 200.0])
        self.assertEqual(
            sum(report.risk_line_ids.mapped("amount")), report.backlog_total
        )
        action = report.action_open_backlog_risks()
        self.assertEqual(
            self.env[action["res_model"]].search(action["domain"]), report.risk_line_ids
        )

    # --- bounds, companies and currencies ------------------------------------------

    def test_bad_arguments_are_refused_clearly(self):
        analytics = self.analytics.with_context(allowed_company_ids=self.company.ids)
        calls = {
            "end before start": lambda: analytics.rollforward(
                "2026-02-01", "2026-01-01"
            ),
            "not a date": lambda: analytics.kpis("abc", "2026-01-31"),
            "None": lambda: analytics.backlog(None),
            "year 9999": lambda: analytics.mrr("9999-12-31"),
            "121 months": lambda: analytics.rollforward("2016-01-01", "2026-01-31"),
            "unknown company": lambda: analytics.backlog(
                "2026-01-31", company_ids=[987654]
            ),
            "not ids": lambda: analytics.backlog("2026-01-31", company_ids="1"),
            "0 periods": lambda: analytics.forecast("2026-01-01", periods=0),
            "day periods": lambda: analytics.forecast("2026-01-01", period="day"),
            "1..9998": lambda: analytics.mrr_movements("0001-01-01", "9998-12-31"),
        }
        for name, call in calls.items():
            with self.subTest(name), self.assertRaises(UserError):
                call()
        # 120 months is the limit, accepted
        self.assertEqual(len(analytics.rollforward("2016-02-01", "2026-01-31")), 120)

    def test_companies_in_different_currencies_are_refused(self):
        other = self.setup_other_company(
            name="Stood EUR company", currency_id=self.eur.id
        )["company"]
        self.env.user.company_ids |= other
        with self.assertRaisesRegex(UserError, "Stood EUR company") as caught:
            self.analytics.backlog("2026-03-31", company_ids=(self.company | other).ids)
        self.assertIn(self.company.name, str(caught.exception))
        # each alone is fine
        self.assertEqual(
            self.analytics.backlog("2026-03-31", company_ids=other.ids)["total"], 0.0
        )

    def test_results_carry_over_rpc(self):
        """String keys, no None, anywhere in the results."""

        def check(value, path):
            self.assertIsNotNone(value, path)
            if isinstance(value, dict):
                for key, item in value.items():
                    self.assertIsInstance(key, str, path)
                    check(item, f"{path}.{key}")
            elif isinstance(value, list | tuple):
                for index, item in enumerate(value):
                    check(item, f"{path}[{index}]")

        ids = self.company.ids
        check(self.analytics.rollforward("2026-01-01", "2026-05-31", ids), "rf")
        check(self.analytics.backlog("2026-03-31", ids), "backlog")
        check(self.analytics.kpis("2026-01-01", "2026-01-31", ids), "kpis")
        check(self.analytics.mrr("2026-04-01", ids), "mrr")
        check(self.analytics.mrr_movements("2026-01-01", "2026-05-31", ids), "mov")
        check(self.analytics.mrr_reconciliation("2026-04-01", ids), "rec")
        check(self.analytics.forecast("2026-05-01", 3, "month", ids), "forecast")
        check(self.analytics.plan_vs_actual("2026-04-01", 2, "month", ids), "plan")
        check(self.analytics.backlog_by_risk("2026-03-31", ids), "risk")
