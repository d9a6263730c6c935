"""The schedule template ``revenue.schedule`` ("12M", "Quarterly", ...).

About 560 lines, just over the usual 500, because it is one model whose
fields and their help texts take about 130 lines: its checks, its
preview in words (``_preview_html``), its use (deletion refused while used)
and its bounds. The maths are in the engine (``contract_end``, ``preview``);
the percentages of a schedule by percentages are their own model, in
``revenue_schedule_percentage.py``.
"""

from collections import defaultdict
from decimal import Decimal

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, format_date, formatLang

from ..engine import ScheduleError, contract_end, preview
from .schedule_errors import schedule_error_message

#: Default of the company setting ``revenue_max_periods``.
DEFAULT_MAX_PERIODS = 600


class RevenueSchedule(models.Model):
    """A revenue schedule template ("12M", "Quarterly", ...).

    It says how an amount is spread over time; the maths lives in ``engine``.
    """

    _name = "revenue.schedule"
    _inherit = ["mail.thread"]
    _description = "Revenue Schedule"
    _order = "sequence, name, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    code = fields.Char()
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", default=lambda self: self.env.company, index=True
    )
    description = fields.Text(translate=True)
    recognition_basis = fields.Selection(
        [
            ("occurrences", "Occurrences"),
            ("monthly", "Monthly (pro rata of the month)"),
            ("monthly_days", "Monthly by days"),
            ("delivery", "Delivery"),
        ],
        string="Basis",
        required=True,
        default="monthly",
        help="Occurrences: N equal periods of one month from the start.\n"
        "Monthly: each calendar month touched by the term, weighted by the share "
        "of the month served (a start that is not the 1st gives N + 1 lines).\n"
        "Monthly by days: each calendar month touched, weighted by days served.\n"
        "Delivery: each rise of the order line's delivered quantity is recognised "
        "on the day of delivery, for that quantity's share of the line's amount; "
        "a return gives a negative line.",
        tracking=True,
    )
    recognition_convention = fields.Selection(
        [
            ("actual_start", "Actual start date"),
            ("month_start", "Start of month"),
            ("mid_month", "Mid-month"),
            ("next_month", "Next month"),
            ("month_end", "End of month"),
        ],
        string="Convention",
        required=True,
        default="actual_start",
        help="Actual start: recognition starts on the start date.\n"
        "Start of month: later lines on the 1st of their month.\n"
        "Mid-month: starts on the 1st of the start's month if it is on day 1-15, "
        "else the 1st of the next month.\n"
        "Next month: starts on the 1st of the following month.\n"
        "End of month: each line on the last day of its month.",
        tracking=True,
    )
    occurrences = fields.Integer(
        required=True,
        default=12,
        help="Number of occurrences (or months) of the term.",
        tracking=True,
    )
    automatic_contract_terms = fields.Boolean(
        help="Fill the end date automatically: start + occurrences months - 1 day.",
        tracking=True,
    )
    automatic_hold = fields.Boolean(
        help="Every schedule line is created on hold and must be released "
        "before it can be recognised.",
        tracking=True,
    )
    release_event = fields.Selection(
        [
            ("none", "None"),
            ("delivered", "Fully delivered"),
            ("accepted", "Customer accepted"),
        ],
        string="Release on",
        required=True,
        default="none",
        help="None: the lines are due on their dates.\n"
        "Fully delivered: the invoiced lines wait on hold until the order line is "
        "fully delivered, then are released on their own.\n"
        "Customer accepted: the invoiced lines wait on hold until someone clicks "
        "Customer accepted on the order line, then are released on their own.",
        tracking=True,
    )
    recurring = fields.Boolean(
        default=True,
        help="Recurring revenue (subscriptions, maintenance): its lines count in "
        "the monthly recurring revenue (MRR) and its movements. Untick for "
        "one-off revenue such as set-up fees or projects.",
        tracking=True,
    )
    deferred_account_id = fields.Many2one(
        "account.account",
        string="Deferred Revenue Account",
        check_company=True,
        domain="[('deprecated', '=', False)]",
        help="Leave empty to use the product category's schedule account "
        "or the company default.",
        tracking=True,
    )
    use_percentages = fields.Boolean(
        string="Per-period percentages",
        help="Monthly basis only: give the share of each of the N periods.",
        tracking=True,
    )
    percentage_ids = fields.One2many(
        "revenue.schedule.percentage", "schedule_id", string="Percentages", copy=True
    )
    percentage_total = fields.Float(compute="_compute_percentage_total")
    line_count = fields.Integer(compute="_compute_line_count")
    product_count = fields.Integer(compute="_compute_product_count")
    # Sample inputs of the preview: not stored, so that trying the preview
    # never modifies the schedule.
    preview_amount = fields.Float(
        string="Sample amount",
        default=1200.0,
        compute="_compute_preview_sample",
        readonly=False,
        store=False,
    )
    preview_start_date = fields.Date(
        string="Sample start date",
        default=fields.Date.context_today,
        compute="_compute_preview_sample",
        readonly=False,
        store=False,
    )
    preview_html = fields.Html(
        compute="_compute_preview_html", sanitize=False, string="Preview"
    )

    @api.depends("percentage_ids.percentage")
    def _compute_percentage_total(self):
        for schedule in self:
            schedule.percentage_total = sum(
                schedule.percentage_ids.mapped("percentage")
            )

    def _compute_preview_sample(self):
        today = fields.Date.context_today(self)
        for schedule in self:
            schedule.preview_amount = 1200.0
            schedule.preview_start_date = today

    def _compute_product_count(self):
        counts = dict(
            self.env["product.template"]._read_group(
                [("revenue_schedule_id", "in", self.ids)],
                ["revenue_schedule_id"],
                ["__count"],
            )
        )
        for schedule in self:
            schedule.product_count = counts.get(schedule, 0)

    def action_view_products(self):
        """The products that use this schedule by default (active company)."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "product.product_template_action"
        )
        action["domain"] = [("revenue_schedule_id", "=", self.id)]
        action["context"] = {}
        return action

    def _compute_line_count(self):
        counts = dict(
            self.env["revenue.recognition.line"]._read_group(
                [("schedule_id", "in", self.ids)], ["schedule_id"], ["__count"]
            )
        )
        for schedule in self:
            schedule.line_count = counts.get(schedule, 0)

    @api.depends(
        "recognition_basis",
        "recognition_convention",
        "occurrences",
        "use_percentages",
        "percentage_ids.percentage",
        "preview_amount",
        "preview_start_date",
        "company_id",
    )
    def _compute_preview_html(self):
        for schedule in self:
            schedule.preview_html = schedule._preview_html()

    @api.constrains("occurrences")
    def _check_occurrences(self):
        for schedule in self:
            if schedule.occurrences < 1:
                raise ValidationError(
                    schedule._occurrences_min_message(schedule.display_name)
                )

    @api.constrains(
        "recognition_basis", "use_percentages", "percentage_ids", "occurrences"
    )
    def _check_percentages(self):
        for schedule in self:
            if not schedule._uses_percentages():
                continue
            count = len(schedule.percentage_ids)
            if count != schedule.occurrences:
                raise ValidationError(
                    self.env._(
                        "Schedule %(name)s: give exactly one percentage per period "
                        "(%(expected)s expected, %(count)s given), or untick "
                        "'Per-period percentages'.",
                        name=schedule.display_name,
                        expected=schedule.occurrences,
                        count=count,
                    )
                )
            total = sum(
                Decimal(str(p)) for p in schedule.percentage_ids.mapped("percentage")
            )
            if total != 100:
                raise ValidationError(
                    self.env._(
                        "Schedule %(name)s: the per-period percentages add up to "
                        "%(total)s%%; change them so that they add up to exactly "
                        "100%%.",
                        name=schedule.display_name,
                        total=total,
                    )
                )

    @api.onchange("occurrences", "use_percentages", "recognition_basis")
    def _onchange_percentages(self):
        """Offer one editable row per period, evenly split, when asked."""
        if not self._uses_percentages() or len(self.percentage_ids) == self.occurrences:
            return
        if self.occurrences > self._revenue_max_periods():
            return  # refused at save (_check_occurrences_cap): no million rows
        count = max(self.occurrences, 1)
        base = round(100.0 / count, 2)
        values = [base] * count
        values[-1] = round(100.0 - base * (count - 1), 2)
        self.percentage_ids = [fields.Command.clear()] + [
            fields.Command.create({"sequence": index, "percentage": value})
            for index, value in enumerate(values, start=1)
        ]

    def _uses_percentages(self):
        self.ensure_one()
        return self.recognition_basis == "monthly" and self.use_percentages

    def _engine_percentages(self):
        """Percentages as exact decimals for the engine, or None."""
        self.ensure_one()
        if not self._uses_percentages():
            return None
        return tuple(
            Decimal(str(p))
            for p in self.percentage_ids.sorted("sequence").mapped("percentage")
        )

    def _engine_kwargs(self):
        self.ensure_one()
        return {
            "basis": self.recognition_basis,
            "convention": self.recognition_convention,
            "occurrences": self.occurrences,
            "percentages": self._engine_percentages(),
        }

    def _contract_end(self, start):
        """End date filled by automatic contract terms, else False."""
        self.ensure_one()
        if not (self.automatic_contract_terms and start and self.occurrences >= 1):
            return False
        return contract_end(start, self.occurrences)

    def _preview_html(self):
        self.ensure_one()
        if not self.preview_start_date or self.occurrences < 1:
            return False
        if self.occurrences > self._revenue_max_periods():
            return Markup('<div class="alert alert-warning">%s</div>') % (
                self._occurrences_cap_message(self.occurrences)
            )
        currency = (self.company_id or self.env.company).currency_id
        try:
            result = preview(
                Decimal(str(self.preview_amount or 0.0)),
                self.preview_start_date,
                rounding=Decimal(str(currency.rounding)),
                **self._engine_kwargs(),
            )
        except ScheduleError as error:
            return Markup(
                '<div class="alert alert-warning">%s</div>'
            ) % schedule_error_message(self.env, error, self.display_name)
        rows = Markup("").join(
            Markup(
                "<tr><td>%s</td><td>%s</td><td>%s – %s</td><td "
                "class='text-end'>%s</td></tr>"
            )
            % (
                line.sequence + 1,
                format_date(self.env, line.recognition_date),
                format_date(self.env, line.period_start),
                format_date(self.env, line.period_end),
                formatLang(
                    self.env, float(line.amount_currency), currency_obj=currency
                ),
            )
            for line in result.lines
        )
        note = Markup("")
        if result.extra_line:
            note = Markup(
                '<div class="alert alert-info mb-2 o_revenue_preview_note">%s</div>'
            ) % (self._preview_extra_line_sentence(result))
        header = Markup(
            "<thead><tr><th>#</th><th>%s</th><th>%s</th><th "
            "class='text-end'>%s</th></tr></thead>"
        ) % (self.env._("Recognition date"), self.env._("Period"), self.env._("Amount"))
        total = Markup(
            "<tfoot><tr><td colspan='3'><strong>%s</strong></td>"
            "<td class='text-end'><strong>%s</strong></td></tr></tfoot>"
        ) % (
            (
                self.env._("Total (1 line)")
                if result.line_count == 1
                else self.env._("Total (%(count)s lines)", count=result.line_count)
            ),
            formatLang(self.env, float(result.total), currency_obj=currency),
        )
        return (
            note
            + Markup("<table class='table table-sm o_revenue_preview'>")
            + header
            + Markup("<tbody>")
            + rows
            + Markup("</tbody>")
            + total
            + Markup("</table>")
        )

    def _preview_extra_line_sentence(self, result):
        """Why the preview has one line more than the occurrences."""
        if result.explanation_code == "start_not_first_day":
            return self.env._(
                "%(count)s lines for %(occurrences)s occurrences: the sample start "
                "date is not the first day of a month, so the term touches "
                "%(months)s calendar months, with a partial first month and a "
                "partial last month. Start on the 1st, or use the 'Occurrences' "
                "basis, to get exactly %(occurrences)s lines.",
                count=result.line_count,
                occurrences=self.occurrences,
                months=result.months_touched,
            )
        return self.env._(
            "%(count)s lines for %(occurrences)s occurrences: the term touches "
            "%(months)s calendar months, and the Monthly basis gives one line per "
            "calendar month touched.",
            count=result.line_count,
            occurrences=self.occurrences,
            months=result.months_touched,
        )

    def _get_deferred_account(self, product, company):
        """Deferred account: the schedule's, the category schedule's, the company's."""
        self.ensure_one()
        # company-dependent: read as the invoice's company, not the active one
        category_schedule = product.with_company(company).categ_id.revenue_schedule_id
        return (
            self.deferred_account_id
            or category_schedule.deferred_account_id
            or company.revenue_deferred_account_id
        )

    # --- in use: deletion refused, changes apply to new documents ------------

    in_use = fields.Boolean(
        compute="_compute_in_use",
        help="Schedule lines, invoice lines, order lines, products or product "
        "categories use this schedule.",
    )

    def _compute_in_use(self):
        usage = self._revenue_usage()
        for schedule in self:
            schedule.in_use = bool(usage.get(schedule.id))

    def _revenue_usage(self):
        """{schedule id: [what uses it, translated]} over all companies."""
        usage = defaultdict(list)
        ids = [schedule_id for schedule_id in self.ids if schedule_id]
        if not ids:
            return usage
        _ = self.env._
        for model, field_name, label in (
            ("revenue.recognition.line", "schedule_id", _("schedule lines")),
            ("account.move.line", "revenue_schedule_id", _("invoice lines")),
            ("sale.order.line", "revenue_schedule_id", _("order lines")),
        ):
            groups = (
                self.env[model]
                .sudo()
                .with_context(active_test=False)
                ._read_group([(field_name, "in", ids)], [field_name])
            )
            for (schedule,) in groups:
                usage[schedule.id].append(label)
        # Company-dependent fields: one JSON value per company, archived too.
        for model, label in (
            ("product.template", _("products")),
            ("product.category", _("product categories")),
        ):
            self.env[model].flush_model(["revenue_schedule_id"])
            table = SQL.identifier(self.env[model]._table)
            rows = self.env.execute_query(
                SQL(
                    "SELECT DISTINCT value.schedule_id::int FROM %s, "
                    "jsonb_each_text(%s.revenue_schedule_id) AS value(company, "
                    "schedule_id) WHERE value.schedule_id = ANY(%s)",
                    table,
                    table,
                    [str(schedule_id) for schedule_id in ids],
                )
            )
            for (schedule_id,) in rows:
                usage[schedule_id].append(label)
        return usage

    @api.ondelete(at_uninstall=False)
    def _unlink_except_used(self):
        usage = self._revenue_usage()
        for schedule in self:
            if usage.get(schedule.id):
                raise UserError(
                    self.env._(
                        "Revenue schedule %(schedule)s is used by %(usage)s and cannot "
                        "be deleted. Archive it instead: the documents that use it "
                        "keep it, and it can no longer be selected.",
                        schedule=schedule.display_name,
                        usage=", ".join(usage[schedule.id]),
                    )
                )

    # --- bounds: number of periods, deferred account ---------------------------

    def _revenue_max_periods(self):
        """Most periods a schedule may have (company setting, default 600)."""
        company = self.company_id or self.env.company
        return company.revenue_max_periods or DEFAULT_MAX_PERIODS

    def _occurrences_cap_message(self, occurrences, name=None):
        return self.env._(
            "Schedule %(name)s: %(occurrences)s occurrences is more than the "
            "%(max)s periods a schedule may have. Set 'Occurrences' to %(max)s or "
            "fewer, or raise the limit in Accounting › Configuration › Settings › "
            "Revenue Recognition.",
            name=name or self.display_name,
            occurrences=occurrences,
            max=self._revenue_max_periods(),
        )

    def _occurrences_min_message(self, name):
        return self.env._(
            "Schedule %(name)s needs at least one occurrence: set "
            "'Occurrences' to 1 or more.",
            name=name,
        )

    def _check_occurrences_value(self, vals):
        """Refuse out-of-range occurrences before they reach the database.

        An integer column overflows past 2**31 - 1 (a server error), and the
        engine must never be asked for more periods than the cap.
        """
        if "occurrences" not in vals:
            return
        occurrences = vals["occurrences"]
        if not isinstance(occurrences, int) or isinstance(occurrences, bool):
            return  # the ORM converts or refuses it
        name = vals.get("name") or self.display_name or ""
        if occurrences < 1:
            raise ValidationError(self._occurrences_min_message(name))
        if occurrences > self._revenue_max_periods():
            raise ValidationError(self._occurrences_cap_message(occurrences, name))

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            company = self.env["res.company"].browse(vals.get("company_id"))
            self.with_company(company or self.env.company).new(
                {"company_id": company.id}
            )._check_occurrences_value(vals)
        return super().create(vals_list)

    def write(self, vals):
        if "occurrences" in vals:
            for schedule in self:
                company = (
                    self.env["res.company"].browse(vals["company_id"])
                    if "company_id" in vals
                    else schedule.company_id
                )
                schedule.new(
                    {"company_id": company.id, "name": schedule.name}
                )._check_occurrences_value(vals)
        return super().write(vals)

    @api.constrains("occurrences", "company_id")
    def _check_occurrences_cap(self):
        for schedule in self:
            if schedule.occurrences > schedule._revenue_max_periods():
                raise ValidationError(
                    schedule._occurrences_cap_message(schedule.occurrences)
                )

    @api.constrains("deferred_account_id", "company_id")
    def _check_deferred_account(self):
        for schedule in self.filtered("deferred_account_id"):
            label = self.env._("revenue schedule %(name)s", name=schedule.display_name)
            companies = schedule.company_id or self.env["res.company"].sudo().search([])
            for company in companies:
                company._revenue_check_deferred_account(
                    schedule.deferred_account_id, label
                )
