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


class ProductProduct(models.Model):
    _inherit = "product.product"

    def _get_revenue_schedule(self):
        """The product's schedule, else its category's (product wins)."""
        self.ensure_one()
        return self.revenue_schedule_id or self.categ_id.revenue_schedule_id
