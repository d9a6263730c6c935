"""The Revenue dashboard's KPIs (red outside the company's thresholds) and its
rolling forecast: ``revenue.kpi.snapshot`` stores what ``revenue.analytics``
computes, the dashboard reads it as lists.

The book is the dashboard's (tests/test_dashboard.py), looked at on
15 March 2026: the closed month is February 2026.

- bookings of February: O3 ordered 20 Feb, 900 (invoices dated in February:
  none) -> 900;
- recognised in February: the run of 28 February dates each month's entry
  in its month: in February, I1's February line (100) and I2's (200) -> 300
  (I1's December and January lines are recognised in their months);
- book-to-bill = 900 / 300 = 3.0;
- backlog at 28 February: O3 900 + I2's March (held) and April lines 400
  -> 1,300; coverage = 1,300 / (300 / 1 month) = 4.33 months;
- lead time: no order had its first line recognised in February: undefined
  (empty, never an alert);
- forecast from March 2026: March: O3 300 expected, I2 200 pending (held);
  April: 300 + 200; May: 300; nothing after.
"""

import base64
import json
import os
import time
from datetime import date
from pathlib import Path

from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged
from odoo.tests.common import ChromeBrowser
from odoo.tools import file_open, mute_logger
from odoo.tools.translate import code_translations, extract_spreadsheet_terms

from .test_dashboard import DASHBOARD_FILE, DashboardBook

TODAY = "2026-03-15"
#: ``make screenshots`` sets it: the dashboard's and the walk's screenshots.
SCREENSHOTS_DIR = os.environ.get("RR_SCREENSHOTS_DIR")
# the walk's screenshots (16 of them) go to a folder of their own, kept out of
# the add-on's static/description
WALK_SCREENSHOTS_DIR = os.environ.get("RR_WALK_SCREENSHOTS_DIR")


