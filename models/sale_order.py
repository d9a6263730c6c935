from decimal import Decimal

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..engine import allocate


class SaleOrder(models.Model):
    _name = "sale.order"
    _inherit = ["sale.order", "revenue.document.mixin"]

    revenue_line_ids = fields.One2many(
        "revenue.recognition.line", "order_id", string="Revenue Lines"
    )
    revenue_risk_id = fields.Many2one(
        "revenue.risk",
        index="btree_not_null",
        help="A risk on this order's signed revenue (termination, onboarding "
        "delay, dependency): the backlog is split by it.",
    )
    revenue_allocate = fields.Boolean(
        string="Allocate by Standalone Prices",
        compute="_compute_revenue_allocate",
        store=True,
        readonly=False,
        precompute=True,
        copy=True,
        help="At confirmation, share the untaxed total of the order's product "
        "lines (scheduled or not) across them in proportion to quantity × "
        "standalone selling price: each line recognises its share, whatever it "
        "is invoiced at.",
    )

    @api.depends("company_id")
    def _compute_revenue_allocate(self):
        for order in self:
            if not order.state or order.state in ("draft", "sent"):
                order.revenue_allocate = order.company_id.revenue_allocate_default
            else:
                order.revenue_allocate = order.revenue_allocate

    def write(self, vals):
        if "revenue_allocate" in vals:
            self._revenue_check_allocate_switch(bool(vals["revenue_allocate"]))
        res = super().write(vals)
        if "revenue_allocate" in vals:
            self._revenue_allocate()
            self.order_line._revenue_sync_expected()
        return res

    def _revenue_check_allocate_switch(self, allocate):
        """Refuse switching allocation on or off once scheduled lines are invoiced.

        Their posted invoices carry allocation differences (or none) that the
        later invoices of the order must balance: switching would leave them
        on the deferred account for good. Once they are credited in full
        (nothing invoiced net), the switch is allowed again.
        """
        for order in self.filtered(lambda o: o.revenue_allocate != allocate):
            if order.order_line.filtered(
                lambda line: line.revenue_schedule_id and line.qty_invoiced_posted
            ):
                raise UserError(
                    self.env._(
                        "Order %(order)s: its scheduled lines are already "
                        "invoiced, so its price allocation by standalone selling "
                        "prices can no longer be switched on or off. Credit the "
                        "posted invoices first, or keep the current setting.",
                        order=order.display_name,
                    )
                )

    def _revenue_line_field(self):
        return "order_id"

    def _action_confirm(self):
        # the start may be the order date, which the line's save did not see
        for line in self.order_line.filtered("revenue_schedule_id"):
            line._revenue_check_schedule_bounds()
        res = super()._action_confirm()
        self._revenue_allocate()
        self.order_line.with_context(revenue_confirming=True)._revenue_sync_expected()
        return res

    def _action_cancel(self):
        res = super()._action_cancel()
        self.order_line._revenue_sync_expected()
        return res

    def _revenue_allocation_lines(self):
        """The order lines that share the order's price: its performance
        obligations, i.e. every product line with a quantity (scheduled or not;
        not sections, notes or down payments), in order sequence."""
        self.ensure_one()
        return self.order_line.filtered(
            lambda line: (
                line.product_id
                and not line.display_type
                and not line.is_downpayment
                and line.product_uom_qty > 0
            )
        ).sorted(lambda line: (line.sequence, line._origin.id or 0))

    def _revenue_allocate(self):
        """Store each scheduled line's share of the order's untaxed total.

        Confirmed orders that allocate: the untaxed total of the scheduled
        lines is shared in proportion to quantity × standalone selling price,
        rounded cumulatively in order sequence (``engine.allocate``). Once
        lines are invoiced, the allocation their posted invoices consumed is
        final (``_revenue_allocation_consumed``): a new allocation (a line
        added or changed) shares only the rest of the total, across the
        quantities not invoiced yet. Without standalone
        prices (all zero) a line keeps its own price. Other orders: no
        allocated amount.
        """
        for order in self:
            lines = order._revenue_allocation_lines()
            amounts = {}
            if order.revenue_allocate and order.state == "sale" and lines:
                amounts = order._revenue_allocation_amounts(lines)
            changed = {}
            for line in order.order_line:
                amount = amounts.get(line.id, 0.0)
                if line.revenue_allocated_amount != amount:
                    changed.setdefault(amount, []).append(line.id)
            for amount, line_ids in changed.items():
                self.env["sale.order.line"].browse(
                    line_ids
                )._revenue_bookkeeping().write({"revenue_allocated_amount": amount})

    def _revenue_allocation_amounts(self, lines):
        """{order line id: allocated amount} of the allocation ``lines``."""
        self.ensure_one()
        currency = self.currency_id
        invoiced = {line.id: line._revenue_allocation_consumed() for line in lines}
        # quantities not invoiced yet: all of them before the first invoice
        quantities = [
            max(line.product_uom_qty - line.qty_invoiced_posted, 0.0) for line in lines
        ]
        weights = [
            max(
                line.product_uom._compute_quantity(
                    quantity, line.product_id.uom_id, round=False
                )
                * line.product_id._revenue_ssp(line.company_id),
                0.0,
            )
            for line, quantity in zip(lines, quantities, strict=True)
        ]
        if not sum(weights):
            # no standalone prices: the lines' own prices
            weights = [
                max(line.price_subtotal * quantity / line.product_uom_qty, 0.0)
                for line, quantity in zip(lines, quantities, strict=True)
            ]
        rest = currency.round(
            sum(lines.mapped("price_subtotal")) - sum(invoiced.values())
        )
        if sum(weights) > 0:
            shares = allocate(Decimal(str(rest)), weights, currency.rounding)
        else:
            shares = [0] * len(lines)  # all invoiced: nothing left to share
        return {
            line.id: currency.round(invoiced[line.id] + float(share))
            for line, share in zip(lines, shares, strict=True)
        }

    def _revenue_allocation_preview(self):
        """{order line id: allocated amount} as confirming the order would
        store it: the quotation shows its allocation before it is signed."""
        self.ensure_one()
        lines = self._revenue_allocation_lines()
        if not self.revenue_allocate or not lines:
            return {}
        return self._revenue_allocation_amounts(lines)
