"""Changes of revenue terms (a new end date or a new schedule, same amount).

A change applies to a performance obligation: an order line (its invoice and
credit note lines, and its expected lines still to invoice), or an invoice
line without an order (and the credit note lines that reverse it). Each
change is kept as one ``revenue.change`` record, never edited.

Two methods (IFRS 15.21):

- ``prospective`` (the default, distinct services such as a subscription):
  what was recognised stays, the lines of periods that ended before the
  change date stay; what is not yet recognised from the change date on is
  spread over the rest of the new term (``engine.spread``), nothing is caught
  up, no negative line;
- ``cumulative`` (services that are not distinct): the line is scheduled again
  over the whole new term from the same start; what that term says was due
  before the change date minus what was recognised is caught up in one line
  dated the change date, then the new term's lines follow.

Recognised (posted) lines are never touched; replaced lines are cancelled on
the day of the change (``cancel_date``); new lines come from the usual
schedule path (``_prepare_revenue_sources`` / ``_prepare_schedule_vals_list``).

About 880 lines, over the usual 500: the model ``revenue.change`` and the
one operation it records (``_revenue_change_terms``, DESIGN §9.3), its checks
and refusals, the two methods and the rescheduling of every document line of
the obligation (invoice, credit note, expected lines) in one transaction;
the wizards only call it. Its spreading maths are in the engine
(``engine.spread``); split further, each half would call the other.
"""

from datetime import timedelta
from decimal import Decimal

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import format_date, formatLang

from ..engine import period_months, spread, to_decimal
from .revenue_recognition_line import BOOKKEEPING, BOOKKEEPING_KEY

METHODS = [("prospective", "Prospective"), ("cumulative", "Cumulative catch-up")]


def _decimal(value, currency):
    """A float amount as the exact decimal its currency rounds it to."""
    return to_decimal(currency.round(value))


