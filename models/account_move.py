"""Invoices and recognition entries: every ``account.move`` override.

Invoices (``out_invoice``, ``out_refund``): at posting, scheduled lines credit
the deferred revenue account (the income account is kept on the line), down
payments of scheduled orders the customer advances account, and the pending
schedule lines are created; resetting to draft cancels them (refused once
revenue was recognised) and credits income again.

Recognition entries (``revenue_recognition_entry``) recognise the schedule
lines linked to them by ``recognition_move_id``. Whenever one stops
recognising them (reset to draft, cancelled, reversed, deleted as a draft)
the lines go back to ``pending`` so that the next run recognises them again.
Posted entries are reversed, never deleted (``account`` refuses to delete
posted journal items).

Once a recognition entry is reversed, the pair is final: resetting or
cancelling either of them would recognise the revenue twice or lose it, so it
is refused (run Recognise Revenue to recognise the lines again). At posting, the
journal items of a recognition entry must match its schedule lines, account by
account, in company and document currency.

Unbilled revenue accruals (``revenue_accrual``) and their automatic reversal
the next day go together: they are cancelled together, never reset to draft
alone, and neither is reversed a second time
(``_revenue_check_accrual_reversals``).
"""

from collections import defaultdict

from odoo import fields, models
from odoo.exceptions import UserError
from odoo.tools import formatLang


