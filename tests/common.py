"""Shared fixtures of the Odoo tests: a company with a chart, schedules, helpers.

Each set-up the test files share is written here once: the products
(``_create_annual_product``, ``_create_bundle_products``), orders and
invoices, the month-end runs (by the model, ``_recognise_as_of``; by the
wizard, ``_run_wizard``), the income of a period, and the delivery flow
(``DeliveryTestCommon``).
"""

from datetime import date

from dateutil.relativedelta import relativedelta
from freezegun import freeze_time

from odoo import Command, fields
from odoo.tests import Form, new_test_user
from odoo.tools import float_compare

from odoo.addons.sale.tests.common import TestSaleCommon

# The reference change date of the tests of changes of terms.
APRIL = "2026-04-01"


def monthly(first, count, amount):
    """(date string, amount) of ``count`` lines on the 1st from ``first``."""
    start = date.fromisoformat(first)
    return [
        ((start + relativedelta(months=k)).isoformat(), amount) for k in range(count)
    ]


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
        cls.line_model = cls.env["revenue.recognition.line"]
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
    def _create_annual_product(cls, name="Annual support", lst_price=1200.0):
        """A service recognised over 12 months (``schedule_12m``)."""
        return cls._create_product(
            name=name,
            type="service",
            invoice_policy="order",
            lst_price=lst_price,
            revenue_schedule_id=cls.schedule_12m.id,
        )

    @classmethod
    def _create_bundle_products(cls):
        """The router and its support, sold together with price allocation.

        ``schedule_once`` recognises at once; the router (standalone price
        1,000.00 set on the product, sales price 1,200.00) is recognised at
        once, the support (standalone price its sales price, 500.00, untaxed:
        the company's 15 % sales tax is excluded) over 12 months.
        """
        cls.schedule_once = cls._create_schedule(
            name="At once",
            recognition_basis="occurrences",
            recognition_convention="actual_start",
            occurrences=1,
        )
        cls.hardware = cls._create_product(
            name="Router",
            type="consu",
            invoice_policy="order",
            lst_price=1200.0,
            revenue_ssp=1000.0,
            revenue_schedule_id=cls.schedule_once.id,
        )
        cls.support = cls._create_product(
            name="Router support, 12 months",
            type="service",
            invoice_policy="order",
            lst_price=500.0,
            revenue_schedule_id=cls.schedule_12m.id,
        )

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

    def _recognise_as_of(self, as_of, **kwargs):
        """Recognise this company's lines due by ``as_of`` through the model."""
        kwargs.setdefault("domain", [("company_id", "=", self.company.id)])
        return self.line_model._recognise(fields.Date.to_date(as_of), **kwargs)

    def _run_wizard(self, as_of, user=None, **values):
        """The Recognise Revenue wizard as of ``as_of``, filled in and run
        (as ``user`` if given); ``values`` are its other fields."""
        model = self.env["revenue.recognition.wizard"]
        wizard_form = Form(model.with_user(user) if user else model)
        wizard_form.date = as_of
        for name, value in values.items():
            setattr(wizard_form, name, value)
        wizard = wizard_form.save()
        wizard.action_create_journal()
        return wizard

    def _update_terms_wizard(self, line, change_date=APRIL, reason="Amendment", **new):
        """Change Revenue Terms as the invoice line's button opens it, filled in
        (``new``: its other fields), not applied."""
        action = line.action_revenue_update_terms()
        self.assertEqual(action["res_model"], "revenue.update.terms.wizard")
        wizard_form = Form(
            self.env["revenue.update.terms.wizard"].with_context(**action["context"])
        )
        wizard_form.change_date = change_date
        wizard_form.reason = reason
        for name, value in new.items():
            setattr(wizard_form, name, value)
        return wizard_form.save()

    def _revs(self, records, state):
        """The revenue lines of ``records`` in ``state``."""
        return records.revenue_line_ids.filtered(lambda rev: rev.state == state)

    def _income_between(self, first, last, account=None):
        """Income booked from ``first`` to ``last`` (positive = revenue)."""
        lines = self.env["account.move.line"].search(
            [
                ("account_id", "=", (account or self.income_account).id),
                ("parent_state", "=", "posted"),
                ("date", ">=", first),
                ("date", "<=", last),
            ]
        )
        return -sum(lines.mapped("balance"))

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


