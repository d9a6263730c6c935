"""Shared fixtures of the Odoo tests: a company with a chart, schedules, helpers."""

from odoo import Command, fields
from odoo.tools import float_compare

from odoo.addons.sale.tests.common import TestSaleCommon


class RevenueTestCommon(TestSaleCommon):
    """Products are taxed as in a real company (the company's default 15 %
    sales tax, from ``_create_product``): taxes must never reach the deferred
    account."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tax_sale = cls.company_data["default_tax_sale"]
        cls.company = cls.company_data["company"]
        cls.income_account = cls.company_data["default_account_revenue"]
        cls.receivable_account = cls.company_data["default_account_receivable"]
        cls.deferred_account = cls.company.revenue_deferred_account_id
        cls.revenue_journal = cls.company.revenue_journal_id
        cls.schedule_quarterly = cls._create_schedule(
            name="Quarterly",
            recognition_basis="occurrences",
            recognition_convention="next_month",
            occurrences=3,
        )
        cls.schedule_12m = cls._create_schedule(
            name="12M",
            recognition_basis="monthly",
            recognition_convention="actual_start",
            occurrences=12,
        )
        cls.product_service = cls._create_product(
            name="Support subscription",
            type="service",
            invoice_policy="order",
            lst_price=300.0,
            revenue_schedule_id=cls.schedule_quarterly.id,
        )

    @classmethod
    def _create_schedule(cls, **values):
        values.setdefault("company_id", cls.company_data["company"].id)
        return cls.env["revenue.schedule"].create(values)

    @classmethod
    def _create_order(cls, lines, partner=None, date_order="2025-11-18", **values):
        """A sale order; ``lines`` are (product, quantity, price, extra values)."""
        return cls.env["sale.order"].create(
            {
                "partner_id": (partner or cls.partner_a).id,
                "date_order": date_order,
                "order_line": [
                    Command.create(
                        {
                            "product_id": product.id,
                            "product_uom_qty": quantity,
                            "price_unit": price,
                            **(extra or {}),
                        }
                    )
                    for product, quantity, price, extra in lines
                ],
                **values,
            }
        )

    @classmethod
    def _create_invoice(
        cls, lines, invoice_date="2025-11-18", move_type="out_invoice", **values
    ):
        """A draft customer invoice; ``lines`` are (product, price, extra values)."""
        return cls.env["account.move"].create(
            {
                "move_type": move_type,
                "partner_id": cls.partner_a.id,
                "invoice_date": invoice_date,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": product.id,
                            "quantity": 1,
                            "price_unit": price,
                            **(extra or {}),
                        }
                    )
                    for product, price, extra in lines
                ],
                **values,
            }
        )

    def _invoice_order(self, order, invoice_date="2025-11-18"):
        invoice = order._create_invoices()
        invoice.invoice_date = invoice_date
        invoice.action_post()
        return invoice

    def _schedule(self, lines):
        """(date string, amount) pairs of revenue lines, in date order."""
        return [
            (fields.Date.to_string(line.recognition_date), line.amount)
            for line in lines.sorted(lambda rev: (rev.recognition_date, rev.id))
        ]

    def _deferred_balance(self, company=None, account=None):
        company = company or self.company
        account = account or company.revenue_deferred_account_id
        groups = self.env["account.move.line"]._read_group(
            [
                ("account_id", "=", account.id),
                ("company_id", "=", company.id),
                ("parent_state", "=", "posted"),
            ],
            aggregates=["balance:sum"],
        )
        return groups[0][0]

    def _pending_total(self, company=None):
        lines = self.env["revenue.recognition.line"].search(
            [
                ("company_id", "=", (company or self.company).id),
                ("state", "=", "pending"),
            ]
        )
        return sum(lines.mapped("amount"))

    def assertDeferredInvariant(self, company=None):
        """The deferred account's balance is minus the pending lines."""
        company = company or self.company
        self.assertAlmostEqual(
            self._deferred_balance(company), -self._pending_total(company), places=2
        )

    # --- the invariants of the books -------------------------------------------

    def assertBooks(self, company=None, after_run=False):
        """The invariants that must hold after any flow.

        - every posted scheduled invoice line: its schedule sums to its balance,
          in company and document currency;
        - every deferred account: its balance is minus the pending and held lines;
        - income booked by recognition entries equals the posted schedule lines
          (nothing released twice);
        - expected lines of an order line equal what Odoo says is still to invoice;
        - after a run (``after_run``), income recognised per customer never
          exceeds what was invoiced net.
        """
        company = company or self.company
        rev_model = self.env["revenue.recognition.line"].sudo()
        aml_model = self.env["account.move.line"].sudo()
        scheduled = aml_model.search(
            [
                ("company_id", "=", company.id),
                ("parent_state", "=", "posted"),
                # scheduled, or satisfied at a point in time (price allocation)
                "|",
                ("revenue_schedule_id", "!=", False),
                ("revenue_line_ids", "!=", False),
                ("revenue_income_account_id", "!=", False),
                ("display_type", "=", "product"),
            ]
        )
        for line in scheduled:
            # A cancellation stops the lines it cancels on the invoice line it
            # credits: they count with the credit note line that cancelled them.
            revs = line.revenue_line_ids.filtered(
                lambda r: r.state != "cancelled" or r.cancelled_by_move_line_id
            )
            stopped = rev_model.search([("cancelled_by_move_line_id", "=", line.id)])
            self.assertAlmostEqual(
                sum(revs.mapped("amount")) - sum(stopped.mapped("amount")),
                -line.balance,
                places=2,
                msg=line.name,
            )
            self.assertAlmostEqual(
                sum(revs.mapped("amount_currency"))
                - sum(stopped.mapped("amount_currency")),
                -line.amount_currency,
                places=2,
                msg=line.name,
            )
        live = rev_model.search([("company_id", "=", company.id)])
        deferred_accounts = live.deferred_account_id | scheduled.account_id
        for account in deferred_accounts:
            pending = live.filtered(
                lambda r, a=account: r.state == "pending" and r.deferred_account_id == a
            )
            self.assertAlmostEqual(
                self._deferred_balance(company, account),
                -sum(pending.mapped("amount")),
                places=2,
                msg=f"deferred account {account.code}",
            )
            # read by customer too (recognition entries in detail mode)
            for partner in live.partner_id:
                balance = sum(
                    aml_model.search(
                        [
                            ("account_id", "=", account.id),
                            ("partner_id", "=", partner.id),
                            ("parent_state", "=", "posted"),
                        ]
                    ).mapped("balance")
                )
                self.assertAlmostEqual(
                    balance,
                    -sum(
                        pending.filtered(lambda r, p=partner: r.partner_id == p).mapped(
                            "amount"
                        )
                    ),
                    places=2,
                    msg=f"deferred account {account.code} for {partner.name}",
                )
        posted = live.filtered(lambda r: r.state == "posted")
        self.assertEqual(
            len(posted), len(set(posted.ids)), "a schedule line is posted twice"
        )
        entries = posted.recognition_move_id.filtered(lambda m: m.state == "posted")
        income_lines = entries.line_ids.filtered(
            lambda aml: aml.account_id in posted.income_account_id
        )
        self.assertAlmostEqual(
            -sum(income_lines.mapped("balance")),
            sum(
                posted.filtered(lambda r: r.recognition_move_id in entries).mapped(
                    "amount"
                )
            ),
            places=2,
            msg="income booked differs from the posted schedule lines",
        )
        order_lines = (
            self.env["sale.order.line"]
            .sudo()
            .search(
                [("company_id", "=", company.id), ("revenue_schedule_id", "!=", False)]
            )
        )
        for sol in order_lines:
            expected = sol.revenue_line_ids.filtered(lambda r: r.state == "expected")
            # price concessions and cancellations are never to invoice again
            to_invoice = (
                sol.untaxed_amount_to_invoice - sol._revenue_credited_kept()
                if sol.state == "sale"
                else 0.0
            )
            if sol._revenue_is_allocated():
                # the allocation of the quantity to invoice in all (ordered or
                # delivered) minus what the posted invoices' schedules recognise
                allocated = sol.revenue_allocated_amount
                total = (
                    sol.qty_delivered
                    if sol.product_id.invoice_policy == "delivery"
                    else sol.product_uom_qty
                )
                # this obligation's lines on posted invoices (its own and
                # those other obligations' invoices carry for it)
                kept = sol.invoice_lines._revenue_credit_kept()
                invoiced = sol.revenue_line_ids.filtered(
                    lambda r, kept=kept: (
                        r.state != "cancelled"
                        and r.move_line_id.parent_state == "posted"
                        and r.move_line_id not in kept
                    )
                )
                to_invoice = sol.currency_id.round(
                    sol.currency_id.round(allocated * total / sol.product_uom_qty)
                    - sum(invoiced.mapped("amount_currency"))
                )
            self.assertAlmostEqual(
                sum(expected.mapped("amount_currency")),
                max(to_invoice, 0.0),
                places=2,
                msg=f"expected lines of {sol.name}",
            )
        self._assertAllocatedOrders(order_lines)
        accrual_account = company.revenue_unbilled_account_id
        if accrual_account:
            # Every posted accrual is reversed once, later: the unbilled
            # revenue account nets to zero once the last reversal date is past.
            accruals = (
                self.env["account.move"]
                .sudo()
                .search(
                    [
                        ("company_id", "=", company.id),
                        ("revenue_accrual", "=", True),
                        ("state", "=", "posted"),
                    ]
                )
            )
            for accrual in accruals:
                reversal = accrual.reversal_move_ids.filtered(
                    lambda move: move.state == "posted"
                )
                self.assertEqual(len(reversal), 1, f"reversals of {accrual.name}")
                self.assertGreater(reversal.date, accrual.date)
            self.assertAlmostEqual(
                self._deferred_balance(company, accrual_account),
                0.0,
                places=2,
                msg="unbilled revenue account",
            )
        if after_run:
            for partner in live.partner_id:
                mine = scheduled.filtered(
                    lambda aml, p=partner: aml.move_id.commercial_partner_id == p
                )
                recognised = sum(
                    posted.filtered(lambda r, p=partner: r.partner_id == p).mapped(
                        "amount"
                    )
                )
                # every invoice line's schedule adds up to what it billed,
                # price allocation included
                self.assertLessEqual(
                    round(recognised, 2), round(-sum(mine.mapped("balance")), 2)
                )

    def _assertAllocatedOrders(self, order_lines):
        """Orders that allocate their price by standalone selling prices.

        The allocated amounts add up to the untaxed total of the obligations.
        Once every obligation is invoiced (posted, without credit notes), each
        recognises its allocation (its own invoice lines and what the other
        obligations' invoice lines carry for it): over the whole order, what
        is recognised is what is invoiced.
        """
        for order in order_lines.order_id.filtered(
            lambda o: o.revenue_allocate and o.state == "sale"
        ):
            lines = order._revenue_allocation_lines()
            total = sum(lines.mapped("price_subtotal"))
            allocated = sum(lines.mapped("revenue_allocated_amount"))
            open_lines = lines.filtered(
                lambda sol: (
                    float_compare(
                        sol.qty_invoiced_posted,
                        sol.product_uom_qty,
                        precision_rounding=sol.product_uom.rounding,
                    )
                    != 0
                )
            )
            if open_lines or not lines.invoice_lines:
                # (a price changed once everything is invoiced has nothing
                # left to be allocated to)
                self.assertAlmostEqual(
                    allocated, total, places=2, msg=f"allocation of {order.name}"
                )
            invoice_lines = lines.invoice_lines.filtered(
                lambda aml: aml.parent_state == "posted"
            )
            if open_lines or invoice_lines.filtered(
                lambda aml: aml.move_id.move_type == "out_refund"
            ):
                continue
            for sol in lines:
                revs = sol.revenue_line_ids.filtered(
                    lambda r: r.state != "cancelled" and r.move_line_id
                )
                self.assertAlmostEqual(
                    sum(revs.mapped("amount_currency")),
                    sol.revenue_allocated_amount,
                    places=2,
                    msg=f"recognition of {sol.name}",
                )
