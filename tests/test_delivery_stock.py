"""The delivery basis through real pickings, when ``sale_stock`` is installed.

The add-on does not depend on ``stock``: ``make test-stock`` runs these tests
on a database with ``sale_stock``; elsewhere they are skipped.
"""

from datetime import date

from freezegun import freeze_time

from odoo.tests import Form, tagged

from .common import DeliveryTestCommon


@tagged("post_install", "-at_install")
class TestDeliveryStock(DeliveryTestCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if "stock.picking" not in cls.env:
            cls.skipTest(cls, "sale_stock is not installed (make test-stock)")
        cls.sales_manager.groups_id += cls.env.ref("stock.group_stock_user")

    def _goods(self, policy="order"):
        # Goods delivered by pickings; taxed 15 %.
        return self._create_product(
            name="Routers",
            type="consu",
            invoice_policy=policy,
            lst_price=100.0,
            revenue_schedule_id=self.schedule_delivery.id,
        )

    def _ship(self, picking, quantity):
        """Validate ``quantity`` of the picking as a stock user; the rest goes
        to a backorder. Returns the backorder, if any."""
        picking = picking.with_user(self.sales_manager)
        picking.move_ids.quantity = quantity
        picking.move_ids.picked = True
        action = picking.button_validate()
        if isinstance(action, dict) and action.get("res_model"):
            wizard = Form(
                self.env[action["res_model"]]
                .with_user(self.sales_manager)
                .with_context(**action["context"])
            ).save()
            wizard.process()
        self.assertEqual(picking.state, "done")
        return picking.backorder_ids

    def test_two_deliveries_then_a_return(self):
        """10 invoiced upfront (1,000) in January; 4 shipped on 15 March,
        6 on 10 April -> March 400, April 600; 2 returned on 5 May -> -200."""
        product = self._goods()
        order, invoice = self._ordered_upfront(product)
        line = order.order_line
        self.assertEqual(line.qty_delivered_method, "stock_move")
        aml = invoice.invoice_line_ids
        with freeze_time("2026-03-15 10:00:00"):
            backorder = self._ship(order.picking_ids, 4)
        self.assertEqual(line.qty_delivered, 4.0)
        self._month_end(date(2026, 3, 31), 400.0)
        with freeze_time("2026-04-10 10:00:00"):
            self._ship(backorder, 6)
        self._month_end(date(2026, 4, 30), 600.0)
        self.assertEqual(
            self._lines(aml),
            [
                ("2026-03-15", 400.0, "posted", False),
                ("2026-04-10", 600.0, "posted", False),
            ],
        )
        # The history is read from the moves: the add-on keeps none of its own.
        self.assertFalse(line.revenue_delivery_ids)

        with freeze_time("2026-05-05 10:00:00"):
            outgoing = order.picking_ids.filtered(
                lambda picking: picking.picking_type_code == "outgoing"
            )[:1]
            return_form = Form(
                self.env["stock.return.picking"]
                .with_user(self.sales_manager)
                .with_context(active_id=outgoing.id, active_model="stock.picking")
            )
            wizard = return_form.save()
            wizard.product_return_moves.quantity = 2
            action = wizard.action_create_returns()
            returned = self.env["stock.picking"].browse(action["res_id"])
            self._ship(returned, 2)
        self.assertEqual(line.qty_delivered, 8.0)
        self._month_end(date(2026, 5, 31), -200.0)
        self.assertEqual(self._deferred_balance(), -200.0)
        self.assertBooks()

    def test_shipped_before_invoiced_is_accrued(self):
        """5 of 10 shipped on 20 January, invoiced in February (delivery
        policy): 418 at 500 on 31 January, January income 500, February 0."""
        product = self._goods(policy="delivery")
        order = self._ordered(product)
        with freeze_time("2026-01-20 10:00:00"):
            self._ship(order.picking_ids, 5)
        wizard = self._month_end(date(2026, 1, 31), 500.0, accrue=True)
        self.assertEqual(wizard.result_accrual_amount, 500.0)
        with freeze_time("2026-02-10"):
            invoice = self._invoice(order, "2026-02-10")
        self.assertEqual(
            self._lines(invoice.invoice_line_ids),
            [("2026-01-20", 500.0, "pending", False)],
        )
        self._month_end(date(2026, 2, 28), 0.0, accrue=True)
        self.assertBooks()