class DeliveryTestCommon(RevenueTestCommon):
    """The delivery basis: a schedule on delivery, a sales manager, a salesman
    and a revenue accountant; the flows of ``test_delivery.py`` (delivered
    quantities typed) and ``test_delivery_stock.py`` (real pickings)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.schedule_delivery = cls._create_schedule(
            name="On delivery",
            recognition_basis="delivery",
            recognition_convention="actual_start",
            occurrences=1,
        )
        cls.sales_manager = new_test_user(
            cls.env,
            login="rr_delivery_sales_manager",
            groups="sales_team.group_sale_manager",
            company_id=cls.company.id,
        )
        cls.salesman = new_test_user(
            cls.env,
            login="rr_delivery_salesman",
            groups="sales_team.group_sale_salesman_all_leads",
            company_id=cls.company.id,
        )
        cls.accountant = new_test_user(
            cls.env,
            login="rr_delivery_accountant",
            groups="account.group_account_manager,"
            "revenue_recognition.group_revenue_manager",
            company_id=cls.company.id,
        )

    def _product(self, name, policy="order", schedule=None, price=100.0):
        # A service whose delivered quantity users type (milestones); taxed 15 %.
        return self._create_product(
            name=name,
            type="service",
            invoice_policy=policy,
            lst_price=price,
            revenue_schedule_id=(schedule or self.schedule_delivery).id,
        )

    def _deliver(self, order, quantity):
        """Type the delivered quantity of the order's first line, as a salesman."""
        with Form(order.with_user(self.sales_manager)) as order_form:
            with order_form.order_line.edit(0) as line_form:
                line_form.qty_delivered = quantity

    def _invoice(self, order, invoice_date):
        return self._invoice_order(order.with_user(self.sales_manager), invoice_date)

    def _run(self, as_of, accrue=False):
        """The Recognise Revenue wizard, as the revenue accountant."""
        return self._run_wizard(as_of, user=self.accountant, accrue_unbilled=accrue)

    def _month_end(self, as_of, income, accrue=False):
        """The month-end run on ``as_of`` (a date, the time frozen on it); the
        month's income is ``income``. Returns the wizard."""
        with freeze_time(as_of):
            wizard = self._run(as_of, accrue=accrue)
        self.assertEqual(self._income_between(as_of.replace(day=1), as_of), income)
        return wizard

    def _ordered_upfront(self, product):
        """10 at 100.00 ordered on 5 January 2026 for delivery by 30 April,
        invoiced in full on 10 January (1,000.00 untaxed): (order, invoice)."""
        with freeze_time("2026-01-10"):
            order = self._create_order(
                [(product, 10, 100.0, {})],
                date_order="2026-01-05",
                commitment_date="2026-04-30",
            )
            order.action_confirm()
            invoice = self._invoice(order, "2026-01-10")
        return order, invoice

    def _ordered(self, product):
        """10 at 100.00 ordered and confirmed on 5 January 2026, not invoiced."""
        with freeze_time("2026-01-05"):
            order = self._create_order(
                [(product, 10, 100.0, {})], date_order="2026-01-05"
            )
            order.action_confirm()
        return order

    def _lines(self, record, states=("pending", "posted")):
        revs = record.revenue_line_ids.filtered(lambda rev: rev.state in states)
        return [
            (
                rev.recognition_date and str(rev.recognition_date),
                rev.amount,
                rev.state,
                rev.awaiting_delivery,
            )
            for rev in revs.sorted(
                lambda rev: (rev.awaiting_delivery, rev.recognition_date, rev.id)
            )
        ]
