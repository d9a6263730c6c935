from odoo import fields, models


class RevenueDocumentMixin(models.AbstractModel):
    """Totals and smart button of the revenue lines of an order or an invoice."""

    _name = "revenue.document.mixin"
    _description = "Document with revenue schedule lines"

    revenue_company_currency_id = fields.Many2one(
        "res.currency", compute="_compute_revenue_company_currency_id"
    )
    revenue_line_count = fields.Integer(compute="_compute_revenue_totals")
    revenue_recognised_amount = fields.Monetary(
        compute="_compute_revenue_totals",
        currency_field="revenue_company_currency_id",
        string="Revenue Recognised",
    )
    revenue_to_recognise_amount = fields.Monetary(
        compute="_compute_revenue_totals",
        currency_field="revenue_company_currency_id",
        string="Revenue to Recognise",
    )

    revenue_pending_count = fields.Integer(
        compute="_compute_revenue_totals", string="Pending Revenue Lines"
    )
    revenue_held_count = fields.Integer(
        compute="_compute_revenue_totals", string="Held Revenue Lines"
    )

    def _revenue_line_field(self):
        """Name of the revenue.recognition.line field pointing to this document."""
        raise NotImplementedError

    def _compute_revenue_company_currency_id(self):
        for document in self:
            document.revenue_company_currency_id = document.company_id.currency_id

    def _compute_revenue_totals(self):
        field_name = self._revenue_line_field()
        groups = self.env["revenue.recognition.line"]._read_group(
            [(field_name, "in", self.ids), ("state", "!=", "cancelled")],
            [field_name, "state", "on_hold"],
            ["amount:sum", "__count"],
        )
        empty = {"count": 0, "posted": 0.0, "open": 0.0, "pending": 0, "held": 0}
        totals = {}
        for document, state, on_hold, amount, count in groups:
            entry = totals.setdefault(document.id, dict(empty))
            entry["count"] += count
            entry["posted" if state == "posted" else "open"] += amount
            if state == "pending":
                entry["held" if on_hold else "pending"] += count
        for document in self:
            entry = totals.get(document.id, empty)
            document.revenue_line_count = entry["count"]
            document.revenue_recognised_amount = entry["posted"]
            document.revenue_to_recognise_amount = entry["open"]
            document.revenue_pending_count = entry["pending"]
            document.revenue_held_count = entry["held"]

    def action_view_revenue_lines(self):
        """The revenue schedule of this document."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "revenue_recognition.action_revenue_recognition_line"
        )
        action["domain"] = [(self._revenue_line_field(), "=", self.id)]
        action["context"] = {
            "default_" + self._revenue_line_field(): self.id,
            "search_default_groupby_recognition_month": 1,
        }
        return action