@tagged("post_install", "-at_install")
class TestDashboardKpiSnapshot(DashboardBook):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.snapshot_model = cls.env["revenue.kpi.snapshot"].with_company(cls.company)
        cls.analytics = cls.env["revenue.analytics"].with_company(cls.company)

    def _refresh(self):
        with freeze_time(TODAY):
            return self.snapshot_model._refresh(self.company)

    def _kpi_row(self, rows):
        (row,) = rows.filtered(lambda r: r.kind == "kpi")
        return row

    def test_kpis_equal_the_analytics_and_the_hand_figures(self):
        rows = self._refresh()
        kpi = self._kpi_row(rows)
        with freeze_time(TODAY):
            expected = self.analytics.kpis(
                date(2026, 2, 1), date(2026, 2, 28), company_ids=self.company.ids
            )
        self.assertEqual(kpi.period_start, date(2026, 2, 1))
        self.assertEqual(kpi.company_id, self.company)
        for name in ("bookings", "recognised", "backlog"):
            self.assertEqual(kpi[name], expected[name], name)
        for name in ("book_to_bill", "coverage_months", "lead_time_days"):
            self.assertEqual(kpi[name], expected[name] or 0.0, name)
        # by hand
        self.assertEqual(
            (kpi.bookings, kpi.recognised, kpi.backlog), (900.0, 300.0, 1300.0)
        )
        self.assertAlmostEqual(kpi.book_to_bill, 3.0)
        self.assertAlmostEqual(kpi.coverage_months, 1300 / 300)
        self.assertEqual(kpi.kpi_months, 1)
        self.assertIs(expected["lead_time_days"], False)
        self.assertEqual(kpi.undefined_kpis, "lead_time_days")
        # the default thresholds (1, 6 months, 30 days): coverage is red
        self.assertEqual(expected["alerts"], ["coverage_months"])
        self.assertEqual(
            (
                kpi.alert_book_to_bill,
                kpi.alert_coverage_months,
                kpi.alert_lead_time_days,
                kpi.alert_count,
            ),
            (False, True, False, 1),
        )
        self.assertEqual(
            (
                kpi.threshold_book_to_bill,
                kpi.threshold_coverage_months,
                kpi.threshold_lead_time_days,
            ),
            (1.0, 6.0, 30.0),
        )

    def _assertForecastRows(self, rows, expected):
        """The stored rows are forecast()'s answer, period for period."""
        self.assertEqual(
            [(r.period_start, r.expected, r.deferred, r.total) for r in rows],
            [
                (r["period_start"], r["expected"], r["deferred"], r["total"])
                for r in expected
            ],
        )

    def test_forecast_and_plan_equal_the_analytics(self):
        rows = self._refresh()
        forecast = rows.filtered(lambda r: r.kind == "forecast").sorted("period_start")
        plan = rows.filtered(lambda r: r.kind == "plan").sorted("period_start")
        with freeze_time(TODAY):
            expected_forecast = self.analytics.forecast(
                date(2026, 3, 1), 12, "month", company_ids=self.company.ids
            )
            expected_plan = self.analytics.plan_vs_actual(
                date(2025, 3, 1), 12, "month", company_ids=self.company.ids
            )
        self._assertForecastRows(forecast, expected_forecast)
        self.assertEqual(
            [(r.period_start, r.planned, r.actual, r.difference) for r in plan],
            [
                (r["period_start"], r["planned"], r["actual"], r["difference"])
                for r in expected_plan
            ],
        )
        # the next 13 weeks from Monday 9 March 2026 (today is Sunday the 15th),
        # as forecast() by week: I2's and O3's 1 April lines in the week of
        # 30 March, O3's 1 May line in the week of 27 April; the 1 March lines
        # are before the first week (a line falls in the period of its date)
        weeks = rows.filtered(lambda r: r.kind == "forecast_week").sorted(
            "period_start"
        )
        with freeze_time(TODAY):
            expected_weeks = self.analytics.forecast(
                date(2026, 3, 9), 13, "week", company_ids=self.company.ids
            )
        self._assertForecastRows(weeks, expected_weeks)
        self.assertEqual(
            (len(weeks), weeks[0].period_start, weeks[-1].period_start),
            (13, date(2026, 3, 9), date(2026, 6, 1)),
        )
        self.assertEqual(
            {r.period_start: (r.expected, r.deferred) for r in weeks if r.total},
            {date(2026, 3, 30): (300.0, 200.0), date(2026, 4, 27): (300.0, 0.0)},
        )
        # by hand: the next 12 months from March 2026
        self.assertEqual(forecast[0].period_start, date(2026, 3, 1))
        self.assertEqual(forecast[-1].period_start, date(2027, 2, 1))
        self.assertEqual(
            [(r.expected, r.deferred) for r in forecast[:4]],
            [(300.0, 200.0), (300.0, 200.0), (300.0, 0.0), (0.0, 0.0)],
        )
        self.assertEqual(sum(forecast.mapped("total")), 1300.0)
        # plan vs actual: the 12 months before March 2026; recognised: I1's
        # December and January lines (100 each) in their months, February 300
        self.assertEqual(plan[0].period_start, date(2025, 3, 1))
        self.assertEqual(plan[-1].period_start, date(2026, 2, 1))
        self.assertEqual([r.actual for r in plan[-3:]], [100.0, 100.0, 300.0])
        self.assertEqual(sum(plan[:-3].mapped("actual")), 0.0)

    def test_red_just_inside_and_just_outside_a_threshold(self):
        # book-to-bill 3.0: not below 3.0 (no alert), below 3.01 (alert)
        self.company.revenue_alert_book_to_bill = 3.0
        self.assertFalse(self._kpi_row(self._refresh()).alert_book_to_bill)
        self.company.revenue_alert_book_to_bill = 3.01
        self.assertTrue(self._kpi_row(self._refresh()).alert_book_to_bill)
        # coverage 4.33 months: not below 4.33, below 4.34
        self.company.revenue_alert_coverage_months = 4.33
        kpi = self._kpi_row(self._refresh())
        self.assertFalse(kpi.alert_coverage_months)
        self.assertEqual(kpi.alert_count, 1)
        self.company.revenue_alert_coverage_months = 4.34
        kpi = self._kpi_row(self._refresh())
        self.assertTrue(kpi.alert_coverage_months)
        self.assertEqual(kpi.alert_count, 2)
        # lead time undefined: never an alert, whatever the threshold
        self.company.revenue_alert_lead_time_days = 0.0
        self.assertFalse(self._kpi_row(self._refresh()).alert_lead_time_days)
        # the same rule as kpis()["alerts"]
        with freeze_time(TODAY):
            alerts = self.analytics.kpis(
                date(2026, 2, 1), date(2026, 2, 28), company_ids=self.company.ids
            )["alerts"]
        self.assertEqual(alerts, ["book_to_bill", "coverage_months"])

    def test_refresh_replaces_the_company_rows_only(self):
        company_2 = self.setup_other_company(name="Dashboard other company")["company"]
        other = self.env["revenue.kpi.snapshot"].with_company(company_2)
        other_rows = other._refresh(company_2)
        # 1 KPI row, 12 months of forecast, 13 weeks, 12 months of plan
        self.assertEqual(len(other_rows), 38)
        first = self._refresh()
        second = self._refresh()
        self.assertFalse(first.exists())
        self.assertEqual(len(second), 38)
        self.assertTrue(other_rows.exists())
        # the dashboard's lists read the active company's rows only
        user_rows = (
            self.env["revenue.kpi.snapshot"]
            .with_user(self.env.ref("base.user_admin"))
            .with_context(allowed_company_ids=[self.company.id, company_2.id])
        )
        self.env.ref("base.user_admin").company_ids |= self.company | company_2
        self.assertEqual(
            user_rows.search([("kind", "=", "kpi")]).company_id, self.company
        )

    def test_the_cron_refreshes_every_company(self):
        self.env["revenue.kpi.snapshot"].sudo().search([]).unlink()
        with freeze_time(TODAY):
            # as the cron runs: as the superuser
            self.env["revenue.analytics"].sudo()._cron_kpi_alerts()
        snapshots = self.env["revenue.kpi.snapshot"].sudo().search([])
        self.assertIn(self.company, snapshots.company_id)
        self.assertEqual(
            len(snapshots.filtered(lambda r: r.company_id == self.company)), 38
        )

    def test_users_read_and_refresh_never_write(self):
        user = self.env["res.users"].create(
            {
                "name": "Dashboard reader",
                "login": "rr_dashboard_reader",
                "company_id": self.company.id,
                "company_ids": [(6, 0, self.company.ids)],
                "groups_id": [
                    (6, 0, [self.env.ref("revenue_recognition.group_revenue_user").id])
                ],
            }
        )
        rows = self._refresh()
        as_user = self.env["revenue.kpi.snapshot"].with_user(user)
        self.assertEqual(len(as_user.search([])), 38)
        with (
            mute_logger("odoo.addons.base.models.ir_model"),
            self.assertRaises(AccessError),
        ):
            rows[:1].with_user(user).write({"book_to_bill": 9.0})
        with (
            mute_logger("odoo.addons.base.models.ir_model"),
            self.assertRaises(AccessError),
        ):
            as_user.create(
                {"company_id": self.company.id, "kind": "kpi", "period_start": TODAY}
            )
        # the KPI screen's button refreshes them for the user's company
        with freeze_time(TODAY):
            action = as_user.action_refresh()
        self.assertEqual(action["params"]["type"], "success")
        self.assertFalse(rows.exists())
        self.assertEqual(len(as_user.search([])), 38)

    def test_dashboard_reads_the_snapshot_lists(self):
        with file_open(DASHBOARD_FILE) as source:
            spreadsheet = json.load(source)
        lists = spreadsheet["lists"]
        self.assertEqual(
            {lid: (s["model"], s["domain"]) for lid, s in lists.items()},
            {
                "1": ("revenue.kpi.snapshot", [["kind", "=", "kpi"]]),
                "2": ("revenue.kpi.snapshot", [["kind", "=", "forecast"]]),
                "3": ("revenue.kpi.snapshot", [["kind", "=", "plan"]]),
                "4": ("revenue.kpi.snapshot", [["kind", "=", "forecast_week"]]),
            },
        )
        fields = self.env["revenue.kpi.snapshot"]._fields
        for source in lists.values():
            for column in source["columns"]:
                self.assertIn(column, fields)
        # the red is the stored alert of kpis(), never a comparison made here
        dashboard, data = spreadsheet["sheets"]
        for row, name in ((10, "book_to_bill"), (11, "coverage_months")):
            self.assertIn(f"Data!D{row}", dashboard["cells"][f"B{row}"]["content"])
            self.assertEqual(
                data["cells"][f"D{row}"]["content"], f'=ODOO.LIST(1,1,"alert_{name}")'
            )
        (red,) = [
            cf for cf in dashboard["conditionalFormats"] if cf["ranges"] == ["B10:B12"]
        ]
        self.assertEqual(red["rule"]["values"], ["⚠"])
        # 12 months of forecast and of plan vs actual
        contents = [cell["content"] for cell in dashboard["cells"].values()]
        self.assertTrue(any('ODOO.LIST(2,12,"total")' in c for c in contents))
        self.assertFalse(any('ODOO.LIST(2,13,"total")' in c for c in contents))
        self.assertTrue(any('ODOO.LIST(3,12,"difference")' in c for c in contents))
        # and 13 weeks
        self.assertTrue(any('ODOO.LIST(4,13,"total")' in c for c in contents))
        self.assertFalse(any('ODOO.LIST(4,14,"total")' in c for c in contents))

    def test_french_labels(self):
        with file_open(DASHBOARD_FILE, "rb") as source:
            terms = {
                term
                for _l, _f, term, _c in extract_spreadsheet_terms(source, [], [], {})
            }
        french = {
            message["id"]: message["string"]
            for message in code_translations.get_web_translations(
                "revenue_recognition", "fr_FR"
            )["messages"]
        }
        self.assertFalse(sorted(terms - set(french)), "labels without French")
        self.assertEqual(
            french["Book-to-bill (bookings ÷ recognised)"],
            "Ratio commandes/CA (prises de commandes ÷ CA constaté)",
        )
        self.assertEqual(french["Invoiced, not recognised"], "Facturé, non constaté")
        self.assertEqual(french["KPIs of the closed month"], "KPI du mois clôturé")
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env.ref("base.module_revenue_recognition")._update_translations(["fr_FR"])
        description = (
            self.env["revenue.kpi.snapshot"]
            .with_context(lang="fr_FR")
            .fields_get(["deferred", "kind"], ["string", "selection"])
        )
        self.assertEqual(description["deferred"]["string"], "Facturé, non constaté")
        self.assertEqual(
            dict(description["kind"]["selection"])["forecast"], "Prévision"
        )


