"""Fields that drive the books, and who may write them.

Odoo's access rights say who may write a model; some of the add-on's fields
need more: a salesperson may edit their order, not the share of its price
that its schedules recognise. ``PROTECTED_FIELDS`` lists, per model, the
fields whose value decides what lands in the ledger, and who besides the
add-on's own code may change them. ``revenue.protected.fields.mixin``
enforces the list for ``create`` and ``write``, in one place, before anything
is written; the add-on's own code passes with ``_revenue_bookkeeping()`` (the
marker of schedule lines, which no RPC call can forge). Schedule lines
(``revenue.recognition.line``) keep their own, stricter guard: nobody writes
them by hand at all.

The same mixin checks the values of the bound fields (accounts of the right
type and company, amounts within what a float keeps to the cent).
"""

from typing import NamedTuple

from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.tools import float_compare

from .revenue_recognition_line import BOOKKEEPING, BOOKKEEPING_KEY

REVENUE_ADMIN = "revenue_recognition.group_revenue_manager"
SETTINGS_ADMIN = "base.group_system"
#: Largest amount of a scheduled line (quantity × price), and largest
#: standalone selling price: a float keeps cents exactly up to about 9 × 10^13.
MAX_REVENUE_AMOUNT = 10**13
MAX_REVENUE_AMOUNT_LABEL = f"{MAX_REVENUE_AMOUNT:,}"
#: Income account types a schedule may recognise into.
INCOME_ACCOUNT_TYPES = ("income", "income_other")


class Protected(NamedTuple):
    """Who may change a field besides the add-on's own code, and when.

    ``groups``: XML ids of the groups that may change it; empty: the add-on
    only. ``when``: a method of the model returning the records on which the
    rule applies (``None``: always). ``user_value``: a value users may give
    on create, harmless by construction (a duplicate of a recognition entry
    stays flagged, and is then refused at posting).
    """

    groups: tuple = ()
    when: str | None = None
    user_value: object = None


BOOKS = Protected()
POSTED_BOOKS = Protected(when="_revenue_protected_posted")

#: Per model, the fields that drive the books (see the README's access
#: section for the reasoning).
PROTECTED_FIELDS = {
    "sale.order": {
        # switching allocation re-prices every schedule of a signed contract
        "revenue_allocate": Protected((REVENUE_ADMIN,), "_revenue_protected_confirmed"),
        "revenue_line_ids": BOOKS,
    },
    "sale.order.line": {
        # what the line's schedules recognise, computed at confirmation
        "revenue_allocated_amount": BOOKS,
        # the customer's acceptance releases held revenue: only its button
        # (action_revenue_accept, for sales managers and revenue users) sets it
        "revenue_accepted_date": BOOKS,
        "revenue_line_ids": BOOKS,
    },
    "account.move": {
        # which entries are recognition entries and accruals, and what they
        # accrued: the runs find what is done, and not do it twice, by them
        "revenue_recognition_entry": Protected(user_value=True),
        "revenue_accrual": BOOKS,
        "revenue_accrual_date": BOOKS,
        "revenue_accrual_sale_line_ids": BOOKS,
        "revenue_line_ids": BOOKS,
        "revenue_recognised_line_ids": BOOKS,
    },
    "account.move.line": {
        # once posted, the term and the income account of a deferred line
        # are its schedule: they change by a contract change or a credit note
        "revenue_schedule_id": POSTED_BOOKS,
        "revenue_start_date": POSTED_BOOKS,
        "revenue_end_date": POSTED_BOOKS,
        "revenue_income_account_id": POSTED_BOOKS,
        "revenue_origin_line_id": POSTED_BOOKS,
        # what a posted credit note does to revenue (price, cancel, return)
        "revenue_credit_treatment": POSTED_BOOKS,
        "revenue_cancel_date": POSTED_BOOKS,
        # what an invoice line billed above its share of an allocated order
        "revenue_allocation_difference": BOOKS,
        "revenue_line_ids": BOOKS,
    },
    "res.company": {
        "revenue_accrual_last_date": BOOKS,
        **dict.fromkeys(
            (
                "revenue_deferred_account_id",
                "revenue_advance_account_id",
                "revenue_unbilled_account_id",
                "revenue_journal_id",
                "revenue_auto_post",
                "revenue_auto_post_grouping",
                "revenue_auto_post_entries",
                "revenue_accrue_unbilled",
                "revenue_max_lines_per_entry",
                "revenue_max_periods",
                "revenue_allocate_default",
            ),
            Protected((REVENUE_ADMIN, SETTINGS_ADMIN)),
        ),
    },
}


