"""One failure never stops the others (finding 5 of "Integrity and access").

The cron runs each company on its own and each chunk of entries isolated:
any exception is logged with its schedule lines, which stay pending, and the
rest goes on; serialization failures are tried again a bounded number of
times. (Under tests nothing is committed: Odoo's test cursor forbids it.)
"""

from datetime import date
from unittest.mock import patch

import psycopg2.errors
from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from odoo.addons.revenue_recognition.models.revenue_recognition_posting import (
    MAX_ATTEMPTS,
    RevenueRecognitionLine,
)

from .common import RevenueTestCommon

POSTING_LOGGER = "odoo.addons.revenue_recognition.models.revenue_recognition_posting"
# the recognition run and the cron (revenue_month_end.py)
MODELS_LOGGER = "odoo.addons.revenue_recognition.models"
AS_OF = date(2026, 1, 15)


@tagged("post_install", "-at_install")
@freeze_time("2026-01-15")
class TestRecognitionFaults(RevenueTestCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_data_2 = cls.setup_other_company(name="Second company")
        cls.company_2 = cls.company_data_2["company"]
        cls.schedule_2 = cls.env["revenue.schedule"].create(
            {
                "name": "Quarterly (2)",
                "company_id": cls.company_2.id,
                "recognition_basis": "occurrences",
                "recognition_convention": "next_month",
                "occurrences": 3,
            }
        )
        cls.line_model = cls.env["revenue.recognition.line"]

    def _invoice_company_2(self):
        invoice = (
            self.env["account.move"]
            .with_company(self.company_2)
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": self.partner_a.id,
                    "invoice_date": "2025-11-18",
                    "journal_id": self.company_data_2["default_journal_sale"].id,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "name": "Support (2)",
                                "quantity": 1,
                                "price_unit": 300.0,
                                "account_id": self.company_data_2[
                                    "default_account_revenue"
                                ].id,
                                "tax_ids": [Command.clear()],
                                "revenue_schedule_id": self.schedule_2.id,
                            }
                        )
                    ],
                }
            )
        )
        invoice.action_post()
        self.assertEqual(len(invoice.revenue_line_ids), 3)
        return invoice

    def _invoice_company_1(self):
        invoice = self._create_invoice([(self.product_service, 300.0, None)])
        invoice.action_post()
        return invoice

    def _states(self, invoice):
        return invoice.revenue_line_ids.sorted("recognition_date").mapped("state")

    def test_cron_one_company_failing_does_not_stop_the_other(self):
        invoices = {
            self.company: self._invoice_company_1(),
            self.company_2: self._invoice_company_2(),
        }
        (self.company | self.company_2).revenue_auto_post = True
        cron_model = self.line_model.with_user(self.env.ref("base.user_root"))
        companies = self.env["res.company"].search([("revenue_auto_post", "=", True)])
        self.assertEqual(companies, self.company | self.company_2)
        # The company the cron runs first fails, on any kind of error.
        failing = companies[0]
        working = companies[1]
        recognise_chunk = RevenueRecognitionLine._recognise_chunk

        def failing_chunk(records, plans, *, journal, post):
            if journal.company_id == failing:
                raise ValueError("disk full while posting")
            return recognise_chunk(records, plans, journal=journal, post=post)

        with (
            patch.object(RevenueRecognitionLine, "_recognise_chunk", failing_chunk),
            self.assertLogs(MODELS_LOGGER, level="WARNING") as logs,
        ):
            done = cron_model._cron_recognise()

        self.assertEqual(done, 2, "\n".join(logs.output))
        self.assertEqual(
            self._states(invoices[working]), ["posted", "posted", "pending"]
        )
        # the cron dates its entries on the day it runs: one entry
        self.assertEqual(
            invoices[working].revenue_line_ids.recognition_move_id.mapped("state"),
            ["posted"],
        )
        failed_lines = invoices[failing].revenue_line_ids
        self.assertEqual(self._states(invoices[failing]), ["pending"] * 3)
        self.assertFalse(failed_lines.recognition_move_id)
        self.assertFalse(
            self.env["account.move"].search(
                [("journal_id", "=", failing.revenue_journal_id.id)]
            )
        )
        # Logged with the lines it concerns, once per chunk and in the summary.
        due = failed_lines.filtered(lambda line: line.recognition_date <= AS_OF)
        output = "\n".join(logs.output)
        self.assertIn("disk full while posting", output)
        self.assertIn(str(due.ids), output)
        self.assertIn(failing.display_name, output)
        self.assertIn("2 schedule line(s) could not be recognised", output)
        self.assertDeferredInvariant(working)
        self.assertDeferredInvariant(failing)
        # Next day, once the cause is gone, the failed lines are recognised.
        self.assertEqual(cron_model._cron_recognise(), 2)
        self.assertEqual(
            self._states(invoices[failing]), ["posted", "posted", "pending"]
        )

    def test_any_exception_of_a_chunk_is_reported(self):
        """Fault-tolerant runs catch any exception, not only UserError."""
        invoice = self._invoice_company_1()
        self.company.revenue_max_lines_per_entry = 1
        recognise_chunk = RevenueRecognitionLine._recognise_chunk

        def failing_chunk(records, plans, *, journal, post):
            if plans[0].date == date(2025, 12, 1):
                raise KeyError("unexpected")
            return recognise_chunk(records, plans, journal=journal, post=post)

        with (
            patch.object(RevenueRecognitionLine, "_recognise_chunk", failing_chunk),
            self.assertLogs(POSTING_LOGGER, level="ERROR") as logs,
        ):
            result = self.line_model._recognise(
                AS_OF,
                domain=[("company_id", "=", self.company.id)],
                fault_tolerant=True,
            )
        self.assertEqual(
            (result["line_count"], result["failed_count"]), (1, 1), result["errors"]
        )
        self.assertIn("unexpected", result["errors"][0])
        self.assertIn("Traceback", "\n".join(logs.output))
        self.assertEqual(self._states(invoice), ["pending", "posted", "pending"])
        self.assertDeferredInvariant()

    def test_serialization_failure_is_tried_again(self):
        invoice = self._invoice_company_1()
        calls = []
        recognise_chunk = RevenueRecognitionLine._recognise_chunk

        def flaky_chunk(records, plans, *, journal, post):
            calls.append(plans)
            if len(calls) == 1:
                raise psycopg2.errors.SerializationFailure(
                    "could not serialize access due to concurrent update"
                )
            return recognise_chunk(records, plans, journal=journal, post=post)

        with patch.object(RevenueRecognitionLine, "_recognise_chunk", flaky_chunk):
            result = self.line_model._recognise(
                AS_OF,
                domain=[("company_id", "=", self.company.id)],
                fault_tolerant=True,
            )
        self.assertEqual(len(calls), 2)
        self.assertEqual(
            (result["line_count"], result["failed_count"]), (2, 0), result["errors"]
        )
        self.assertEqual(self._states(invoice), ["posted", "posted", "pending"])
        self.assertDeferredInvariant()

    def test_serialization_failures_are_given_up_after_a_few_attempts(self):
        invoice = self._invoice_company_1()
        calls = []

        def locked_chunk(records, plans, *, journal, post):
            calls.append(plans)
            raise psycopg2.errors.LockNotAvailable("lock timeout")

        with (
            patch.object(RevenueRecognitionLine, "_recognise_chunk", locked_chunk),
            self.assertLogs(POSTING_LOGGER, level="ERROR") as logs,
        ):
            result = self.line_model._recognise(
                AS_OF,
                domain=[("company_id", "=", self.company.id)],
                fault_tolerant=True,
            )
        self.assertEqual(len(calls), MAX_ATTEMPTS)
        self.assertEqual((result["line_count"], result["failed_count"]), (0, 2))
        self.assertIn("lock timeout", result["errors"][0])
        self.assertIn("ERROR", "\n".join(logs.output))
        self.assertEqual(self._states(invoice), ["pending"] * 3)
        self.assertDeferredInvariant()
