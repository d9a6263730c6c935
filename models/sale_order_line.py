"""The order line's side of revenue: expected lines and price allocation.

About 590 lines, over the usual 500, for one reason: the two jobs of this
file are one calculation. The expected lines (revenue signed and not yet
invoiced, ``_revenue_sync_expected``, ``_prepare_revenue_sources``) take
their amount from the price allocation by standalone selling prices
(``_revenue_allocated_remaining``), and the allocation
(``_revenue_apply_allocation``, ``_revenue_transfer_sources``) reads the
order line's invoiced, credited and delivered quantities that the expected
lines use; the invoice lines (``account_move_line.py``) call both. Split
along that line, the two files would call each other, and the add-on
extends each Odoo model in one file (readme/DEVELOP.md, *Architecture*).
Changes of terms are only entry points here (``revenue_change.py`` does the
work).
"""

from decimal import Decimal

from odoo import api, fields, models

from ..engine import allocate
from .revenue_scheduled_line import RevenueSource

# Order line fields whose change alters the expected revenue of a confirmed order.
EXPECTED_TRIGGERS = {
    "product_id",
    "product_uom_qty",
    "qty_delivered",
    "tax_id",
    "price_unit",
    "discount",
    "revenue_schedule_id",
    "revenue_start_date",
    "revenue_end_date",
}
# Order line fields whose change re-allocates the price of an allocated order.
ALLOCATION_TRIGGERS = {
    "product_id",
    "product_uom",
    "product_uom_qty",
    "tax_id",
    "price_unit",
    "discount",
    "revenue_schedule_id",
}


