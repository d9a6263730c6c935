from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    revenue_deferred_account_id = fields.Many2one(
        related="company_id.revenue_deferred_account_id", readonly=False
    )
    revenue_advance_account_id = fields.Many2one(
        related="company_id.revenue_advance_account_id", readonly=False
    )
    revenue_journal_id = fields.Many2one(
        related="company_id.revenue_journal_id", readonly=False
    )
    revenue_auto_post = fields.Boolean(
        related="company_id.revenue_auto_post", readonly=False
    )
    revenue_auto_post_grouping = fields.Selection(
        related="company_id.revenue_auto_post_grouping", readonly=False
    )
    revenue_auto_post_entries = fields.Boolean(
        related="company_id.revenue_auto_post_entries", readonly=False
    )
    revenue_max_lines_per_entry = fields.Integer(
        related="company_id.revenue_max_lines_per_entry", readonly=False
    )
    revenue_max_periods = fields.Integer(
        related="company_id.revenue_max_periods", readonly=False
    )
    revenue_allocate_default = fields.Boolean(
        related="company_id.revenue_allocate_default", readonly=False
    )
    revenue_unbilled_account_id = fields.Many2one(
        related="company_id.revenue_unbilled_account_id", readonly=False
    )
    revenue_accrue_unbilled = fields.Boolean(
        related="company_id.revenue_accrue_unbilled", readonly=False
    )
    revenue_accrual_last_date = fields.Date(
        related="company_id.revenue_accrual_last_date"
    )
    revenue_alert_book_to_bill = fields.Float(
        related="company_id.revenue_alert_book_to_bill", readonly=False
    )
    revenue_alert_coverage_months = fields.Float(
        related="company_id.revenue_alert_coverage_months", readonly=False
    )
    revenue_alert_lead_time_days = fields.Float(
        related="company_id.revenue_alert_lead_time_days", readonly=False
    )
