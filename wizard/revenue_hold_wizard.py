from odoo import api, fields, models
from odoo.exceptions import UserError

DOCUMENT_FIELDS = {"sale.order": "order_id", "account.move": "move_id"}


class RevenueHoldWizard(models.TransientModel):
    """Hold or release revenue schedule lines, saying why (audited)."""

    _name = "revenue.hold.wizard"
    _description = "Hold or Release Revenue"

    operation = fields.Selection(
        [("hold", "Hold"), ("release", "Release")], required=True, default="hold"
    )
    line_ids = fields.Many2many("revenue.recognition.line", string="Schedule Lines")
    line_count = fields.Integer(compute="_compute_line_count")
    reason = fields.Text(required=True)

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if "line_ids" in fields_list and not values.get("line_ids"):
            operation = values.get("operation") or self.env.context.get(
                "default_operation"
            )
            lines = self._lines_from_context(operation or "hold")
            values["line_ids"] = [fields.Command.set(lines.ids)]
        return values

    @api.model
    def _lines_from_context(self, operation):
        """The selected lines, or the pending lines of the selected documents."""
        context = self.env.context
        model = context.get("active_model")
        ids = context.get("active_ids") or (
            [context["active_id"]] if context.get("active_id") else []
        )
        line_model = self.env["revenue.recognition.line"]
        if model == "revenue.recognition.line":
            return line_model.browse(ids)
        if model in DOCUMENT_FIELDS:
            return line_model.search(
                [
                    (DOCUMENT_FIELDS[model], "in", ids),
                    ("state", "=", "pending"),
                    ("on_hold", "=", operation == "release"),
                    ("allocation_difference", "=", False),
                ]
            )
        return line_model

    @api.depends("line_ids")
    def _compute_line_count(self):
        for wizard in self:
            wizard.line_count = len(wizard.line_ids)

    def action_confirm(self):
        self.ensure_one()
        if not self.line_ids:
            if self.operation == "hold":
                message = self.env._(
                    "There is no pending revenue line to hold. "
                    "Select pending lines first."
                )
            else:
                message = self.env._(
                    "There is no held revenue line to release. Select held lines first."
                )
            raise UserError(message)
        if self.operation == "hold":
            self.line_ids.action_hold(self.reason)
        else:
            self.line_ids.action_release(self.reason)
        return {"type": "ir.actions.act_window_close"}
