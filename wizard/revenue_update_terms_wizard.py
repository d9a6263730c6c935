"""Change Revenue Terms: a thin wizard over ``revenue_change_terms``.

It shows the obligation's current terms and, before anything is applied,
the figures the change will produce (``revenue.change._revenue_change_preview``);
*Apply* calls the model method, which RPC, scripts and tests call too.
"""

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..models.revenue_change import METHODS


class RevenueUpdateTermsWizard(models.TransientModel):
    """Change the end date or the schedule of an order line or invoice line."""

    _name = "revenue.update.terms.wizard"
    _description = "Change Revenue Terms"
    _check_company_auto = True

    move_line_id = fields.Many2one(
        "account.move.line",
        string="Invoice Line",
        readonly=True,
        ondelete="cascade",
    )
    sale_line_id = fields.Many2one(
        "sale.order.line",
        string="Order Line",
        compute="_compute_sale_line_id",
        store=True,
        readonly=True,
        precompute=True,
        ondelete="cascade",
        help="The obligation that changes: the invoice line's order line, if any. "
        "All its invoice and credit note lines and its expected lines follow.",
    )
    move_id = fields.Many2one(related="move_line_id.move_id", string="Invoice")
    company_id = fields.Many2one("res.company", compute="_compute_current")
    company_currency_id = fields.Many2one(related="company_id.currency_id")
    start_date = fields.Date(
        string="Revenue Start",
        compute="_compute_current",
        help="The term keeps its start; only its end or its schedule change.",
    )
    current_end_date = fields.Date(string="Current End", compute="_compute_current")
    current_schedule_id = fields.Many2one(
        "revenue.schedule", compute="_compute_current"
    )
    recognised_amount = fields.Monetary(
        string="Recognised",
        currency_field="company_currency_id",
        compute="_compute_current",
    )
    to_recognise_amount = fields.Monetary(
        string="To Recognise",
        currency_field="company_currency_id",
        compute="_compute_current",
    )
    change_date = fields.Date(
        required=True,
        default=fields.Date.context_today,
        help="The new terms apply from this date.",
    )
    method = fields.Selection(
        METHODS,
        required=True,
        default="prospective",
        help="Prospective: what is not yet recognised is spread over the rest of "
        "the new term, nothing is caught up (distinct services, such as a "
        "subscription). Cumulative catch-up: the whole term is scheduled again "
        "and the difference for the periods before the change date is recognised "
        "on that date (services that are not distinct).",
    )
    end_date = fields.Date(
        string="New End",
        compute="_compute_end_date",
        store=True,
        readonly=False,
        precompute=True,
        help="Empty: the schedule's number of months from the start.",
    )
    schedule_id = fields.Many2one(
        "revenue.schedule",
        string="New Schedule",
        compute="_compute_schedule_id",
        store=True,
        readonly=False,
        precompute=True,
        required=True,
        check_company=True,
    )
    reason = fields.Text(required=True)
    preview_catch_up = fields.Monetary(
        string="Catch-up",
        currency_field="company_currency_id",
        compute="_compute_preview",
        help="Revenue caught up on the change date (negative: taken back).",
    )
    preview_monthly = fields.Monetary(
        string="New Monthly Amount",
        currency_field="company_currency_id",
        compute="_compute_preview",
    )
    preview_line_count = fields.Integer(string="New Lines", compute="_compute_preview")
    preview_error = fields.Char(string="Cannot Apply", compute="_compute_preview")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if "move_line_id" in fields_list and not values.get("move_line_id"):
            context = self.env.context
            if context.get("active_model") == "revenue.recognition.line":
                lines = self.env["revenue.recognition.line"].browse(
                    context.get("active_ids") or context.get("active_id") or []
                )
                move_lines = lines.move_line_id
                if len(move_lines) != 1:
                    raise UserError(
                        self.env._(
                            "Select the schedule lines of one invoice line to change "
                            "its revenue terms (the selection covers %(count)s "
                            "invoice lines).",
                            count=len(move_lines),
                        )
                    )
                values["move_line_id"] = move_lines.id
        return values

    @api.depends("move_line_id")
    def _compute_sale_line_id(self):
        for wizard in self:
            wizard.sale_line_id = (
                wizard.move_line_id.sale_line_ids[:1] or wizard.sale_line_id
            )

    def _obligation(self):
        self.ensure_one()
        return self.sale_line_id or self.move_line_id

    @api.depends("move_line_id", "sale_line_id")
    def _compute_current(self):
        for wizard in self:
            obligation = wizard._obligation()
            revs = obligation.revenue_line_ids.filtered(
                lambda rev: not rev.allocation_difference
            )
            wizard.company_id = obligation.company_id
            wizard.start_date = obligation and obligation._revenue_start()
            wizard.current_end_date = obligation.revenue_end_date
            wizard.current_schedule_id = obligation.revenue_schedule_id
            wizard.recognised_amount = sum(
                revs.filtered(lambda rev: rev.state == "posted").mapped("amount")
            )
            wizard.to_recognise_amount = sum(
                revs.filtered(lambda rev: rev.state in ("pending", "expected")).mapped(
                    "amount"
                )
            )

    @api.depends("move_line_id", "sale_line_id")
    def _compute_schedule_id(self):
        for wizard in self:
            wizard.schedule_id = wizard._obligation().revenue_schedule_id

    @api.depends("move_line_id", "sale_line_id", "schedule_id")
    def _compute_end_date(self):
        """The line's end with its own schedule; the contract end of a schedule
        with automatic contract terms; else what was typed."""
        for wizard in self:
            obligation, schedule = wizard._obligation(), wizard.schedule_id
            if schedule == obligation.revenue_schedule_id:
                wizard.end_date = obligation.revenue_end_date
            elif schedule.automatic_contract_terms:
                wizard.end_date = schedule._contract_end(obligation._revenue_start())
            else:
                wizard.end_date = wizard.end_date

    @api.depends(
        "move_line_id",
        "sale_line_id",
        "change_date",
        "end_date",
        "schedule_id",
        "method",
    )
    def _compute_preview(self):
        change_model = self.env["revenue.change"]
        for wizard in self:
            wizard.preview_catch_up = wizard.preview_monthly = 0.0
            wizard.preview_line_count = 0
            wizard.preview_error = False
            obligation = wizard._obligation()
            if not (obligation and wizard.change_date and wizard.schedule_id):
                continue
            try:
                preview = change_model._revenue_change_preview(
                    obligation,
                    wizard.change_date,
                    wizard.end_date or False,
                    wizard.schedule_id,
                    wizard.method or "prospective",
                )
            except (UserError, ValidationError) as error:
                wizard.preview_error = str(error.args[0])
                continue
            wizard.preview_catch_up = preview["catch_up"]
            wizard.preview_monthly = preview["monthly"]
            wizard.preview_line_count = preview["line_count"]

    def action_apply(self):
        """Apply the change through the model method; close the wizard."""
        self.ensure_one()
        obligation = self._obligation()
        if not obligation:
            raise UserError(
                self.env._(
                    "Choose the invoice line or order line whose revenue terms change."
                )
            )
        obligation.revenue_change_terms(
            self.change_date,
            end_date=self.end_date or False,
            schedule=self.schedule_id,
            method=self.method,
            reason=self.reason,
        )
        return {"type": "ir.actions.act_window_close"}