#: The dashboard's evaluated cells, once its lists have loaded: {"A10": …}
#: (value, formatted value and the fill of the conditional format), "" while
#: the dashboard is not there yet.
READ_DASHBOARD = """(() => {
    const stack = [odoo.__WOWL_DEBUG__.root.__owl__];
    while (stack.length) {
        const node = stack.pop();
        const dashboard = node.component?.state?.activeDashboard;
        if (dashboard?.model) {
            const getters = dashboard.model.getters;
            const sheetId = getters.getSheetIdByName("Dashboard");
            const cells = {};
            for (const [col, row, name] of %s) {
                const position = {sheetId, col, row};
                const cell = getters.getEvaluatedCell(position);
                const style = getters.getCellComputedStyle(position) || {};
                cells[name] = [cell.value, cell.formattedValue, style.fillColor || ""];
            }
            return JSON.stringify(cells);
        }
        stack.push(...Object.values(node.children));
    }
    return "";
})()"""
#: (column, row) of the cells read, 0-based, and their A1 name
CELLS = [
    (col, row - 1, f"{letter}{row}")
    for letter, col in (("A", 0), ("B", 1), ("C", 2), ("E", 4), ("F", 5))
    for row in (7, 8, 10, 11, 12, 13, 16, 17, 18, 19, 20, 31, 42, 43, 47, 51, 52, 60)
]


