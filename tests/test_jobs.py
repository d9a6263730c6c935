"""The month end in units of work: background jobs (OCA queue_job) and the cron.

``TestMonthEndUnits`` and ``TestModelCodeOwnsNoTransaction`` run everywhere.
``TestMonthEndJobs`` needs queue_job installed in the test database (it is
not a dependency of the add-on: ``make test-queue`` installs it); without it
the class is skipped.
"""

import re
import unittest
from datetime import date
from pathlib import Path
from unittest.mock import patch

import psycopg2.errors
from freezegun import freeze_time

from odoo import Command
from odoo.tests import Form, new_test_user, tagged

from odoo.addons.revenue_recognition.models import revenue_month_end
from odoo.addons.revenue_recognition.models.revenue_recognition_posting import (
    RevenueRecognitionLine as PostingLine,
)

from .common import RevenueTestCommon

try:
    from odoo.addons.queue_job.exception import RetryableJobError
    from odoo.addons.queue_job.job import Job
except ImportError:  # queue_job not in the addons path
    RetryableJobError = Job = None
if Job is not None:
    # queue_job's test helpers register their patcher in SETATTR_SOURCES, a
    # table of Odoo's test framework that Odoo 18.0 builds before mid-2025
    # lack (only a warning filter reads it): give those the empty table.
    from odoo.tests import common as odoo_test_common

    if not hasattr(odoo_test_common, "SETATTR_SOURCES"):
        odoo_test_common.SETATTR_SOURCES = {}
    from odoo.addons.queue_job.tests.common import trap_jobs
else:
    trap_jobs = None

AS_OF = date(2026, 1, 15)
ADDON = Path(__file__).resolve().parent.parent


