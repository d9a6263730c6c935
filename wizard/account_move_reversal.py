from odoo import api, fields, models

from ..models.account_move_line import CREDIT_TREATMENTS


class AccountMoveReversal(models.TransientModel):
    """Odoo's credit-note wizard says what the credit note does to revenue."""

    _inherit = "account.move.reversal"

    revenue_credit_treatment = fields.Selection(
        CREDIT_TREATMENTS,
        string="Revenue Treatment",
        default="price",
        required=True,
        help="What the credit note does to the revenue of scheduled lines.",
    )
    revenue_cancel_date = fields.Date(
        string="Service Stops On",
        help="Cancellation: nothing is recognised after this date (empty: the "
        "credit note's date).",
    )
    revenue_treatment_note = fields.Char(
        string="Effect on Revenue", compute="_compute_revenue_treatment_note"
    )
    revenue_has_schedule = fields.Boolean(compute="_compute_revenue_treatment_note")

    @api.depends("revenue_credit_treatment", "move_ids")
    def _compute_revenue_treatment_note(self):
        _ = self.env._
        notes = {
            "price": _(
                "Price concession or correction: the credit spreads over the "
                "credited line's term, what was already recognised is caught up at "
                "the next run; the credited amount is never to invoice again."
            ),
            "cancel": _(
                "Cancellation: what was recognised before the date the service "
                "stops is kept, nothing is recognised after it, and the difference "
                "between the credit and what was still to recognise is recognised "
                "on that date."
            ),
            "return": _(
                "Return: the credit spreads like the credited line, and the order "
                "line is open again: its revenue is expected again until it is "
                "invoiced again."
            ),
        }
        for wizard in self:
            wizard.revenue_treatment_note = notes.get(wizard.revenue_credit_treatment)
            wizard.revenue_has_schedule = bool(
                wizard.move_ids.filtered(
                    lambda move: move.move_type == "out_invoice"
                ).invoice_line_ids.filtered("revenue_schedule_id")
            )

    def reverse_moves(self, is_modify=False):
        # "Reverse and create invoice" replaces the invoice: its lines are to
        # invoice again, as after a return.
        treatment = "return" if is_modify else self.revenue_credit_treatment
        return super(
            AccountMoveReversal,
            self.with_context(
                revenue_credit_treatment=treatment,
                revenue_cancel_date=(
                    treatment == "cancel" and self.revenue_cancel_date or False
                ),
            ),
        ).reverse_moves(is_modify=is_modify)
