"""Delivered and performed: the delivery basis and the release events.

``revenue.delivery`` keeps each change of an order line's delivered quantity
with its date when Odoo keeps none (quantities typed by users: milestones,
manual services; timesheets). With ``sale_stock`` installed, lines delivered
by stock moves read their done moves and dates instead. The add-on does not
depend on ``stock``: it reads ``qty_delivered_method`` and the moves only when
they are there.

A schedule with ``recognition_basis = "delivery"`` spreads a document line over
the days its order line's delivered quantity rises (``engine.delivery``): an
invoice line covers the units after those invoiced before it, what is not
invoiced yet (the expected lines) covers the rest. What is not delivered yet
is one line *awaiting delivery*, never due, never accrued, dated the order's
delivery date as an estimate. Each delivery, return or correction makes the
pending lines of the posted invoices follow (``_revenue_delivery_resync``).

``revenue.schedule.release_event`` holds the invoiced lines of an order line
until it is fully delivered or accepted by the customer
(``sale.order.line.action_revenue_accept``), then releases them on its own.

About 730 lines, over the usual 500: ``revenue.delivery`` (the history of
typed quantities), the delivery basis on the order and invoice lines, and the
release events are one rule, "revenue follows what is delivered", read the
same way by the schedules, the resync and the accrual; the engine
(``engine/delivery.py``) already holds the arithmetic, so what stays here is
reading the deliveries (typed or from stock moves) and writing lines.
"""

from collections import defaultdict
from decimal import Decimal

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL, float_compare, format_date

from ..engine import DELIVERY_BASIS, delivery_schedule

# Context key of the add-on's own follow-up of a delivery: the delivered
# quantity recomputed inside it does not start another one.
DELIVERY_SYNC_KEY = "revenue_delivery_sync"
# Transaction data key of the order lines whose follow-up waits (see above).
DELIVERY_TODO_KEY = "revenue_recognition.delivery_todo"


