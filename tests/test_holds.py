from datetime import date

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged

from .common import RevenueTestCommon


@tagged("post_install", "-at_install")
class TestHolds(RevenueTestCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.line_model = cls.env["revenue.recognition.line"]

    def _post_invoice(self, product=None, price=300.0):
        invoice = self._create_invoice([(product or self.product_service, price, None)])
        invoice.action_post()
        return invoice

    def _hold_wizard(self, operation, reason, **context):
        wizard_form = Form(
            self.env["revenue.hold.wizard"].with_context(
                default_operation=operation, **context
            )
        )
        wizard_form.reason = reason
        return wizard_form.save()

    def _run(self, as_of="2026-03-31"):
        return self.line_model._recognise(
            date.fromisoformat(as_of), domain=[("company_id", "=", self.company.id)]
        )

    @freeze_time("2026-03-31")
    def test_hold_from_list_then_release_from_invoice(self):
        invoice = self._post_invoice()
        lines = invoice.revenue_line_ids.sorted("recognition_date")
        wizard = self._hold_wizard(
            "hold",
            "Awaiting acceptance",
            active_model="revenue.recognition.line",
            active_ids=lines[:2].ids,
        )
        self.assertEqual(wizard.line_ids, lines[:2])
        wizard.action_confirm()
        self.assertRecordValues(
            lines,
            [
                {
                    "on_hold": True,
                    "hold_reason": "Awaiting acceptance",
                    "hold_user_id": self.env.uid,
                },
                {
                    "on_hold": True,
                    "hold_reason": "Awaiting acceptance",
                    "hold_user_id": self.env.uid,
                },
                {"on_hold": False, "hold_reason": False, "hold_user_id": False},
            ],
        )
        self.assertIn("Awaiting acceptance", invoice.message_ids[0].body)
        self.assertEqual(
            (invoice.revenue_pending_count, invoice.revenue_held_count), (1, 2)
        )

        result = self._run()
        self.assertEqual((result["line_count"], result["held_count"]), (1, 2))
        self.assertEqual(lines.mapped("state"), ["pending", "pending", "posted"])
        self.assertDeferredInvariant()

        # "Release all" of the invoice picks its held lines.
        wizard = self._hold_wizard(
            "release",
            "Accepted on site",
            active_model="account.move",
            active_id=invoice.id,
        )
        self.assertEqual(wizard.line_ids, lines[:2])
        wizard.action_confirm()
        self.assertEqual(lines.mapped("on_hold"), [False] * 3)
        self.assertEqual(lines[0].release_reason, "Accepted on site")
        result = self._run()
        self.assertEqual((result["line_count"], result["held_count"]), (2, 0))
        self.assertEqual(set(lines.mapped("state")), {"posted"})
        self.assertDeferredInvariant()

    @freeze_time("2026-03-31")
    def test_hold_all_from_order(self):
        order = self._create_order([(self.product_service, 1, 300.0, None)])
        order.action_confirm()
        invoice = self._invoice_order(order)
        wizard = self._hold_wizard(
            "hold", "Disputed", active_model="sale.order", active_id=order.id
        )
        self.assertEqual(wizard.line_ids, invoice.revenue_line_ids)
        wizard.action_confirm()
        self.assertEqual(
            (order.revenue_pending_count, order.revenue_held_count), (0, 3)
        )
        self.assertIn("Disputed", order.message_ids[0].body)
        wizard = Form(
            self.env["revenue.recognition.wizard"].with_context(
                default_order_ids=order.ids
            )
        ).save()
        self.assertEqual((wizard.due_count, wizard.held_count), (0, 3))
        wizard.action_create_journal()
        self.assertEqual((wizard.result_line_count, wizard.result_held_count), (0, 3))
        self.assertEqual(set(invoice.revenue_line_ids.mapped("state")), {"pending"})

    @freeze_time("2026-03-31")
    def test_automatic_hold_schedule(self):
        schedule = self._create_schedule(
            name="On acceptance",
            recognition_basis="occurrences",
            recognition_convention="next_month",
            occurrences=2,
            automatic_hold=True,
        )
        product = self._create_product(
            name="Implementation",
            type="service",
            lst_price=1000.0,
            taxes_id=[],
            revenue_schedule_id=schedule.id,
        )
        invoice = self._post_invoice(product, 1000.0)
        lines = invoice.revenue_line_ids
        self.assertEqual(lines.mapped("on_hold"), [True, True])
        self.assertEqual(self._run()["line_count"], 0)
        lines.action_release("Go-live signed")
        self.assertEqual(self._run()["line_count"], 2)
        self.assertDeferredInvariant()

    @freeze_time("2026-03-31")
    def test_only_pending_lines_can_be_held(self):
        invoice = self._post_invoice()
        self._run("2025-12-31")
        posted = invoice.revenue_line_ids.filtered(lambda line: line.state == "posted")
        self.assertEqual(len(posted), 1)
        wizard = self._hold_wizard(
            "hold",
            "Too late",
            active_model="revenue.recognition.line",
            active_ids=invoice.revenue_line_ids.ids,
        )
        with self.assertRaisesRegex(UserError, "not pending"):
            wizard.action_confirm()
        self.assertFalse(any(invoice.revenue_line_ids.mapped("on_hold")))
        # Nothing held on this invoice: nothing to release.
        wizard = self._hold_wizard(
            "release", "Nothing", active_model="account.move", active_id=invoice.id
        )
        with self.assertRaisesRegex(UserError, "no held revenue line"):
            wizard.action_confirm()


@tagged("post_install", "-at_install")
class TestProtectedFields(RevenueTestCommon):
    """Only the add-on writes the bookkeeping of schedule lines."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.invoice = cls._create_invoice([(cls.product_service, 300.0, None)])
        cls.invoice.action_post()
        cls.billing = new_test_user(
            cls.env, login="rr_billing_guard", groups="account.group_account_invoice"
        )
        cls.admin = new_test_user(
            cls.env,
            login="rr_admin_guard",
            groups="account.group_account_manager,base.group_system",
        )

    def test_users_cannot_write_bookkeeping_fields(self):
        line = self.invoice.revenue_line_ids[:1]
        other_account = self.company_data["default_account_assets"]
        for user in (self.billing, self.admin):
            for vals in (
                {"state": "pending"},
                {"amount": 5000.0},
                {"amount_currency": 5000.0},
                {"deferred_account_id": other_account.id},
                {"income_account_id": other_account.id},
                {"recognition_date": "2020-01-01"},
                {"recognition_move_id": self.invoice.id},
                {"on_hold": True},
            ):
                with self.subTest(user=user.login, vals=vals):
                    with self.assertRaises(AccessError):
                        line.with_user(user).write(vals)
        self.assertEqual(line.amount, 100.0)
        self.assertEqual(line.deferred_account_id, self.deferred_account)
        self.assertFalse(line.on_hold)

    def test_nobody_creates_or_deletes_lines_by_hand(self):
        line = self.invoice.revenue_line_ids[:1]
        for user in (self.billing, self.admin):
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError):
                    self.env["revenue.recognition.line"].with_user(user).create(
                        {
                            "recognition_date": "2026-01-01",
                            "company_id": self.company.id,
                            "currency_id": self.company.currency_id.id,
                            "amount": 5000.0,
                            "state": "pending",
                        }
                    )
                with self.assertRaises(AccessError):
                    line.with_user(user).unlink()
        self.assertTrue(line.exists())

    def test_hold_and_release_through_the_actions(self):
        line = self.invoice.revenue_line_ids[:1].with_user(self.billing)
        line.action_hold("dispute")
        self.assertTrue(line.on_hold)
        self.assertEqual(line.hold_user_id, self.billing)
        line.action_release("settled")
        self.assertFalse(line.on_hold)
        salesman = new_test_user(
            self.env, login="rr_sales_guard", groups="sales_team.group_sale_salesman"
        )
        with self.assertRaises(AccessError):
            self.invoice.revenue_line_ids[:1].with_user(salesman).action_hold("no")
