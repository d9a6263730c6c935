"""Contract changes: a new end date or a new schedule for an invoiced line.

The amount does not change (amounts change through credit notes). The line's
amount is scheduled again over the whole new term, from the same start: the
pending lines are cancelled, what the new schedule says was due before the
change date, minus what was already recognised, is caught up in one line dated
the change date, and the new schedule's lines from the change date on follow.
Recognised (posted) lines are never touched.
"""

from datetime import timedelta
from decimal import Decimal

from markupsafe import Markup
from psycopg2 import errors as pg_errors

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, format_date, formatLang, mute_logger


class RevenueUpdateTermsWizard(models.TransientModel):
    """Change the end date or the schedule of a posted invoice line."""

    _name = "revenue.update.terms.wizard"
    _description = "Change Revenue Terms"
    _check_company_auto = True

    move_line_id = fields.Many2one(
        "account.move.line",
        string="Invoice Line",
        required=True,
        readonly=True,
        ondelete="cascade",
    )
    move_id = fields.Many2one(related="move_line_id.move_id", string="Invoice")
    company_id = fields.Many2one(related="move_line_id.company_id")
    company_currency_id = fields.Many2one(related="company_id.currency_id")
    start_date = fields.Date(
        string="Revenue Start",
        compute="_compute_current",
        help="The term keeps its start; only its end or its schedule change.",
    )
    current_end_date = fields.Date(string="Current End", compute="_compute_current")
    current_schedule_id = fields.Many2one(
        "revenue.schedule", compute="_compute_current"
    )
    recognised_amount = fields.Monetary(
        string="Recognised",
        currency_field="company_currency_id",
        compute="_compute_current",
    )
    to_recognise_amount = fields.Monetary(
        string="To Recognise",
        currency_field="company_currency_id",
        compute="_compute_current",
    )
    change_date = fields.Date(
        required=True,
        default=fields.Date.context_today,
        help="Periods before this date are caught up in one line dated this day; "
        "the new schedule's lines follow from it.",
    )
    end_date = fields.Date(
        string="New End",
        compute="_compute_end_date",
        store=True,
        readonly=False,
        help="Empty: the schedule's number of months from the start.",
    )
    schedule_id = fields.Many2one(
        "revenue.schedule",
        string="New Schedule",
        compute="_compute_schedule_id",
        store=True,
        readonly=False,
        required=True,
        check_company=True,
    )
    reason = fields.Text(required=True)

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if "move_line_id" in fields_list and not values.get("move_line_id"):
            context = self.env.context
            if context.get("active_model") == "revenue.recognition.line":
                lines = self.env["revenue.recognition.line"].browse(
                    context.get("active_ids") or context.get("active_id") or []
                )
                move_lines = lines.move_line_id
                if len(move_lines) != 1:
                    raise UserError(
                        self.env._(
                            "Select the schedule lines of one invoice line to change "
                            "its revenue terms (the selection covers %(count)s "
                            "invoice lines).",
                            count=len(move_lines),
                        )
                    )
                values["move_line_id"] = move_lines.id
        return values

    @api.depends("move_line_id")
    def _compute_current(self):
        for wizard in self:
            line = wizard.move_line_id
            revs = line.revenue_line_ids
            wizard.start_date = line and line._revenue_start()
            wizard.current_end_date = line.revenue_end_date
            wizard.current_schedule_id = line.revenue_schedule_id
            wizard.recognised_amount = sum(
                revs.filtered(lambda rev: rev.state == "posted").mapped("amount")
            )
            wizard.to_recognise_amount = sum(
                revs.filtered(
                    lambda rev: rev.state == "pending" and not rev.allocation_difference
                ).mapped("amount")
            )

    @api.depends("move_line_id")
    def _compute_schedule_id(self):
        for wizard in self:
            wizard.schedule_id = wizard.move_line_id.revenue_schedule_id

    @api.depends("move_line_id", "schedule_id")
    def _compute_end_date(self):
        """The line's end with its own schedule; the contract end of a schedule
        with automatic contract terms; else what was typed."""
        for wizard in self:
            line, schedule = wizard.move_line_id, wizard.schedule_id
            if schedule == line.revenue_schedule_id:
                wizard.end_date = line.revenue_end_date
            elif schedule.automatic_contract_terms:
                wizard.end_date = schedule._contract_end(line._revenue_start())
            else:
                wizard.end_date = wizard.end_date

    # --- apply ----------------------------------------------------------------

    def action_apply(self):
        """Schedule the line again over the new term; one batch, all or nothing."""
        self.ensure_one()
        self.env["revenue.recognition.line"].check_access("write")
        line = self.move_line_id
        line.check_access("write")
        with self.env.cr.savepoint():
            self._lock_revenue_lines()
            self._check_change()
            # a price allocation difference is not revenue of any period:
            # it stays as it is (see the price allocation rules)
            revs = line.revenue_line_ids.filtered(
                lambda rev: not rev.allocation_difference
            )
            pending = revs.filtered(lambda rev: rev.state == "pending")
            posted = revs.filtered(lambda rev: rev.state == "posted")
            before = {
                "schedule": line.revenue_schedule_id.display_name,
                "end": line.revenue_end_date,
                "due": sum(
                    pending.filtered(
                        lambda rev: rev.recognition_date < self.change_date
                    ).mapped("amount")
                ),
                "to_recognise": sum(pending.mapped("amount")),
            }
            line._revenue_write_terms(
                line._revenue_start(), self.end_date, self.schedule_id
            )
            rev_model = self.env["revenue.recognition.line"]
            vals_list = rev_model._prepare_schedule_vals_list(
                self._prepare_sources(revs)
            )
            new_vals, catch_up = self._prepare_new_vals(vals_list, posted)
            pending._bookkeeping().write({"state": "cancelled"})
            new_revs = rev_model._create_batch(new_vals)
            after = {
                "schedule": line.revenue_schedule_id.display_name,
                "end": line.revenue_end_date,
                "due": float(catch_up),
                "to_recognise": sum(new_revs.mapped("amount")),
            }
            line.move_id.sudo().message_post(
                body=self._change_message(before, after, sum(posted.mapped("amount")))
            )
        return {"type": "ir.actions.act_window_close"}

    def _lock_revenue_lines(self):
        """Lock the line's schedule rows: a recognition run releasing them at the
        same time skips them (it locks with SKIP LOCKED), and this change waits
        for no run."""
        self.env["revenue.recognition.line"].flush_model()
        try:
            with mute_logger("odoo.sql_db"), self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    SQL(
                        "SELECT id FROM revenue_recognition_line "
                        "WHERE move_line_id = %s FOR UPDATE NOWAIT",
                        self.move_line_id.id,
                    )
                )
        except pg_errors.LockNotAvailable as error:
            raise UserError(
                self.env._(
                    "%(line)s: a revenue recognition run is releasing this line's "
                    "schedule right now. Try again in a moment.",
                    line=self.move_line_id._revenue_label(),
                )
            ) from error
        self.env["revenue.recognition.line"].invalidate_model()

    def _check_change(self):
        """Refuse a change that cannot be made, naming the line and the fix."""
        line = self.move_line_id
        label = line._revenue_label()
        _ = self.env._
        if line.parent_state != "posted":
            raise UserError(
                _(
                    "%(line)s: the invoice is not posted. Change the revenue terms "
                    "on the draft invoice line itself, then post it.",
                    line=label,
                )
            )
        if not (
            line._revenue_is_eligible()
            and line.revenue_schedule_id
            and line.revenue_income_account_id
        ):
            raise UserError(
                _(
                    "%(line)s has no revenue schedule: its revenue was recognised "
                    "when it was invoiced. To spread it, issue a credit note and "
                    "invoice it again with a schedule.",
                    line=label,
                )
            )
        revs = line.revenue_line_ids
        held = revs.filtered(lambda rev: rev.state == "pending" and rev.on_hold)
        if held:
            raise UserError(
                _(
                    "%(line)s: schedule line(s) %(held)s are on hold. Release them "
                    "first (Release with Reason), change the terms, then hold the "
                    "new lines again if needed.",
                    line=label,
                    held=", ".join(held[:5].mapped("display_name")),
                )
            )
        drafts = revs.recognition_move_id.filtered(lambda move: move.state != "posted")
        if drafts:
            raise UserError(
                _(
                    "%(line)s: draft recognition entries %(entries)s hold lines of "
                    "its schedule. Post or delete them first.",
                    line=label,
                    entries=", ".join(drafts.mapped("display_name")),
                )
            )
        self._check_mirrors()
        start = line._revenue_start()
        if self.end_date and start and self.end_date < start:
            raise UserError(
                _(
                    "%(line)s: the new end date %(end)s is before the start of the "
                    "term, %(start)s. Choose a later end date.",
                    line=label,
                    end=format_date(self.env, self.end_date),
                    start=format_date(self.env, start),
                )
            )
        if (
            self.schedule_id == line.revenue_schedule_id
            and self.end_date == line.revenue_end_date
        ):
            raise UserError(
                _(
                    "%(line)s: the new end date and schedule are the current ones. "
                    "Change the end date or the schedule (to change the amount, "
                    "issue a credit note).",
                    line=label,
                )
            )
        company = line.company_id
        violated = company._get_violated_lock_dates(
            self.change_date, False, company.revenue_journal_id
        )
        if violated:
            raise UserError(
                _(
                    "%(line)s: the change date %(date)s is in a locked period "
                    "(locked up to %(lock)s). Choose a change date after the lock "
                    "date.",
                    line=label,
                    date=format_date(self.env, self.change_date),
                    lock=format_date(self.env, violated[-1][0]),
                )
            )

    def _check_mirrors(self):
        """A credit note made from an invoice mirrors the invoice line's schedule
        period by period (holds included). While it still has revenue to take
        back, changing either side alone would break that: refused."""
        line = self.move_line_id
        rev_model = self.env["revenue.recognition.line"]
        if line.revenue_origin_line_id:
            mirrored = rev_model.search_count(
                [("move_line_id", "=", line.id), ("state", "=", "pending")]
            )
            if mirrored:
                raise UserError(
                    self.env._(
                        "%(line)s reverses %(origin)s and its schedule mirrors that "
                        "line's. It cannot be changed on its own while it has revenue "
                        "to take back: to change the contract, credit what remains "
                        "and invoice the new terms.",
                        line=line._revenue_label(),
                        origin=line.revenue_origin_line_id._revenue_label(),
                    )
                )
        mirrors = rev_model.search(
            [
                ("move_line_id.revenue_origin_line_id", "=", line.id),
                ("state", "=", "pending"),
            ]
        )
        if mirrors:
            raise UserError(
                self.env._(
                    "%(line)s: credit note %(credit_notes)s mirrors its schedule and "
                    "still has revenue to take back. Run Recognise Revenue up to the "
                    "credit note's last line first, or credit what remains and "
                    "invoice the new terms.",
                    line=line._revenue_label(),
                    credit_notes=", ".join(mirrors.move_id.mapped("display_name")),
                )
            )

    def _prepare_sources(self, revs):
        """The line's ``RevenueSource``, spreading what its schedule carries.

        What is rescheduled is what the line's schedule lines other than its
        allocation difference add up to (``revs``, not cancelled): the amount
        billed less the difference the line keeps. A difference computed again
        from the order line would differ once the order was re-allocated (a
        line added or changed since), and the line's schedule would no longer
        add up to what it billed.
        """
        line = self.move_line_id
        live = revs.filtered(lambda rev: rev.state != "cancelled")
        sources = line._prepare_revenue_sources()
        for source in sources:
            source.amount = line.company_currency_id.round(sum(live.mapped("amount")))
            source.amount_currency = line.currency_id.round(
                sum(live.mapped("amount_currency"))
            )
            source.allocation_difference = source.allocation_difference_currency = 0.0
        return sources

    def _prepare_new_vals(self, vals_list, posted):
        """(values of the new schedule lines, catch-up amount in company currency).

        One catch-up line dated the change date, then the new schedule's lines
        from that date on.

        The catch-up is what the new schedule says was due before the change
        date minus what was recognised, in company and in document currency
        (each line of the engine is rounded cumulatively, so the lines still
        add up to the invoice line in both currencies).
        """
        line = self.move_line_id
        change = self.change_date
        before = [vals for vals in vals_list if vals["recognition_date"] < change]
        later = [vals for vals in vals_list if vals["recognition_date"] >= change]
        company_currency, currency = line.company_currency_id, line.currency_id
        catch_up = _decimal(
            sum(vals["amount"] for vals in before), company_currency
        ) - _decimal(sum(posted.mapped("amount")), company_currency)
        catch_up_currency = _decimal(
            sum(vals["amount_currency"] for vals in before), currency
        ) - _decimal(sum(posted.mapped("amount_currency")), currency)
        sequence = max(posted.mapped("sequence"), default=-1) + 1
        new_vals = []
        if catch_up or catch_up_currency:
            template = vals_list[0]
            new_vals.append(
                {
                    **template,
                    "sequence": sequence,
                    "recognition_date": change,
                    "period_start": min(
                        (vals["period_start"] for vals in before),
                        default=template["period_start"],
                    ),
                    "period_end": max(
                        change - timedelta(days=1), template["period_start"]
                    ),
                    "amount": float(catch_up),
                    "amount_currency": float(catch_up_currency),
                    # the months before the change keep the MRR they had
                    "mrr_amount": 0.0,
                }
            )
            sequence += 1
        for offset, vals in enumerate(later):
            new_vals.append({**vals, "sequence": sequence + offset})
        return new_vals, catch_up

    def _change_message(self, before, after, recognised):
        """Chatter message of the invoice: the reason, the terms and the totals.

        ``before`` and ``after``: schedule, end, ``due`` (what is still to
        recognise for the periods before the change date: the pending lines
        dated before it, then the catch-up) and ``to_recognise``.
        """
        line = self.move_line_id
        currency = line.company_currency_id
        change = format_date(self.env, self.change_date)

        def money(value):
            return formatLang(self.env, value, currency_obj=currency)

        def end(value):
            return format_date(self.env, value) if value else self.env._("none")

        _ = self.env._
        rows = [
            _(
                "Revenue terms of %(line)s changed from %(date)s. Reason: %(reason)s",
                line=line._revenue_label(),
                date=change,
                reason=self.reason,
            ),
            _(
                "Schedule: %(before)s → %(after)s; end: %(end_before)s → %(end_after)s",
                before=before["schedule"],
                after=after["schedule"],
                end_before=end(before["end"]),
                end_after=end(after["end"]),
            ),
            _(
                "Recognised: %(recognised)s (unchanged); due before %(date)s and "
                "not recognised: %(before)s → %(after)s (catch-up on %(date)s)",
                recognised=money(recognised),
                date=change,
                before=money(before["due"]),
                after=money(after["due"]),
            ),
            _(
                "To recognise: %(before)s → %(after)s",
                before=money(before["to_recognise"]),
                after=money(after["to_recognise"]),
            ),
        ]
        if currency.compare_amounts(after["due"], 0) < 0:
            rows.append(
                _(
                    "A negative amount due: more was recognised before %(date)s "
                    "than the new terms make due by then; the catch-up line of "
                    "%(date)s takes the excess back out of income.",
                    date=change,
                )
            )
        return Markup("<br/>").join(rows)


def _decimal(value, currency):
    """A float amount as the exact decimal its currency rounds it to."""
    return Decimal(str(currency.round(value)))