class MonthEndCommon(RevenueTestCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.line_model = cls.env["revenue.recognition.line"]
        cls.accountant = new_test_user(
            cls.env,
            login="rr_jobs_accountant",
            groups="account.group_account_manager",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )

    def _post_invoices(self, count, price=300.0):
        """``count`` posted invoices of ``price`` (taxed 15 %), quarterly
        schedule: 3 lines of price / 3 on 1 Dec, 1 Jan and 1 Feb."""
        invoices = self.env["account.move"]
        for _ in range(count):
            invoices |= self._create_invoice([(self.product_service, price, None)])
        invoices.action_post()
        return invoices

    def _due(self, invoices):
        return invoices.revenue_line_ids.filtered(
            lambda line: line.recognition_date <= AS_OF
        )


@tagged("post_install", "-at_install")
@freeze_time("2026-01-15")
class TestMonthEndUnits(MonthEndCommon):
    def test_units_are_chunks_of_lines_with_a_stable_identity(self):
        invoices = self._post_invoices(3)
        due = self._due(invoices)
        # 3 invoices x 2 due lines (1 Dec, 1 Jan) = 6 lines, in chunks of 4.
        self.assertEqual(len(due), 6)
        with patch.object(revenue_month_end, "UNIT_SIZE", 4):
            units = self.line_model._month_end_units("recognition", self.company, AS_OF)
        self.assertEqual([len(unit.line_ids) for unit in units], [4, 2])
        self.assertEqual(set(units[0].line_ids + units[1].line_ids), set(due.ids))
        self.assertEqual(
            units[1].identity_key,
            f"revenue_recognition:recognition:{self.company.id}:2026-01-15:"
            f"{min(units[1].line_ids)}",
        )
        # The first chunk is released: the second keeps its identity.
        self.line_model._run_month_end_unit(
            "recognition", self.company.id, AS_OF, units[0].line_ids
        )
        with patch.object(revenue_month_end, "UNIT_SIZE", 4):
            again = self.line_model._month_end_units("recognition", self.company, AS_OF)
        self.assertEqual(again, units[1:])

    def test_accrual_units_never_split_an_order_line(self):
        orders = self.env["sale.order"]
        for _ in range(2):
            orders |= self._create_order(
                [
                    (
                        self.product_service,
                        1,
                        1200.0,
                        {
                            "revenue_schedule_id": self.schedule_12m.id,
                            "revenue_start_date": "2025-10-01",
                        },
                    )
                ]
            )
        orders.action_confirm()
        # Each order line: 12 monthly lines from 1 Oct 2025, 4 dated up to
        # 15 Jan 2026 (Oct, Nov, Dec, Jan). Chunks of 5 lines: 4 + 4 would
        # exceed 5, so one order line per unit.
        with patch.object(revenue_month_end, "UNIT_SIZE", 5):
            units = self.line_model._month_end_units("accrual", self.company, AS_OF)
        self.assertEqual([len(unit.line_ids) for unit in units], [4, 4])
        for unit in units:
            lines = self.line_model.browse(unit.line_ids)
            self.assertEqual(len(lines.sale_line_id), 1)

    def test_cron_runs_unit_by_unit_and_reports_progress(self):
        invoices = self._post_invoices(3)
        # detail: the deferred account keeps its customer on each line
        self.company.write(
            {"revenue_auto_post": True, "revenue_auto_post_grouping": "detail"}
        )
        cron = self.env.ref("revenue_recognition.ir_cron_revenue_recognition")
        cron_model, progress = cron._add_progress()
        records = self.line_model.with_context(
            ir_cron_progress_id=cron_model.env.context["ir_cron_progress_id"]
        )
        with patch.object(revenue_month_end, "UNIT_SIZE", 4):
            # First call: one unit of 4 lines; 2 remain, and Odoo's cron
            # (which commits between calls) calls again.
            self.assertEqual(records._cron_recognise(limit=4), 4)
            self.assertEqual((progress.done, progress.remaining), (4, 2))
            self.assertEqual(records._cron_recognise(limit=4), 2)
            self.assertEqual((progress.done, progress.remaining), (2, 0))
        due = self._due(invoices)
        self.assertEqual(set(due.mapped("state")), {"posted"})
        # 6 lines x 100.00 released: the deferred account keeps the 3 of Feb.
        self.assertAlmostEqual(self._deferred_balance(), -300.0, places=2)
        self.assertDeferredInvariant()
        self.assertBooks()


@tagged("post_install", "-at_install")
class TestModelCodeOwnsNoTransaction(RevenueTestCommon):
    """Only the job runner or the cron commits: model code never commits,
    rolls back, sleeps or asks whether it runs under tests."""

    FORBIDDEN = re.compile(
        r"\.commit\(|\.rollback\(|\bsleep\(|test_enable|current_test|in_test_mode"
        r"|registry\.test_cr"
    )

    def test_no_transaction_control_in_model_code(self):
        files = [
            path
            for folder in ("models", "wizard", "report", "engine")
            for path in sorted((ADDON / folder).glob("*.py"))
        ]
        self.assertGreater(len(files), 20)
        found = [
            f"{path.relative_to(ADDON)}:{number}: {line.strip()}"
            for path in files
            for number, line in enumerate(path.read_text().splitlines(), 1)
            if self.FORBIDDEN.search(line)
        ]
        self.assertEqual(found, [])

    def test_the_check_finds_a_commit(self):
        self.assertTrue(self.FORBIDDEN.search("        self.env.cr.commit()"))
        self.assertTrue(self.FORBIDDEN.search("time.sleep(0.2)"))
        self.assertTrue(self.FORBIDDEN.search('if config["test_enable"]:'))


@tagged("post_install", "-at_install")
class TestMonthEndJobs(MonthEndCommon):
    """Time is frozen per test, not on the class: freezegun's class decorator
    would never unfreeze it when ``setUpClass`` skips the class."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if "queue.job" not in cls.env:
            raise unittest.SkipTest("queue_job is not installed in this database")

    def _jobs(self):
        return (
            self.env["queue.job"]
            .sudo()
            .search([("method_name", "=", "_job_month_end_unit")], order="id")
        )

    def _perform(self, jobs):
        """Run the jobs as the job runner would, one transaction each (here
        savepoints of the test transaction)."""
        for record in jobs:
            job = Job.load(self.env, record.uuid)
            job.set_started()
            with self.env.cr.savepoint():
                job.perform()
            job.set_done()
            job.store()

    @freeze_time("2026-01-15")
    def test_cron_queues_one_job_per_company_and_chunk_once(self):
        invoices = self._post_invoices(3)
        self.company.write(
            {"revenue_auto_post": True, "revenue_auto_post_grouping": "detail"}
        )
        with patch.object(revenue_month_end, "UNIT_SIZE", 4):
            self.assertEqual(self.line_model._cron_recognise(), 0)
            jobs = self._jobs()
            # 6 due lines in chunks of 4: 2 jobs, in the add-on's channel.
            self.assertEqual(len(jobs), 2)
            self.assertEqual(set(jobs.mapped("channel")), {"root.revenue_recognition"})
            self.assertEqual(
                sorted(jobs.mapped("identity_key")),
                sorted(
                    unit.identity_key
                    for unit in self.line_model._month_end_units(
                        "recognition", self.company, AS_OF
                    )
                ),
            )
            # The cron runs again before the jobs did: nothing queued twice.
            self.line_model._cron_recognise()
            self.assertEqual(self._jobs(), jobs)
        self.assertEqual(set(self._due(invoices).mapped("state")), {"pending"})
        self._perform(jobs)
        self.assertEqual(set(self._due(invoices).mapped("state")), {"posted"})
        # 6 x 100.00 recognised; the 3 lines of 1 Feb stay deferred.
        self.assertAlmostEqual(self._deferred_balance(), -300.0, places=2)
        self.assertBooks()
        # A job run twice (a worker killed after its commit, the job re-run)
        # releases nothing more.
        entries = self._due(invoices).recognition_move_id
        self._perform(jobs)
        self.assertEqual(self._due(invoices).recognition_move_id, entries)
        self.assertFalse(
            self.env["account.move"].search(
                [
                    ("journal_id", "=", self.revenue_journal.id),
                    ("id", "not in", entries.ids),
                ]
            )
        )
        self.assertAlmostEqual(self._deferred_balance(), -300.0, places=2)

    @freeze_time("2026-01-15")
    def test_jobs_trapped_with_queue_job_helpers(self):
        """queue_job's own ``trap_jobs``: what is queued, then run."""
        if trap_jobs is None:
            self.skipTest("queue_job is not installed")
        invoices = self._post_invoices(2)
        self.company.write(
            {"revenue_auto_post": True, "revenue_auto_post_grouping": "summary"}
        )
        due = self._due(invoices)
        with trap_jobs() as trap:
            self.line_model._cron_recognise()
            trap.assert_jobs_count(1, only=self.line_model._job_month_end_unit)
            # 2 invoices x 2 due lines: one unit, its identity the first line.
            trap.assert_enqueued_job(
                self.line_model._job_month_end_unit,
                args=(
                    "recognition",
                    self.company.id,
                    AS_OF,
                    sorted(due.ids),
                    {"mark_accrued": True},
                ),
                properties={
                    "channel": "root.revenue_recognition",
                    "identity_key": f"revenue_recognition:recognition:"
                    f"{self.company.id}:2026-01-15:{min(due.ids)}",
                },
            )
            self.assertEqual(set(due.mapped("state")), {"pending"})
            trap.perform_enqueued_jobs()
        # summary, dated the day the cron closes (never back in December for
        # the late 1 Dec lines): one entry of 4 x 100.00 on 15 January.
        self.assertEqual(set(due.mapped("state")), {"posted"})
        entry = due.recognition_move_id
        self.assertEqual(
            (len(entry), entry.date, entry.amount_total), (1, AS_OF, 400.0)
        )
        self.assertDeferredInvariant()

    @freeze_time("2026-01-15")
    def test_wizard_runs_in_the_background_and_shows_the_result(self):
        invoices = self._post_invoices(2)
        wizard_form = Form(
            self.env["revenue.recognition.wizard"].with_user(self.accountant)
        )
        wizard_form.date = AS_OF
        wizard_form.posting_date_mode = "recognition_date"
        wizard_form.run_in_background = True
        wizard = wizard_form.save()
        self.assertTrue(wizard.jobs_available)
        wizard.action_create_journal()
        self.assertEqual(wizard.state, "running")
        self.assertEqual((wizard.job_count, wizard.job_progress), (1, 0.0))
        self._perform(self._jobs())
        wizard.invalidate_recordset()
        self.assertEqual((wizard.job_done_count, wizard.job_progress), (1, 100.0))
        wizard.action_refresh_progress()
        # 2 invoices x 2 due lines x 100.00, one entry per date (1 Dec, 1 Jan).
        self.assertRecordValues(
            wizard,
            [{"state": "done", "result_line_count": 4, "result_amount": 400.0}],
        )
        self.assertEqual(len(wizard.result_move_ids), 2)
        self.assertEqual(
            wizard.result_move_ids, self._due(invoices).recognition_move_id
        )
        self.assertBooks()

    @freeze_time("2026-01-15")
    def test_concurrency_error_makes_the_runner_try_again(self):
        invoices = self._post_invoices(1)
        self.company.revenue_auto_post = True
        self.line_model._cron_recognise()
        jobs = self._jobs()
        self.assertEqual(len(jobs), 1)
        recognise_chunk = PostingLine._recognise_chunk
        calls = []

        def flaky_chunk(records, plans, *, journal, post):
            calls.append(plans)
            if len(calls) == 1:
                raise psycopg2.errors.SerializationFailure(
                    "could not serialize access due to concurrent update"
                )
            return recognise_chunk(records, plans, journal=journal, post=post)

        job = Job.load(self.env, jobs.uuid)
        with patch.object(PostingLine, "_recognise_chunk", flaky_chunk):
            with self.assertRaises(RetryableJobError), self.env.cr.savepoint():
                job.perform()
            # Nothing of the failed attempt stays; the runner's next attempt
            # releases the 2 due lines.
            self.assertEqual(set(self._due(invoices).mapped("state")), {"pending"})
            with self.env.cr.savepoint():
                job.perform()
        self.assertEqual(set(self._due(invoices).mapped("state")), {"posted"})
        self.assertDeferredInvariant()
