from decimal import Decimal

from odoo import api, fields, models

from ..engine import allocate


class SaleOrder(models.Model):
    _name = "sale.order"
    _inherit = ["sale.order", "revenue.document.mixin"]

    revenue_line_ids = fields.One2many(
        "revenue.recognition.line", "order_id", string="Revenue Lines"
    )
    revenue_allocate = fields.Boolean(
        string="Allocate by Standalone Prices",
        compute="_compute_revenue_allocate",
        store=True,
        readonly=False,
        precompute=True,
        copy=True,
        help="At confirmation, share the untaxed total of the scheduled lines "
        "across them in proportion to quantity × standalone selling price: each "
        "line's schedule recognises its share, whatever it is invoiced at.",
    )

    @api.depends("company_id")
    def _compute_revenue_allocate(self):
        for order in self:
            if not order.state or order.state in ("draft", "sent"):
                order.revenue_allocate = order.company_id.revenue_allocate_default
            else:
                order.revenue_allocate = order.revenue_allocate

    def write(self, vals):
        res = super().write(vals)
        if "revenue_allocate" in vals:
            self.order_line._revenue_sync_expected()
        return res

    def _revenue_line_field(self):
        return "order_id"

    def _action_confirm(self):
        # the start may be the order date, which the line's save did not see
        for line in self.order_line.filtered("revenue_schedule_id"):
            line._revenue_check_schedule_bounds()
        res = super()._action_confirm()
        self.order_line._revenue_sync_expected()
        return res

    def _action_cancel(self):
        res = super()._action_cancel()
        self.order_line._revenue_sync_expected()
        return res

    def _revenue_allocation_lines(self):
        """The order lines that share the order's price: scheduled product lines
        with a quantity, in order sequence."""
        self.ensure_one()
        return self.order_line.filtered(
            lambda line: (
                line.revenue_schedule_id
                and not line.display_type
                and not line.is_downpayment
                and line.product_uom_qty > 0
            )
        ).sorted(lambda line: (line.sequence, line.id))

    def _revenue_allocate(self):
        """Store each scheduled line's share of the order's untaxed total.

        Confirmed orders that allocate: the untaxed total of the scheduled
        lines is shared in proportion to quantity × standalone selling price,
        rounded cumulatively in order sequence (``engine.allocate``). Without
        standalone prices (all zero) a line keeps its own price. Other orders:
        no allocated amount.
        """
        for order in self:
            lines = order._revenue_allocation_lines()
            amounts = {}
            if order.revenue_allocate and order.state == "sale" and lines:
                weights = [
                    line.product_uom._compute_quantity(
                        line.product_uom_qty, line.product_id.uom_id, round=False
                    )
                    * line.product_id._revenue_ssp()
                    for line in lines
                ]
                if sum(weights) > 0:
                    shares = allocate(
                        Decimal(
                            str(order.currency_id.round(sum(lines.mapped("price_subtotal"))))
                        ),
                        [max(weight, 0.0) for weight in weights],
                        order.currency_id.rounding,
                    )
                else:
                    shares = lines.mapped("price_subtotal")
                amounts = {
                    line.id: float(share)
                    for line, share in zip(lines, shares, strict=True)
                }
            for line in order.order_line:
                amount = amounts.get(line.id, 0.0)
                if line.revenue_allocated_amount != amount:
                    line.revenue_allocated_amount = amount
