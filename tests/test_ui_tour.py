from odoo.tests import HttpCase, tagged


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
