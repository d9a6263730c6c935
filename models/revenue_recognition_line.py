import json

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

# Rows per INSERT statement of _create_batch.
INSERT_CHUNK = 1000


class RevenueRecognitionLine(models.Model):
    """One line of a revenue schedule: an amount to recognise on a date.

    ``expected`` lines come from confirmed orders (the signed backlog),
    ``pending`` lines from posted invoices (deferred revenue), ``posted`` lines
    were recognised by ``recognition_move_id``.
    """

    _name = "revenue.recognition.line"
    _inherit = ["analytic.mixin"]
    _description = "Revenue Recognition Line"
    _order = "recognition_date, id"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name")
    sequence = fields.Integer()
    recognition_date = fields.Date(required=True, index=True)
    period_start = fields.Date()
    period_end = fields.Date()
    company_id = fields.Many2one("res.company", required=True, index=True)
    company_currency_id = fields.Many2one(
        related="company_id.currency_id", string="Company Currency"
    )
    currency_id = fields.Many2one("res.currency", required=True)
    amount = fields.Monetary(
        currency_field="company_currency_id",
        help="Company currency; positive = revenue to recognise, negative for "
        "credit notes.",
    )
    amount_currency = fields.Monetary(
        currency_field="currency_id", string="Amount in Currency"
    )
    state = fields.Selection(
        [
            ("expected", "Expected"),
            ("pending", "Pending"),
            ("posted", "Posted"),
            ("cancelled", "Cancelled"),
        ],
        required=True,
        default="pending",
        index=True,
    )
    on_hold = fields.Boolean(index=True)
    hold_reason = fields.Char()
    hold_user_id = fields.Many2one("res.users", string="Held by")
    hold_date = fields.Datetime(string="Held on")
    release_reason = fields.Char()
    release_user_id = fields.Many2one("res.users", string="Released by")
    release_date = fields.Datetime(string="Released on")
    schedule_id = fields.Many2one("revenue.schedule", index=True, check_company=True)
    move_line_id = fields.Many2one(
        "account.move.line", string="Invoice Line", index=True, ondelete="cascade"
    )
    move_id = fields.Many2one(
        related="move_line_id.move_id", store=True, index=True, string="Invoice"
    )
    sale_line_id = fields.Many2one(
        "sale.order.line", string="Order Line", index=True, ondelete="cascade"
    )
    order_id = fields.Many2one(
        related="sale_line_id.order_id", store=True, index=True, string="Order"
    )
    partner_id = fields.Many2one("res.partner", string="Customer", index=True)
    product_id = fields.Many2one("product.product", index=True)
    deferred_account_id = fields.Many2one("account.account", check_company=True)
    income_account_id = fields.Many2one("account.account", check_company=True)
    recognition_move_id = fields.Many2one(
        "account.move", string="Recognition Entry", index="btree_not_null", copy=False
    )

    @api.depends("move_id.name", "order_id.name", "sequence", "product_id")
    def _compute_name(self):
        for line in self:
            document = line.move_id.name or line.order_id.name or ""
            line.name = f"{document} #{line.sequence + 1}".strip()

    @api.ondelete(at_uninstall=False)
    def _unlink_except_posted(self):
        posted = self.filtered(lambda line: line.state == "posted")
        if posted:
            raise UserError(
                self.env._(
                    "Recognised revenue lines cannot be deleted (%(lines)s). Reverse "
                    "their recognition entry instead.",
                    lines=", ".join(posted[:5].mapped("display_name")),
                )
            )

    @api.model
    def _create_batch(self, vals_list):
        """Insert schedule lines computed from posted documents, in bulk.

        Invoice posting creates twelve or more lines per invoice line: the
        ORM's per-record create costs more than the posting itself at scale.
        The values come from records already checked (same company, same
        accounts), so this writes our own table directly, fills the stored
        related fields (invoice, order) and invalidates the caches that point
        at the new lines. Returns the new lines.
        """
        if not vals_list:
            return self.browse()
        self.env.flush_all()
        invoice_lines = self.env["account.move.line"].browse(
            {vals["move_line_id"] for vals in vals_list if vals.get("move_line_id")}
        )
        move_of = {line.id: line.move_id.id for line in invoice_lines}
        order_lines = self.env["sale.order.line"].browse(
            {vals["sale_line_id"] for vals in vals_list if vals.get("sale_line_id")}
        )
        order_of = {line.id: line.order_id.id for line in order_lines}
        names = sorted({name for vals in vals_list for name in vals})
        json_names = {name for name in names if self._fields[name].type == "json"}
        columns = [
            *names,
            "move_id",
            "order_id",
            "create_uid",
            "create_date",
            "write_uid",
            "write_date",
        ]
        now = fields.Datetime.now()
        uid = self.env.uid
        row_template = "(%s)" % ", ".join(
            "%s::jsonb" if name in json_names else "%s" for name in columns
        )
        insert = SQL(
            "INSERT INTO revenue_recognition_line (%s) VALUES ",
            SQL(", ").join(SQL.identifier(name) for name in columns),
        )
        ids = []
        for start in range(0, len(vals_list), INSERT_CHUNK):
            rows = []
            for vals in vals_list[start : start + INSERT_CHUNK]:
                params = []
                for name in names:
                    value = vals.get(name)
                    if name in json_names:
                        value = json.dumps(value) if value else None
                    elif value is False and self._fields[name].type != "boolean":
                        value = None
                    params.append(value)
                params += [
                    move_of.get(vals.get("move_line_id")),
                    order_of.get(vals.get("sale_line_id")),
                    uid,
                    now,
                    uid,
                    now,
                ]
                rows.append(SQL(row_template, *params))
            query = SQL("%s%s RETURNING id", insert, SQL(", ").join(rows))
            ids += [row_id for (row_id,) in self.env.execute_query(query)]
        for model, field in (
            ("account.move.line", "revenue_line_ids"),
            ("account.move", "revenue_line_ids"),
            ("sale.order.line", "revenue_line_ids"),
            ("sale.order", "revenue_line_ids"),
        ):
            self.env[model].invalidate_model([field])
        return self.browse(ids)

    def _check_holdable(self):
        not_pending = self.filtered(lambda line: line.state != "pending")
        if not_pending:
            raise UserError(
                self.env._(
                    "Only pending revenue lines can be held or released; these are "
                    "not pending: %(lines)s. Remove them from the selection.",
                    lines=", ".join(not_pending[:5].mapped("display_name")),
                )
            )

    def _mirror_lines(self):
        """Pending lines of credit notes that mirror these lines (same period).

        A credit note made from an invoice reverses its schedule line by line:
        a hold on the invoice's line must stop its mirror too, or the run would
        book the negative revenue alone.
        """
        lines = self.filtered("move_line_id")
        if not lines:
            return self.browse()
        keys = {(line.move_line_id.id, line.period_start) for line in lines}
        mirrors = self.search(
            [
                ("move_line_id.revenue_origin_line_id", "in", lines.move_line_id.ids),
                ("state", "=", "pending"),
            ]
        )
        return (
            mirrors.filtered(
                lambda mirror: (
                    (mirror.move_line_id.revenue_origin_line_id.id, mirror.period_start)
                    in keys
                )
            )
            - self
        )

    def action_hold(self, reason=False):
        """Put pending lines on hold: they are not recognised until released.

        The credit note lines that mirror them are held with them.
        """
        self._check_holdable()
        lines = (self | self._mirror_lines()).filtered(lambda line: not line.on_hold)
        lines.write(
            {
                "on_hold": True,
                "hold_reason": reason or False,
                "hold_user_id": self.env.uid,
                "hold_date": fields.Datetime.now(),
            }
        )
        lines._log_hold_change(True, reason)
        return True

    def action_release(self, reason=False):
        """Release held lines so that the next run can recognise them.

        The credit note lines that mirror them are released with them.
        """
        self._check_holdable()
        lines = (self | self._mirror_lines()).filtered("on_hold")
        lines.write(
            {
                "on_hold": False,
                "release_reason": reason or False,
                "release_user_id": self.env.uid,
                "release_date": fields.Datetime.now(),
            }
        )
        lines._log_hold_change(False, reason)
        return True

    def _log_hold_change(self, hold, reason):
        """One chatter message per invoice and order naming the lines changed."""
        for field in ("move_id", "order_id"):
            for record, lines in self.grouped(field).items():
                if not record:
                    continue
                body = self._hold_message(hold, reason, lines)
                record.sudo().message_post(body=body)

    def _hold_message(self, hold, reason, lines):
        values = {
            "count": len(lines),
            "lines": ", ".join(lines.mapped("display_name")),
            "reason": reason,
        }
        _ = self.env._
        if hold and reason:
            return _(
                "Revenue recognition put on hold for %(count)s line(s): %(lines)s. "
                "Reason: %(reason)s",
                **values,
            )
        if hold:
            return _(
                "Revenue recognition put on hold for %(count)s line(s): %(lines)s.",
                **values,
            )
        if reason:
            return _(
                "Revenue recognition released for %(count)s line(s): %(lines)s. "
                "Reason: %(reason)s",
                **values,
            )
        return _(
            "Revenue recognition released for %(count)s line(s): %(lines)s.",
            **values,
        )

    def action_open_document(self):
        self.ensure_one()
        record = self.move_id or self.order_id
        return {
            "type": "ir.actions.act_window",
            "res_model": record._name,
            "res_id": record.id,
            "view_mode": "form",
        }
