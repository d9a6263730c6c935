"""Changes of terms as model methods: ``revenue_change_terms`` and ``revenue.change``.

The reference contract: 1,200.00 for 2026 by month (``monthly``,
``actual_start``: 100.00 on the 1st of each month), January to March
recognised, changed on 1 April. Every figure is worked out by hand in a
comment; the products are taxed (15 %), taxes never reach the schedules.
"""

from datetime import date

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import APRIL, RevenueTestCommon, monthly


@tagged("post_install", "-at_install")
class TestRevenueChange(RevenueTestCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.analytics = cls.env["revenue.analytics"]
        cls.product_annual = cls._create_annual_product(
            name="Annual subscription", lst_price=600.0
        )
        cls.customer = cls.env["res.partner"].create({"name": "Change customer"})

    # --- helpers ---------------------------------------------------------------

    def _invoice_q1(self, **values):
        """1,200 invoiced 1 Jan 2026 without order, Jan-Mar recognised."""
        invoice = self._create_invoice(
            [(self.product_annual, 1200.0, None)],
            invoice_date="2026-01-01",
            partner_id=self.customer.id,
            **values,
        )
        invoice.action_post()
        self._recognise_as_of("2026-03-31")
        line = invoice.invoice_line_ids
        self.assertAlmostEqual(
            sum(self._revs(line, "posted").mapped("amount_currency")), 300.0
        )
        return line

    def _order_half_invoiced(self):
        """2 x 600.00 ordered on 1 Jan 2026, one invoiced on 1 Jan, Jan-Mar
        recognised: (order line, invoice line)."""
        with freeze_time("2026-01-01"):
            order = self._create_order(
                [(self.product_annual, 2, 600.0, None)],
                partner=self.customer,
                date_order="2026-01-01",
            )
            order.action_confirm()
        invoice = order._create_invoices()
        invoice.invoice_line_ids.quantity = 1
        invoice.invoice_date = "2026-01-01"
        invoice.action_post()
        self._recognise_as_of("2026-03-31")
        sale_line = order.order_line
        # 600.00 invoiced: 12 x 50.00, 150.00 recognised; 600.00 still to
        # invoice: 12 expected lines of 50.00
        self.assertAlmostEqual(
            sum(self._revs(sale_line, "posted").mapped("amount")), 150
        )
        self.assertEqual(
            self._schedule(self._revs(sale_line, "expected")),
            monthly("2026-01-01", 12, 50.0),
        )
        return sale_line, invoice.invoice_line_ids

    def _movements(self, first, last):
        return [
            (move["month"].isoformat(), move["kind"], move["amount"])
            for move in self.analytics.mrr_movements(
                date.fromisoformat(first),
                date.fromisoformat(last),
                company_ids=self.company.ids,
            )
            if move["partner_id"] == self.customer.id
        ]

    # --- an order line: invoiced and expected lines follow ---------------------

    def test_order_line_prospective(self):
        sale_line, invoice_line = self._order_half_invoiced()
        old_expected = self._revs(sale_line, "expected")
        change = sale_line.revenue_change_terms(
            APRIL, end_date="2027-12-31", reason="Two more years signed"
        )
        self.assertRecordValues(
            change,
            [
                {
                    "sale_line_id": sale_line.id,
                    "move_line_id": False,
                    "method": "prospective",
                    "change_date": date(2026, 4, 1),
                    "old_end_date": False,  # none: 12 months from the start
                    "new_end_date": date(2027, 12, 31),
                    "old_schedule_id": self.schedule_12m.id,
                    "new_schedule_id": self.schedule_12m.id,
                    "recognised_amount": 150.0,
                    "catch_up_amount": 0.0,
                    # invoice 450/21 + expected 450/21 = 2 x 21.428... = 42.86
                    "monthly_amount": 42.86,
                    "line_count": 42,
                    "user_id": self.env.uid,
                }
            ],
        )
        self.assertEqual(change.move_line_ids, invoice_line)
        self.assertEqual(sale_line.revenue_end_date, date(2027, 12, 31))
        self.assertEqual(invoice_line.revenue_end_date, date(2027, 12, 31))
        # invoice line: 150.00 recognised stays; 450.00 over April 2026 -
        # December 2027 (21 months): 450/21 = 21.428...; running 21.43,
        # 42.86, 64.29, 85.71: 21.43, 21.43, 21.43, 21.42
        pending = self._revs(invoice_line, "pending")
        self.assertEqual(
            self._schedule(pending[:4]),
            [
                (APRIL, 21.43),
                ("2026-05-01", 21.43),
                ("2026-06-01", 21.43),
                ("2026-07-01", 21.42),
            ],
        )
        self.assertEqual(len(pending), 21)
        self.assertAlmostEqual(sum(pending.mapped("amount")), 450.0)
        self.assertTrue(all(amount > 0 for amount in pending.mapped("amount")))
        # expected: January-March (periods ended before the change) stay as
        # they were; 600 - 150 = 450.00 spread the same way from April
        expected = self._revs(sale_line, "expected")
        self.assertEqual(expected[:3], old_expected[:3])
        self.assertEqual(
            self._schedule(expected[:5]),
            [*monthly("2026-01-01", 3, 50.0), (APRIL, 21.43), ("2026-05-01", 21.43)],
        )
        self.assertEqual(len(expected), 24)
        self.assertAlmostEqual(sum(expected.mapped("amount")), 600.0)
        cancelled = old_expected[3:]
        self.assertEqual(set(cancelled.mapped("state")), {"cancelled"})
        self.assertTrue(all(cancelled.mapped("cancel_date")))
        self.assertBooks()
        # MRR: March 50 + 50 = 100.00, April 21.43 + 21.43 = 42.86 (the exact
        # 900/21 = 42.857... rounded once): a contraction, no churn
        self.assertEqual(
            self._movements("2026-04-01", "2026-05-31"),
            [("2026-04-01", "contraction", -57.14)],
        )
        # the April run: invoice line 150.00 + 21.43
        self._recognise_as_of("2026-04-30")
        self.assertAlmostEqual(
            sum(self._revs(invoice_line, "posted").mapped("amount")), 171.43
        )
        self.assertBooks(after_run=True)

    def test_order_line_cumulative(self):
        sale_line, invoice_line = self._order_half_invoiced()
        change = sale_line.revenue_change_terms(
            APRIL,
            end_date="2027-12-31",
            method="cumulative",
            reason="Not distinct: whole term again",
        )
        # invoice line: 600 over 24 months = 25.00; due before April 75.00,
        # recognised 150.00: catch-up -75.00 on 1 April, then 21 x 25.00
        self.assertEqual(
            self._schedule(self._revs(invoice_line, "pending")),
            [(APRIL, -75.0), *monthly(APRIL, 21, 25.0)],
        )
        # expected: 600.00 over the whole new term, 24 x 25.00
        self.assertEqual(
            self._schedule(self._revs(sale_line, "expected")),
            monthly("2026-01-01", 24, 25.0),
        )
        self.assertRecordValues(
            change,
            [
                {
                    "method": "cumulative",
                    "catch_up_amount": -75.0,
                    "monthly_amount": 50.0,  # 25.00 invoiced + 25.00 expected
                    "line_count": 22 + 24,
                }
            ],
        )
        catch_up = self._revs(invoice_line, "pending")[:1]
        self.assertEqual(catch_up.mrr_amount, 0.0)
        self.assertBooks()
        self._recognise_as_of("2026-04-30")
        # 150.00 - 75.00 + 25.00 = 100.00
        self.assertAlmostEqual(
            sum(self._revs(invoice_line, "posted").mapped("amount")), 100.0
        )
        self.assertBooks(after_run=True)

    def test_invoice_line_of_an_order_changes_its_order_line(self):
        sale_line, invoice_line = self._order_half_invoiced()
        change = invoice_line.revenue_change_terms(
            APRIL, end_date="2027-12-31", reason="From the invoice"
        )
        self.assertEqual(change.sale_line_id, sale_line)
        self.assertEqual(sale_line.revenue_end_date, date(2027, 12, 31))
        self.assertEqual(len(self._revs(sale_line, "expected")), 24)
        self.assertEqual(sale_line.revenue_change_ids, change)
        action = invoice_line.action_revenue_changes()
        self.assertEqual(self.env["revenue.change"].search(action["domain"]), change)

    # --- an invoice line without order ----------------------------------------

    def test_invoice_line_prospective_then_cumulative(self):
        line = self._invoice_q1()
        change = line.revenue_change_terms(
            APRIL, end_date="2027-12-31", reason="Extended to 2027"
        )
        # 900.00 over 21 months: 42.857...: 42.86, 42.85, 42.86, 42.86, ...
        pending = self._revs(line, "pending")
        self.assertEqual(
            self._schedule(pending[:3]),
            [(APRIL, 42.86), ("2026-05-01", 42.85), ("2026-06-01", 42.86)],
        )
        self.assertEqual(set(pending.mapped("amount")), {42.85, 42.86})
        self.assertAlmostEqual(sum(pending.mapped("amount")), 900.0)
        self.assertRecordValues(
            change,
            [
                {
                    "move_line_id": line.id,
                    "sale_line_id": False,
                    "partner_id": self.customer.id,
                    "monthly_amount": 42.86,
                    "line_count": 21,
                    "rescheduled_amount": 900.0,
                }
            ],
        )
        self.assertEqual(line.move_id.message_ids[:1].body.count("Extended to 2027"), 1)
        self.assertBooks()
        # a second change, cumulative, on 1 July, back to 31 December 2026:
        # 12 months of 100.00, due before July 600.00; recognised by then
        # (run to 30 June) 300.00 + 3 x 42.857... = 428.57: catch-up 171.43
        self._recognise_as_of("2026-06-30")
        self.assertAlmostEqual(sum(self._revs(line, "posted").mapped("amount")), 428.57)
        second = line.revenue_change_terms(
            "2026-07-01", end_date="2026-12-31", method="cumulative", reason="Back"
        )
        self.assertEqual(second.catch_up_amount, 171.43)
        self.assertEqual(
            self._schedule(self._revs(line, "pending")),
            [("2026-07-01", 171.43), *monthly("2026-07-01", 6, 100.0)],
        )
        self.assertEqual(
            self.env["revenue.change"].search([("move_line_id", "=", line.id)]),
            second | change,
        )
        self.assertBooks()

    def test_foreign_currency_prospective(self):
        currency = self.setup_other_currency("EUR", rates=[("2016-01-01", 3.0)])
        line = self._invoice_q1(currency_id=currency.id)
        # 1,200.00 EUR = 400.00 USD; Jan-Mar: 300.00 EUR, 100.00 USD
        self.assertAlmostEqual(sum(self._revs(line, "posted").mapped("amount")), 100.0)
        line.revenue_change_terms(APRIL, end_date="2027-12-31", reason="EUR")
        pending = self._revs(line, "pending")
        # EUR 900/21: 42.86, 42.85; USD 300/21 = 14.2857...: running 14.29,
        # 28.57: 14.29, 14.28
        self.assertRecordValues(
            pending[:2],
            [
                {"amount_currency": 42.86, "amount": 14.29, "currency_id": currency.id},
                {"amount_currency": 42.85, "amount": 14.28, "currency_id": currency.id},
            ],
        )
        self.assertAlmostEqual(sum(pending.mapped("amount_currency")), 900.0)
        self.assertAlmostEqual(sum(pending.mapped("amount")), 300.0)
        self.assertBooks()

    # --- MRR in the month of a change -------------------------------------------

    def test_mrr_extension_is_a_contraction(self):
        line = self._invoice_q1()
        line.revenue_change_terms(APRIL, end_date="2027-12-31", reason="Extended")
        # March 100.00, April 900/21 = 42.857... -> 42.86: -57.14; nothing more
        # until the end of 2027, churn in January 2028
        self.assertEqual(
            self._movements("2026-03-01", "2028-01-31"),
            [("2026-04-01", "contraction", -57.14), ("2028-01-01", "churn", -42.86)],
        )

    def test_mrr_change_in_the_middle_of_a_month(self):
        """Changed on 15 April: April (its period ends after the change) is
        in the rest of the new term, dated 15 April: April has MRR, no churn
        and reactivation."""
        line = self._invoice_q1()
        line.revenue_change_terms(
            "2026-04-15", end_date="2027-12-31", reason="Mid-month"
        )
        pending = self._revs(line, "pending")
        self.assertEqual(pending[0].recognition_date, date(2026, 4, 15))
        self.assertEqual(len(pending), 21)
        self.assertEqual(
            self._movements("2026-04-01", "2026-05-31"),
            [("2026-04-01", "contraction", -57.14)],
        )
        self.assertBooks()

    def test_mrr_cumulative_catch_up_carries_none(self):
        line = self._invoice_q1()
        line.revenue_change_terms(
            APRIL, end_date="2027-12-31", method="cumulative", reason="Cumulative"
        )
        # catch-up -150.00 without MRR; April 1,200/24 = 50.00: -50.00
        self.assertEqual(
            self._movements("2026-04-01", "2026-05-31"),
            [("2026-04-01", "contraction", -50.0)],
        )

    def test_mrr_shortened_contract_is_no_expansion(self):
        line = self._invoice_q1()
        line.revenue_change_terms(APRIL, end_date="2026-06-30", reason="Shortened")
        # 900.00 over April-June: 300.00 a month recognised, but nothing more
        # was sold: MRR stays 100.00, the contract churns in July
        self.assertEqual(
            self._schedule(self._revs(line, "pending")), monthly(APRIL, 3, 300.0)
        )
        self.assertEqual(
            self._movements("2026-04-01", "2026-07-31"),
            [("2026-07-01", "churn", -100.0)],
        )
        self.assertBooks()

    def test_change_dated_in_a_recognised_month(self):
        """April already recognised, change dated 1 April: the new lines start
        after the last recognised period (May), so that no month counts twice.
        800.00 over May 2026 - December 2027 (20 months): 40.00."""
        line = self._invoice_q1()
        self._recognise_as_of("2026-04-30")
        line.revenue_change_terms(APRIL, end_date="2027-12-31", reason="Late")
        self.assertEqual(
            self._schedule(self._revs(line, "pending")),
            monthly("2026-05-01", 20, 40.0),
        )
        self.assertEqual(
            self._movements("2026-04-01", "2026-05-31"),
            [("2026-05-01", "contraction", -60.0)],
        )
        self.assertBooks()

    # --- holds, refusals, roles -------------------------------------------------

    def test_held_line_of_an_earlier_period_stays_held(self):
        invoice = self._create_invoice(
            [(self.product_annual, 1200.0, None)],
            invoice_date="2026-01-01",
            partner_id=self.customer.id,
        )
        invoice.action_post()
        line = invoice.invoice_line_ids
        self._recognise_as_of("2026-02-28")
        march = self._revs(line, "pending")[:1]
        march.action_hold("Disputed")
        # prospective: March (ended before the change) keeps its line and its
        # hold; 900.00 from April over 21 months
        line.revenue_change_terms(APRIL, end_date="2027-12-31", reason="Held March")
        self.assertEqual(march.state, "pending")
        self.assertTrue(march.on_hold)
        self.assertAlmostEqual(
            sum(self._revs(line, "pending").mapped("amount")), 100.0 + 900.0
        )
        # a hold on a line the change would replace is refused, nothing written
        may = self._revs(line, "pending")[2]
        may.action_hold("Waiting")
        pending_ids = self._revs(line, "pending").ids
        with self.assertRaisesRegex(UserError, "on hold.*Release them first"):
            line.revenue_change_terms(
                "2026-05-01", end_date="2028-12-31", reason="Refused"
            )
        self.assertEqual(self._revs(line, "pending").ids, pending_ids)
        self.assertEqual(len(self.env["revenue.change"].search([])), 1)
        self.assertBooks()

    def test_refusals_write_nothing(self):
        line = self._invoice_q1()
        pending_ids = self._revs(line, "pending").ids
        with self.assertRaisesRegex(UserError, "unknown method"):
            line.revenue_change_terms(APRIL, "2027-12-31", method="linear", reason="x")
        with self.assertRaisesRegex(UserError, "give the reason"):
            line.revenue_change_terms(APRIL, "2027-12-31", reason=" ")
        self.company.fiscalyear_lock_date = "2026-03-31"
        with self.assertRaisesRegex(UserError, "locked period"):
            line.revenue_change_terms("2026-03-01", "2027-12-31", reason="Locked")
        order = self._create_order([(self.product_annual, 1, 600.0, None)])
        with self.assertRaisesRegex(UserError, "confirmed order"):
            order.order_line.revenue_change_terms(APRIL, "2027-12-31", reason="Draft")
        self.assertEqual(self._revs(line, "pending").ids, pending_ids)
        self.assertFalse(self._revs(line, "cancelled"))
        self.assertFalse(self.env["revenue.change"].search([]))

    def test_change_record_is_never_edited_and_roles(self):
        line = self._invoice_q1()
        accountant = new_test_user(
            self.env,
            login="rr_change_accountant",
            groups="account.group_account_user",
            company_id=self.company.id,
            company_ids=[self.company.id],
        )
        salesperson = new_test_user(
            self.env,
            login="rr_change_salesperson",
            groups="sales_team.group_sale_salesman_all_leads",
            company_id=self.company.id,
            company_ids=[self.company.id],
        )
        with self.assertRaises(AccessError):
            line.with_user(salesperson).revenue_change_terms(
                APRIL, "2027-12-31", reason="Not mine"
            )
        change = line.with_user(accountant).revenue_change_terms(
            APRIL, "2027-12-31", reason="Signed amendment"
        )
        self.assertEqual(change.user_id, accountant)
        self.assertEqual(change.with_user(accountant).reason, "Signed amendment")
        with self.assertRaises(AccessError):
            change.with_user(salesperson).read(["reason"])
        # never edited nor deleted, not even by an administrator
        for record in (change.with_user(accountant), change.sudo()):
            with self.assertRaises(AccessError):
                record.write({"reason": "Rewritten"})
            with self.assertRaises(AccessError):
                record.unlink()
        with self.assertRaises(AccessError):
            self.env["revenue.change"].sudo().create(
                {
                    "company_id": self.company.id,
                    "change_date": APRIL,
                    "method": "prospective",
                    "reason": "Forged",
                }
            )
        self.assertEqual(change.reason, "Signed amendment")

    # --- the wizard: preview, RPC ----------------------------------------------

    def test_wizard_created_by_rpc_keeps_the_schedule_and_previews(self):
        line = self._invoice_q1()
        # created through the ORM as RPC would, without schedule_id: the line's
        wizard = self.env["revenue.update.terms.wizard"].create(
            {
                "move_line_id": line.id,
                "change_date": APRIL,
                "end_date": "2027-12-31",
                "reason": "By RPC",
            }
        )
        self.assertEqual(wizard.schedule_id, self.schedule_12m)
        self.assertEqual(wizard.method, "prospective")
        # prospective: no catch-up, 42.86 a month, 21 lines
        self.assertRecordValues(
            wizard,
            [
                {
                    "preview_catch_up": 0.0,
                    "preview_monthly": 42.86,
                    "preview_line_count": 21,
                    "preview_error": False,
                }
            ],
        )
        wizard.method = "cumulative"
        # cumulative: catch-up -150.00, 50.00 a month, 1 + 21 lines
        self.assertRecordValues(
            wizard,
            [
                {
                    "preview_catch_up": -150.0,
                    "preview_monthly": 50.0,
                    "preview_line_count": 22,
                }
            ],
        )
        self.assertFalse(self._revs(line, "cancelled"))  # a preview writes nothing
        wizard.end_date = "2025-12-31"
        self.assertIn("before the start", wizard.preview_error)
        wizard.end_date = "2027-12-31"
        wizard.action_apply()
        change = self.env["revenue.change"].search([("move_line_id", "=", line.id)])
        self.assertRecordValues(
            change, [{"method": "cumulative", "catch_up_amount": -150.0}]
        )
        self.assertEqual(len(self._revs(line, "pending")), 22)
        self.assertBooks()

    def test_in_french(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(
            ["revenue_recognition"], ["fr_FR"], overwrite=True
        )
        line = self._invoice_q1()
        env_fr = self.env(context=dict(self.env.context, lang="fr_FR"))
        methods = env_fr["revenue.change"].fields_get(["method"], ["selection"])
        self.assertEqual(
            methods["method"]["selection"],
            [("prospective", "Prospective"), ("cumulative", "Rattrapage cumulatif")],
        )
        labels = env_fr["revenue.update.terms.wizard"].fields_get(
            ["preview_catch_up", "preview_monthly"], ["string"]
        )
        self.assertEqual(labels["preview_catch_up"]["string"], "Rattrapage")
        self.assertEqual(labels["preview_monthly"]["string"], "Nouveau montant mensuel")
        with self.assertRaisesRegex(UserError, "indiquez le motif du changement"):
            line.with_env(env_fr).revenue_change_terms(APRIL, "2027-12-31", reason="")

    def test_changes_stay_in_their_company(self):
        line = self._invoice_q1()
        change = line.revenue_change_terms(APRIL, "2027-12-31", reason="Company 1")
        other = self.setup_other_company(name="Change company 2")["company"]
        accountant_2 = new_test_user(
            self.env,
            login="rr_change_accountant_2",
            groups="account.group_account_user",
            company_id=other.id,
            company_ids=[other.id],
        )
        changes = self.env["revenue.change"].with_user(accountant_2)
        self.assertFalse(changes.search([]))
        with self.assertRaises(AccessError):
            change.with_user(accountant_2).read(["reason"])
        self.assertEqual(
            self.env["revenue.change"].search([("company_id", "=", self.company.id)]),
            change,
        )
