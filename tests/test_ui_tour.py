from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestRevenueScheduleTour(HttpCase):
    def test_schedule_preview_tour(self):
        """In a real browser: the preview shows 13 lines for a start on the 15th."""
        self.start_tour("/odoo", "revenue_schedule_preview_tour", login="admin")
        schedule = self.env["revenue.schedule"].search([("name", "=", "Tour 12M")])
        self.assertEqual(schedule.recognition_basis, "monthly")
        self.assertEqual(schedule.occurrences, 12)
