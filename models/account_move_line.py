from odoo import api, fields, models
from odoo.exceptions import UserError

from .revenue_source import RevenueSource


class AccountMoveLine(models.Model):
    _name = "account.move.line"
    _inherit = ["account.move.line", "revenue.scheduled.line.mixin"]

    revenue_start_date = fields.Date(
        help="Empty: the order line's start date, else the invoice date.",
    )
    revenue_income_account_id = fields.Many2one(
        "account.account",
        string="Income Account (deferred)",
        copy=False,
        help="The income account this line would have credited; revenue is "
        "recognised into it.",
    )
    revenue_line_ids = fields.One2many(
        "revenue.recognition.line", "move_line_id", string="Revenue Lines"
    )

    @api.depends("product_id", "display_type", "move_id.move_type")
    def _compute_revenue_schedule_id(self):
        for line in self:
            if not line._revenue_is_eligible():
                line.revenue_schedule_id = False
            elif line.product_id:
                line.revenue_schedule_id = line.product_id.with_company(
                    line.company_id
                )._get_revenue_schedule()
            else:
                line.revenue_schedule_id = line.revenue_schedule_id

    def copy_data(self, default=None):
        vals_list = super().copy_data(default=default)
        if "move_reverse_cancel" not in self.env.context:
            # A duplicate is a new draft invoice: back to the income account.
            for line, vals in zip(self, vals_list, strict=True):
                if line.revenue_income_account_id:
                    vals["account_id"] = line.revenue_income_account_id.id
            return vals_list
        # A credit note mirrors the schedule it reverses: same term, same income
        # account; what the invoice already recognised is caught up at the next run.
        for line, vals in zip(self, vals_list, strict=True):
            if line.revenue_schedule_id and line.revenue_income_account_id:
                vals.update(
                    revenue_start_date=line._revenue_start(),
                    revenue_end_date=line.revenue_end_date,
                    revenue_income_account_id=line.revenue_income_account_id.id,
                )
        return vals_list

    def _revenue_is_eligible(self):
        self.ensure_one()
        return self.display_type == "product" and self.move_id.move_type in (
            "out_invoice",
            "out_refund",
        )

    def _revenue_start_depends(self):
        return [
            "move_id.invoice_date",
            "move_id.date",
            "sale_line_ids.revenue_start_date",
        ]

    def _revenue_label(self):
        self.ensure_one()
        return self.env._(
            "Invoice %(move)s, line '%(line)s'",
            move=self.move_id.display_name,
            line=self.name or self.product_id.display_name,
        )

    def _revenue_start(self):
        self.ensure_one()
        return (
            self.revenue_start_date
            or self.sale_line_ids[:1].revenue_start_date
            or self.move_id.invoice_date
            or self.move_id.date
        )

    def _revenue_deferred_lines(self):
        return self.filtered(
            lambda line: line.revenue_schedule_id and line._revenue_is_eligible()
        )

    def _revenue_sources(self):
        """Engine inputs for deferred invoice lines (amounts signed as revenue)."""
        sources = []
        for line in self:
            move = line.move_id
            sources.append(
                RevenueSource(
                    record=line,
                    schedule=line.revenue_schedule_id,
                    start=line._revenue_start(),
                    end=line.revenue_end_date,
                    currency=line.currency_id,
                    company=line.company_id,
                    amount_currency=-line.amount_currency,
                    amount=-line.balance,
                    values={
                        "state": "pending",
                        "move_line_id": line.id,
                        "sale_line_id": line.sale_line_ids[:1].id,
                        "partner_id": move.commercial_partner_id.id,
                        "product_id": line.product_id.id,
                        "deferred_account_id": line.account_id.id,
                        "income_account_id": line.revenue_income_account_id.id,
                        "analytic_distribution": line.analytic_distribution,
                    },
                )
            )
        return sources

    def _revenue_prepare_deferral(self):
        """Credit the deferred revenue account instead of income, before posting.

        The income account the line would have used is kept for recognition.
        Raises a UserError naming the line when something is missing.
        """
        swaps = {}
        for line in self:
            company = line.company_id
            label = line.name or line.product_id.display_name
            deferred = line.revenue_schedule_id._get_deferred_account(
                line.product_id, company
            )
            if not deferred:
                raise UserError(
                    self.env._(
                        "Invoice %(move)s, line '%(line)s': no deferred revenue "
                        "account "
                        "for schedule %(schedule)s. Set one on the schedule or in "
                        "Accounting › Configuration › Settings › Revenue Recognition.",
                        move=line.move_id.display_name,
                        line=label,
                        schedule=line.revenue_schedule_id.display_name,
                    )
                )
            if not company.revenue_journal_id:
                raise UserError(
                    self.env._(
                        "Invoice %(move)s, line '%(line)s': company %(company)s has no "
                        "revenue recognition journal. Set one in Accounting › "
                        "Configuration › Settings › Revenue Recognition.",
                        move=line.move_id.display_name,
                        line=label,
                        company=company.display_name,
                    )
                )
            income = line.account_id
            if income == deferred:
                income = (
                    line.revenue_income_account_id or line._revenue_product_income()
                )
            if not income or income == deferred:
                raise UserError(
                    self.env._(
                        "Invoice %(move)s, line '%(line)s': no income account to "
                        "recognise the revenue into. Set an income account on the "
                        "product or its category.",
                        move=line.move_id.display_name,
                        line=label,
                    )
                )
            swaps.setdefault((deferred, income), []).append(line)
        # Re-synchronising the invoices after the account change is most of its
        # cost; it only matters when other lines derive from the account.
        sync = self._revenue_account_drives_dynamic_lines()
        for (deferred, income), lines in swaps.items():
            # The account change would let analytic distribution models replace
            # what the user set on the line: keep it.
            distributions = [line.analytic_distribution for line in lines]
            self.browse([line.id for line in lines]).with_context(
                skip_invoice_sync=not sync
            ).write({"account_id": deferred.id, "revenue_income_account_id": income.id})
            for line, distribution in zip(lines, distributions, strict=True):
                if line.analytic_distribution != distribution:
                    line.analytic_distribution = distribution

    def _revenue_account_drives_dynamic_lines(self):
        """Whether other lines of the invoices depend on these lines' account.

        Odoo keys tax lines by the base line's account when their repartition
        line has no account, and discount allocation and (mixed) early payment
        discount lines always; then the invoices must be re-synchronised when
        the account changes.
        """
        taxes = self.tax_ids.flatten_taxes_hierarchy()
        repartitions = (
            taxes.invoice_repartition_line_ids | taxes.refund_repartition_line_ids
        ).filtered(lambda rep: rep.repartition_type == "tax")
        if any(not rep._get_aml_target_tax_account() for rep in repartitions):
            return True
        if any(
            term.early_discount and term.early_pay_discount_computation == "mixed"
            for term in self.move_id.invoice_payment_term_id
        ):
            return True
        return any(
            line.discount and line.move_id._get_discount_allocation_account()
            for line in self
        )

    def _revenue_carry_holds(self, vals_list):
        """A hold survives resetting and reposting the invoice."""
        held = {}
        for rev in self.revenue_line_ids:
            if rev.state == "cancelled" and rev.on_hold:
                held.setdefault(rev.move_line_id.id, rev)
        if not held:
            return
        for vals in vals_list:
            rev = held.get(vals["move_line_id"])
            if rev:
                vals.update(
                    on_hold=True,
                    hold_reason=rev.hold_reason,
                    hold_user_id=rev.hold_user_id.id,
                    hold_date=rev.hold_date,
                )

    def _revenue_product_income(self):
        self.ensure_one()
        accounts = self.with_company(
            self.company_id
        ).product_id.product_tmpl_id.get_product_accounts(
            fiscal_pos=self.move_id.fiscal_position_id
        )
        return accounts["income"]

    def _revenue_undo_deferral(self):
        """Back to the income account (invoice reset to draft)."""
        for income, lines in (
            self.filtered("revenue_income_account_id")
            .grouped("revenue_income_account_id")
            .items()
        ):
            lines.write({"account_id": income.id, "revenue_income_account_id": False})

    def _create_analytic_lines(self):
        # Deferred revenue reaches analytic accounts when it is recognised, not twice.
        deferred = self.filtered("revenue_income_account_id")
        return super(AccountMoveLine, self - deferred)._create_analytic_lines()
