"""Schedules are validated at save: use, length, dates, percentages, accounts.

Findings 4, 6 and 7 of "Integrity and access".
"""

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, tagged

from .common import RevenueTestCommon


@tagged("post_install", "-at_install")
class TestScheduleValidation(RevenueTestCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_data_2 = cls.setup_other_company(name="Other company")
        cls.company_2 = cls.company_data_2["company"]

    def _unused_schedule(self, **values):
        values.setdefault("name", "Unused")
        values.setdefault("recognition_basis", "occurrences")
        values.setdefault("occurrences", 3)
        return self._create_schedule(**values)

    # --- finding 4: a schedule in use cannot be deleted -------------------------

    def test_unused_schedule_can_be_deleted(self):
        schedule = self._unused_schedule()
        self.assertFalse(schedule.in_use)
        schedule.unlink()
        self.assertFalse(schedule.exists())

    def test_schedule_of_a_product_cannot_be_deleted(self):
        schedule = self._unused_schedule(name="Product default")
        product = self._create_product(name="Licence", revenue_schedule_id=schedule.id)
        product.active = False  # archived products count too
        self.assertTrue(schedule.in_use)
        with self.assertRaises(UserError) as caught:
            schedule.unlink()
        message = str(caught.exception)
        self.assertIn("Product default", message)
        self.assertIn("products", message)
        self.assertIn("Archive it instead", message)
        self.assertTrue(schedule.exists())
        # The way out: archive it.
        schedule.action_archive()
        self.assertFalse(schedule.active)

    def test_schedule_of_another_company_product_category_cannot_be_deleted(self):
        schedule = self._create_schedule(name="Shared", company_id=False)
        category = self.env["product.category"].create({"name": "Subscriptions"})
        category.with_company(self.company_2).revenue_schedule_id = schedule
        self.assertFalse(category.with_company(self.company).revenue_schedule_id)
        with self.assertRaisesRegex(UserError, "product categories"):
            schedule.unlink()
        self.assertTrue(schedule.exists())

    def test_schedule_of_a_quotation_line_cannot_be_deleted(self):
        schedule = self._unused_schedule(name="Quoted")
        self._create_order(
            [(self.product_a, 1, 100.0, {"revenue_schedule_id": schedule.id})]
        )
        with self.assertRaisesRegex(UserError, "order lines"):
            schedule.unlink()

    def test_schedule_of_posted_invoices_cannot_be_deleted(self):
        invoice = self._create_invoice([(self.product_service, 300.0, None)])
        invoice.action_post()
        schedule = self.schedule_quarterly
        self.product_service.revenue_schedule_id = self.schedule_12m
        with self.assertRaises(UserError) as caught:
            schedule.unlink()
        self.assertIn("schedule lines", str(caught.exception))
        self.assertIn("invoice lines", str(caught.exception))
        self.assertEqual(invoice.revenue_line_ids.schedule_id, schedule)
        self.assertTrue(schedule.in_use)
        arch = self.env["revenue.schedule"].get_view(view_type="form")["arch"]
        self.assertIn("applies to new documents only", arch)

    # --- finding 6: bounded schedules ------------------------------------------

    def test_huge_occurrences_is_a_validation_error(self):
        self.assertEqual(self.company.revenue_max_periods, 600)
        with self.assertRaisesRegex(ValidationError, "more than the 600 periods"):
            self._unused_schedule(name="Forever", occurrences=2**31)
        schedule = self._unused_schedule(name="Long")
        with self.assertRaises(ValidationError) as caught:
            schedule.occurrences = 2**31
        self.assertIn("Long", str(caught.exception))
        with self.assertRaisesRegex(ValidationError, "at least one occurrence"):
            schedule.occurrences = -(2**40)
        schedule.occurrences = 600
        self.assertEqual(schedule.occurrences, 600)
        with self.assertRaisesRegex(ValidationError, "601 occurrences"):
            schedule.occurrences = 601

    def test_company_cap(self):
        self.company.revenue_max_periods = 24
        schedule = self._unused_schedule(name="Two years")
        schedule.occurrences = 24
        with self.assertRaisesRegex(ValidationError, "more than the 24 periods"):
            schedule.occurrences = 25
        for wrong in (0, 100000):
            with self.assertRaisesRegex(ValidationError, "between 1 and 3600"):
                self.company.revenue_max_periods = wrong

    def test_huge_occurrences_in_the_form_is_refused_at_save(self):
        """The form's onchange neither builds 2**31 rows nor previews them."""
        form = Form(self.env["revenue.schedule"])
        form.name = "Typo"
        form.recognition_basis = "monthly"
        form.occurrences = 2**31
        form.use_percentages = True
        self.assertEqual(len(form.percentage_ids), 0)
        self.assertIn("more than the 600 periods", form.preview_html)
        with self.assertRaises(ValidationError):
            form.save()

    def test_long_term_on_an_invoice_line_is_refused(self):
        """A monthly schedule to 2199: 2,100 lines, refused before any is computed."""
        invoice = self._create_invoice([(self.product_service, 300.0, None)])
        line = invoice.invoice_line_ids
        line.revenue_schedule_id = self.schedule_12m
        with self.assertRaises(ValidationError) as caught:
            line.write(
                {"revenue_start_date": "2025-01-01", "revenue_end_date": "2199-12-31"}
            )
        message = str(caught.exception)
        self.assertIn(invoice.display_name, message)
        self.assertIn("2100 lines", message)
        self.assertIn("more than the 600 periods", message)
        line.write(
            {"revenue_start_date": "2025-01-01", "revenue_end_date": "2074-12-31"}
        )
        invoice.action_post()
        self.assertEqual(len(invoice.revenue_line_ids), 600)

    def test_dates_out_of_range_are_refused(self):
        order = self._create_order([(self.product_service, 1, 300.0, None)])
        line = order.order_line
        for start, end in (("1899-12-31", False), ("2025-01-01", "2200-01-01")):
            with self.assertRaises(ValidationError) as caught:
                line.write({"revenue_start_date": start, "revenue_end_date": end})
            self.assertIn(order.display_name, str(caught.exception))
            self.assertIn("outside the supported range", str(caught.exception))
        invoice = self._create_invoice([(self.product_service, 300.0, None)])
        with self.assertRaisesRegex(ValidationError, "outside the supported range"):
            invoice.invoice_line_ids.revenue_start_date = "9999-06-01"

    def test_percentages_between_0_and_100(self):
        values = {
            "name": "Front loaded",
            "recognition_basis": "monthly",
            "occurrences": 2,
            "use_percentages": True,
        }
        with self.assertRaisesRegex(ValidationError, "not between 0 and 100"):
            self._create_schedule(
                **values,
                percentage_ids=[
                    Command.create({"sequence": 1, "percentage": 150.0}),
                    Command.create({"sequence": 2, "percentage": -50.0}),
                ],
            )
        schedule = self._create_schedule(
            **values,
            percentage_ids=[
                Command.create({"sequence": 1, "percentage": 100.0}),
                Command.create({"sequence": 2, "percentage": 0.0}),
            ],
        )
        with self.assertRaisesRegex(ValidationError, "period 2"):
            schedule.percentage_ids[1].percentage = 100.5

    # --- finding 7: deferred accounts -----------------------------------------

    def test_deferred_account_must_be_a_balance_sheet_account(self):
        schedule = self._unused_schedule(name="Checked")
        for account in (
            self.receivable_account,
            self.income_account,
            self.company_data["default_account_payable"],
            self.company_data["default_account_expense"],
        ):
            with self.assertRaises(ValidationError) as caught:
                schedule.deferred_account_id = account
            self.assertIn(account.display_name, str(caught.exception))
            self.assertIn("balance-sheet", str(caught.exception))
            with self.assertRaisesRegex(ValidationError, "balance-sheet"):
                self.company.revenue_deferred_account_id = account
        other = self.company_2.revenue_deferred_account_id
        with self.assertRaisesRegex(ValidationError, "does not belong to company"):
            schedule.deferred_account_id = other
        with self.assertRaisesRegex(ValidationError, "does not belong to company"):
            self.company.revenue_deferred_account_id = other
        # A shared schedule cannot carry one company's account.
        with self.assertRaisesRegex(ValidationError, "does not belong to company"):
            self._create_schedule(
                name="Shared",
                company_id=False,
                deferred_account_id=self.deferred_account.id,
            )
        liability = self.deferred_account.copy({"code": "487900"})
        schedule.deferred_account_id = liability
        self.company.revenue_deferred_account_id = liability
        self.assertEqual(schedule.deferred_account_id, liability)
        self.company.revenue_deferred_account_id = False
