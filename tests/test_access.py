"""Who may do what: the access matrix of the add-on's models, per role.

Finding 8 of "Integrity and access". One table (role → model → allowed
operations among read, write, create, unlink) and one loop asserting each
cell with ``with_user``: AccessError expected or not. Records are those of
the main test company; the "other company" user administers another one.
"""

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import RevenueTestCommon

SCHEDULE = "revenue.schedule"
PERCENTAGE = "revenue.schedule.percentage"
LINE = "revenue.recognition.line"
HOLD_WIZARD = "revenue.hold.wizard"
RECOGNITION_WIZARD = "revenue.recognition.wizard"
MODELS = (SCHEDULE, PERCENTAGE, LINE, HOLD_WIZARD, RECOGNITION_WIZARD)

READ_ONLY = {SCHEDULE: "r", PERCENTAGE: "r", LINE: "r"}
# Schedule lines are created and deleted by the add-on only (invoice posting,
# order confirmation): nobody creates or deletes them by hand.
REVENUE_USER = {SCHEDULE: "r", PERCENTAGE: "r", LINE: "rw", HOLD_WIZARD: "rwcu"}
REVENUE_ADMIN = {
    SCHEDULE: "rwcu",
    PERCENTAGE: "rwcu",
    LINE: "rw",
    HOLD_WIZARD: "rwcu",
    RECOGNITION_WIZARD: "rwcu",
}

#: role: (groups, {model: allowed operations}); a missing model: nothing.
ROLES = {
    "salesperson_own_documents": ("sales_team.group_sale_salesman", READ_ONLY),
    "salesperson_all_documents": (
        "sales_team.group_sale_salesman_all_leads",
        READ_ONLY,
    ),
    "billing": ("account.group_account_invoice", REVENUE_USER),
    "accountant": ("account.group_account_user", REVENUE_USER),
    "accounting_administrator": ("account.group_account_manager", REVENUE_ADMIN),
    "auditor": ("account.group_account_readonly", READ_ONLY),
    "purchase_user": (None, {}),  # see _purchase_group
    "employee": ("base.group_user", {}),
    "portal": ("base.group_portal", {}),
    # Administrator of another company: its own wizards, none of our records.
    "other_company": (
        "account.group_account_manager",
        {HOLD_WIZARD: "rwcu", RECOGNITION_WIZARD: "rwcu"},
    ),
}