class RevenueDelivery(models.Model):
    """One change of an order line's delivered quantity, with its date."""

    _name = "revenue.delivery"
    _description = "Delivered Quantity Change"
    _order = "date, id"
    _check_company_auto = True

    sale_line_id = fields.Many2one(
        "sale.order.line",
        string="Order Line",
        required=True,
        index=True,
        ondelete="cascade",
        readonly=True,
    )
    order_id = fields.Many2one(
        related="sale_line_id.order_id", store=True, index=True, string="Order"
    )
    company_id = fields.Many2one(
        related="sale_line_id.company_id", store=True, index=True
    )
    partner_id = fields.Many2one(
        related="sale_line_id.order_partner_id", string="Customer"
    )
    product_id = fields.Many2one(related="sale_line_id.product_id")
    date = fields.Date(required=True, index=True, readonly=True)
    quantity = fields.Float(
        string="Change",
        digits="Product Unit of Measure",
        readonly=True,
        help="Rise (positive) or fall (negative, a return or a correction) of "
        "the delivered quantity on that day.",
    )
    qty_delivered = fields.Float(
        string="Delivered",
        digits="Product Unit of Measure",
        readonly=True,
        help="The delivered quantity after the change.",
    )
    user_id = fields.Many2one("res.users", string="By", readonly=True)


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    revenue_delivery_ids = fields.One2many(
        "revenue.delivery", "sale_line_id", string="Delivered Quantity History"
    )
    revenue_delivered_qty = fields.Float(
        string="Delivered (revenue)",
        compute="_compute_revenue_delivered_qty",
        store=True,
        digits="Product Unit of Measure",
        help="The delivered quantity the revenue schedules last followed.",
    )
    revenue_accepted_date = fields.Date(
        string="Customer Accepted On",
        readonly=True,
        copy=False,
        help="Set by the Customer accepted button: the lines of a schedule "
        "released on acceptance wait for it.",
    )
    revenue_release_event = fields.Selection(
        related="revenue_schedule_id.release_event", string="Release On"
    )
    revenue_event_reached = fields.Boolean(
        string="Release Event Reached",
        compute="_compute_revenue_event_reached",
        store=True,
        help="The order line is fully delivered or accepted, as its schedule's "
        "release event asks (always set when the schedule has none).",
    )
    revenue_delivered_amount = fields.Monetary(
        string="Delivered Amount",
        compute="_compute_revenue_delivery_amounts",
        help="The untaxed amount of the quantity delivered.",
    )
    revenue_recognised_amount = fields.Monetary(
        string="Recognised",
        compute="_compute_revenue_delivery_amounts",
        help="Revenue recognised so far from this line's schedules (document "
        "currency).",
    )

    @api.depends("qty_delivered")
    def _compute_revenue_delivered_qty(self):
        # Stock moves and timesheets change qty_delivered without write():
        # this stored field is how the schedules hear of it. The database still
        # holds what they last followed: only a real change starts a follow-up.
        stored = {}
        ids = tuple(line.id for line in self if line.id)
        if ids:
            stored = dict(
                self.env.execute_query(
                    SQL(
                        "SELECT id, revenue_delivered_qty FROM sale_order_line "
                        "WHERE id IN %s",
                        ids,
                    )
                )
            )
        changed = self.browse()
        for line in self:
            line.revenue_delivered_qty = line.qty_delivered
            # Never computed yet (a new line, the add-on being installed):
            # nothing to follow.
            if (
                stored.get(line.id) is not None
                and line.state == "sale"
                and line.revenue_schedule_id
                and float_compare(
                    stored[line.id],
                    line.qty_delivered,
                    precision_rounding=line.product_uom.rounding or 0.001,
                )
            ):
                changed |= line
        if not changed:
            return
        if self.env.context.get(DELIVERY_SYNC_KEY):
            # recomputed inside the add-on's own follow-up: after it
            changed._revenue_delivery_later()
        else:
            changed._revenue_on_delivery()
            self._revenue_delivery_run_later()

    @api.depends(
        "revenue_schedule_id.release_event",
        "qty_delivered",
        "product_uom_qty",
        "revenue_accepted_date",
    )
    def _compute_revenue_event_reached(self):
        for line in self:
            line.revenue_event_reached = line._revenue_event_is_reached()

    @api.depends(
        "qty_delivered",
        "product_uom_qty",
        "price_subtotal",
        "revenue_line_ids.state",
        "revenue_line_ids.amount_currency",
    )
    def _compute_revenue_delivery_amounts(self):
        for line in self:
            if line.product_uom_qty:
                delivered = (
                    line.price_subtotal * line.qty_delivered / line.product_uom_qty
                )
            else:
                delivered = 0.0
            line.revenue_delivered_amount = line.currency_id.round(delivered)
            posted = line.revenue_line_ids.filtered(lambda rev: rev.state == "posted")
            line.revenue_recognised_amount = sum(posted.mapped("amount_currency"))

    def _revenue_sync_expected(self):
        # A flush inside it recomputes delivered quantities: their follow-up
        # waits until it is done.
        res = super(
            SaleOrderLine, self.with_context(**{DELIVERY_SYNC_KEY: True})
        )._revenue_sync_expected()
        if not self.env.context.get(DELIVERY_SYNC_KEY):
            self._revenue_delivery_run_later()
        return res

    def _revenue_delivery_later(self):
        """Follow the deliveries of these lines once the current follow-up is
        done (at the latest before the transaction commits)."""
        data = self.env.cr.precommit.data
        todo = data.get(DELIVERY_TODO_KEY)
        if todo is None:
            todo = data[DELIVERY_TODO_KEY] = set()
            self.env.cr.precommit.add(self.sudo()._revenue_delivery_run_later)
        todo.update(self.ids)

    def _revenue_delivery_run_later(self):
        """Follow the deliveries left for later (``_revenue_delivery_later``)."""
        todo = self.env.cr.precommit.data.pop(DELIVERY_TODO_KEY, None)
        if todo:
            self.browse(todo).exists().filtered(
                lambda line: line.state == "sale" and line.revenue_schedule_id
            )._revenue_on_delivery()

    def write(self, vals):
        if "qty_delivered" not in vals:
            return super().write(vals)
        res = super(
            SaleOrderLine, self.with_context(**{DELIVERY_SYNC_KEY: True})
        ).write(vals)
        # Typed by a user (milestones, manual services): follow at once.
        self.filtered(
            lambda line: line.state == "sale" and line.revenue_schedule_id
        )._revenue_on_delivery()
        self._revenue_delivery_run_later()
        return res

    # --- delivered quantities ---------------------------------------------------

    def _revenue_is_delivery_basis(self):
        self.ensure_one()
        return self.revenue_schedule_id.recognition_basis == DELIVERY_BASIS

    def _revenue_uses_stock_moves(self):
        """True when Odoo counts this line's deliveries from stock moves."""
        self.ensure_one()
        return self.qty_delivered_method == "stock_move" and "stock.move" in self.env

    def _revenue_record_deliveries(self):
        """Keep the change of the delivered quantity of delivery-basis lines not
        delivered by stock moves, dated today; nothing when it is unchanged."""
        lines = self.filtered(
            lambda line: (
                line._revenue_is_delivery_basis()
                and not line._revenue_uses_stock_moves()
            )
        )
        if not lines:
            return
        known = defaultdict(float)
        for history in (
            self.env["revenue.delivery"]
            .sudo()
            .search([("sale_line_id", "in", lines.ids)])
        ):
            known[history.sale_line_id.id] += history.quantity
        today = fields.Date.context_today(self)
        vals_list = []
        for line in lines:
            change = line.qty_delivered - known[line.id]
            if float_compare(
                change, 0.0, precision_rounding=line.product_uom.rounding or 0.001
            ):
                vals_list.append(
                    {
                        "sale_line_id": line.id,
                        "date": today,
                        "quantity": change,
                        "qty_delivered": line.qty_delivered,
                        "user_id": self.env.uid,
                    }
                )
        self.env["revenue.delivery"].sudo().create(vals_list)

    def _revenue_delivery_events(self):
        """``[(date, delivered quantity at the end of that day), ...]`` in date
        order, in the line's unit of measure."""
        self.ensure_one()
        changes = []
        if self._revenue_uses_stock_moves():
            outgoing, incoming = self._get_outgoing_incoming_moves()
            for moves, sign in ((outgoing, 1), (incoming, -1)):
                for move in moves.filtered(lambda move: move.state == "done"):
                    quantity = move.product_uom._compute_quantity(
                        move.quantity, self.product_uom, rounding_method="HALF-UP"
                    )
                    day = fields.Date.context_today(self, move.date)
                    changes.append((day, move.id, sign * quantity))
        else:
            self._revenue_record_deliveries()
            for history in self.revenue_delivery_ids.sudo():
                changes.append((history.date, history.id, history.quantity))
        events = []
        delivered = 0.0
        for day, _order, quantity in sorted(changes):
            delivered += quantity
            if events and events[-1][0] == day:
                events[-1] = (day, delivered)
            else:
                events.append((day, delivered))
        return events

    def _revenue_delivery_estimate(self):
        """The date of what is not delivered yet: the order's delivery date,
        else its expected date, else the order date."""
        self.ensure_one()
        order = self.order_id
        return fields.Date.to_date(
            order.commitment_date or order.expected_date or order.date_order
        )

    def _revenue_invoiced_slices(self):
        """{invoice line id: (low, high)}: the quantities of this line each posted
        invoice line covers, in posting order (credit notes go back down)."""
        self.ensure_one()
        posted = self.invoice_lines.filtered(
            lambda aml: aml.parent_state == "posted"
        ).sorted(
            lambda aml: (
                aml.move_id.invoice_date or aml.move_id.date,
                aml.move_id.id,
                aml.id,
            )
        )
        slices = {}
        running = 0.0
        for aml in posted:
            quantity = self._revenue_invoiced_quantity(aml)
            slices[aml.id] = (running, running + quantity)
            running += quantity
        return slices

    def _revenue_expected_slice(self):
        """The quantities the expected lines cover: after those invoiced, up to
        what Odoo will invoice in all (ordered, or delivered by policy)."""
        self.ensure_one()
        invoiced = sum(
            high - low for low, high in self._revenue_invoiced_slices().values()
        )
        if self.product_id.invoice_policy == "delivery":
            target = self.qty_delivered
        else:
            target = self.product_uom_qty
        if float_compare(target, invoiced, precision_digits=6) <= 0:
            return 0.0, self.product_uom_qty
        return invoiced, target

    # --- release events ---------------------------------------------------------

    def _revenue_event_is_reached(self):
        self.ensure_one()
        event = self.revenue_schedule_id.release_event
        if event == "delivered":
            return (
                self.product_uom_qty > 0
                and float_compare(
                    self.qty_delivered,
                    self.product_uom_qty,
                    precision_rounding=self.product_uom.rounding or 0.001,
                )
                >= 0
            )
        if event == "accepted":
            return bool(self.revenue_accepted_date)
        return True

    def _revenue_event_release_reason(self):
        self.ensure_one()
        if self.revenue_schedule_id.release_event == "accepted":
            return self.env._(
                "Customer accepted on %(date)s (%(line)s)",
                date=format_date(self.env, self.revenue_accepted_date),
                line=self._revenue_label(),
            )
        return self.env._(
            "Fully delivered on %(date)s (%(line)s)",
            date=format_date(self.env, fields.Date.context_today(self)),
            line=self._revenue_label(),
        )

    def _revenue_release_events(self):
        """Release the lines held for the release event of these order lines,
        when it is reached, with a reason naming it."""
        rev_model = self.env["revenue.recognition.line"].sudo()
        for line in self:
            if not line._revenue_event_is_reached():
                continue
            held = rev_model.search(
                [
                    ("sale_line_id", "=", line.id),
                    ("state", "=", "pending"),
                    ("on_hold", "=", True),
                    ("hold_event", "!=", False),
                ]
            )
            if held:
                held.action_release(reason=line._revenue_event_release_reason())

    def action_revenue_accept(self):
        """*Customer accepted*: date the acceptance today and release the lines
        that wait for it."""
        if not (
            self.env.user.has_group("sales_team.group_sale_manager")
            or self.env.user.has_group("revenue_recognition.group_revenue_user")
        ):
            raise AccessError(
                self.env._(
                    "Only sales managers and revenue recognition users can record "
                    "a customer's acceptance (%(lines)s). Ask one of them.",
                    lines=", ".join(line._revenue_label() for line in self[:5]),
                )
            )
        lines = self.filtered(lambda line: not line.revenue_accepted_date)
        lines.sudo()._revenue_bookkeeping().write(
            {"revenue_accepted_date": fields.Date.context_today(self)}
        )
        lines._revenue_release_events()
        return True

    # --- schedules that follow deliveries ---------------------------------------

    def _revenue_on_delivery(self):
        """The delivered quantity of these confirmed, scheduled lines changed:
        expected lines again, the pending lines of posted invoices follow, and
        the lines held until full delivery are released when it is."""
        if not self:
            return
        lines = self.with_context(**{DELIVERY_SYNC_KEY: True})
        todo = self.env.cr.precommit.data.get(DELIVERY_TODO_KEY)
        if todo:
            todo.difference_update(self.ids)
        lines._revenue_record_deliveries()
        lines._revenue_sync_expected()
        invoice_lines = lines.invoice_lines.filtered(
            lambda aml: (
                aml.parent_state == "posted"
                and aml.revenue_schedule_id.recognition_basis == DELIVERY_BASIS
            )
        )
        lines.env["revenue.recognition.line"]._revenue_delivery_resync(invoice_lines)
        lines.filtered(
            lambda line: line.revenue_schedule_id.release_event == "delivered"
        )._revenue_release_events()


