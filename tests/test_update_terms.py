"""Contract changes: a new end date or schedule on an invoiced line.

The reference case: 1,200 invoiced on 1 January 2026 over 12 months
(``monthly``, ``actual_start``: 100.00 on the 1st of each month), January to
March recognised (300.00), changed on 1 April. Every expected figure below is
worked out by hand in a comment.
"""

import unittest
from datetime import date

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from .common import APRIL, RevenueTestCommon, monthly


@tagged("post_install", "-at_install")
class TestUpdateTerms(RevenueTestCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.product_annual = cls._create_annual_product()

    # --- helpers ---------------------------------------------------------------

    def _invoice_and_recognise_q1(self, **values):
        """1,200 from 1 Jan 2026, Jan-Mar recognised: (invoice, invoice line)."""
        invoice = self._create_invoice(
            [(self.product_annual, 1200.0, None)], invoice_date="2026-01-01", **values
        )
        invoice.action_post()
        self._recognise_as_of("2026-03-31")
        line = invoice.invoice_line_ids
        self.assertEqual(
            sum(self._revs(line, "posted").mapped("amount_currency")), 300.0
        )
        return invoice, line

    def assertUnchanged(self, line, pending_ids, end=False):
        """A refused change wrote nothing."""
        self.assertEqual(self._revs(line, "pending").ids, pending_ids)
        self.assertFalse(self._revs(line, "cancelled"))
        self.assertEqual(line.revenue_end_date, end)
        self.assertEqual(line.revenue_schedule_id, self.schedule_12m)

    # --- the example ---------------------------------------------------

    def test_extension_catches_up_and_recognises(self):
        invoice, line = self._invoice_and_recognise_q1()
        old_pending = self._revs(line, "pending")
        self._update_terms_wizard(
            line, end_date="2027-12-31", reason="Extended to 2027", method="cumulative"
        ).action_apply()

        self.assertEqual(line.revenue_end_date, date(2027, 12, 31))
        self.assertEqual(line.revenue_schedule_id, self.schedule_12m)
        self.assertEqual(self._revs(line, "cancelled"), old_pending)  # Apr-Dec 2026
        # 24 months of 1,200 = 50.00 a month. Due before 1 April: Jan-Mar =
        # 150.00; recognised 300.00: catch-up 150.00 - 300.00 = -150.00 on
        # 1 April, then April 2026 ... December 2027: 21 x 50.00 = 1,050.00.
        self.assertEqual(
            self._schedule(self._revs(line, "pending")),
            [(APRIL, -150.0), *monthly(APRIL, 21, 50.0)],
        )
        catch_up = self._revs(line, "pending")[:1]
        self.assertRecordValues(
            catch_up,
            [
                {
                    "recognition_date": date(2026, 4, 1),
                    "period_start": date(2026, 1, 1),
                    "period_end": date(2026, 3, 31),
                    "amount_currency": -150.0,
                    "state": "pending",
                }
            ],
        )
        # 300.00 recognised - 150.00 + 1,050.00 = 1,200.00
        live = line.revenue_line_ids.filtered(lambda rev: rev.state != "cancelled")
        self.assertAlmostEqual(sum(live.mapped("amount")), 1200.0)
        message = invoice.message_ids[:1].body
        self.assertIn("Extended to 2027", message)
        self.assertIn("12/31/2027", message)
        self.assertIn("-150.00", message.replace("\N{NO-BREAK SPACE}", " "))
        self.assertBooks()

        # The April run posts the catch-up (Dr income / Cr deferred 150.00) and
        # April's 50.00 (Dr deferred / Cr income): 300 - 150 + 50 = 200.00.
        result = self._recognise_as_of("2026-04-30")
        self.assertEqual(result.line_count, 2)
        self.assertAlmostEqual(sum(self._revs(line, "posted").mapped("amount")), 200.0)
        entry = self._revs(line, "posted").recognition_move_id.filtered(
            lambda move: move.date == date(2026, 4, 1)
        )
        income = entry.line_ids.filtered(
            lambda aml: aml.account_id == self.income_account
        )
        deferred = entry.line_ids.filtered(
            lambda aml: aml.account_id == self.deferred_account
        )
        self.assertEqual(sorted(income.mapped("balance")), [-50.0, 150.0])
        self.assertEqual(sorted(deferred.mapped("balance")), [-150.0, 50.0])
        self.assertBooks(after_run=True)

    def test_shortening_catches_up_a_positive_amount(self):
        invoice, line = self._invoice_and_recognise_q1()
        self._update_terms_wizard(
            line, end_date="2026-06-30", method="cumulative"
        ).action_apply()
        # 6 months of 1,200 = 200.00 a month. Due before 1 April: 3 x 200.00 =
        # 600.00; recognised 300.00: catch-up +300.00 on 1 April, then April,
        # May, June 200.00. 300 + 300 + 600 = 1,200.00.
        self.assertEqual(
            self._schedule(self._revs(line, "pending")),
            [(APRIL, 300.0), *monthly(APRIL, 3, 200.0)],
        )
        self.assertBooks()
        self._recognise_as_of("2026-06-30")
        self.assertAlmostEqual(sum(self._revs(line, "posted").mapped("amount")), 1200.0)
        self.assertFalse(self._revs(line, "pending"))
        self.assertBooks(after_run=True)

    def test_change_of_schedule(self):
        invoice, line = self._invoice_and_recognise_q1()
        four_months = self._create_schedule(
            name="4 months from next month",
            recognition_basis="occurrences",
            recognition_convention="next_month",
            occurrences=4,
            automatic_contract_terms=True,
        )
        wizard = self._update_terms_wizard(
            line, schedule_id=four_months, method="cumulative"
        )
        # automatic contract terms: end = 1 Jan + 4 months - 1 day
        self.assertEqual(wizard.end_date, date(2026, 4, 30))
        wizard.action_apply()
        self.assertEqual(line.revenue_schedule_id, four_months)
        self.assertEqual(line.revenue_end_date, date(2026, 4, 30))
        # 4 occurrences of 300.00 from 1 February (next_month): Feb, Mar, Apr,
        # May. Due before 1 April: Feb + Mar = 600.00; recognised 300.00:
        # catch-up +300.00, then 1 April and 1 May 300.00. 300+300+600 = 1,200.
        self.assertEqual(
            self._schedule(self._revs(line, "pending")),
            [(APRIL, 300.0), (APRIL, 300.0), ("2026-05-01", 300.0)],
        )
        self.assertEqual(set(self._revs(line, "pending").schedule_id), {four_months})
        self.assertBooks()

    def test_change_to_quarterly(self):
        invoice, line = self._invoice_and_recognise_q1()
        # "Quarterly": 3 occurrences from the next month, 400.00 on 1 Feb,
        # 1 Mar and 1 Apr. Due before 1 April: 800.00; recognised 300.00:
        # catch-up +500.00, then 400.00 on 1 April. 300 + 500 + 400 = 1,200.
        self._update_terms_wizard(
            line, schedule_id=self.schedule_quarterly, method="cumulative"
        ).action_apply()
        self.assertEqual(
            self._schedule(self._revs(line, "pending")),
            [(APRIL, 500.0), (APRIL, 400.0)],
        )
        self.assertBooks()
        self._recognise_as_of("2026-04-30")
        self.assertAlmostEqual(sum(self._revs(line, "posted").mapped("amount")), 1200.0)
        self.assertBooks(after_run=True)

    def test_foreign_currency_in_both_currencies(self):
        currency = self.setup_other_currency("EUR", rates=[("2016-01-01", 3.0)])
        invoice, line = self._invoice_and_recognise_q1(currency_id=currency.id)
        # 1,200.00 EUR at 3 EUR per USD = 400.00 USD. 12 months, cumulative
        # rounding: 33.33, 33.34, 33.33, ... Jan-Mar recognised: 300.00 EUR,
        # 100.00 USD.
        self.assertAlmostEqual(sum(self._revs(line, "posted").mapped("amount")), 100.0)
        self._update_terms_wizard(
            line, end_date="2027-12-31", method="cumulative"
        ).action_apply()
        pending = self._revs(line, "pending")
        # 24 months: EUR 50.00 a month; USD 400/24 = 16.666..., cumulative
        # 16.67, 33.33, 50.00 after Jan-Mar. Catch-up: EUR 150 - 300 = -150.00,
        # USD 50.00 - 100.00 = -50.00. April: USD 66.67 - 50.00 = 16.67.
        self.assertRecordValues(
            pending[:2],
            [
                {
                    "amount_currency": -150.0,
                    "amount": -50.0,
                    "currency_id": currency.id,
                },
                {"amount_currency": 50.0, "amount": 16.67, "currency_id": currency.id},
            ],
        )
        # what remains: EUR 1,200 - 150 = 1,050.00 and USD 400 - 50 = 350.00
        self.assertAlmostEqual(sum(pending[1:].mapped("amount_currency")), 1050.0)
        self.assertAlmostEqual(sum(pending[1:].mapped("amount")), 350.0)
        self.assertEqual(len(pending), 22)
        self.assertBooks()
        self._recognise_as_of("2026-04-30")
        # 100.00 - 50.00 + 16.67 = 66.67 USD; 300 - 150 + 50 = 200.00 EUR
        posted = self._revs(line, "posted")
        self.assertAlmostEqual(sum(posted.mapped("amount")), 66.67)
        self.assertAlmostEqual(sum(posted.mapped("amount_currency")), 200.0)
        self.assertBooks(after_run=True)

    def test_change_from_the_schedule_lines(self):
        invoice, line = self._invoice_and_recognise_q1()
        # the buttons: on the invoice lines, and on the schedule lines' views
        self.assertIn(
            'name="action_revenue_update_terms"',
            invoice.get_view(view_type="form")["arch"],
        )
        action = self.env.ref("revenue_recognition.action_revenue_update_terms_wizard")
        for view_type in ("list", "form"):
            arch = self.line_model.get_view(view_type=view_type)["arch"]
            self.assertIn(f'name="{action.id}"', arch)
        wizard_form = Form(
            self.env["revenue.update.terms.wizard"].with_context(
                active_model="revenue.recognition.line",
                active_ids=self._revs(line, "pending")[:2].ids,
            )
        )
        self.assertEqual(wizard_form.move_line_id, line)
        self.assertEqual(wizard_form.recognised_amount, 300.0)
        self.assertEqual(wizard_form.to_recognise_amount, 900.0)
        wizard_form.end_date = "2026-09-30"
        wizard_form.change_date = APRIL
        wizard_form.reason = "Shortened to nine months"
        wizard_form.method = "cumulative"
        wizard_form.save().action_apply()
        # 9 months: 133.33, 133.34, 133.33 (cumulative 400.00 after March):
        # catch-up 400.00 - 300.00 = 100.00; April-September 800.00.
        pending = self._revs(line, "pending")
        self.assertEqual(pending[0].amount, 100.0)
        self.assertAlmostEqual(sum(pending[1:].mapped("amount")), 800.0)
        self.assertBooks()

    def test_lines_of_two_invoice_lines_are_refused(self):
        invoice = self._create_invoice(
            [(self.product_annual, 1200.0, None), (self.product_annual, 600.0, None)],
            invoice_date="2026-01-01",
        )
        invoice.action_post()
        with self.assertRaisesRegex(UserError, "one invoice line"):
            Form(
                self.env["revenue.update.terms.wizard"].with_context(
                    active_model="revenue.recognition.line",
                    active_ids=invoice.revenue_line_ids.ids,
                )
            )

    # --- refusals --------------------------------------------------------------

    def test_held_line_is_refused(self):
        invoice, line = self._invoice_and_recognise_q1()
        pending = self._revs(line, "pending")
        pending[2].action_hold("Waiting for acceptance")
        wizard = self._update_terms_wizard(line, end_date="2027-12-31")
        with self.assertRaisesRegex(UserError, "on hold.*Release them first") as caught:
            wizard.action_apply()
        self.assertIn(pending[2].display_name, str(caught.exception))
        self.assertUnchanged(line, pending.ids)
        self.assertTrue(pending[2].on_hold)
        # released, the change goes through
        pending[2].action_release("Accepted")
        wizard.action_apply()
        self.assertEqual(line.revenue_end_date, date(2027, 12, 31))
        self.assertBooks()

    def test_locked_period_is_refused(self):
        invoice, line = self._invoice_and_recognise_q1()
        pending = self._revs(line, "pending")
        self.company.fiscalyear_lock_date = "2026-03-31"
        wizard = self._update_terms_wizard(
            line, change_date="2026-03-15", end_date="2027-12-31"
        )
        with self.assertRaisesRegex(UserError, "locked period"):
            wizard.action_apply()
        self.assertUnchanged(line, pending.ids)
        wizard.change_date = APRIL
        wizard.action_apply()
        # prospective (the default): 21 months from April, no catch-up line
        self.assertEqual(len(self._revs(line, "pending")), 21)
        self.assertBooks()

    def test_bad_terms_are_refused(self):
        invoice, line = self._invoice_and_recognise_q1()
        pending = self._revs(line, "pending")
        with self.assertRaisesRegex(UserError, "before the start"):
            self._update_terms_wizard(line, end_date="2025-12-31").action_apply()
        with self.assertRaisesRegex(UserError, "are the current ones"):
            self._update_terms_wizard(line).action_apply()
        # 2,088 months, more than the company's 600 periods: refused by the
        # line's own check after the terms were written; nothing is left.
        with self.assertRaises(ValidationError):
            self._update_terms_wizard(line, end_date="2199-12-31").action_apply()
        self.assertUnchanged(line, pending.ids)
        self.assertBooks()

    def test_draft_invoice_and_line_without_schedule_are_refused(self):
        draft = self._create_invoice(
            [(self.product_annual, 1200.0, None)], invoice_date="2026-01-01"
        )
        with self.assertRaisesRegex(UserError, "not posted"):
            self._update_terms_wizard(
                draft.invoice_line_ids, end_date="2027-12-31"
            ).action_apply()
        plain = self._create_invoice(
            [(self.product_a, 100.0, None)], invoice_date="2026-01-01"
        )
        plain.action_post()
        schedule_line = plain.invoice_line_ids
        self.assertFalse(schedule_line.revenue_schedule_id)
        wizard = self.env["revenue.update.terms.wizard"].create(
            {
                "move_line_id": schedule_line.id,
                "change_date": APRIL,
                "schedule_id": self.schedule_12m.id,
                "reason": "Spread it",
            }
        )
        with self.assertRaisesRegex(UserError, "has no revenue schedule"):
            wizard.action_apply()

    def test_partly_credited_line_changes_with_its_credit_note(self):
        """A line credited for 600.00 on 15 April (Odoo's credit note wizard,
        the price lowered on the draft) changes with its credit note.

        The credit note mirrors the term: 12 x -50.00 from 1 January, none
        recognised yet. Extended on 1 April to 31 December 2027, prospective:
        the invoice line keeps 300.00 recognised and spreads 900.00 over the
        21 months left (42.86, 42.85, ...); the credit note keeps its
        January-March lines (-150.00, caught up at the next run) and spreads
        its -450.00 the same way: 450/21 = 21.428...: -21.43, -21.43, -21.43,
        -21.42 (cumulative 21.43, 42.86, 64.29, 85.71).
        """
        invoice, line = self._invoice_and_recognise_q1()
        reversal = (
            self.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"date": "2026-04-15", "journal_id": invoice.journal_id.id})
        )
        refund = self.env["account.move"].browse(reversal.refund_moves()["res_id"])
        refund.invoice_line_ids.price_unit = 600.0
        refund.action_post()
        refund_line = refund.invoice_line_ids
        self.assertEqual(refund_line.revenue_origin_line_id, line)
        self.assertEqual(
            self._schedule(self._revs(refund_line, "pending")),
            monthly("2026-01-01", 12, -50.0),
        )
        # the credit note line alone is refused: it follows its invoice line
        with self.assertRaisesRegex(UserError, "cannot be changed on its own"):
            refund_line.revenue_change_terms(
                APRIL, end_date="2027-12-31", reason="Not alone"
            )
        change = line.revenue_change_terms(
            APRIL, end_date="2027-12-31", reason="Extended, half credited"
        )
        self.assertEqual(change.move_line_ids, line | refund_line)
        self.assertEqual(refund_line.revenue_end_date, date(2027, 12, 31))
        mirror = self._revs(refund_line, "pending")
        self.assertEqual(
            self._schedule(mirror[:7]),
            [
                *monthly("2026-01-01", 3, -50.0),
                (APRIL, -21.43),
                ("2026-05-01", -21.43),
                ("2026-06-01", -21.43),
                ("2026-07-01", -21.42),
            ],
        )
        self.assertEqual(len(mirror), 24)
        self.assertAlmostEqual(sum(mirror.mapped("amount")), -600.0)
        self.assertEqual(len(self._revs(refund_line, "cancelled")), 9)
        self.assertTrue(all(self._revs(refund_line, "cancelled").mapped("cancel_date")))
        self.assertBooks()
        # April: invoice 300.00 + 42.86; credit note -150.00 - 21.43: net
        # 171.43 = January-March at 50.00 net + April 42.86 - 21.43
        self._recognise_as_of("2026-04-30")
        posted = self._revs(line, "posted") | self._revs(refund_line, "posted")
        self.assertAlmostEqual(sum(posted.mapped("amount")), 171.43)
        self.assertBooks(after_run=True)
        # to the end: 600.00 net invoiced, 600.00 recognised
        self._recognise_as_of("2027-12-31")
        posted = self._revs(line, "posted") | self._revs(refund_line, "posted")
        self.assertAlmostEqual(sum(posted.mapped("amount")), 600.0)
        self.assertBooks(after_run=True)

    def test_draft_recognition_entry_is_refused(self):
        invoice = self._create_invoice(
            [(self.product_annual, 1200.0, None)], invoice_date="2026-01-01"
        )
        invoice.action_post()
        line = invoice.invoice_line_ids
        self.line_model._recognise(
            date(2026, 3, 31),
            domain=[("move_id", "=", invoice.id)],
            post=False,
        )
        with self.assertRaisesRegex(UserError, "draft recognition entries"):
            self._update_terms_wizard(line, end_date="2027-12-31").action_apply()
        self.assertFalse(self._revs(line, "cancelled"))

    # --- who may ----------------------------------------------------------------

    def test_accountant_changes_terms_salesperson_is_refused(self):
        invoice, line = self._invoice_and_recognise_q1()
        accountant = new_test_user(
            self.env,
            login="rr_terms_accountant",
            groups="account.group_account_user",
            company_id=self.company.id,
            company_ids=[self.company.id],
        )
        salesperson = new_test_user(
            self.env,
            login="rr_terms_salesperson",
            groups="sales_team.group_sale_salesman_all_leads",
            company_id=self.company.id,
            company_ids=[self.company.id],
        )
        with self.assertRaises(AccessError):
            line.with_user(salesperson).action_revenue_update_terms()
        with self.assertRaises(AccessError):
            self.env["revenue.update.terms.wizard"].with_user(salesperson).create(
                {
                    "move_line_id": line.id,
                    "change_date": APRIL,
                    "end_date": "2027-12-31",
                    "reason": "Not mine to change",
                }
            )
        self.assertFalse(self._revs(line, "cancelled"))

        self.env = self.env(user=accountant)
        line = line.with_user(accountant)
        self._update_terms_wizard(
            line, end_date="2027-12-31", reason="Signed amendment"
        ).action_apply()
        # the default method, prospective: 900.00 over April 2026 - December
        # 2027 (21 months), 42.857... a month: 42.86, 42.85, 42.86, ...
        pending = self._revs(line, "pending")
        self.assertEqual(
            self._schedule(pending[:3]),
            [(APRIL, 42.86), ("2026-05-01", 42.85), ("2026-06-01", 42.86)],
        )
        self.assertEqual(len(pending), 21)
        self.assertAlmostEqual(sum(pending.mapped("amount")), 900.0)
        change = self.env["revenue.change"].search([("move_line_id", "=", line.id)])
        self.assertRecordValues(
            change,
            [{"method": "prospective", "user_id": accountant.id, "catch_up_amount": 0}],
        )
        message = invoice.message_ids[:1]
        self.assertEqual(message.author_id, accountant.partner_id)
        self.assertIn("Signed amendment", message.body)
        self.assertBooks()

    def test_refusal_and_labels_in_french(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(
            ["revenue_recognition"], ["fr_FR"], overwrite=True
        )
        invoice, line = self._invoice_and_recognise_q1()
        self._revs(line, "pending")[:1].action_hold("Litige")
        wizard = self._update_terms_wizard(line, end_date="2027-12-31")
        with self.assertRaisesRegex(UserError, "sont en attente. Libérez-les"):
            wizard.with_context(lang="fr_FR").action_apply()
        labels = (
            self.env["revenue.update.terms.wizard"]
            .with_context(lang="fr_FR")
            .fields_get(["change_date", "schedule_id"], ["string"])
        )
        self.assertEqual(labels["change_date"]["string"], "Date du changement")
        self.assertEqual(labels["schedule_id"]["string"], "Nouvel échéancier")

    @unittest.skip(
        "Known issue (readme/ROADMAP.md): a credit note made after a contract "
        "change dated later mirrors the new term"
    )
    def test_credit_note_after_a_change_dated_later(self):
        """KNOWN ISSUE, skipped until fixed (found by the stateful machine: a
        credit note
        would have to copy the invoice line's schedule lines instead of
        computing its own from the term): a credit note made after a change
        whose date is still to come mirrors the new term, not the lines the
        invoice line has until then.

        1,200 from 1 January, January-March recognised (300.00). On 31 March
        the term is extended to 31 December 2027 from 1 May (24 months, 50.00
        a month): the April line is cancelled; due before 1 May under the new
        term 4 x 50.00 = 200.00, catch-up 200.00 - 300.00 = -100.00 on
        1 May. Credited in full on 15 April, the credit note computes the new
        term from 1 January: -50.00 on 1 January ... 1 April. Run as of 30
        April: the invoice line recognises nothing more (its next line is the
        1 May catch-up), the credit note -200.00: net 300.00 - 200.00 =
        100.00 recognised for a customer invoiced 0.00 net. It evens out on
        1 May (-100.00), but April's revenue is wrong by 100.00.
        """
        invoice, line = self._invoice_and_recognise_q1()
        self._update_terms_wizard(
            line, change_date="2026-05-01", end_date="2027-12-31", method="cumulative"
        ).action_apply()
        wizard = (
            self.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"date": "2026-04-15", "journal_id": invoice.journal_id.id})
        )
        refund = self.env["account.move"].browse(wizard.refund_moves()["res_id"])
        refund.action_post()
        self._recognise_as_of("2026-04-30")
        recognised = line.revenue_line_ids | refund.invoice_line_ids.revenue_line_ids
        posted = recognised.filtered(lambda rev: rev.state == "posted")
        # invoiced net 0.00: nothing may stay recognised (today 300.00 -
        # 200.00 = 100.00 does: the known issue this test is skipped for)
        self.assertAlmostEqual(sum(posted.mapped("amount")), 0.0)
        self.assertBooks(after_run=True)
        # 31 May: the invoice line's catch-up -100.00 and May 50.00 (250.00 in
        # all), the credit note's May -50.00 (-250.00): net 0.00
        self._recognise_as_of("2026-05-31")
        posted = recognised.filtered(lambda rev: rev.state == "posted")
        self.assertAlmostEqual(sum(posted.mapped("amount")), 0.0)
        self.assertBooks(after_run=True)
