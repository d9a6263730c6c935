"""The fields that drive the books, tried as every role.

``PROTECTED_FIELDS`` (``models/revenue_protected_fields.py``) lists them per
model; this test writes each of them, with a value that changes it, as each
role, on the record where the rule applies (a confirmed order, a posted
invoice line, a posted recognition entry, the company), and expects exactly
one of three outcomes: written, refused by the guard (AccessError naming the
field), or refused by Odoo's access rights before (the role cannot write
that model at all).
"""

from odoo import Command, fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user, tagged

from ..models.revenue_protected_fields import PROTECTED_FIELDS
from .common import RevenueTestCommon

SALES = "sales_team.group_sale_salesman_all_leads"
ROLES = {
    "salesperson": SALES,
    "invoicing_user": f"{SALES},account.group_account_invoice",
    "accountant": f"{SALES},account.group_account_user",
    "revenue_user": f"{SALES},revenue_recognition.group_revenue_user",
    "revenue_admin": f"{SALES},revenue_recognition.group_revenue_manager,"
    "base.group_erp_manager",
    # may write companies (Access Rights) but is no revenue administrator
    "rights_admin": "base.group_erp_manager",
}
COMPANY_SETTINGS = {
    field
    for field, rule in PROTECTED_FIELDS["res.company"].items()
    if "revenue_recognition.group_revenue_manager" in rule.groups
}
#: (model, field): the roles that may change it where its rule applies;
#: every other listed field: nobody but the add-on's own code.
ALLOWED = {
    ("sale.order", "revenue_allocate"): {"revenue_admin"},
    **{("res.company", field): {"revenue_admin"} for field in COMPANY_SETTINGS},
}
GUARD_MESSAGE = "drives the books"


class _Undo(Exception):
    """Raised to roll a successful write back to its savepoint."""


