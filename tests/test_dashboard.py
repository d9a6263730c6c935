"""The *Revenue* dashboard of the Dashboards app (spreadsheet_dashboard).

The dashboard is a spreadsheet (data/files/revenue_dashboard.json) whose
figures Odoo's web client computes with ``read_group`` on the schedule lines.
These tests check that every data source of the file names a model and
fields that exist, that what each pivot and chart asks ``read_group`` for
gives the figures computed by hand on a small book, that every label of the
file has its French translation, and, in a real browser, that the dashboard
opens and its KPI cells evaluate to those figures.
"""

import base64
import json
import os
import time
from datetime import date
from pathlib import Path

from freezegun import freeze_time

from odoo import fields
from odoo.tests import HttpCase, tagged
from odoo.tests.common import ChromeBrowser
from odoo.tools import file_open
from odoo.tools.translate import code_translations, extract_spreadsheet_terms

from ..engine.figures import FIGURES, prefix_and
from .common import RevenueTestCommon

DASHBOARD_FILE = "revenue_recognition/data/files/revenue_dashboard.json"
#: ``make screenshots`` sets it: the dashboard's screenshot goes there.
SCREENSHOTS_DIR = os.environ.get("RR_SCREENSHOTS_DIR")


class DashboardBook(RevenueTestCommon):
    """A small book, written the way users write it, and the figures the
    dashboard must show for it (computed by hand below)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.line_model = cls.env["revenue.recognition.line"]
        cls.dashboard = cls.env.ref("revenue_recognition.dashboard_revenue")
        with file_open(DASHBOARD_FILE) as source:
            cls.spreadsheet = json.load(source)
        # I1, partner A: 300 quarterly from the month after 18 Nov 2025:
        # 1 Dec 2025, 1 Jan 2026, 1 Feb 2026, 100 each.
        cls.invoice_1 = cls._create_invoice(
            [(cls.product_service, 300.0, None)], invoice_date="2025-11-18"
        )
        cls.invoice_1.action_post()
        # I2, partner B: 600 quarterly from the month after 15 Jan 2026:
        # 1 Feb, 1 Mar, 1 Apr 2026, 200 each.
        cls.invoice_2 = cls._create_invoice(
            [(cls.product_service, 600.0, None)],
            invoice_date="2026-01-15",
            partner_id=cls.partner_b.id,
        )
        cls.invoice_2.action_post()
        # The run at the end of February recognises I1 entirely and I2's
        # February line.
        cls.line_model._recognise(
            date(2026, 2, 28), domain=[("company_id", "=", cls.company.id)]
        )
        # I2's March line is held (waiting for the customer's acceptance).
        cls.held_line = cls.line_model.search(
            [
                ("move_id", "=", cls.invoice_2.id),
                ("recognition_date", "=", "2026-03-01"),
            ]
        )
        cls.held_line.action_hold("Waiting for the customer's acceptance")
        # O3, partner A: 900 quarterly ordered 20 Feb 2026, not invoiced:
        # expected 1 Mar, 1 Apr, 1 May 2026, 300 each.
        with freeze_time("2026-02-20"):
            cls.order_3 = cls._create_order(
                [(cls.product_service, 1, 900.0, None)],
                partner=cls.partner_a,
                date_order="2026-02-20",
            )
            cls.order_3.action_confirm()
        # I4, partner A: 300 posted on 20 Jan 2026 then reset to draft: its
        # three lines (1 Feb, 1 Mar, 1 Apr, 100 each) are cancelled.
        cls.invoice_4 = cls._create_invoice(
            [(cls.product_service, 300.0, None)], invoice_date="2026-01-20"
        )
        cls.invoice_4.action_post()
        cls.invoice_4.button_draft()
        cls.company_domain = [("company_id", "=", cls.company.id)]

    def _pivot(self, pivot_id):
        return self.spreadsheet["pivots"][pivot_id]

    def _read_group(self, domain, groupby):
        """What the web client asks for a pivot or a chart: ``read_group``
        with the data source's domain (and the user's company)."""
        return self.line_model.read_group(
            self.company_domain + domain, ["amount:sum"], groupby, lazy=False
        )


@tagged("post_install", "-at_install")
class TestRevenueDashboard(DashboardBook):
    def test_book_as_written(self):
        self.assertBooks()
        self.assertEqual(
            sorted(self.order_3.order_line.revenue_line_ids.mapped("state")),
            ["expected"] * 3,
        )
        cancelled = self.line_model.search(
            self.company_domain + [("move_id", "=", self.invoice_4.id)]
        )
        self.assertEqual(cancelled.mapped("state"), ["cancelled"] * 3)
        self.assertTrue(self.held_line.on_hold)

    def test_record_in_the_finance_group(self):
        self.assertEqual(
            self.dashboard.dashboard_group_id,
            self.env.ref("spreadsheet_dashboard.spreadsheet_dashboard_group_finance"),
        )
        self.assertEqual(self.dashboard.name, "Revenue")
        self.assertTrue(self.dashboard.is_published)
        self.assertEqual(
            self.dashboard.main_data_model_ids.mapped("model"),
            ["revenue.recognition.line"],
        )
        self.assertIn(
            self.env.ref("revenue_recognition.group_revenue_user"),
            self.dashboard.group_ids,
        )
        # the record holds the file, and what the web client loads parses
        self.assertEqual(json.loads(self.dashboard.spreadsheet_data), self.spreadsheet)
        snapshot = self.dashboard.get_readonly_dashboard()["snapshot"]
        self.assertEqual(set(snapshot["pivots"]), {"1", "2", "3", "4", "5"})

    def _check_fields(self, model, names, where):
        for name in names:
            path = name.split(":")[0].split(".")
            current = model
            for part in path:
                description = self.env[current].fields_get([part], ["relation"])
                self.assertIn(part, description, f"{where}: no field {name} on {model}")
                current = description[part].get("relation") or current

    def _domain_fields(self, domain):
        return [leaf[0] for leaf in domain if isinstance(leaf, list)]

    def test_data_sources_name_existing_models_and_fields(self):
        filter_models = {
            f["id"]: f["modelName"] for f in self.spreadsheet["globalFilters"]
        }
        for model in filter_models.values():
            self.assertIn(model, self.env)
        checked = 0
        for pivot_id, pivot in self.spreadsheet["pivots"].items():
            where = f"pivot {pivot_id}"
            self.assertIn(pivot["model"], self.env, where)
            names = [m["fieldName"] for m in pivot["measures"]]
            names += [g["fieldName"] for g in pivot["rows"] + pivot["columns"]]
            names += self._domain_fields(pivot["domain"])
            names += [m["chain"] for m in pivot["fieldMatching"].values()]
            self._check_fields(pivot["model"], names, where)
            self.assertEqual(set(pivot["fieldMatching"]), set(filter_models), where)
            checked += 1
        for list_id, source in self.spreadsheet["lists"].items():
            self._check_fields(
                source["model"],
                source["columns"] + self._domain_fields(source["domain"]),
                f"list {list_id}",
            )
        charts = [
            figure["data"]
            for sheet in self.spreadsheet["sheets"]
            for figure in sheet["figures"]
            if figure["data"]["type"].startswith("odoo_")
        ]
        self.assertEqual([chart["type"] for chart in charts], ["odoo_bar", "odoo_bar"])
        for chart in charts:
            meta = chart["metaData"]
            where = f"chart {chart['title']['text']}"
            names = [meta["measure"], *meta["groupBy"]]
            names += self._domain_fields(chart["searchParams"]["domain"])
            names += [m["chain"] for m in chart["fieldMatching"].values()]
            self._check_fields(meta["resModel"], names, where)
            checked += 1
        self.assertEqual(checked, 7)
        for xmlid in self.spreadsheet["chartOdooMenusReferences"].values():
            self.assertTrue(self.env.ref(xmlid, raise_if_not_found=False), xmlid)

    def test_domains_leave_out_cancelled_and_allocation_differences(self):
        domains = [pivot["domain"] for pivot in self.spreadsheet["pivots"].values()]
        domains += [
            figure["data"]["searchParams"]["domain"]
            for figure in self.spreadsheet["sheets"][0]["figures"]
            if figure["data"]["type"].startswith("odoo_")
        ]
        self.assertEqual(len(domains), 7)
        for domain in domains:
            leaves = [leaf for leaf in domain if isinstance(leaf, list)]
            self.assertIn(["allocation_difference", "=", False], leaves)
            (state,) = [leaf for leaf in leaves if leaf[0] == "state"]
            if state[1] == "!=":
                self.assertEqual(state[2], "cancelled")
            else:
                self.assertIn(state[1], ("=", "in"))
                self.assertNotIn("cancelled", str(state[2]))
            self.assertEqual(domain.count("&"), len(leaves) - 1)

    def test_kpis_equal_hand_figures(self):
        # recognised, by year (the dashboard shows the current year's):
        # 2025: I1 1 Dec 100; 2026: I1 1 Jan 100 + I1 1 Feb 100 + I2 1 Feb 200
        pivot = self._pivot("1")
        self.assertEqual(pivot["rows"][0]["granularity"], "year")
        by_year = {
            group["recognition_date:year"]: group["amount"]
            for group in self._read_group(pivot["domain"], ["recognition_date:year"])
        }
        self.assertEqual(by_year, {"2025": 100.0, "2026": 400.0})
        # to recognise: pending, not held: I2 1 Apr 200
        (group,) = self._read_group(self._pivot("2")["domain"], [])
        self.assertEqual(group["amount"], 200.0)
        # on hold: I2 1 Mar 200
        (group,) = self._read_group(self._pivot("3")["domain"], [])
        self.assertEqual(group["amount"], 200.0)
        # signed backlog not invoiced: O3 3 x 300 = 900
        (group,) = self._read_group(self._pivot("4")["domain"], [])
        self.assertEqual(group["amount"], 900.0)
        # the cancelled lines of I4 (300) are in none of them
        self.assertEqual(
            self._read_group([("state", "=", "cancelled")], [])[0]["amount"], 300.0
        )

    def test_top_customers_by_backlog(self):
        # expected + pending: partner A: O3 900; partner B: I2 Mar 200 (held)
        # + Apr 200 = 400; the pivot is sorted by amount, largest first
        pivot = self._pivot("5")
        self.assertEqual(pivot["sortedColumn"]["order"], "desc")
        groups = self._read_group(pivot["domain"], ["partner_id"])
        ranked = sorted(
            ((g["partner_id"][0], g["amount"]) for g in groups), key=lambda r: -r[1]
        )
        self.assertEqual(
            ranked, [(self.partner_a.id, 900.0), (self.partner_b.id, 400.0)]
        )

    def _chart(self, title):
        (chart,) = [
            figure["data"]
            for figure in self.spreadsheet["sheets"][0]["figures"]
            if figure["data"]["title"]["text"] == title
        ]
        return chart

    def test_waterfall_chart_by_month_and_status(self):
        chart = self._chart("Amounts by recognition month and status")
        self.assertTrue(chart["stacked"])
        self.assertEqual(
            chart["metaData"]["groupBy"], ["recognition_date:month", "state"]
        )
        groups = self._read_group(
            chart["searchParams"]["domain"], chart["metaData"]["groupBy"]
        )
        cells = {(g["recognition_date:month"], g["state"]): g["amount"] for g in groups}
        # posted: Dec I1 100, Jan I1 100, Feb I1 100 + I2 200; pending: I2 Mar
        # and Apr 200 each; expected: O3 Mar, Apr, May 300 each; I4's
        # cancelled 100s of Feb, Mar, Apr are left out
        self.assertEqual(
            cells,
            {
                ("December 2025", "posted"): 100.0,
                ("January 2026", "posted"): 100.0,
                ("February 2026", "posted"): 300.0,
                ("March 2026", "pending"): 200.0,
                ("March 2026", "expected"): 300.0,
                ("April 2026", "pending"): 200.0,
                ("April 2026", "expected"): 300.0,
                ("May 2026", "expected"): 300.0,
            },
        )

    def test_recognised_by_month_chart(self):
        chart = self._chart("Recognised revenue by month")
        self.assertFalse(chart["stacked"])
        groups = self._read_group(
            chart["searchParams"]["domain"], chart["metaData"]["groupBy"]
        )
        # Dec I1 100, Jan I1 100, Feb I1 100 + I2 200 = 300
        self.assertEqual(
            {g["recognition_date:month"]: g["amount"] for g in groups},
            {"December 2025": 100.0, "January 2026": 100.0, "February 2026": 300.0},
        )

    def test_labels_translated_in_french(self):
        with file_open(DASHBOARD_FILE, "rb") as source:
            terms = {
                term
                for _line, _func, term, _c in extract_spreadsheet_terms(
                    source, [], [], {}
                )
            }
        self.assertIn("Recognised this year", terms)
        french = {
            message["id"]: message["string"]
            for message in code_translations.get_web_translations(
                "revenue_recognition", "fr_FR"
            )["messages"]
        }
        self.assertFalse(sorted(terms - set(french)), "labels without French")
        self.assertEqual(french["Recognised this year"], "Constaté cette année")
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env.ref("base.module_revenue_recognition")._update_translations(["fr_FR"])
        self.assertEqual(
            self.dashboard.with_context(lang="fr_FR").name, "Chiffre d'affaires"
        )


#: The Data sheet's evaluated column (0: labels, 1: KPI values), once the
#: pivots have loaded; "" while the dashboard is not there yet.
READ_DATA_SHEET = """(() => {
    const stack = [odoo.__WOWL_DEBUG__.root.__owl__];
    while (stack.length) {
        const node = stack.pop();
        const dashboard = node.component?.state?.activeDashboard;
        if (dashboard?.model) {
            const getters = dashboard.model.getters;
            const sheetId = getters.getSheetIdByName("Data");
            return JSON.stringify([0, 1, 2, 3].map((row) =>
                getters.getEvaluatedCell({sheetId, col: %d, row}).value));
        }
        stack.push(...Object.values(node.children));
    }
    return "";
})()"""


@tagged("post_install", "-at_install")
class TestRevenueDashboardBrowser(DashboardBook, HttpCase):
    def test_dashboard_renders_the_kpis(self):
        """In a real browser: the dashboard opens, its KPI cells evaluate to
        the figures of the book, and its labels are French for a French user."""
        admin = self.env.ref("base.user_admin")
        admin.write(
            {"company_ids": [(4, self.company.id)], "company_id": self.company.id}
        )
        admin.groups_id |= self.env.ref("revenue_recognition.group_revenue_user")
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env.ref("base.module_revenue_recognition")._update_translations(["fr_FR"])
        # this year's recognised depends on today's year: 400 in 2026
        # (I1 Jan + Feb 200, I2 Feb 200), 0 in any other year
        this_year = 400.0 if date.today().year == 2026 else 0.0
        url = f"{self.base_url()}/odoo/dashboards?dashboard_id={self.dashboard.id}"
        for lang, first_label in (
            ("en_US", "KPI - Recognised this year"),
            ("fr_FR", "KPI - Constaté cette année"),
        ):
            admin.lang = lang
            browser = ChromeBrowser(
                self, headless=True, success_signal="test successful"
            )
            try:
                self.authenticate("admin", "admin", browser=browser)
                self.cr.flush()
                self.cr.clear()
                if SCREENSHOTS_DIR:  # the whole dashboard in one picture
                    browser._websocket_request(
                        "Emulation.setDeviceMetricsOverride",
                        params={
                            "width": 1400,
                            "height": 1500,
                            "deviceScaleFactor": 1,
                            "mobile": False,
                        },
                    )
                browser.navigate_to(url, wait_stop=False)
                kpis = READ_DATA_SHEET % 1
                self.assertTrue(
                    browser._wait_ready(
                        f"JSON.parse({kpis} || '[null]')"
                        ".every((value) => typeof value === 'number')",
                        timeout=60,
                    ),
                    "the KPI cells did not evaluate to numbers",
                )
                values = [
                    json.loads(self._evaluate(browser, READ_DATA_SHEET % column))
                    for column in (0, 1)
                ]
                self.assertEqual(values[1], [this_year, 200.0, 200.0, 900.0])
                self.assertEqual(values[0][0], first_label)
                # the tiles (column C) show the company's currency
                tiles = json.loads(
                    self._evaluate(
                        browser,
                        READ_DATA_SHEET.replace(".value))", ".formattedValue))") % 2,
                    )
                )
                symbol = self.company.currency_id.symbol
                self.assertTrue(all(symbol in tile for tile in tiles), tiles)
                time.sleep(2)  # let the charts draw
                if SCREENSHOTS_DIR:
                    data = browser._websocket_request("Page.captureScreenshot")["data"]
                    target = Path(SCREENSHOTS_DIR)
                    target.mkdir(parents=True, exist_ok=True)
                    suffix = "" if lang == "en_US" else "_fr"
                    (target / f"dashboard{suffix}.png").write_bytes(
                        base64.b64decode(data)
                    )
            finally:
                browser.stop()
                self._wait_remaining_requests()
        admin.lang = "en_US"

    def _evaluate(self, browser, expression):
        return browser._websocket_request(
            "Runtime.evaluate",
            params={"expression": expression, "returnByValue": True},
        )["result"]["value"]


@tagged("post_install", "-at_install")
class TestRevenueDashboardFigures(DashboardBook):
    """The dashboard's figures are ``revenue.analytics``'s, defined once."""

    def test_pivots_use_the_one_definition(self):
        names = {
            "1": "recognised",
            "2": "to_recognise",
            "3": "held",
            "4": "expected",
            "5": "backlog",
        }
        analytics = self.env["revenue.analytics"]
        for pivot_id, name in names.items():
            pivot = self._pivot(pivot_id)
            self.assertEqual(pivot["domain"], prefix_and(FIGURES[name]), name)
            # the same lines as the analytics' figure for the company
            self.assertEqual(
                self.line_model.search(self.company_domain + pivot["domain"]),
                self.line_model.search(
                    analytics.figure_domain(name, company_ids=self.company.ids)
                ),
                name,
            )
        # today, the backlog pivot is the analytics' backlog: O3 900 expected,
        # I2's March (held) and April lines 400 -> 1,300
        (group,) = self._read_group(self._pivot("5")["domain"], [])
        backlog = analytics.backlog(fields.Date.today(), company_ids=self.company.ids)
        self.assertEqual(group["amount"], backlog["total"])
        self.assertEqual(backlog["total"], 1300.0)
        (group,) = self._read_group(self._pivot("4")["domain"], [])
        self.assertEqual(group["amount"], backlog["expected"])
