"""The delivery screens in a real browser (headless Chromium), English and
French: the schedule form's sentences, the order line's delivered /
recognised / invoiced columns and *Customer accepted* button, the cut-off.

With ``RR_DELIVERY_SCREENSHOTS_DIR`` set, each screen is saved there as a PNG.
"""

import base64
import os
import time
from datetime import date
from pathlib import Path

from freezegun import freeze_time

from odoo.tests import HttpCase, tagged
from odoo.tests.common import ChromeBrowser

SCREENSHOTS_DIR = os.environ.get("RR_DELIVERY_SCREENSHOTS_DIR")


@tagged("post_install", "-at_install")
class TestDeliveryScreens(HttpCase):
    def _product(self, name, schedule, policy="order", price=100.0):
        return self.env["product.product"].create(
            {
                "name": name,
                "type": "service",
                "invoice_policy": policy,
                "list_price": price,
                "revenue_schedule_id": schedule.id,
            }
        )

    def test_delivery_screens(self):
        schedules = self.env["revenue.schedule"]
        delivery = schedules.create(
            {"name": "On delivery", "recognition_basis": "delivery", "occurrences": 1}
        )
        acceptance = schedules.create(
            {
                "name": "12M after acceptance",
                "recognition_basis": "monthly",
                "occurrences": 12,
                "release_event": "accepted",
            }
        )
        partner = self.env["res.partner"].create({"name": "Delivery Customer"})
        # 10 units at 100 invoiced upfront, 4 delivered: 400 delivered, 1,000
        # invoiced, 600 invoiced not delivered; an acceptance line waiting.
        with freeze_time("2026-03-15"):
            order = self.env["sale.order"].create(
                {
                    "partner_id": partner.id,
                    "date_order": "2026-03-01",
                    "order_line": [
                        (
                            0,
                            0,
                            {
                                "product_id": self._product("Printers", delivery).id,
                                "product_uom_qty": 10,
                                "price_unit": 100.0,
                            },
                        ),
                        (
                            0,
                            0,
                            {
                                "product_id": self._product("Platform", acceptance).id,
                                "product_uom_qty": 1,
                                "price_unit": 1200.0,
                            },
                        ),
                    ],
                }
            )
            order.action_confirm()
            invoice = order._create_invoices()
            invoice.invoice_date = "2026-03-01"
            invoice.action_post()
            order.order_line[0].qty_delivered = 4
            cutoff = self.env["revenue.cutoff"].create({"date": date(2026, 3, 31)})
            cutoff.action_compute()
        self.assertRecordValues(
            cutoff.line_ids,
            [{"delivered_not_invoiced": 0.0, "invoiced_not_delivered": 600.0}],
        )
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"].search(
            [("state", "=", "installed")]
        )._update_translations(["fr_FR"], overwrite=True)
        # (name, path, what must be on the screen in English, in French)
        pages = [
            (
                "delivery_schedule",
                f"/odoo/action-revenue_recognition.action_revenue_schedule/{delivery.id}",
                ".o_revenue_schedule_delivery",
                ("Recognised as delivered", "Constaté à la livraison"),
            ),
            (
                "acceptance_schedule",
                f"/odoo/action-revenue_recognition.action_revenue_schedule/{acceptance.id}",
                ".o_revenue_schedule_release",
                ("Customer accepted", "Accepté par le client"),
            ),
            (
                "delivery_order",
                f"/odoo/sales/{order.id}",
                ".o_field_one2many[name=order_line] .o_data_row",
                ("Customer accepted", "Accepté par le client"),
            ),
            (
                "delivery_cutoff",
                f"/odoo/revenue.cutoff/{cutoff.id}",
                ".o_field_one2many[name=line_ids] .o_data_row",
                ("Invoiced not delivered (487)", "Facturé non livré (487)"),
            ),
        ]
        admin = self.env.ref("base.user_admin")
        for index, lang in enumerate(("en_US", "fr_FR")):
            admin.lang = lang
            self._capture(pages, lang, index)
        admin.lang = "en_US"

    def _capture(self, pages, lang, index):
        browser = ChromeBrowser(self, headless=True, success_signal="test successful")
        try:
            self.authenticate("admin", "admin", browser=browser)
            self.cr.flush()
            self.cr.clear()
            for name, path, selector, texts in pages:
                browser.navigate_to(self.base_url() + path, wait_stop=False)
                text = texts[index]
                # the screen is there, and says it in the user's language
                browser._wait_ready(
                    f"!!document.querySelector({selector!r}) && "
                    f"document.body.innerText.includes({text!r})"
                )
                if SCREENSHOTS_DIR:
                    time.sleep(1.5)  # let the fonts and badges settle
                    target = Path(SCREENSHOTS_DIR)
                    target.mkdir(parents=True, exist_ok=True)
                    data = browser._websocket_request("Page.captureScreenshot")["data"]
                    (target / f"{name}_{lang}.png").write_bytes(base64.b64decode(data))
        finally:
            browser.stop()
            self._wait_remaining_requests()
