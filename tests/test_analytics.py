"""Month-end analytics on a small book of contracts built through the real flows.

The book (company A, its currency; untaxed amounts, products taxed 15 %):

- P1 annual: order O1 of 20 Dec 2025, 1,200 annual subscription from
  1 Jan 2026 (12 × 100, Jan-Dec 2026) and a 500 one-off set-up fee
  (not recurring, one line on 1 Jan); invoiced with the order's wizard on
  5 Jan 2026. Upsell: order O1b of 10 Mar 2026, 600 annual from 1 Apr 2026
  (12 × 50, Apr 2026-Mar 2027), invoiced on 1 Apr 2026.
- P2 monthly, invoices without order on the 1st of each month for that
  month: Jan 100 (with a -10 discount line without schedule), Feb 100,
  Mar 100, Apr 60 (downgrade), nothing in May and June (churn), Jul 80
  (reactivation).
- P3: invoice without order of 20 Jan 2026, 2,400 annual from 1 Feb 2026
  (12 × 200, Feb 2026-Jan 2027); credit note of 20 Mar 2026 for half of
  it (12 × -100, same term).
- P4: invoice without order of 1 Feb 2026 in EUR, 1,200 EUR annual from
  1 Feb 2026 at 2 EUR per unit of company currency (12 × 50, Feb 2026-Jan
  2027); its March line is held.
- P6: order O6 of 15 Feb 2026, 3,600 over 36 months from 1 Mar 2026, never
  invoiced (36 expected lines of 100, Mar 2026-Feb 2029).
- Recognition runs as of 31 Mar 2026 and 30 Apr 2026 (entries on the lines'
  recognition dates, the 1st of each month).
- Company B: P5, invoice of 10 Jan 2026, 1,200 annual from 1 Jan 2026,
  never recognised.

Recognised per month (entries dated the 1st):
  Jan: P1 100 + set-up 500 + P2 100 = 700
  Feb: P1 100 + P2 100 + P3 200 - 100 + P4 50 = 350
  Mar: P1 100 + P2 100 + P3 200 - 100 (P4 held) = 300
  Apr: P1 100 + 50 + P2 60 + P3 200 - 100 + P4 50 = 360
"""

from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import RevenueTestCommon


