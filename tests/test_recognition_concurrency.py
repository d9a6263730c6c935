"""Two overlapping runs never release a schedule line twice.

The test transaction is invisible to other cursors, so the data is committed
in a cursor of its own (in the main company, which has the generic chart) and
removed again afterwards, as ``account``'s sequence concurrency tests do.
"""

from datetime import date

import psycopg2.errors

from odoo import SUPERUSER_ID, api
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

AS_OF = date(2026, 1, 31)


@tagged("post_install", "-at_install")
class TestRecognitionConcurrency(TransactionCase):
    def setUp(self):
        super().setUp()
        with self.env.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            company = env.ref("base.main_company")
            income = env["account.account"].search(
                [
                    *env["account.account"]._check_company_domain(company),
                    ("account_type", "=", "income"),
                ],
                limit=1,
            )
            if not (
                company.revenue_journal_id
                and company.revenue_deferred_account_id
                and income
            ):
                self.skipTest("the main company has no chart of accounts")
            partner = env["res.partner"].create({"name": "Concurrent customer"})
            lines = env["revenue.recognition.line"]._create_batch(
                [
                    {
                        "recognition_date": recognition_date,
                        "company_id": company.id,
                        "currency_id": company.currency_id.id,
                        "amount": 100.0,
                        "amount_currency": 100.0,
                        "state": "pending",
                        "partner_id": partner.id,
                        "deferred_account_id": company.revenue_deferred_account_id.id,
                        "income_account_id": income.id,
                    }
                    for recognition_date in ("2025-11-01", "2025-12-01", "2026-01-01")
                ]
            )
            self.line_ids, self.partner_id = lines.ids, partner.id
        self.addCleanup(self._remove_data)

    def _remove_data(self):
        with self.env.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            lines = env["revenue.recognition.line"].browse(self.line_ids).exists()
            moves = env["account.move"].search(
                [("revenue_recognised_line_ids", "in", lines.ids)]
            )
            moves.filtered(lambda move: move.state == "posted").button_draft()
            moves.posted_before = False
            moves.with_context(force_delete=True).unlink()
            lines._bookkeeping().write({"state": "cancelled"})
            lines._bookkeeping().unlink()
            env["res.partner"].browse(self.partner_id).unlink()

    def _recognise(self, env):
        return env["revenue.recognition.line"]._recognise(
            AS_OF, domain=[("id", "in", self.line_ids)]
        )

    def _states(self):
        with self.env.registry.cursor() as cr:
            cr.execute(
                "SELECT state, recognition_move_id FROM revenue_recognition_line "
                "WHERE id = ANY(%s) ORDER BY id",
                [self.line_ids],
            )
            return cr.fetchall()

    def test_run_skips_lines_locked_by_another_run(self):
        with self.env.registry.cursor() as cr_a, self.env.registry.cursor() as cr_b:
            env_a = api.Environment(cr_a, SUPERUSER_ID, {})
            env_b = api.Environment(cr_b, SUPERUSER_ID, {})
            result_a = self._recognise(env_a)
            self.assertEqual(
                (result_a["line_count"], len(result_a["move_ids"])), (3, 3)
            )
            # Run B overlaps: A has not committed and holds the row locks.
            result_b = self._recognise(env_b)
            self.assertEqual(
                (
                    result_b["line_count"],
                    result_b["locked_count"],
                    result_b["move_ids"],
                ),
                (0, 3, []),
            )
            cr_b.rollback()
            cr_a.commit()
            # B again, after A: nothing is pending any more.
            env_b.invalidate_all()
            result_b = self._recognise(env_b)
            self.assertEqual((result_b["line_count"], result_b["locked_count"]), (0, 0))
        states = self._states()
        self.assertEqual([state for state, _move in states], ["posted"] * 3)
        self.assertEqual(
            sorted(move for _state, move in states), sorted(result_a["move_ids"])
        )

    @mute_logger("odoo.sql_db")
    def test_run_with_stale_snapshot_fails_instead_of_duplicating(self):
        """B's snapshot predates A's commit: locking the lines raises, B is retried."""
        with self.env.registry.cursor() as cr_a, self.env.registry.cursor() as cr_b:
            env_a = api.Environment(cr_a, SUPERUSER_ID, {})
            env_b = api.Environment(cr_b, SUPERUSER_ID, {})
            env_b["revenue.recognition.line"].browse(self.line_ids).mapped(
                "state"
            )  # snapshot
            result_a = self._recognise(env_a)
            cr_a.commit()
            with self.assertRaises(psycopg2.errors.SerializationFailure):
                self._recognise(env_b)
            cr_b.rollback()
        self.assertEqual([state for state, _move in self._states()], ["posted"] * 3)
        self.assertEqual(result_a["line_count"], 3)
