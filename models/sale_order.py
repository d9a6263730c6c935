from odoo import fields, models


class SaleOrder(models.Model):
    _name = "sale.order"
    _inherit = ["sale.order", "revenue.document.mixin"]

    revenue_line_ids = fields.One2many(
        "revenue.recognition.line", "order_id", string="Revenue Lines"
    )

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