class AccountMove(models.Model):
    _name = "account.move"
    _inherit = ["account.move", "revenue.document.mixin"]

    revenue_line_ids = fields.One2many(
        "revenue.recognition.line", "move_id", string="Revenue Lines"
    )
    revenue_recognition_entry = fields.Boolean(
        copy=False,
        readonly=True,
        help="Created by Recognise Revenue or the automatic recognition.",
    )
    revenue_accrual = fields.Boolean(
        string="Unbilled Revenue Accrual",
        copy=False,
        readonly=True,
        help="Accrues revenue earned but not invoiced yet; reversed the next day.",
    )
    revenue_accrual_date = fields.Date(
        string="Accrued As Of",
        copy=False,
        readonly=True,
        help="The date of the accrual run; the entry's date may be later when that "
        "date was in a locked period.",
    )
    revenue_accrual_sale_line_ids = fields.Many2many(
        "sale.order.line",
        "revenue_accrual_move_sale_line_rel",
        "move_id",
        "sale_line_id",
        string="Accrued Order Lines",
        copy=False,
        readonly=True,
    )
    revenue_recognised_line_ids = fields.One2many(
        "revenue.recognition.line",
        "recognition_move_id",
        string="Recognised Revenue Lines",
    )

    def _revenue_line_field(self):
        return "move_id"

    def _prepare_product_base_line_for_taxes_computation(self, product_line):
        # Taxes are keyed by the income account, not by the deferred account
        # the line credits: a tax booked on its base line's account never
        # lands on the deferred account.
        base_line = super()._prepare_product_base_line_for_taxes_computation(
            product_line
        )
        if product_line.revenue_income_account_id:
            base_line["account_id"] = product_line.revenue_income_account_id
        return base_line

    def copy_data(self, default=None):
        vals_list = super().copy_data(default=default)
        if (default or {}).get("reversed_entry_id"):
            return vals_list
        # A duplicate of a recognition entry recognises no schedule line:
        # flagged, it cannot be posted (see _post) and release revenue twice.
        for move, vals in zip(self, vals_list, strict=True):
            if move.revenue_recognition_entry:
                vals["revenue_recognition_entry"] = True
        return vals_list

    def unlink(self):
        self.filtered(
            lambda move: move.revenue_recognition_entry and move.state != "posted"
        )._revenue_release_lines()
        return super().unlink()

    def _post(self, soft=True):
        # 1. Recognition entries and accrual reversals that must not be posted.
        self._revenue_check_recognition_entries()
        self._revenue_check_accrual_reversals()
        # 2. Invoices: deferral and customer advances, before Odoo posts.
        lines = self.filtered(
            lambda move: move.move_type in ("out_invoice", "out_refund")
        ).invoice_line_ids
        deferred = lines._revenue_deferred_lines()
        advances = lines._revenue_advance_lines() - deferred
        # A line whose schedule was removed after a deferral credits income again.
        (
            lines.filtered("revenue_income_account_id") - deferred - advances
        )._revenue_undo_deferral()
        deferred._revenue_prepare_deferral()
        advances._revenue_prepare_advance()
        posted = super()._post(soft=soft)
        # 3. Invoices: the pending schedule lines, and the order's backlog.
        posted_ids = set(posted.ids)  # `record in recordset` is a linear scan
        to_schedule = deferred.filtered(
            lambda line: (
                line.move_id.id in posted_ids
                and not line.revenue_line_ids.filtered(
                    lambda rev: rev.state != "cancelled"
                )
            )
        )
        if to_schedule:
            rev_model = self.env["revenue.recognition.line"]
            sources = to_schedule._prepare_revenue_sources()
            # price allocation: parts recognised for other obligations
            sources += [transfer for source in sources for transfer in source.transfers]
            cancelling = {
                line.id
                for line in to_schedule
                if line.move_id.move_type == "out_refund"
                and line.revenue_credit_treatment == "cancel"
            }
            cancel, point, spread = [], [], []
            for source in sources:
                if (
                    source.record._name == "account.move.line"
                    and source.record.id in cancelling
                ):
                    cancel.append(source)
                elif source.schedule:
                    spread.append(source)
                else:
                    point.append(source)
            differences = defaultdict(list)
            for source in sources:
                if source.record._name == "account.move.line" and (
                    source.billed_above_allocation
                    or source.record.revenue_allocation_difference
                ):
                    differences[source.billed_above_allocation].append(source.record.id)
            for difference, line_ids in differences.items():
                self.env["account.move.line"].browse(line_ids).with_context(
                    skip_invoice_sync=True
                )._revenue_bookkeeping().write(
                    {"revenue_allocation_difference": difference}
                )
            vals_list = rev_model._prepare_schedule_vals_list(spread)
            vals_list += to_schedule._revenue_point_vals_list(point)
            to_schedule._revenue_carry_holds(vals_list)
            vals_list += to_schedule._revenue_cancel_vals_list(cancel)
            rev_model._create_batch(vals_list)
        # the invoice replaces the expected lines as of its accounting date
        today = fields.Date.context_today(self)
        for day, moves in posted.grouped(lambda move: min(move.date, today)).items():
            moves.invoice_line_ids.sale_line_ids._revenue_with_allocated_orders().filtered(
                "revenue_schedule_id"
            ).with_context(revenue_event_date=day)._revenue_sync_expected()
        # 4. A posted reversal takes the revenue back: its lines are pending again.
        posted.reversed_entry_id.filtered(
            "revenue_recognition_entry"
        )._revenue_release_lines()
        return posted

    def _revenue_check_recognition_entries(self):
        """Refuse posting recognition entries (or reversals) that would be wrong.

        A recognition entry without schedule lines (reset, its lines went back
        to pending), a reversal of a reversal, a reversal of an entry that is
        not posted, and journal items that do not match the schedule lines.
        """
        orphans = self.filtered(
            lambda move: (
                move.revenue_recognition_entry and not move.revenue_recognised_line_ids
            )
        )
        if orphans:
            raise UserError(
                self.env._(
                    "Revenue recognition entry %(entry)s no longer recognises any "
                    "schedule line: its lines went back to pending when it was reset "
                    "to draft. "
                    "Delete or cancel it and run Recognise Revenue again.",
                    entry=orphans[0].display_name,
                )
            )
        twice = self.filtered(
            lambda move: (
                move.reversed_entry_id.reversed_entry_id.revenue_recognition_entry
            )
        )
        if twice:
            raise UserError(
                self.env._(
                    "Entry %(entry)s would reverse the reversal of revenue recognition "
                    "entry %(original)s and recognise its revenue a second time. "
                    "Delete this entry and run Recognise Revenue instead.",
                    entry=twice[0].display_name,
                    original=twice[0].reversed_entry_id.reversed_entry_id.display_name,
                )
            )
        unposted = self.filtered(
            lambda move: (
                move.reversed_entry_id.revenue_recognition_entry
                and move.reversed_entry_id.state != "posted"
            )
        )
        if unposted:
            raise UserError(
                self.env._(
                    "Entry %(entry)s reverses revenue recognition entry %(original)s, "
                    "which is not posted: posting it would take back revenue that is "
                    "not recognised. Delete this entry.",
                    entry=unposted[0].display_name,
                    original=unposted[0].reversed_entry_id.display_name,
                )
            )
        self._revenue_check_lines_match()

    def _revenue_accrual_pairs(self):
        """The accruals among ``self`` and reversals of accruals, with their pair."""
        accruals = self.filtered("revenue_accrual") | self.reversed_entry_id.filtered(
            "revenue_accrual"
        )
        return accruals | accruals.reversal_move_ids

    def _revenue_check_accrual_reversals(self):
        """An accrual is reversed once, by its automatic reversal; never a reversal."""
        for move in self.filtered("reversed_entry_id"):
            accrual = move.reversed_entry_id
            others = accrual.reversal_move_ids.filtered(
                lambda other, move=move: other != move and other.state != "cancel"
            )
            if (accrual.revenue_accrual and others) or (
                accrual.reversed_entry_id.revenue_accrual
            ):
                raise UserError(
                    self.env._(
                        "Entry %(entry)s would reverse %(original)s, which is an "
                        "unbilled revenue accrual or its reversal: the accrual is "
                        "already reversed the next day. Delete this entry; to redo "
                        "the accrual, cancel it (its reversal is cancelled with it) "
                        "and accrue again.",
                        entry=move.display_name,
                        original=accrual.display_name,
                    )
                )

    def button_draft(self):
        pairs = self._revenue_accrual_pairs()
        if pairs and not self.env.context.get("revenue_accrual_cancel"):
            raise UserError(
                self.env._(
                    "Unbilled revenue accrual %(entries)s cannot be reset to draft: "
                    "the accrual and its reversal go together. Cancel it instead (its "
                    "reversal is cancelled with it), then accrue again.",
                    entries=", ".join(pairs.mapped("display_name")),
                )
            )
        self._revenue_check_reversal_pair()
        lines = self.line_ids.revenue_line_ids
        recognised = lines.filtered(lambda line: line.state == "posted")
        drafts = recognised.recognition_move_id.filtered(
            lambda move: move.state == "draft"
        )
        if drafts:
            raise UserError(
                self.env._(
                    "Invoice %(move)s has revenue in draft recognition entries "
                    "%(entries)s. Delete those draft entries first (their lines go "
                    "back to pending), then reset the invoice to draft.",
                    move=recognised[0].move_id.display_name,
                    entries=", ".join(drafts.mapped("display_name")),
                )
            )
        if recognised:
            raise UserError(
                self.env._(
                    "Invoice %(move)s already has recognised revenue (entries "
                    "%(entries)s). Reverse the recognition entries first, then "
                    "reset the invoice to draft.",
                    move=recognised[0].move_id.display_name,
                    entries=", ".join(
                        recognised.recognition_move_id.mapped("display_name")
                    ),
                )
            )
        res = super().button_draft()
        lines.filtered(lambda line: line.state == "pending")._bookkeeping().write(
            {"state": "cancelled"}
        )
        self.line_ids._revenue_undo_deferral()
        self.line_ids._revenue_restore_cancelled()
        self.line_ids.sale_line_ids._revenue_with_allocated_orders()._revenue_sync_expected()
        self.filtered("revenue_recognition_entry")._revenue_release_lines()
        return res

    def button_cancel(self):
        pairs = self._revenue_accrual_pairs().filtered(
            lambda move: move.state != "cancel"
        )
        if pairs - self:
            # An accrual and its reversal are cancelled together.
            return (self | pairs).button_cancel()
        self._revenue_check_reversal_pair()
        res = super(
            AccountMove, self.with_context(revenue_accrual_cancel=bool(pairs))
        ).button_cancel()
        self.filtered("revenue_recognition_entry")._revenue_release_lines()
        return res

    def _revenue_check_reversal_pair(self):
        """Refuse resetting or cancelling a reversed recognition entry or its reversal.

        The reversal put the entry's schedule lines back to pending (and the
        next run may have recognised them again): resetting the entry would
        take its revenue back a second time, resetting the reversal would
        recognise it twice.
        """
        for move in self:
            reversals = move.reversal_move_ids.filtered(
                lambda reversal: reversal.state == "posted"
            )
            if move.revenue_recognition_entry and reversals:
                raise UserError(
                    self.env._(
                        "Revenue recognition entry %(entry)s was reversed by "
                        "%(reversal)s: resetting or cancelling it would take its "
                        "revenue back a second time. Leave both entries posted; to "
                        "recognise the revenue again, run Recognise Revenue.",
                        entry=move.display_name,
                        reversal=", ".join(reversals.mapped("display_name")),
                    )
                )
            original = move.reversed_entry_id
            if move.state == "posted" and original.revenue_recognition_entry:
                raise UserError(
                    self.env._(
                        "Entry %(entry)s reverses revenue recognition entry "
                        "%(original)s, whose schedule lines went back to pending: "
                        "resetting or cancelling it would recognise that revenue "
                        "twice. Leave it posted; to recognise the revenue again, run "
                        "Recognise Revenue.",
                        entry=move.display_name,
                        original=original.display_name,
                    )
                )

    def _revenue_check_lines_match(self):
        """The journal items of recognition entries match their schedule lines.

        Per entry, account and currency, the net balance (company currency)
        and amount in currency of the journal items equal what the linked
        schedule lines release: ``+amount`` on their deferred account,
        ``-amount`` on their income account. An entry edited in draft
        (amount, account) is refused, naming the entry and the account.
        Three grouped queries, whatever the number of lines.
        """
        moves = self.filtered("revenue_recognition_entry")
        if not moves:
            return
        expected = defaultdict(lambda: [0.0, 0.0])
        schedule_lines = self.env["revenue.recognition.line"].sudo()
        for account_field, sign in (
            ("deferred_account_id", 1),
            ("income_account_id", -1),
        ):
            for (
                move,
                account,
                currency,
                amount,
                amount_currency,
            ) in schedule_lines._read_group(
                [("recognition_move_id", "in", moves.ids)],
                ["recognition_move_id", account_field, "currency_id"],
                ["amount:sum", "amount_currency:sum"],
            ):
                totals = expected[(move, account, currency)]
                totals[0] += sign * amount
                totals[1] += sign * amount_currency
        actual = defaultdict(lambda: [0.0, 0.0])
        for move, account, currency, balance, amount_currency in (
            self.env["account.move.line"]
            .sudo()
            ._read_group(
                [
                    ("move_id", "in", moves.ids),
                    ("display_type", "not in", ("line_section", "line_note")),
                ],
                ["move_id", "account_id", "currency_id"],
                ["balance:sum", "amount_currency:sum"],
            )
        ):
            totals = actual[(move, account, currency)]
            totals[0] += balance
            totals[1] += amount_currency
        for key in sorted(
            expected.keys() | actual.keys(),
            key=lambda key: (key[0].id, key[1].id, key[2].id),
        ):
            move, account, currency = key
            want, have = expected.get(key, (0.0, 0.0)), actual.get(key, (0.0, 0.0))
            company_currency = move.company_id.currency_id
            if company_currency.compare_amounts(want[0], have[0]):
                shown_currency, want_amount, have_amount = (
                    company_currency,
                    want[0],
                    have[0],
                )
            elif currency.compare_amounts(want[1], have[1]):
                shown_currency, want_amount, have_amount = currency, want[1], have[1]
            else:
                continue
            raise UserError(
                self.env._(
                    "Revenue recognition entry %(entry)s does not match its schedule "
                    "lines on account %(account)s: its journal items give a balance "
                    "of %(actual)s, its schedule lines %(expected)s. Recognition "
                    "entries cannot be edited: delete this draft entry (its schedule "
                    "lines go back to pending) and run Recognise Revenue again.",
                    entry=move.display_name,
                    account=account.display_name,
                    actual=formatLang(
                        self.env, have_amount, currency_obj=shown_currency
                    ),
                    expected=formatLang(
                        self.env, want_amount, currency_obj=shown_currency
                    ),
                )
            )

    def _revenue_release_lines(self):
        """Put the schedule lines recognised by these entries back to pending."""
        if not self:
            return
        lines = (
            self.env["revenue.recognition.line"]
            .sudo()
            .search([("recognition_move_id", "in", self.ids), ("state", "=", "posted")])
        )
        lines._bookkeeping().write({"state": "pending", "recognition_move_id": False})
