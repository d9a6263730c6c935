"""Recognition entries stay consistent with their schedule lines.

Reversals are final (findings 2 of "Integrity and access"), and an entry
edited in draft cannot be posted (finding 3).
"""

from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import RevenueTestCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-01-15")
class TestRecognitionIntegrity(RevenueTestCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.line_model = cls.env["revenue.recognition.line"]

    def _recognised_invoice(self, post=True, **invoice_values):
        """An invoice of 300 (quarterly) whose first two lines are recognised."""
        invoice = self._create_invoice(
            [(self.product_service, 300.0, None)], **invoice_values
        )
        invoice.action_post()
        result = self.line_model._recognise(
            fields.Date.to_date("2026-01-15"),
            posting_date_mode="selected_date",
            grouping="summary",
            post=post,
            domain=[("move_id", "=", invoice.id)],
        )
        entry = self.env["account.move"].browse(result["move_ids"])
        self.assertEqual(len(entry), 1)
        return invoice, entry

    def _states(self, invoice):
        return invoice.revenue_line_ids.sorted("recognition_date").mapped("state")

    def _income_recognised(self):
        """Income posted by recognition entries and their reversals."""
        lines = self.env["account.move.line"].search(
            [
                ("account_id", "=", self.income_account.id),
                ("parent_state", "=", "posted"),
                ("journal_id", "=", self.revenue_journal.id),
            ]
        )
        return -sum(lines.mapped("balance"))

    # --- finding 2: reversals -------------------------------------------------

    def test_posted_reversal_cannot_be_reset_or_cancelled(self):
        invoice, entry = self._recognised_invoice()
        reversal = entry._reverse_moves(cancel=True)
        self.assertEqual(reversal.state, "posted")
        self.assertEqual(self._states(invoice), ["pending", "pending", "pending"])
        self.assertEqual(self._income_recognised(), 0.0)
        for action in (reversal.button_draft, reversal.button_cancel):
            with self.assertRaisesRegex(
                UserError, "recognise that revenue twice"
            ) as caught:
                action()
            self.assertIn(reversal.display_name, str(caught.exception))
            self.assertIn(entry.display_name, str(caught.exception))
        self.assertEqual(reversal.state, "posted")
        self.assertEqual(self._states(invoice), ["pending", "pending", "pending"])
        self.assertDeferredInvariant()
        # The way back: run Create journal again; income is counted once.
        again = self.line_model._recognise(
            fields.Date.to_date("2026-01-15"),
            domain=[("move_id", "=", invoice.id)],
        )
        self.assertEqual(again["line_count"], 2)
        self.assertEqual(self._income_recognised(), 200.0)
        self.assertDeferredInvariant()

    def test_reversed_entry_cannot_be_reset_or_cancelled(self):
        invoice, entry = self._recognised_invoice()
        reversal = entry._reverse_moves(cancel=True)
        self.line_model._recognise(
            fields.Date.to_date("2026-01-15"), domain=[("move_id", "=", invoice.id)]
        )
        self.assertEqual(self._states(invoice), ["posted", "posted", "pending"])
        self.assertEqual(self._income_recognised(), 200.0)
        for action in (entry.button_draft, entry.button_cancel):
            with self.assertRaisesRegex(UserError, "a second time") as caught:
                action()
            self.assertIn(reversal.display_name, str(caught.exception))
        self.assertEqual(entry.state, "posted")
        self.assertEqual(self._income_recognised(), 200.0)
        self.assertEqual(self._states(invoice), ["posted", "posted", "pending"])
        self.assertDeferredInvariant()

    def test_draft_reversal_of_a_reset_entry_cannot_be_posted(self):
        """A reversal left in draft, then the entry reset: the reversal is stale."""
        invoice, entry = self._recognised_invoice()
        reversal = entry._reverse_moves()
        self.assertEqual(reversal.state, "draft")
        self.assertEqual(self._states(invoice), ["posted", "posted", "pending"])
        entry.button_draft()
        self.assertEqual(self._states(invoice), ["pending", "pending", "pending"])
        with self.assertRaisesRegex(UserError, "which is not posted"):
            reversal.action_post()
        self.assertEqual(reversal.state, "draft")
        self.assertEqual(self._income_recognised(), 0.0)
        self.assertDeferredInvariant()

    def test_duplicate_of_an_entry_cannot_be_posted(self):
        invoice, entry = self._recognised_invoice()
        duplicate = entry.copy()
        self.assertTrue(duplicate.revenue_recognition_entry)
        self.assertFalse(duplicate.revenue_recognised_line_ids)
        with self.assertRaisesRegex(UserError, "no longer recognises"):
            duplicate.action_post()
        self.assertEqual(self._income_recognised(), 200.0)
        self.assertEqual(self._states(invoice), ["posted", "posted", "pending"])
        self.assertDeferredInvariant()

    # --- finding 3: edited drafts ---------------------------------------------

    def _edit_amounts(self, entry, old, new):
        entry.write(
            {
                "line_ids": [
                    Command.update(
                        line.id,
                        {
                            "debit": new if line.debit == old else line.debit,
                            "credit": new if line.credit == old else line.credit,
                        },
                    )
                    for line in entry.line_ids
                ]
            }
        )

    def test_edited_draft_entry_cannot_be_posted(self):
        invoice, entry = self._recognised_invoice(post=False)
        self.assertEqual(entry.state, "draft")
        self._edit_amounts(entry, 200.0, 5000.0)
        self.assertEqual(sorted(entry.line_ids.mapped("balance")), [-5000.0, 5000.0])
        with self.assertRaises(UserError) as caught:
            entry.action_post()
        message = str(caught.exception)
        self.assertIn(entry.display_name, message)
        # The first account that differs (by code) is named.
        self.assertTrue(
            self.income_account.display_name in message
            or self.deferred_account.display_name in message,
            message,
        )
        self.assertIn("does not match its schedule lines", message)
        self.assertEqual(entry.state, "draft")
        self.assertEqual(self._income_recognised(), 0.0)
        # Back to the schedule's amounts, it posts.
        self._edit_amounts(entry, 5000.0, 200.0)
        entry.action_post()
        self.assertEqual(entry.state, "posted")
        self.assertEqual(self._income_recognised(), 200.0)
        self.assertDeferredInvariant()

    def test_entry_with_another_income_account_cannot_be_posted(self):
        invoice, entry = self._recognised_invoice(post=False)
        other_income = self.income_account.copy({"code": "706900"})
        income_line = entry.line_ids.filtered(
            lambda line: line.account_id == self.income_account
        )
        income_line.account_id = other_income
        with self.assertRaisesRegex(UserError, "does not match its schedule lines"):
            entry.action_post()
        self.assertEqual(entry.state, "draft")

    def test_entry_edited_in_document_currency_cannot_be_posted(self):
        currency = self.setup_other_currency("EUR", rates=[("2025-01-01", 2.0)])
        invoice, entry = self._recognised_invoice(post=False, currency_id=currency.id)
        self.assertEqual(
            sorted(entry.line_ids.mapped("amount_currency")), [-200.0, 200.0]
        )
        entry.write(
            {
                "line_ids": [
                    Command.update(
                        line.id,
                        {
                            "amount_currency": line.amount_currency * 10,
                            "balance": line.balance,
                        },
                    )
                    for line in entry.line_ids
                ]
            }
        )
        self.assertEqual(sorted(entry.line_ids.mapped("balance")), [-100.0, 100.0])
        with self.assertRaisesRegex(UserError, "does not match its schedule lines"):
            entry.action_post()
        self.assertEqual(entry.state, "draft")