class RevenueProtectedFieldsMixin(models.AbstractModel):
    _name = "revenue.protected.fields.mixin"
    _description = "Revenue Recognition: fields that drive the books"

    @api.model_create_multi
    def create(self, vals_list):
        protected = self._revenue_protected_fields()
        if protected and not self._revenue_is_bookkeeping():
            for vals in vals_list:
                self._revenue_check_protected(vals, protected, "before_create")
        records = super().create(vals_list)
        if protected and not self._revenue_is_bookkeeping():
            for record, vals in zip(records, vals_list, strict=True):
                record._revenue_check_protected(vals, protected, "after_create")
        records._revenue_check_bounds(set().union(*vals_list) if vals_list else set())
        return records

    def write(self, vals):
        protected = self._revenue_protected_fields()
        if protected and not self._revenue_is_bookkeeping():
            self._revenue_check_protected(vals, protected, "write")
        res = super().write(vals)
        self._revenue_check_bounds(set(vals))
        return res

    @api.model
    def _revenue_protected_fields(self):
        """``{field name: Protected}`` of this model."""
        return PROTECTED_FIELDS.get(self._name, {})

    def _revenue_is_bookkeeping(self):
        return self.env.context.get(BOOKKEEPING_KEY) is BOOKKEEPING

    def _revenue_bookkeeping(self):
        """These records, allowed to write the fields that drive the books
        (the add-on's own code; the user's access rights still apply)."""
        return self.with_context(**{BOOKKEEPING_KEY: BOOKKEEPING})

    def _revenue_protected_posted(self):
        return self.filtered(lambda line: line.parent_state == "posted")

    def _revenue_protected_confirmed(self):
        return self.filtered(lambda order: order.state == "sale")

    def _revenue_check_protected(self, vals, protected, phase):
        """Refuse ``vals`` when they change a protected field the user may not.

        ``phase``: ``before_create`` (``self`` empty: the rules that always
        apply), ``after_create`` (the rules that depend on the new records'
        state; any value given is a change) or ``write``.
        """
        for fname in vals.keys() & protected.keys():
            rule = protected[fname]
            value = vals[fname]
            if phase != "write" and (not value or value == rule.user_value):
                continue
            if phase == "before_create":
                if rule.when:
                    continue
                records = self
            elif phase == "after_create":
                if not rule.when:
                    continue
                records = getattr(self, rule.when)()
            else:
                records = getattr(self, rule.when)() if rule.when else self
                records = records.filtered(
                    lambda rec, fname=fname: rec._revenue_value_changes(
                        fname, vals[fname]
                    )
                )
            if not records and phase != "before_create":
                continue
            if self.env.su and rule.groups:
                continue
            if any(self.env.user.has_group(group) for group in rule.groups):
                continue
            raise AccessError(self._revenue_protected_message(records, fname, rule))

    def _revenue_value_changes(self, fname, value):
        """Whether writing ``value`` into ``fname`` changes this record."""
        self.ensure_one()
        field = self._fields[fname]
        current = self[fname]
        if field.type in ("one2many", "many2many"):
            return bool(value)
        if field.type == "many2one":
            return current.id != (value or False) and (current.id or value)
        if field.type == "boolean":
            return bool(current) != bool(value)
        if field.type == "date":
            return current != (fields.Date.to_date(value) or False)
        if field.type in ("float", "monetary"):
            return float_compare(current or 0.0, value or 0.0, precision_digits=6) != 0
        return (current or False) != (value or False)

    def _revenue_protected_message(self, records, fname, rule):
        field = self._fields[fname]
        record = ", ".join(records[:3].mapped("display_name")) or self._description
        if not rule.groups:
            return self.env._(
                "%(record)s: the field '%(field)s' drives the books and is set by "
                "the revenue recognition only; it cannot be changed by hand. "
                "Change the document instead (a credit note, a contract change, "
                "the order's lines).",
                record=record,
                field=field._description_string(self.env),
            )
        groups = [
            self.env.ref(group, raise_if_not_found=False) for group in rule.groups
        ]
        return self.env._(
            "%(record)s: the field '%(field)s' drives the books; only %(groups)s "
            "may change it here. Ask one of them to do it.",
            record=record,
            field=field._description_string(self.env),
            groups=", ".join(group.sudo().full_name for group in groups if group),
        )

    # --- bounds ------------------------------------------------------------------

    def _revenue_check_bounds(self, fnames):
        """Check the values of the fields that drive the books (hook)."""

    def _revenue_check_amount_bounds(self, quantity_field):
        """A scheduled line's quantity × price stays below ``MAX_REVENUE_AMOUNT``."""
        for line in self.filtered("revenue_schedule_id"):
            if abs(line[quantity_field] * line.price_unit) >= MAX_REVENUE_AMOUNT:
                raise ValidationError(
                    self.env._(
                        "%(line)s: quantity × price is above %(max)s, more than "
                        "revenue schedules can hold to the cent. Check the "
                        "quantity and the unit price.",
                        line=line.display_name,
                        max=MAX_REVENUE_AMOUNT_LABEL,
                    )
                )


