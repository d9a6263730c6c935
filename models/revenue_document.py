from odoo import api, fields, models

#: Who sees the revenue smart button of orders and invoices: readers of
#: schedule lines (see security/ir.model.access.csv).
REVENUE_READERS = (
    "revenue_recognition.group_revenue_user,"
    "sales_team.group_sale_salesman,"
    "account.group_account_readonly"
)


class RevenueDocumentMixin(models.AbstractModel):
    """Totals and smart button of the revenue lines of an order or an invoice."""

    _name = "revenue.document.mixin"
    _description = "Document with revenue schedule lines"

    revenue_company_currency_id = fields.Many2one(
        "res.currency",
        compute="_compute_revenue_company_currency_id",
        groups=REVENUE_READERS,
    )
    revenue_line_count = fields.Integer(
        compute="_compute_revenue_totals",
        string="Open Revenue Lines",
        help="Schedule lines still to recognise: expected, pending and held.",
        groups=REVENUE_READERS,
    )
    revenue_recognised_amount = fields.Monetary(
        compute="_compute_revenue_totals",
        currency_field="revenue_company_currency_id",
        string="Revenue Recognised",
        groups=REVENUE_READERS,
    )
    revenue_to_recognise_amount = fields.Monetary(
        compute="_compute_revenue_totals",
        currency_field="revenue_company_currency_id",
        string="Revenue to Recognise",
        groups=REVENUE_READERS,
    )

    revenue_pending_count = fields.Integer(
        compute="_compute_revenue_totals",
        string="Pending Revenue Lines",
        groups=REVENUE_READERS,
    )
    revenue_held_count = fields.Integer(
        compute="_compute_revenue_totals",
        string="Held Revenue Lines",
        groups=REVENUE_READERS,
    )

    def _revenue_line_field(self):
        """Name of the revenue.recognition.line field pointing to this document."""
        raise NotImplementedError

    def _compute_revenue_company_currency_id(self):
        for document in self:
            document.revenue_company_currency_id = document.company_id.currency_id

    @api.depends_context("uid", "allowed_company_ids")
    def _compute_revenue_totals(self):
        """Totals of the schedule lines the user may read (zeros without rights).

        Fields of other groups' views (a purchase user's vendor bill) can be
        computed by code running as any user: that must not raise.
        """
        field_name = self._revenue_line_field()
        line_model = self.env["revenue.recognition.line"]
        if not line_model.has_access("read"):
            for document in self:
                document.revenue_line_count = 0
                document.revenue_recognised_amount = 0.0
                document.revenue_to_recognise_amount = 0.0
                document.revenue_pending_count = 0
                document.revenue_held_count = 0
            return
        groups = line_model._read_group(
            [
                (field_name, "in", self.ids),
                ("state", "!=", "cancelled"),
                # an allocation difference stays on the deferred account
                ("allocation_difference", "=", False),
            ],
            [field_name, "state", "on_hold"],
            ["amount:sum", "__count"],
        )
        empty = {"count": 0, "posted": 0.0, "open": 0.0, "pending": 0, "held": 0}
        totals = {}
        for document, state, on_hold, amount, count in groups:
            entry = totals.setdefault(document.id, dict(empty))
            if state != "posted":
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
        """The revenue schedule of this document: a flat list by date."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "revenue_recognition.action_revenue_recognition_line_all"
        )
        action["domain"] = [
            (self._revenue_line_field(), "=", self.id),
            ("state", "!=", "cancelled"),
            ("allocation_difference", "=", False),
        ]
        action["context"] = {"default_" + self._revenue_line_field(): self.id}
        return action
