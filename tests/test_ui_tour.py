import base64
import os
import time
from pathlib import Path

from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.tests import Form, HttpCase, tagged
from odoo.tests.common import ChromeBrowser

#: Where the flow tour saves the screenshots the README shows
#: (``make screenshots`` sets it to static/description).
SCREENSHOTS_DIR = os.environ.get("RR_SCREENSHOTS_DIR")


@tagged("post_install", "-at_install")
class TestRevenueScheduleTour(HttpCase):
    def test_schedule_preview_tour(self):
        """In a real browser: the preview shows 13 lines for a start on the 15th."""
        self.start_tour("/odoo", "revenue_schedule_preview_tour", login="admin")
        schedule = self.env["revenue.schedule"].search([("name", "=", "Tour 12M")])
        self.assertEqual(schedule.recognition_basis, "monthly")
        self.assertEqual(schedule.occurrences, 12)


@tagged("post_install", "-at_install")
class TestRevenueFlowTour(HttpCase):
    def test_whole_flow_tour(self):
        """Quotation → confirm → invoice → post → Recognise Revenue → hold and
        release with a reason, in a real browser."""
        company = self.env.ref("base.main_company")
        if not company.revenue_journal_id:
            self.skipTest("the main company has no chart of accounts")
        schedule = self.env["revenue.schedule"].create(
            {
                "name": "Tour quarterly",
                "company_id": company.id,
                "recognition_basis": "occurrences",
                "recognition_convention": "next_month",
                "occurrences": 3,
            }
        )
        self.env["res.partner"].create({"name": "Tour Customer"})
        product = self.env["product.product"].create(
            {
                "name": "Tour Support",
                "type": "service",
                "invoice_policy": "order",
                "list_price": 300.0,
                "revenue_schedule_id": schedule.id,
            }
        )
        self.start_tour("/odoo", "revenue_recognition_flow_tour", login="admin")
        lines = self.env["revenue.recognition.line"].search(
            [("product_id", "=", product.id), ("move_id", "!=", False)]
        )
        self.assertEqual(len(lines), 3)
        self.assertEqual(
            sorted(lines.mapped("state")), ["pending", "pending", "posted"]
        )
        self.assertFalse(any(lines.mapped("on_hold")))
        released = lines.filtered("release_reason")
        self.assertEqual(released.release_reason, "Accepted on site")
        self.assertEqual(released.hold_reason, "Waiting for the customer's acceptance")
        self.assertAlmostEqual(sum(lines.mapped("amount")), 300.0)
        if SCREENSHOTS_DIR:
            self._save_screenshots(lines.order_id, lines.move_id)

    def _save_screenshots(self, order, invoice):
        """The screens of the flow, in English and French, as PNG files."""
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"].search(
            [("state", "=", "installed")]
        )._update_translations(["fr_FR"], overwrite=True)
        pages = [
            ("order", f"/odoo/sales/{order.id}", ".o_revenue_stat"),
            (
                "invoice",
                f"/odoo/action-account.action_move_out_invoice_type/{invoice.id}",
                ".o_revenue_stat",
            ),
            (
                "wizard",
                "/odoo/action-revenue_recognition.action_revenue_recognition_wizard",
                ".modal .o_form_view",
            ),
            (
                "lines",
                "/odoo/action-revenue_recognition.action_revenue_recognition_line_all",
                ".o_list_view .o_data_row",
            ),
            (
                "analysis",
                "/odoo/action-revenue_recognition.action_revenue_recognition_analysis",
                ".o_pivot",
            ),
        ]
        admin = self.env.ref("base.user_admin")
        for lang in ("en_US", "fr_FR"):
            admin.lang = lang
            self._capture(pages, lang)
        admin.lang = "en_US"

    def _capture(self, pages, lang):
        target = Path(SCREENSHOTS_DIR)
        target.mkdir(parents=True, exist_ok=True)
        browser = ChromeBrowser(self, headless=True, success_signal="test successful")
        try:
            self.authenticate("admin", "admin", browser=browser)
            self.cr.flush()
            self.cr.clear()
            for name, path, selector in pages:
                browser.navigate_to(self.base_url() + path, wait_stop=False)
                browser._wait_ready(f"!!document.querySelector({selector!r})")
                time.sleep(1.5)  # let the fonts and badges settle
                data = browser._websocket_request("Page.captureScreenshot")["data"]
                suffix = "" if lang == "en_US" else "_fr"
                (target / f"screenshot_{name}{suffix}.png").write_bytes(
                    base64.b64decode(data)
                )
        finally:
            browser.stop()
            self._wait_remaining_requests()


