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
        "currency. Orders that allocate their price share their scheduled "
        "lines' total in proportion to quantity × this price. Zero: the sales "
        "price.",
    )


class ProductProduct(models.Model):
    _inherit = "product.product"

    def _get_revenue_schedule(self):
        """The product's schedule, else its category's (product wins)."""
        self.ensure_one()
        return self.revenue_schedule_id or self.categ_id.revenue_schedule_id

    def _revenue_ssp(self):
        """Standalone selling price per unit of the product's unit of measure:
        the one set on the product, else its sales price (variant extras
        included)."""
        self.ensure_one()
        return self.revenue_ssp or self.lst_price