@tagged("post_install", "-at_install")
class TestAnalytics(RevenueTestCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.analytics = cls.env["revenue.analytics"]
        cls.line_model = cls.env["revenue.recognition.line"]
        cls.schedule_annual = cls._create_schedule(
            name="Annual", recognition_basis="monthly", occurrences=12
        )
        cls.schedule_monthly = cls._create_schedule(
            name="Monthly", recognition_basis="monthly", occurrences=1
        )
        cls.schedule_36m = cls._create_schedule(
            name="36 months", recognition_basis="monthly", occurrences=36
        )
        cls.schedule_setup = cls._create_schedule(
            name="Set-up",
            recognition_basis="occurrences",
            occurrences=1,
            recurring=False,
        )
        cls.product_annual = cls._create_product(
            name="Annual", revenue_schedule_id=cls.schedule_annual.id
        )
        cls.product_monthly = cls._create_product(
            name="Monthly", revenue_schedule_id=cls.schedule_monthly.id
        )
        cls.product_36m = cls._create_product(
            name="Three years", revenue_schedule_id=cls.schedule_36m.id
        )
        cls.product_setup = cls._create_product(
            name="Set-up fee", revenue_schedule_id=cls.schedule_setup.id
        )
        cls.product_discount = cls._create_product(name="Discount")
        partner = cls.env["res.partner"]
        cls.p1, cls.p2, cls.p3, cls.p4, cls.p5, cls.p6 = (
            partner.create({"name": f"Analytics customer {index}"})
            for index in range(1, 7)
        )
        cls.eur = cls.setup_other_currency("EUR", rates=[("2025-01-01", 2.0)])
        cls._build_book()

    # --- the book ----------------------------------------------------------------

    @classmethod
    def _order(cls, partner, day, lines):
        with freeze_time(day):
            order = cls._create_order(lines, partner=partner, date_order=day)
            order.action_confirm()
        return order

    @classmethod
    def _invoice_order_wizard(cls, order, day):
        with freeze_time(day):
            wizard = (
                cls.env["sale.advance.payment.inv"]
                .with_context(active_model="sale.order", active_ids=order.ids)
                .create({"advance_payment_method": "delivered"})
            )
            wizard.create_invoices()
            invoice = order.invoice_ids.filtered(lambda move: move.state == "draft")
            invoice.invoice_date = day
            invoice.action_post()
        return invoice

    @classmethod
    def _invoice(cls, partner, day, lines, **values):
        with freeze_time(day):
            invoice = cls._create_invoice(
                lines, invoice_date=day, partner_id=partner.id, **values
            )
            invoice.action_post()
        return invoice

    @classmethod
    def _run(cls, day, company=None):
        with freeze_time(day):
            cls.line_model._recognise(
                date.fromisoformat(day),
                domain=[("company_id", "=", (company or cls.company).id)],
            )

    @classmethod
    def _build_book(cls):
        start = {"revenue_start_date": "2026-01-01"}
        cls.o1 = cls._order(
            cls.p1,
            "2025-12-20",
            [
                (cls.product_annual, 1, 1200.0, start),
                (cls.product_setup, 1, 500.0, start),
            ],
        )
        cls.i1 = cls._invoice_order_wizard(cls.o1, "2026-01-05")
        cls.i2 = {
            month: cls._invoice(
                cls.p2,
                day,
                [(cls.product_monthly, price, {"revenue_start_date": day})]
                + ([(cls.product_discount, -10.0, None)] if month == 1 else []),
            )
            for month, day, price in (
                (1, "2026-01-01", 100.0),
                (2, "2026-02-01", 100.0),
                (3, "2026-03-01", 100.0),
                (4, "2026-04-01", 60.0),
            )
        }
        cls.i3 = cls._invoice(
            cls.p3,
            "2026-01-20",
            [(cls.product_annual, 2400.0, {"revenue_start_date": "2026-02-01"})],
        )
        cls.i4 = cls._invoice(
            cls.p4,
            "2026-02-01",
            [(cls.product_annual, 1200.0, {"revenue_start_date": "2026-02-01"})],
            currency_id=cls.eur.id,
        )
        cls.o6 = cls._order(
            cls.p6,
            "2026-02-15",
            [(cls.product_36m, 1, 3600.0, {"revenue_start_date": "2026-03-01"})],
        )
        cls.o1b = cls._order(
            cls.p1,
            "2026-03-10",
            [(cls.product_annual, 1, 600.0, {"revenue_start_date": "2026-04-01"})],
        )
        with freeze_time("2026-03-20"):
            reversal = (
                cls.env["account.move.reversal"]
                .with_context(active_model="account.move", active_ids=cls.i3.ids)
                .create({"date": "2026-03-20", "journal_id": cls.i3.journal_id.id})
            )
            cls.cn3 = cls.env["account.move"].browse(reversal.refund_moves()["res_id"])
            cls.cn3.invoice_line_ids.price_unit = 1200.0
            cls.cn3.invoice_date = "2026-03-20"
            cls.cn3.action_post()
        held = cls.i4.revenue_line_ids.filtered(
            lambda line: str(line.recognition_date) == "2026-03-01"
        )
        held.action_hold("customer acceptance")
        cls._run("2026-03-31")
        cls.i5 = cls._invoice_order_wizard(cls.o1b, "2026-04-01")
        cls._run("2026-04-30")
        cls.i2[7] = cls._invoice(
            cls.p2,
            "2026-07-01",
            [(cls.product_monthly, 80.0, {"revenue_start_date": "2026-07-01"})],
        )
        cls.company_b = cls.setup_other_company(name="Analytics B")["company"]
        schedule_b = cls.env["revenue.schedule"].create(
            {
                "name": "B annual",
                "company_id": cls.company_b.id,
                "recognition_basis": "monthly",
                "occurrences": 12,
            }
        )
        cls.product_annual.with_company(cls.company_b).revenue_schedule_id = schedule_b
        with freeze_time("2026-01-10"):
            cls.i6 = (
                cls.env["account.move"]
                .with_company(cls.company_b)
                .create(
                    {
                        "move_type": "out_invoice",
                        "company_id": cls.company_b.id,
                        "partner_id": cls.p5.id,
                        "invoice_date": "2026-01-10",
                        "invoice_line_ids": [
                            Command.create(
                                {
                                    "product_id": cls.product_annual.id,
                                    "price_unit": 1200.0,
                                    "revenue_start_date": "2026-01-01",
                                    "tax_ids": [Command.clear()],
                                }
                            )
                        ],
                    }
                )
            )
            cls.i6.action_post()

    def _company(self):
        return self.company.ids

    def _mrr(self, month, company_ids=None):
        """``mrr()`` as {partner id: MRR}."""
        return {
            row["partner_id"]: row["mrr"]
            for row in self.analytics.mrr(month, company_ids=company_ids)
        }

    # --- the book is what the comments say ----------------------------------------

    def test_book(self):
        self.assertBooks(after_run=True)
        self.assertBooks(self.company_b)
        self.assertEqual(
            self._schedule(self.i4.revenue_line_ids)[:2],
            [("2026-02-01", 50.0), ("2026-03-01", 50.0)],
        )
        self.assertEqual(
            self.cn3.revenue_line_ids.mapped("amount"), [-100.0] * 12, "credit note"
        )
        self.assertEqual(len(self.o6.revenue_line_ids), 36)
        # the upsell is invoiced on 1 April: its expected lines, signed on
        # the order's date, are cancelled that day (kept for the backlog as
        # it stood before); April recognised
        lines = self.o1b.revenue_line_ids
        self.assertEqual(
            sorted(lines.mapped("state")),
            ["cancelled"] * 12 + ["pending"] * 11 + ["posted"],
        )
        cancelled = lines.filtered(lambda line: line.state == "cancelled")
        self.assertEqual(set(cancelled.mapped("signed_date")), {date(2026, 3, 10)})
        self.assertEqual(set(cancelled.mapped("cancel_date")), {date(2026, 4, 1)})
        self.assertFalse(cancelled.move_id)
        self.assertEqual(
            set((lines - cancelled).mapped("signed_date")), {date(2026, 4, 1)}
        )

    # --- roll-forward ------------------------------------------------------------

    def test_rollforward(self):
        rows = self.analytics.rollforward(
            "2026-01-01", "2026-05-31", company_ids=self._company()
        )
        # invoiced: Jan I1 1,700 + P2 100 + I3 2,400 = 4,200; Feb P2 100 + P4
        # 1,200 EUR / 2 = 600 -> 700; Mar P2 100; Apr I5 600 + P2 60 = 660.
        # credited: Mar half of I3 = -1,200. recognised: see the module doc.
        # closing: Jan 4,200 - 700 = 3,500; Feb 3,500 + 700 - 350 = 3,850;
        # Mar 3,850 + 100 - 1,200 - 300 = 2,450; Apr 2,450 + 660 - 360 = 2,750.
        # Check of April: pending P1 8 × 100 + P3 9 × (200 - 100) + P4 10 × 50
        # (March held) + I5 11 × 50 = 800 + 900 + 500 + 550 = 2,750.
        expected = [
            ("2026-01-01", 0.0, 4200.0, 0.0, 700.0, 3500.0),
            ("2026-02-01", 3500.0, 700.0, 0.0, 350.0, 3850.0),
            ("2026-03-01", 3850.0, 100.0, -1200.0, 300.0, 2450.0),
            ("2026-04-01", 2450.0, 660.0, 0.0, 360.0, 2750.0),
            ("2026-05-01", 2750.0, 0.0, 0.0, 0.0, 2750.0),
        ]
        self.assertEqual(
            [
                {
                    "month": date.fromisoformat(month),
                    "opening": opening,
                    "invoiced": invoiced,
                    "credited": credited,
                    "recognised": recognised,
                    "closing": closing,
                    "gl_balance": closing,
                    "difference": 0.0,
                    "accrued": 0.0,
                }
                for month, opening, invoiced, credited, recognised, closing in expected
            ],
            rows,
        )
        # A later start reads the history into the opening balance.
        (march,) = self.analytics.rollforward(
            "2026-03-15", "2026-03-31", company_ids=self._company()
        )
        self.assertEqual(march["opening"], 3850.0)
        self.assertEqual(march["closing"], 2450.0)

    def test_rollforward_second_company(self):
        # Company B: 1,200 invoiced in January, nothing recognised.
        (january,) = self.analytics.rollforward(
            "2026-01-01", "2026-01-31", company_ids=self.company_b.ids
        )
        self.assertEqual(
            january,
            {
                "month": date(2026, 1, 1),
                "opening": 0.0,
                "invoiced": 1200.0,
                "credited": 0.0,
                "recognised": 0.0,
                "closing": 1200.0,
                "gl_balance": 1200.0,
                "difference": 0.0,
                "accrued": 0.0,
            },
        )
        # Both companies (same currency): 4,200 + 1,200 invoiced in January.
        (both,) = self.analytics.rollforward(
            "2026-01-01", "2026-01-31", company_ids=(self.company | self.company_b).ids
        )
        self.assertEqual(both["invoiced"], 5400.0)
        self.assertEqual(both["closing"], 4700.0)
        self.assertEqual(both["difference"], 0.0)

    def test_rollforward_manual_entry_shows_a_difference(self):
        """An entry on the deferred account made by hand is the difference."""
        with freeze_time("2026-02-10"):
            entry = self.env["account.move"].create(
                {
                    "move_type": "entry",
                    "date": "2026-02-10",
                    "journal_id": self.company_data["default_journal_misc"].id,
                    "line_ids": [
                        Command.create(
                            {"account_id": self.deferred_account.id, "balance": 40.0}
                        ),
                        Command.create(
                            {"account_id": self.income_account.id, "balance": -40.0}
                        ),
                    ],
                }
            )
            entry.action_post()
        rows = self.analytics.rollforward(
            "2026-01-01", "2026-03-31", company_ids=self._company()
        )
        # the ledger is 40 lower from February: closing - ledger = +40
        self.assertEqual([row["difference"] for row in rows], [0.0, 40.0, 40.0])
        self.assertEqual(rows[1]["gl_balance"], 3850.0 - 40.0)

    # --- backlog -------------------------------------------------------------------

    def test_backlog(self):
        backlog = self.analytics.backlog("2026-03-31", company_ids=self._company())
        # Deferred (invoiced by 31 Mar, not recognised by entries up to then):
        #   P1 annual Apr-Dec 9 × 100 = 900; P3 Apr-Jan 10 × 200 = 2,000 and
        #   its credit note 10 × -100 = -1,000; P4 held March + Apr-Jan 11 × 50
        #   = 550 -> 2,450 (the roll-forward's March closing).
        # Expected (signed by 31 Mar, invoiced later or never): upsell O1b
        #   (invoiced 1 Apr) 12 × 50 = 600; O6 36 × 100 = 3,600 -> 4,200.
        # P2's April invoice has no order and is dated after: not signed yet.
        # Bands up to 31 Mar 2027: 2,450 + 600 + O6 Mar 2026-Mar 2027 13 × 100
        #   = 4,350; to 31 Mar 2028: O6 12 × 100 = 1,200; beyond: 11 × 100.
        self.assertEqual(
            backlog,
            {
                "expected": 4200.0,
                "deferred": 2450.0,
                "total": 6650.0,
                "bands": {
                    "within_12_months": 4350.0,
                    "from_12_to_24_months": 1200.0,
                    "beyond_24_months": 1100.0,
                },
            },
        )
        # Before anything was signed or after everything is recognised.
        empty = {
            "expected": 0.0,
            "deferred": 0.0,
            "total": 0.0,
            "bands": dict.fromkeys(
                ("within_12_months", "from_12_to_24_months", "beyond_24_months"), 0.0
            ),
        }
        self.assertEqual(
            self.analytics.backlog("2025-12-19", company_ids=self._company()), empty
        )
        # Company B at 10 Jan 2026: 1,200 deferred, due within 12 months.
        self.assertEqual(
            self.analytics.backlog("2026-01-10", company_ids=self.company_b.ids)[
                "bands"
            ]["within_12_months"],
            1200.0,
        )

    # --- KPIs ------------------------------------------------------------------------

    def test_kpis(self):
        kpis = self.analytics.kpis(
            "2026-01-01", "2026-03-31", company_ids=self._company()
        )
        # bookings: orders O6 3,600 and O1b 600 (O1 is dated December); invoices
        # without order: P2 100 × 3 (the discount line has no schedule), P3
        # 2,400, P4 600 -> 7,500. Recognised: 700 + 350 + 300 = 1,350.
        # backlog at 31 Mar: 6,650; coverage = 6,650 / (1,350 / 3 months).
        # Lead time: O1's first recognised line is 1 Jan 2026, ordered 20 Dec
        # 2025: 12 days; O1b's first line is recognised in April, O6 never.
        self.assertEqual(kpis["bookings"], 7500.0)
        self.assertEqual(kpis["recognised"], 1350.0)
        self.assertAlmostEqual(kpis["book_to_bill"], 7500.0 / 1350.0)
        self.assertEqual(kpis["backlog"], 6650.0)
        self.assertAlmostEqual(kpis["coverage_months"], 6650.0 / 450.0)
        self.assertEqual(kpis["lead_time_days"], 12.0)
        april = self.analytics.kpis(
            "2026-04-01", "2026-04-30", company_ids=self._company()
        )
        # bookings: P2's April invoice 60 (I5 comes from an order of March).
        # Lead time: O1b ordered 10 Mar, first line recognised 1 Apr: 22 days.
        self.assertEqual(april["bookings"], 60.0)
        self.assertEqual(april["recognised"], 360.0)
        self.assertEqual(april["lead_time_days"], 22.0)
        # Nothing recognised in June: no ratio, no lead time.
        june = self.analytics.kpis(
            "2026-06-01", "2026-06-30", company_ids=self._company()
        )
        self.assertEqual(june["recognised"], 0.0)
        self.assertIs(june["book_to_bill"], False)
        self.assertIs(june["coverage_months"], False)
        self.assertIs(june["lead_time_days"], False)

    # --- MRR -----------------------------------------------------------------------

    def test_mrr(self):
        # P1 1,200 / 12 (+ 600 / 12 from April), P2 its month's invoice, P3
        # (2,400 - 1,200) / 12, P4 600 / 12, P6 3,600 / 36 (expected lines)
        # from March. The set-up fee is not recurring.
        p1, p2, p3, p4, p6 = (
            p.id for p in (self.p1, self.p2, self.p3, self.p4, self.p6)
        )
        expected = {
            "2026-01-01": {p1: 100.0, p2: 100.0},
            "2026-02-01": {p1: 100.0, p2: 100.0, p3: 100.0, p4: 50.0},
            "2026-03-01": {p1: 100.0, p2: 100.0, p3: 100.0, p4: 50.0, p6: 100.0},
            "2026-04-01": {p1: 150.0, p2: 60.0, p3: 100.0, p4: 50.0, p6: 100.0},
            "2026-05-01": {p1: 150.0, p3: 100.0, p4: 50.0, p6: 100.0},
            "2026-07-01": {p1: 150.0, p2: 80.0, p3: 100.0, p4: 50.0, p6: 100.0},
            "2027-01-01": {p1: 50.0, p3: 100.0, p4: 50.0, p6: 100.0},
            "2027-02-01": {p1: 50.0, p6: 100.0},
        }
        for month, figures in expected.items():
            self.assertEqual(
                self._mrr(month, company_ids=self._company()), figures, month
            )
        self.assertEqual(
            self._mrr("2026-01-15", company_ids=self.company_b.ids),
            {self.p5.id: 100.0},
        )

    def test_mrr_partial_months_and_occurrences(self):
        """Terms that do not start on the 1st: the month ends they cover."""
        partner = self.env["res.partner"].create({"name": "Analytics customer 7"})
        # 1,200 from 15 Jan 2027, monthly basis: 13 lines over 17/31 + 11 +
        # 14/31 = 12 months, 100 a month; covers 31 Jan 2027 to 31 Dec 2027,
        # not 31 Jan 2028 (it ends on 14 Jan).
        annual = self._invoice(
            partner,
            "2027-01-15",
            [(self.product_annual, 1200.0, {"revenue_start_date": "2027-01-15"})],
        )
        self.assertEqual(len(annual.revenue_line_ids), 13)
        self.assertEqual(set(annual.revenue_line_ids.mapped("mrr_amount")), {100.0})
        # 300 invoiced 18 Jan 2027, 3 occurrences from the next month:
        # February to April, 100 a month.
        self._invoice(partner, "2027-01-18", [(self.product_service, 300.0, None)])
        companies = self._company()
        mrr = {
            month: self._mrr(month, company_ids=companies).get(partner.id)
            for month in (
                "2027-01-01",
                "2027-02-01",
                "2027-04-01",
                "2027-05-01",
                "2027-12-01",
                "2028-01-01",
            )
        }
        self.assertEqual(
            mrr,
            {
                "2027-01-01": 100.0,
                "2027-02-01": 200.0,
                "2027-04-01": 200.0,
                "2027-05-01": 100.0,
                "2027-12-01": 100.0,
                "2028-01-01": None,
            },
        )
        movements = [
            (str(m["month"]), m["kind"], m["amount"])
            for m in self.analytics.mrr_movements(
                "2027-01-01", "2028-01-31", company_ids=companies
            )
            if m["partner_id"] == partner.id
        ]
        self.assertEqual(
            movements,
            [
                ("2027-01-01", "new", 100.0),
                ("2027-02-01", "expansion", 100.0),
                ("2027-05-01", "contraction", -100.0),
                ("2028-01-01", "churn", -100.0),
            ],
        )

    def test_mrr_movements(self):
        movements = self.analytics.mrr_movements(
            "2026-01-01", "2026-07-31", company_ids=self._company()
        )
        p1, p2, p3, p4, p6 = (
            p.id for p in (self.p1, self.p2, self.p3, self.p4, self.p6)
        )
        self.assertEqual(
            [
                (str(move["month"]), move["partner_id"], move["kind"], move["amount"])
                for move in movements
            ],
            sorted(
                [
                    ("2026-01-01", p1, "new", 100.0),
                    ("2026-01-01", p2, "new", 100.0),
                    ("2026-02-01", p3, "new", 100.0),
                    ("2026-02-01", p4, "new", 50.0),
                    ("2026-03-01", p6, "new", 100.0),
                    ("2026-04-01", p1, "expansion", 50.0),  # upsell
                    ("2026-04-01", p2, "contraction", -40.0),  # downgrade
                    ("2026-05-01", p2, "churn", -60.0),
                    ("2026-07-01", p2, "reactivation", 80.0),
                ],
                key=lambda move: (move[0], move[1]),
            ),
        )
        # Per month, the movements add up to the change of the total MRR.
        total = {
            month: sum(self._mrr(month, company_ids=self._company()).values())
            for month in ("2026-03-01", "2026-04-01")
        }
        self.assertAlmostEqual(
            sum(m["amount"] for m in movements if str(m["month"]) == "2026-04-01"),
            total["2026-04-01"] - total["2026-03-01"],
        )
        # A range starting in April compares with March; history says
        # reactivation; July's month ends in August (churn).
        later = self.analytics.mrr_movements(
            "2026-04-01", "2026-12-31", company_ids=self._company()
        )
        self.assertEqual(later[0]["month"], date(2026, 4, 1))
        self.assertEqual(
            [m["kind"] for m in later if m["partner_id"] == p2],
            ["contraction", "churn", "reactivation", "churn"],
        )
        # January 2027: P1's first year, P3's and P4's contracts end (Jan 2027
        # is still covered, February is not).
        feb_2027 = self.analytics.mrr_movements(
            "2027-02-01", "2027-02-28", company_ids=self._company()
        )
        self.assertEqual(
            [(m["partner_id"], m["kind"], m["amount"]) for m in feb_2027],
            sorted([(p3, "churn", -100.0), (p4, "churn", -50.0)]),
        )

    def test_mrr_reconciliation(self):
        p1, p2, p3, p4, p6 = (
            p.id for p in (self.p1, self.p2, self.p3, self.p4, self.p6)
        )
        # January: P1 invoiced 1,700 (annual 1,200, set-up 500), MRR 100: one-off
        # 500, timing 1,200 - 100 = 1,100; recognised 100 + 500. P2 invoiced
        # 100 - 10 = 90, MRR 100: discount -10. P3 invoiced 2,400 for a term
        # from February: timing 2,400.
        january = self.analytics.mrr_reconciliation(
            "2026-01-01", company_ids=self._company()
        )
        self.assertEqual(
            january,
            [
                {
                    "partner_id": p1,
                    "mrr": 100.0,
                    "invoiced": 1700.0,
                    "recognised": 600.0,
                    "reasons": [("one_off", 500.0), ("timing", 1100.0)],
                },
                {
                    "partner_id": p2,
                    "mrr": 100.0,
                    "invoiced": 90.0,
                    "recognised": 100.0,
                    "reasons": [("discount", -10.0)],
                },
                {
                    "partner_id": p3,
                    "mrr": 0.0,
                    "invoiced": 2400.0,
                    "recognised": 0.0,
                    "reasons": [("timing", 2400.0)],
                },
            ],
        )
        # March: P3's credit note -1,200, MRR 200 - 100: timing -200 (the
        # invoice of January), credit note -1,200 + 100 = -1,100; recognised
        # 200 - 100. P4: its March line is held, nothing recognised.
        march = {
            row["partner_id"]: row
            for row in self.analytics.mrr_reconciliation(
                "2026-03-15", company_ids=self._company()
            )
        }
        self.assertEqual(
            march[p3],
            {
                "partner_id": p3,
                "mrr": 100.0,
                "invoiced": -1200.0,
                "recognised": 100.0,
                "reasons": [("timing", -200.0), ("credit_note", -1100.0)],
            },
        )
        self.assertEqual(march[p4]["recognised"], 0.0)
        self.assertEqual(march[p6]["reasons"], [("timing", -100.0)])
        # April: P1's upsell invoiced 600 for a term starting in April, P1 had
        # MRR in March: upgrade/downgrade 600 - 50 = 550; the first year is
        # timing -100. P2's downgrade 60 invoiced, MRR 60: nothing to explain.
        april = self.analytics.mrr_reconciliation(
            "2026-04-01", company_ids=self._company()
        )
        self.assertEqual(
            april,
            [
                {
                    "partner_id": p1,
                    "mrr": 150.0,
                    "invoiced": 600.0,
                    "recognised": 150.0,
                    "reasons": [("timing", -100.0), ("upgrade_downgrade", 550.0)],
                },
                {
                    "partner_id": p2,
                    "mrr": 60.0,
                    "invoiced": 60.0,
                    "recognised": 60.0,
                    "reasons": [],
                },
                {
                    "partner_id": p3,
                    "mrr": 100.0,
                    "invoiced": 0.0,
                    "recognised": 100.0,
                    "reasons": [("timing", -200.0), ("credit_note", 100.0)],
                },
                {
                    "partner_id": p4,
                    "mrr": 50.0,
                    "invoiced": 0.0,
                    "recognised": 50.0,
                    "reasons": [("timing", -50.0)],
                },
                {
                    "partner_id": p6,
                    "mrr": 100.0,
                    "invoiced": 0.0,
                    "recognised": 0.0,
                    "reasons": [("timing", -100.0)],
                },
            ],
        )
        for row in january + april:
            self.assertAlmostEqual(
                sum(amount for _reason, amount in row["reasons"]),
                row["invoiced"] - row["mrr"],
            )

    # --- flows that move the books --------------------------------------------------

    def test_reversed_recognition_and_reset_keep_the_ledger_tied(self):
        """A reversed recognition entry and an invoice reset to draft."""
        entry = self.i1.revenue_line_ids.filtered(
            lambda line: str(line.recognition_date) == "2026-04-01"
        ).recognition_move_id
        # the April entry released every April line: 360
        released = sum(entry.revenue_recognised_line_ids.mapped("amount"))
        self.assertEqual(released, 360.0)
        with freeze_time("2026-05-10"):
            entry._reverse_moves([{"date": "2026-05-10", "ref": "undo"}], cancel=True)
            self.i2[7].button_draft()
        self.assertFalse(entry.revenue_recognised_line_ids)
        rows = self.analytics.rollforward(
            "2026-04-01", "2026-07-31", company_ids=self._company()
        )
        # April keeps what the entry released, May takes it back (its lines
        # are pending again): closing May = 2,750 + 360 = 3,110. July: the
        # invoice reset to draft is no longer invoiced.
        self.assertEqual(
            [(row["recognised"], row["invoiced"], row["closing"]) for row in rows],
            [
                (360.0, 660.0, 2750.0),
                (-360.0, 0.0, 3110.0),
                (0.0, 0.0, 3110.0),
                (0.0, 0.0, 3110.0),
            ],
        )
        self.assertEqual([row["difference"] for row in rows], [0.0] * 4)
        self.assertBooks()
        # The lines of the reversed entry are deferred backlog again on 31 May.
        self.assertEqual(
            self.analytics.backlog("2026-05-31", company_ids=self._company())[
                "deferred"
            ],
            3110.0,
        )
        # ... and P2's July MRR is gone with its invoice.
        self.assertNotIn(
            self.p2.id, self._mrr("2026-07-01", company_ids=self._company())
        )

    # --- access ------------------------------------------------------------------

    def test_access(self):
        reader = new_test_user(
            self.env,
            login="rr_analytics_reader",
            groups="revenue_recognition.group_revenue_user",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        analytics = self.analytics.with_user(reader).with_context(
            allowed_company_ids=self.company.ids
        )
        # the user's active companies by default
        self.assertEqual(
            analytics.rollforward("2026-01-01", "2026-05-31"),
            self.analytics.rollforward(
                "2026-01-01", "2026-05-31", company_ids=self._company()
            ),
        )
        self.assertEqual(analytics.backlog("2026-03-31")["total"], 6650.0)
        self.assertEqual(analytics.kpis("2026-01-01", "2026-03-31")["bookings"], 7500.0)
        self.assertIn(
            {"partner_id": self.p1.id, "mrr": 150.0}, analytics.mrr("2026-04-01")
        )
        self.assertEqual(len(analytics.mrr_movements("2026-01-01", "2026-07-31")), 9)
        self.assertEqual(len(analytics.mrr_reconciliation("2026-04-01")), 5)
        with self.assertRaises(AccessError):
            analytics.mrr("2026-01-01", company_ids=self.company_b.ids)
        employee = new_test_user(
            self.env, login="rr_analytics_employee", groups="base.group_user"
        )
        with self.assertRaises(AccessError):
            self.analytics.with_user(employee).rollforward("2026-01-01", "2026-01-31")
