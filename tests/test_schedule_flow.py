from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from .common import RevenueTestCommon


@tagged("post_install", "-at_install")
class TestScheduleFlow(RevenueTestCommon):
    def test_install_sets_up_company(self):
        self.assertTrue(self.revenue_journal)
        self.assertEqual(self.revenue_journal.type, "general")
        self.assertEqual(self.deferred_account.account_type, "liability_current")

    @freeze_time("2025-11-18")
    def test_quarterly_order_to_invoice(self):
        """300 € invoiced 18 Nov 2025, quarterly from next month: 3 × 100 €."""
        order = self._create_order([(self.product_service, 1, 300.0, None)])
        order.action_confirm()
        expected = order.revenue_line_ids
        self.assertEqual(set(expected.mapped("state")), {"expected"})
        self.assertEqual(
            self._schedule(expected),
            [("2025-12-01", 100.0), ("2026-01-01", 100.0), ("2026-02-01", 100.0)],
        )
        invoice = self._invoice_order(order)
        line = invoice.invoice_line_ids
        self.assertEqual(line.revenue_schedule_id, self.schedule_quarterly)
        # The 15 % tax stays on the tax account: only the base is deferred.
        self.assertRecordValues(
            invoice.line_ids.sorted("balance"),
            [
                {"account_id": self.deferred_account.id, "balance": -300.0},
                {
                    "account_id": self.company_data["default_account_tax_sale"].id,
                    "balance": -45.0,
                },
                {"account_id": self.receivable_account.id, "balance": 345.0},
            ],
        )
        self.assertEqual(line.revenue_income_account_id, self.income_account)
        pending = invoice.revenue_line_ids
        self.assertEqual(
            self._schedule(pending),
            [("2025-12-01", 100.0), ("2026-01-01", 100.0), ("2026-02-01", 100.0)],
        )
        self.assertEqual(set(pending.mapped("state")), {"pending"})
        self.assertRecordValues(
            pending[:1],
            [
                {
                    "income_account_id": self.income_account.id,
                    "deferred_account_id": self.deferred_account.id,
                    "partner_id": self.partner_a.id,
                    "product_id": self.product_service.id,
                    "sale_line_id": order.order_line.id,
                    "period_start": invoice.invoice_date.replace(month=12, day=1),
                }
            ],
        )
        # Fully invoiced: no expected line is left on the order.
        self.assertFalse(
            order.revenue_line_ids.filtered(lambda r: r.state == "expected")
        )
        self.assertEqual(order.revenue_to_recognise_amount, 300.0)
        self.assertEqual(invoice.revenue_line_count, 3)
        self.assertDeferredInvariant()

    def test_annual_contract_manual_invoice(self):
        """12,000 from 1 Mar 2026, monthly, actual start: 12 × 1,000 on the 1st."""
        product = self._create_product(
            name="Annual", revenue_schedule_id=self.schedule_12m.id
        )
        invoice = self._create_invoice(
            [(product, 12000.0, {"revenue_start_date": "2026-03-01"})],
            invoice_date="2026-02-20",
        )
        invoice.action_post()
        expected = [
            (f"{2026 + (m > 12)}-{(m - 1) % 12 + 1:02d}-01", 1000.0)
            for m in range(3, 15)
        ]
        self.assertEqual(self._schedule(invoice.revenue_line_ids), expected)
        self.assertDeferredInvariant()

    def test_mid_month_start_gives_thirteen_lines(self):
        product = self._create_product(
            name="Licence", revenue_schedule_id=self.schedule_12m.id
        )
        invoice = self._create_invoice(
            [(product, 1200.0, None)], invoice_date="2023-01-15"
        )
        invoice.action_post()
        schedule = self._schedule(invoice.revenue_line_ids)
        self.assertEqual(len(schedule), 13)
        self.assertEqual(schedule[0], ("2023-01-15", 54.84))
        self.assertEqual(
            schedule[1:12], [(f"2023-{m:02d}-15", 100.0) for m in range(2, 13)]
        )
        self.assertEqual(schedule[-1], ("2024-01-14", 45.16))

    def test_monthly_days_month_end_explicit_term(self):
        schedule = self._create_schedule(
            name="Annual by days",
            recognition_basis="monthly_days",
            recognition_convention="month_end",
            occurrences=12,
        )
        product = self._create_product(name="Days", revenue_schedule_id=schedule.id)
        invoice = self._create_invoice(
            [
                (
                    product,
                    1200.0,
                    {
                        "revenue_start_date": "2023-01-01",
                        "revenue_end_date": "2023-12-31",
                    },
                )
            ],
            invoice_date="2023-01-01",
        )
        invoice.action_post()
        schedule_lines = self._schedule(invoice.revenue_line_ids)
        self.assertEqual(
            schedule_lines[:2], [("2023-01-31", 101.92), ("2023-02-28", 92.05)]
        )
        self.assertEqual(len(schedule_lines), 12)
        self.assertAlmostEqual(
            sum(amount for _date, amount in schedule_lines), 1200.0, places=2
        )

    def test_automatic_contract_terms_fill_end_date(self):
        self.schedule_12m.automatic_contract_terms = True
        product = self._create_product(
            name="Terms", revenue_schedule_id=self.schedule_12m.id
        )
        invoice = self._create_invoice(
            [(product, 100.0, {"revenue_start_date": "2024-01-31"})],
            invoice_date="2024-01-31",
        )
        self.assertEqual(str(invoice.invoice_line_ids.revenue_end_date), "2025-01-30")

    @freeze_time("2025-11-18")
    def test_partial_invoicing_keeps_backlog_equal(self):
        order = self._create_order([(self.product_service, 4, 300.0, None)])
        order.action_confirm()
        order_line = order.order_line
        self.assertAlmostEqual(
            sum(order_line.revenue_line_ids.mapped("amount")), 1200.0
        )

        first = order._create_invoices()
        first.invoice_date = "2025-11-18"
        with (
            Form(first) as invoice_form,
            invoice_form.invoice_line_ids.edit(0) as line_form,
        ):
            line_form.quantity = 1
        first.action_post()
        lines = order_line.revenue_line_ids
        expected = lines.filtered(lambda r: r.state == "expected")
        pending = lines.filtered(lambda r: r.state == "pending")
        self.assertAlmostEqual(sum(pending.mapped("amount")), 300.0)
        self.assertAlmostEqual(sum(expected.mapped("amount")), 900.0)

        second = order._create_invoices()
        second.invoice_date = "2025-12-18"
        second.action_post()
        lines = order_line.revenue_line_ids
        self.assertFalse(lines.filtered(lambda r: r.state == "expected"))
        self.assertAlmostEqual(
            sum(lines.filtered(lambda r: r.state == "pending").mapped("amount")), 1200.0
        )
        self.assertEqual(len(lines), 6)
        self.assertDeferredInvariant()

    def test_foreign_currency_lines_add_up_in_both_currencies(self):
        currency = self.setup_other_currency("EUR", rates=[("2016-01-01", 3.0)])
        invoice = self._create_invoice(
            [(self.product_service, 1000.0, None)],
            invoice_date="2025-11-18",
            currency_id=currency.id,
        )
        invoice.action_post()
        line = invoice.invoice_line_ids
        lines = line.revenue_line_ids
        self.assertEqual(lines.currency_id, currency)
        self.assertAlmostEqual(
            sum(lines.mapped("amount_currency")), -line.amount_currency
        )
        self.assertAlmostEqual(sum(lines.mapped("amount")), -line.balance)
        self.assertEqual(lines.mapped("amount_currency"), [333.33, 333.34, 333.33])
        self.assertEqual(lines.mapped("amount"), [111.11, 111.11, 111.11])
        self.assertDeferredInvariant()

    def test_credit_note_gives_negative_lines(self):
        refund = self._create_invoice(
            [(self.product_service, 300.0, None)], move_type="out_refund"
        )
        refund.action_post()
        self.assertEqual(
            refund.revenue_line_ids.mapped("amount"), [-100.0, -100.0, -100.0]
        )
        self.assertDeferredInvariant()

    def test_reset_to_draft_cancels_pending_lines(self):
        invoice = self._create_invoice([(self.product_service, 300.0, None)])
        invoice.action_post()
        line = invoice.invoice_line_ids
        invoice.button_draft()
        self.assertEqual(set(invoice.revenue_line_ids.mapped("state")), {"cancelled"})
        self.assertEqual(line.account_id, self.income_account)
        self.assertFalse(line.revenue_income_account_id)
        invoice.action_post()
        self.assertEqual(
            len(invoice.revenue_line_ids.filtered(lambda r: r.state == "pending")), 3
        )
        self.assertDeferredInvariant()

    def test_missing_deferred_account_blocks_posting(self):
        self.company.revenue_deferred_account_id = False
        invoice = self._create_invoice([(self.product_service, 300.0, None)])
        with self.assertRaisesRegex(UserError, "no deferred revenue account"):
            invoice.action_post()
        self.assertEqual(invoice.state, "draft")
        self.assertFalse(invoice.revenue_line_ids)
        self.assertEqual(invoice.invoice_line_ids.account_id, self.income_account)

    def test_missing_journal_blocks_posting(self):
        self.company.revenue_journal_id = False
        invoice = self._create_invoice([(self.product_service, 300.0, None)])
        with self.assertRaisesRegex(UserError, "no revenue recognition journal"):
            invoice.action_post()
        self.assertEqual(invoice.state, "draft")

    def test_end_before_start_is_refused(self):
        # dates in the user's format (10/01/2025 in English), the line by name
        with self.assertRaisesRegex(
            ValidationError,
            r"line 'Support subscription'.*end date 10/01/2025 is before the start "
            r"date 11/18/2025",
        ):
            self._create_invoice(
                [
                    (
                        self.product_service,
                        300.0,
                        {
                            "revenue_start_date": "2025-11-18",
                            "revenue_end_date": "2025-10-01",
                        },
                    )
                ]
            )

    def test_schedule_without_occurrences_is_refused(self):
        with self.assertRaisesRegex(ValidationError, "at least one occurrence"):
            self._create_schedule(name="Broken", occurrences=0)

    def test_percentages_must_sum_to_100(self):
        schedule = self._create_schedule(
            name="Front-loaded", recognition_basis="monthly", occurrences=3
        )
        with self.assertRaisesRegex(ValidationError, "add up to"):
            schedule.write(
                {
                    "use_percentages": True,
                    "percentage_ids": [
                        Command.create({"sequence": i, "percentage": p})
                        for i, p in enumerate((50, 30, 10))
                    ],
                }
            )
        schedule.write(
            {
                "use_percentages": True,
                "percentage_ids": [Command.clear()]
                + [
                    Command.create({"sequence": i, "percentage": p})
                    for i, p in enumerate((50, 30, 20))
                ],
            }
        )
        product = self._create_product(name="Front", revenue_schedule_id=schedule.id)
        invoice = self._create_invoice(
            [(product, 1000.0, {"revenue_start_date": "2025-01-10"})]
        )
        invoice.action_post()
        self.assertEqual(
            self._schedule(invoice.revenue_line_ids),
            [("2025-01-10", 500.0), ("2025-02-10", 300.0), ("2025-03-10", 200.0)],
        )

    def test_schedule_form_preview_explains_extra_line(self):
        with Form(self.env["revenue.schedule"]) as form:
            form.name = "12M preview"
            form.recognition_basis = "monthly"
            form.occurrences = 12
            form.preview_amount = 1200.0
            form.preview_start_date = "2023-01-15"
            html = str(form.preview_html)
        self.assertIn("54.84", html)
        self.assertIn("45.16", html)
        self.assertIn("13 lines for 12 occurrences", html)

    def test_analytic_distribution_not_posted_at_invoicing(self):
        plan = self.env["account.analytic.plan"].create({"name": "Projects"})
        analytic = self.env["account.analytic.account"].create(
            {"name": "Project X", "plan_id": plan.id}
        )
        invoice = self._create_invoice(
            [
                (
                    self.product_service,
                    300.0,
                    {"analytic_distribution": {str(analytic.id): 100}},
                )
            ]
        )
        invoice.action_post()
        self.assertFalse(invoice.line_ids.analytic_line_ids)
        self.assertEqual(
            invoice.revenue_line_ids[0].analytic_distribution, {str(analytic.id): 100}
        )

    def test_product_schedule_wins_over_category(self):
        category = self.env["product.category"].create(
            {"name": "Subscriptions", "revenue_schedule_id": self.schedule_12m.id}
        )
        in_category = self._create_product(name="Categorised", categ_id=category.id)
        own = self._create_product(
            name="Own",
            categ_id=category.id,
            revenue_schedule_id=self.schedule_quarterly.id,
        )
        invoice = self._create_invoice([(in_category, 10.0, None), (own, 10.0, None)])
        self.assertEqual(
            invoice.invoice_line_ids.mapped("revenue_schedule_id"),
            self.schedule_12m | self.schedule_quarterly,
        )

    def test_vendor_bill_is_not_deferred(self):
        bill = self._create_invoice(
            [(self.product_service, 300.0, None)], move_type="in_invoice"
        )
        self.assertFalse(bill.invoice_line_ids.revenue_schedule_id)
        bill.action_post()
        self.assertFalse(bill.revenue_line_ids)

    @freeze_time("2025-11-18")
    def test_cancelling_order_removes_expected_lines(self):
        order = self._create_order([(self.product_service, 1, 300.0, None)])
        order.action_confirm()
        self.assertTrue(order.revenue_line_ids)
        order._action_cancel()
        self.assertFalse(order.revenue_line_ids)

    @freeze_time("2025-11-18")
    def test_salesperson_sells_but_cannot_configure(self):
        salesman = new_test_user(
            self.env,
            login="rr_salesman",
            groups="sales_team.group_sale_salesman",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        order = self._create_order(
            [(self.product_service, 1, 300.0, None)], user_id=salesman.id
        )
        order.with_user(salesman).action_confirm()
        self.assertEqual(len(order.revenue_line_ids), 3)
        schedule = self.schedule_quarterly.with_user(salesman)
        self.assertEqual(schedule.name, "Quarterly")
        with self.assertRaises(AccessError):
            schedule.write({"occurrences": 4})
        with self.assertRaises(AccessError):
            self.env["revenue.schedule"].with_user(salesman).create({"name": "Mine"})

    def test_multi_company_isolation(self):
        other = self.setup_other_company(name="Other Co")["company"]
        self.assertTrue(other.revenue_journal_id)
        self.assertNotEqual(other.revenue_journal_id, self.revenue_journal)
        invoice = self._create_invoice([(self.product_service, 300.0, None)])
        invoice.action_post()
        other_user = new_test_user(
            self.env,
            login="rr_other_accountant",
            groups="account.group_account_invoice",
            company_id=other.id,
            company_ids=[Command.set(other.ids)],
        )
        visible = self.env["revenue.recognition.line"].with_user(other_user).search([])
        self.assertFalse(visible & invoice.revenue_line_ids)
        self.assertTrue(
            self.env["revenue.recognition.line"].search([("move_id", "=", invoice.id)])
        )

    @freeze_time("2025-11-18")
    def test_schedule_removed_on_order_line_stays_removed(self):
        order = self._create_order([(self.product_service, 1, 300.0, None)])
        order.order_line.revenue_schedule_id = False
        order.action_confirm()
        self.assertFalse(order.revenue_line_ids)
        invoice = self._invoice_order(order)
        self.assertFalse(invoice.invoice_line_ids.revenue_schedule_id)
        self.assertEqual(invoice.invoice_line_ids.account_id, self.income_account)
        self.assertFalse(invoice.revenue_line_ids)

    @freeze_time("2025-11-18")
    def test_expected_lines_follow_an_invoice_without_schedule(self):
        order = self._create_order([(self.product_service, 2, 300.0, None)])
        order.action_confirm()
        invoice = order._create_invoices()
        invoice.invoice_line_ids.revenue_schedule_id = False
        invoice.action_post()
        self.assertFalse(
            order.revenue_line_ids.filtered(lambda r: r.state == "expected")
        )

    def test_hold_survives_reset_and_repost(self):
        invoice = self._create_invoice([(self.product_service, 300.0, None)])
        invoice.action_post()
        invoice.revenue_line_ids.action_hold("customer dispute")
        invoice.button_draft()
        invoice.action_post()
        pending = invoice.revenue_line_ids.filtered(lambda r: r.state == "pending")
        self.assertEqual(len(pending), 3)
        self.assertEqual(set(pending.mapped("on_hold")), {True})
        self.assertEqual(set(pending.mapped("hold_reason")), {"customer dispute"})

    def test_duplicate_invoice_credits_income_again(self):
        invoice = self._create_invoice([(self.product_service, 300.0, None)])
        invoice.action_post()
        duplicate = invoice.copy()
        line = duplicate.invoice_line_ids
        self.assertEqual(line.account_id, self.income_account)
        line.revenue_schedule_id = False
        duplicate.invoice_date = "2025-11-18"
        duplicate.action_post()
        self.assertEqual(line.account_id, self.income_account)
        self.assertDeferredInvariant()

    def test_changing_product_changes_schedule(self):
        plain = self._create_product(name="Plain")
        with Form(
            self.env["account.move"].with_context(default_move_type="out_invoice")
        ) as form:
            form.partner_id = self.partner_a
            form.invoice_date = "2025-11-18"
            with form.invoice_line_ids.new() as line_form:
                line_form.product_id = self.product_service
                self.assertEqual(line_form.revenue_schedule_id, self.schedule_quarterly)
                line_form.product_id = plain
                self.assertFalse(line_form.revenue_schedule_id)
        invoice = form.record
        invoice.action_post()
        self.assertFalse(invoice.revenue_line_ids)

    def test_product_schedule_is_per_company(self):
        other = self.setup_other_company(name="Other Co")["company"]
        other_schedule = self.env["revenue.schedule"].create(
            {"name": "Other quarterly", "company_id": other.id, "occurrences": 3}
        )
        self.product_service.with_company(other).revenue_schedule_id = other_schedule
        self.assertEqual(
            self.product_service.revenue_schedule_id, self.schedule_quarterly
        )
        self.assertEqual(
            self.product_service.with_company(other).revenue_schedule_id, other_schedule
        )
        order = (
            self.env["sale.order"]
            .with_company(other)
            .create(
                {
                    "partner_id": self.partner_a.id,
                    "company_id": other.id,
                    "order_line": [
                        Command.create({"product_id": self.product_service.id})
                    ],
                }
            )
        )
        self.assertEqual(order.order_line.revenue_schedule_id, other_schedule)


@tagged("post_install", "-at_install")
class TestScheduleForm(RevenueTestCommon):
    def test_preview_never_modifies_the_schedule(self):
        schedule = self.schedule_12m
        before = schedule.write_date
        with Form(schedule) as form:
            form.preview_amount = 5000.0
            form.preview_start_date = "2023-01-15"
            self.assertIn("13 lines for 12 occurrences", form.preview_html)
        schedule.invalidate_recordset()
        self.assertEqual(schedule.preview_amount, 1200.0)
        self.assertEqual(schedule.write_date, before)
        # a reader without write access computes the preview too
        auditor = new_test_user(
            self.env,
            login="rr_preview_auditor",
            groups="account.group_account_readonly",
        )
        self.assertIn("o_revenue_preview", schedule.with_user(auditor).preview_html)

    def test_used_by_products_and_tracked(self):
        self.assertEqual(self.schedule_quarterly.product_count, 1)
        action = self.schedule_quarterly.action_view_products()
        self.assertEqual(
            self.env["product.template"].search(action["domain"]),
            self.product_service.product_tmpl_id,
        )
        # changes of the rules are tracked in the chatter
        tracked = {
            name
            for name, field in self.env["revenue.schedule"]._fields.items()
            if getattr(field, "tracking", False)
        }
        self.assertLessEqual(
            {"recognition_basis", "recognition_convention", "occurrences"}, tracked
        )
