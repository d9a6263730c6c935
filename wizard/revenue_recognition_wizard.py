"""Recognise Revenue: the wizard of the recognition run and the accrual.

About 600 lines, over the usual 500, because it is one screen with three
steps (options with the due and accrual previews, the background jobs'
progress, the result); the work itself is done by model methods it only
calls (``_recognise``, ``_accrue``, ``_month_end_units``,
``_enqueue_month_end_units``).
"""

import json

from dateutil.relativedelta import relativedelta
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_date, formatLang

from ..engine import month_start
from ..models.revenue_recognition_posting import RecognitionResult


class RevenueRecognitionWizard(models.TransientModel):
    """Recognise Revenue: release the pending revenue that is due.

    Two steps in one wizard: ``draft`` (filters and options), then ``done``
    (what the run did, with a button to open the entries). With
    ``accrue_unbilled`` the run also accrues the unbilled revenue that is due
    (``revenue.recognition.line._accrue``).
    """

    _name = "revenue.recognition.wizard"
    _description = "Recognise Revenue"
    _check_company_auto = True

    state = fields.Selection(
        [("draft", "Options"), ("running", "In Progress"), ("done", "Result")],
        default="draft",
        required=True,
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    date = fields.Date(
        string="As of",
        required=True,
        default=lambda self: self._default_date(),
        help="Pending lines with a recognition date up to this date are recognised. "
        "By default the last month end: the month being closed.",
    )
    posting_date_mode = fields.Selection(
        [
            ("recognition_date", "On each line's recognition date"),
            ("selected_date", "On one date"),
        ],
        string="Posting Date",
        required=True,
        default="selected_date",
        help="On one date: everything on the accounting date below, usually the "
        "month end. On each line's recognition date: one entry per date.",
    )
    posting_date = fields.Date(
        string="Accounting Date",
        compute="_compute_posting_date",
        store=True,
        readonly=False,
        precompute=True,
    )
    grouping = fields.Selection(
        [("detail", "Detail"), ("summary", "Summary")],
        required=True,
        default="detail",
        help="Detail: one income line per schedule line with partner, product and "
        "analytic distribution. Summary: lines grouped by account, analytic "
        "distribution and currency.",
    )
    post_entries = fields.Boolean(
        default=True,
        help="Untick to review the entries in draft first.",
    )
    accrue_unbilled = fields.Boolean(
        string="Accrue Unbilled Revenue",
        default=lambda self: self.env.company.revenue_accrue_unbilled,
        help="Also accrue the revenue of confirmed orders that is due as of this "
        "date but not invoiced yet: Dr unbilled revenue / Cr income on the as-of "
        "date, reversed the next day. Both entries are posted.",
    )
    partner_ids = fields.Many2many("res.partner", string="Customers")
    order_ids = fields.Many2many("sale.order", string="Sale Orders", check_company=True)
    invoice_ids = fields.Many2many(
        "account.move",
        string="Invoices",
        check_company=True,
        domain="[('move_type', 'in', ('out_invoice', 'out_refund')), "
        "('state', '=', 'posted')]",
    )
    product_ids = fields.Many2many("product.product", string="Products")
    schedule_ids = fields.Many2many(
        "revenue.schedule", string="Revenue Schedules", check_company=True
    )
    due_count = fields.Integer(string="Lines to Recognise", compute="_compute_due")
    due_amount = fields.Monetary(string="Amount to Recognise", compute="_compute_due")
    held_count = fields.Integer(string="Lines on Hold", compute="_compute_due")
    journal_id = fields.Many2one(
        related="company_id.revenue_journal_id", string="Journal"
    )
    earlier_count = fields.Integer(
        string="Lines Dated in Earlier Months",
        compute="_compute_due",
        help="Due lines whose entries would be dated in a month before the as-of "
        "date's month.",
    )
    preview_html = fields.Html(string="Preview", compute="_compute_due", sanitize=False)
    nothing_due_message = fields.Char(compute="_compute_due")
    accrual_count = fields.Integer(string="Lines to Accrue", compute="_compute_accrual")
    accrual_amount = fields.Monetary(
        string="Amount to Accrue", compute="_compute_accrual"
    )
    accrual_held_count = fields.Integer(
        string="Expected Lines on Hold", compute="_compute_accrual"
    )
    accrual_done_count = fields.Integer(
        string="Lines Already Accrued",
        compute="_compute_accrual",
        help="Expected lines of order lines already accrued for this date.",
    )
    accrual_preview_html = fields.Html(
        string="Accrual Preview", compute="_compute_accrual", sanitize=False
    )

    result_line_count = fields.Integer(string="Lines Recognised", readonly=True)
    result_amount = fields.Monetary(string="Amount Recognised", readonly=True)
    result_move_ids = fields.Many2many(
        "account.move",
        "revenue_recognition_wizard_result_move_rel",
        "wizard_id",
        "move_id",
        string="Entries",
        readonly=True,
    )
    result_move_count = fields.Integer(
        string="Entries Created", compute="_compute_result_move_count"
    )
    result_accrual_line_count = fields.Integer(string="Lines Accrued", readonly=True)
    result_accrual_amount = fields.Monetary(string="Amount Accrued", readonly=True)
    result_held_count = fields.Integer(string="Lines Skipped (on Hold)", readonly=True)
    result_locked_count = fields.Integer(
        string="Lines Skipped (Another Run)",
        readonly=True,
        help="Lines another run was recognising at the same time.",
    )
    result_message = fields.Text(readonly=True)
    result_is_warning = fields.Boolean(
        readonly=True,
        help="The result message reports something to check (nothing done, a "
        "locked period, an error), not only what was done.",
    )
    jobs_available = fields.Boolean(compute="_compute_jobs_available")
    run_in_background = fields.Boolean(
        string="Run in the Background",
        help="Queue the work as background jobs, per company and chunk of "
        "schedule lines, run by the job runner's workers; this window shows "
        "their progress and the result once they are done.",
    )
    background_job_uuids = fields.Text(readonly=True)
    job_count = fields.Integer(string="Jobs", compute="_compute_job_progress")
    job_done_count = fields.Integer(string="Jobs Done", compute="_compute_job_progress")
    job_failed_count = fields.Integer(
        string="Jobs Failed", compute="_compute_job_progress"
    )
    job_progress = fields.Float(string="Progress", compute="_compute_job_progress")

    @api.depends("date")
    def _compute_posting_date(self):
        for wizard in self:
            wizard.posting_date = wizard.date

    @api.depends(
        "company_id",
        "date",
        "posting_date_mode",
        "posting_date",
        "partner_ids",
        "order_ids",
        "invoice_ids",
        "product_ids",
        "schedule_ids",
    )
    def _compute_due(self):
        """What a run would release, and a small grid of it by month and
        income account, from one grouped read."""
        line_model = self.env["revenue.recognition.line"]
        for wizard in self:
            wizard.update(
                {
                    "due_count": 0,
                    "due_amount": 0.0,
                    "held_count": 0,
                    "earlier_count": 0,
                    "preview_html": False,
                    "nothing_due_message": False,
                }
            )
            if not wizard.date:
                continue
            domain = wizard._get_line_domain()
            wizard.held_count = line_model.search_count(
                line_model._get_due_domain(wizard.date, held=True) + domain
            )
            groups = line_model._read_group(
                line_model._get_due_domain(wizard.date) + domain,
                ["recognition_date:month", "income_account_id"],
                ["__count", "amount:sum"],
            )
            if not groups:
                wizard.nothing_due_message = self.env._(
                    "Nothing to recognise as of %(date)s with these filters.",
                    date=format_date(self.env, wizard.date),
                )
                continue
            wizard.due_count = sum(count for _m, _a, count, _amount in groups)
            wizard.due_amount = sum(amount for _m, _a, _count, amount in groups)
            if wizard.posting_date_mode == "recognition_date":
                first_day = month_start(wizard.date)
                wizard.earlier_count = sum(
                    count for month, _a, count, _amount in groups if month < first_day
                )
            wizard.preview_html = wizard._preview_table(groups)

    @api.depends(
        "accrue_unbilled",
        "company_id",
        "date",
        "partner_ids",
        "order_ids",
        "invoice_ids",
        "product_ids",
        "schedule_ids",
    )
    def _compute_accrual(self):
        """What an accrual would write, by income account, from one grouped read."""
        line_model = self.env["revenue.recognition.line"]
        for wizard in self:
            wizard.update(
                {
                    "accrual_count": 0,
                    "accrual_amount": 0.0,
                    "accrual_held_count": 0,
                    "accrual_done_count": 0,
                    "accrual_preview_html": False,
                }
            )
            if not wizard.accrue_unbilled or not wizard.date:
                continue
            domain = wizard._get_line_domain()
            wizard.accrual_held_count = line_model.search_count(
                line_model._get_accrual_domain(wizard.date, held=True) + domain
            )
            done = line_model._accrued_sale_lines(wizard.date)
            wizard.accrual_done_count = line_model.search_count(
                line_model._get_accrual_domain(wizard.date)
                + domain
                + [("sale_line_id", "in", done.ids)]
            )
            groups = line_model._read_group(
                line_model._get_accrual_todo_domain(wizard.date) + domain,
                ["sale_line_id"],
                ["__count", "amount:sum"],
            )
            if not groups:
                continue
            incomes = line_model._accrual_income_accounts(
                self.env["sale.order.line"].union(*(group[0] for group in groups)),
                raise_if_missing=False,
            )
            by_account = {}
            for sale_line, count, amount in groups:
                totals = by_account.setdefault(incomes[sale_line], [0, 0.0])
                totals[0] += count
                totals[1] += amount
            wizard.accrual_count = sum(count for count, _amount in by_account.values())
            wizard.accrual_amount = sum(
                amount for _count, amount in by_account.values()
            )
            wizard.accrual_preview_html = wizard._preview_table(
                [
                    (wizard.date, account, count, amount)
                    for account, (count, amount) in by_account.items()
                ]
            )

    def _preview_table(self, groups):
        currency = self.company_id.currency_id
        rows = Markup("").join(
            Markup(
                "<tr><td>%s</td><td>%s</td><td class='text-end'>%s</td>"
                "<td class='text-end'>%s</td></tr>"
            )
            % (
                format_date(self.env, month, date_format="MMMM y"),
                account.display_name,
                count,
                formatLang(self.env, amount, currency_obj=currency),
            )
            for month, account, count, amount in groups
        )
        header = Markup(
            "<thead><tr><th>%s</th><th>%s</th><th class='text-end'>%s</th>"
            "<th class='text-end'>%s</th></tr></thead>"
        ) % (
            self.env._("Month"),
            self.env._("Income account"),
            self.env._("Lines"),
            self.env._("Amount"),
        )
        return (
            Markup("<table class='table table-sm o_revenue_wizard_preview'>")
            + header
            + Markup("<tbody>")
            + rows
            + Markup("</tbody></table>")
        )

    @api.depends("company_id")
    def _compute_jobs_available(self):
        jobs_available = self.env["revenue.recognition.line"]._revenue_jobs_enabled()
        for wizard in self:
            wizard.jobs_available = jobs_available

    @api.depends("background_job_uuids")
    def _compute_job_progress(self):
        for wizard in self:
            jobs = wizard._background_jobs()
            ended = jobs.filtered(
                lambda job: job.state in ("done", "failed", "cancelled")
            )
            wizard.job_count = len(jobs)
            wizard.job_done_count = len(jobs.filtered(lambda job: job.state == "done"))
            wizard.job_failed_count = len(ended) - wizard.job_done_count
            wizard.job_progress = 100.0 * len(ended) / len(jobs) if jobs else 0.0

    @api.depends("result_move_ids")
    def _compute_result_move_count(self):
        for wizard in self:
            wizard.result_move_count = len(wizard.result_move_ids)

    def _get_line_domain(self):
        """Filters of the wizard, as a domain on revenue.recognition.line."""
        self.ensure_one()
        domain = [("company_id", "=", self.company_id.id)]
        if self.partner_ids:
            # Schedule lines carry the invoice's commercial partner.
            partners = self.partner_ids.commercial_partner_id
            domain.append(("partner_id", "in", partners.ids))
        for field_name, line_field in (
            ("order_ids", "order_id"),
            ("invoice_ids", "move_id"),
            ("product_ids", "product_id"),
            ("schedule_ids", "schedule_id"),
        ):
            if self[field_name]:
                domain.append((line_field, "in", self[field_name].ids))
        return domain

    def action_create_journal(self):
        """Create (and post) the entries, then show the result step."""
        self.ensure_one()
        if self.state != "draft":
            raise UserError(
                self.env._(
                    "This run is done already. Open Recognise Revenue again for a new "
                    "run."
                )
            )
        if self.posting_date_mode == "selected_date" and not self.posting_date:
            raise UserError(
                self.env._(
                    "Set the accounting date of the entries, or post them on each "
                    "line's recognition date."
                )
            )
        self._revenue_check_dates()
        line_model = self.env["revenue.recognition.line"].with_company(self.company_id)
        if self.run_in_background and self.jobs_available:
            return self._run_in_background()
        result = line_model._recognise(
            self.date,
            posting_date_mode=self.posting_date_mode,
            posting_date=self.posting_date,
            grouping=self.grouping,
            post=self.post_entries,
            domain=self._get_line_domain(),
        )
        accrual = None
        if self.accrue_unbilled:
            accrual = line_model._accrue(
                self.date, grouping=self.grouping, domain=self._get_line_domain()
            )
        company_id = self.company_id.id
        self.write(
            {
                "state": "done",
                "result_line_count": result.line_count,
                "result_amount": result.amounts.get(company_id, 0.0),
                "result_accrual_line_count": accrual.line_count if accrual else 0,
                "result_accrual_amount": (
                    accrual.amounts.get(company_id, 0.0) if accrual else 0.0
                ),
                "result_move_ids": [
                    fields.Command.set(
                        result.move_ids + (accrual.move_ids if accrual else [])
                    )
                ],
                "result_held_count": result.held_count,
                "result_locked_count": result.locked_count
                + (accrual.locked_count if accrual else 0),
                "result_message": self._result_message(result, accrual),
                "result_is_warning": self._result_is_warning(result, accrual),
            }
        )
        return self._reopen()

    def _revenue_check_dates(self):
        """The as-of date (also the accrual date) and the accounting date are
        within the range of runs (``res.company._revenue_check_run_date``)."""
        self.company_id._revenue_check_run_date(self.date, self.env._("As-of date"))
        if self.posting_date_mode == "selected_date":
            self.company_id._revenue_check_run_date(
                self.posting_date, self.env._("Accounting date")
            )

    def _run_in_background(self):
        """Queue the accrual (when asked) and the recognition as jobs, one per
        company and chunk (``_month_end_units``); the window shows their
        progress until they are done."""
        line_model = self.env["revenue.recognition.line"].with_company(self.company_id)
        domain = self._get_line_domain()
        units = []
        if self.accrue_unbilled:
            units += line_model._month_end_units(
                "accrual", self.company_id, self.date, domain=domain
            )
        units += line_model._month_end_units(
            "recognition", self.company_id, self.date, domain=domain
        )
        uuids = line_model._enqueue_month_end_units(
            units,
            {
                "grouping": self.grouping,
                "post": self.post_entries,
                "posting_date_mode": self.posting_date_mode,
                "posting_date": self.posting_date,
            },
        )
        self.write(
            {
                "state": "running",
                "background_job_uuids": json.dumps(uuids),
                "result_held_count": self.held_count,
            }
        )
        return self.action_refresh_progress()

    def _background_jobs(self):
        """The jobs of this run (read as superuser: the user queued them)."""
        self.ensure_one()
        uuids = json.loads(self.background_job_uuids or "[]")
        if not uuids or "queue.job" not in self.env:
            return self.env["revenue.recognition.line"].browse()
        return self.env["queue.job"].sudo().search([("uuid", "in", uuids)])

    def action_refresh_progress(self):
        """Read the jobs again; once all have ended, show the result."""
        self.ensure_one()
        jobs = self._background_jobs()
        if self.state == "running" and all(
            job.state in ("done", "failed", "cancelled") for job in jobs
        ):
            self._write_background_result(jobs)
        return self._reopen()

    def _write_background_result(self, jobs):
        """The result step from the figures the jobs returned."""
        company_id = self.company_id.id
        results = {"accrual": None, "recognition": RecognitionResult()}
        for job in jobs:
            if job.state != "done":
                results["recognition"].errors.append(
                    self.env._(
                        "Job %(job)s did not finish (%(state)s): %(error)s",
                        job=job.display_name,
                        state=job.state,
                        error=job.exc_message or "-",
                    )
                )
                continue
            figures = json.loads(job.result)
            if figures["kind"] == "accrual" and results["accrual"] is None:
                results["accrual"] = RecognitionResult()
            results[figures["kind"]].merge(
                RecognitionResult(
                    line_count=figures["line_count"],
                    amounts={company_id: figures["amount"]},
                    move_ids=figures["move_ids"],
                    locked_count=figures["locked_count"],
                    failed_count=figures["failed_count"],
                    errors=figures["errors"],
                )
            )
        if self.accrue_unbilled and results["accrual"] is None:
            results["accrual"] = RecognitionResult()
        result, accrual = results["recognition"], results["accrual"]
        self.write(
            {
                "state": "done",
                "result_line_count": result.line_count,
                "result_amount": result.amounts.get(company_id, 0.0),
                "result_accrual_line_count": accrual.line_count if accrual else 0,
                "result_accrual_amount": (
                    accrual.amounts.get(company_id, 0.0) if accrual else 0.0
                ),
                "result_move_ids": [
                    fields.Command.set(
                        result.move_ids + (accrual.move_ids if accrual else [])
                    )
                ],
                "result_locked_count": result.locked_count
                + (accrual.locked_count if accrual else 0),
                "result_message": self._result_message(result, accrual),
                "result_is_warning": self._result_is_warning(result, accrual),
            }
        )

    @api.model
    def _result_is_warning(self, result, accrual=None):
        """The result reports something to check (nothing done, a locked
        period, an error), not only what was done."""
        return bool(
            not result.line_count
            or result.date_shifts
            or result.errors
            or (accrual and not accrual.line_count)
        )

    def _result_message(self, result, accrual=None):
        messages = []
        if accrual and accrual.line_count:
            moves = self.env["account.move"].browse(accrual.move_ids)
            messages.append(
                self.env._(
                    "%(count)s expected line(s) accrued as unbilled revenue "
                    "(%(amount)s) on %(date)s, reversed on %(reversal)s.",
                    count=accrual.line_count,
                    amount=formatLang(
                        self.env,
                        accrual.amounts.get(self.company_id.id, 0.0),
                        currency_obj=self.company_id.currency_id,
                    ),
                    date=format_date(
                        self.env, min(moves.filtered("revenue_accrual").mapped("date"))
                    ),
                    reversal=format_date(
                        self.env,
                        min(moves.filtered("reversed_entry_id").mapped("date")),
                    ),
                )
            )
        elif accrual:
            messages.append(
                self.env._(
                    "No unbilled revenue to accrue as of %(date)s with these filters.",
                    date=format_date(self.env, self.date),
                )
            )
        if accrual:
            result.date_shifts.extend(accrual.date_shifts)
            result.errors.extend(accrual.errors)
        if not result.line_count:
            messages.append(
                self.env._(
                    "Nothing to recognise as of %(date)s with these filters.",
                    date=format_date(self.env, self.date),
                )
            )
        for wanted, accounting in result.date_shifts:
            messages.append(
                self.env._(
                    "%(wanted)s is in a locked period: the entries are dated %(date)s, "
                    "the first open date.",
                    wanted=format_date(self.env, wanted),
                    date=format_date(self.env, accounting),
                )
            )
        messages.extend(result.errors)
        return "\n".join(messages) or False

    def _reopen(self):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Recognise Revenue"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
        }

    def action_open_due_lines(self):
        """The schedule lines this run would recognise."""
        self.ensure_one()
        line_model = self.env["revenue.recognition.line"]
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "revenue_recognition.action_revenue_recognition_line_all"
        )
        action.update(
            {
                "domain": line_model._get_due_domain(self.date)
                + self._get_line_domain(),
                "context": {},
                "target": "current",
            }
        )
        return action

    def action_open_entries(self):
        """The entries this run created."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_move_journal_line"
        )
        action.update(
            {
                "domain": [("id", "in", self.result_move_ids.ids)],
                "context": {"default_move_type": "entry"},
                "target": "current",
            }
        )
        if len(self.result_move_ids) == 1:
            action.update(
                {
                    "views": [(False, "form")],
                    "view_mode": "form",
                    "res_id": self.result_move_ids.id,
                }
            )
        return action

    @api.model
    def _default_date(self):
        """The last day of the previous month: the month end being closed."""
        today = fields.Date.context_today(self)
        return today.replace(day=1) - relativedelta(days=1)
