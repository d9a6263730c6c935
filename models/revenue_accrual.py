"""Unbilled (accrued) revenue: due expected lines accrued at a date, reversed the next.

This file extends ``revenue.recognition.line`` after the recognition run it
reuses (``revenue_recognition_posting.py``: entry values, dates out of locked
periods); nothing there calls back here. Entry point: ``_accrue(as_of, ...)``,
used by the Recognise Revenue wizard (option *Accrue unbilled revenue*) and
by the daily cron after each month end (``revenue_month_end.py``).

What is accrued: the ``expected`` lines (confirmed orders, not invoiced yet)
dated up to the as-of date, not on hold and not of a schedule that holds
automatically (their revenue would wait for a release once invoiced), summed
per order line. Entries: Dr unbilled revenue account (418) / Cr the income
account the invoice will use (706), ``detail`` or ``summary`` like the
recognition entries, dated the as-of date (the first open date when it is
locked), and their reversal the next day, both posted. The expected lines stay
expected: the invoice replaces them as usual and defers its revenue.

Never twice for a date: an order line accrued by a posted accrual of the same
as-of date (``account.move.revenue_accrual_sale_line_ids``) is left out, even
when its expected lines were replaced since. Accrued lines get
``accrual_move_id``: the write makes a concurrent run locking the same rows
fail with a serialization error and try again, seeing this run's entries.
"""

import logging
from datetime import datetime, time, timedelta
from decimal import Decimal

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_date

from ..engine import to_decimal
from ..engine.grouping import RecognitionItem, plan_entries
from .revenue_recognition_posting import RecognitionResult

_logger = logging.getLogger(__name__)


