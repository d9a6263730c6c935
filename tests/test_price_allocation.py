"""Price allocation by standalone selling prices, through real flows.

Orders confirmed with ``action_confirm``, invoiced with the order's invoicing
wizard, credit notes made with the reversal wizard, revenue recognised with
the Recognise Revenue wizard; products taxed 15 %. Every figure is computed by
hand in the comment beside it.
"""

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common import RevenueTestCommon


@tagged("post_install", "-at_install")
class TestPriceAllocation(RevenueTestCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tax_account = cls.company_data["default_account_tax_sale"]
        cls._create_bundle_products()
        # Standalone prices 20, 30, 40: the first two from the sales price
        # (revenue_ssp left empty), the third set on the product.
        cls.product_a = cls._create_product(
            name="Bundle part A",
            type="service",
            invoice_policy="delivery",
            lst_price=20.0,
            revenue_schedule_id=cls.schedule_once.id,
        )
        cls.product_b = cls._create_product(
            name="Bundle part B",
            type="service",
            invoice_policy="delivery",
            lst_price=30.0,
            revenue_schedule_id=cls.schedule_once.id,
        )
        cls.product_c = cls._create_product(
            name="Bundle part C",
            type="service",
            invoice_policy="delivery",
            lst_price=55.0,
            revenue_ssp=40.0,
            revenue_schedule_id=cls.schedule_once.id,
        )

    # --- helpers ---------------------------------------------------------------

    def _bundle_order(self, lines, date_order="2025-11-18", allocate=True):
        """An order made in the form: ``lines`` are (product, quantity, price)."""
        with Form(self.env["sale.order"]) as order_form:
            order_form.partner_id = self.partner_a
            order_form.revenue_allocate = allocate
            for product, quantity, price in lines:
                with order_form.order_line.new() as line:
                    line.product_id = product
                    line.product_uom_qty = quantity
                    line.price_unit = price
        order = order_form.record
        order.date_order = date_order  # a technical field in the form
        return order

    def _invoice(self, order, invoice_date="2025-11-18"):
        """Invoice what is to invoice with the order's wizard, and post it."""
        before = order.invoice_ids
        wizard = (
            self.env["sale.advance.payment.inv"]
            .with_context(active_model="sale.order", active_ids=order.ids)
            .create({"advance_payment_method": "delivered"})
        )
        wizard.create_invoices()
        invoice = order.invoice_ids - before
        invoice.invoice_date = invoice_date
        invoice.action_post()
        return invoice

    def _refund(self, invoice, date="2025-12-15", treatment="return"):
        wizard = (
            self.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create(
                {
                    "date": date,
                    "journal_id": invoice.journal_id.id,
                    "revenue_credit_treatment": treatment,
                }
            )
        )
        refund = self.env["account.move"].browse(wizard.refund_moves()["res_id"])
        refund.action_post()
        return refund

    def _recognise(self, as_of):
        return self._run_wizard(as_of, grouping="detail")

    def _router_bundle_q1(self):
        """Router at 1,100.00 and support at 100.00 (allocated 800.00 and
        400.00) ordered and invoiced on 1 January 2026, January to March
        recognised (the support: 100.00): (order, support invoice line)."""
        order = self._bundle_order(
            [(self.hardware, 1, 1100.0), (self.support, 1, 100.0)],
            date_order="2026-01-01",
        )
        order.action_confirm()
        invoice = self._invoice(order, "2026-01-01")
        support = invoice.invoice_line_ids.sorted("sequence")[1]
        self._recognise("2026-03-31")
        self.assertAlmostEqual(self._income(self.support), 100.0)
        return order, support

    def _extend_support_cumulative(self, support):
        """The support invoice line of ``_router_bundle_q1`` extended on 1 April
        to 31 December 2027 with a cumulative catch-up: -12.50 on 1 April, then
        21 months, 75.00 pending in all; its split (own 100.00, nothing
        carried) is unchanged."""
        self._update_terms_wizard(
            support,
            change_date="2026-04-01",
            reason="Support extended",
            end_date="2027-12-31",
            method="cumulative",
        ).action_apply()
        self.assertEqual(self._split(support), (100.0, 0.0))
        pending = support.revenue_line_ids.filtered(
            lambda rev: rev.state == "pending"
        ).sorted("recognition_date")
        self.assertEqual(self._schedule(pending[:1]), [("2026-04-01", -12.5)])
        self.assertEqual(len(pending), 22)  # the catch-up and 21 months
        self.assertAlmostEqual(sum(pending.mapped("amount")), 75.0)
        self.assertBooks()

    def _income(self, product=None):
        """Income recognised (706), per product if given."""
        domain = [
            ("account_id", "=", self.income_account.id),
            ("parent_state", "=", "posted"),
        ]
        if product:
            domain.append(("product_id", "=", product.id))
        return -sum(self.env["account.move.line"].search(domain).mapped("balance"))

    def _expected(self, order):
        """Expected (signed backlog) amount per order line, in line order."""
        return [
            sum(
                line.revenue_line_ids.filtered(
                    lambda rev: rev.state == "expected"
                ).mapped("amount")
            )
            for line in order.order_line
        ]

    def _split(self, invoice_line):
        """(what an invoice line recognises for its own obligation, what it
        recognises for the order's other obligations)."""
        revs = invoice_line.revenue_line_ids.filtered(
            lambda rev: rev.state != "cancelled"
        )
        own = revs.filtered(
            lambda rev: rev.sale_line_id == invoice_line.sale_line_ids[:1]
        )
        return (
            round(sum(own.mapped("amount")), 2),
            round(sum((revs - own).mapped("amount")), 2),
        )

    def _by_date(self, lines):
        """(date string, amount) per recognition date, the lines of a date
        added up."""
        totals = {}
        for line in lines:
            day = line.recognition_date.isoformat()
            totals[day] = round(totals.get(day, 0.0) + line.amount, 2)
        return sorted(totals.items())

    # --- the KPMG bundle ---------------------------------------------------------

    @freeze_time("2026-01-15")
    def test_kpmg_bundle(self):
        """Standalone prices 20, 30, 40, the bundle sold for 80.

        80 × 20/90 = 17.777… → 17.78; running 80 × 50/90 = 44.444… → 44.44,
        so 44.44 − 17.78 = 26.66; running 80 → 80 − 44.44 = 35.56.
        Billed 40, 40, 0: A and B are sold above their allocation and carry
        40 − 17.78 = 22.22 and 40 − 26.66 = 13.34 for C, sold below it (C
        lacks 35.56 = 22.22 + 13.34): C recognises its allocation from them.
        """
        order = self._bundle_order(
            [
                (self.product_a, 1, 40.0),
                (self.product_b, 1, 40.0),
                (self.product_c, 1, 0.0),
            ]
        )
        order.action_confirm()
        self.assertEqual(
            order.order_line.mapped("revenue_allocated_amount"), [17.78, 26.66, 35.56]
        )
        # delivery policy: nothing delivered, nothing to invoice yet
        self.assertEqual(self._expected(order), [0.0, 0.0, 0.0])
        order.order_line.qty_delivered = 1
        self.assertEqual(self._expected(order), [17.78, 26.66, 35.56])
        self.assertBooks()
        invoice = self._invoice(order)
        # Dr 411 92.00 (80 + 15 % tax 12.00) / Cr 487 80.00 / Cr tax 12.00
        self.assertAlmostEqual(invoice.amount_total, 92.0)
        lines = invoice.invoice_line_ids.sorted("sequence")
        self.assertEqual(lines.account_id, self.deferred_account)
        self.assertEqual(lines.mapped("balance"), [-40.0, -40.0, 0.0])
        self.assertEqual(
            [self._split(line) for line in lines],
            [(17.78, 22.22), (26.66, 13.34), (0.0, 0.0)],
        )
        self.assertEqual(
            sum(order.order_line[2].revenue_line_ids.mapped("amount")), 35.56
        )
        self.assertEqual(self._expected(order), [0.0, 0.0, 0.0])
        self.assertBooks()
        # the differences carried must be balanced: no switching off now
        with self.assertRaisesRegex(UserError, order.name):
            order.revenue_allocate = False
        self._recognise("2025-11-30")
        # Dr 487 80.00 / Cr 706 17.78 (A) + 26.66 (B) + 35.56 (C)
        self.assertAlmostEqual(self._income(self.product_a), 17.78)
        self.assertAlmostEqual(self._income(self.product_b), 26.66)
        self.assertAlmostEqual(self._income(self.product_c), 35.56)
        self.assertAlmostEqual(self._income(), 80.0)
        # invoiced = recognised: nothing is left on 487
        self.assertAlmostEqual(self._deferred_balance(), 0.0)
        self.assertBooks(after_run=True)

    # --- a bundle with a 12-month support line -------------------------------------

    @freeze_time("2027-01-15")
    def test_bundle_with_support(self):
        """Router (standalone 1,000, recognised at once) and 12 months of
        support (standalone 500, its sales price), sold together for 1,200:
        1,100 for the router, 100 for the support.

        Allocation: 1,200 × 1,000/1,500 = 800.00 to the router, 1,200 − 800 =
        400.00 to the support, i.e. 400/12 = 33.333… a month, rounded
        cumulatively: 33.33, 33.34, 33.33, …
        Billed 1,100 and 100: the router carries 1,100 − 800 = 300.00 for the
        support, on the support's term (25.00 a month); the support recognises
        its own 100.00 (8.33, 8.34, 8.33, …): 33.33, 33.34, 33.33, … a month.
        """
        order = self._bundle_order(
            [(self.hardware, 1, 1100.0), (self.support, 1, 100.0)],
            date_order="2026-01-01",
        )
        order.action_confirm()
        self.assertEqual(
            order.order_line.mapped("revenue_allocated_amount"), [800.0, 400.0]
        )
        invoice = self._invoice(order, "2026-01-01")
        router, support = invoice.invoice_line_ids.sorted("sequence")
        self.assertEqual(self._split(router), (800.0, 300.0))
        self.assertEqual(self._split(support), (100.0, 0.0))
        support_lines = order.order_line[1].revenue_line_ids.filtered("move_line_id")
        self.assertEqual(
            self._by_date(support_lines)[:3],
            [("2026-01-01", 33.33), ("2026-02-01", 33.34), ("2026-03-01", 33.33)],
        )
        self.assertEqual(len(self._by_date(support_lines)), 12)
        self.assertFalse(invoice.revenue_line_ids.filtered("allocation_difference"))
        self.assertBooks()
        self._recognise("2026-03-31")
        # router 800.00 at once + support 33.33 + 33.34 + 33.33 = 900.00
        # (without allocation it would be 1,100 + 3 × 8.33 = 1,125.00)
        self.assertAlmostEqual(self._income(self.hardware), 800.0)
        self.assertAlmostEqual(self._income(self.support), 100.0)
        # 487: credited 1,200, released 900: 300 left = 9 × 33.33… of support
        self.assertAlmostEqual(self._deferred_balance(), -300.0)
        self.assertBooks(after_run=True)
        self._recognise("2026-12-31")
        self.assertAlmostEqual(self._income(self.support), 400.0)
        self.assertAlmostEqual(self._income(), 1200.0)
        self.assertAlmostEqual(self._deferred_balance(), 0.0)
        self.assertBooks(after_run=True)

    @freeze_time("2026-04-15")
    def test_term_change_keeps_the_allocation_difference(self):
        """The support line of the router bundle (allocated 400.00, billed
        100.00; the router carries 300.00 for it) is extended on 1 April 2026
        to 31 December 2027, i.e. 24 months from 1 January 2026.

        The support invoice line's own 100 is rescheduled: 100/24 = 4.1666… a
        month; due before 1 April = round(3 × 4.1666…) = 12.50; recognised
        Jan-Mar 25.00 (8.33 + 8.34 + 8.33): catch-up -12.50 on 1 April, then
        21 months, 87.50 in all. What the router carries (25.00 a month to
        December 2026) is the router invoice line's and is not changed here.
        """
        order, support = self._router_bundle_q1()
        self._extend_support_cumulative(support)
        self._recognise("2026-04-30")
        # 100.00 - 12.50 + (round(4 × 4.1666…) - 12.50 = 4.17) + 25.00 carried
        self.assertAlmostEqual(self._income(self.support), 116.67)
        self.assertBooks(after_run=True)
        self._recognise("2027-12-31")
        self.assertAlmostEqual(self._income(self.support), 400.0)
        self.assertAlmostEqual(self._income(), 1200.0)
        self.assertAlmostEqual(self._deferred_balance(), 0.0)
        self.assertBooks(after_run=True)

    def test_term_change_after_a_reallocation_keeps_what_was_billed(self):
        """A term change after the order was re-allocated reschedules what the
        invoice line carries, not a share computed again from the order.

        Router bundle invoiced on 1 January 2026: support allocated 400.00,
        billed 100.00, difference -300.00; January to March recognised
        (100.00). A second year of support is then ordered (quantity 1 -> 2,
        100.00 each): the order's total 1,100 + 200 = 1,300 less what is
        invoiced (800 + 400) leaves 100.00, all for the support's quantity not
        invoiced yet: the support's allocation becomes 400 + 100 = 500.00. The
        invoice line's own 100.00 are rescheduled as in the test above
        (catch-up -12.50 on 1 April, then 21 months); the second year, billed
        100.00, is allocated 100.00: nothing carried.
        """
        order, support = self._router_bundle_q1()
        order.order_line.filtered(
            lambda line: line.product_id == self.support
        ).product_uom_qty = 2
        self.assertEqual(
            order.order_line.mapped("revenue_allocated_amount"), [800.0, 500.0]
        )
        self.assertBooks()
        self._extend_support_cumulative(support)
        # the second year is invoiced at its allocation: 500 - 400 = 100.00,
        # billed 100.00, no difference
        second = self._invoice(order, "2026-04-01")
        self.assertEqual(self._split(second.invoice_line_ids), (100.0, 0.0))
        self.assertBooks()

    def test_reallocation_after_an_invoice_at_another_price(self):
        """A price typed on an invoice stays with that invoice line: a later
        re-allocation shares only what is left of the order.

        Router bundle: allocated 800.00 / 400.00. The invoice is replaced by one
        at 80 % ("reverse and create a new draft"): 880.00 and 80.00. Its
        differences follow the order prices (1,100 - 800 = +300.00, 100 - 400
        = -300.00): the router recognises 880 - 300 = 580.00 and carries 300.00
        for the support, which recognises its 80.00 and those 300.00: the
        price cut (220 + 20 = 240.00) is recognised on the lines themselves.
        A second support line (100.00) is then added: what is left
        of the order to allocate is 1,300 - (800 + 400) (the allocation the
        invoices consumed) = 100.00, all of it to the only line not invoiced.
        """
        order = self._bundle_order(
            [(self.hardware, 1, 1100.0), (self.support, 1, 100.0)],
            date_order="2026-01-01",
        )
        order.action_confirm()
        invoice = self._invoice(order, "2026-01-01")
        wizard = (
            self.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"date": "2026-01-05", "journal_id": invoice.journal_id.id})
        )
        new = self.env["account.move"].browse(wizard.modify_moves()["res_id"])
        for line in new.invoice_line_ids:
            line.price_unit = line.price_unit * 0.8
        new.invoice_date = "2026-01-05"
        new.action_post()
        hardware, support = new.invoice_line_ids.sorted("sequence")
        self.assertEqual(self._split(hardware), (580.0, 300.0))
        self.assertEqual(self._split(support), (80.0, 0.0))
        self.assertBooks()
        order.order_line = [
            Command.create(
                {
                    "product_id": self.support.id,
                    "product_uom_qty": 1,
                    "price_unit": 100.0,
                }
            )
        ]
        self.assertEqual(order.order_line[2].revenue_allocated_amount, 100.0)
        second = self._invoice(order, "2026-02-01")
        # billed 100.00, allocated 100.00: no difference
        self.assertEqual(self._split(second.invoice_line_ids), (100.0, 0.0))
        self._recognise("2027-12-31")
        # recognised 580 + 380 + 100 = 1,060.00 = 880 + 80 + 100 billed
        self.assertAlmostEqual(self._income(), 1060.0)
        self.assertAlmostEqual(self._deferred_balance(), 0.0)
        self.assertBooks(after_run=True)
        self.assertDeferredInvariant()

    # --- partial invoicing ------------------------------------------------------

    @freeze_time("2026-01-15")
    def test_partial_invoicing(self):
        """Two of each part: A 2 × 20, B 2 × 15, C 2 × 5 = 80.

        Weights 2 × 20 = 40, 2 × 30 = 60, 2 × 40 = 80 (sum 180): 80 × 40/180 =
        17.78; running 80 × 100/180 = 44.44 → 26.66; 80 − 44.44 = 35.56.
        """
        order = self._bundle_order(
            [
                (self.product_a, 2, 20.0),
                (self.product_b, 2, 15.0),
                (self.product_c, 2, 5.0),
            ]
        )
        order.action_confirm()
        self.assertEqual(
            order.order_line.mapped("revenue_allocated_amount"), [17.78, 26.66, 35.56]
        )
        line_a, line_b, line_c = order.order_line
        line_a.qty_delivered = 1
        line_c.qty_delivered = 1
        first = self._invoice(order, "2025-11-20")
        inv_a, inv_c = first.invoice_line_ids.sorted("sequence")
        # A: 17.78 × 1/2 = 8.89, billed 20.00: carries 11.11 for C (sold below
        # its allocation); C recognises its 5.00 billed and those 11.11
        self.assertEqual(self._split(inv_a), (8.89, 11.11))
        self.assertEqual(self._split(inv_c), (5.0, 0.0))
        # C's delivered unit is allocated 17.78: it bills 5.00 and A carries
        # 11.11 for it, 1.67 is still expected (B will carry it)
        self.assertEqual(self._expected(order), [0.0, 0.0, 1.67])
        self.assertBooks()
        self._recognise("2025-11-30")
        # 8.89 + 11.11 + 5.00 = 25.00 recognised, as billed: nothing waits
        self.assertAlmostEqual(self._income(), 25.0)
        self.assertAlmostEqual(self._income(self.product_c), 16.11)
        self.assertAlmostEqual(self._deferred_balance(), 0.0)
        self.assertBooks(after_run=True)
        (line_a | line_b | line_c).qty_delivered = 2
        # still to invoice: A 17.78 − 8.89, B all of it, C 35.56 − 16.11
        self.assertEqual(self._expected(order), [8.89, 26.66, 19.45])
        self.assertBooks()
        second = self._invoice(order, "2025-12-10")
        inv_a, inv_b, inv_c = second.invoice_line_ids.sorted("sequence")
        # A: 17.78 × 2/2 − 8.89 = 8.89, billed 20.00: carries 11.11 for C
        # B: 26.66, billed 30.00: carries 3.34 for C
        # C: recognises its 5.00 billed
        self.assertEqual(self._split(inv_a), (8.89, 11.11))
        self.assertEqual(self._split(inv_b), (26.66, 3.34))
        self.assertEqual(self._split(inv_c), (5.0, 0.0))
        self.assertEqual(self._expected(order), [0.0, 0.0, 0.0])
        # C: 5.00 + 11.11 + 5.00 + 11.11 + 3.34 = 35.56, its allocation
        self.assertAlmostEqual(
            sum(line_c.revenue_line_ids.filtered("move_line_id").mapped("amount")),
            35.56,
        )
        self.assertBooks()
        self._recognise("2025-12-31")
        # recognised = invoiced = 80; per product the allocations
        self.assertAlmostEqual(self._income(), 80.0)
        self.assertAlmostEqual(self._income(self.product_a), 17.78)
        self.assertAlmostEqual(self._income(self.product_b), 26.66)
        self.assertAlmostEqual(self._income(self.product_c), 35.56)
        self.assertAlmostEqual(self._deferred_balance(), 0.0)
        self.assertBooks(after_run=True)

    # --- credit notes ---------------------------------------------------------------

    @freeze_time("2026-01-15")
    def test_credit_note_mirrors_allocation(self):
        order = self._bundle_order(
            [
                (self.product_a, 1, 40.0),
                (self.product_b, 1, 40.0),
                (self.product_c, 1, 0.0),
            ]
        )
        order.action_confirm()
        order.order_line.qty_delivered = 1
        invoice = self._invoice(order)
        self._recognise("2025-11-30")
        self.assertAlmostEqual(self._income(), 80.0)
        refund = self._refund(invoice)
        # Dr 487 80.00 + Dr tax 12.00 / Cr 411 92.00; the schedules mirror the
        # invoice's: −17.78, −26.66, and what A and B carried for C, −22.22
        # and −13.34
        lines = refund.invoice_line_ids.sorted("sequence")
        self.assertEqual(lines.mapped("balance"), [40.0, 40.0, 0.0])
        self.assertEqual(
            [self._split(line) for line in lines],
            [(-17.78, -22.22), (-26.66, -13.34), (0.0, 0.0)],
        )
        # nothing invoiced any more: the whole allocation is backlog again
        self.assertEqual(self._expected(order), [17.78, 26.66, 35.56])
        self.assertBooks()
        self._recognise("2025-12-31")
        # the mirror takes the revenue back: 80 − 80 = 0, as invoiced net
        self.assertAlmostEqual(self._income(), 0.0)
        self.assertAlmostEqual(self._income(self.product_c), 0.0)
        self.assertAlmostEqual(self._deferred_balance(), 0.0)
        self.assertBooks(after_run=True)
        # nothing invoiced net any more: the allocation may be switched off,
        # the backlog is the lines' own prices again (40, 40, 0)
        order.revenue_allocate = False
        self.assertEqual(self._expected(order), [40.0, 40.0, 0.0])
        self.assertBooks(after_run=True)

    # --- changes after confirmation --------------------------------------------------

    def test_changes_reallocate_expected_lines(self):
        order = self._bundle_order(
            [
                (self.product_a, 1, 40.0),
                (self.product_b, 1, 40.0),
                (self.product_c, 1, 0.0),
            ]
        )
        order.action_confirm()
        order.order_line.qty_delivered = 1
        # C repriced at 10: 90 shared 20/30/40 of 90 = 20, 30, 40 exactly
        order.order_line[2].price_unit = 10.0
        self.assertEqual(
            order.order_line.mapped("revenue_allocated_amount"), [20.0, 30.0, 40.0]
        )
        self.assertEqual(self._expected(order), [20.0, 30.0, 40.0])
        self.assertBooks()
        # A new line (A again, free): weights 20, 30, 40, 20 (110) share 90:
        # 90 × 20/110 = 16.36; running 90 × 50/110 = 40.91 → 24.55;
        # running 90 × 90/110 = 73.64 → 32.73; 90 − 73.64 = 16.36
        order.order_line = [
            Command.create(
                {"product_id": self.product_a.id, "product_uom_qty": 1, "price_unit": 0}
            )
        ]
        self.assertEqual(
            order.order_line.mapped("revenue_allocated_amount"),
            [16.36, 24.55, 32.73, 16.36],
        )
        # the new line is not delivered yet: nothing of it to invoice
        self.assertEqual(self._expected(order), [16.36, 24.55, 32.73, 0.0])
        self.assertBooks()
        # Without allocation the backlog is the lines' own prices again.
        order.revenue_allocate = False
        self.assertEqual(order.order_line.mapped("revenue_allocated_amount"), [0.0] * 4)
        self.assertEqual(self._expected(order), [40.0, 40.0, 10.0, 0.0])
        self.assertBooks()

    @freeze_time("2026-01-15")
    def test_change_after_partial_invoicing(self):
        """What is invoiced keeps its allocation; a change shares the rest.

        KPMG bundle (17.78, 26.66, 35.56), A delivered and invoiced alone:
        recognises 17.78 of its 40.00 (difference 22.22). C is then repriced
        from 0 to 9: the order's total is 89, of which 89 − 17.78 = 71.22 is
        shared by B and C's quantities still to invoice, weights 30 and 40:
        71.22 × 30/70 = 30.522… → 30.52 for B, 71.22 − 30.52 = 40.70 for C.
        """
        order = self._bundle_order(
            [
                (self.product_a, 1, 40.0),
                (self.product_b, 1, 40.0),
                (self.product_c, 1, 0.0),
            ]
        )
        order.action_confirm()
        line_a, line_b, line_c = order.order_line
        line_a.qty_delivered = 1
        first = self._invoice(order)
        self.assertEqual(self._split(first.invoice_line_ids), (17.78, 22.22))
        line_c.price_unit = 9.0
        self.assertEqual(
            order.order_line.mapped("revenue_allocated_amount"), [17.78, 30.52, 40.70]
        )
        self.assertBooks()
        (line_b | line_c).qty_delivered = 1
        # C: 40.70 less the 22.22 A carries for it: 18.48 (9.00 it will bill
        # and 9.48 B will carry)
        self.assertEqual(self._expected(order), [0.0, 30.52, 18.48])
        second = self._invoice(order, "2025-12-01")
        inv_b, inv_c = second.invoice_line_ids.sorted("sequence")
        # B: billed 40.00, recognises 30.52 and carries 9.48 for C; C: billed
        # 9.00, recognises them and 9.48 + 22.22 (A's): 40.70
        self.assertEqual(self._split(inv_b), (30.52, 9.48))
        self.assertEqual(self._split(inv_c), (9.0, 0.0))
        self.assertAlmostEqual(
            sum(line_c.revenue_line_ids.filtered("move_line_id").mapped("amount")),
            40.70,
        )
        self.assertBooks()
        self._recognise("2025-12-31")
        # recognised = invoiced = 40 + 40 + 9 = 89
        self.assertAlmostEqual(self._income(), 89.0)
        self.assertAlmostEqual(self._deferred_balance(), 0.0)
        self.assertBooks(after_run=True)

    def test_not_allocated_order_is_unchanged(self):
        order = self._bundle_order(
            [(self.product_a, 1, 40.0), (self.product_b, 1, 40.0)], allocate=False
        )
        order.action_confirm()
        self.assertEqual(
            order.order_line.mapped("revenue_allocated_amount"), [0.0, 0.0]
        )
        order.order_line.qty_delivered = 1
        invoice = self._invoice(order)
        self.assertFalse(invoice.revenue_line_ids.filtered("allocation_difference"))
        self.assertEqual(
            [self._split(line) for line in invoice.invoice_line_ids.sorted("sequence")],
            [(40.0, 0.0), (40.0, 0.0)],
        )
        self.assertBooks()

    # --- configuration --------------------------------------------------------------

    def test_company_default_and_standalone_price(self):
        # the settings field writes through to the company
        self.env["res.config.settings"].create({"revenue_allocate_default": True})
        self.assertTrue(self.company.revenue_allocate_default)
        with Form(self.env["sale.order"]) as order_form:
            order_form.partner_id = self.partner_a
            self.assertTrue(order_form.revenue_allocate)
        self.company.revenue_allocate_default = False
        with Form(self.env["sale.order"]) as order_form:
            order_form.partner_id = self.partner_a
            self.assertFalse(order_form.revenue_allocate)
        # empty standalone price: the sales price; set: that price
        self.assertEqual(self.product_a._revenue_ssp(), 20.0)
        self.assertEqual(self.product_c._revenue_ssp(), 40.0)
        with Form(self.product_a.product_tmpl_id) as product_form:
            product_form.revenue_ssp = 25.0
        self.assertEqual(self.product_a._revenue_ssp(), 25.0)

    def test_standalone_price_leaves_out_an_included_tax(self):
        """Without a standalone price, the sales price without taxes: 1,150.00
        with a 15 % tax included is 1,000.00 (defect 5)."""
        tax_included = self.tax_sale.copy(
            {"name": "15 % included", "price_include_override": "tax_included"}
        )
        product = self._create_product(
            name="Router, tax included",
            lst_price=1150.0,
            taxes_id=[Command.set(tax_included.ids)],
            revenue_schedule_id=self.schedule_once.id,
        )
        self.assertAlmostEqual(product._revenue_ssp(self.company), 1000.0)
        # a price-excluded tax changes nothing: 20.00
        self.assertAlmostEqual(self.product_a._revenue_ssp(self.company), 20.0)

    # --- obligations without schedule -----------------------------------------------

    def _hardware_and_support(self):
        """Hardware without schedule (standalone 1,200, sold 1,200) and 12
        months of support (standalone 600, sold 300), from 1 January 2026.

        Allocation of 1,500 by 1,200 : 600: 1,000.00 and 500.00. The hardware
        is satisfied at its invoice date: 1,000 then; it carries 200.00 for the
        support, on the support's term (16.67 a month, rounded cumulatively);
        the support recognises its own 300 (25.00 a month): 41.67, 41.66, …
        """
        hardware = self._create_product(
            name="Firewall appliance",
            type="consu",
            invoice_policy="order",
            lst_price=1200.0,
        )
        support = self._create_product(
            name="Firewall support",
            type="service",
            invoice_policy="order",
            lst_price=600.0,
            revenue_schedule_id=self.schedule_12m.id,
        )
        order = self._bundle_order(
            [(hardware, 1, 1200.0), (support, 1, 300.0)], date_order="2026-01-01"
        )
        order.order_line[1].revenue_start_date = "2026-01-01"
        order.action_confirm()
        return order, hardware, support

    def test_point_in_time_obligation_in_a_bundle(self):
        order, hardware, support = self._hardware_and_support()
        self.assertEqual(
            order.order_line.mapped("revenue_allocated_amount"), [1000.0, 500.0]
        )
        # only the support is signed backlog over time: 500 expected
        self.assertEqual([round(x, 2) for x in self._expected(order)], [0.0, 500.0])
        invoice = self._invoice(order, "2026-01-01")
        line_hw, line_support = invoice.invoice_line_ids.sorted("sequence")
        # Dr 411 1,725.00 / Cr 487 1,200.00 + 300.00 / Cr tax 225.00
        self.assertEqual(line_hw.account_id, self.deferred_account)
        self.assertEqual(self._split(line_hw), (1000.0, 200.0))
        self.assertEqual(self._split(line_support), (300.0, 0.0))
        self.assertEqual(self._expected(order), [0.0, 0.0])
        self.assertBooks()
        self._recognise("2026-01-31")
        # hardware 1,000.00 at its invoice date; support 25.00 + 16.67
        self.assertAlmostEqual(self._income(hardware), 1000.0)
        self.assertAlmostEqual(self._income(support), 41.67)
        self.assertBooks(after_run=True)
        self._recognise("2026-12-31")
        self.assertAlmostEqual(self._income(hardware), 1000.0)
        self.assertAlmostEqual(self._income(support), 500.0)
        self.assertAlmostEqual(self._deferred_balance(), 0.0)
        self.assertFalse(
            order.order_line.revenue_line_ids.filtered(
                lambda rev: rev.state in ("pending", "expected")
            )
        )
        self.assertBooks(after_run=True)

    def test_crediting_one_line_of_a_bundle_leaves_nothing_deferred(self):
        """The hardware is returned in full: its credit mirrors what it
        recognised (−1,000 on its date) and what it carried (−200 on the
        support's term); the support recognises what it billed, 300."""
        order, hardware, support = self._hardware_and_support()
        invoice = self._invoice(order, "2026-01-01")
        self._recognise("2026-03-31")
        wizard = (
            self.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create(
                {
                    "date": "2026-04-15",
                    "journal_id": invoice.journal_id.id,
                    "revenue_credit_treatment": "return",
                }
            )
        )
        refund = self.env["account.move"].browse(wizard.refund_moves()["res_id"])
        refund.invoice_line_ids.filtered(
            lambda line: line.product_id == support
        ).unlink()
        refund.action_post()
        self.assertEqual(self._split(refund.invoice_line_ids), (-1000.0, -200.0))
        self._recognise("2026-12-31")
        self.assertAlmostEqual(self._income(hardware), 0.0)
        self.assertAlmostEqual(self._income(support), 300.0)
        self.assertAlmostEqual(self._deferred_balance(), 0.0)
        self.assertFalse(
            self.env["revenue.recognition.line"].search(
                [("state", "=", "pending"), ("order_id", "=", order.id)]
            )
        )
