from datetime import date
from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from odoo.addons.revenue_recognition.models.revenue_recognition_posting import (
    RevenueRecognitionLine,
)

from .common import RevenueTestCommon

POSTING_LOGGER = "odoo.addons.revenue_recognition.models.revenue_recognition_posting"
CRON_LOGGER = "odoo.addons.revenue_recognition.models.revenue_month_end"


@tagged("post_install", "-at_install")
class TestCreateJournal(RevenueTestCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.income_account_b = cls.income_account.copy(
            {"code": "706100", "name": "Training"}
        )
        cls.product_training = cls._create_product(
            name="Training",
            type="service",
            lst_price=600.0,
            taxes_id=[Command.clear()],
            property_account_income_id=cls.income_account_b.id,
            revenue_schedule_id=cls.schedule_quarterly.id,
        )
        cls.analytic_plan = cls.env["account.analytic.plan"].create(
            {"name": "Revenue test plan"}
        )
        cls.analytic_sales = cls.env["account.analytic.account"].create(
            {"name": "Sales", "plan_id": cls.analytic_plan.id}
        )

    def _post_invoice(self, lines, invoice_date="2025-11-18", **values):
        invoice = self._create_invoice(lines, invoice_date=invoice_date, **values)
        invoice.action_post()
        return invoice

    def _wizard(self, **context):
        return Form(self.env["revenue.recognition.wizard"].with_context(**context))

    @freeze_time("2026-01-15")
    def test_wizard_end_to_end(self):
        """Two due lines of three, one entry per recognition date, posted."""
        invoice = self._post_invoice([(self.product_service, 300.0, None)])
        self.assertEqual(invoice.revenue_pending_count, 3)
        wizard_form = self._wizard()
        # by default the month being closed: the last month end
        self.assertEqual(wizard_form.date, date(2025, 12, 31))
        wizard_form.date = date(2026, 1, 15)
        # by default everything is posted on the as-of date
        self.assertEqual(wizard_form.posting_date_mode, "selected_date")
        self.assertEqual(wizard_form.posting_date, date(2026, 1, 15))
        self.assertEqual(wizard_form.earlier_count, 0)
        wizard_form.posting_date_mode = "recognition_date"
        # December's line would be dated in December: the wizard warns
        self.assertEqual(wizard_form.earlier_count, 1)
        self.assertEqual(wizard_form.due_count, 2)
        self.assertEqual(wizard_form.due_amount, 200.0)
        wizard = wizard_form.save()
        action = wizard.action_create_journal()
        self.assertEqual(
            (action["res_model"], action["res_id"]), (wizard._name, wizard.id)
        )
        self.assertRecordValues(
            wizard,
            [
                {
                    "state": "done",
                    "result_line_count": 2,
                    "result_amount": 200.0,
                    "result_move_count": 2,
                    "result_held_count": 0,
                    "result_message": False,
                }
            ],
        )
        moves = wizard.result_move_ids.sorted("date")
        self.assertRecordValues(
            moves,
            [
                {
                    "date": date(2025, 12, 1),
                    "state": "posted",
                    "journal_id": self.revenue_journal.id,
                },
                {
                    "date": date(2026, 1, 1),
                    "state": "posted",
                    "journal_id": self.revenue_journal.id,
                },
            ],
        )
        self.assertIn("December 2025", moves[0].ref)
        lines = invoice.revenue_line_ids.sorted("recognition_date")
        self.assertEqual(lines.mapped("state"), ["posted", "posted", "pending"])
        self.assertEqual(lines[:2].recognition_move_id, moves)
        self.assertEqual(invoice.revenue_pending_count, 1)
        self.assertDeferredInvariant()
        entries_action = wizard.action_open_entries()
        self.assertEqual(entries_action["domain"], [("id", "in", moves.ids)])

    @freeze_time("2026-01-15")
    def test_detail_entry(self):
        """Detail: an income line per schedule line, one deferred line per account."""
        distribution = {str(self.analytic_sales.id): 100.0}
        invoice = self._post_invoice(
            [
                (self.product_service, 300.0, {"analytic_distribution": distribution}),
                (self.product_training, 600.0, None),
            ]
        )
        result = self._recognise_as_of(
            "2025-12-31", posting_date_mode="selected_date", posting_date="2025-12-31"
        )
        self.assertEqual((result["line_count"], len(result["move_ids"])), (2, 1))
        move = self.env["account.move"].browse(result["move_ids"])
        self.assertEqual(move.date, date(2025, 12, 31))
        self.assertRecordValues(
            move.line_ids.sorted(lambda line: (line.balance, line.account_id.code)),
            [
                {
                    "account_id": self.income_account_b.id,
                    "debit": 0.0,
                    "credit": 200.0,
                    "partner_id": self.partner_a.id,
                    "product_id": self.product_training.id,
                    "analytic_distribution": False,
                },
                {
                    "account_id": self.income_account.id,
                    "debit": 0.0,
                    "credit": 100.0,
                    "partner_id": self.partner_a.id,
                    "product_id": self.product_service.id,
                    "analytic_distribution": distribution,
                },
                {
                    # one deferred line per customer: 487 reads right by customer
                    "account_id": self.deferred_account.id,
                    "debit": 300.0,
                    "credit": 0.0,
                    "partner_id": self.partner_a.id,
                    "product_id": False,
                    "analytic_distribution": False,
                },
            ],
        )
        # Analytic follows the revenue when it is recognised, not before.
        analytic = self.env["account.analytic.line"].search(
            [("auto_account_id", "=", self.analytic_sales.id)]
        )
        self.assertEqual(analytic.mapped("amount"), [100.0])
        self.assertEqual(analytic.move_line_id.move_id, move)
        self.assertEqual(
            len(invoice.revenue_line_ids.filtered(lambda r: r.state == "posted")), 2
        )
        self.assertDeferredInvariant()

    @freeze_time("2026-01-15")
    def test_summary_entry(self):
        """Summary: income grouped by account and analytic, deferred by account."""
        distribution = {str(self.analytic_sales.id): 100.0}
        self._post_invoice(
            [(self.product_service, 300.0, {"analytic_distribution": distribution})]
        )
        self._post_invoice(
            [(self.product_service, 600.0, {"analytic_distribution": distribution})]
        )
        self._post_invoice(
            [(self.product_service, 900.0, None), (self.product_training, 600.0, None)]
        )
        result = self._recognise_as_of("2025-12-31", grouping="summary")
        self.assertEqual((result["line_count"], len(result["move_ids"])), (4, 1))
        move = self.env["account.move"].browse(result["move_ids"])
        self.assertEqual(move.date, date(2025, 12, 1))
        self.assertRecordValues(
            move.line_ids.sorted(
                lambda line: (
                    line.balance,
                    line.account_id.code,
                    bool(line.analytic_distribution),
                )
            ),
            [
                {
                    "account_id": self.income_account.id,
                    "debit": 0.0,
                    "credit": 300.0,
                    "partner_id": False,
                    "product_id": False,
                    "analytic_distribution": False,
                },
                {
                    "account_id": self.income_account.id,
                    "debit": 0.0,
                    "credit": 300.0,
                    "partner_id": False,
                    "product_id": False,
                    "analytic_distribution": distribution,
                },
                {
                    "account_id": self.income_account_b.id,
                    "debit": 0.0,
                    "credit": 200.0,
                    "partner_id": False,
                    "product_id": False,
                    "analytic_distribution": False,
                },
                {
                    "account_id": self.deferred_account.id,
                    "debit": 800.0,
                    "credit": 0.0,
                    "partner_id": False,
                    "product_id": False,
                    "analytic_distribution": False,
                },
            ],
        )
        self.assertDeferredInvariant()

    @freeze_time("2026-01-15")
    def test_credit_note_flips_sides(self):
        self._post_invoice([(self.product_service, 300.0, None)])
        refund = self._post_invoice(
            [(self.product_service, 150.0, None)], move_type="out_refund"
        )
        self.assertEqual(
            refund.revenue_line_ids.mapped("amount"), [-50.0, -50.0, -50.0]
        )
        result = self._recognise_as_of("2025-12-31", grouping="summary")
        move = self.env["account.move"].browse(result["move_ids"])
        self.assertEqual(result["amounts"][self.company.id], 50.0)
        self.assertRecordValues(
            move.line_ids.sorted(lambda line: (line.balance, line.account_id.code)),
            [
                {"account_id": self.income_account.id, "debit": 0.0, "credit": 100.0},
                {"account_id": self.deferred_account.id, "debit": 0.0, "credit": 50.0},
                {"account_id": self.income_account.id, "debit": 50.0, "credit": 0.0},
                {"account_id": self.deferred_account.id, "debit": 100.0, "credit": 0.0},
            ],
        )
        self.assertDeferredInvariant()

    @freeze_time("2026-01-15")
    def test_entries_split_by_size(self):
        self.company.revenue_max_lines_per_entry = 2
        for _index in range(3):
            self._post_invoice([(self.product_service, 300.0, None)])
        result = self._recognise_as_of(
            "2025-12-31", posting_date_mode="selected_date", posting_date="2025-12-31"
        )
        moves = self.env["account.move"].browse(result["move_ids"])
        self.assertEqual(result["line_count"], 3)
        self.assertEqual(
            [len(move.revenue_recognised_line_ids) for move in moves], [2, 1]
        )
        self.assertEqual(
            moves.mapped("ref"),
            [
                "Revenue recognition December 2025 (1/2)",
                "Revenue recognition December 2025 (2/2)",
            ],
        )
        self.assertDeferredInvariant()

    @freeze_time("2026-01-15")
    def test_locked_period_moves_to_first_open_date(self):
        invoice = self._post_invoice([(self.product_service, 300.0, None)])
        self.company.fiscalyear_lock_date = "2025-12-31"
        wizard_form = self._wizard()
        wizard_form.date = date(2026, 1, 15)
        wizard_form.posting_date_mode = "recognition_date"
        wizard = wizard_form.save()
        wizard.action_create_journal()
        # December's line moves to 1 January, with January's: one entry.
        self.assertEqual(wizard.result_move_ids.date, date(2026, 1, 1))
        self.assertEqual(wizard.result_line_count, 2)
        self.assertIn("locked period", wizard.result_message)
        self.assertIn("01/01/2026", wizard.result_message)
        self.assertEqual(
            invoice.revenue_line_ids.filtered(
                lambda r: r.state == "posted"
            ).recognition_move_id,
            wizard.result_move_ids,
        )
        self.assertDeferredInvariant()

    @freeze_time("2026-01-15")
    def test_second_run_creates_nothing(self):
        self._post_invoice([(self.product_service, 300.0, None)])
        first = self._recognise_as_of("2026-01-15")
        self.assertEqual(first["line_count"], 2)
        wizard = self._wizard().save()
        wizard.action_create_journal()
        self.assertEqual((wizard.result_line_count, wizard.result_move_count), (0, 0))
        self.assertIn("Nothing to recognise", wizard.result_message)
        with self.assertRaises(UserError):
            wizard.action_create_journal()
        self.assertDeferredInvariant()

    @freeze_time("2026-01-15")
    def test_reverse_and_reset_put_lines_back(self):
        invoice = self._post_invoice([(self.product_service, 300.0, None)])
        due = invoice.revenue_line_ids.filtered(
            lambda r: r.recognition_date <= date(2026, 1, 15)
        )
        result = self._recognise_as_of("2026-01-15", posting_date_mode="selected_date")
        move = self.env["account.move"].browse(result["move_ids"])
        self.assertEqual(move.revenue_recognised_line_ids, due)

        move._reverse_moves(cancel=True)
        self.assertEqual(set(due.mapped("state")), {"pending"})
        self.assertFalse(due.recognition_move_id)
        self.assertDeferredInvariant()

        again = self.env["account.move"].browse(
            self._recognise_as_of("2026-01-15", posting_date_mode="selected_date")[
                "move_ids"
            ]
        )
        self.assertEqual(set(due.mapped("state")), {"posted"})
        with self.assertRaises(UserError):
            again.unlink()
        again.button_draft()
        self.assertEqual(set(due.mapped("state")), {"pending"})
        self.assertFalse(again.revenue_recognised_line_ids)
        self.assertDeferredInvariant()
        # The draft no longer recognises anything: posting it would count twice.
        with self.assertRaisesRegex(UserError, "no longer recognises"):
            again.action_post()
        again.button_cancel()

        draft = self.env["account.move"].browse(
            self._recognise_as_of(
                "2026-01-15", posting_date_mode="selected_date", post=False
            )["move_ids"]
        )
        self.assertEqual(draft.state, "draft")
        self.assertEqual(draft.revenue_recognised_line_ids, due)
        draft.unlink()
        self.assertEqual(set(due.mapped("state")), {"pending"})
        self.assertDeferredInvariant()

    @freeze_time("2026-01-15")
    def test_foreign_currency_keeps_invoice_rate(self):
        currency = self.setup_other_currency(
            "EUR", rates=[("2025-01-01", 2.0), ("2026-01-01", 4.0)]
        )
        invoice = self._post_invoice(
            [(self.product_service, 300.0, None)], currency_id=currency.id
        )
        self.assertEqual(
            invoice.revenue_line_ids.mapped("amount_currency"), [100.0] * 3
        )
        self.assertEqual(invoice.revenue_line_ids.mapped("amount"), [50.0] * 3)
        result = self._recognise_as_of(
            "2026-01-15", posting_date_mode="selected_date", grouping="summary"
        )
        move = self.env["account.move"].browse(result["move_ids"])
        self.assertRecordValues(
            move.line_ids.sorted("balance"),
            [
                {
                    "account_id": self.income_account.id,
                    "currency_id": currency.id,
                    "amount_currency": -200.0,
                    "balance": -100.0,
                },
                {
                    "account_id": self.deferred_account.id,
                    "currency_id": currency.id,
                    "amount_currency": 200.0,
                    "balance": 100.0,
                },
            ],
        )
        self.assertDeferredInvariant()

    @freeze_time("2026-01-15")
    def test_from_invoice_and_order(self):
        order = self._create_order([(self.product_service, 1, 300.0, None)])
        order.action_confirm()
        invoice = self._invoice_order(order)
        other = self._post_invoice([(self.product_service, 300.0, None)])
        self.assertEqual(order.revenue_pending_count, 3)
        wizard = self._wizard(default_order_ids=order.ids, default_date="2026-01-15")
        wizard = wizard.save()
        self.assertEqual(wizard.due_count, 2)
        wizard.action_create_journal()
        self.assertEqual(wizard.result_line_count, 2)
        self.assertEqual(
            wizard.result_move_ids.revenue_recognised_line_ids.move_id, invoice
        )
        self.assertEqual(set(other.revenue_line_ids.mapped("state")), {"pending"})
        contact = self.env["res.partner"].create(
            {"name": "Accounts payable", "parent_id": self.partner_a.id}
        )
        wizard = self._wizard(
            default_partner_ids=contact.ids, default_date="2026-01-15"
        ).save()
        self.assertEqual(wizard.due_count, 2)
        wizard = self._wizard(
            default_invoice_ids=other.ids, default_date="2026-01-15"
        ).save()
        wizard.action_create_journal()
        self.assertEqual(wizard.result_line_count, 2)
        self.assertEqual(
            wizard.result_move_ids.revenue_recognised_line_ids.move_id, other
        )
        self.assertDeferredInvariant()

    @freeze_time("2026-01-15")
    def test_cron(self):
        self._post_invoice([(self.product_service, 300.0, None)])
        self.company.write(
            {
                "revenue_auto_post": True,
                "revenue_auto_post_grouping": "summary",
                "revenue_auto_post_entries": False,
            }
        )
        self.assertEqual(self.line_model._cron_recognise(), 2)
        moves = self.line_model.search(
            [("company_id", "=", self.company.id)]
        ).recognition_move_id
        # 1 December and 1 January, both dated the day the cron runs
        self.assertRecordValues(moves, [{"state": "draft", "date": date(2026, 1, 15)}])
        self.assertEqual(self.line_model._cron_recognise(), 0)

    @freeze_time("2026-01-15")
    def test_cron_limit_triggers_next_run(self):
        self._post_invoice([(self.product_service, 300.0, None)])
        self.company.revenue_auto_post = True
        cron = self.env.ref("revenue_recognition.ir_cron_revenue_recognition")
        triggers = self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)])
        self.assertEqual(self.line_model._cron_recognise(limit=1), 1)
        self.assertEqual(
            len(
                self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)])
                - triggers
            ),
            1,
        )

    @freeze_time("2026-01-15")
    def test_cron_failing_chunk_does_not_stop_others(self):
        """Entries of 1 Dec fail; those of 1 Jan are posted; the failure is reported."""
        invoice = self._post_invoice([(self.product_service, 300.0, None)])
        self.company.write(
            {"revenue_auto_post": True, "revenue_max_lines_per_entry": 1}
        )
        recognise_chunk = RevenueRecognitionLine._recognise_chunk

        def failing_chunk(records, plans, *, journal, post):
            if plans[0].date == date(2025, 12, 1):
                raise UserError(records.env._("December is closed for review"))
            return recognise_chunk(records, plans, journal=journal, post=post)

        with (
            patch.object(RevenueRecognitionLine, "_recognise_chunk", failing_chunk),
            mute_logger(POSTING_LOGGER),
        ):
            result = self.line_model._recognise(
                date(2026, 1, 15),
                domain=[("company_id", "=", self.company.id)],
                fault_tolerant=True,
            )
        self.assertEqual((result["line_count"], result["failed_count"]), (1, 1))
        self.assertIn("December is closed for review", result["errors"][0])
        lines = invoice.revenue_line_ids.sorted("recognition_date")
        self.assertEqual(lines.mapped("state"), ["pending", "posted", "pending"])
        self.assertEqual(lines[1].recognition_move_id.state, "posted")
        self.assertFalse(
            self.env["account.move"].search(
                [
                    ("journal_id", "=", self.revenue_journal.id),
                    ("date", "=", "2025-12-01"),
                ]
            )
        )
        self.assertDeferredInvariant()
        # The cron is fault tolerant in the same way; it dates its entries on
        # the day it runs, so the December line is no longer a December entry.
        with (
            patch.object(RevenueRecognitionLine, "_recognise_chunk", failing_chunk),
            mute_logger(POSTING_LOGGER, CRON_LOGGER),
        ):
            self.assertEqual(self.line_model._cron_recognise(), 1)
        self.assertEqual(lines.mapped("state"), ["posted", "posted", "pending"])
        self.assertEqual(lines[0].recognition_move_id.date, date(2026, 1, 15))

    def test_query_count_does_not_grow_with_lines(self):
        """Releasing 100 lines in one entry costs the queries of 10 lines.

        Up to the ORM's own batching: it inserts and updates journal items by
        100 rows, so the 101 items of the big entry cost one batch (4 queries)
        more than the 11 of the small one. (An analytic distribution adds one
        query per income line, in ``account``'s own ``_create_analytic_lines``.)
        """
        orm_batch_queries = 4
        partner = self.partner_a
        products = self.product_service | self.product_training

        def make_lines(count):
            return self.line_model._create_batch(
                [
                    {
                        "recognition_date": "2025-12-01",
                        "company_id": self.company.id,
                        "currency_id": self.company.currency_id.id,
                        "amount": 10.0,
                        "amount_currency": 10.0,
                        "state": "pending",
                        "partner_id": partner.id,
                        "product_id": products[index % 2].id,
                        "deferred_account_id": self.deferred_account.id,
                        "income_account_id": self.income_account.id,
                    }
                    for index in range(count)
                ]
            )

        def release(lines):
            return self.line_model._recognise(
                date(2025, 12, 31),
                posting_date_mode="selected_date",
                domain=[("id", "in", lines.ids)],
            )

        release(make_lines(5))  # warm up
        lines_10, lines_100 = make_lines(10), make_lines(100)
        self.env.invalidate_all()
        # Measured exactly as assertQueryCount measures below: the user read
        # first, flushes of the environment and the cursor on both sides (an
        # asymmetric measure only held thanks to cold caches in this run).
        self.assertTrue(self.env.user.login)
        self.env.flush_all()
        self.env.cr.flush()
        count_before = self.cr.sql_log_count
        result_10 = release(lines_10)
        self.env.flush_all()
        self.env.cr.flush()
        queries_10 = self.cr.sql_log_count - count_before
        self.assertEqual((result_10["line_count"], len(result_10["move_ids"])), (10, 1))
        self.env.invalidate_all()
        with self.assertQueryCount(queries_10 + orm_batch_queries):
            result_100 = release(lines_100)
        self.assertEqual(
            (result_100["line_count"], len(result_100["move_ids"])), (100, 1)
        )
        self.assertEqual(set(lines_100.mapped("state")), {"posted"})

    @freeze_time("2025-12-15")
    def test_credit_note_mirrors_schedule_and_catches_up(self):
        """A full credit note after one month: the month recognised is taken back."""
        invoice = self._post_invoice([(self.product_service, 300.0, None)])
        self.assertEqual(self._recognise_as_of("2025-12-15")["line_count"], 1)
        refund = invoice._reverse_moves(cancel=True)
        self.assertEqual(refund.state, "posted")
        self.assertEqual(
            self._schedule(refund.revenue_line_ids),
            [("2025-12-01", -100.0), ("2026-01-01", -100.0), ("2026-02-01", -100.0)],
        )
        self.assertEqual(refund.revenue_line_ids.income_account_id, self.income_account)
        caught_up = self._recognise_as_of("2025-12-15")
        self.assertEqual(caught_up["line_count"], 1)
        income = self.env["account.move.line"].search(
            [
                ("account_id", "=", self.income_account.id),
                ("move_id.revenue_recognition_entry", "=", True),
                ("company_id", "=", self.company.id),
            ]
        )
        self.assertAlmostEqual(sum(income.mapped("balance")), 0.0)
        self.assertDeferredInvariant()
        self.assertAlmostEqual(self._deferred_balance(), 0.0)

    @freeze_time("2025-12-15")
    def test_reversing_a_reversal_is_refused(self):
        self._post_invoice([(self.product_service, 300.0, None)])
        entry = self.env["account.move"].browse(
            self._recognise_as_of("2025-12-15")["move_ids"]
        )
        reversal = entry._reverse_moves(cancel=True)
        with self.assertRaisesRegex(UserError, "a second time"):
            reversal._reverse_moves(cancel=True)
        self.assertDeferredInvariant()