@tagged("post_install", "-at_install")
class TestDashboardKpiBrowser(DashboardBook, HttpCase):
    """In a real browser, English and French: the dashboard shows the stored
    KPIs (coverage red, with the banner), the forecast and plan vs actual;
    then the KPI, forecast, backlog-by-risk, cut-off and change-history
    screens open (the dashboard's screenshot in ``RR_SCREENSHOTS_DIR``, the
    screens' in ``RR_WALK_SCREENSHOTS_DIR``, when set)."""

    def test_dashboard_kpis_and_forecast_in_a_browser(self):
        admin = self.env.ref("base.user_admin")
        admin.write(
            {"company_ids": [(4, self.company.id)], "company_id": self.company.id}
        )
        admin.groups_id |= self.env.ref("revenue_recognition.group_revenue_manager")
        with freeze_time(TODAY):
            self.env["revenue.kpi.snapshot"].with_company(self.company)._refresh(
                self.company
            )
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"].search(
            [
                (
                    "name",
                    "in",
                    ["base", "web", "spreadsheet", "spreadsheet_dashboard", "account"],
                )
            ]
        )._update_translations(["fr_FR"])
        self.env.ref("base.module_revenue_recognition")._update_translations(
            ["fr_FR"], overwrite=True
        )
        url = f"{self.base_url()}/odoo/dashboards?dashboard_id={self.dashboard.id}"
        expected_labels = {
            "en_US": ("KPIs of the closed month", "Coverage in months"),
            "fr_FR": ("KPI du mois clôturé", "Couverture en mois"),
        }
        for lang in ("en_US", "fr_FR"):
            admin.lang = lang
            browser = ChromeBrowser(
                self, headless=True, success_signal="test successful"
            )
            try:
                self.authenticate("admin", "admin", browser=browser)
                self.cr.flush()
                self.cr.clear()
                browser._websocket_request(
                    "Emulation.setDeviceMetricsOverride",
                    params={
                        "width": 1400,
                        "height": 2300,
                        "deviceScaleFactor": 1,
                        "mobile": False,
                    },
                )
                browser.navigate_to(url, wait_stop=False)
                read = READ_DASHBOARD % json.dumps(CELLS)
                self.assertTrue(
                    browser._wait_ready(
                        f"(() => {{ const c = JSON.parse({read} || 'null');"
                        " return !!c && typeof c.E17[0] === 'number'"
                        " && typeof c.F10[0] === 'number'"
                        " && typeof c.B43[0] === 'number'"
                        " && typeof c.E51[0] === 'number'"
                        " && c.B11[0].length > 0; })()",
                        timeout=60,
                    ),
                    "the dashboard's lists did not load",
                )
                time.sleep(1)
                cells = json.loads(self._evaluate(browser, read))
                heading, coverage_label = expected_labels[lang]
                self.assertEqual(cells["A8"][0], heading)
                self.assertTrue(cells["A11"][0].startswith(coverage_label))
                # February 2026: book-to-bill 3.00 (not red), coverage 4.33 (red)
                self.assertEqual(cells["B8"][0], 46054)  # 1 Feb 2026 (serial)
                self.assertNotIn("⚠", cells["B10"][0])
                self.assertEqual(cells["B10"][2], "")
                self.assertTrue(cells["B11"][0].startswith("⚠"), cells["B11"])
                self.assertIn("4", cells["B11"][0])
                self.assertEqual(cells["B11"][2].upper(), "#F8D7DA")
                self.assertEqual(cells["B12"][0], "—")  # lead time undefined
                self.assertTrue(cells["A7"][0].startswith("⚠"))
                self.assertEqual(cells["A7"][2].upper(), "#DC3545")
                # what it divides, in the company's currency
                self.assertEqual(
                    [cells[f"F{row}"][0] for row in (10, 11, 12, 13)],
                    [900, 300, 1300, 1],
                )
                symbol = self.company.currency_id.symbol
                self.assertIn(symbol, cells["F10"][1])
                # forecast: March and April 300 + 200, May 300, then 0.00
                self.assertEqual(
                    [cells[f"E{row}"][0] for row in (17, 18, 19, 20)],
                    [500, 500, 300, 0],
                )
                self.assertIn(symbol, cells["E17"][1])
                self.assertIn(symbol, cells["E20"][1])
                # plan vs actual: February on plan, its difference 0.00
                self.assertEqual(cells["E43"][0], 0)
                self.assertIn(symbol, cells["E43"][1])
                # 13 weeks from Monday 9 March: the week of 30 March (row 51)
                # 300 + 200, of 6 April 0.00, the last the week of 1 June
                self.assertEqual(
                    [cells[f"E{row}"][0] for row in (51, 52, 60)], [500, 0, 0]
                )
                self.assertIn(symbol, cells["E51"][1])
                self.assertTrue(cells["A60"][1], cells["A60"])  # a date, shown
                # plan vs actual: February 2026's recognised, the 12th row
                self.assertEqual(cells["C43"][0], 300)
                if SCREENSHOTS_DIR:
                    time.sleep(1)
                    self._shot(browser, "dashboard", lang, SCREENSHOTS_DIR)
                self._walk(browser, lang)
            finally:
                browser.stop()
                self._wait_remaining_requests()
        admin.lang = "en_US"

    def _walk(self, browser, lang):
        """The report screens of issue 22, opened as a user opens them."""
        action = "/odoo/action-revenue_recognition."
        compute = ".modal footer button[name='action_compute']"
        browser._websocket_request(
            "Emulation.setDeviceMetricsOverride",
            params={
                "width": 1400,
                "height": 900,
                "deviceScaleFactor": 1,
                "mobile": False,
            },
        )
        screens = [
            ("kpis_form", f"{action}action_revenue_report_kpis", None, compute),
            (
                "kpis",
                None,
                compute,
                ".o_form_view .o_field_widget[name='bookings']",
            ),
            (
                "forecast",
                f"{action}action_revenue_report_forecast",
                compute,
                # the forecast opens as a graph, its list and pivot one click away
                ".o_graph_view canvas, .o_pivot_view table, .o_list_view .o_data_row",
            ),
            (
                "backlog",
                f"{action}action_revenue_report_backlog",
                compute,
                ".o_form_view button[name='action_open_backlog_risks']",
            ),
            (
                "backlog_risk",
                None,
                ".o_form_view button[name='action_open_backlog_risks']",
                ".o_list_view, .o_pivot, .o_graph_view",
            ),
            ("cutoff", f"{action}action_revenue_cutoff", None, compute),
            (
                "cutoff_result",
                None,
                compute,
                ".o_form_view .o_field_widget",
            ),
            (
                "changes",
                f"{action}action_revenue_change",
                None,
                ".o_list_view, .o_view_nocontent",
            ),
        ]
        for name, path, click, selector in screens:
            if path:
                browser.navigate_to(self.base_url() + path, wait_stop=False)
            if click:
                self.assertTrue(
                    browser._wait_ready(f"!!document.querySelector({click!r})"), click
                )
                time.sleep(0.5)
                self._evaluate(browser, f"document.querySelector({click!r}).click()")
                time.sleep(1)
            self.assertTrue(
                browser._wait_ready(f"!!document.querySelector({selector!r})"), name
            )
            if WALK_SCREENSHOTS_DIR:
                time.sleep(1.5)
                self._shot(browser, f"walk_{name}", lang, WALK_SCREENSHOTS_DIR)

    def _shot(self, browser, name, lang, folder):
        data = browser._websocket_request("Page.captureScreenshot")["data"]
        target = Path(folder)
        target.mkdir(parents=True, exist_ok=True)
        suffix = "" if lang == "en_US" else "_fr"
        (target / f"{name}{suffix}.png").write_bytes(base64.b64decode(data))

    def _evaluate(self, browser, expression):
        return browser._websocket_request(
            "Runtime.evaluate",
            params={"expression": expression, "returnByValue": True},
        )["result"].get("value")
