"""Unbilled (accrued) revenue: month-end accrual, its reversal, then the invoice."""

from datetime import date

from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from .common import RevenueTestCommon

MARCH_END = date(2026, 3, 31)
# 1,200.00 over 12 months from 15 March 2026, `monthly`, `actual_start`: March
# weighs 17/31 of 12 months, 1,200 x 17/31 / 12 = 54.8387... -> 54.84.
MARCH_AMOUNT = 54.84


@tagged("post_install", "-at_install")
class TestAccrual(RevenueTestCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.accrual_account = cls.company.revenue_unbilled_account_id
        # Taxed 15 % (``_create_product``): the tax never reaches the accrual.
        cls.product_support = cls._create_product(
            name="Support 12M",
            type="service",
            invoice_policy="order",
            lst_price=1200.0,
            revenue_schedule_id=cls.schedule_12m.id,
        )

    def _confirmed_order(self, lines=None, partner=None, **values):
        lines = lines or [
            (self.product_support, 1, 1200.0, {"revenue_start_date": "2026-03-15"})
        ]
        order = self._create_order(
            lines, partner=partner, date_order="2026-02-20", **values
        )
        # confirmed on its date: an accrual takes orders confirmed by its date
        with freeze_time("2026-02-20"):
            order.action_confirm()
        return order

    def _accrual_wizard(self, as_of=MARCH_END, **values):
        wizard_form = Form(self.env["revenue.recognition.wizard"])
        wizard_form.date = as_of
        wizard_form.accrue_unbilled = True
        for name, value in values.items():
            setattr(wizard_form, name, value)
        return wizard_form

    def _accruals(self, company=None):
        return self.env["account.move"].search(
            [
                ("revenue_accrual", "=", True),
                ("company_id", "=", (company or self.company).id),
            ],
            order="id",
        )

    def _invoice_with_wizard(self, order, invoice_date):
        before = order.invoice_ids
        wizard = Form(
            self.env["sale.advance.payment.inv"].with_context(
                active_model="sale.order", active_ids=order.ids, active_id=order.id
            )
        ).save()
        wizard.create_invoices()
        invoice = order.invoice_ids - before
        invoice.invoice_date = invoice_date
        invoice.action_post()
        return invoice

    # --- settings ----------------------------------------------------------------

    def test_default_account_and_validation(self):
        """The chart has no 418 account: a new current asset, refused if income."""
        self.assertRecordValues(
            self.accrual_account,
            [{"account_type": "asset_current", "name": "Unbilled Receivables"}],
        )
        self.assertTrue(self.accrual_account.code.startswith("418"))
        settings = self.env["res.config.settings"].with_company(self.company).create({})
        self.assertEqual(settings.revenue_unbilled_account_id, self.accrual_account)
        for account in (self.income_account, self.receivable_account):
            with self.assertRaisesRegex(ValidationError, "unbilled revenue account"):
                self.company.revenue_unbilled_account_id = account

    def test_chart_418_account_is_the_default(self):
        """A chart with a 418 current asset (the French 418100) provides it."""
        company = self.env["res.company"].create({"name": "Chart 418 company"})
        account_418 = (
            self.env["account.account"]
            .with_company(company)
            .create(
                {
                    "code": "418100",
                    "name": "Clients - Factures à établir",
                    "account_type": "asset_current",
                    "company_ids": [Command.set(company.ids)],
                }
            )
        )
        company._revenue_setup()
        self.assertEqual(company.revenue_unbilled_account_id, account_418)

    # --- the whole story ------------------------------------------------------------

    def test_month_end_accrual_reversal_then_invoice(self):
        with freeze_time("2026-03-31"):
            order = self._confirmed_order()
            expected = order.order_line.revenue_line_ids
            self.assertEqual(len(expected), 13)
            self.assertEqual(self._schedule(expected)[0], ("2026-03-15", MARCH_AMOUNT))
            wizard_form = self._accrual_wizard()
            self.assertEqual(wizard_form.due_count, 0)
            self.assertEqual(wizard_form.accrual_count, 1)
            self.assertEqual(wizard_form.accrual_amount, MARCH_AMOUNT)
            self.assertIn(self.income_account.code, wizard_form.accrual_preview_html)
            wizard = wizard_form.save()
            wizard.action_create_journal()
        self.assertRecordValues(
            wizard,
            [
                {
                    "result_line_count": 0,
                    "result_accrual_line_count": 1,
                    "result_accrual_amount": MARCH_AMOUNT,
                    "result_move_count": 2,
                }
            ],
        )
        self.assertIn("accrued as unbilled revenue", wizard.result_message)
        accrual = self._accruals()
        self.assertRecordValues(
            accrual,
            [
                {
                    "date": MARCH_END,
                    "state": "posted",
                    "journal_id": self.revenue_journal.id,
                    "revenue_accrual_date": MARCH_END,
                    "revenue_recognition_entry": False,
                }
            ],
        )
        self.assertEqual(accrual.revenue_accrual_sale_line_ids, order.order_line)
        # Dr 418 / Cr 706 for the untaxed March amount; no tax line.
        self.assertRecordValues(
            accrual.line_ids.sorted("balance"),
            [
                {
                    "account_id": self.income_account.id,
                    "balance": -MARCH_AMOUNT,
                    "partner_id": self.partner_a.id,
                    "product_id": self.product_support.id,
                    "tax_ids": [],
                },
                {
                    "account_id": self.accrual_account.id,
                    "balance": MARCH_AMOUNT,
                    "partner_id": self.partner_a.id,
                    "product_id": False,
                    "tax_ids": [],
                },
            ],
        )
        reversal = accrual.reversal_move_ids
        self.assertRecordValues(
            reversal,
            [
                {
                    "date": date(2026, 4, 1),
                    "state": "posted",
                    "journal_id": self.revenue_journal.id,
                }
            ],
        )
        self.assertEqual(wizard.result_move_ids, accrual | reversal)
        # The expected lines stay expected; the due one knows its accrual.
        self.assertEqual(set(expected.mapped("state")), {"expected"})
        self.assertEqual(expected.filtered("accrual_move_id").accrual_move_id, accrual)
        self.assertEqual(self._deferred_balance(account=self.accrual_account), 0.0)
        self.assertBooks()

        # The same date again: nothing more.
        with freeze_time("2026-03-31"):
            wizard_form = self._accrual_wizard()
            self.assertEqual(wizard_form.accrual_count, 0)
            self.assertEqual(wizard_form.accrual_done_count, 1)
        again = self.line_model._accrue(MARCH_END)
        self.assertEqual((again.line_count, again.move_ids), (0, []))
        self.assertEqual(len(self._accruals()), 1)

        # April: the invoice defers; the run recognises March and April on 30 April.
        with freeze_time("2026-04-10"):
            invoice = self._invoice_with_wizard(order, "2026-04-10")
        self.assertFalse(
            order.order_line.revenue_line_ids.filtered(
                lambda line: line.state == "expected"
            )
        )
        self.assertEqual(
            self._schedule(invoice.revenue_line_ids)[:2],
            [("2026-03-15", MARCH_AMOUNT), ("2026-04-15", 100.0)],
        )
        with freeze_time("2026-04-30"):
            recognition = Form(self.env["revenue.recognition.wizard"])
            recognition.date = date(2026, 4, 30)
            self.assertEqual(recognition.due_amount, MARCH_AMOUNT + 100.0)
            recognition.save().action_create_journal()
        # March: the accrual only, once. April: -54.84 reversed + 154.84
        # recognised = 100.00, the April share. The whole story: 154.84.
        self.assertAlmostEqual(
            self._income_between("2026-03-01", "2026-03-31"), MARCH_AMOUNT
        )
        self.assertAlmostEqual(self._income_between("2026-04-01", "2026-04-30"), 100.0)
        self.assertAlmostEqual(
            self._income_between("2026-01-01", "2026-12-31"), MARCH_AMOUNT + 100.0
        )
        self.assertEqual(self._deferred_balance(account=self.accrual_account), 0.0)
        self.assertBooks(after_run=True)
        # The roll-forward shows the accrual apart: unbilled at 31 March,
        # nothing in the deferred balance until the April invoice (1,200.00
        # deferred, 154.84 recognised: 1,045.16 at 30 April).
        march, april = self.env["revenue.analytics"].rollforward(
            "2026-03-01", "2026-04-30", company_ids=self.company.ids
        )
        self.assertEqual(
            (march["accrued"], march["closing"], march["difference"]),
            (MARCH_AMOUNT, 0.0, 0.0),
        )
        self.assertEqual(
            (april["accrued"], april["invoiced"], april["recognised"]),
            (0.0, 1200.0, MARCH_AMOUNT + 100.0),
        )
        self.assertEqual((april["closing"], april["difference"]), (1045.16, 0.0))
        # The roll-forward screen: the same figure, and its journal items.
        report = self.env["revenue.report"].create(
            {
                "report_type": "rollforward",
                "date_from": "2026-03-01",
                "date_to": "2026-04-30",
                "company_ids": [Command.set(self.company.ids)],
            }
        )
        report.action_compute()
        march_row = report.rollforward_line_ids.sorted("month")[0]
        self.assertEqual(march_row.accrued, MARCH_AMOUNT)
        model, domain = march_row._drilldown_domain("accrued")
        items = self.env[model].search(domain)
        self.assertEqual(items.move_id, accrual)
        self.assertAlmostEqual(sum(items.mapped("balance")), MARCH_AMOUNT)

    def test_recognition_on_line_dates_after_accrual(self):
        """Recognised on each line's own date (as the daily action does), the
        accrued March line is dated on the reversal's date, 1 April: March is
        not counted twice."""
        order = self._confirmed_order()
        self.line_model._accrue(MARCH_END)
        # Invoiced on 28 March but posted after the accrual ran.
        self._invoice_with_wizard(order, "2026-03-28")
        result = self.line_model._recognise(
            date(2026, 4, 30), posting_date_mode="recognition_date"
        )
        self.assertEqual(result.line_count, 2)
        moves = self.env["account.move"].browse(result.move_ids).sorted("date")
        self.assertEqual(moves.mapped("date"), [date(2026, 4, 1), date(2026, 4, 15)])
        self.assertEqual(moves.mapped("amount_total"), [MARCH_AMOUNT, 100.0])
        # March: the accrual only; April: -54.84 + 54.84 + 100.00.
        self.assertAlmostEqual(
            self._income_between("2026-03-01", "2026-03-31"), MARCH_AMOUNT
        )
        self.assertAlmostEqual(self._income_between("2026-04-01", "2026-04-30"), 100.0)
        self.assertBooks(after_run=True)

    def _later(self, table, ids, hours):
        """Pretend ``ids`` were created ``hours`` later (one test transaction
        stamps everything with the same time)."""
        self.env.flush_all()
        self.env.cr.execute(
            f"UPDATE {table} SET create_date = create_date + %s * interval '1 hour' "
            "WHERE id = ANY(%s)",
            [hours, ids],
        )
        self.env.invalidate_all()

    def test_part_invoiced_before_the_accrual_keeps_its_dates(self):
        """Only what was invoiced after an accrual waits for its reversal."""
        order = self._confirmed_order(
            [(self.product_support, 2, 1200.0, {"revenue_start_date": "2026-03-15"})]
        )
        wizard = Form(
            self.env["sale.advance.payment.inv"].with_context(
                active_model="sale.order", active_ids=order.ids, active_id=order.id
            )
        ).save()
        wizard.create_invoices()
        first = order.invoice_ids
        with Form(first) as invoice_form:
            invoice_form.invoice_date = date(2026, 4, 10)
            with invoice_form.invoice_line_ids.edit(0) as line_form:
                line_form.quantity = 1
        first.action_post()
        # The unbilled half, due by 30 April: 54.84 + 100.00 = 154.84.
        result = self.line_model._accrue(date(2026, 4, 30))
        self.assertAlmostEqual(result.amounts[self.company.id], 154.84)
        self._later("account_move", result.move_ids, 1)
        second = self._invoice_with_wizard(order, "2026-05-10")
        self._later("revenue_recognition_line", second.revenue_line_ids.ids, 2)
        self._later("account_move", second.ids, 2)
        recognised = self.line_model._recognise(
            date(2026, 5, 31), posting_date_mode="recognition_date"
        )
        self.assertEqual(recognised.line_count, 6)
        # March: the first invoice's 54.84. April: its 100.00 + the accrual
        # 154.84 = 254.84. May: -154.84 reversed + 154.84 of the second
        # invoice dated 1 May + 2 x 100.00 = 200.00.
        self.assertAlmostEqual(
            self._income_between("2026-03-01", "2026-03-31"), MARCH_AMOUNT
        )
        self.assertAlmostEqual(self._income_between("2026-04-01", "2026-04-30"), 254.84)
        self.assertAlmostEqual(self._income_between("2026-05-01", "2026-05-31"), 200.0)
        self.assertBooks(after_run=True)

    def test_summary_grouping_two_customers(self):
        """Summary: income lines per account (partner B's fiscal position maps
        the product's income account, as its invoice would); one 418 line."""
        self._confirmed_order()
        self._confirmed_order()
        order_b = self._confirmed_order(partner=self.partner_b)
        income_b = order_b.fiscal_position_id.map_account(self.income_account)
        self.assertNotEqual(income_b, self.income_account)
        result = self.line_model._accrue(MARCH_END, grouping="summary")
        # three order lines, one due expected line each: 3 x 54.84 = 164.52
        self.assertEqual(result.line_count, 3)
        self.assertAlmostEqual(result.amounts[self.company.id], 3 * MARCH_AMOUNT)
        accrual = self._accruals()
        self.assertRecordValues(
            accrual.line_ids.sorted(lambda line: (line.balance, line.account_id.id)),
            [
                {"account_id": self.income_account.id, "balance": -2 * MARCH_AMOUNT},
                {"account_id": income_b.id, "balance": -MARCH_AMOUNT},
                {"account_id": self.accrual_account.id, "balance": 3 * MARCH_AMOUNT},
            ],
        )
        # The invoice of partner B credits the same income account (deferred).
        invoice_b = self._invoice_with_wizard(order_b, "2026-04-10")
        self.assertEqual(invoice_b.invoice_line_ids.revenue_income_account_id, income_b)
        self.assertBooks()

    def test_as_of_later_month_accrues_everything_due(self):
        """As of 30 April: March and April lines (54.84 + 100.00) in one entry,
        dated 30 April and reversed on 1 May."""
        self._confirmed_order()
        result = self.line_model._accrue(date(2026, 4, 30))
        self.assertEqual(result.line_count, 2)
        accrual = self._accruals()
        self.assertEqual(accrual.amount_total, MARCH_AMOUNT + 100.0)
        self.assertEqual(accrual.reversal_move_ids.date, date(2026, 5, 1))
        self.assertBooks()

    # --- what is left out -------------------------------------------------------------

    def test_held_lines_are_not_accrued(self):
        """Lines of a schedule that holds automatically wait for a release."""
        schedule_hold = self._create_schedule(
            name="12M on hold",
            recognition_basis="monthly",
            recognition_convention="actual_start",
            occurrences=12,
            automatic_hold=True,
        )
        order = self._confirmed_order(
            [
                (
                    self.product_support,
                    1,
                    1200.0,
                    {"revenue_start_date": "2026-03-15"},
                ),
                (
                    self.product_support,
                    1,
                    2400.0,
                    {
                        "revenue_start_date": "2026-03-15",
                        "revenue_schedule_id": schedule_hold.id,
                    },
                ),
            ]
        )
        wizard_form = self._accrual_wizard()
        self.assertEqual(wizard_form.accrual_count, 1)
        self.assertEqual(wizard_form.accrual_held_count, 1)
        wizard = wizard_form.save()
        wizard.action_create_journal()
        accrual = self._accruals()
        self.assertEqual(accrual.revenue_accrual_sale_line_ids, order.order_line[0])
        self.assertEqual(accrual.amount_total, MARCH_AMOUNT)
        self.assertBooks()

    def test_invoiced_and_later_lines_are_not_accrued(self):
        """Invoiced revenue is deferred, not accrued; lines after the date wait."""
        order = self._confirmed_order()
        self._invoice_with_wizard(order, "2026-03-20")
        result = self.line_model._accrue(MARCH_END)
        self.assertEqual(result.line_count, 0)
        self._confirmed_order(
            [(self.product_support, 1, 1200.0, {"revenue_start_date": "2026-04-01"})]
        )
        self.assertEqual(self.line_model._accrue(MARCH_END).line_count, 0)
        self.assertFalse(self._accruals())
        self.assertBooks()

    # --- cancel and redo, guards --------------------------------------------------

    def test_cancel_and_accrue_again(self):
        self._confirmed_order()
        self.line_model._accrue(MARCH_END)
        accrual = self._accruals()
        reversal = accrual.reversal_move_ids
        with self.assertRaisesRegex(UserError, "cannot be reset to draft"):
            reversal.button_draft()
        # A second reversal would take the revenue back twice.
        manual = accrual._reverse_moves([{"date": MARCH_END}])
        with self.assertRaisesRegex(UserError, "already reversed the next day"):
            manual._post(soft=False)
        manual.unlink()
        # Cancelling the reversal cancels the accrual with it.
        reversal.button_cancel()
        self.assertEqual((accrual | reversal).mapped("state"), ["cancel", "cancel"])
        result = self.line_model._accrue(MARCH_END)
        self.assertEqual(result.line_count, 1)
        redone = self._accruals() - accrual
        self.assertEqual(redone.state, "posted")
        self.assertEqual(self._deferred_balance(account=self.accrual_account), 0.0)
        self.assertBooks()

    def test_locked_period_is_refused(self):
        """An accrual dated in a locked month is refused, never moved and called
        accrued (defect 9)."""
        self._confirmed_order()
        self.company.fiscalyear_lock_date = MARCH_END
        wizard = self._accrual_wizard().save()
        with self.assertRaisesRegex(UserError, "locked period"):
            wizard.action_create_journal()
        self.assertFalse(self._accruals())
        # the month after is open: accrued there, on its own date
        self.line_model._accrue(date(2026, 4, 30))
        self.assertEqual(self._accruals().date, date(2026, 4, 30))
        self.assertBooks()

    def test_salesperson_cannot_accrue(self):
        salesperson = new_test_user(
            self.env,
            login="rr_accrual_salesperson",
            groups="sales_team.group_sale_salesman",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        self._confirmed_order()
        with self.assertRaises(AccessError):
            self.env["revenue.recognition.wizard"].with_user(salesperson).create(
                {"date": MARCH_END, "accrue_unbilled": True}
            )
        self.assertFalse(self._accruals())

    # --- several companies, the cron ------------------------------------------------

    def test_multi_company_and_cron(self):
        """The cron accrues the last month end once, for the companies that ask."""
        company_2 = self.setup_other_company(name="Accrual second company")["company"]
        schedule_2 = self._create_schedule(
            name="12M (2)",
            recognition_basis="monthly",
            recognition_convention="actual_start",
            occurrences=12,
            company_id=company_2.id,
        )
        self._confirmed_order()
        order_2 = (
            self.env["sale.order"]
            .with_company(company_2)
            .create(
                {
                    "partner_id": self.partner_a.id,
                    "company_id": company_2.id,
                    "date_order": "2026-02-20",
                    "order_line": [
                        Command.create(
                            {
                                "product_id": self.product_support.id,
                                "price_unit": 2400.0,
                                "revenue_schedule_id": schedule_2.id,
                                "revenue_start_date": "2026-03-15",
                            }
                        )
                    ],
                }
            )
        )
        with freeze_time("2026-02-20"):
            order_2.action_confirm()
        company_2.revenue_accrue_unbilled = True
        self.assertTrue(company_2.revenue_unbilled_account_id)
        cron_model = self.line_model.with_user(self.env.ref("base.user_root"))
        with freeze_time("2026-04-01"):
            cron_model._cron_recognise()
        self.assertFalse(self._accruals())
        accrual_2 = self._accruals(company_2)
        # 2,400 x 17/31 / 12 = 109.677... -> 109.68
        self.assertRecordValues(
            accrual_2,
            [
                {
                    "date": MARCH_END,
                    "amount_total": 109.68,
                    "journal_id": company_2.revenue_journal_id.id,
                }
            ],
        )
        self.assertEqual(
            set(accrual_2.line_ids.account_id.ids),
            {
                company_2.revenue_unbilled_account_id.id,
                order_2.order_line.with_company(company_2)
                .product_id.product_tmpl_id.get_product_accounts()["income"]
                .id,
            },
        )
        self.assertEqual(company_2.revenue_accrual_last_date, MARCH_END)
        # Later days of April: March is done; nothing more.
        with freeze_time("2026-04-02"):
            cron_model._cron_recognise()
        self.assertEqual(self._accruals(company_2), accrual_2)
        self.assertBooks()
        self.assertBooks(company=company_2)
        # By hand, both companies at once: one entry per company.
        result = (
            self.line_model.with_company(self.company)
            .with_context(allowed_company_ids=(self.company | company_2).ids)
            ._accrue(fields.Date.to_date("2026-04-30"))
        )
        self.assertEqual(set(result.amounts), {self.company.id, company_2.id})
        self.assertEqual(len(self._accruals()), 1)
        self.assertEqual(len(self._accruals(company_2)), 2)
        self.assertBooks()
        self.assertBooks(company=company_2)
