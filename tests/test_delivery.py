"""Delivered and performed: the delivery basis, the accrual of what is
delivered before it is invoiced, and the release events.

These tests type delivered quantities on services (milestones), as users do
without ``sale_stock``; ``test_delivery_stock.py`` runs the same flow through
real pickings when ``sale_stock`` is installed.
"""

from datetime import date

from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import Form, new_test_user, tagged

from .common import DeliveryTestCommon


@tagged("post_install", "-at_install")
class TestDeliveryBasis(DeliveryTestCommon):
    def test_invoiced_upfront_recognised_as_delivered(self):
        """10 units at 100 invoiced in January (1,000 untaxed, 1,150 with 15 %
        tax): 4 delivered on 15 March -> March 400; 6 on 10 April -> April 600."""
        product = self._product("Printers")
        order, invoice = self._ordered_upfront(product)
        aml = invoice.invoice_line_ids
        # Nothing delivered: the whole 1,000 awaits delivery, dated the
        # order's delivery date as an estimate, and is never due.
        self.assertEqual(self._lines(aml), [("2026-04-30", 1000.0, "pending", True)])
        self.assertEqual(self._deferred_balance(), -1000.0)
        self._month_end(date(2026, 1, 31), 0.0)

        with freeze_time("2026-03-15"):
            self._deliver(order, 4)
        # 4/10 of 1,000 on 15 March; 600 still awaits delivery.
        self.assertEqual(
            self._lines(aml),
            [
                ("2026-03-15", 400.0, "pending", False),
                ("2026-04-30", 600.0, "pending", True),
            ],
        )
        self.assertRecordValues(
            order.order_line.revenue_delivery_ids,
            [{"date": date(2026, 3, 15), "quantity": 4.0, "qty_delivered": 4.0}],
        )
        self._month_end(date(2026, 3, 31), 400.0)
        self.assertEqual(self._deferred_balance(), -600.0)

        with freeze_time("2026-04-10"):
            self._deliver(order, 10)
        self._month_end(date(2026, 4, 30), 600.0)
        self.assertEqual(
            self._lines(aml),
            [
                ("2026-03-15", 400.0, "posted", False),
                ("2026-04-10", 600.0, "posted", False),
            ],
        )
        self.assertEqual(self._deferred_balance(), 0.0)
        line = order.order_line
        self.assertRecordValues(
            line,
            [
                {
                    "qty_delivered": 10.0,
                    "revenue_delivered_amount": 1000.0,
                    "revenue_recognised_amount": 1000.0,
                    "untaxed_amount_invoiced": 1000.0,
                }
            ],
        )
        self.assertBooks()

    def test_delivered_before_invoiced_is_accrued(self):
        """5 of 10 delivered on 20 January, invoiced in February (delivery
        policy): 418 at 500 on 31 January, reversed on 1 February; January
        income 500, February 0 net (the reversal -500, the invoice's +500)."""
        product = self._product("Installation days", policy="delivery")
        order = self._ordered(product)
        # Nothing delivered, nothing to invoice by the delivery policy.
        self.assertFalse(order.order_line.revenue_line_ids)
        with freeze_time("2026-01-20"):
            self._deliver(order, 5)
        self.assertEqual(
            self._lines(order.order_line, ("expected",)),
            [("2026-01-20", 500.0, "expected", False)],
        )
        wizard = self._month_end(date(2026, 1, 31), 500.0, accrue=True)
        self.assertEqual(wizard.result_accrual_amount, 500.0)
        accrual = self.env["account.move"].search(
            [("revenue_accrual", "=", True), ("company_id", "=", self.company.id)]
        )
        unbilled = accrual.line_ids.filtered(lambda aml: aml.balance > 0).account_id
        self.assertTrue(unbilled.code.startswith("418"))
        self.assertRecordValues(
            accrual.line_ids.sorted("balance"),
            [
                {"account_id": self.income_account.id, "balance": -500.0},
                {"account_id": unbilled.id, "balance": 500.0},
            ],
        )
        self.assertRecordValues(
            accrual.reversal_move_ids, [{"date": date(2026, 2, 1), "state": "posted"}]
        )

        with freeze_time("2026-02-10"):
            invoice = self._invoice(order, "2026-02-10")
        # The invoice's 500 (5 units) covers the units delivered on 20 January.
        self.assertEqual(
            self._lines(invoice.invoice_line_ids),
            [("2026-01-20", 500.0, "pending", False)],
        )
        self.assertFalse(
            order.order_line.revenue_line_ids.filtered(
                lambda rev: rev.state == "expected"
            )
        )
        self._month_end(date(2026, 2, 28), 0.0, accrue=True)
        self.assertEqual(self._deferred_balance(), 0.0)
        self.assertEqual(self._deferred_balance(account=unbilled), 0.0)
        self.assertBooks()

    def test_undelivered_part_is_never_accrued(self):
        """Ordered 10 (order policy), 3 delivered on 20 January: the accrual
        takes 300, not the 700 awaiting delivery."""
        product = self._product("Milestones")
        order = self._ordered(product)
        with freeze_time("2026-01-20"):
            self._deliver(order, 3)
        wizard = self._month_end(date(2026, 1, 31), 300.0, accrue=True)
        self.assertEqual(wizard.result_accrual_amount, 300.0)

    def test_return_is_a_negative_line(self):
        """10 delivered on 15 March (1,000 recognised in March), 2 returned on
        5 April: -200 in April, and 200 awaits delivery again."""
        product = self._product("Modems")
        with freeze_time("2026-03-01"):
            order = self._create_order(
                [(product, 10, 100.0, {})],
                date_order="2026-03-01",
                commitment_date="2026-03-15",
            )
            order.action_confirm()
            invoice = self._invoice(order, "2026-03-01")
        with freeze_time("2026-03-15"):
            self._deliver(order, 10)
        self._month_end(date(2026, 3, 31), 1000.0)
        with freeze_time("2026-04-05"):
            self._deliver(order, 8)
        self.assertEqual(
            self._lines(invoice.invoice_line_ids),
            [
                ("2026-03-15", 1000.0, "posted", False),
                ("2026-04-05", -200.0, "pending", False),
                ("2026-03-15", 200.0, "pending", True),
            ],
        )
        self._month_end(date(2026, 4, 30), -200.0)
        self.assertEqual(self._deferred_balance(), -200.0)
        self.assertBooks()

    def test_second_invoice_takes_the_later_deliveries(self):
        """Two invoices of 5 units (500 each, the second in March): 7 delivered
        on 2 March -> the first invoice 500 on 2 March, the second 200."""
        product = self._product("Licences")
        with freeze_time("2026-01-10"):
            order = self._create_order(
                [(product, 10, 100.0, {})], date_order="2026-01-05"
            )
            order.action_confirm()
            order.order_line.product_uom_qty = 5
            first = self._invoice(order, "2026-01-10")
            order.order_line.product_uom_qty = 10
        with freeze_time("2026-03-02"):
            self._deliver(order, 7)
            second = self._invoice(order, "2026-03-02")
        self.assertEqual(
            self._lines(first.invoice_line_ids),
            [("2026-03-02", 500.0, "pending", False)],
        )
        self.assertEqual(
            [row[1:] for row in self._lines(second.invoice_line_ids)],
            [(200.0, "pending", False), (300.0, "pending", True)],
        )