@tagged("post_install", "-at_install")
class TestRevenueMonthEndTour(HttpCase):
    """The accountant at month end, in a real browser: roll-forward, a month,
    its drill-down, the backlog. With ``RR_SCREENSHOTS_DIR``: the screens
    added since the flow tour (allocation, change of terms, accrual option,
    reporting), in English and French."""

    def test_month_end_tour(self):
        company = self.env.ref("base.main_company")
        if not company.revenue_journal_id:
            self.skipTest("the main company has no chart of accounts")
        today = fields.Date.context_today(self.env.user)
        invoice_date = today.replace(day=15) - relativedelta(months=2)
        schedule_12m = self.env["revenue.schedule"].create(
            {
                "name": "Tour 12 months",
                "company_id": company.id,
                "recognition_basis": "monthly",
                "recognition_convention": "actual_start",
                "occurrences": 12,
            }
        )
        schedule_3 = self.env["revenue.schedule"].create(
            {
                "name": "Tour onboarding",
                "company_id": company.id,
                "recognition_basis": "occurrences",
                "recognition_convention": "next_month",
                "occurrences": 3,
            }
        )
        partner = self.env["res.partner"].create({"name": "Tour Month-end Customer"})
        subscription = self.env["product.product"].create(
            {
                "name": "Tour Subscription",
                "type": "service",
                "invoice_policy": "order",
                "list_price": 1200.0,
                "revenue_ssp": 1200.0,
                "revenue_schedule_id": schedule_12m.id,
            }
        )
        onboarding = self.env["product.product"].create(
            {
                "name": "Tour Onboarding",
                "type": "service",
                "invoice_policy": "order",
                "list_price": 300.0,
                "revenue_ssp": 600.0,
                "revenue_schedule_id": schedule_3.id,
            }
        )
        # The salesperson's order, priced by standalone selling prices.
        with Form(self.env["sale.order"]) as order_form:
            order_form.partner_id = partner
            order_form.revenue_allocate = True
            for product in (subscription, onboarding):
                with order_form.order_line.new() as line:
                    line.product_id = product
        order = order_form.save()
        order.action_confirm()
        # 1 500.00 shared by standalone prices 1 200 : 600:
        # subscription 1 500 × 1 200 / 1 800 = 1 000.00, onboarding 500.00.
        allocated = {
            line.product_id: line.revenue_allocated_amount for line in order.order_line
        }
        self.assertAlmostEqual(allocated[subscription], 1000.0)
        self.assertAlmostEqual(allocated[onboarding], 500.0)
        before = self._invoiced_by_month(company)
        invoice_wizard = (
            self.env["sale.advance.payment.inv"]
            .with_context(active_model="sale.order", active_ids=order.ids)
            .create({"advance_payment_method": "delivered"})
        )
        invoice_wizard.create_invoices()
        invoice = order.invoice_ids
        invoice.invoice_date = invoice_date
        invoice.action_post()
        self.env["revenue.recognition.wizard"].create({}).action_create_journal()
        # A second order, signed and not invoiced: the backlog's expected part.
        with Form(self.env["sale.order"]) as order_form:
            order_form.partner_id = partner
            with order_form.order_line.new() as line:
                line.product_id = subscription
        order_form.save().action_confirm()

        self.start_tour("/odoo", "revenue_recognition_month_end_tour", login="admin")

        report = self.env["revenue.report"].search(
            [
                ("report_type", "=", "rollforward"),
                ("create_uid", "=", self.env.ref("base.user_admin").id),
            ],
            order="id desc",
            limit=1,
        )
        rows = report.rollforward_line_ids
        self.assertTrue(rows, "the tour computed the roll-forward")
        after = {row.month: row.invoiced for row in rows}
        # This invoice deferred 1 200 + 300 = 1 500.00 untaxed in its month.
        month = invoice_date.replace(day=1)
        self.assertAlmostEqual(after[month] - before[month], 1500.0)
        # Every month's closing ties to the ledger.
        self.assertEqual(rows.filtered("difference"), rows.browse())
        backlog = self.env["revenue.report"].search(
            [("report_type", "=", "backlog")], order="id desc", limit=1
        )
        self.assertTrue(backlog.backlog_total, "the tour computed the backlog")
        if SCREENSHOTS_DIR:
            self._save_screenshots(order, invoice, subscription)

    def _invoiced_by_month(self, company):
        """The roll-forward's invoiced figure by month, before the tour."""
        report = self.env["revenue.report"].create(
            {"report_type": "rollforward", "company_ids": [(6, 0, company.ids)]}
        )
        report.action_compute()
        return {row.month: row.invoiced for row in report.rollforward_line_ids}

    def _save_screenshots(self, order, invoice, product):
        self.env["res.lang"]._activate_lang("fr_FR")
        # Odoo's own French too, so that the French screens are all French;
        # overwrite: terms added to the add-on since it was first translated
        self.env["ir.module.module"].search(
            [("state", "=", "installed")]
        )._update_translations(["fr_FR"], overwrite=True)
        action = "/odoo/action-revenue_recognition."
        compute = ".modal footer button[name='action_compute']"
        # the same order as a quotation: its allocation shows before it is signed
        quotation = order.copy()
        self.assertEqual(quotation.state, "draft")
        self.assertEqual(
            quotation.order_line.mapped("revenue_allocated_preview"),
            order.order_line.mapped("revenue_allocated_amount"),
        )
        # (file name, URL or None to stay, selector to click or None, ready selector)
        screens = [
            (
                "quotation_allocation",
                f"/odoo/sales/{quotation.id}",
                None,
                ".o_data_row td[name='revenue_allocated_preview']",
            ),
            (
                "order_allocation",
                f"/odoo/sales/{order.id}",
                None,
                ".o_data_row td[name='revenue_allocated_preview']",
            ),
            (
                "product_ssp",
                f"/odoo/action-sale.product_template_action/{product.product_tmpl_id.id}",
                None,
                ".o_field_widget[name='revenue_ssp']",
            ),
            (
                "change_terms",
                f"/odoo/action-account.action_move_out_invoice_type/{invoice.id}",
                "button[name='action_revenue_update_terms']",
                ".modal .o_form_view .o_field_widget[name='change_date']",
            ),
            (
                "wizard_accrue",
                f"{action}action_revenue_recognition_wizard",
                ".modal .o_field_widget[name='accrue_unbilled'] input:not(:checked)",
                ".modal .o_revenue_accrual_info",
            ),
            ("waterfall", f"{action}action_revenue_waterfall", None, ".o_pivot"),
            (
                "rollforward",
                f"{action}action_revenue_report_rollforward",
                compute,
                ".o_list_view .o_data_row",
            ),
            (
                "rollforward_month",
                None,
                ".o_list_view .o_data_row:last-child td[name='display_name']",
                ".o_form_view button.o_revenue_drill_closing",
            ),
            (
                "backlog",
                f"{action}action_revenue_report_backlog",
                compute,
                ".o_form_view .o_field_widget[name='backlog_total']",
            ),
            (
                "mrr",
                f"{action}action_revenue_report_mrr",
                compute,
                ".o_form_view button[name='action_open_mrr']",
            ),
            (
                "mrr_reconciliation",
                None,
                ".o_form_view button[name='action_open_reconciliation']",
                ".o_list_view th[data-name='reason_unexplained']",
            ),
            (
                "mrr_graph",
                f"{action}action_revenue_report_mrr",
                compute,
                ".o_form_view button[name='action_open_mrr']",
            ),
            (
                "mrr_graph",
                None,
                ".o_form_view button[name='action_open_mrr']",
                ".o_graph_view canvas",
            ),
            (
                "kpis",
                f"{action}action_revenue_report_kpis",
                compute,
                ".o_form_view .o_field_widget[name='bookings']",
            ),
        ]
        admin = self.env.ref("base.user_admin")
        for lang in ("en_US", "fr_FR"):
            admin.lang = lang
            self._capture(screens, lang)
        admin.lang = "en_US"

    def _capture(self, screens, lang):
        target = Path(SCREENSHOTS_DIR)
        target.mkdir(parents=True, exist_ok=True)
        browser = ChromeBrowser(self, headless=True, success_signal="test successful")
        try:
            self.authenticate("admin", "admin", browser=browser)
            self.cr.flush()
            self.cr.clear()
            for name, path, click, selector in screens:
                if path:
                    browser.navigate_to(self.base_url() + path, wait_stop=False)
                if click:
                    browser._wait_ready(f"!!document.querySelector({click!r})")
                    time.sleep(0.5)
                    browser._websocket_request(
                        "Runtime.evaluate",
                        params={
                            "expression": f"document.querySelector({click!r}).click()"
                        },
                    )
                browser._wait_ready(f"!!document.querySelector({selector!r})")
                time.sleep(1.5)  # let the fonts and badges settle
                data = browser._websocket_request("Page.captureScreenshot")["data"]
                suffix = "" if lang == "en_US" else "_fr"
                (target / f"screenshot_{name}{suffix}.png").write_bytes(
                    base64.b64decode(data)
                )
        finally:
            browser.stop()
            self._wait_remaining_requests()
