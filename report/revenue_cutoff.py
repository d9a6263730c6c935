"""The delivery cut-off at a date, by customer.

For each confirmed order line whose deliveries the add-on follows (a schedule
on the delivery basis, or goods delivered by stock moves when ``sale_stock``
is installed): the untaxed value of what was delivered by the date (the
line's untaxed amount × delivered ÷ ordered, in company currency at the order
date) against what was invoiced by then (posted invoices and credit notes
dated on or before it, company currency). More delivered than invoiced is
*delivered not invoiced* (418, factures à établir); more invoiced than
delivered is *invoiced not delivered* (487, produits constatés d'avance).
"""

from collections import defaultdict

from odoo import api, fields, models
from odoo.tools import format_date

from ..engine import DELIVERY_BASIS


class RevenueCutoff(models.TransientModel):
    _name = "revenue.cutoff"
    _description = "Delivery Cut-off"

    date = fields.Date(
        string="Cut-off date",
        required=True,
        default=fields.Date.context_today,
        help="Deliveries and invoices on or before this date.",
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        default=lambda self: self.env.company,
        domain=lambda self: [("id", "in", self.env.companies.ids)],
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    line_ids = fields.One2many("revenue.cutoff.line", "cutoff_id", string="Customers")
    delivered_not_invoiced = fields.Monetary(
        string="Delivered not invoiced (418)",
        compute="_compute_totals",
    )
    invoiced_not_delivered = fields.Monetary(
        string="Invoiced not delivered (487)",
        compute="_compute_totals",
    )

    @api.depends("date")
    def _compute_display_name(self):
        for cutoff in self:
            cutoff.display_name = self.env._(
                "Delivery Cut-off at %(date)s",
                date=format_date(self.env, cutoff.date),
            )

    @api.depends("line_ids.delivered_not_invoiced", "line_ids.invoiced_not_delivered")
    def _compute_totals(self):
        for cutoff in self:
            cutoff.delivered_not_invoiced = sum(
                cutoff.line_ids.mapped("delivered_not_invoiced")
            )
            cutoff.invoiced_not_delivered = sum(
                cutoff.line_ids.mapped("invoiced_not_delivered")
            )

    @api.model
    def _get_order_lines_domain(self, date, company):
        """The order lines whose deliveries the cut-off compares."""
        domain = [
            ("company_id", "=", company.id),
            ("state", "=", "sale"),
            ("order_id.date_order", "<=", fields.Datetime.end_of(date, "day")),
            ("display_type", "=", False),
            ("is_downpayment", "=", False),
        ]
        delivery = [("revenue_schedule_id.recognition_basis", "=", DELIVERY_BASIS)]
        if "stock.move" in self.env:
            return domain + [
                "|",
                *delivery,
                ("qty_delivered_method", "=", "stock_move"),
            ]
        return domain + delivery

    @api.model
    def _cutoff_amounts(self, date, company):
        """{commercial partner: [delivered not invoiced, invoiced not delivered]}
        at ``date`` for ``company``, company currency."""
        # Revenue users read the cut-off without access to sales orders: the
        # company is one of theirs, the figures are per customer.
        order_lines = (
            self.env["sale.order.line"]
            .sudo()
            .search(self._get_order_lines_domain(date, company))
        )
        currency = company.currency_id
        result = defaultdict(lambda: [0.0, 0.0])
        for line in order_lines:
            delivered_qty = 0.0
            for day, quantity in line._revenue_delivery_events():
                if day > date:
                    break
                delivered_qty = quantity
            if line.product_uom_qty:
                delivered = line.currency_id._convert(
                    line.price_subtotal * delivered_qty / line.product_uom_qty,
                    currency,
                    company,
                    line.order_id.date_order,
                )
            else:
                delivered = 0.0
            invoiced = -sum(
                line.invoice_lines.filtered(
                    lambda aml: aml.parent_state == "posted" and aml.date <= date
                ).mapped("balance")
            )
            difference = currency.round(delivered - invoiced)
            if currency.is_zero(difference):
                continue
            totals = result[line.order_id.partner_id.commercial_partner_id]
            if difference > 0:
                totals[0] += difference
            else:
                totals[1] -= difference
        return result

    def action_compute(self):
        """Compute the rows of the cut-off and show them."""
        self.ensure_one()
        amounts = self._cutoff_amounts(self.date, self.company_id)
        self.line_ids = [fields.Command.clear()] + [
            fields.Command.create(
                {
                    "partner_id": partner.id,
                    "delivered_not_invoiced": values[0],
                    "invoiced_not_delivered": values[1],
                }
            )
            for partner, values in sorted(
                amounts.items(), key=lambda item: item[0].display_name or ""
            )
        ]
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "views": [
                (
                    self.env.ref(
                        "revenue_recognition.revenue_cutoff_view_form_result"
                    ).id,
                    "form",
                )
            ],
            "target": "current",
        }


class RevenueCutoffLine(models.TransientModel):
    _name = "revenue.cutoff.line"
    _description = "Delivery Cut-off by Customer"
    _order = "partner_id"

    cutoff_id = fields.Many2one("revenue.cutoff", required=True, ondelete="cascade")
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    currency_id = fields.Many2one(related="cutoff_id.currency_id")
    delivered_not_invoiced = fields.Monetary(
        string="Delivered not invoiced (418)", readonly=True
    )
    invoiced_not_delivered = fields.Monetary(
        string="Invoiced not delivered (487)", readonly=True
    )
