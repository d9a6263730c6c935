"""The schedule line ``revenue.recognition.line``, first of the four files
of the model (see the class docstring).

Just over 500 lines: the line's fields, its "due" rule, the creation of
schedules, the bookkeeping guard, holds, and the two helpers every run
shares (``_lock_rows``, ``_income_account``).
"""

from psycopg2 import errors as pg_errors

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, mute_logger

from ..engine import (
    ScheduleError,
    ScheduleInput,
    compute_schedules,
    monthly_amount,
    to_decimal,
)
from .schedule_errors import schedule_error_message

# Context marker of the add-on's own writes to schedule lines: an object,
# so that no RPC call can forge it.
BOOKKEEPING_KEY = "revenue_bookkeeping"
BOOKKEEPING = object()


class RevenueRecognitionLine(models.Model):
    """One line of a revenue schedule: an amount to recognise on a date.

    ``expected`` lines come from confirmed orders (the signed backlog),
    ``pending`` lines from posted invoices (deferred revenue), ``posted`` lines
    were recognised by ``recognition_move_id``.

    This file holds the line itself: fields, the "due" rule, the creation of
    schedules from document lines, the bookkeeping guard and holds. Later
    files extend the model, each calling only the ones before it:
    ``revenue_recognition_posting.py`` (the recognition run),
    ``revenue_accrual.py`` (unbilled revenue accruals) and
    ``revenue_month_end.py`` (the cron and the background jobs).
    """

    _name = "revenue.recognition.line"
    _inherit = ["analytic.mixin", "revenue.grouped.read.mixin"]
    _description = "Revenue Recognition Line"
    _order = "recognition_date, id"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name")
    sequence = fields.Integer()
    recognition_date = fields.Date(required=True, index=True)
    period_start = fields.Date()
    period_end = fields.Date()
    company_id = fields.Many2one("res.company", required=True, index=True)
    company_currency_id = fields.Many2one(
        related="company_id.currency_id", string="Company Currency"
    )
    currency_id = fields.Many2one("res.currency", required=True)
    amount = fields.Monetary(
        currency_field="company_currency_id",
        help="Company currency; positive = revenue to recognise, negative for "
        "credit notes.",
    )
    amount_currency = fields.Monetary(
        currency_field="currency_id", string="Amount in Currency"
    )
    state = fields.Selection(
        [
            ("expected", "Expected"),
            ("pending", "Pending"),
            ("posted", "Posted"),
            ("cancelled", "Cancelled"),
        ],
        required=True,
        default="pending",
        index=True,
    )
    on_hold = fields.Boolean(index=True)
    hold_badge = fields.Selection(
        [("held", "On hold")], string="Hold", compute="_compute_hold_badge"
    )
    hold_reason = fields.Char()
    hold_user_id = fields.Many2one("res.users", string="Held by")
    hold_date = fields.Datetime(string="Held on")
    release_reason = fields.Char()
    release_user_id = fields.Many2one("res.users", string="Released by")
    release_date = fields.Datetime(string="Released on")
    schedule_id = fields.Many2one("revenue.schedule", index=True, check_company=True)
    move_line_id = fields.Many2one(
        "account.move.line", string="Invoice Line", index=True, ondelete="cascade"
    )
    move_id = fields.Many2one(
        related="move_line_id.move_id", store=True, index=True, string="Invoice"
    )
    invoice_date = fields.Date(
        related="move_id.invoice_date",
        string="Invoice Date",
        store=True,
        index=True,
        help="Date of the invoice or credit note the line comes from (empty for "
        "expected lines of orders not invoiced yet): the rows of the revenue "
        "waterfall.",
    )
    sale_line_id = fields.Many2one(
        "sale.order.line", string="Order Line", index=True, ondelete="cascade"
    )
    order_id = fields.Many2one(
        related="sale_line_id.order_id", store=True, index=True, string="Order"
    )
    partner_id = fields.Many2one("res.partner", string="Customer", index=True)
    product_id = fields.Many2one("product.product", index=True)
    deferred_account_id = fields.Many2one("account.account", check_company=True)
    income_account_id = fields.Many2one("account.account", check_company=True)
    recognition_move_id = fields.Many2one(
        "account.move", string="Recognition Entry", index="btree_not_null", copy=False
    )
    allocation_difference = fields.Boolean(
        help="Price allocation: what this invoice line was billed above (positive) "
        "or below (negative) its share of the order's price. It stays on the "
        "deferred account, never recognised: the differences of an order's "
        "lines add up to zero once it is fully invoiced.",
    )
    signed_date = fields.Date(
        index=True,
        readonly=True,
        help="The day this line came into the contract (the order's date for "
        "lines made at confirmation, else the day it was created): reports as "
        "of an earlier date leave it out.",
    )
    cancel_date = fields.Date(
        index=True,
        readonly=True,
        help="The day this line stopped counting (cancelled by a change of "
        "terms, a cancellation or an invoice replacing it): reports as of an "
        "earlier date still count it.",
    )
    cancelled_by_move_line_id = fields.Many2one(
        "account.move.line",
        string="Cancelled by Credit Note Line",
        index="btree_not_null",
        readonly=True,
        copy=False,
        help="The cancelling credit note line that stopped this line: resetting "
        "that credit note to draft makes this line pending again.",
    )
    mrr_amount = fields.Float(
        string="Monthly Recurring Revenue",
        digits=False,
        readonly=True,
        help="Company currency: the amount of this line's schedule divided by "
        "its term in months, the same on every line of the schedule; a line "
        "adds it to the MRR of the month whose last day its period covers.",
    )

    @api.model
    def _get_due_domain(self, as_of, held=False):
        """The lines a run as of ``as_of`` releases (``held=True``: those it skips).

        The one definition of "due": pending, not recognised by an entry, dated
        up to ``as_of``, of an invoice dated (accounting date) up to ``as_of``,
        and not on hold. Used by the run (``_recognise``), its
        row lock (``_lock_for_recognition``), the cron's count of what remains
        and the Recognise Revenue wizard's preview.
        """
        return [
            ("state", "=", "pending"),
            ("recognition_move_id", "=", False),
            ("on_hold", "=", held),
            ("recognition_date", "<=", as_of),
            ("allocation_difference", "=", False),
            # a late run as of a month end leaves out invoices of the next month
            "|",
            ("move_id", "=", False),
            ("move_id.date", "<=", as_of),
        ]

    @api.depends("move_id.name", "order_id.name", "sequence", "product_id")
    def _compute_name(self):
        """ "INV/2026/00007 · SaaS licence · 2/13": document, product, k of n."""
        counts = self._schedule_sizes()
        for line in self:
            # revenue users name lines of documents they may not open
            document = line.sudo().move_id.name or line.sudo().order_id.name or ""
            parts = [document, line.product_id.name or ""]
            parts.append(f"{line.sequence + 1}/{counts.get(line._schedule_key(), 1)}")
            line.name = " · ".join(part for part in parts if part)

    @api.depends("on_hold")
    def _compute_hold_badge(self):
        for line in self:
            line.hold_badge = "held" if line.on_hold else False

    def _schedule_key(self):
        """The schedule a line belongs to: its invoice line (with the same
        cancelled-ness, a repost makes a new schedule), else its order line."""
        self.ensure_one()
        if self.move_line_id:
            return ("move", self.move_line_id.id, self.state == "cancelled")
        return ("order", self.sale_line_id.id, self.state)

    def _schedule_sizes(self):
        """{schedule key: number of lines} for the schedules of ``self``."""
        records = self.filtered("id")
        if not records:
            return {}
        sizes = {}
        groups = self.sudo()._read_group(
            [
                "|",
                ("move_line_id", "in", records.move_line_id.ids),
                "&",
                ("move_line_id", "=", False),
                ("sale_line_id", "in", records.sale_line_id.ids),
            ],
            ["move_line_id", "sale_line_id", "state"],
            ["__count"],
        )
        for move_line, sale_line, state, count in groups:
            if move_line:
                key = ("move", move_line.id, state == "cancelled")
            else:
                key = ("order", sale_line.id, state)
            sizes[key] = sizes.get(key, 0) + count
        return sizes

    @api.ondelete(at_uninstall=False)
    def _unlink_except_posted(self):
        posted = self.filtered(lambda line: line.state == "posted")
        if posted:
            raise UserError(
                self.env._(
                    "Recognised revenue lines cannot be deleted (%(lines)s). Reverse "
                    "their recognition entry instead.",
                    lines=", ".join(posted[:5].mapped("display_name")),
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        self._check_bookkeeping_access(vals_list[0] if vals_list else {})
        today = fields.Date.context_today(self)
        for vals in vals_list:
            vals.setdefault("signed_date", today)
        return super().create(vals_list)

    def write(self, vals):
        self._check_bookkeeping_access(vals)
        return super().write(vals)

    def unlink(self):
        self._check_bookkeeping_access({"id": True})
        return super().unlink()

    def _check_bookkeeping_access(self, vals):
        """Only the add-on's own code creates, deletes or writes schedule lines.

        Their amounts, dates, accounts and states are the books: a user who
        changed them could recognise revenue twice or lose it. Users hold and
        release through ``action_hold`` / ``action_release``.
        """
        if vals and self.env.context.get(BOOKKEEPING_KEY) is not BOOKKEEPING:
            raise AccessError(
                self.env._(
                    "Revenue schedule lines are written by the revenue recognition "
                    "only (invoice posting, order confirmation, Recognise Revenue); "
                    "they cannot be created, changed or deleted by hand "
                    "(fields: %(fields)s). To stop or allow a line's recognition, "
                    "use Hold or Release; to change amounts or dates, correct the "
                    "invoice (credit note, reset to draft) or the order.",
                    fields=", ".join(sorted(vals)),
                )
            )

    def _check_company(self, fnames=None):
        # The add-on creates schedule lines from posted or confirmed documents
        # whose companies Odoo has checked already; users cannot write them.
        if self.env.context.get(BOOKKEEPING_KEY) is BOOKKEEPING:
            return
        return super()._check_company(fnames=fnames)

    @api.model
    def _income_account(self, product, company, fiscal_position, journal=False):
        """The income account an invoice line of ``product`` credits.

        The one rule of the deferral (the income account kept for
        recognition), the accrual (the account the invoice will credit) and
        any other caller: as Odoo computes an invoice line's account, the
        product's income account (else its category's) mapped by the fiscal
        position, else the default account of ``journal``, else of the
        company's first sales journal. May be empty.
        """
        income = False
        if product:
            income = product.product_tmpl_id.with_company(company).get_product_accounts(
                fiscal_pos=fiscal_position
            )["income"]
        if not income and journal:
            income = journal.default_account_id
        if not income:
            income = (
                self.env["account.journal"]
                .search(
                    [
                        *self.env["account.journal"]._check_company_domain(company),
                        ("type", "=", "sale"),
                    ],
                    limit=1,
                )
                .default_account_id
            )
        return income or self.env["account.account"]

    def _lock_rows(self, domain=(), refuse_label=None):
        """Lock the rows of ``self`` that still match ``domain``; return them.

        With ``refuse_label`` (an operation that needs every row, such as a
        change of terms), no row is skipped: when a run holds one of them the
        caller is refused with a message naming ``refuse_label`` (try again).

        The one row lock of the add-on's runs (recognition, accrual): the
        rows are read again under ``FOR UPDATE ... SKIP LOCKED``, so rows
        locked by an overlapping run are skipped and a row that no longer
        matches (released meanwhile) is left out. In Odoo's REPEATABLE READ
        transactions a row another run changed after this transaction
        started raises a serialization error instead: the caller's
        transaction is tried again. No record rule is applied again: ``self``
        was searched with the user's rights.
        """
        if not self:
            return self
        self.flush_model()
        if refuse_label is not None:
            try:
                with mute_logger("odoo.sql_db"), self.env.cr.savepoint(flush=False):
                    self.env.cr.execute(
                        SQL(
                            "SELECT id FROM revenue_recognition_line "
                            "WHERE id = ANY(%s) FOR UPDATE NOWAIT",
                            self.ids,
                        )
                    )
            except pg_errors.LockNotAvailable as error:
                raise UserError(
                    self.env._(
                        "%(record)s: a revenue recognition run is releasing these "
                        "schedule lines right now. Try again in a moment.",
                        record=refuse_label,
                    )
                ) from error
            self.invalidate_model()
            return self
        query = self._where_calc(list(domain) + [("id", "in", self.ids)])
        query.order = SQL.identifier(query.table, "id")
        rows = self.env.execute_query(
            SQL(
                "%s FOR UPDATE OF %s SKIP LOCKED",
                query.select(),
                SQL.identifier(query.table),
            )
        )
        locked_ids = {row[0] for row in rows}
        return self.filtered(lambda line: line.id in locked_ids)

    def _bookkeeping(self):
        """These lines, allowed to be written by the add-on's own code (sudo)."""
        return self.sudo().with_context(**{BOOKKEEPING_KEY: BOOKKEEPING})

    @api.model
    def _create_batch(self, vals_list):
        """Create schedule lines computed from posted documents, in one ORM
        ``create`` (batched by the ORM), as the add-on.

        The values come from the documents being posted or confirmed, which
        the current user may post or confirm; the lines themselves are
        created with ``sudo()`` because nobody may create them by hand.
        """
        if not vals_list:
            return self.browse()
        return self.browse(self._bookkeeping().create(vals_list).ids)

    # --- schedules of document lines -------------------------------------------

    @api.model
    def _prepare_schedule_vals_list(self, sources):
        """``create()`` values of the schedule lines of many sources at once.

        :param sources: ``RevenueSource`` list (``revenue_scheduled_line.py``),
            made by the document lines' ``_prepare_revenue_sources()``
        :return: one values dict per schedule line, made by each source's
            ``record._prepare_revenue_line_vals(source, schedule_lines)``

        One engine batch call; a bad source raises a UserError naming its
        record, before anything is written.
        """
        inputs = []
        for index, source in enumerate(sources):
            # the start may come from a date changed since the line was saved
            source.record._revenue_check_schedule_bounds()
            inputs.append(self._prepare_schedule_input(source, key=index))
        try:
            results = compute_schedules(inputs)
        except ScheduleError:
            self._raise_schedule_error(sources, inputs)
            raise
        vals_list = []
        for index, schedule_lines in results:
            source = sources[index]
            line_vals = source.record._prepare_revenue_line_vals(source, schedule_lines)
            mrr = monthly_amount(schedule_lines)
            for vals in line_vals:
                # an allocation difference is never revenue of a month
                vals["mrr_amount"] = 0.0 if vals.get("allocation_difference") else mrr
            vals_list.extend(line_vals)
        return vals_list

    @api.model
    def _prepare_schedule_input(self, source, key=None):
        """The engine's ``ScheduleInput`` for one source."""
        company_currency = source.company.currency_id
        return ScheduleInput(
            amount_currency=to_decimal(source.currency.round(source.amount_currency)),
            amount=to_decimal(company_currency.round(source.amount)),
            start=source.start,
            end=source.end or None,
            currency_rounding=to_decimal(source.currency.rounding),
            company_rounding=to_decimal(company_currency.rounding),
            key=key,
            **source.schedule._engine_kwargs(),
        )

    @api.model
    def _raise_schedule_error(self, sources, inputs):
        """Name the record whose schedule cannot be computed (error path only)."""
        for source, schedule_input in zip(sources, inputs, strict=True):
            try:
                compute_schedules([schedule_input])
            except ScheduleError as error:
                raise UserError(
                    schedule_error_message(
                        self.env, error, source.record._revenue_label()
                    )
                ) from error

    # --- holds -----------------------------------------------------------------

    def _check_holdable(self):
        not_pending = self.filtered(lambda line: line.state != "pending")
        if not_pending:
            raise UserError(
                self.env._(
                    "Only pending revenue lines can be held or released; these are "
                    "not pending: %(lines)s. Remove them from the selection.",
                    lines=", ".join(not_pending[:5].mapped("display_name")),
                )
            )

    def _mirror_lines(self):
        """Pending lines of credit notes that mirror these lines (same period).

        A credit note made from an invoice reverses its schedule line by line:
        a hold on the invoice's line must stop its mirror too, or the run would
        book the negative revenue alone.
        """
        lines = self.filtered("move_line_id")
        if not lines:
            return self.browse()
        keys = {(line.move_line_id.id, line.period_start) for line in lines}
        # as the add-on: a revenue user may hold lines without reading invoices
        mirrors = self.sudo().search(
            [
                ("move_line_id.revenue_origin_line_id", "in", lines.move_line_id.ids),
                ("state", "=", "pending"),
            ]
        )
        return (
            mirrors.filtered(
                lambda mirror: (
                    (mirror.move_line_id.revenue_origin_line_id.id, mirror.period_start)
                    in keys
                )
            ).with_env(self.env)
            - self
        )

    def action_hold(self, reason=False):
        """Put pending lines on hold: they are not recognised until released.

        The credit note lines that mirror them are held with them.
        """
        self.check_access("write")
        self._check_holdable()
        lines = (self | self._mirror_lines()).filtered(lambda line: not line.on_hold)
        lines._bookkeeping().write(
            {
                "on_hold": True,
                "hold_reason": reason or False,
                "hold_user_id": self.env.uid,
                "hold_date": fields.Datetime.now(),
            }
        )
        lines._log_hold_change(True, reason)
        return True

    def action_release(self, reason=False):
        """Release held lines so that the next run can recognise them.

        The credit note lines that mirror them are released with them.
        """
        self.check_access("write")
        self._check_holdable()
        lines = (self | self._mirror_lines()).filtered("on_hold")
        lines._bookkeeping().write(
            {
                "on_hold": False,
                "release_reason": reason or False,
                "release_user_id": self.env.uid,
                "release_date": fields.Datetime.now(),
            }
        )
        lines._log_hold_change(False, reason)
        return True

    def _log_hold_change(self, hold, reason):
        """One chatter message per invoice and order naming the lines changed."""
        for field in ("move_id", "order_id"):
            for record, lines in self.grouped(field).items():
                if not record:
                    continue
                # in the language of the document's company: one language in
                # its chatter whoever acts (a French company reads French)
                lang = record.sudo().company_id.partner_id.lang or self.env.lang
                body = self.with_context(lang=lang)._hold_message(
                    hold, reason, lines.with_context(lang=lang)
                )
                record.sudo().message_post(body=body)

    def _hold_message(self, hold, reason, lines):
        values = {
            "count": len(lines),
            "lines": ", ".join(lines.mapped("display_name")),
            "reason": reason,
        }
        _ = self.env._
        if hold and reason:
            return _(
                "Revenue recognition put on hold for %(count)s line(s): %(lines)s. "
                "Reason: %(reason)s",
                **values,
            )
        if hold:
            return _(
                "Revenue recognition put on hold for %(count)s line(s): %(lines)s.",
                **values,
            )
        if reason:
            return _(
                "Revenue recognition released for %(count)s line(s): %(lines)s. "
                "Reason: %(reason)s",
                **values,
            )
        return _(
            "Revenue recognition released for %(count)s line(s): %(lines)s.",
            **values,
        )

    def action_open_document(self):
        self.ensure_one()
        record = self.move_id or self.order_id
        return {
            "type": "ir.actions.act_window",
            "res_model": record._name,
            "res_id": record.id,
            "view_mode": "form",
        }