@tagged("post_install", "-at_install")
class TestProtectedBooks(RevenueTestCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.users = {
            role: new_test_user(
                cls.env,
                login=f"rr_books_{role}",
                groups=groups,
                company_id=cls.company.id,
                company_ids=[Command.set(cls.company.ids)],
            )
            for role, groups in ROLES.items()
        }
        # A confirmed order (not invoiced), a posted invoice of 300 whose
        # first line is recognised by a posted entry.
        cls.order = cls._create_order([(cls.product_service, 1, 2400.0, None)])
        cls.order.action_confirm()
        cls.invoice = cls._create_invoice([(cls.product_service, 300.0, None)])
        cls.invoice.action_post()
        result = cls.env["revenue.recognition.line"]._recognise(
            fields.Date.to_date("2025-12-31"),
            domain=[("move_id", "=", cls.invoice.id)],
        )
        cls.entry = cls.env["account.move"].browse(result["move_ids"])
        cls.invoice_line = cls.invoice.invoice_line_ids
        cls.bank_account = cls.company_data["default_journal_bank"].default_account_id

    def _target(self, model):
        """The record each rule of ``model`` applies to."""
        return {
            "sale.order": self.order,
            "sale.order.line": self.order.order_line,
            "account.move": self.entry,
            "account.move.line": self.invoice_line,
            "res.company": self.company,
        }[model]

    def _new_value(self, record, field):
        """A value of ``field`` different from ``record``'s."""
        field_type = record._fields[field].type
        if field_type in ("one2many", "many2many"):
            if field == "revenue_accrual_sale_line_ids":
                return [Command.link(self.order.order_line.id)]
            return [Command.clear()]
        if field_type == "boolean":
            return not record[field]
        values = {
            "revenue_allocated_amount": 1_000_000.0,
            "revenue_accrual_date": "2026-01-31",
            "revenue_schedule_id": self.schedule_12m.id,
            "revenue_start_date": "2026-02-01",
            "revenue_end_date": "2027-01-31",
            "revenue_income_account_id": self.bank_account.id,
            "revenue_origin_line_id": self.entry.line_ids[:1].id,
            "revenue_accrual_last_date": "2025-12-31",
            "revenue_deferred_account_id": self.company.revenue_advance_account_id.id,
            "revenue_advance_account_id": self.company.revenue_deferred_account_id.id,
            "revenue_unbilled_account_id": self.company_data[
                "default_account_assets"
            ].id,
            "revenue_journal_id": self.company_data["default_journal_misc"].id,
            "revenue_auto_post_grouping": (
                "detail"
                if record.revenue_auto_post_grouping == "summary"
                else "summary"
            )
            if field == "revenue_auto_post_grouping"
            else False,
            "revenue_max_lines_per_entry": 500,
            "revenue_max_periods": 100,
            "revenue_accepted_date": "2026-03-15",
            "revenue_credit_treatment": "cancel",
            "revenue_cancel_date": "2026-04-30",
            "revenue_allocation_difference": 123.0,
        }
        return values[field]

    def _write_outcome(self, user, record, vals):
        """``written``, ``guard`` (refused naming the field) or ``rights``."""
        if not record.with_user(user).has_access("write"):
            return "rights"
        try:
            with self.env.cr.savepoint():
                record.with_user(user).write(vals)
                # undone, so that the next role changes the value again
                raise _Undo()
        except _Undo:
            return "written"
        except AccessError as error:
            if GUARD_MESSAGE in str(error):
                return "guard"
            return "rights"
        finally:
            self.env.invalidate_all()

    def test_every_listed_field_as_every_role(self):
        tried = 0
        for model, rules in PROTECTED_FIELDS.items():
            record = self._target(model)
            for field in rules:
                vals = {field: self._new_value(record, field)}
                for role, user in self.users.items():
                    with self.subTest(model=model, field=field, role=role):
                        outcome = self._write_outcome(user, record, vals)
                        if not self.env[model].with_user(user).has_access("write"):
                            expected = "rights"
                        elif role in ALLOWED.get((model, field), ()):
                            expected = "written"
                        else:
                            expected = "guard"
                        self.assertEqual(outcome, expected, f"{role} {model}.{field}")
                        tried += 1
        # every field of the list, every role: nothing skipped silently
        listed = sum(len(rules) for model, rules in PROTECTED_FIELDS.items())
        self.assertEqual(tried, listed * len(ROLES))

    def test_the_issue_cases_are_refused(self):
        """The four cases of the issue: allocation by a salesperson, a
        recognition entry unflagged, an accrual cleared, the income account of
        a posted line moved to the bank."""
        salesperson = self.users["salesperson"]
        with self.assertRaisesRegex(AccessError, GUARD_MESSAGE):
            self.order.with_user(salesperson).revenue_allocate = True
        with self.assertRaisesRegex(AccessError, GUARD_MESSAGE):
            self.order.order_line.with_user(salesperson).write(
                {"revenue_allocated_amount": 1_000_000.0}
            )
        for role in ("invoicing_user", "accountant"):
            user = self.users[role]
            with self.assertRaisesRegex(AccessError, GUARD_MESSAGE):
                self.entry.with_user(user).revenue_recognition_entry = False
            with self.assertRaisesRegex(AccessError, GUARD_MESSAGE):
                self.invoice_line.with_user(
                    user
                ).revenue_income_account_id = self.bank_account
        self.assertTrue(self.entry.revenue_recognition_entry)
        self.assertEqual(self.order.order_line.revenue_allocated_amount, 0.0)

    def test_create_with_bookkeeping_values_is_refused(self):
        user = self.users["invoicing_user"]
        with self.assertRaisesRegex(AccessError, GUARD_MESSAGE):
            self.env["account.move"].with_user(user).create(
                {"move_type": "entry", "revenue_accrual": True}
            )
        with self.assertRaisesRegex(AccessError, GUARD_MESSAGE):
            self.env["sale.order.line"].with_user(self.users["salesperson"]).create(
                {
                    "order_id": self.order.id,
                    "product_id": self.product_service.id,
                    "revenue_allocated_amount": 5.0,
                }
            )
        # the state decides after creation: a confirmed order created
        # allocating, by a salesperson
        with self.assertRaisesRegex(AccessError, GUARD_MESSAGE):
            self.env["sale.order"].with_user(self.users["salesperson"]).create(
                {
                    "partner_id": self.partner_a.id,
                    "state": "sale",
                    "revenue_allocate": True,
                }
            )
        # the flag of a recognition entry may be raised (duplicates keep it,
        # and such an entry is refused at posting), never lowered
        move = (
            self.env["account.move"]
            .with_user(user)
            .create({"move_type": "entry", "revenue_recognition_entry": True})
        )
        self.assertTrue(move.revenue_recognition_entry)

    def test_allocation_by_the_revenue_admin_and_by_the_addon(self):
        """The revenue administrator switches allocation on a confirmed order;
        the add-on then writes the allocated amounts (marker), as it does when
        a salesperson confirms an allocated order."""
        hardware = self._create_product(
            name="Hardware",
            lst_price=1200.0,
            revenue_ssp=1200.0,
            revenue_schedule_id=self.schedule_quarterly.id,
        )
        support = self._create_product(
            name="Support",
            lst_price=600.0,
            revenue_ssp=600.0,
            revenue_schedule_id=self.schedule_12m.id,
        )
        order = self._create_order(
            [(hardware, 1, 1200.0, None), (support, 1, 300.0, None)]
        )
        order.with_user(self.users["salesperson"]).action_confirm()
        order.with_user(self.users["revenue_admin"]).revenue_allocate = True
        # 1,500 shared 1,200 : 600 -> 1,000.00 and 500.00
        self.assertEqual(
            order.order_line.mapped("revenue_allocated_amount"), [1000.0, 500.0]
        )
        draft = self._create_order([(hardware, 1, 1200.0, None)])
        draft.with_user(self.users["salesperson"]).revenue_allocate = True
        self.assertTrue(draft.revenue_allocate)

    def test_income_account_is_an_income_account_of_the_company(self):
        draft = self._create_invoice([(self.product_service, 300.0, None)])
        line = draft.invoice_line_ids
        company_2 = self.setup_other_company(name="Books other company")
        for account in (
            self.bank_account,
            self.receivable_account,
            company_2["default_account_revenue"],
        ):
            with self.subTest(account=account.display_name):
                with self.assertRaisesRegex(ValidationError, "cannot receive"):
                    line.with_user(self.users["accountant"]).write(
                        {"revenue_income_account_id": account.id}
                    )
        line.with_user(
            self.users["accountant"]
        ).revenue_income_account_id = self.income_account
        self.assertEqual(line.revenue_income_account_id, self.income_account)

    def test_bounds_of_prices_and_amounts(self):
        product = self.product_service.product_tmpl_id
        for price in (-5.0, 1e15):
            with self.subTest(price=price):
                with self.assertRaisesRegex(
                    ValidationError, "standalone selling price"
                ):
                    product.revenue_ssp = price
        product.revenue_ssp = 250.0
        self.assertEqual(product.revenue_ssp, 250.0)
        # 10^9 units at 10^9: 10^18, far above what a float holds to the cent
        with self.assertRaisesRegex(ValidationError, "quantity × price"):
            self._create_order([(self.product_service, 1e9, 1e9, None)])
        with self.assertRaisesRegex(ValidationError, "quantity × price"):
            self.invoice_line.move_id.copy().invoice_line_ids.write(
                {"quantity": 1e9, "price_unit": 1e9}
            )
