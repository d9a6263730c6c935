"""Rows of the backlog by time band, status, customer and product."""

from odoo import fields, models
from odoo.tools import SQL

from ..models.revenue_analytics import BANDS


class RevenueReportBacklog(models.TransientModel):
    _name = "revenue.report.backlog"
    _description = "Backlog by Customer and Product"
    _order = "band, partner_id, product_id"

    report_id = fields.Many2one("revenue.report", required=True, ondelete="cascade")
    currency_id = fields.Many2one(related="report_id.currency_id")
    # a list, not the BANDS tuple: Odoo only reflects (and so translates and
    # sends to the web client, whose context has a lang) list selections
    band = fields.Selection(list(BANDS), string="Time band", required=True)
    kind = fields.Selection(
        [
            ("expected", "Signed, not invoiced"),
            ("deferred", "Invoiced, not recognised"),
        ],
        string="Status",
        required=True,
    )
    company_id = fields.Many2one("res.company")
    partner_id = fields.Many2one("res.partner", string="Customer")
    product_id = fields.Many2one("product.product")
    amount = fields.Monetary()

    def _read_group_orderby(self, order, groupby_terms, query):
        # time bands in time order, not in the alphabetical order of their keys
        if "band" in groupby_terms:
            groupby_terms = {
                **groupby_terms,
                "band": SQL(
                    "array_position(%s::varchar[], %s::varchar)",
                    [band for band, _label in BANDS],
                    groupby_terms["band"],
                ),
            }
        return super()._read_group_orderby(order, groupby_terms, query)
