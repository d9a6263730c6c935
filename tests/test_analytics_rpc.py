"""The analytics over real XML-RPC and JSON-RPC (Odoo's own HTTP server).

One invoice without order, 1,200 over 12 months from 1 January 2026
(12 × 100), January recognised.
"""

from datetime import date
from xmlrpc.client import Fault

from odoo import Command
from odoo.tests import HttpCase, tagged
from odoo.tests.common import get_db_name
from odoo.tools import mute_logger


@tagged("post_install", "-at_install")
class TestAnalyticsRpc(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.admin = cls.env.ref("base.user_admin")
        cls.admin.groups_id |= cls.env.ref("revenue_recognition.group_revenue_user")
        company = cls.admin.company_id
        schedule = cls.env["revenue.schedule"].create(
            {
                "name": "RPC 12M",
                "company_id": company.id,
                "recognition_basis": "monthly",
                "occurrences": 12,
            }
        )
        product = cls.env["product.product"].create(
            {"name": "RPC subscription", "revenue_schedule_id": schedule.id}
        )
        cls.partner = cls.env["res.partner"].create({"name": "RPC customer"})
        invoice = cls.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "company_id": company.id,
                "partner_id": cls.partner.id,
                "invoice_date": "2026-01-15",
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": product.id,
                            "price_unit": 1200.0,
                            "tax_ids": [Command.clear()],
                            "revenue_start_date": "2026-01-01",
                        }
                    )
                ],
            }
        )
        invoice.action_post()
        cls.env["revenue.recognition.line"]._recognise(
            date(2026, 1, 31), domain=[("move_id", "=", invoice.id)]
        )
        cls.company = company

    def _xmlrpc(self, method, *args):
        return self.xmlrpc_object.execute(
            get_db_name(), self.admin.id, "admin", "revenue.analytics", method, *args
        )

    def test_over_xmlrpc(self):
        ids = self.company.ids
        kpis = self._xmlrpc("kpis", "2026-01-01", "2026-01-31", ids)
        # bookings 1,200 (an invoice without order), recognised 100, backlog
        # 1,100, coverage 1,100 / 100 = 11; no order: no lead time (False)
        self.assertEqual(
            kpis,
            {
                "bookings": 1200.0,
                "recognised": 100.0,
                "book_to_bill": 12.0,
                "backlog": 1100.0,
                "coverage_months": 11.0,
                "lead_time_days": False,
                "alerts": [],
            },
        )
        self.assertEqual(
            self._xmlrpc("mrr", "2026-01-01", ids),
            [{"partner_id": self.partner.id, "mrr": 100.0}],
        )
        backlog = self._xmlrpc("backlog", "2026-01-31", ids)
        self.assertEqual(backlog["total"], 1100.0)
        (february,) = self._xmlrpc("forecast", "2026-02-01", 1, "month", ids)
        # dates travel as strings
        self.assertEqual(
            february,
            {
                "period_start": "2026-02-01",
                "expected": 0.0,
                "deferred": 100.0,
                "total": 100.0,
            },
        )
        rollforward = self._xmlrpc("rollforward", "2026-01-01", "2026-01-31", ids)
        self.assertEqual(rollforward[0]["closing"], 1100.0)
        self.assertTrue(self._xmlrpc("mrr_reconciliation", "2026-01-01", ids))
        self.assertEqual(
            len(self._xmlrpc("mrr_movements", "2026-01-01", "2026-02-28", ids)), 1
        )
        # bad arguments: a clear message, not a traceback (Odoo logs user
        # errors of RPC calls as warnings)
        with mute_logger("odoo.http"), self.assertRaises(Fault) as caught:
            self._xmlrpc("rollforward", "2026-02-01", "2026-01-01", ids)
        self.assertIn(
            "ends (2026-01-01) before it starts", caught.exception.faultString
        )
        with mute_logger("odoo.http"), self.assertRaises(Fault) as caught:
            self._xmlrpc("rollforward", "0001-01-01", "9998-12-31", ids)
        self.assertIn("1900-01-01", caught.exception.faultString)

    def test_over_jsonrpc(self):
        response = self.url_open(
            "/jsonrpc",
            data=(
                '{"jsonrpc": "2.0", "method": "call", "id": 1, "params": '
                '{"service": "object", "method": "execute", "args": '
                f'["{get_db_name()}", {self.admin.id}, "admin", '
                f'"revenue.analytics", "kpis", "2026-06-01", "2026-06-30", '
                f"[{self.company.id}]]}}}}"
            ),
            headers={"Content-Type": "application/json"},
        )
        result = response.json()["result"]
        # nothing recognised in June: empty ratios are false, not null
        self.assertIs(result["book_to_bill"], False)
        self.assertIs(result["coverage_months"], False)
        self.assertEqual(result["backlog"], 1100.0)
