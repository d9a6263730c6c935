from odoo import fields, models
from odoo.exceptions import UserError

from .revenue_source import build_line_vals


class AccountMove(models.Model):
    _name = "account.move"
    _inherit = ["account.move", "revenue.document.mixin"]

    revenue_line_ids = fields.One2many(
        "revenue.recognition.line", "move_id", string="Revenue Lines"
    )

    def _revenue_line_field(self):
        return "move_id"

    def _prepare_product_base_line_for_taxes_computation(self, product_line):
        # Taxes are keyed by the income account, not by the deferred account
        # the line credits: a tax booked on its base line's account never
        # lands on the deferred account.
        base_line = super()._prepare_product_base_line_for_taxes_computation(
            product_line
        )
        if product_line.revenue_income_account_id:
            base_line["account_id"] = product_line.revenue_income_account_id
        return base_line

    def _post(self, soft=True):
        lines = self.filtered(
            lambda move: move.move_type in ("out_invoice", "out_refund")
        ).invoice_line_ids
        deferred = lines._revenue_deferred_lines()
        advances = lines._revenue_advance_lines() - deferred
        # A line whose schedule was removed after a deferral credits income again.
        (
            lines.filtered("revenue_income_account_id") - deferred - advances
        )._revenue_undo_deferral()
        deferred._revenue_prepare_deferral()
        advances._revenue_prepare_advance()
        posted = super()._post(soft=soft)
        to_schedule = deferred.filtered(
            lambda line: (
                line.move_id in posted
                and not line.revenue_line_ids.filtered(
                    lambda rev: rev.state != "cancelled"
                )
            )
        )
        if to_schedule:
            vals_list = build_line_vals(self.env, to_schedule._revenue_sources())
            to_schedule._revenue_carry_holds(vals_list)
            self.env["revenue.recognition.line"]._create_batch(vals_list)
        posted.invoice_line_ids.sale_line_ids.filtered(
            "revenue_schedule_id"
        )._revenue_sync_expected()
        return posted

    def button_draft(self):
        lines = self.line_ids.revenue_line_ids
        recognised = lines.filtered(lambda line: line.state == "posted")
        drafts = recognised.recognition_move_id.filtered(
            lambda move: move.state == "draft"
        )
        if drafts:
            raise UserError(
                self.env._(
                    "Invoice %(move)s has revenue in draft recognition entries "
                    "%(entries)s. Delete those draft entries first (their lines go "
                    "back to pending), then reset the invoice to draft.",
                    move=recognised[0].move_id.display_name,
                    entries=", ".join(drafts.mapped("display_name")),
                )
            )
        if recognised:
            raise UserError(
                self.env._(
                    "Invoice %(move)s already has recognised revenue (entries "
                    "%(entries)s). Reverse the recognition entries first, then "
                    "reset the invoice to draft.",
                    move=recognised[0].move_id.display_name,
                    entries=", ".join(
                        recognised.recognition_move_id.mapped("display_name")
                    ),
                )
            )
        res = super().button_draft()
        lines.filtered(lambda line: line.state == "pending")._bookkeeping().write(
            {"state": "cancelled"}
        )
        self.line_ids._revenue_undo_deferral()
        self.line_ids.sale_line_ids._revenue_sync_expected()
        return res