class RevenueChange(models.Model):
    """One change of the revenue terms of an obligation, as it was made."""

    _name = "revenue.change"
    _description = "Change of Revenue Terms"
    _order = "change_date desc, id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name")
    sale_line_id = fields.Many2one(
        "sale.order.line",
        string="Order Line",
        index="btree_not_null",
        ondelete="cascade",
        readonly=True,
    )
    order_id = fields.Many2one(
        related="sale_line_id.order_id", store=True, string="Order", index=True
    )
    move_line_id = fields.Many2one(
        "account.move.line",
        string="Invoice Line",
        index="btree_not_null",
        ondelete="cascade",
        readonly=True,
        help="The invoice line changed, when it has no order line.",
    )
    move_line_ids = fields.Many2many(
        "account.move.line",
        "revenue_change_move_line_rel",
        "change_id",
        "move_line_id",
        string="Invoice Lines Changed",
        readonly=True,
        help="The invoice and credit note lines whose schedules followed the change.",
    )
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    product_id = fields.Many2one("product.product", readonly=True)
    company_id = fields.Many2one("res.company", required=True, index=True)
    company_currency_id = fields.Many2one(
        related="company_id.currency_id", string="Company Currency"
    )
    change_date = fields.Date(required=True, readonly=True, index=True)
    method = fields.Selection(METHODS, required=True, readonly=True)
    old_end_date = fields.Date(string="Old End", readonly=True)
    new_end_date = fields.Date(string="New End", readonly=True)
    old_schedule_id = fields.Many2one("revenue.schedule", readonly=True)
    new_schedule_id = fields.Many2one("revenue.schedule", readonly=True)
    recognised_amount = fields.Monetary(
        string="Recognised",
        currency_field="company_currency_id",
        readonly=True,
        help="Recognised by the invoice and credit note lines before the change.",
    )
    rescheduled_amount = fields.Monetary(
        string="Rescheduled",
        currency_field="company_currency_id",
        readonly=True,
        help="What the change scheduled again (catch-up included), expected "
        "lines of what is still to invoice included.",
    )
    catch_up_amount = fields.Monetary(
        string="Catch-up",
        currency_field="company_currency_id",
        readonly=True,
        help="Cumulative method: revenue caught up on the change date (negative: "
        "taken back). Always 0 with the prospective method.",
    )
    monthly_amount = fields.Monetary(
        string="New Monthly Amount",
        currency_field="company_currency_id",
        readonly=True,
        help="What the new lines recognise per month (the new terms' MRR).",
    )
    line_count = fields.Integer(string="New Lines", readonly=True)
    reason = fields.Text(required=True, readonly=True)
    user_id = fields.Many2one("res.users", string="Changed by", readonly=True)

    @api.depends("change_date", "sale_line_id", "move_line_id")
    def _compute_name(self):
        for change in self:
            obligation = change.sale_line_id or change.move_line_id
            change.name = self.env._(
                "%(line)s, from %(date)s",
                line=obligation._revenue_label() if obligation else "",
                date=format_date(self.env, change.change_date),
            )

    # --- never edited ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        self._check_change_access()
        return super().create(vals_list)

    def write(self, vals):
        self._check_change_access()
        return super().write(vals)

    def unlink(self):
        self._check_change_access()
        return super().unlink()

    def _check_change_access(self):
        """Changes are written once, by the change of terms itself."""
        if self.env.context.get(BOOKKEEPING_KEY) is not BOOKKEEPING:
            raise AccessError(
                self.env._(
                    "Changes of revenue terms are recorded by Change Revenue Terms "
                    "only and are never edited or deleted. To correct a change, "
                    "make another change of terms."
                )
            )

    @api.model
    def _revenue_action(self, domain):
        """The window action listing the changes of ``domain``."""
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "revenue_recognition.action_revenue_change"
        )
        action["domain"] = domain
        return action

    # --- the operation -----------------------------------------------------------

    @api.model
    def _revenue_change_terms(
        self,
        obligation,
        change_date,
        end_date=None,
        schedule=None,
        method="prospective",
        reason=None,
    ):
        """Change the terms of ``obligation`` (an order line, or an invoice
        line without one) from ``change_date``; return the ``revenue.change``.

        :param end_date: the new end; ``None``: the new schedule's contract end
            when it has automatic contract terms, else the current end;
            ``False``: no explicit end (the schedule's occurrences)
        :param schedule: the new ``revenue.schedule`` (or its id); empty: the
            current one
        :param method: ``prospective`` or ``cumulative``
        """
        obligation.ensure_one()
        rev_model = self.env["revenue.recognition.line"]
        rev_model.check_access("write")
        obligation.check_access("write")
        terms = self._revenue_change_normalise(
            obligation, change_date, end_date, schedule, method, reason
        )
        with self.env.cr.savepoint():
            lines = self._revenue_change_lines(obligation)
            (lines.revenue_line_ids | obligation.revenue_line_ids)._lock_rows(
                refuse_label=obligation._revenue_label()
            )
            self._revenue_change_check(obligation, lines, terms)
            old = {
                "end": obligation.revenue_end_date,
                "schedule": obligation.revenue_schedule_id,
            }
            # the terms first: the lines' own checks (bounds) refuse bad ones
            for line in lines:
                line._revenue_write_terms(
                    line._revenue_term()[0], terms["end"], terms["schedule"]
                )
            plans = [
                self._revenue_change_plan(line, terms, line.revenue_line_ids)
                for line in lines
            ]
            today = fields.Date.context_today(self)
            cancel = rev_model.browse()
            for plan in plans:
                cancel |= plan["cancel"]
            expected = obligation.revenue_line_ids.filtered(
                lambda rev: rev.state == "expected"
            )
            # expected lines are cancelled, not deleted: reports as of an
            # earlier day still see them
            (cancel | expected)._bookkeeping().write(
                {"state": "cancelled", "cancel_date": today}
            )
            new_revs = rev_model._create_batch(
                [vals for plan in plans for vals in plan["vals"]]
            )
            if obligation._name == "sale.order.line":
                new_revs |= self._revenue_change_order_line(obligation, terms, expected)
            change = self._revenue_change_record(
                obligation, lines, terms, old, plans, new_revs
            )
            change._revenue_change_log(old, plans)
        return change

    @api.model
    def _revenue_change_normalise(
        self, obligation, change_date, end_date, schedule, method, reason
    ):
        """The terms of a change as a dict: ``date``, ``end``, ``schedule``,
        ``method``, ``reason``; a UserError for what cannot be read."""
        label = obligation._revenue_label()
        if method not in dict(METHODS):
            raise UserError(
                self.env._(
                    "%(line)s: unknown method %(method)s for a change of revenue "
                    "terms. Use 'prospective' or 'cumulative'.",
                    line=label,
                    method=method,
                )
            )
        if not change_date:
            raise UserError(
                self.env._(
                    "%(line)s: give the date from which the new revenue terms apply.",
                    line=label,
                )
            )
        if not (reason or "").strip():
            raise UserError(
                self.env._(
                    "%(line)s: give the reason for the change of revenue terms (e.g. "
                    "the amendment signed with the customer).",
                    line=label,
                )
            )
        if isinstance(schedule, int):
            schedule = self.env["revenue.schedule"].browse(schedule)
        schedule = schedule or obligation.revenue_schedule_id
        start = obligation._revenue_start()
        if end_date is None:
            if (
                schedule != obligation.revenue_schedule_id
                and schedule.automatic_contract_terms
            ):
                end_date = schedule._contract_end(start)
            else:
                end_date = obligation.revenue_end_date
        return {
            "date": fields.Date.to_date(change_date),
            "end": fields.Date.to_date(end_date) or False,
            "schedule": schedule,
            "method": method,
            "reason": reason,
            "start": start,
        }

    @api.model
    def _revenue_change_lines(self, obligation):
        """The posted invoice and credit note lines of ``obligation`` that carry
        a schedule (an invoice line: itself and the credit notes reversing it).

        A cancelling credit note is left out: it stopped the service on its
        cancel date, and its one line on that date does not follow a term."""
        if obligation._name == "sale.order.line":
            candidates = obligation.invoice_lines
        else:
            candidates = obligation | self.env["account.move.line"].search(
                [("revenue_origin_line_id", "=", obligation.id)]
            )
        return candidates.filtered(
            lambda line: (
                line.parent_state == "posted"
                and not (
                    line.move_id.move_type == "out_refund"
                    and line.revenue_credit_treatment == "cancel"
                )
                and line._revenue_is_eligible()
                and line.revenue_schedule_id
                and line.revenue_income_account_id
            )
        ).sorted(lambda line: (line.move_id.invoice_date or line.date, line.id))

    def _revenue_change_check(self, obligation, lines, terms):
        """Refuse a change that cannot be made, naming the line and the fix."""
        _ = self.env._
        label = obligation._revenue_label()
        if obligation._name == "sale.order.line":
            if obligation.state != "sale" or not obligation.revenue_schedule_id:
                raise UserError(
                    _(
                        "%(line)s: only a line with a revenue schedule on a confirmed "
                        "order can change its revenue terms. Confirm the order, or set "
                        "the schedule and the end date on the line itself.",
                        line=label,
                    )
                )
        else:
            if obligation.parent_state != "posted":
                raise UserError(
                    _(
                        "%(line)s: the invoice is not posted. Change the revenue terms "
                        "on the draft invoice line itself, then post it.",
                        line=label,
                    )
                )
            if obligation.revenue_origin_line_id:
                raise UserError(
                    _(
                        "%(line)s reverses %(origin)s and its schedule mirrors that "
                        "line's: it cannot be changed on its own. Change the terms "
                        "of %(origin)s: its credit notes follow.",
                        line=label,
                        origin=obligation.revenue_origin_line_id._revenue_label(),
                    )
                )
            if obligation not in lines:
                raise UserError(
                    _(
                        "%(line)s has no revenue schedule: its revenue was recognised "
                        "when it was invoiced. To spread it, issue a credit note and "
                        "invoice it again with a schedule.",
                        line=label,
                    )
                )
        revs = lines.revenue_line_ids
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
        held = self.env["revenue.recognition.line"]
        for line in lines:
            plan = self._revenue_change_plan(line, terms, line.revenue_line_ids, False)
            held |= plan["cancel"].filtered("on_hold")
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
        start, end = terms["start"], terms["end"]
        if end and start and end < start:
            raise UserError(
                _(
                    "%(line)s: the new end date %(end)s is before the start of the "
                    "term, %(start)s. Choose a later end date.",
                    line=label,
                    end=format_date(self.env, end),
                    start=format_date(self.env, start),
                )
            )
        if (
            terms["schedule"] == obligation.revenue_schedule_id
            and end == obligation.revenue_end_date
        ):
            raise UserError(
                _(
                    "%(line)s: the new end date and schedule are the current ones. "
                    "Change the end date or the schedule (to change the amount, "
                    "issue a credit note).",
                    line=label,
                )
            )
        company = obligation.company_id
        violated = company._get_violated_lock_dates(
            terms["date"], False, company.revenue_journal_id
        )
        if violated:
            raise UserError(
                _(
                    "%(line)s: the change date %(date)s is in a locked period "
                    "(locked up to %(lock)s). Choose a change date after the lock "
                    "date.",
                    line=label,
                    date=format_date(self.env, terms["date"]),
                    lock=format_date(self.env, violated[-1][0]),
                )
            )

    @api.model
    def _revenue_change_preview(
        self,
        obligation,
        change_date,
        end_date=None,
        schedule=None,
        method="prospective",
    ):
        """The figures a change would produce, without writing anything: a dict
        with ``catch_up``, ``monthly`` (company currency, rounded),
        ``line_count`` and ``rescheduled``. A change that would be refused
        raises the same error as the change itself."""
        obligation.ensure_one()
        terms = self._revenue_change_normalise(
            obligation, change_date, end_date, schedule, method, "preview"
        )
        lines = self._revenue_change_lines(obligation)
        self._revenue_change_check(obligation, lines, terms)
        plans = [
            self._revenue_change_plan(line, terms, line.revenue_line_ids)
            for line in lines
        ]
        new_vals = [vals for plan in plans for vals in plan["vals"]]
        monthly = sum(plan["monthly"] for plan in plans)
        if obligation._name == "sale.order.line":
            sources = obligation._prepare_revenue_sources()
            for source in sources:
                source.schedule, source.end = terms["schedule"], terms["end"]
            rev_model = self.env["revenue.recognition.line"]
            old = obligation.revenue_line_ids.filtered(
                lambda rev: rev.state == "expected"
            )
            kept = self._revenue_change_kept_expected(old, terms)
            expected = self._revenue_change_expected_vals(
                rev_model._prepare_schedule_vals_list(sources), kept, old - kept, terms
            )
            new_vals += expected
            monthly += max((vals["mrr_amount"] for vals in expected), default=0.0)
        currency = obligation.company_id.currency_id
        return {
            "catch_up": currency.round(float(sum(plan["catch_up"] for plan in plans))),
            "monthly": currency.round(monthly),
            "line_count": len(new_vals),
            "rescheduled": currency.round(sum(vals["amount"] for vals in new_vals)),
        }

    # --- planning (no write) -----------------------------------------------------

    @api.model
    def _revenue_change_plan(self, line, terms, revs, compute=True):
        """What the change does to the schedule of one invoice or credit note
        line, without writing: a dict with ``cancel`` (the pending lines it
        replaces), ``vals`` (the new lines' values), ``catch_up``,
        ``recognised``, ``rescheduled`` (company currency, ``Decimal``) and
        ``monthly``.

        The boundary is the change date, or the day after the last period
        already recognised when that is later: new lines never cover a period
        that was recognised, so that no month counts twice (MRR included).
        """
        revs = revs.filtered(
            lambda rev: (
                rev.state in ("pending", "posted") and not rev.allocation_difference
            )
        )
        posted = revs.filtered(lambda rev: rev.state == "posted")
        pending = revs - posted
        change = terms["date"]
        boundary = max(
            [change, *(day + timedelta(days=1) for day in posted.mapped("period_end"))]
        )
        if terms["method"] == "prospective":
            # periods served before the change keep the lines they have
            cancel = pending.filtered(lambda rev: rev.period_end >= boundary)
        else:
            cancel = pending
        plan = {
            "cancel": cancel,
            "vals": [],
            "catch_up": Decimal(0),
            "recognised": _decimal(
                sum(posted.mapped("amount")), line.company_currency_id
            ),
            "rescheduled": Decimal(0),
            "monthly": 0.0,
        }
        if not compute or not revs:
            return plan
        vals_list = self._revenue_change_full_term(line, terms, revs)
        later = [vals for vals in vals_list if vals["period_end"] >= boundary]
        sequence = max((revs - cancel).mapped("sequence"), default=-1) + 1
        if terms["method"] == "prospective":
            new_vals = self._revenue_change_spread(
                later,
                vals_list[0],
                _decimal(sum(cancel.mapped("amount")), line.company_currency_id),
                _decimal(sum(cancel.mapped("amount_currency")), line.currency_id),
                change,
            )
        else:
            before = [vals for vals in vals_list if vals["period_end"] < boundary]
            new_vals, plan["catch_up"] = self._revenue_change_catch_up(
                before, later, vals_list[0], posted, change, line
            )
        for offset, vals in enumerate(new_vals):
            vals["sequence"] = sequence + offset
        self._revenue_change_cap_mrr(new_vals, cancel)
        plan["vals"] = new_vals
        plan["rescheduled"] = _decimal(
            sum(vals["amount"] for vals in new_vals), line.company_currency_id
        )
        # the same on every line of a schedule (a catch-up carries none)
        plan["monthly"] = max(
            (vals["mrr_amount"] for vals in new_vals), key=abs, default=0.0
        )
        return plan

    @api.model
    def _revenue_change_full_term(self, line, terms, revs):
        """The usual schedule of what ``line``'s schedule lines add up to (its
        allocation difference aside), over the whole new term."""
        source = line._prepare_revenue_sources()[0]
        source.schedule = terms["schedule"]
        source.start = line._revenue_term()[0]
        source.end = terms["end"]
        source.amount = line.company_currency_id.round(sum(revs.mapped("amount")))
        source.amount_currency = line.currency_id.round(
            sum(revs.mapped("amount_currency"))
        )
        source.allocation_difference = source.allocation_difference_currency = 0.0
        return self.env["revenue.recognition.line"]._prepare_schedule_vals_list(
            [source]
        )

    @api.model
    def _revenue_change_spread(
        self, later, template, remaining, remaining_currency, change
    ):
        """Prospective: ``remaining`` (company currency) and
        ``remaining_currency`` (``Decimal``) spread over the ``later`` periods
        of the new term in proportion to their amounts; with no period left,
        one line on the change date."""
        company_currency = (
            self.env["res.company"].browse(template["company_id"]).currency_id
        )
        currency = self.env["res.currency"].browse(template["currency_id"])
        if not later:
            if not (remaining or remaining_currency):
                return []
            return [
                {
                    **template,
                    "recognition_date": change,
                    "period_start": change,
                    "period_end": change,
                    "amount": float(remaining),
                    "amount_currency": float(remaining_currency),
                    "mrr_amount": 0.0,
                }
            ]
        amounts = spread(
            remaining,
            [_decimal(vals["amount"], company_currency) for vals in later],
            Decimal(str(company_currency.rounding)),
        )
        amounts_currency = spread(
            remaining_currency,
            [_decimal(vals["amount_currency"], currency) for vals in later],
            Decimal(str(currency.rounding)),
        )
        months = sum(
            period_months(vals["period_start"], vals["period_end"]) for vals in later
        )
        monthly = float(remaining / Decimal(months.numerator) * months.denominator)
        return [
            {
                **vals,
                "recognition_date": max(vals["recognition_date"], change),
                "amount": float(amount),
                "amount_currency": float(amount_currency),
                "mrr_amount": monthly,
            }
            for vals, amount, amount_currency in zip(
                later, amounts, amounts_currency, strict=True
            )
            if amount or amount_currency
        ]

    @api.model
    def _revenue_change_catch_up(self, before, later, template, posted, change, line):
        """Cumulative: (new values, catch-up in company currency).

        One catch-up line dated the change date (what the new term says was
        due before the boundary minus what was recognised, in company and in
        document currency: the lines still add up to the invoice line in
        both), then the new term's lines from the boundary, none dated before
        the change date.
        """
        company_currency, currency = line.company_currency_id, line.currency_id
        catch_up = _decimal(
            sum(vals["amount"] for vals in before), company_currency
        ) - _decimal(sum(posted.mapped("amount")), company_currency)
        catch_up_currency = _decimal(
            sum(vals["amount_currency"] for vals in before), currency
        ) - _decimal(sum(posted.mapped("amount_currency")), currency)
        new_vals = []
        if catch_up or catch_up_currency:
            new_vals.append(
                {
                    **template,
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
        new_vals += [
            {**vals, "recognition_date": max(vals["recognition_date"], change)}
            for vals in later
        ]
        return new_vals, catch_up

    # --- order lines: the expected lines -----------------------------------------

    @api.model
    def _revenue_change_order_line(self, sale_line, terms, old):
        """Write the new terms on the order line (its draft invoice lines too)
        and replace its expected lines (``old``, already cancelled by the
        caller); return the new ones.

        The usual path (the order line's own synchronisation) schedules what
        is still to invoice over the new term; with the prospective method,
        the expected lines of periods that ended before the change date stay
        as they were, and the rest is spread from the change date.
        """
        sale_line.write(
            {
                "revenue_end_date": terms["end"],
                "revenue_schedule_id": terms["schedule"].id,
            }
        )
        drafts = sale_line.invoice_lines.filtered(
            lambda line: line.parent_state == "draft" and line.revenue_schedule_id
        )
        drafts.write(
            {
                "revenue_end_date": terms["end"],
                "revenue_schedule_id": terms["schedule"].id,
            }
        )
        fresh = sale_line.revenue_line_ids.filtered(lambda rev: rev.state == "expected")
        kept = self._revenue_change_kept_expected(old, terms)
        # never cancelled in the end: back as they were
        kept._bookkeeping().write({"state": "expected", "cancel_date": False})
        new_vals = self._revenue_change_expected_vals(
            [self._revenue_change_vals(rev) for rev in fresh], kept, old - kept, terms
        )
        # made a moment ago by the usual path, replaced by what the method says
        fresh._bookkeeping().unlink()
        return self.env["revenue.recognition.line"]._create_batch(new_vals)

    @api.model
    def _revenue_change_kept_expected(self, expected, terms):
        """Prospective: the expected lines of periods that ended before the
        change date stay as they are."""
        if terms["method"] != "prospective":
            return expected.browse()
        return expected.filtered(lambda rev: rev.period_end < terms["date"])

    @api.model
    def _revenue_change_expected_vals(self, vals_list, kept, replaced, terms):
        """The new expected lines: ``vals_list`` (what is still to invoice over
        the whole new term) as they are (cumulative), or what ``kept`` leaves
        of it spread from the change date (prospective)."""
        if not vals_list:
            return []
        if terms["method"] == "prospective":
            change = terms["date"]
            company_currency = (
                kept.company_currency_id[:1]
                or self.env["res.company"]
                .browse(vals_list[0]["company_id"])
                .currency_id
            )
            currency = self.env["res.currency"].browse(vals_list[0]["currency_id"])
            total = sum(vals["amount"] for vals in vals_list)
            total_currency = sum(vals["amount_currency"] for vals in vals_list)
            vals_list = self._revenue_change_spread(
                [vals for vals in vals_list if vals["period_end"] >= change],
                vals_list[0],
                _decimal(total - sum(kept.mapped("amount")), company_currency),
                _decimal(
                    total_currency - sum(kept.mapped("amount_currency")), currency
                ),
                change,
            )
        sequence = max(kept.mapped("sequence"), default=-1) + 1
        for offset, vals in enumerate(vals_list):
            vals["sequence"] = sequence + offset
        self._revenue_change_cap_mrr(vals_list, replaced)
        return vals_list

    @api.model
    def _revenue_change_cap_mrr(self, vals_list, replaced):
        """A change of terms alone never raises MRR (in absolute value) above
        what the lines it replaces carried.

        The same price over a longer term recognises less a month: a
        contraction. Over a shorter term it recognises more, but nothing more
        was sold: the excess is not recurring revenue (like a catch-up), so
        a shortened contract shows no expansion, and ends earlier (churn).
        """
        carried = [rev.mrr_amount for rev in replaced if rev.mrr_amount]
        if not carried:
            return
        ceiling = max(carried, key=abs)
        for vals in vals_list:
            if abs(vals.get("mrr_amount") or 0.0) > abs(ceiling):
                vals["mrr_amount"] = ceiling

    @api.model
    def _revenue_change_vals(self, rev):
        """The ``create()`` values of schedule line ``rev`` (to make another)."""
        names = [
            "company_id",
            "currency_id",
            "schedule_id",
            "state",
            "sale_line_id",
            "move_line_id",
            "partner_id",
            "product_id",
            "deferred_account_id",
            "income_account_id",
            "on_hold",
            "analytic_distribution",
            "recognition_date",
            "period_start",
            "period_end",
            "amount",
            "amount_currency",
            "mrr_amount",
        ]
        values = rev.read(names, load=False)[0]
        values.pop("id", None)
        return values

    # --- the record and the messages ---------------------------------------------

    @api.model
    def _revenue_change_record(self, obligation, lines, terms, old, plans, new_revs):
        """Create the ``revenue.change`` of this change (as the add-on)."""
        is_order = obligation._name == "sale.order.line"
        currency = obligation.company_id.currency_id
        new_live = new_revs.filtered(lambda rev: rev.state != "cancelled")
        monthly = sum(plan["monthly"] for plan in plans) + max(
            (rev.mrr_amount for rev in new_live if rev.state == "expected"),
            default=0.0,
        )
        partner = (
            obligation.order_id.partner_id
            if is_order
            else obligation.move_id.partner_id
        )
        vals = {
            "sale_line_id": obligation.id if is_order else False,
            "move_line_id": False if is_order else obligation.id,
            "move_line_ids": [(6, 0, lines.ids)],
            "partner_id": partner.commercial_partner_id.id,
            "product_id": obligation.product_id.id,
            "company_id": obligation.company_id.id,
            "change_date": terms["date"],
            "method": terms["method"],
            "old_end_date": old["end"],
            "new_end_date": terms["end"],
            "old_schedule_id": old["schedule"].id,
            "new_schedule_id": terms["schedule"].id,
            "recognised_amount": float(sum(plan["recognised"] for plan in plans)),
            "rescheduled_amount": currency.round(sum(new_live.mapped("amount"))),
            "catch_up_amount": float(sum(plan["catch_up"] for plan in plans)),
            "monthly_amount": currency.round(monthly),
            "line_count": len(new_live),
            "reason": terms["reason"],
            "user_id": self.env.uid,
        }
        record = self.sudo().with_context(**{BOOKKEEPING_KEY: BOOKKEEPING}).create(vals)
        return self.browse(record.id)

    def _revenue_change_log(self, old, plans):
        """One chatter message on the order and on each invoice changed."""
        self.ensure_one()
        currency = self.company_currency_id
        _ = self.env._

        def money(value):
            return formatLang(self.env, float(value), currency_obj=currency)

        def end(value):
            return format_date(self.env, value) if value else _("none")

        obligation = self.sale_line_id or self.move_line_id
        change = format_date(self.env, self.change_date)
        rows = [
            _(
                "Revenue terms of %(line)s changed from %(date)s (%(method)s). "
                "Reason: %(reason)s",
                line=obligation._revenue_label(),
                date=change,
                method=dict(self._fields["method"]._description_selection(self.env))[
                    self.method
                ],
                reason=self.reason,
            ),
            _(
                "Schedule: %(before)s → %(after)s; end: %(end_before)s → %(end_after)s",
                before=old["schedule"].display_name,
                after=self.new_schedule_id.display_name,
                end_before=end(old["end"]),
                end_after=end(self.new_end_date),
            ),
            _(
                "Recognised: %(recognised)s (unchanged); catch-up on %(date)s: "
                "%(catch_up)s; new monthly amount: %(monthly)s; %(count)s new "
                "line(s) for %(rescheduled)s",
                recognised=money(self.recognised_amount),
                date=change,
                catch_up=money(self.catch_up_amount),
                monthly=money(self.monthly_amount),
                count=self.line_count,
                rescheduled=money(self.rescheduled_amount),
            ),
        ]
        if currency.compare_amounts(self.catch_up_amount, 0) < 0:
            rows.append(
                _(
                    "A negative catch-up: more was recognised before %(date)s "
                    "than the new terms make due by then; the catch-up line of "
                    "%(date)s takes the excess back out of income.",
                    date=change,
                )
            )
        body = Markup("<br/>").join(rows)
        for record in [*self.order_id, *self.move_line_ids.move_id]:
            record.sudo().message_post(body=body)
