import logging
from datetime import date

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

_logger = logging.getLogger(__name__)

#: Account types that may hold deferred revenue: balance sheet, not a
#: receivable, payable, bank, cash or credit card, not the current year earnings.
DEFERRED_ACCOUNT_EXCLUDED_TYPES = (
    "asset_receivable",
    "asset_cash",
    "liability_payable",
    "liability_credit_card",
    "equity_unaffected",
)
#: Periods per schedule: 300 years of months (1900-2199) at most.
MAX_PERIODS_LIMIT = 3600
#: Schedule lines per recognition entry: at most this many.
MAX_LINES_PER_ENTRY_LIMIT = 10000
#: Runs (recognition, accrual, contract change) are dated from this day to
#: the end of next year.
RUN_DATE_MIN = date(2000, 1, 1)


class ResCompany(models.Model):
    _inherit = "res.company"

    revenue_deferred_account_id = fields.Many2one(
        "account.account",
        string="Default Deferred Revenue Account",
        check_company=True,
        domain="[('deprecated', '=', False)]",
    )
    revenue_advance_account_id = fields.Many2one(
        "account.account",
        string="Customer Advances Account",
        check_company=True,
        domain="[('deprecated', '=', False)]",
        help="Down payments on orders with revenue schedules are customer "
        "advances: they are credited here, not to income, and the final "
        "invoice's deduction takes them back.",
    )
    revenue_unbilled_account_id = fields.Many2one(
        "account.account",
        string="Unbilled Revenue Account",
        check_company=True,
        domain="[('deprecated', '=', False)]",
        help="Revenue earned but not invoiced yet is accrued here at month end "
        "(418 Customers - invoices to be made out in the French chart), and "
        "reversed the next day.",
    )
    revenue_accrue_unbilled = fields.Boolean(
        string="Accrue Unbilled Revenue",
        help="The daily scheduled action accrues, once after each month end and "
        "dated that month end, the revenue of confirmed orders that is due but "
        "not invoiced yet, and reverses it the next day.",
    )
    revenue_accrual_last_date = fields.Date(
        string="Last Automatic Accrual",
        readonly=True,
        copy=False,
        help="The last month end the scheduled action accrued.",
    )
    revenue_journal_id = fields.Many2one(
        "account.journal",
        string="Revenue Recognition Journal",
        check_company=True,
        domain="[('type', '=', 'general')]",
    )
    revenue_auto_post = fields.Boolean(
        string="Automatic Revenue Recognition",
        help="A daily scheduled action recognises the revenue that is due.",
    )
    revenue_auto_post_grouping = fields.Selection(
        [("detail", "Detail"), ("summary", "Summary")],
        string="Automatic Recognition Grouping",
        default="summary",
        required=True,
    )
    revenue_auto_post_entries = fields.Boolean(
        string="Post Automatic Entries",
        default=True,
        help="Post the entries of the automatic run; untick to leave them in draft.",
    )
    revenue_max_lines_per_entry = fields.Integer(
        string="Schedule Lines per Entry",
        default=1000,
        help="Recognition entries are split so that none covers more schedule lines.",
    )

    revenue_max_periods = fields.Integer(
        string="Periods per Schedule",
        default=600,
        help="Most schedule lines one order or invoice line may have: longer "
        "schedules are refused when the line or the schedule is saved.",
    )
    revenue_allocate_default = fields.Boolean(
        string="Allocate Order Prices",
        help="New sale orders allocate their price across their scheduled lines "
        "in proportion to the products' standalone selling prices.",
    )

    @api.constrains("revenue_max_periods")
    def _check_revenue_max_periods(self):
        for company in self:
            if not 1 <= company.revenue_max_periods <= MAX_PERIODS_LIMIT:
                raise ValidationError(
                    self.env._(
                        "Company %(company)s: the number of periods per schedule must "
                        "be between 1 and %(limit)s. Change 'Periods per Schedule' in "
                        "Accounting › Configuration › Settings › Revenue Recognition.",
                        company=company.display_name,
                        limit=MAX_PERIODS_LIMIT,
                    )
                )

    @api.constrains("revenue_max_lines_per_entry")
    def _check_revenue_max_lines_per_entry(self):
        for company in self:
            if (
                not 1
                <= company.revenue_max_lines_per_entry
                <= MAX_LINES_PER_ENTRY_LIMIT
            ):
                raise ValidationError(
                    self.env._(
                        "Company %(company)s: the number of schedule lines per entry "
                        "must be between 1 and %(limit)s. Change 'Schedule Lines per "
                        "Entry' in Accounting › Configuration › Settings › Revenue "
                        "Recognition.",
                        company=company.display_name,
                        limit=MAX_LINES_PER_ENTRY_LIMIT,
                    )
                )

    @api.constrains("revenue_deferred_account_id")
    def _check_revenue_deferred_account(self):
        for company in self.filtered("revenue_deferred_account_id"):
            company._revenue_check_deferred_account(
                company.revenue_deferred_account_id,
                self.env._("company %(name)s", name=company.display_name),
            )

    @api.constrains("revenue_unbilled_account_id")
    def _check_revenue_unbilled_account(self):
        for company in self.filtered("revenue_unbilled_account_id"):
            account = company.revenue_unbilled_account_id.sudo()
            if (
                account.internal_group not in ("asset", "liability", "equity")
                or account.account_type in DEFERRED_ACCOUNT_EXCLUDED_TYPES
                or not account.company_ids & company.parent_ids
            ):
                raise ValidationError(
                    self.env._(
                        "Account %(account)s cannot be the unbilled revenue account of "
                        "company %(company)s. Choose a balance-sheet account of "
                        "%(company)s such as a current asset (418 Customers - invoices "
                        "to be made out), not a receivable, payable, bank, cash, "
                        "income or expense account.",
                        account=account.display_name,
                        company=company.display_name,
                    )
                )

    def _revenue_check_deferred_account(self, account, label):
        """Refuse ``account`` as deferred revenue account of ``label`` in ``self``.

        Deferred revenue waits on the balance sheet (a liability, usually 487):
        an income, expense or off-balance account, a receivable, payable or
        liquidity account, or an account of another company is refused.
        """
        self.ensure_one()
        account = account.sudo()
        if (
            account.internal_group not in ("asset", "liability", "equity")
            or account.account_type in DEFERRED_ACCOUNT_EXCLUDED_TYPES
        ):
            account_type = dict(
                account._fields["account_type"]._description_selection(self.env)
            ).get(account.account_type, account.account_type)
            raise ValidationError(
                self.env._(
                    "Account %(account)s cannot be the deferred revenue account of "
                    "%(record)s: it is a '%(type)s' account. Choose a balance-sheet "
                    "account such as a current liability (487 Deferred revenue), not "
                    "a receivable, payable, bank, cash, income or expense account.",
                    account=account.display_name,
                    record=label,
                    type=account_type,
                )
            )
        if not account.company_ids & self.parent_ids:
            raise ValidationError(
                self.env._(
                    "Account %(account)s cannot be the deferred revenue account of "
                    "%(record)s: it does not belong to company %(company)s. Choose a "
                    "deferred revenue account of %(company)s.",
                    account=account.display_name,
                    record=label,
                    company=self.display_name,
                )
            )

    def _revenue_check_run_date(self, value, label):
        """Refuse a run date (as-of, accounting, accrual or change date) outside
        1 January 2000 to 31 December of next year; ``label`` names the field."""
        latest = date(fields.Date.context_today(self).year + 1, 12, 31)
        value = fields.Date.to_date(value)
        if value and not RUN_DATE_MIN <= value <= latest:
            raise UserError(
                self.env._(
                    "%(label)s %(date)s is out of range: revenue recognition runs "
                    "are dated from %(first)s to %(last)s (the end of next year). "
                    "Choose a date in that range.",
                    label=label,
                    date=fields.Date.to_string(value),
                    first=fields.Date.to_string(RUN_DATE_MIN),
                    last=fields.Date.to_string(latest),
                )
            )

    def _revenue_cron_ready(self):
        """The companies of ``self`` whose settings still allow an automatic
        run; each other one is left out with a logged, named reason (its
        deferred revenue account may have been retyped since it was set)."""
        ready = self.browse()
        for company in self:
            try:
                if company.revenue_deferred_account_id:
                    company._revenue_check_deferred_account(
                        company.revenue_deferred_account_id,
                        self.env._("company %(name)s", name=company.display_name),
                    )
            except ValidationError as error:
                _logger.warning(
                    "Automatic revenue recognition: company %s skipped until its "
                    "settings are corrected: %s",
                    company.display_name,
                    error,
                )
                continue
            ready |= company
        return ready

    def _revenue_setup(self):
        """Create the revenue journal and default deferred account when missing.

        Called at install for every company with a chart of accounts, and
        when a chart is loaded later.
        """
        for company in self:
            if not company.chart_template and not self.env[
                "account.account"
            ].search_count(
                [*self.env["account.account"]._check_company_domain(company)], limit=1
            ):
                continue
            values = {}
            if not company.revenue_journal_id:
                values["revenue_journal_id"] = company._revenue_create_journal().id
            if not company.revenue_deferred_account_id:
                values["revenue_deferred_account_id"] = (
                    company._revenue_deferred_account().id
                )
            if not company.revenue_advance_account_id:
                values["revenue_advance_account_id"] = (
                    company._revenue_advance_account().id
                )
            if not company.revenue_unbilled_account_id:
                values["revenue_unbilled_account_id"] = (
                    company._revenue_unbilled_account().id
                )
            if values:
                company.write(values)

    def _revenue_create_journal(self):
        self.ensure_one()
        journal_model = self.env["account.journal"].with_company(self)
        code = "REVR"
        existing = journal_model.search(
            [*journal_model._check_company_domain(self), ("code", "=", code)], limit=1
        )
        if existing:
            return existing
        journal = journal_model.with_context(lang="en_US").create(
            {
                "name": "Revenue Recognition",
                "code": code,
                "type": "general",
                "company_id": self.id,
                "show_on_dashboard": False,
            }
        )
        # its name in every installed language (a French database gets
        # "Constatation du CA"), whatever the language of who installs
        for lang, _name in self.env["res.lang"].get_installed():
            journal.with_context(lang=lang).name = self.with_context(lang=lang).env._(
                "Revenue Recognition"
            )
        return journal

    def _revenue_deferred_account(self):
        """The chart's deferred revenue account (the generic chart's 2120, 487 in
        France), or a new one."""
        self.ensure_one()
        chart_account = (
            self.env["account.chart.template"]
            .with_company(self)
            .ref("deferred_revenue", raise_if_not_found=False)
        )
        if (
            chart_account
            and not chart_account.deprecated
            and chart_account.account_type == "liability_current"
        ):
            return chart_account
        return self._revenue_liability_account(
            "487", "487000", self.env._("Deferred Revenue")
        )

    def _revenue_advance_account(self):
        """The chart's customer advances account (4191 in France), or a new one."""
        self.ensure_one()
        return self._revenue_liability_account(
            "4191", "419100", self.env._("Customer Advances")
        )

    def _revenue_unbilled_account(self):
        """The chart's unbilled receivables account (418100 in France), or a new
        current asset "Unbilled Receivables"."""
        self.ensure_one()
        return self._revenue_liability_account(
            "418",
            "418000",
            self.env._("Unbilled Receivables"),
            account_type="asset_current",
        )

    def _revenue_liability_account(
        self, prefix, code, name, account_type="liability_current"
    ):
        """An account of ``account_type`` (default: current liability) of the chart
        whose code starts with ``prefix``, else a new one with ``code`` (or the
        next free code) and ``name``."""
        self.ensure_one()
        account_model = self.env["account.account"].with_company(self)
        company_domain = account_model._check_company_domain(self)
        account = account_model.search(
            [
                *company_domain,
                ("account_type", "=", account_type),
                ("deprecated", "=", False),
                ("code", "=like", f"{prefix}%"),
            ],
            limit=1,
        )
        if account:
            return account
        if account_model.search_count([*company_domain, ("code", "=", code)], limit=1):
            code = account_model._search_new_account_code(code)
        return account_model.create(
            {
                "name": name,
                "code": code,
                "account_type": account_type,
                "company_ids": [fields.Command.link(self.id)],
            }
        )

    # --- KPI alerts -------------------------------------------------------------

    revenue_alert_book_to_bill = fields.Float(
        string="Book-to-bill Alert Below",
        default=1.0,
        help="The KPIs show book-to-bill (bookings ÷ recognised) in red below "
        "this, and the month-end check asks the revenue manager to act.",
    )
    revenue_alert_coverage_months = fields.Float(
        string="Coverage Alert Below (months)",
        default=6.0,
        help="The KPIs show the backlog coverage in red below this many months.",
    )
    revenue_alert_lead_time_days = fields.Float(
        string="Lead Time Alert Above (days)",
        default=30.0,
        help="The KPIs show the lead time from signature to first recognised "
        "revenue in red above this many days.",
    )
