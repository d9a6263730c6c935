"""The books stay right in the invoicing flows of a real company.

Taxes of every kind, holds across resets and credit notes, order changes,
down payments, "reverse and create a new draft", credit notes from the order,
delivery dates and a second company: after each flow the invariants of
``RevenueTestCommon.assertBooks`` hold.
"""

from freezegun import freeze_time

from odoo import Command, fields
from odoo.tests import Form, new_test_user, tagged

from .common import RevenueTestCommon


@tagged("post_install", "-at_install")
class TestBooks(RevenueTestCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tax_account = cls.company_data["default_account_tax_sale"]

    def _tax(self, name, amount=10.0, **values):
        return self.env["account.tax"].create(
            {
                "name": name,
                "amount": amount,
                "type_tax_use": "sale",
                "company_id": self.company.id,
                **values,
            }
        )

    def _dynamic_lines(self, invoice):
        """(display type, account, balance) of the lines Odoo derives."""
        return sorted(
            (line.display_type, line.account_id.code, line.balance)
            for line in invoice.line_ids
            if line.display_type not in ("product", "payment_term")
        )

    def _check_taxed_invoice(self, invoice, base):
        """Posting defers exactly the base; taxes and discounts don't move."""
        before = self._dynamic_lines(invoice)
        invoice.action_post()
        product_line = invoice.invoice_line_ids
        self.assertEqual(product_line.account_id, self.deferred_account)
        self.assertAlmostEqual(product_line.balance, -base, places=2)
        self.assertEqual(self._dynamic_lines(invoice), before)
        self.assertFalse(
            invoice.line_ids.filtered(
                lambda line: (
                    line.display_type != "product"
                    and line.account_id == self.deferred_account
                )
            ),
            "a tax or discount line landed on the deferred account",
        )
        self.assertAlmostEqual(sum(invoice.revenue_line_ids.mapped("amount")), base)
        self.assertBooks()
        self._recognise_as_of("2026-12-31")
        self.assertBooks(after_run=True)
        self.assertAlmostEqual(self._deferred_balance(), 0.0, places=2)

    # --- 1. taxes ---

    def test_tax_excluded(self):
        invoice = self._create_invoice([(self.product_service, 300.0, None)])
        self._check_taxed_invoice(invoice, 300.0)
        tax_line = invoice.line_ids.filtered("tax_line_id")
        self.assertRecordValues(
            tax_line, [{"account_id": self.tax_account.id, "balance": -45.0}]
        )

    def test_tax_included(self):
        tax = self._tax("VAT 20 incl", 20.0, price_include_override="tax_included")
        invoice = self._create_invoice(
            [(self.product_service, 360.0, {"tax_ids": [Command.set(tax.ids)]})]
        )
        self._check_taxed_invoice(invoice, 300.0)

    def test_tax_without_account_stays_on_income(self):
        """Odoo books such a tax on the base line's account: the income one."""
        tax = self._tax("Levy without account", 10.0)
        self.assertFalse(tax.invoice_repartition_line_ids.account_id)
        invoice = self._create_invoice(
            [(self.product_service, 300.0, {"tax_ids": [Command.set(tax.ids)]})]
        )
        self._check_taxed_invoice(invoice, 300.0)
        self.assertRecordValues(
            invoice.line_ids.filtered("tax_line_id"),
            [{"account_id": self.income_account.id, "balance": -30.0}],
        )

    def test_two_taxes_on_one_line(self):
        levy = self._tax("Levy 5", 5.0)
        invoice = self._create_invoice(
            [
                (
                    self.product_service,
                    300.0,
                    {"tax_ids": [Command.set((self.tax_sale | levy).ids)]},
                )
            ]
        )
        self._check_taxed_invoice(invoice, 300.0)
        self.assertEqual(len(invoice.line_ids.filtered("tax_line_id")), 2)

    def test_cash_basis_tax(self):
        self.company.tax_exigibility = True
        transition = self.tax_account.copy({"code": "251099", "reconcile": True})
        tax = self._tax(
            "VAT on payment",
            20.0,
            tax_exigibility="on_payment",
            cash_basis_transition_account_id=transition.id,
        )
        invoice = self._create_invoice(
            [(self.product_service, 300.0, {"tax_ids": [Command.set(tax.ids)]})]
        )
        self._check_taxed_invoice(invoice, 300.0)

    def test_fiscal_position_maps_tax_and_account(self):
        export_income = self.income_account.copy({"code": "707100", "name": "Export"})
        export_tax = self._tax("Export 0", 0.0)
        position = self.env["account.fiscal.position"].create(
            {
                "name": "Export",
                "company_id": self.company.id,
                "tax_ids": [
                    Command.create(
                        {"tax_src_id": self.tax_sale.id, "tax_dest_id": export_tax.id}
                    )
                ],
                "account_ids": [
                    Command.create(
                        {
                            "account_src_id": self.income_account.id,
                            "account_dest_id": export_income.id,
                        }
                    )
                ],
            }
        )
        invoice = self._create_invoice(
            [(self.product_service, 300.0, None)], fiscal_position_id=position.id
        )
        self.assertEqual(invoice.invoice_line_ids.tax_ids, export_tax)
        self._check_taxed_invoice(invoice, 300.0)
        self.assertEqual(
            invoice.invoice_line_ids.revenue_income_account_id, export_income
        )
        self.assertEqual(
            set(invoice.revenue_line_ids.mapped("income_account_id.code")),
            {export_income.code},
        )

    def test_early_payment_discount_mixed(self):
        term = self.env["account.payment.term"].create(
            {
                "name": "2/10 net 30",
                "early_discount": True,
                "discount_percentage": 2.0,
                "discount_days": 10,
                "early_pay_discount_computation": "mixed",
                "line_ids": [
                    Command.create(
                        {"value": "percent", "value_amount": 100.0, "nb_days": 30}
                    )
                ],
            }
        )
        invoice = self._create_invoice(
            [(self.product_service, 300.0, None)], invoice_payment_term_id=term.id
        )
        self._check_taxed_invoice(invoice, 300.0)
        self.assertTrue(
            invoice.line_ids.filtered(lambda aml: aml.display_type == "epd")
        )

    def test_discount_allocation_account(self):
        allocation = self.company_data["default_account_expense"].copy(
            {"code": "609900", "name": "Sales discounts"}
        )
        self.company.account_discount_expense_allocation_id = allocation
        invoice = self._create_invoice(
            [(self.product_service, 400.0, {"discount": 25.0})]
        )
        self._check_taxed_invoice(invoice, 300.0)
        self.assertTrue(
            invoice.line_ids.filtered(lambda aml: aml.display_type == "discount")
        )

    # --- 2. holds across reset and repost ---

    def test_hold_comes_back_on_its_period_only(self):
        invoice = self._create_invoice([(self.product_service, 300.0, None)])
        invoice.action_post()
        january = invoice.revenue_line_ids.sorted("recognition_date")[1]
        january.action_hold("dispute")
        invoice.button_draft()
        invoice.action_post()
        pending = invoice.revenue_line_ids.filtered(lambda r: r.state == "pending")
        self.assertEqual(
            [
                (str(r.recognition_date), r.on_hold)
                for r in pending.sorted("recognition_date")
            ],
            [("2025-12-01", False), ("2026-01-01", True), ("2026-02-01", False)],
        )
        # Released, then reset again: the hold does not come back.
        pending.filtered("on_hold").action_release("settled")
        invoice.button_draft()
        invoice.action_post()
        pending = invoice.revenue_line_ids.filtered(lambda r: r.state == "pending")
        self.assertEqual(len(pending), 3)
        self.assertFalse(any(pending.mapped("on_hold")))
        self.assertBooks()

    # --- 3. expected lines follow the order lines ---

    @freeze_time("2025-11-18")
    def test_line_added_to_confirmed_order_is_backlog(self):
        order = self._create_order([(self.product_service, 1, 300.0, None)])
        order.action_confirm()
        with Form(order) as form:
            with form.order_line.new() as line:
                line.product_id = self.product_service
                line.price_unit = 600.0
        added = order.order_line[-1]
        self.assertAlmostEqual(
            sum(added.revenue_line_ids.mapped("amount")), 600.0, places=2
        )
        self.assertEqual(set(added.revenue_line_ids.mapped("state")), {"expected"})
        self.assertBooks()

    @freeze_time("2025-11-18")
    def test_discount_on_fully_invoiced_line_gives_no_negative_backlog(self):
        order = self._create_order([(self.product_service, 1, 300.0, None)])
        order.action_confirm()
        self._invoice_order(order)
        order.order_line.discount = 10.0
        self.assertFalse(
            order.revenue_line_ids.filtered(lambda r: r.state == "expected")
        )
        self.assertBooks()

    @freeze_time("2025-11-18")
    def test_quantity_change_updates_backlog(self):
        order = self._create_order([(self.product_service, 1, 300.0, None)])
        order.action_confirm()
        self._invoice_order(order)
        order.order_line.product_uom_qty = 3
        expected = order.revenue_line_ids.filtered(lambda r: r.state == "expected")
        self.assertAlmostEqual(sum(expected.mapped("amount")), 600.0, places=2)
        self.assertBooks()

    # --- 4. credit note of a held invoice ---

    def _refund(self, invoice, date="2025-12-15", modify=False):
        wizard = (
            self.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"date": date, "journal_id": invoice.journal_id.id})
        )
        action = wizard.modify_moves() if modify else wizard.refund_moves()
        return self.env["account.move"].browse(action["res_id"])

    def test_credit_note_of_held_invoice_is_held(self):
        invoice = self._create_invoice([(self.product_service, 300.0, None)])
        invoice.action_post()
        invoice.revenue_line_ids.action_hold("dispute")
        refund = self._refund(invoice)
        refund.action_post()
        mirror = refund.revenue_line_ids
        self.assertEqual(len(mirror), 3)
        self.assertTrue(all(mirror.mapped("on_hold")))
        result = self._recognise_as_of("2026-12-31")
        self.assertEqual(result["line_count"], 0)
        # Releasing the invoice's December line releases its mirror.
        december = invoice.revenue_line_ids.sorted("recognition_date")[0]
        december.action_release("settled")
        self.assertEqual(
            mirror.filtered(lambda r: not r.on_hold).period_start,
            december.period_start,
        )
        result = self._recognise_as_of("2026-12-31")
        self.assertEqual(result["line_count"], 2)
        self.assertAlmostEqual(sum(result["amounts"].values()), 0.0, places=2)
        self.assertBooks(after_run=True)

    # --- 5. down payments ---

    @freeze_time("2026-01-10")
    def test_down_payment_is_a_customer_advance(self):
        advance = self.company.revenue_advance_account_id
        self.assertTrue(advance)
        self.assertEqual(advance.account_type, "liability_current")
        self.assertNotEqual(advance, self.deferred_account)
        order = self._create_order(
            [(self.product_service, 1, 1200.0, {"revenue_start_date": "2026-02-01"})],
            date_order="2026-01-10",
        )
        order.action_confirm()
        wizard = (
            self.env["sale.advance.payment.inv"]
            .with_context(active_model="sale.order", active_ids=order.ids)
            .create({"advance_payment_method": "percentage", "amount": 50})
        )
        wizard.create_invoices()
        down = order.invoice_ids
        down.action_post()
        dp_line = down.invoice_line_ids
        self.assertEqual(dp_line.account_id, advance)
        self.assertAlmostEqual(dp_line.balance, -600.0, places=2)
        self.assertFalse(down.revenue_line_ids)
        income = self.env["account.move.line"].search(
            [
                ("account_id", "=", self.income_account.id),
                ("parent_state", "=", "posted"),
            ]
        )
        self.assertFalse(income, "a down payment reached income in January")
        # The final invoice: the deduction takes the advance back from 4191.
        final_wizard = (
            self.env["sale.advance.payment.inv"]
            .with_context(active_model="sale.order", active_ids=order.ids)
            .create({"advance_payment_method": "delivered"})
        )
        final_wizard.create_invoices()
        final = order.invoice_ids - down
        final.invoice_date = "2026-01-31"
        final.action_post()
        deduction = final.invoice_line_ids.filtered("is_downpayment")
        self.assertEqual(deduction.account_id, advance)
        self.assertAlmostEqual(deduction.balance, 600.0, places=2)
        self.assertAlmostEqual(
            sum(final.revenue_line_ids.mapped("amount")), 1200.0, places=2
        )
        advance_balance = sum(
            self.env["account.move.line"]
            .search([("account_id", "=", advance.id), ("parent_state", "=", "posted")])
            .mapped("balance")
        )
        self.assertAlmostEqual(advance_balance, 0.0, places=2)
        self.assertBooks()
        self._recognise_as_of("2026-01-31")
        self.assertFalse(
            self.env["account.move.line"].search(
                [
                    ("account_id", "=", self.income_account.id),
                    ("parent_state", "=", "posted"),
                ]
            ),
            "revenue recognised before the service started in February",
        )
        self._recognise_as_of("2026-02-28")
        self.assertBooks(after_run=True)

    # --- 6. reverse and create a new draft ---

    def test_modify_keeps_the_term(self):
        product = self._create_product(
            name="Annual", revenue_schedule_id=self.schedule_12m.id
        )
        invoice = self._create_invoice(
            [(product, 1200.0, None)], invoice_date="2026-01-01"
        )
        invoice.action_post()
        self._recognise_as_of("2026-03-31")
        new_draft = self._refund(invoice, date="2026-04-01", modify=True)
        self.assertEqual(new_draft.move_type, "out_invoice")
        line = new_draft.invoice_line_ids
        self.assertEqual(str(line._revenue_start()), "2026-01-01")
        line.price_unit = 900.0
        new_draft.invoice_date = "2026-04-01"
        new_draft.action_post()
        self.assertEqual(
            str(min(new_draft.revenue_line_ids.mapped("recognition_date"))),
            "2026-01-01",
        )
        self._recognise_as_of("2026-04-30")
        recognised = self.line_model.search(
            [("company_id", "=", self.company.id), ("state", "=", "posted")]
        )
        self.assertAlmostEqual(sum(recognised.mapped("amount")), 300.0, places=2)
        self.assertBooks(after_run=True)

    # --- 7. credit note linked to the order line ---

    @freeze_time("2026-01-15")
    def test_credit_note_from_order_line_takes_its_term(self):
        product = self._create_product(
            name="Annual", revenue_schedule_id=self.schedule_12m.id
        )
        order = self._create_order(
            [(product, 1, 1200.0, None)], date_order="2026-01-01"
        )
        order.action_confirm()
        invoice = self._invoice_order(order, invoice_date="2026-01-01")
        refund = self.env["account.move"].create(
            {
                "move_type": "out_refund",
                "partner_id": self.partner_a.id,
                "invoice_date": "2026-06-15",
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": product.id,
                            "quantity": 1,
                            "price_unit": 600.0,
                            "sale_line_ids": [Command.set(order.order_line.ids)],
                        }
                    )
                ],
            }
        )
        refund.action_post()
        dates = refund.revenue_line_ids.mapped("recognition_date")
        self.assertEqual(str(min(dates)), "2026-01-01")
        self.assertEqual(
            max(dates), max(invoice.revenue_line_ids.mapped("recognition_date"))
        )
        self.assertAlmostEqual(
            sum(refund.revenue_line_ids.mapped("amount")), -600.0, places=2
        )
        self.assertBooks()
        self._recognise_as_of("2026-06-30")
        self.assertBooks(after_run=True)

    # --- 8. delivery date ---

    @freeze_time("2026-01-10")
    def test_invoice_starts_at_delivery_date(self):
        order = self._create_order(
            [(self.product_service, 1, 300.0, None)],
            date_order="2026-01-10",
            commitment_date="2026-02-01 00:00:00",
        )
        order.action_confirm()
        invoice = self._invoice_order(order, invoice_date="2026-01-15")
        self.assertEqual(str(invoice.invoice_line_ids._revenue_start()), "2026-02-01")
        # quarterly, next month: the first line is in March, not February
        self.assertEqual(
            str(min(invoice.revenue_line_ids.mapped("recognition_date"))), "2026-03-01"
        )
        self.assertBooks()

    @freeze_time("2026-06-10")
    def test_invoice_starts_at_invoice_date_not_order_date(self):
        order = self._create_order(
            [(self.product_service, 1, 300.0, None)], date_order="2026-01-10"
        )
        order.action_confirm()
        invoice = self._invoice_order(order, invoice_date="2026-06-10")
        self.assertEqual(str(invoice.invoice_line_ids._revenue_start()), "2026-06-10")

    # --- 9. another company active ---

    def test_other_company_posts_with_its_own_accounts(self):
        other_data = self.setup_other_company(name="Other Co")
        other = other_data["company"]
        schedule = self.env["revenue.schedule"].create(
            {"name": "B quarterly", "company_id": other.id, "occurrences": 3}
        )
        categ = self.env["product.category"].create({"name": "Subscriptions"})
        categ.with_company(other).revenue_schedule_id = schedule
        # Company A's schedule for the same category has its own deferred account:
        # it must not be read when posting B's invoice.
        a_deferred = self.deferred_account.copy({"code": "487900"})
        categ.revenue_schedule_id = self._create_schedule(
            name="A yearly", deferred_account_id=a_deferred.id
        )
        self.product_service.categ_id = categ
        self.product_service.with_company(other).revenue_schedule_id = False
        user = new_test_user(
            self.env,
            login="rr_two_companies",
            groups="account.group_account_manager,sales_team.group_sale_manager",
            company_id=self.company.id,
            company_ids=[Command.set((self.company | other).ids)],
        )
        # Company A is the active company; B's documents are posted.
        env = self.env(
            user=user,
            context=dict(
                self.env.context, allowed_company_ids=[self.company.id, other.id]
            ),
        )
        order = env["sale.order"].create(
            {
                "partner_id": self.partner_a.id,
                "company_id": other.id,
                "order_line": [
                    Command.create(
                        {"product_id": self.product_service.id, "price_unit": 300.0}
                    )
                ],
            }
        )
        self.assertEqual(order.order_line.revenue_schedule_id, schedule)
        order.action_confirm()
        expected = order.revenue_line_ids
        self.assertEqual(expected.company_id, other)
        invoice = order._create_invoices()
        invoice.invoice_date = fields.Date.today()
        invoice.action_post()
        self.assertEqual(
            invoice.invoice_line_ids.account_id, other.revenue_deferred_account_id
        )
        self.assertEqual(
            invoice.revenue_line_ids.deferred_account_id,
            other.revenue_deferred_account_id,
        )
        self.assertEqual(invoice.revenue_line_ids.income_account_id.company_ids, other)
        # recognition and the cron, still with company A active
        env["revenue.recognition.line"]._recognise(
            fields.Date.today().replace(year=fields.Date.today().year + 1)
        )
        self.assertEqual(set(invoice.revenue_line_ids.mapped("state")), {"posted"})
        self.assertEqual(
            invoice.revenue_line_ids.recognition_move_id.journal_id,
            other.revenue_journal_id,
        )
        self.assertBooks(other, after_run=True)
        self.assertBooks()