class RevenueRecognitionLine(models.Model):
    """The unbilled revenue accrual of ``revenue.recognition.line``."""

    _inherit = "revenue.recognition.line"

    accrual_move_id = fields.Many2one(
        "account.move",
        string="Last Accrual Entry",
        index="btree_not_null",
        copy=False,
        help="The last entry that accrued this expected line as unbilled revenue.",
    )

    @api.model
    def _get_accrual_domain(self, as_of, held=False):
        """The expected lines an accrual as of ``as_of`` takes (``held``: skips).

        Lines of order lines already accrued for that date are not excluded
        here: see ``_accrued_sale_lines``.
        """
        domain = [
            ("state", "=", "expected"),
            ("recognition_date", "<=", as_of),
            # orders confirmed (dated) on or before the as-of date
            ("order_id.date_order", "<=", datetime.combine(as_of, time.max)),
        ]
        if held:
            return domain + [
                "|",
                ("on_hold", "=", True),
                ("schedule_id.automatic_hold", "=", True),
            ]
        return domain + [
            ("on_hold", "=", False),
            ("schedule_id.automatic_hold", "=", False),
        ]

    @api.model
    def _accrued_sale_lines(self, as_of):
        """Order lines accrued by a posted accrual of the as-of date ``as_of``."""
        return (
            self.env["account.move"]
            .sudo()
            .search(
                [
                    ("revenue_accrual", "=", True),
                    ("revenue_accrual_date", "=", as_of),
                    ("state", "=", "posted"),
                ]
            )
            .revenue_accrual_sale_line_ids
        )

    @api.model
    def _get_accrual_todo_domain(self, as_of):
        """What an accrual as of ``as_of`` would write: due, not held, not done."""
        return self._get_accrual_domain(as_of) + [
            ("sale_line_id", "not in", self._accrued_sale_lines(as_of).ids)
        ]

    @api.model
    def _accrue(self, as_of, grouping="detail", domain=None):
        """Accrue the due expected lines matching ``domain``; one entry per company
        (more when it exceeds *Schedule lines per entry*) and its reversal.

        :return: ``RecognitionResult``: ``line_count`` expected lines accrued,
            ``amounts`` per company, ``move_ids`` accruals and reversals,
            ``held_count``, ``locked_count``, ``date_shifts``
        """
        as_of = fields.Date.to_date(as_of)
        domain = list(domain or [])
        result = RecognitionResult(
            held_count=self.search_count(
                self._get_accrual_domain(as_of, held=True) + domain
            )
        )
        lines = self.search(
            self._get_accrual_todo_domain(as_of) + domain,
            order="company_id, sale_line_id, recognition_date, id",
        )
        for company, company_lines in lines.grouped("company_id").items():
            result.merge(
                company_lines.with_company(company)._accrue_company(
                    company, as_of, grouping
                )
            )
        return result

    def _lock_for_accrual(self, as_of):
        """Lock the rows of ``self`` still to accrue as of ``as_of``; return
        them (``_lock_rows``), without the order lines accrued meanwhile."""
        done = self._accrued_sale_lines(as_of)
        return self._lock_rows(self._get_accrual_domain(as_of)).filtered(
            lambda line: line.sale_line_id not in done
        )

    def _accrue_company(self, company, as_of, grouping):
        """Accrue the lines of ``self`` (all of ``company``): create, link, post,
        reverse the next day, post."""
        journal = company.revenue_journal_id
        account = company.revenue_unbilled_account_id
        if not journal or not account:
            raise UserError(
                self.env._(
                    "Company %(company)s has no revenue recognition journal or no "
                    "unbilled revenue account. Set them in Accounting › Configuration "
                    "› Settings › Revenue Recognition.",
                    company=company.display_name,
                )
            )
        lines = self._lock_for_accrual(as_of)
        result = RecognitionResult(locked_count=len(self) - len(lines))
        if not lines:
            return result
        date_map = self._recognition_date_map(company, journal, {as_of})
        if date_map:
            raise UserError(
                self.env._(
                    "Company %(company)s: unbilled revenue cannot be accrued as of "
                    "%(date)s, which is in a locked period. Accrue as of a date in "
                    "an open period, or change the lock date in Accounting › "
                    "Configuration › Settings.",
                    company=company.display_name,
                    date=format_date(self.env, as_of),
                )
            )
        accrual_date = as_of
        reversal_date = accrual_date + timedelta(days=1)
        reversal_map = self._recognition_date_map(company, journal, {reversal_date})
        result.date_shifts = sorted(date_map.items()) + sorted(reversal_map.items())
        reversal_date = reversal_map.get(reversal_date, reversal_date)
        by_sale_line = lines.grouped("sale_line_id")
        items = self._accrual_items(by_sale_line, account, as_of, company)
        max_items = max(company.revenue_max_lines_per_entry, 1)
        plans = plan_entries(
            items, grouping=grouping, max_items=max_items, date_map=date_map
        )
        moves = (
            self.env["account.move"]
            ._revenue_bookkeeping()
            .create(
                [
                    self._prepare_accrual_move_vals(plan, journal, as_of)
                    for plan in plans
                ]
            )
            .with_env(self.env)
        )
        for move, plan in zip(moves, plans, strict=True):
            self.browse(
                [line.id for key in plan.keys for line in by_sale_line[key]]
            )._bookkeeping().write({"accrual_move_id": move.id})
        moves._post(soft=False)
        reversals = moves._reverse_moves(
            [
                {
                    "date": reversal_date,
                    "ref": self.env._(
                        "Reversal of %(entry)s", entry=move.ref or move.name
                    ),
                }
                for move in moves
            ]
        )
        reversals._post(soft=False)
        return result.add(
            company.id,
            moves | reversals,
            line_count=len(lines),
            amount=float(sum(plan.amount for plan in plans)),
        )

    @api.model
    def _accrual_items(self, by_sale_line, account, as_of, company=None):
        """Engine inputs: one item per order line, the sum of its due lines.

        :param by_sale_line: {sale.order.line: its expected lines to accrue}

        In a foreign currency the amount in company currency is that of the
        as-of date's rate (the month end's), not the order date's.
        """
        company = company or self.env.company
        incomes = self._accrual_income_accounts(
            self.env["sale.order.line"].union(*by_sale_line)
        )
        items = []
        for sale_line, lines in by_sale_line.items():
            first = lines[0]
            amount_currency = sum(
                (
                    to_decimal(first.currency_id.round(line.amount_currency))
                    for line in lines
                ),
                Decimal(0),
            )
            if first.currency_id == first.company_currency_id:
                amount = amount_currency
            else:
                amount = to_decimal(
                    first.currency_id._convert(
                        float(amount_currency),
                        first.company_currency_id,
                        company,
                        as_of,
                    )
                )
            items.append(
                RecognitionItem(
                    key=sale_line,
                    date=as_of,
                    deferred_account_id=account.id,
                    income_account_id=incomes[sale_line].id,
                    currency_id=first.currency_id.id,
                    amount=amount,
                    amount_currency=amount_currency,
                    partner_id=first.partner_id.id or None,
                    product_id=first.product_id.id or None,
                    analytic_distribution=first.analytic_distribution or None,
                    label=f"{sale_line.order_id.name} · {sale_line.product_id.name}",
                )
            )
        return items

    @api.model
    def _accrual_income_accounts(self, sale_lines, raise_if_missing=True):
        """{order line: the income account its invoice line will credit}.

        ``_income_account`` with the order's fiscal position and invoicing
        journal.
        Without any, a UserError naming the order line (``raise_if_missing``),
        else an empty account.
        """
        incomes = {}
        for sale_line in sale_lines:
            company = sale_line.company_id
            order = sale_line.order_id
            income = self._income_account(
                sale_line.product_id,
                company,
                order.fiscal_position_id,
                order.journal_id,
            )
            if not income and raise_if_missing:
                raise UserError(
                    self.env._(
                        "Order %(order)s, line '%(line)s': no income account to "
                        "accrue its unbilled revenue into. Set an income account on "
                        "the product or its category.",
                        order=order.display_name,
                        line=sale_line.name,
                    )
                )
            incomes[sale_line] = income
        return incomes

    @api.model
    def _prepare_accrual_move_vals(self, plan, journal, as_of):
        """``account.move`` values of one accrual entry: a recognition entry's
        values (``_prepare_recognition_move_vals``) with its own flag and labels.

        The "deferred" side of the plan is the unbilled revenue account.
        """
        vals = self._prepare_recognition_move_vals(plan, journal)
        period = format_date(self.env, as_of, date_format="MMMM y")
        ref = self.env._(
            "Unbilled revenue accrued %(date)s", date=format_date(self.env, as_of)
        )
        if plan.parts > 1:
            ref = f"{ref} ({plan.part}/{plan.parts})"
        vals.update(
            {
                "ref": ref,
                "revenue_recognition_entry": False,
                "revenue_accrual": True,
                "revenue_accrual_date": as_of,
                "revenue_accrual_sale_line_ids": [
                    Command.set([sale_line.id for sale_line in plan.keys])
                ],
            }
        )
        for command, line in zip(vals["line_ids"], plan.lines, strict=True):
            if line.kind == "deferred":
                command[2]["name"] = self.env._(
                    "Unbilled revenue %(period)s", period=period
                )
            elif not line.label:
                command[2]["name"] = self.env._(
                    "Accrued revenue %(period)s", period=period
                )
        return vals
