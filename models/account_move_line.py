"""The invoice line's side of revenue: its term, its schedule, its deferral
and what its credit notes do.

About 700 lines, over the usual 500, because the add-on extends each Odoo
model in exactly one file (readme/DEVELOP.md, *Architecture*), and this is
all of ``account.move.line``: the line's fields, when it is scheduled and its
term (``_revenue_start``, ``_revenue_term``), its sources
(``_prepare_revenue_sources``), the deferral at posting (income moved to the
deferred account and back, ``_revenue_prepare_deferral``), advances and down
payments, holds carried to new lines, the entry points of changes of terms
(the work is in ``revenue_change.py``), and what a credit note line does to
revenue (price concession, cancellation, return) with the point-in-time
lines. The schedule maths are in the engine.
"""

from decimal import Decimal

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import frozendict

from ..engine import ScheduleLine
from .revenue_scheduled_line import RevenueSource

CREDIT_TREATMENTS = [
    ("price", "Price concession"),
    ("cancel", "Cancellation"),
    ("return", "Return"),
]


class AccountMoveLine(models.Model):
    _name = "account.move.line"
    _inherit = ["account.move.line", "revenue.scheduled.line.mixin"]

    revenue_start_date = fields.Date(
        help="Empty: the start typed on the order line, else the order's "
        "delivery date, else the invoice date. A credit note linked to an order "
        "line takes the term of that order line's invoice.",
    )
    revenue_income_account_id = fields.Many2one(
        "account.account",
        string="Income Account (before deferral)",
        copy=False,
        help="The income account this line would have credited without deferral "
        "(or, for a down payment, without the customer advances account); "
        "scheduled revenue is recognised into it.",
    )
    revenue_origin_line_id = fields.Many2one(
        "account.move.line",
        string="Reversed Invoice Line",
        copy=False,
        index="btree_not_null",
        help="The invoice line this credit note line reverses: its schedule "
        "mirrors that line's schedule, holds included.",
    )
    revenue_line_ids = fields.One2many(
        "revenue.recognition.line", "move_line_id", string="Revenue Lines"
    )
    revenue_allocation_difference = fields.Monetary(
        string="Billed Above Allocation",
        currency_field="currency_id",
        copy=False,
        readonly=True,
        help="Price allocation: what this line bills above (negative: below) "
        "the share of the order's price allocated to its quantity, cumulated "
        "with the order line's earlier invoices. A line billed above carries "
        "the difference for the order's other obligations.",
    )
    revenue_credit_treatment = fields.Selection(
        CREDIT_TREATMENTS,
        string="Credit Treatment",
        default="price",
        copy=False,
        help="What this credit note line does to the revenue of the line it "
        "credits. Price concession: the contract price falls, the credit spreads "
        "over the credited line's term (what was already recognised is caught up "
        "at the next run). Cancellation: the service stops on the cancel date, "
        "nothing is recognised after it and the difference is recognised on that "
        "date. Return: the order line is open again, to be invoiced again.",
    )
    revenue_cancel_date = fields.Date(
        copy=False,
        help="Cancellation: the day the service stops (empty: the credit note's date).",
    )

    @api.depends("product_id", "display_type", "move_id.move_type")
    def _compute_revenue_schedule_id(self):
        for line in self:
            if not line._revenue_is_eligible():
                line.revenue_schedule_id = False
            elif line.product_id:
                line.revenue_schedule_id = line.product_id.with_company(
                    line.company_id
                )._get_revenue_schedule()
            else:
                line.revenue_schedule_id = line.revenue_schedule_id

    def copy_data(self, default=None):
        vals_list = super().copy_data(default=default)
        if "move_reverse_cancel" in self.env.context:
            # A credit note mirrors the schedule it reverses: same term, same
            # income account, same holds; what the invoice already recognised is
            # caught up at the next run. The credit-note wizard says what it does
            # to revenue (price concession, cancellation or return).
            treatment = self.env.context.get("revenue_credit_treatment")
            cancel_date = self.env.context.get("revenue_cancel_date")
            for line, vals in zip(self, vals_list, strict=True):
                if treatment and line.move_id.move_type == "out_invoice":
                    vals.update(
                        revenue_credit_treatment=treatment,
                        revenue_cancel_date=cancel_date or False,
                    )
                if line.revenue_schedule_id and line.revenue_income_account_id:
                    start, end = line._revenue_term()
                    vals.update(
                        revenue_start_date=start,
                        revenue_end_date=end,
                        revenue_income_account_id=line.revenue_income_account_id.id,
                        revenue_origin_line_id=line.id,
                    )
            return vals_list
        # A duplicate is a new draft invoice: back to the income account.
        modify = self.env.context.get("include_business_fields")
        for line, vals in zip(self, vals_list, strict=True):
            if line.revenue_income_account_id:
                vals["account_id"] = line.revenue_income_account_id.id
            if modify and line.revenue_schedule_id and line.revenue_income_account_id:
                # "Reverse and create a new draft" corrects the invoice, not the
                # contract: the new line keeps the term the original really used.
                start, end = line._revenue_term()
                vals.update(revenue_start_date=start, revenue_end_date=end)
        return vals_list

    def _revenue_is_eligible(self):
        self.ensure_one()
        return self.display_type == "product" and self.move_id.move_type in (
            "out_invoice",
            "out_refund",
        )

    def _revenue_start_depends(self):
        return [
            "move_id.invoice_date",
            "move_id.date",
            "sale_line_ids.revenue_start_date",
            "sale_line_ids.order_id.commitment_date",
        ]

    def _revenue_label(self):
        self.ensure_one()
        return self.env._(
            "Invoice %(move)s, line '%(line)s'",
            move=self.move_id.display_name,
            line=self.name or self.product_id.display_name,
        )

    def _revenue_start(self):
        """Start of the term: typed on the line, else the order line's, else
        the order's delivery date, else the invoice date.

        A credit note line linked to an order line (not made from the invoice)
        takes the start of that order line's invoice instead of its own date.
        """
        self.ensure_one()
        if self.revenue_start_date:
            return self.revenue_start_date
        invoiced = self._revenue_invoiced_line()
        if invoiced:
            return invoiced._revenue_start()
        order_line = self.sale_line_ids[:1]
        return (
            order_line.revenue_start_date
            or fields.Date.to_date(order_line.order_id.commitment_date)
            or self.move_id.invoice_date
            or self.move_id.date
        )

    def _revenue_term(self):
        """(start, explicit end or False) that this line's schedule uses."""
        self.ensure_one()
        invoiced = not self.revenue_start_date and self._revenue_invoiced_line()
        if invoiced:
            return invoiced._revenue_term()
        return self._revenue_start(), self.revenue_end_date

    def _revenue_invoiced_line(self):
        """For a credit note line linked to an order line without a reversed
        invoice line: the first posted, scheduled invoice line of that order line."""
        self.ensure_one()
        if self.move_id.move_type != "out_refund" or self.revenue_origin_line_id:
            return self.browse()
        invoiced = self.sale_line_ids.invoice_lines.filtered(
            lambda line: (
                line.move_id.move_type == "out_invoice"
                and line.parent_state == "posted"
                and line.revenue_schedule_id
            )
        )
        return invoiced.sorted(lambda line: (line.move_id.invoice_date, line.id))[:1]

    def _revenue_deferred_lines(self):
        return self.filtered(
            lambda line: (
                (line.revenue_schedule_id or line._revenue_point_in_time())
                and line._revenue_is_eligible()
            )
        )

    def _revenue_point_in_time(self):
        """An invoice line without schedule of an obligation whose order
        allocates its price: satisfied at a point in time (its invoice date),
        it recognises its allocation then, and what it bills above it is
        deferred for the order's other obligations."""
        self.ensure_one()
        sale_line = self.sale_line_ids[:1]
        return bool(
            not self.revenue_schedule_id
            and not self.is_downpayment
            and sale_line
            and not sale_line.is_downpayment
            and sale_line._revenue_is_allocated()
        )

    def _prepare_revenue_sources(self):
        """Deferred invoice lines to schedule (amounts signed as revenue)."""
        sources = []
        for line in self:
            move = line.move_id
            start, end = line._revenue_term()
            if not line.revenue_schedule_id:
                # point in time: the invoice date (a credit note: the date of
                # the invoice line it reverses)
                origin = line.revenue_origin_line_id or line
                start = origin.move_id.invoice_date or origin.move_id.date
                end = False
            sources.append(
                RevenueSource(
                    record=line,
                    schedule=line.revenue_schedule_id,
                    start=start,
                    end=end,
                    currency=line.currency_id,
                    company=line.company_id,
                    amount_currency=-line.amount_currency,
                    amount=-line.balance,
                    values={
                        "state": "pending",
                        # invoicing counts from its accounting date (as the ledger)
                        "signed_date": min(move.date, fields.Date.context_today(self)),
                        "move_line_id": line.id,
                        "sale_line_id": line.sale_line_ids[:1].id,
                        "partner_id": move.commercial_partner_id.id,
                        "product_id": line.product_id.id,
                        "deferred_account_id": line.account_id.id,
                        "income_account_id": line.revenue_income_account_id.id,
                        "analytic_distribution": line.analytic_distribution,
                    },
                )
            )
        self.env["sale.order.line"]._revenue_apply_allocation(sources)
        return sources

    def _revenue_prepare_deferral(self):
        """Credit the deferred revenue account instead of income, before posting.

        The income account the line would have used is kept for recognition.
        Raises a UserError naming the line when something is missing.
        """
        swaps = {}
        for line in self:
            company = line.company_id
            label = line.name or line.product_id.display_name
            if line.revenue_schedule_id:
                deferred = line.revenue_schedule_id._get_deferred_account(
                    line.product_id, company
                )
            else:
                category_schedule = line.product_id.with_company(
                    company
                ).categ_id.revenue_schedule_id
                deferred = (
                    category_schedule.deferred_account_id
                    or company.revenue_deferred_account_id
                )
            if not deferred:
                raise UserError(
                    self.env._(
                        "Invoice %(move)s, line '%(line)s': no deferred revenue "
                        "account "
                        "for schedule %(schedule)s. Set one on the schedule or in "
                        "Accounting › Configuration › Settings › Revenue Recognition.",
                        move=line.move_id.display_name,
                        line=label,
                        schedule=line.revenue_schedule_id.display_name,
                    )
                )
            if not company.revenue_journal_id:
                raise UserError(
                    self.env._(
                        "Invoice %(move)s, line '%(line)s': company %(company)s has no "
                        "revenue recognition journal. Set one in Accounting › "
                        "Configuration › Settings › Revenue Recognition.",
                        move=line.move_id.display_name,
                        line=label,
                        company=company.display_name,
                    )
                )
            income = line._revenue_income_account(deferred)
            if not income or income == deferred:
                raise UserError(
                    self.env._(
                        "Invoice %(move)s, line '%(line)s': no income account to "
                        "recognise the revenue into. Set an income account on the "
                        "product or its category.",
                        move=line.move_id.display_name,
                        line=label,
                    )
                )
            swaps.setdefault((deferred, income), []).append(line)
        for (deferred, income), lines in swaps.items():
            lines = self.browse([line.id for line in lines])
            lines._revenue_swap_account(deferred, income)

    def _revenue_swap_account(self, account, income):
        """Move these lines to ``account``, keeping ``income`` for recognition.

        Tax, discount allocation and early payment discount lines are keyed by
        ``income`` (``_revenue_rekey`` and the invoice's tax base lines), so
        they never move with the line: re-synchronising the invoice would not
        change them, and is skipped. The account change would let analytic
        distribution models replace what the user set on the line: it is kept.
        """
        distributions = [line.analytic_distribution for line in self]
        self.with_context(skip_invoice_sync=True).write(
            {"account_id": account.id, "revenue_income_account_id": income.id or False}
        )
        for line, distribution in zip(self, distributions, strict=True):
            if line.analytic_distribution != distribution:
                line.analytic_distribution = distribution

    def _revenue_rekey(self, needed):
        """Key the dynamic lines derived from this line by its income account."""
        income = self.revenue_income_account_id
        if not needed or not income:
            return needed
        return {
            (
                frozendict({**key, "account_id": income.id})
                if key.get("account_id") == self.account_id.id
                else key
            ): values
            for key, values in needed.items()
        }

    def _compute_discount_allocation_needed(self):
        res = super()._compute_discount_allocation_needed()
        for line in self.filtered("revenue_income_account_id"):
            line.discount_allocation_needed = line._revenue_rekey(
                line.discount_allocation_needed
            )
        return res

    def _compute_epd_needed(self):
        res = super()._compute_epd_needed()
        for line in self.filtered("revenue_income_account_id"):
            line.epd_needed = line._revenue_rekey(line.epd_needed)
        return res

    def _revenue_advance_lines(self):
        """Down payment lines of orders with scheduled lines.

        Such a down payment is a customer advance, not revenue: it goes to the
        company's customer advances account, and the final invoice's deduction
        line takes it back from there; income comes only from the schedules.
        """
        return self.filtered(
            lambda line: (
                line.is_downpayment
                and line._revenue_is_eligible()
                and any(
                    order_line.revenue_schedule_id
                    and not order_line.is_downpayment
                    and not order_line.display_type
                    for order_line in line.sale_line_ids.order_id.order_line
                )
            )
        )

    def _revenue_prepare_advance(self):
        """Credit (or debit, for deductions) the customer advances account."""
        for company, lines in self.grouped("company_id").items():
            advance = company.revenue_advance_account_id
            if not advance:
                raise UserError(
                    self.env._(
                        "Invoice %(move)s: the down payment of an order with revenue "
                        "schedules is a customer advance, but company %(company)s "
                        "has no customer advances account. Set one in Accounting › "
                        "Configuration › Settings › Revenue Recognition.",
                        move=lines[0].move_id.display_name,
                        company=company.display_name,
                    )
                )
            by_income = lines.grouped(
                lambda line, advance=advance: line._revenue_income_account(advance)
            )
            for income, income_lines in by_income.items():
                income_lines._revenue_swap_account(advance, income)

    def _revenue_carry_holds(self, vals_list):
        """Holds that apply to new schedule lines, set in ``vals_list``.

        A line of the same period is held when it was still held when the
        invoice was last reset to draft (the hold survives the repost), or when
        it mirrors a held line of the invoice line a credit note reverses.
        """
        rev_model = self.env["revenue.recognition.line"]
        held = rev_model.search(
            [
                ("on_hold", "=", True),
                "|",
                "&",
                ("move_line_id", "in", self.ids),
                ("state", "=", "cancelled"),
                "&",
                ("move_line_id", "in", self.revenue_origin_line_id.ids),
                ("state", "=", "pending"),
            ],
            order="id",
        )
        if not held:
            return
        origin_of = {line.id: line.revenue_origin_line_id.id for line in self}
        by_period = {}
        for rev in held:
            # the latest reset wins: later lines overwrite earlier ones
            by_period[rev.move_line_id.id, rev.period_start] = rev
        for vals in vals_list:
            line_id = vals["move_line_id"]
            rev = by_period.get((line_id, vals["period_start"])) or by_period.get(
                (origin_of.get(line_id), vals["period_start"])
            )
            if not rev or vals.get("allocation_difference"):
                continue
            vals.update(
                on_hold=True,
                hold_reason=rev.hold_reason,
                hold_user_id=rev.hold_user_id.id,
                hold_date=rev.hold_date,
            )
        # Holds of cancelled lines are consumed by this repost: a later reset
        # brings back only what is held then.
        held.filtered(lambda rev: rev.state == "cancelled")._bookkeeping().write(
            {"on_hold": False}
        )

    def _revenue_income_account(self, target):
        """The income account of this line before it is moved to ``target``
        (already moved, e.g. reposted: the one kept, else the product's)."""
        self.ensure_one()
        if self.account_id != target:
            return self.account_id
        return self.revenue_income_account_id or self._revenue_product_income()

    def _revenue_product_income(self):
        """The income account of this line's product (the add-on's one rule)."""
        self.ensure_one()
        return self.env["revenue.recognition.line"]._income_account(
            self.product_id,
            self.company_id,
            self.move_id.fiscal_position_id,
            self.move_id.journal_id,
        )

    def _revenue_undo_deferral(self):
        """Back to the income account (invoice reset to draft)."""
        for income, lines in (
            self.filtered("revenue_income_account_id")
            .grouped("revenue_income_account_id")
            .items()
        ):
            lines._revenue_bookkeeping().write(
                {"account_id": income.id, "revenue_income_account_id": False}
            )

    def _create_analytic_lines(self):
        # Deferred revenue reaches analytic accounts when it is recognised, not twice.
        deferred = self.filtered("revenue_income_account_id")
        return super(AccountMoveLine, self - deferred)._create_analytic_lines()

    # --- contract changes (wizard/revenue_update_terms_wizard.py) -------------

    def action_revenue_update_terms(self):
        """Open the wizard that changes this invoice line's end date or schedule."""
        self.ensure_one()
        self.env["revenue.update.terms.wizard"].check_access("create")
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "revenue_recognition.action_revenue_update_terms_wizard"
        )
        action["context"] = {"default_move_line_id": self.id}
        return action

    def _revenue_write_terms(self, start, end, schedule):
        """Write a new term on posted invoice lines (contract change).

        Only the revenue term changes: the invoice's amounts, accounts and
        taxes stay as posted, so the invoice is not synchronised again. The
        start is written too, so that the term no longer follows the order
        line (or, for a credit note, the invoice it was linked to).
        """
        self._revenue_bookkeeping().with_context(skip_invoice_sync=True).write(
            {
                "revenue_start_date": start,
                "revenue_end_date": end or False,
                "revenue_schedule_id": schedule.id,
            }
        )

    def action_revenue_changes(self):
        """The changes of revenue terms of these lines (history), those of their
        order lines included."""
        return self.env["revenue.change"]._revenue_action(
            [
                "|",
                ("move_line_ids", "in", self.ids),
                ("sale_line_id", "in", self.sale_line_ids.ids),
            ]
        )

    def revenue_change_terms(
        self,
        change_date,
        end_date=None,
        schedule=None,
        method="prospective",
        reason=None,
    ):
        """Change the revenue terms of this invoice line from ``change_date``
        (see ``sale.order.line.revenue_change_terms``); the credit note lines
        that reverse it follow. A line of an order changes its order line: the
        order line is the obligation. Return the ``revenue.change``."""
        self.ensure_one()
        obligation = self.sale_line_ids[:1] or self
        return self.env["revenue.change"]._revenue_change_terms(
            obligation, change_date, end_date, schedule, method, reason
        )

    # --- credit notes: what they do to revenue --------------------------------

    def _revenue_credit_kept(self):
        """Posted credit note lines among ``self`` whose amount never comes back
        as revenue to invoice: price concessions and cancellations."""
        return self.filtered(
            lambda line: (
                line.parent_state == "posted"
                and line.move_id.move_type == "out_refund"
                and line.revenue_credit_treatment in ("price", "cancel")
                and line.display_type == "product"
            )
        )

    def _revenue_cancel_day(self):
        """The day a cancellation stops the service: the cancel date typed on the
        line, else the credit note's date."""
        self.ensure_one()
        return (
            self.revenue_cancel_date or self.move_id.invoice_date or self.move_id.date
        )

    def _revenue_cancel_targets(self):
        """The invoice lines a cancelling credit note line stops: the line it
        reverses, else the posted scheduled invoice lines of its order lines."""
        self.ensure_one()
        if self.revenue_origin_line_id:
            return self.revenue_origin_line_id
        return self.sale_line_ids.invoice_lines.filtered(
            lambda line: (
                line.move_id.move_type == "out_invoice"
                and line.parent_state == "posted"
                and line.revenue_schedule_id
                and line.revenue_income_account_id
            )
        )

    def _revenue_cancel_vals_list(self, sources):
        """Schedule lines of cancelling credit note lines (``sources``: theirs).

        The credited invoice lines recognise nothing after the cancel date:
        their pending lines dated after it are cancelled (that day, by this
        credit note line). What was recognised before is kept. The credit
        differs from what was cancelled by what the customer keeps paying for
        (a fee, positive) or gets back of revenue already recognised
        (negative): one line on the cancel date recognises that difference.
        """
        today = fields.Date.context_today(self)
        vals_list = []
        for source in sources:
            line = source.record
            day = line._revenue_cancel_day()
            stopped = line._revenue_cancel_targets().revenue_line_ids.filtered(
                lambda rev, day=day: (
                    rev.state == "pending"
                    and rev.recognition_date > day
                    and not rev.allocation_difference
                )
            )
            amount = source.company.currency_id.round(
                source.amount + sum(stopped.mapped("amount"))
            )
            amount_currency = source.currency.round(
                source.amount_currency + sum(stopped.mapped("amount_currency"))
            )
            stopped._bookkeeping().write(
                {
                    "state": "cancelled",
                    "cancel_date": today,
                    "cancelled_by_move_line_id": line.id,
                }
            )
            schedule_lines = []
            if not (
                source.company.currency_id.is_zero(amount)
                and source.currency.is_zero(amount_currency)
            ):
                schedule_lines.append(
                    ScheduleLine(
                        sequence=0,
                        recognition_date=day,
                        period_start=day,
                        period_end=day,
                        amount_currency=Decimal(str(amount_currency)),
                        amount=Decimal(str(amount)),
                    )
                )
            line_vals = line._prepare_revenue_line_vals(source, schedule_lines)
            for vals in line_vals:
                # a catch-up on one day, never revenue of a month
                vals["mrr_amount"] = 0.0
            vals_list.extend(line_vals)
        return vals_list

    def _revenue_restore_cancelled(self):
        """A cancelling credit note reset to draft: the lines it cancelled are
        pending again."""
        lines = (
            self.env["revenue.recognition.line"]
            .sudo()
            .search(
                [
                    ("cancelled_by_move_line_id", "in", self.ids),
                    ("state", "=", "cancelled"),
                ]
            )
        )
        lines._bookkeeping().write(
            {
                "state": "pending",
                "cancel_date": False,
                "cancelled_by_move_line_id": False,
            }
        )

    def _revenue_point_vals_list(self, sources):
        """Schedule lines of sources without schedule (obligations satisfied at
        a point in time): all of the source on its start date."""
        vals_list = []
        for source in sources:
            schedule_lines = []
            if not (
                source.company.currency_id.is_zero(source.amount)
                and source.currency.is_zero(source.amount_currency)
            ):
                schedule_lines.append(
                    ScheduleLine(
                        sequence=0,
                        recognition_date=source.start,
                        period_start=source.start,
                        period_end=source.start,
                        amount_currency=Decimal(str(source.amount_currency)),
                        amount=Decimal(str(source.amount)),
                    )
                )
            line_vals = source.record._prepare_revenue_line_vals(source, schedule_lines)
            for vals in line_vals:
                vals["mrr_amount"] = 0.0
            vals_list.extend(line_vals)
        return vals_list
