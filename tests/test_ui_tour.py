import base64
import os
import time
from pathlib import Path

from odoo.tests import HttpCase, tagged
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
        self.env.ref("base.module_revenue_recognition")._update_translations(["fr_FR"])
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
