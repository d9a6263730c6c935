from odoo import fields, models


class ProductCategory(models.Model):
    _inherit = "product.category"

    revenue_schedule_id = fields.Many2one(
        "revenue.schedule",
        company_dependent=True,
        help="Default revenue schedule of this category's products.",
    )


class ProductTemplate(models.Model):
    _inherit = "product.template"

    revenue_schedule_id = fields.Many2one(
        "revenue.schedule",
        company_dependent=True,
        help="Sales of this product are deferred and recognised with this "
        "schedule. Empty: the category's schedule.",
    )
    revenue_ssp = fields.Float(
        string="Standalone Selling Price",
        digits="Product Price",
        help="The price this product sells for on its own, in the company "
        "currency. Orders that allocate their price share their product "
        "lines' total in proportion to quantity × this price. Zero: the sales "
        "price without taxes.",
    )


class ProductProduct(models.Model):
    _inherit = "product.product"

    def _get_revenue_schedule(self):
        """The product's schedule, else its category's (product wins)."""
        self.ensure_one()
        return self.revenue_schedule_id or self.categ_id.revenue_schedule_id

    def _revenue_ssp(self, company=None):
        """Standalone selling price per unit of the product's unit of measure:
        the one set on the product, else its sales price (variant extras
        included) without taxes: a price-included tax is taken out."""
        self.ensure_one()
        if self.revenue_ssp:
            return self.revenue_ssp
        company = company or self.env.company
        taxes = self.taxes_id.filtered(lambda tax: tax.company_id in company.parent_ids)
        if not taxes.filtered("price_include"):
            return self.lst_price
        return taxes.compute_all(self.lst_price, product=self)["total_excluded"]