class SaleOrderLine(models.Model):
    _name = "sale.order.line"
    _inherit = ["sale.order.line", "revenue.scheduled.line.mixin"]

    revenue_start_date = fields.Date(
        help="Empty: the order's delivery date, else the order date.",
    )
    revenue_line_ids = fields.One2many(
        "revenue.recognition.line", "sale_line_id", string="Revenue Lines"
    )
    revenue_risk_id = fields.Many2one(
        "revenue.risk",
        index="btree_not_null",
        help="A risk on this line's signed revenue; empty: the order's. The "
        "backlog is split by it.",
    )
    revenue_allocated_amount = fields.Monetary(
        string="Allocated Revenue",
        readonly=True,
        copy=False,
        help="This line's share of the order's untaxed total of scheduled "
        "lines, in proportion to quantity × standalone selling price: what its "
        "schedules recognise, whatever it is invoiced at.",
    )

    revenue_allocated_preview = fields.Monetary(
        string="Allocated",
        compute="_compute_revenue_allocated_preview",
        help="This line's share of the order's price by standalone selling "
        "prices: on a quotation, what confirming it would allocate; on a "
        "confirmed order, the allocated revenue.",
    )

    @api.depends("product_id", "display_type")
    def _compute_revenue_schedule_id(self):
        for line in self:
            if line.display_type or not line.product_id:
                line.revenue_schedule_id = False
            else:
                line.revenue_schedule_id = line.product_id.with_company(
                    line.company_id
                )._get_revenue_schedule()

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        # A line added to a confirmed order is signed backlog at once.
        confirmed = lines.filtered(lambda line: line.state == "sale")
        confirmed._revenue_reallocate()._revenue_sync_expected()
        return lines

    def write(self, vals):
        res = super().write(vals)
        if EXPECTED_TRIGGERS & vals.keys():
            confirmed = self.filtered(lambda line: line.state == "sale")
            if ALLOCATION_TRIGGERS & vals.keys():
                confirmed = confirmed._revenue_reallocate()
            confirmed._revenue_sync_expected()
        return res

    def _revenue_start_depends(self):
        return ["order_id.commitment_date", "order_id.date_order"]

    def _revenue_label(self):
        self.ensure_one()
        return self.env._(
            "Order %(order)s, line '%(line)s'",
            order=self.order_id.display_name,
            line=self.name or self.product_id.display_name,
        )

    def _revenue_start(self):
        self.ensure_one()
        order = self.order_id
        start = self.revenue_start_date or order.commitment_date or order.date_order
        return fields.Date.to_date(start)

    def _revenue_sync_expected(self):
        """Replace the expected lines by what is still to invoice.

        Their sum always equals what Odoo says is still to invoice
        (``untaxed_amount_to_invoice``: untaxed, posted invoices and credit
        notes deducted, never negative), in company currency at the order date.
        Replaced lines are cancelled on the day it happens (``cancel_date``,
        today, or the context's ``revenue_event_date``: an invoice's
        accounting date), not deleted, so that reports as of an earlier day
        still see them; a line replaced on the day it was signed was never
        seen by any report and is deleted. New lines are signed that day, or
        on the order's date at confirmation (context key
        ``revenue_confirming``).
        """
        lines = self.filtered("id")
        expected = lines.revenue_line_ids.filtered(lambda rev: rev.state == "expected")
        day = self._revenue_event_date()
        unseen = expected.filtered(lambda rev: (rev.signed_date or day) >= day)
        unseen._bookkeeping().unlink()
        (expected - unseen)._bookkeeping().write(
            {"state": "cancelled", "cancel_date": day}
        )
        # sale does not recompute it when only the discount changes
        self.env.add_to_compute(self._fields["untaxed_amount_to_invoice"], lines)
        sources = lines._prepare_revenue_sources()
        if sources:
            rev_model = self.env["revenue.recognition.line"]
            rev_model._create_batch(rev_model._prepare_schedule_vals_list(sources))

    def _revenue_event_date(self):
        """The day expected lines are replaced on: the context's
        ``revenue_event_date`` (an invoice's accounting date), else today."""
        return fields.Date.to_date(
            self.env.context.get("revenue_event_date")
        ) or fields.Date.context_today(self)

    def _prepare_revenue_sources(self):
        """Confirmed scheduled lines with something still to invoice: what
        remains to invoice, in company currency at the order date."""
        sources = []
        for line in self.filtered(
            lambda sol: sol.revenue_schedule_id and sol.state == "sale"
        ):
            order = line.order_id
            if line._revenue_is_allocated():
                remaining = line._revenue_allocated_remaining()
            else:
                remaining = line.currency_id.round(
                    line.untaxed_amount_to_invoice - line._revenue_credited_kept()
                )
            if line.currency_id.compare_amounts(remaining, 0.0) <= 0:
                continue
            company = line.company_id
            sources.append(
                RevenueSource(
                    record=line,
                    schedule=line.revenue_schedule_id,
                    start=line._revenue_start(),
                    end=line.revenue_end_date,
                    currency=line.currency_id,
                    company=company,
                    amount_currency=remaining,
                    amount=line.currency_id._convert(
                        remaining, company.currency_id, company, order.date_order
                    ),
                    values={
                        "state": "expected",
                        "signed_date": (
                            fields.Date.to_date(order.date_order)
                            if self.env.context.get("revenue_confirming")
                            else self._revenue_event_date()
                        ),
                        "sale_line_id": line.id,
                        "partner_id": order.partner_id.commercial_partner_id.id,
                        "product_id": line.product_id.id,
                        "analytic_distribution": line.analytic_distribution,
                    },
                )
            )
        return sources

    def _revenue_reallocate(self):
        """Allocate the orders of these lines again; return these lines and, for
        orders that allocate, all their lines (whose shares may have moved)."""
        orders = self.order_id
        orders._revenue_allocate()
        return self | orders.filtered("revenue_allocate").order_line

    def _revenue_is_allocated(self):
        """True when this line (an obligation of an allocating order, scheduled
        or not) recognises its allocated amount."""
        self.ensure_one()
        order = self.order_id
        return bool(
            order.revenue_allocate
            and order.state == "sale"
            and self.product_id
            and not self.display_type
            and not self.is_downpayment
            and self.product_uom_qty > 0
        )

    def _revenue_allocated_share(self, quantity):
        """The allocated amount of ``quantity`` (signed, in the line's unit of
        measure), rounded: pro rata of the ordered quantity."""
        self.ensure_one()
        return self.currency_id.round(
            self.revenue_allocated_amount * quantity / self.product_uom_qty
        )

    def _revenue_allocated_remaining(self):
        """Allocated amount still to invoice, never negative: the allocation of
        the quantity Odoo would invoice in all (ordered, or delivered for a
        delivery policy) minus what the posted invoices of the line recognise
        (credit notes deducted). Rounded like the invoices' shares, so that it
        reaches zero exactly."""
        self.ensure_one()
        if self.product_id.invoice_policy == "delivery":
            quantity = self.qty_delivered
        else:
            quantity = self.product_uom_qty
        remaining = (
            self._revenue_allocated_share(quantity) - self._revenue_allocated_invoiced()
        )
        return max(self.currency_id.round(remaining), 0.0)

    def _revenue_allocated_invoiced(self):
        """What the posted invoices recognise for this obligation: the schedule
        lines of this order line on posted invoice lines, its own and those
        other lines of the order carry for it (price concessions and
        cancellations aside: they never come back as revenue to invoice)."""
        self.ensure_one()
        kept = self.invoice_lines._revenue_credit_kept()
        revs = self.revenue_line_ids.filtered(
            lambda rev: (
                rev.state != "cancelled"
                and rev.move_line_id
                and rev.move_line_id.parent_state == "posted"
                and rev.move_line_id not in kept
            )
        )
        return self.currency_id.round(sum(revs.mapped("amount_currency")))

    def _revenue_allocation_consumed(self):
        """The part of this line's allocation its posted invoices consumed:
        what the order prices the quantity invoiced at, minus what they billed
        above their allocation (credit notes deducted). A price typed on an
        invoice is recognised on that invoice line and does not change it, so
        a re-allocation never hands it back to the other lines; what other
        lines' invoices carry for this one is not consumed by it."""
        self.ensure_one()
        posted = self.invoice_lines.filtered(
            lambda aml: aml.parent_state == "posted" and aml.revenue_income_account_id
        )
        quantity = sum(self._revenue_invoiced_quantity(aml) for aml in posted)
        at_order_price = (
            self.price_subtotal * quantity / self.product_uom_qty
            if self.product_uom_qty
            else 0.0
        )
        return self.currency_id.round(
            self.currency_id.round(at_order_price)
            - sum(posted.mapped("revenue_allocation_difference"))
        )

    def _revenue_invoiced_quantity(self, move_line):
        """The quantity of ``move_line`` in this line's unit of measure,
        negative for a credit note."""
        self.ensure_one()
        quantity = move_line.product_uom_id._compute_quantity(
            move_line.quantity, self.product_uom, round=False
        )
        return -quantity if move_line.move_id.move_type == "out_refund" else quantity

    @api.model
    def _revenue_apply_allocation(self, sources):
        """Schedule the allocated amounts of invoice lines of allocated orders.

        ``sources`` are the ``RevenueSource`` of posted invoice lines. At the
        cumulative quantity invoiced q of an order line (credit notes deducted,
        earlier invoices included), what it billed differs from its
        allocation by round(price × q / ordered) − round(allocation × q /
        ordered). An obligation sold above its allocation (a *donor*) keeps
        its allocation on its own term and carries the difference for the
        obligations sold below theirs (the *receivers*): that part of its
        schedule (``source.transfers``) is spread on each receiver's term, in
        proportion to what each lacks. A receiver recognises what it bills on
        its own term. So every invoice line's schedule adds up to what it
        billed, nothing stays pending once the terms are over, and once the
        order is fully invoiced each obligation has recognised its allocation.
        """
        allocated = [
            source
            for source in sources
            if source.record._name == "account.move.line"
            and source.record.sale_line_ids[:1]
            and source.record.sale_line_ids[:1]._revenue_is_allocated()
        ]
        if not allocated:
            return
        batch_ids = {source.record.id for source in allocated}
        done = {}  # order line id: [signed quantity, difference] invoiced so far
        # order id: {receiver order line id: [carried, in company currency]}
        carried = {}
        for source in allocated:
            line = source.record
            sale_line = line.sale_line_ids[:1]
            currency = line.currency_id
            if sale_line.id not in done:
                earlier = sale_line.invoice_lines.filtered(
                    lambda aml: (
                        aml.parent_state == "posted"
                        and aml.id not in batch_ids
                        and aml.revenue_income_account_id
                    )
                )
                done[sale_line.id] = [
                    sum(sale_line._revenue_invoiced_quantity(aml) for aml in earlier),
                    sum(earlier.mapped("revenue_allocation_difference")),
                ]
            totals = done[sale_line.id]
            totals[0] += sale_line._revenue_invoiced_quantity(line)
            target = currency.round(
                sale_line.price_subtotal * totals[0] / sale_line.product_uom_qty
            ) - sale_line._revenue_allocated_share(totals[0])
            difference = currency.round(target - totals[1])
            totals[1] += difference
            source.billed_above_allocation = difference
            receivers = sale_line._revenue_allocation_receivers()
            if currency.is_zero(difference) or not receivers:
                continue
            billed = source.amount_currency
            company_currency = source.company.currency_id
            if currency.is_zero(billed):
                difference_company = currency._convert(
                    difference,
                    company_currency,
                    source.company,
                    line.move_id.invoice_date or line.move_id.date,
                )
            else:
                difference_company = company_currency.round(
                    difference * source.amount / billed
                )
            source.amount_currency = currency.round(billed - difference)
            source.amount = company_currency.round(source.amount - difference_company)
            source.transfers = sale_line._revenue_transfer_sources(
                source, receivers, difference, difference_company, carried
            )

    def _revenue_allocation_receivers(self):
        """{receiver order line: weight} when this allocated line is sold above
        its allocation: the order's obligations sold below theirs, weighted by
        what each lacks. Empty for other lines."""
        self.ensure_one()
        currency = self.currency_id
        if (
            currency.compare_amounts(self.price_subtotal, self.revenue_allocated_amount)
            <= 0
        ):
            return {}
        return {
            line: line.revenue_allocated_amount - line.price_subtotal
            for line in self.order_id._revenue_allocation_lines()
            if currency.compare_amounts(
                line.revenue_allocated_amount, line.price_subtotal
            )
            > 0
        }

    def _revenue_transfer_sources(
        self, source, receivers, amount, amount_company, carried
    ):
        """``RevenueSource``s of the part (``amount``, ``amount_company``) of an
        invoice line's schedule recognised for ``receivers`` ({order line:
        weight}), on each receiver's term: that of its first posted invoice
        line, else its order line's (the invoice date standing in for the
        order date); a receiver without schedule on the invoice's date.

        Rounded cumulatively over the order: what all its invoice lines have
        carried so far (``carried``, filled from the posted ones on first
        use) plus ``amount`` is shared by the weights, and each receiver gets
        its share minus what it already got, so that once the order is
        invoiced each receiver has received exactly what it lacks.
        """
        self.ensure_one()
        invoice_line = source.record
        day = invoice_line.move_id.invoice_date or invoice_line.move_id.date
        lines = list(receivers)
        weights = [receivers[line] for line in lines]
        order_carried = carried.get(self.order_id.id)
        if order_carried is None:
            order_carried = carried[self.order_id.id] = {}
            for line in self.order_id._revenue_allocation_lines():
                revs = line.revenue_line_ids.filtered(
                    lambda rev, line=line: (
                        rev.state != "cancelled"
                        and rev.move_line_id.parent_state == "posted"
                        and rev.move_line_id.id not in invoice_line.ids
                        and line not in rev.move_line_id.sale_line_ids
                    )
                )
                order_carried[line.id] = [
                    sum(revs.mapped("amount_currency")),
                    sum(revs.mapped("amount")),
                ]
        got_so_far = [order_carried.setdefault(line.id, [0.0, 0.0]) for line in lines]
        before = [
            sum(values[0] for values in got_so_far),
            sum(values[1] for values in got_so_far),
        ]
        company_currency = source.company.currency_id
        targets = allocate(
            Decimal(str(source.currency.round(before[0] + amount))),
            weights,
            Decimal(str(source.currency.rounding)),
        )
        targets_company = allocate(
            Decimal(str(company_currency.round(before[1] + amount_company))),
            weights,
            Decimal(str(company_currency.rounding)),
        )
        shares, shares_company = [], []
        for got, target, target_company in zip(
            got_so_far, targets, targets_company, strict=True
        ):
            share = source.currency.round(float(target) - got[0])
            share_company = company_currency.round(float(target_company) - got[1])
            got[0] += share
            got[1] += share_company
            shares.append(share)
            shares_company.append(share_company)
        transfers = []
        for receiver, share, share_company in zip(
            lines, shares, shares_company, strict=True
        ):
            if not share and not share_company:
                continue
            start, end = receiver._revenue_transfer_term(day)
            transfers.append(
                RevenueSource(
                    record=receiver,
                    schedule=receiver.revenue_schedule_id,
                    start=start,
                    end=end,
                    currency=source.currency,
                    company=source.company,
                    amount_currency=float(share),
                    amount=float(share_company),
                    values={
                        **source.values,
                        "sale_line_id": receiver.id,
                        "product_id": receiver.product_id.id,
                        "analytic_distribution": receiver.analytic_distribution,
                    },
                )
            )
        return transfers

    def _revenue_transfer_term(self, day):
        """(start, end) of what another invoice line recognises for this
        obligation (see ``_revenue_transfer_sources``)."""
        self.ensure_one()
        if not self.revenue_schedule_id:
            return day, False
        invoiced = self.invoice_lines.filtered(
            lambda aml: (
                aml.move_id.move_type == "out_invoice"
                and aml.parent_state == "posted"
                and aml.revenue_schedule_id
                and aml.revenue_income_account_id
            )
        ).sorted(lambda aml: (aml.move_id.invoice_date, aml.id))[:1]
        if invoiced:
            return invoiced._revenue_term()
        start = self.revenue_start_date or fields.Date.to_date(
            self.order_id.commitment_date
        )
        if start or not self.revenue_schedule_id.automatic_contract_terms:
            return start or day, self.revenue_end_date
        return day, False

    def _revenue_with_allocated_orders(self):
        """These lines and all the lines of their orders that allocate: an
        invoice of one obligation may recognise revenue for the others."""
        return self | self.order_id.filtered("revenue_allocate").order_line

    def _revenue_credited_kept(self):
        """Untaxed amount of the posted price concessions and cancellations
        credited on this line, in its currency: Odoo counts them as still to
        invoice (the credited quantity is to invoice again), but the contract
        price fell or the service stopped, so they never come back as expected
        revenue, accrual or backlog. Returns are to invoice again."""
        self.ensure_one()
        return sum(
            aml.currency_id._convert(
                aml.price_subtotal,
                self.currency_id,
                self.company_id,
                aml.move_id.invoice_date or aml.date,
            )
            for aml in self.invoice_lines._revenue_credit_kept()
        )

    def _prepare_invoice_line(self, **optional_values):
        res = super()._prepare_invoice_line(**optional_values)
        if self.display_type:
            return res
        # Also when empty: a schedule removed on the order stays removed.
        res.setdefault("revenue_schedule_id", self.revenue_schedule_id.id)
        if self.revenue_schedule_id:
            res.setdefault("revenue_start_date", self.revenue_start_date)
            # An end derived from the order date must be derived again from the
            # invoice date on the invoice line.
            if (
                self.revenue_start_date
                or not self.revenue_schedule_id.automatic_contract_terms
            ):
                res.setdefault("revenue_end_date", self.revenue_end_date)
        return res

    @api.depends(
        "revenue_allocated_amount",
        "order_id.state",
        "order_id.revenue_allocate",
        "order_id.order_line.price_subtotal",
        "order_id.order_line.product_uom_qty",
        "order_id.order_line.product_id",
        "order_id.order_line.revenue_schedule_id",
    )
    def _compute_revenue_allocated_preview(self):
        for order, lines in self.grouped("order_id").items():
            if order.state in ("draft", "sent") and order.revenue_allocate:
                preview = order._revenue_allocation_preview()
                for line in lines:
                    line.revenue_allocated_preview = preview.get(line.id, 0.0)
            else:
                for line in lines:
                    line.revenue_allocated_preview = line.revenue_allocated_amount

    # --- changes of terms (models/revenue_change.py) -----------------------------

    revenue_change_ids = fields.One2many(
        "revenue.change", "sale_line_id", string="Changes of Revenue Terms"
    )

    def action_revenue_changes(self):
        """The changes of revenue terms of these lines (history)."""
        return self.env["revenue.change"]._revenue_action(
            [("sale_line_id", "in", self.ids)]
        )

    def revenue_change_terms(
        self,
        change_date,
        end_date=None,
        schedule=None,
        method="prospective",
        reason=None,
    ):
        """Change the revenue terms of this obligation from ``change_date``: a
        new end date and/or a new schedule, the amount unchanged. Its invoice
        and credit note lines and its expected lines follow. Return the
        ``revenue.change`` (see ``revenue.change._revenue_change_terms``)."""
        self.ensure_one()
        return self.env["revenue.change"]._revenue_change_terms(
            self, change_date, end_date, schedule, method, reason
        )