@tagged("post_install", "-at_install")
class TestAccess(RevenueTestCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_2 = cls.setup_other_company(name="Access other company")["company"]
        cls.users = {}
        for role, (groups, _expected) in ROLES.items():
            company = cls.company_2 if role == "other_company" else cls.company
            cls.users[role] = new_test_user(
                cls.env,
                login=f"rr_access_{role}",
                groups=groups or "base.group_user",
                company_id=company.id,
                company_ids=[Command.set(company.ids)],
            )
        cls.users["purchase_user"].groups_id = [Command.link(cls._purchase_group().id)]
        # A pending schedule line of an invoice of the "own documents"
        # salesperson, without an order.
        cls.invoice = cls._create_invoice(
            [(cls.product_service, 300.0, None)],
            invoice_user_id=cls.users["salesperson_own_documents"].id,
        )
        cls.invoice.action_post()
        cls.line = cls.invoice.revenue_line_ids[:1]

    @classmethod
    def _purchase_group(cls):
        """purchase's User group, or a stand-in with the same rights on bills.

        The add-on does not depend on purchase; without it, a group granting
        what purchase grants on account.move and account.move.line plays the
        purchase user (no accounting, sales or revenue group).
        """
        group = cls.env.ref("purchase.group_purchase_user", raise_if_not_found=False)
        if group:
            return group
        group = cls.env["res.groups"].create(
            {
                "name": "Purchase user (stand-in)",
                "implied_ids": [Command.link(cls.env.ref("base.group_user").id)],
            }
        )
        cls.env["ir.model.access"].create(
            [
                {
                    "name": f"{model} purchase stand-in",
                    "model_id": cls.env["ir.model"]._get_id(model),
                    "group_id": group.id,
                    "perm_read": True,
                    "perm_write": True,
                    "perm_create": True,
                    "perm_unlink": model == "account.move",
                }
                for model in ("account.move", "account.move.line")
            ]
        )
        return group

    # --- the records each operation works on -------------------------------

    def _schedule(self):
        return self._create_schedule(
            name="Matrix", recognition_basis="occurrences", occurrences=2
        )

    def _target(self, model, user):
        """A record of ``model`` to read, write and delete (created as admin)."""
        if model == SCHEDULE:
            return self._schedule()  # unused: deletable
        if model == PERCENTAGE:
            return self.env[PERCENTAGE].create(
                {"schedule_id": self._schedule().id, "percentage": 50.0}
            )
        if model == LINE:
            return self.line
        # Wizards: users only see their own; created as the user when allowed.
        values = self._create_values(model)
        try:
            with self.env.cr.savepoint():
                return self.env[model].with_user(user).create(values).sudo()
        except AccessError:
            return self.env[model].create(values)

    def _create_values(self, model):
        if model == SCHEDULE:
            return {"name": "New", "company_id": self.company.id}
        if model == PERCENTAGE:
            return {"schedule_id": self._schedule().id, "percentage": 10.0}
        if model == LINE:
            return {
                "recognition_date": "2026-01-01",
                "company_id": self.company.id,
                "currency_id": self.company.currency_id.id,
                "amount": 10.0,
                "amount_currency": 10.0,
                "state": "pending",
            }
        if model == HOLD_WIZARD:
            return {"operation": "hold", "reason": "Audit"}
        return {}

    def _write_values(self, model):
        return {
            SCHEDULE: {"description": "Reviewed"},
            PERCENTAGE: {"sequence": 5},
            HOLD_WIZARD: {"reason": "Other reason"},
            RECOGNITION_WIZARD: {"grouping": "summary"},
        }[model]

    def _allowed(self, operation, model, user):
        """Whether ``user`` may do ``operation`` (r/w/c/u) on a record of ``model``."""
        try:
            with self.env.cr.savepoint():
                if operation == "c":
                    self.env[model].with_user(user).create(self._create_values(model))
                    return True
                record = self._target(model, user).with_user(user)
                if operation == "r":
                    record.read(["display_name"])
                elif operation == "w" and model == LINE:
                    # schedule lines are written through the hold actions only
                    # (a direct write is refused to everybody: test_holds)
                    record.action_hold("Checked by audit")
                elif operation == "w":
                    record.write(self._write_values(model))
                else:
                    record.unlink()
        except AccessError:
            return False
        return True

    # --- the matrix --------------------------------------------------------

    def test_access_matrix(self):
        for role, (_groups, expected) in ROLES.items():
            user = self.users[role]
            for model in MODELS:
                for operation in "rwcu":
                    with self.subTest(role=role, model=model, operation=operation):
                        self.assertEqual(
                            self._allowed(operation, model, user),
                            operation in expected.get(model, ""),
                            f"{role}: {operation} on {model}",
                        )

    # --- record rules and computed fields ------------------------------------

    def test_salesperson_sees_only_own_invoice_lines(self):
        other_invoice = self._create_invoice(
            [(self.product_service, 600.0, None)],
            invoice_user_id=self.users["salesperson_all_documents"].id,
        )
        other_invoice.action_post()
        lines = self.env[LINE].search(
            [("move_id", "in", (self.invoice | other_invoice).ids)]
        )
        own = self.env[LINE].with_user(self.users["salesperson_own_documents"])
        self.assertEqual(
            own.search([("id", "in", lines.ids)]), self.invoice.revenue_line_ids
        )
        with self.assertRaises(AccessError):
            other_invoice.revenue_line_ids.with_user(own.env.user).read(["amount"])
        everyone = self.env[LINE].with_user(self.users["salesperson_all_documents"])
        self.assertEqual(everyone.search([("id", "in", lines.ids)]), lines)

    def test_other_company_cannot_read_percentages(self):
        schedule = self._schedule()
        row = self.env[PERCENTAGE].create(
            {"schedule_id": schedule.id, "percentage": 5.0}
        )
        other = self.env[PERCENTAGE].with_user(self.users["other_company"])
        self.assertFalse(other.search([("id", "=", row.id)]))
        with self.assertRaises(AccessError):
            row.with_user(other.env.user).read(["percentage"])

    def test_purchase_user_opens_a_vendor_bill(self):
        user = self.users["purchase_user"]
        bill = self.env["account.move"].create(
            {
                "move_type": "in_invoice",
                "partner_id": self.partner_a.id,
                "invoice_date": "2025-11-18",
                "invoice_line_ids": [
                    Command.create({"name": "Paper", "quantity": 1, "price_unit": 10.0})
                ],
            }
        )
        as_user = bill.with_user(user)
        # The smart button and its fields are not in the purchase user's view...
        arch = as_user.get_view(view_type="form")["arch"]
        self.assertNotIn("revenue_line_count", arch)
        self.assertNotIn("action_view_revenue_lines", arch)
        # ... and computing them for that user gives zeros, not an AccessError.
        self.assertEqual(
            (as_user.revenue_line_count, as_user.revenue_to_recognise_amount), (0, 0.0)
        )
        invoice = self.invoice.with_user(user)
        self.assertEqual(invoice.revenue_pending_count, 0)
        self.assertEqual(self.invoice.revenue_pending_count, 3)