class RevenueRecognitionLine(models.Model):
    _inherit = "revenue.recognition.line"

    awaiting_delivery = fields.Boolean(
        index=True,
        readonly=True,
        help="Delivery basis: the part of the line not delivered yet. It is never "
        "due nor accrued; a delivery turns it into a line dated that day.",
    )
    hold_event = fields.Selection(
        [("delivered", "Full delivery"), ("accepted", "Customer acceptance")],
        string="Waiting For",
        readonly=True,
        help="The event this line is held for: it is released on its own when "
        "the order line is fully delivered or accepted.",
    )

    @api.model
    def _get_due_domain(self, as_of, held=False):
        return super()._get_due_domain(as_of, held=held) + [
            ("awaiting_delivery", "=", False)
        ]

    @api.model
    def _get_accrual_domain(self, as_of, held=False):
        """Delivered, not invoiced: accrued; not delivered yet, or waiting for a
        release event: not."""
        domain = super()._get_accrual_domain(as_of, held=held) + [
            ("awaiting_delivery", "=", False)
        ]
        if held:
            return domain
        return domain + [
            "|",
            ("sale_line_id", "=", False),
            ("sale_line_id.revenue_event_reached", "=", True),
        ]

    @api.model
    def _prepare_schedule_vals_list(self, sources):
        """Sources of a delivery-basis schedule with an order line follow its
        deliveries; the others the engine's schedule. Then the release events
        hold what waits for them."""
        by_delivery = [
            source
            for source in sources
            if source.schedule.recognition_basis == DELIVERY_BASIS
            and self._revenue_sale_line(source.record)
        ]
        delivery_ids = {id(source) for source in by_delivery}
        others = [source for source in sources if id(source) not in delivery_ids]
        vals_list = super()._prepare_schedule_vals_list(others) if others else []
        for source in by_delivery:
            vals_list.extend(self._prepare_delivery_vals(source))
        self._revenue_apply_release_event(vals_list)
        return vals_list

    @api.model
    def _revenue_sale_line(self, record):
        """The order line of a source's record (itself for an order line)."""
        if record._name == "sale.order.line":
            return record
        return record.sale_line_ids[:1]

    @api.model
    def _prepare_delivery_vals(self, source, delivery_slice=None):
        """``create()`` values of a delivery-basis source: one line per day of
        delivery covering its slice, the rest awaiting delivery."""
        record = source.record
        sale_line = self._revenue_sale_line(record)
        if delivery_slice is None:
            if record._name == "sale.order.line":
                delivery_slice = sale_line._revenue_expected_slice()
            else:
                delivery_slice = sale_line._revenue_invoiced_slices().get(
                    record.id, (0.0, sale_line.product_uom_qty)
                )
        low, high = delivery_slice
        company_currency = source.company.currency_id
        lines = delivery_schedule(
            Decimal(str(source.currency.round(source.amount_currency))),
            sale_line._revenue_delivery_events(),
            low=low,
            high=high,
            awaiting_date=sale_line._revenue_delivery_estimate(),
            currency_rounding=Decimal(str(source.currency.rounding)),
            amount=Decimal(str(company_currency.round(source.amount))),
            company_rounding=Decimal(str(company_currency.rounding)),
        )
        vals_list = record._prepare_revenue_line_vals(
            source, [line for line, _awaiting in lines]
        )
        for index, vals in enumerate(vals_list):
            # Delivered at a point in time: not recurring revenue.
            vals["mrr_amount"] = 0.0
            vals["awaiting_delivery"] = index < len(lines) and lines[index][1]
        return vals_list

    @api.model
    def _revenue_apply_release_event(self, vals_list):
        """Hold the pending lines of order lines whose release event is not
        reached yet, naming the event."""
        sale_lines = self.env["sale.order.line"].browse(
            {vals["sale_line_id"] for vals in vals_list if vals.get("sale_line_id")}
        )
        waiting = {
            line.id: line.revenue_schedule_id.release_event
            for line in sale_lines
            if line.revenue_schedule_id.release_event not in (False, "none")
            and not line._revenue_event_is_reached()
        }
        if not waiting:
            return
        reasons = {
            "delivered": self.env._("Waiting for full delivery"),
            "accepted": self.env._("Waiting for the customer's acceptance"),
        }
        now = fields.Datetime.now()
        for vals in vals_list:
            event = waiting.get(vals.get("sale_line_id"))
            if (
                not event
                or vals.get("state") != "pending"
                or vals.get("allocation_difference")
                or vals.get("on_hold")
            ):
                continue
            vals.update(
                on_hold=True,
                hold_event=event,
                hold_reason=reasons[event],
                hold_date=now,
            )

    @api.model
    def _revenue_delivery_resync(self, move_lines):
        """Make the pending lines of delivery-basis invoice lines follow the
        deliveries: recognised lines stay, pending lines that no longer match are
        cancelled and replaced by what is still to recognise per day (holds
        carried over). A line of a day already recognised for more (a history
        corrected) gets the negative difference."""
        today = fields.Date.context_today(self)
        to_cancel = self.browse()
        new_vals = []
        for aml in move_lines:
            revs = aml.revenue_line_ids.filtered(
                lambda rev: (
                    rev.state in ("pending", "posted") and not rev.allocation_difference
                )
            )
            if not revs:
                continue
            sources = aml._prepare_revenue_sources()
            source = sources[0]
            source.amount_currency = sum(revs.mapped("amount_currency"))
            source.amount = sum(revs.mapped("amount"))
            source.allocation_difference = source.allocation_difference_currency = 0.0
            target = self._prepare_delivery_vals(source)
            need = defaultdict(lambda: [0.0, 0.0, None])
            for vals in target:
                key = self._revenue_delivery_key(
                    vals["recognition_date"], vals["awaiting_delivery"]
                )
                need[key][0] += vals["amount"]
                need[key][1] += vals["amount_currency"]
                need[key][2] = vals
            for rev in revs.filtered(lambda rev: rev.state == "posted"):
                key = self._revenue_delivery_key(
                    rev.recognition_date, rev.awaiting_delivery
                )
                need[key][0] -= rev.amount
                need[key][1] -= rev.amount_currency
            pending = revs.filtered(lambda rev: rev.state == "pending")
            have = pending.grouped(
                lambda rev: self._revenue_delivery_key(
                    rev.recognition_date, rev.awaiting_delivery
                )
            )
            currency = aml.currency_id
            company_currency = aml.company_id.currency_id
            manual_hold = pending.filtered(
                lambda rev: rev.on_hold and not rev.hold_event
            )[:1]
            sequence = max(revs.mapped("sequence")) + 1
            for key in set(need) | set(have):
                amount, amount_currency, template = need.get(key, (0.0, 0.0, None))
                current = have.get(key, self.browse())
                same = (
                    len(current) <= 1
                    and company_currency.is_zero(amount - sum(current.mapped("amount")))
                    and currency.is_zero(
                        amount_currency - sum(current.mapped("amount_currency"))
                    )
                )
                if same and current and template and key[1]:
                    # the estimate of the line awaiting delivery moved
                    same = current.recognition_date == template["recognition_date"]
                if same:
                    continue
                to_cancel |= current
                if company_currency.is_zero(amount) and currency.is_zero(
                    amount_currency
                ):
                    continue
                if template is None:
                    template = self._revenue_vals_like(current or revs[:1])
                vals = {
                    **template,
                    "amount": company_currency.round(amount),
                    "amount_currency": currency.round(amount_currency),
                    "sequence": sequence,
                    "on_hold": False,
                }
                sequence += 1
                if manual_hold:
                    vals.update(
                        on_hold=True,
                        hold_reason=manual_hold.hold_reason,
                        hold_user_id=manual_hold.hold_user_id.id,
                        hold_date=manual_hold.hold_date,
                    )
                new_vals.append(vals)
        to_cancel._bookkeeping().write({"state": "cancelled", "cancel_date": today})
        self._revenue_apply_release_event(new_vals)
        return self._create_batch(new_vals)

    @api.model
    def _revenue_delivery_key(self, day, awaiting):
        """Lines of a day, or the line awaiting delivery (whatever its estimate)."""
        return (False, True) if awaiting else (day, False)

    def _revenue_vals_like(self, rev):
        """``create()`` values of a line of the same schedule as ``rev``."""
        return {
            "company_id": rev.company_id.id,
            "currency_id": rev.currency_id.id,
            "schedule_id": rev.schedule_id.id,
            "state": "pending",
            "move_line_id": rev.move_line_id.id,
            "sale_line_id": rev.sale_line_id.id,
            "partner_id": rev.partner_id.id,
            "product_id": rev.product_id.id,
            "deferred_account_id": rev.deferred_account_id.id,
            "income_account_id": rev.income_account_id.id,
            "analytic_distribution": rev.analytic_distribution,
            "recognition_date": rev.recognition_date,
            "period_start": rev.recognition_date,
            "period_end": rev.recognition_date,
            "awaiting_delivery": False,
            "mrr_amount": 0.0,
        }

    def action_hold(self, reason=False):
        """A hold by hand on a line waiting for an event stays until released by
        hand: the event no longer releases it."""
        self.check_access("write")
        self._check_holdable()
        event_held = self.filtered(lambda line: line.on_hold and line.hold_event)
        if event_held:
            event_held._bookkeeping().write(
                {
                    "hold_event": False,
                    "hold_reason": reason or False,
                    "hold_user_id": self.env.uid,
                    "hold_date": fields.Datetime.now(),
                }
            )
        return super().action_hold(reason=reason)

    def action_release(self, reason=False):
        res = super().action_release(reason=reason)
        self.filtered("hold_event")._bookkeeping().write({"hold_event": False})
        return res
