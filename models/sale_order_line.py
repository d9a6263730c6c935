from odoo import api, fields, models

from .revenue_scheduled_line import RevenueSource

# Order line fields whose change alters the expected revenue of a confirmed order.
EXPECTED_TRIGGERS = {
    "product_id",
    "product_uom_qty",
    "qty_delivered",
    "tax_id",
    "price_unit",
    "discount",
    "revenue_schedule_id",
    "revenue_start_date",
    "revenue_end_date",
}


class SaleOrderLine(models.Model):
    _name = "sale.order.line"
    _inherit = ["sale.order.line", "revenue.scheduled.line.mixin"]

    revenue_start_date = fields.Date(
        help="Empty: the order's delivery date, else the order date.",
    )
    revenue_line_ids = fields.One2many(
        "revenue.recognition.line", "sale_line_id", string="Revenue Lines"
    )

    @api.depends("product_id", "display_type")
    def _compute_revenue_schedule_id(self):
        for line in self:
            if line.display_type or not line.product_id:
                line.revenue_schedule_id = False
            else:
                line.revenue_schedule_id = line.product_id.with_company(
                    line.company_id
                )._get_revenue_schedule()

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        # A line added to a confirmed order is signed backlog at once.
        lines.filtered(lambda line: line.state == "sale")._revenue_sync_expected()
        return lines

    def write(self, vals):
        res = super().write(vals)
        if EXPECTED_TRIGGERS & vals.keys():
            self.filtered(lambda line: line.state == "sale")._revenue_sync_expected()
        return res

    def _revenue_start_depends(self):
        return ["order_id.commitment_date", "order_id.date_order"]

    def _revenue_label(self):
        self.ensure_one()
        return self.env._(
            "Order %(order)s, line '%(line)s'",
            order=self.order_id.display_name,
            line=self.name or self.product_id.display_name,
        )

    def _revenue_start(self):
        self.ensure_one()
        order = self.order_id
        start = self.revenue_start_date or order.commitment_date or order.date_order
        return fields.Date.to_date(start)

    def _revenue_sync_expected(self):
        """Replace the expected lines by what is still to invoice.

        Their sum always equals what Odoo says is still to invoice
        (``untaxed_amount_to_invoice``: untaxed, posted invoices and credit
        notes deducted, never negative), in company currency at the order date.
        """
        lines = self.filtered("id")
        expected = lines.revenue_line_ids.filtered(lambda rev: rev.state == "expected")
        expected._bookkeeping().unlink()
        # sale does not recompute it when only the discount changes
        self.env.add_to_compute(self._fields["untaxed_amount_to_invoice"], lines)
        sources = lines._prepare_revenue_sources()
        if sources:
            rev_model = self.env["revenue.recognition.line"]
            rev_model._create_batch(rev_model._prepare_schedule_vals_list(sources))

    def _prepare_revenue_sources(self):
        """Confirmed scheduled lines with something still to invoice: what
        remains to invoice, in company currency at the order date."""
        sources = []
        for line in self.filtered(
            lambda sol: sol.revenue_schedule_id and sol.state == "sale"
        ):
            order = line.order_id
            remaining = line.currency_id.round(line.untaxed_amount_to_invoice)
            if line.currency_id.compare_amounts(remaining, 0.0) <= 0:
                continue
            company = line.company_id
            sources.append(
                RevenueSource(
                    record=line,
                    schedule=line.revenue_schedule_id,
                    start=line._revenue_start(),
                    end=line.revenue_end_date,
                    currency=line.currency_id,
                    company=company,
                    amount_currency=remaining,
                    amount=line.currency_id._convert(
                        remaining, company.currency_id, company, order.date_order
                    ),
                    values={
                        "state": "expected",
                        "sale_line_id": line.id,
                        "partner_id": order.partner_id.commercial_partner_id.id,
                        "product_id": line.product_id.id,
                        "analytic_distribution": line.analytic_distribution,
                    },
                )
            )
        return sources

    def _prepare_invoice_line(self, **optional_values):
        res = super()._prepare_invoice_line(**optional_values)
        if self.display_type:
            return res
        # Also when empty: a schedule removed on the order stays removed.
        res.setdefault("revenue_schedule_id", self.revenue_schedule_id.id)
        if self.revenue_schedule_id:
            res.setdefault("revenue_start_date", self.revenue_start_date)
            # An end derived from the order date must be derived again from the
            # invoice date on the invoice line.
            if (
                self.revenue_start_date
                or not self.revenue_schedule_id.automatic_contract_terms
            ):
                res.setdefault("revenue_end_date", self.revenue_end_date)
        return res