@tagged("post_install", "-at_install")
class TestReleaseEvents(DeliveryTestCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.schedule_acceptance = cls._create_schedule(
            name="12M on acceptance",
            recognition_basis="occurrences",
            recognition_convention="month_start",
            occurrences=12,
            release_event="accepted",
        )
        cls.revenue_user = new_test_user(
            cls.env,
            login="rr_delivery_revenue_user",
            groups="sales_team.group_sale_salesman_all_leads,"
            "revenue_recognition.group_revenue_user",
            company_id=cls.company.id,
        )

    def test_acceptance_releases_the_held_lines(self):
        """1,200 invoiced on 10 January, 12 months from 1 January (100 a month),
        released on acceptance: nothing until 15 March; accepted on 15 March,
        the March run recognises January to March, 300."""
        product = self._product("Platform roll-out", schedule=self.schedule_acceptance)
        with freeze_time("2026-01-10"):
            order = self._create_order(
                [(product, 1, 1200.0, {"revenue_start_date": "2026-01-01"})],
                date_order="2026-01-05",
            )
            order.action_confirm()
            invoice = self._invoice(order, "2026-01-10")
        revs = invoice.invoice_line_ids.revenue_line_ids
        self.assertEqual(len(revs), 12)
        self.assertRecordValues(
            revs[:1],
            [
                {
                    "on_hold": True,
                    "hold_event": "accepted",
                    "hold_reason": "Waiting for the customer's acceptance",
                }
            ],
        )
        self.assertTrue(all(revs.mapped("on_hold")))
        # A hold by hand on December's line stays after the acceptance.
        december = revs.filtered(lambda rev: rev.recognition_date == date(2026, 12, 1))
        december.with_user(self.revenue_user).action_hold("Disputed last month")
        with freeze_time("2026-02-28"):
            self._run(date(2026, 2, 28))
        self.assertEqual(self._income_between(date(2026, 1, 1), date(2026, 2, 28)), 0.0)

        line = order.order_line
        with self.assertRaises(AccessError):
            line.with_user(self.salesman).action_revenue_accept()
        with freeze_time("2026-03-15"):
            line.with_user(self.revenue_user).action_revenue_accept()
        self.assertEqual(line.revenue_accepted_date, date(2026, 3, 15))
        released = revs - december
        self.assertFalse(any(released.mapped("on_hold")))
        self.assertEqual(set(released.mapped("hold_event")), {False})
        self.assertIn("Customer accepted on 03/15/2026", released[0].release_reason)
        self.assertRecordValues(
            december,
            [
                {
                    "on_hold": True,
                    "hold_reason": "Disputed last month",
                    "hold_event": False,
                }
            ],
        )
        self.assertIn(
            "Customer accepted", invoice.message_ids[0].body, "the audit line"
        )
        with freeze_time("2026-03-31"):
            self._run(date(2026, 3, 31))
        # 100 for each of January, February and March.
        self.assertEqual(
            self._income_between(date(2026, 3, 1), date(2026, 3, 31)), 300.0
        )
        self.assertBooks()

    def test_full_delivery_releases_the_held_lines(self):
        """Held until fully delivered: 1 of 2 delivered keeps them held, the
        second releases them, naming the event."""
        schedule = self._create_schedule(
            name="3M after delivery",
            recognition_basis="occurrences",
            recognition_convention="month_start",
            occurrences=3,
            release_event="delivered",
        )
        product = self._product("Kiosks", schedule=schedule, price=150.0)
        with freeze_time("2026-01-10"):
            order = self._create_order(
                [(product, 2, 150.0, {"revenue_start_date": "2026-01-01"})],
                date_order="2026-01-05",
            )
            order.action_confirm()
            invoice = self._invoice(order, "2026-01-10")
        revs = invoice.invoice_line_ids.revenue_line_ids
        # 300 over 3 months: 100 each, all held for the delivery.
        self.assertEqual([rev.amount for rev in revs], [100.0, 100.0, 100.0])
        with freeze_time("2026-02-03"):
            self._deliver(order, 1)
        self.assertTrue(all(revs.mapped("on_hold")))
        with freeze_time("2026-02-20"):
            self._deliver(order, 2)
        self.assertFalse(any(revs.mapped("on_hold")))
        self.assertIn("Fully delivered on 02/20/2026", revs[0].release_reason)
        self._month_end(date(2026, 2, 28), 200.0)


@tagged("post_install", "-at_install")
class TestDeliveryCutoff(DeliveryTestCommon):
    def test_cutoff_by_customer(self):
        """Customer A: 10 x 100 invoiced upfront on 10 January (1,000), 4
        delivered on 15 March. Customer B: 5 of 10 (delivery policy) delivered
        on 20 January, not invoiced. At 31 January: A invoiced not delivered
        1,000, B delivered not invoiced 500; at 31 March: A 1,000 - 400 = 600."""
        upfront = self._product("Printers")
        by_delivery = self._product("Installation days", policy="delivery")
        with freeze_time("2026-01-10"):
            order_a = self._create_order(
                [(upfront, 10, 100.0, {})], date_order="2026-01-05"
            )
            order_b = self._create_order(
                [(by_delivery, 10, 100.0, {})],
                partner=self.partner_b,
                date_order="2026-01-05",
            )
            (order_a | order_b).action_confirm()
            self._invoice(order_a, "2026-01-10")
        with freeze_time("2026-01-20"):
            self._deliver(order_b, 5)
        with freeze_time("2026-03-15"):
            self._deliver(order_a, 4)

        def cutoff(day):
            cutoff_form = Form(
                self.env["revenue.cutoff"].with_user(self.accountant),
                view="revenue_recognition.revenue_cutoff_view_form",
            )
            cutoff_form.date = day
            cutoff = cutoff_form.save()
            cutoff.action_compute()
            return cutoff

        january = cutoff(date(2026, 1, 31))
        self.assertRecordValues(
            january.line_ids.sorted(lambda row: row.partner_id.id != self.partner_a.id),
            [
                {
                    "partner_id": self.partner_a.id,
                    "delivered_not_invoiced": 0.0,
                    "invoiced_not_delivered": 1000.0,
                },
                {
                    "partner_id": self.partner_b.id,
                    "delivered_not_invoiced": 500.0,
                    "invoiced_not_delivered": 0.0,
                },
            ],
        )
        march = cutoff(date(2026, 3, 31))
        self.assertRecordValues(
            march,
            [{"delivered_not_invoiced": 500.0, "invoiced_not_delivered": 600.0}],
        )
        # Before anything was delivered or invoiced: nothing.
        self.assertFalse(cutoff(date(2026, 1, 4)).line_ids)
