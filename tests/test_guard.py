"""Groups, record rules of reports and wizards, bounds of runs, a batch with a
bad line, the cron and a retyped account, the demo documents at uninstall."""

import logging
from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from odoo.addons.revenue_recognition import uninstall_hook

from .common import RevenueTestCommon

REPORT_MODELS = (
    "revenue.report.rollforward",
    "revenue.report.backlog",
    "revenue.report.mrr",
    "revenue.report.mrr.movement",
    "revenue.report.mrr.reconciliation",
)


@tagged("post_install", "-at_install")
class TestRevenueGuard(RevenueTestCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.line_model = cls.env["revenue.recognition.line"]
        company_ids = [Command.set(cls.company.ids)]
        cls.revenue_user = new_test_user(
            cls.env,
            login="rr_guard_revenue_user",
            groups="revenue_recognition.group_revenue_user",
            company_id=cls.company.id,
            company_ids=company_ids,
        )
        cls.revenue_admin = new_test_user(
            cls.env,
            login="rr_guard_revenue_admin",
            groups="revenue_recognition.group_revenue_manager",
            company_id=cls.company.id,
            company_ids=company_ids,
        )
        cls.company_2_data = cls.setup_other_company(name="Guard other company")
        cls.company_2 = cls.company_2_data["company"]
        cls.user_b = new_test_user(
            cls.env,
            login="rr_guard_user_b",
            groups="account.group_account_manager",
            company_id=cls.company_2.id,
            company_ids=[Command.set(cls.company_2.ids)],
        )
        cls.colleague = new_test_user(
            cls.env,
            login="rr_guard_colleague",
            groups="account.group_account_manager",
            company_id=cls.company.id,
            company_ids=company_ids,
        )

    def _post_invoice(self, price=300.0, **values):
        invoice = self._create_invoice([(self.product_service, price, None)], **values)
        invoice.action_post()
        return invoice

    # --- 5. the groups grant what their names say ----------------------------

    @freeze_time("2026-01-15")
    def test_revenue_user_holds_and_releases(self):
        invoice = self._post_invoice()
        lines = invoice.revenue_line_ids.sorted("recognition_date")
        for operation, reason in (("hold", "Awaiting acceptance"), ("release", "OK")):
            wizard_form = Form(
                self.env["revenue.hold.wizard"]
                .with_user(self.revenue_user)
                .with_context(
                    default_operation=operation,
                    active_model="revenue.recognition.line",
                    active_ids=lines[:1].ids,
                )
            )
            wizard_form.reason = reason
            wizard_form.save().action_confirm()
            self.assertEqual(lines[0].on_hold, operation == "hold")
        self.assertRecordValues(
            lines[:1],
            [
                {
                    "hold_user_id": self.revenue_user.id,
                    "hold_reason": "Awaiting acceptance",
                    "release_user_id": self.revenue_user.id,
                    "release_reason": "OK",
                }
            ],
        )

    @freeze_time("2026-01-15")
    def test_revenue_admin_runs_recognise_revenue(self):
        """300 over 3 months from December: 100 due on 1 Dec, 100 on 1 Jan."""
        invoice = self._post_invoice()
        wizard_form = Form(
            self.env["revenue.recognition.wizard"].with_user(self.revenue_admin)
        )
        wizard_form.date = "2026-01-15"
        wizard_form.posting_date_mode = "selected_date"
        wizard_form.grouping = "summary"
        wizard = wizard_form.save()
        wizard.action_create_journal()
        self.assertEqual(wizard.state, "done")
        self.assertEqual(wizard.result_line_count, 2)
        self.assertEqual(wizard.result_amount, 200.0)
        entry = wizard.result_move_ids
        self.assertEqual(entry.state, "posted")
        self.assertEqual(entry.create_uid, self.revenue_admin)
        self.assertRecordValues(
            entry.line_ids.sorted("balance"),
            [
                {"account_id": self.income_account.id, "balance": -200.0},
                {"account_id": self.deferred_account.id, "balance": 200.0},
            ],
        )
        self.assertEqual(
            invoice.revenue_line_ids.mapped("state"), ["posted", "posted", "pending"]
        )

    # --- 3. record rules: company and owner ---------------------------------

    @freeze_time("2026-01-15")
    def test_reports_and_wizards_are_their_users(self):
        self._post_invoice()
        report = (
            self.env["revenue.report"]
            .with_user(self.colleague)
            .create(
                {
                    "report_type": "rollforward",
                    "date_from": date(2025, 11, 1),
                    "date_to": date(2026, 1, 31),
                }
            )
        )
        report.action_compute()
        self.assertTrue(report.rollforward_line_ids)
        hold = (
            self.env["revenue.hold.wizard"]
            .with_user(self.colleague)
            .create({"operation": "hold", "reason": "Audit"})
        )
        run = (
            self.env["revenue.recognition.wizard"].with_user(self.colleague).create({})
        )
        records = [report, report.rollforward_line_ids[:1], hold, run]
        for other in (self.user_b, self.revenue_admin):
            for record in records:
                with self.subTest(user=other.login, model=record._name):
                    as_other = record.with_user(other).sudo(False)
                    self.assertFalse(
                        as_other.search([("id", "=", record.id)]),
                        f"{other.login} finds {record._name}",
                    )
                    for operation in (
                        lambda rec: rec.read(["display_name"]),
                        lambda rec: rec.write({}) or rec.check_access("write"),
                        lambda rec: rec.unlink(),
                    ):
                        with self.assertRaises(AccessError):
                            operation(as_other)
        # their owner still reads them all
        for record in records:
            record.with_user(self.colleague).read(["display_name"])
        for model in REPORT_MODELS:
            self.assertEqual(
                self.env[model].with_user(self.user_b).search_count([]), 0, model
            )

    # --- 4. bounds of the runs -------------------------------------------------

    @freeze_time("2026-01-15")
    def test_run_dates_are_bounded(self):
        self._post_invoice()
        for as_of in (date(9999, 12, 31), date(2028, 1, 1), date(1999, 12, 31)):
            with self.subTest(as_of=as_of):
                wizard = self.env["revenue.recognition.wizard"].create(
                    {"date": as_of, "accrue_unbilled": True}
                )
                with self.assertRaisesRegex(UserError, "out of range"):
                    wizard.action_create_journal()
                self.assertEqual(wizard.state, "draft")
        wizard = self.env["revenue.recognition.wizard"].create(
            {
                "date": date(2026, 1, 15),
                "posting_date_mode": "selected_date",
                "posting_date": date(9999, 1, 1),
            }
        )
        with self.assertRaisesRegex(UserError, "Accounting date 9999-01-01"):
            wizard.action_create_journal()
        # the end of next year is the last day accepted: the three lines are due
        wizard = self.env["revenue.recognition.wizard"].create(
            {"date": date(2027, 12, 31)}
        )
        wizard.action_create_journal()
        self.assertEqual(wizard.result_line_count, 3)

    def test_lines_per_entry_are_bounded(self):
        for value in (0, -5, 10**6):
            with self.subTest(value=value):
                with self.assertRaisesRegex(ValidationError, "between 1 and 10000"):
                    self.company.revenue_max_lines_per_entry = value
        self.company.revenue_max_lines_per_entry = 10000
        self.assertEqual(self.company.revenue_max_lines_per_entry, 10000)

    # --- 4. the cron checks the deferred account again ------------------------

    @freeze_time("2026-01-15")
    def test_cron_skips_a_company_whose_deferred_account_was_retyped(self):
        company_b = self.company_2
        data_b = self.company_2_data
        schedule_b = self._create_schedule(
            name="Quarterly B",
            recognition_basis="occurrences",
            recognition_convention="next_month",
            occurrences=3,
            company_id=company_b.id,
        )
        product_b = self._create_product(
            name="Support B", lst_price=300.0, company_id=company_b.id
        )
        product_b.with_company(company_b).revenue_schedule_id = schedule_b
        invoice_b = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "company_id": company_b.id,
                "journal_id": data_b["default_journal_sale"].id,
                "partner_id": self.partner_a.id,
                "invoice_date": "2025-11-18",
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": product_b.id,
                            "price_unit": 300.0,
                            "tax_ids": [],
                        }
                    )
                ],
            }
        )
        invoice_b.action_post()
        invoice_a = self._post_invoice()
        (self.company | company_b).write({"revenue_auto_post": True})
        # company B's 487 becomes an income account after it was chosen
        company_b.revenue_deferred_account_id.sudo().account_type = "income"
        with self.assertLogs(
            "odoo.addons.revenue_recognition.models.res_company", logging.WARNING
        ) as logs:
            self.line_model._cron_recognise()
        self.assertIn(company_b.display_name, "\n".join(logs.output))
        self.assertIn("deferred revenue account", "\n".join(logs.output))
        # A: 100 on 1 Dec and 100 on 1 Jan recognised; B: nothing
        self.assertEqual(
            invoice_a.revenue_line_ids.mapped("state"), ["posted", "posted", "pending"]
        )
        self.assertEqual(set(invoice_b.revenue_line_ids.mapped("state")), {"pending"})

    # --- 6. one bad line never stops the batch ---------------------------------

    @freeze_time("2026-01-15")
    def test_bad_analytic_key_is_reported_and_the_rest_recognised(self):
        good = self._post_invoice()
        bad = self._post_invoice(price=600.0)
        bad_line = bad.revenue_line_ids.sorted("recognition_date")[0]
        # a distribution key that is no analytic account id (written in SQL:
        # how it got there does not matter, the run must survive it)
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE revenue_recognition_line SET analytic_distribution = "
            """'{"abc": 100}'::jsonb WHERE id = %s""",
            [bad_line.id],
        )
        self.env.invalidate_all()
        wizard = self.env["revenue.recognition.wizard"].create(
            {"date": date(2026, 1, 15), "posting_date_mode": "selected_date"}
        )
        wizard.action_create_journal()
        # good: 100 + 100; bad: its January line (200) only, December's is bad
        self.assertEqual(wizard.result_line_count, 3)
        self.assertEqual(wizard.result_amount, 400.0)
        self.assertIn(bad_line.display_name, wizard.result_message)
        self.assertIn("'abc'", wizard.result_message)
        self.assertEqual(bad_line.state, "pending")
        self.assertEqual(
            good.revenue_line_ids.mapped("state"), ["posted", "posted", "pending"]
        )
        self.assertDeferredInvariant()

    # --- 7. uninstall ------------------------------------------------------------

    def test_uninstall_keeps_documents(self):
        """The hook drops the add-on's XML ids of documents (what Odoo would
        delete at uninstall), and nothing else of the add-on's."""
        invoice = self._post_invoice()
        data = self.env["ir.model.data"].create(
            {
                "module": "revenue_recognition",
                "name": "guard_test_invoice",
                "model": "account.move",
                "res_id": invoice.id,
            }
        )
        group_xmlid = self.env.ref("revenue_recognition.group_revenue_user")
        uninstall_hook(self.env)
        self.assertFalse(data.exists())
        self.assertTrue(invoice.exists())
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(
            self.env.ref("revenue_recognition.group_revenue_user"), group_xmlid
        )
