"""Credit notes that say what they do to revenue, and month-end dates.

Orders confirmed with ``action_confirm``, invoiced through the order, credit
notes made with Odoo's own credit-note wizard (``account.move.reversal``) and
their amount typed on the draft credit note; products taxed 15 %. Every
figure is computed by hand in the comment beside it.

The contract of most tests: 1,200.00 of support for 2026, ``monthly``, 12
months from 1 January (``actual_start``): 100.00 on the 1st of each month.
"""

from datetime import date

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common import RevenueTestCommon


@tagged("post_install", "-at_install")
class TestCreditNotes(RevenueTestCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.product_annual = cls._create_annual_product()

    def _order_invoiced(self):
        order = self._create_order(
            [(self.product_annual, 1, 1200.0, {"revenue_start_date": "2026-01-01"})],
            date_order="2025-12-20",
        )
        order.action_confirm()
        invoice = self._invoice_order(order, invoice_date="2026-01-01")
        return order, invoice

    def _credit(self, invoice, credit_date, treatment, amount, cancel_date=None):
        """A credit note of ``amount`` (untaxed) made with Odoo's wizard."""
        wizard_form = Form(
            self.env["account.move.reversal"].with_context(
                active_model="account.move", active_ids=invoice.ids
            )
        )
        wizard_form.date = credit_date
        wizard_form.revenue_credit_treatment = treatment
        if cancel_date:
            wizard_form.revenue_cancel_date = cancel_date
        self.assertTrue(wizard_form.revenue_treatment_note)
        action = wizard_form.save().refund_moves()
        refund = self.env["account.move"].browse(action["res_id"])
        with Form(refund) as refund_form:
            with refund_form.invoice_line_ids.edit(0) as line_form:
                line_form.price_unit = amount
        refund.action_post()
        return refund

    def _run(self, as_of):
        """A month-end run as the wizard's default makes it: dated the as-of date."""
        return self.line_model._recognise(
            as_of, posting_date_mode="selected_date", posting_date=as_of
        )

    def _income(self, first, last):
        """Income booked from ``first`` to ``last`` (positive = revenue)."""
        return self.company.currency_id.round(self._income_between(first, last))

    def _month_ends(self, first_month, last_month):
        for month in range(first_month, last_month + 1):
            start = date(2026, month, 1)
            yield start, fields.Date.end_of(start, "month")

    def _expected(self, order):
        lines = order.order_line.revenue_line_ids.filtered(
            lambda rev: rev.state == "expected"
        )
        return sum(lines.mapped("amount"))

    # --- cancel ---------------------------------------------------------------

    def test_cancel_stops_the_service(self):
        """800 credited, service stopped on 30 April: 100 a month January-April,
        then nothing; deferred 0 after the April run; nothing pending."""
        order, invoice = self._order_invoiced()
        for start, end in self._month_ends(1, 3):
            self._run(end)
            self.assertEqual(self._income(start, end), 100.0)
        refund = self._credit(
            invoice, "2026-04-30", "cancel", 800.0, cancel_date="2026-04-30"
        )
        self.assertRecordValues(
            refund.invoice_line_ids,
            [
                {
                    "revenue_credit_treatment": "cancel",
                    "revenue_cancel_date": date(2026, 4, 30),
                }
            ],
        )
        # May-December of the invoice (8 x 100 = 800) are stopped; the credit,
        # 800, is exactly what they were: no line on the cancel date.
        stopped = invoice.revenue_line_ids.filtered(lambda r: r.state == "cancelled")
        self.assertEqual(len(stopped), 8)
        self.assertEqual(min(stopped.mapped("recognition_date")), date(2026, 5, 1))
        self.assertEqual(stopped.cancelled_by_move_line_id, refund.invoice_line_ids)
        self.assertEqual(set(stopped.mapped("cancel_date")), {fields.Date.today()})
        self.assertFalse(refund.revenue_line_ids)
        self._run(date(2026, 4, 30))
        self.assertEqual(self._income(date(2026, 4, 1), date(2026, 4, 30)), 100.0)
        self.assertEqual(self._deferred_balance(), 0.0)
        self.assertFalse(
            self.line_model.search(
                [("state", "in", ("pending", "expected")), ("order_id", "=", order.id)]
            )
        )
        for __, end in self._month_ends(5, 12):
            self._run(end)
        self.assertEqual(self._income(date(2026, 5, 1), date(2026, 12, 31)), 0.0)
        # Odoo counts the credited quantity as to invoice again: not revenue.
        self.assertEqual(order.order_line.untaxed_amount_to_invoice, 800.0)
        self.assertEqual(self._expected(order), 0.0)
        self.assertBooks(after_run=True)

    def test_cancel_keeps_a_fee(self):
        """700 credited, stopped on 30 April: the 100 the customer still pays
        for May-December (800 - 700) is recognised on 30 April: April 200."""
        __, invoice = self._order_invoiced()
        for __, end in self._month_ends(1, 3):
            self._run(end)
        refund = self._credit(
            invoice, "2026-04-30", "cancel", 700.0, cancel_date="2026-04-30"
        )
        self.assertEqual(
            self._schedule(refund.revenue_line_ids), [("2026-04-30", 100.0)]
        )
        self._run(date(2026, 4, 30))
        # 1 April 100 + 30 April 100
        self.assertEqual(self._income(date(2026, 4, 1), date(2026, 4, 30)), 200.0)
        self.assertEqual(self._deferred_balance(), 0.0)
        # 400 + 100 recognised = 1,200 - 700 invoiced net
        self.assertEqual(self._income(date(2026, 1, 1), date(2026, 12, 31)), 500.0)
        self.assertBooks(after_run=True)

    def test_cancel_refunds_recognised_revenue(self):
        """1,000 credited with the service stopped on 30 April: the 200 beyond
        May-December's 800 was recognised already and is taken back then."""
        __, invoice = self._order_invoiced()
        for __, end in self._month_ends(1, 4):
            self._run(end)
        refund = self._credit(
            invoice, "2026-04-30", "cancel", 1000.0, cancel_date="2026-04-30"
        )
        self.assertEqual(
            self._schedule(refund.revenue_line_ids), [("2026-04-30", -200.0)]
        )
        self._run(date(2026, 4, 30))
        # 400 recognised January-April, 200 taken back: 200 = 1,200 - 1,000
        self.assertEqual(self._income(date(2026, 1, 1), date(2026, 12, 31)), 200.0)
        self.assertEqual(self._deferred_balance(), 0.0)
        self.assertBooks(after_run=True)

    def test_cancel_credit_reset_to_draft_restores_the_lines(self):
        __, invoice = self._order_invoiced()
        refund = self._credit(
            invoice, "2026-04-20", "cancel", 800.0, cancel_date="2026-04-20"
        )
        self.assertEqual(
            len(invoice.revenue_line_ids.filtered(lambda r: r.state == "cancelled")),
            8,
        )
        refund.button_draft()
        self.assertEqual(
            set(invoice.revenue_line_ids.mapped("state")), {"pending"}, "restored"
        )
        self.assertFalse(invoice.revenue_line_ids.filtered("cancel_date"))
        self.assertBooks()

    def test_treatment_changed_on_the_draft_credit_note(self):
        """The treatment chosen in the wizard is editable on the draft credit note."""
        __, invoice = self._order_invoiced()
        wizard = (
            self.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"date": "2026-06-30", "journal_id": invoice.journal_id.id})
        )
        refund = self.env["account.move"].browse(wizard.refund_moves()["res_id"])
        self.assertEqual(refund.invoice_line_ids.revenue_credit_treatment, "price")
        with Form(refund) as refund_form:
            with refund_form.invoice_line_ids.edit(0) as line_form:
                line_form.price_unit = 600.0
                line_form.revenue_credit_treatment = "cancel"
                line_form.revenue_cancel_date = date(2026, 6, 30)
        refund.action_post()
        # July-December (600) stopped, credit 600: nothing on 30 June
        self.assertEqual(
            len(invoice.revenue_line_ids.filtered(lambda r: r.state == "cancelled")),
            6,
        )
        self.assertFalse(refund.revenue_line_ids)
        self._run(date(2026, 12, 31))
        self.assertEqual(self._income(date(2026, 1, 1), date(2026, 12, 31)), 600.0)
        self.assertEqual(self._deferred_balance(), 0.0)
        self.assertBooks(after_run=True)

    # --- price ----------------------------------------------------------------

    def test_price_concession_never_comes_back_as_revenue(self):
        """300 price concession on 30 June (defect 1): spread like the credited
        line, -25 a month, caught up at the next run; never expected again,
        never accrued, whatever Odoo's quantity to invoice says."""
        self.company.revenue_accrue_unbilled = True
        order, invoice = self._order_invoiced()
        for __, end in self._month_ends(1, 5):
            self._run(end)
        refund = self._credit(invoice, "2026-06-30", "price", 300.0)
        self.assertEqual(refund.invoice_line_ids.revenue_credit_treatment, "price")
        self.assertEqual(len(refund.revenue_line_ids), 12)
        self.assertEqual(order.order_line.untaxed_amount_to_invoice, 300.0)
        self.assertEqual(self._expected(order), 0.0)
        accrual = self.line_model._accrue(date(2026, 6, 30))
        self.assertEqual(accrual.line_count, 0)
        self.assertEqual(
            self._deferred_balance(account=self.company.revenue_unbilled_account_id),
            0.0,
        )
        self._run(date(2026, 6, 30))
        # June 100, catch-up January-June 6 x -25 = -150
        self.assertEqual(self._income(date(2026, 6, 1), date(2026, 6, 30)), -50.0)
        self._run(date(2026, 7, 31))
        # July 100 - 25
        self.assertEqual(self._income(date(2026, 7, 1), date(2026, 7, 31)), 75.0)
        for __, end in self._month_ends(8, 12):
            self._run(end)
        self.assertEqual(self._income(date(2026, 1, 1), date(2026, 12, 31)), 900.0)
        self.assertEqual(self._deferred_balance(), 0.0)
        self.assertBooks(after_run=True)

    # --- return ---------------------------------------------------------------

    def test_return_opens_the_order_line_again(self):
        order, invoice = self._order_invoiced()
        refund = self._credit(invoice, "2026-03-31", "return", 1200.0)
        self.assertEqual(refund.invoice_line_ids.revenue_credit_treatment, "return")
        # the whole line is to invoice again: its 1,200 is expected again
        self.assertEqual(self._expected(order), 1200.0)
        self._invoice_order(order, invoice_date="2026-04-01")
        self.assertEqual(self._expected(order), 0.0)
        self._run(date(2026, 12, 31))
        self.assertEqual(self._income(date(2026, 1, 1), date(2026, 12, 31)), 1200.0)
        self.assertEqual(self._deferred_balance(), 0.0)
        self.assertBooks(after_run=True)

    def test_modify_reinvoices_as_a_return(self):
        """Reverse and create invoice: the lines are to invoice again."""
        order, invoice = self._order_invoiced()
        wizard = (
            self.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create(
                {
                    "date": "2026-02-01",
                    "journal_id": invoice.journal_id.id,
                    "revenue_credit_treatment": "price",
                }
            )
        )
        wizard.modify_moves()
        self.assertEqual(
            invoice.reversal_move_ids.invoice_line_ids.revenue_credit_treatment,
            "return",
        )
        self.assertEqual(self._expected(order), 1200.0)
        self.assertBooks()


