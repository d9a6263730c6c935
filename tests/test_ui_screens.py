"""What the screens show (issue 22's newcomer defects), read through the ORM."""

from datetime import date

from freezegun import freeze_time

from odoo.tests import Form, tagged

from .common import RevenueTestCommon


@tagged("post_install", "-at_install")
class TestUiScreens(RevenueTestCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # standalone prices 1,000 (set) and 500 (the sales price, untaxed:
        # the company's 15 % sales tax is excluded from the price)
        cls._create_bundle_products()

    def _quotation(self):
        """Router at 1,100 and support at 880, allocated: 1,980 untaxed."""
        with Form(self.env["sale.order"].with_user(self.env.user)) as order_form:
            order_form.partner_id = self.partner_a
            order_form.revenue_allocate = True
            for product, price in ((self.hardware, 1100.0), (self.support, 880.0)):
                with order_form.order_line.new() as line:
                    line.product_id = product
                    line.product_uom_qty = 1
                    line.price_unit = price
            # the form shows the allocation while the quotation is edited
            self.assertEqual(
                order_form.order_line.edit(0).revenue_allocated_preview, 1320.0
            )
        return order_form.record

    def test_quotation_shows_its_allocation(self):
        order = self._quotation()
        self.assertEqual(order.state, "draft")
        self.assertEqual(order.amount_untaxed, 1980.0)
        self.assertTrue(all(line.tax_id for line in order.order_line))
        # 1,980 x 1,000 / 1,500 = 1,320.00; 1,980 x 500 / 1,500 = 660.00;
        # nothing stored before confirmation
        self.assertEqual(
            order.order_line.mapped("revenue_allocated_preview"), [1320.0, 660.0]
        )
        self.assertEqual(order.order_line.mapped("revenue_allocated_amount"), [0, 0])
        order.action_confirm()
        self.assertEqual(
            order.order_line.mapped("revenue_allocated_amount"), [1320.0, 660.0]
        )
        self.assertEqual(
            order.order_line.mapped("revenue_allocated_preview"), [1320.0, 660.0]
        )

    def test_quotation_without_allocation_previews_nothing(self):
        order = self._quotation()
        order.revenue_allocate = False
        self.assertEqual(order.order_line.mapped("revenue_allocated_preview"), [0, 0])

    def test_backlog_bands_sort_in_time_order(self):
        report = self.env["revenue.report"].create({"report_type": "backlog"})
        rows = self.env["revenue.report.backlog"]
        for band, amount in (
            ("beyond_24_months", 30.0),
            ("from_12_to_24_months", 20.0),
            ("within_12_months", 10.0),
        ):
            rows.create(
                {
                    "report_id": report.id,
                    "band": band,
                    "kind": "expected",
                    "amount": amount,
                }
            )
        domain = [("report_id", "=", report.id)]
        groups = rows._read_group(domain, ["band"], ["amount:sum"])
        self.assertEqual(
            groups,
            [
                ("within_12_months", 10.0),
                ("from_12_to_24_months", 20.0),
                ("beyond_24_months", 30.0),
            ],
        )
        # what the pivot and graph ask for
        web_groups = rows.read_group(domain, ["amount:sum"], ["band"], lazy=False)
        self.assertEqual(
            [group["band"] for group in web_groups],
            ["within_12_months", "from_12_to_24_months", "beyond_24_months"],
        )

    def test_report_from_its_menu_starts_new_breadcrumbs(self):
        report = self.env["revenue.report"].create(
            {"report_type": "backlog", "as_of": "2026-03-31"}
        )
        action = report.action_compute()
        self.assertEqual(action["target"], "main")
        self.assertEqual(action["res_id"], report.id)
        rollforward = self.env["revenue.report"].create({"report_type": "rollforward"})
        self.assertEqual(rollforward.action_compute()["target"], "main")
        # its drill-downs stack on it
        self.assertEqual(report.action_open_backlog_lines()["target"], "current")

    @freeze_time("2026-01-15")
    def test_recognise_revenue_as_of_last_month_end(self):
        # 300 invoiced 18 Nov 2025, quarterly from 1 Dec: 100 on 1 Dec, 1 Jan, 1 Feb
        order = self._create_order([(self.product_service, 1, 300.0, None)])
        order.action_confirm()
        self._invoice_order(order)
        wizard_form = Form(self.env["revenue.recognition.wizard"])
        self.assertEqual(wizard_form.date, date(2025, 12, 31))
        wizard = wizard_form.save()
        wizard.action_create_journal()
        # only the December line: 1 January is after the month end
        self.assertEqual(wizard.result_line_count, 1)
        self.assertEqual(wizard.result_amount, 100.0)
        self.assertFalse(wizard.result_is_warning)

        again = Form(self.env["revenue.recognition.wizard"]).save()
        again.action_create_journal()
        self.assertEqual(again.result_line_count, 0)
        self.assertTrue(again.result_is_warning)
        self.assertIn("Nothing to recognise", again.result_message)

    def test_schedule_preview_says_one_line(self):
        schedule = self.schedule_once
        self.assertIn("Total (1 line)", schedule.preview_html)
        self.assertNotIn("1 lines", schedule.preview_html)
        self.assertIn("Total (3 lines)", self.schedule_quarterly.preview_html)

    def test_change_terms_message_explains_a_negative_amount_due(self):
        # 1,200 from 1 Jan 2026 over 12 months, Q1 recognised (300.00), then
        # extended to 31 Dec 2027 from 1 April with the cumulative method:
        # Jan-Mar are due 3 x 50.00 = 150.00 under the new terms, 300.00 were
        # recognised: a catch-up of -150.00, which the chatter explains.
        invoice = self._create_invoice(
            [(self.support, 1200.0, None)], invoice_date="2026-01-01"
        )
        invoice.action_post()
        line = invoice.invoice_line_ids
        self.env["revenue.recognition.line"]._recognise(date(2026, 3, 31))
        change = line.revenue_change_terms(
            date(2026, 4, 1),
            end_date=date(2027, 12, 31),
            method="cumulative",
            reason="Extended to 2027",
        )
        self.assertAlmostEqual(change.catch_up_amount, -150.0)
        message = invoice.message_ids[:1].body.replace("\N{NO-BREAK SPACE}", " ")
        self.assertIn("-150.00", message)
        self.assertIn("A negative catch-up", message)
        self.assertIn("takes the excess back out of income", message)
        # the prospective method catches nothing up: no such sentence
        invoice2 = self._create_invoice(
            [(self.support, 1200.0, None)], invoice_date="2026-01-01"
        )
        invoice2.action_post()
        invoice2.invoice_line_ids.revenue_change_terms(
            date(2026, 4, 1), end_date=date(2027, 12, 31), reason="Extended"
        )
        self.assertNotIn("A negative catch-up", invoice2.message_ids[:1].body)

    def test_journal_item_label_names_the_product_once(self):
        # 300 invoiced 18 Nov 2025, quarterly from 1 Dec: the run as of
        # 31 Dec 2025 recognises the December line in detail
        invoice = self._create_invoice([(self.product_service, 300.0, None)])
        invoice.action_post()
        self.env["revenue.recognition.line"]._recognise(
            date(2025, 12, 31),
            grouping="detail",
            domain=[("company_id", "=", self.company.id)],
        )
        rev = invoice.invoice_line_ids.revenue_line_ids.filtered(
            lambda line: line.state == "posted"
        )
        self.assertEqual(len(rev), 1)
        income = rev.recognition_move_id.line_ids.filtered(
            lambda aml: aml.account_id == self.income_account
        )
        self.assertEqual(income.name, f"{invoice.name} · Support subscription · 1/3")
        self.assertEqual(income.name.count("Support subscription"), 1)