# The models that carry the guard, one class each. Not generated by a loop
# over ``PROTECTED_FIELDS``: Odoo would register classes made with ``type()``
# in this module as well, but three of the six carry checks of their own (and
# are classes anyway), product.template is guarded for its bounds only (it has
# no listed field), and a generated class hides from a search of the code and
# from pylint-odoo where a model gains the mixin. A listed model left out here
# fails ``tests/test_protected_books.py``, which tries every listed field as
# every role.


class SaleOrder(models.Model):
    _name = "sale.order"
    _inherit = ["sale.order", "revenue.protected.fields.mixin"]


class SaleOrderLine(models.Model):
    _name = "sale.order.line"
    _inherit = ["sale.order.line", "revenue.protected.fields.mixin"]

    def _revenue_check_bounds(self, fnames):
        res = super()._revenue_check_bounds(fnames)
        if fnames & {"product_uom_qty", "price_unit", "revenue_schedule_id"}:
            self._revenue_check_amount_bounds("product_uom_qty")
        return res


class AccountMove(models.Model):
    _name = "account.move"
    _inherit = ["account.move", "revenue.protected.fields.mixin"]


class AccountMoveLine(models.Model):
    _name = "account.move.line"
    _inherit = ["account.move.line", "revenue.protected.fields.mixin"]

    def _revenue_check_bounds(self, fnames):
        res = super()._revenue_check_bounds(fnames)
        if "revenue_income_account_id" in fnames:
            self._revenue_check_income_account()
        if fnames & {"quantity", "price_unit", "revenue_schedule_id"}:
            self._revenue_check_amount_bounds("quantity")
        return res

    def _revenue_check_income_account(self):
        """The account a schedule recognises into is an income account of the
        line's company (a down payment's: any account of its company)."""
        for line in self.filtered("revenue_income_account_id"):
            account = line.revenue_income_account_id.sudo()
            wrong_type = (
                account.account_type not in INCOME_ACCOUNT_TYPES
                and not line.is_downpayment
            )
            if wrong_type or not account.company_ids & line.company_id.parent_ids:
                raise ValidationError(
                    self.env._(
                        "Invoice %(move)s, line '%(line)s': account %(account)s "
                        "cannot receive its recognised revenue. Choose an income "
                        "account of company %(company)s on the line (or on its "
                        "product) before posting.",
                        move=line.move_id.display_name,
                        line=line.name or line.product_id.display_name or "",
                        account=account.display_name,
                        company=line.company_id.display_name,
                    )
                )


class ResCompany(models.Model):
    _name = "res.company"
    _inherit = ["res.company", "revenue.protected.fields.mixin"]


class ProductTemplate(models.Model):
    _name = "product.template"
    _inherit = ["product.template", "revenue.protected.fields.mixin"]

    def _revenue_check_bounds(self, fnames):
        res = super()._revenue_check_bounds(fnames)
        if "revenue_ssp" not in fnames:
            return res
        for product in self:
            if not 0 <= product.revenue_ssp < MAX_REVENUE_AMOUNT:
                raise ValidationError(
                    self.env._(
                        "Product %(product)s: the standalone selling price must be "
                        "zero or more and below %(max)s; it is %(price)s. Type the "
                        "price the product sells for on its own.",
                        product=product.display_name,
                        max=MAX_REVENUE_AMOUNT_LABEL,
                        price=product.revenue_ssp,
                    )
                )
        return res