@tagged("post_install", "-at_install")
class TestMonthEndDates(RevenueTestCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.product_annual = cls._create_annual_product()

    def test_late_run_leaves_out_next_month_invoices(self):
        """As of 31 January, run on 5 February: an invoice dated 3 February whose
        term started on 1 January waits for the February run (defect 7)."""
        invoice = self._create_invoice(
            [(self.product_annual, 1200.0, {"revenue_start_date": "2026-01-01"})],
            invoice_date="2026-02-03",
        )
        invoice.action_post()
        with freeze_time("2026-02-05"):
            result = self.line_model._recognise(
                date(2026, 1, 31),
                posting_date_mode="selected_date",
                posting_date=date(2026, 1, 31),
            )
        self.assertEqual(result.line_count, 0)
        self.assertEqual(self._deferred_balance(), -1200.0)
        result = self.line_model._recognise(
            date(2026, 2, 28),
            posting_date_mode="selected_date",
            posting_date=date(2026, 2, 28),
        )
        # 1 January and 1 February: 200 on 28 February
        self.assertEqual(result.line_count, 2)
        self.assertRecordValues(
            self.env["account.move"].browse(result.move_ids),
            [{"date": date(2026, 2, 28)}],
        )
        self.assertBooks()

    def test_cron_dates_its_entries_on_the_day_it_runs(self):
        """An order invoiced on 15 April for a term from 1 January: the cron of
        15 April books January-April (400) on 15 April, never back in January
        (defect 8)."""
        self.company.write(
            {"revenue_auto_post": True, "revenue_auto_post_grouping": "detail"}
        )
        order = self._create_order(
            [(self.product_annual, 1, 1200.0, {"revenue_start_date": "2026-01-01"})],
            date_order="2025-12-20",
        )
        order.action_confirm()
        self._invoice_order(order, invoice_date="2026-04-15")
        with freeze_time("2026-04-15"):
            self.line_model._cron_recognise()
        entries = order.revenue_line_ids.filtered(
            lambda r: r.state == "posted"
        ).recognition_move_id
        self.assertEqual(len(entries), 1)
        self.assertEqual(entries.date, date(2026, 4, 15))
        self.assertEqual(
            len(order.revenue_line_ids.filtered(lambda r: r.state == "posted")), 4
        )
        self.assertBooks()

    def test_accrual_in_foreign_currency_at_the_month_end_rate(self):
        """1,200 EUR over 12 months from 1 March, order dated when 100 EUR =
        110 USD, month end when 100 EUR = 125 USD: March's 100 EUR is accrued at
        125 USD (defect 9)."""
        self.assertEqual(self.company.currency_id.name, "USD")
        eur = self.setup_other_currency(
            "EUR", rates=[("2026-01-01", 1 / 1.1), ("2026-03-31", 0.8)]
        )
        pricelist = self.env["product.pricelist"].create(
            {"name": "EUR", "currency_id": eur.id}
        )
        order = self._create_order(
            [(self.product_annual, 1, 1200.0, {"revenue_start_date": "2026-03-01"})],
            date_order="2026-02-20",
            pricelist_id=pricelist.id,
        )
        with freeze_time("2026-02-20"):
            order.action_confirm()
        march = order.revenue_line_ids.sorted("recognition_date")[0]
        # expected lines at the order date's rate: 100 EUR = 110 USD
        self.assertRecordValues(march, [{"amount_currency": 100.0, "amount": 110.0}])
        result = self.line_model._accrue(date(2026, 3, 31))
        self.assertEqual(result.line_count, 1)
        accrual = (
            self.env["account.move"].browse(result.move_ids).filtered("revenue_accrual")
        )
        unbilled = accrual.line_ids.filtered(
            lambda aml: aml.account_id == self.company.revenue_unbilled_account_id
        )
        self.assertRecordValues(
            unbilled, [{"balance": 125.0, "amount_currency": 100.0}]
        )
        self.assertBooks()

    def test_accrual_leaves_out_orders_confirmed_later(self):
        """As of 31 March, an order dated 2 April is not accrued."""
        order = self._create_order(
            [(self.product_annual, 1, 1200.0, {"revenue_start_date": "2026-03-01"})],
            date_order="2026-04-02",
        )
        order.action_confirm()
        order.date_order = "2026-04-02"
        self.assertTrue(order.revenue_line_ids)
        result = self.line_model._accrue(date(2026, 3, 31))
        self.assertEqual(result.line_count, 0)
        with self.assertRaises(UserError):
            self.company.fiscalyear_lock_date = date(2026, 4, 30)
            self.line_model._accrue(date(2026, 4, 30))
        self.assertFalse(
            self.env["account.move"].search([("revenue_accrual", "=", True)])
        )
