"""Speed-ups of the reporting screens give the same figures as before.

- The schedule lines' grouped reads (the waterfall pivot and graph) format
  each distinct value once (``revenue.grouped.read.mixin``): every group,
  its label, its range and its domain must be what Odoo's own
  ``_read_group_format_result`` gives, in English and in French, and each
  group's domain must open the lines whose sum is the group's amount.
- The Backlog report reads the backlog, its breakdown and its risks in one
  query (``backlog_report()``): each part must equal the method it stands
  for, and each breakdown row the sum of the lines of ``backlog_domain()``.
"""

import copy
from datetime import date
from unittest.mock import patch

from freezegun import freeze_time

from odoo import models
from odoo.tests import tagged

from .common import RevenueTestCommon


@tagged("post_install", "-at_install")
class TestGroupedReads(RevenueTestCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.line_model = cls.env["revenue.recognition.line"]
        cls.analytics = cls.env["revenue.analytics"]
        cls.product_12m = cls._create_product(
            name="Platform subscription",
            type="service",
            invoice_policy="order",
            lst_price=1200.0,
            revenue_schedule_id=cls.schedule_12m.id,
        )
        cls.risk = cls.env["revenue.risk"].create({"name": "Termination"})
        # an order invoiced (12 x 100 over 2026), an invoice without order
        # (3 x 100), an order not invoiced (expected lines: no invoice date)
        # with a risk, and one recognition run
        with freeze_time("2025-11-18"):
            cls.order_1 = cls._create_order(
                [(cls.product_12m, 1, 1200.0, {"revenue_start_date": "2026-01-01"})],
                partner=cls.partner_a,
                date_order="2025-11-18",
            )
            cls.order_1.action_confirm()
        cls.invoice_1 = cls.order_1._create_invoices()
        cls.invoice_1.invoice_date = "2026-01-01"
        cls.invoice_1.action_post()
        cls.invoice_2 = cls._create_invoice(
            [(cls.product_service, 300.0, None)],
            invoice_date="2026-01-15",
            partner_id=cls.partner_b.id,
        )
        cls.invoice_2.action_post()
        with freeze_time("2026-02-20"):
            cls.order_2 = cls._create_order(
                [(cls.product_service, 1, 300.0, None)],
                partner=cls.partner_b,
                date_order="2026-02-20",
            )
            cls.order_2.revenue_risk_id = cls.risk
            cls.order_2.action_confirm()
        cls.line_model._recognise(
            date(2026, 3, 31), domain=[("company_id", "=", cls.company.id)]
        )
        cls.env["res.lang"]._activate_lang("fr_FR")

    GROUPBYS = (
        ["partner_id", "recognition_date:month"],
        ["invoice_date:month", "recognition_date:month"],
        ["recognition_date:month", "invoice_date:month"],
        ["product_id", "state"],
        ["recognition_date:quarter", "on_hold"],
        ["recognition_date:year"],
        ["recognition_date:day", "partner_id"],
        ["recognition_date"],
        ["recognition_date:week", "partner_id"],  # Odoo's own method
    )

    def _lines(self):
        return self.line_model.search([("company_id", "=", self.company.id)])

    def _read(self, model, groupby, lazy=False, domain=None):
        domain = domain or [
            ("company_id", "=", self.company.id),
            ("state", "!=", "cancelled"),
        ]
        return model.read_group(domain, ["amount:sum"], groupby, lazy=lazy)

    def _read_as_odoo(self, model, groupby, lazy=False, domain=None):
        """The same read with Odoo's own formatting of the groups."""
        with patch.object(
            type(model),
            "_read_group_format_result",
            models.BaseModel._read_group_format_result,
        ):
            return self._read(model, groupby, lazy=lazy, domain=domain)

    def test_groups_as_odoo_formats_them(self):
        """Label, range, value and domain of every group, in English and in
        French, eager (pivot) and lazy (list), with an empty domain too."""
        self.assertGreater(len(self._lines()), 10)
        for lang in ("en_US", "fr_FR"):
            model = self.line_model.with_context(lang=lang)
            for groupby in self.GROUPBYS:
                for lazy in (False, True):
                    for domain in (None, [("amount", "!=", 0.0)]):
                        with self.subTest(
                            lang=lang, groupby=groupby, lazy=lazy, domain=domain
                        ):
                            ours = self._read(model, groupby, lazy, domain)
                            odoo = self._read_as_odoo(model, groupby, lazy, domain)
                            self.assertTrue(ours)
                            self.assertEqual(ours, odoo)

    def test_each_label_formatted_once(self):
        """The labels are formatted once per month, not once per group."""
        import babel.dates

        groupby = ["partner_id", "recognition_date:month"]
        with patch.object(
            babel.dates, "format_date", wraps=babel.dates.format_date
        ) as format_date:
            groups = self._read(self.line_model, groupby)
        months = {group["recognition_date:month"] for group in groups}
        self.assertGreater(len(groups), len(months))
        self.assertEqual(format_date.call_count, len(months))
        with patch.object(
            babel.dates, "format_date", wraps=babel.dates.format_date
        ) as format_date:
            self._read_as_odoo(self.line_model, groupby)
        self.assertEqual(format_date.call_count, len(groups))

    def test_groups_labels_in_french(self):
        """The waterfall's columns are named in French for a French user."""
        groups = self._read(
            self.line_model.with_context(lang="fr_FR"),
            ["invoice_date:month", "recognition_date:month"],
        )
        labels = {group["recognition_date:month"] for group in groups}
        self.assertIn("mars 2026", labels)
        self.assertIn("janvier 2026", labels)
        # expected lines (order not invoiced): no invoice date, no range
        empty = [group for group in groups if not group["invoice_date:month"]]
        self.assertTrue(empty)
        self.assertFalse(empty[0]["__range"]["invoice_date:month"])

    def test_group_domains_open_their_lines(self):
        """Each group's domain opens the lines whose sum is the group's
        amount (the pivot's drill-down)."""
        groups = self._read(self.line_model, ["partner_id", "recognition_date:month"])
        self.assertGreater(len(groups), 5)
        for group in groups:
            lines = self.line_model.search(group["__domain"])
            self.assertTrue(lines)
            self.assertEqual(lines.partner_id.id, group["partner_id"][0])
            self.assertEqual(
                lines.partner_id.display_name, group["partner_id"][1], group
            )
            self.assertAlmostEqual(sum(lines.mapped("amount")), group["amount"])
            self.assertEqual(
                {line.recognition_date.replace(day=1) for line in lines},
                {
                    date.fromisoformat(
                        group["__range"]["recognition_date:month"]["from"]
                    )
                },
            )

    def test_groups_not_shared_between_rows(self):
        """Rows own their range and domain: changing one leaves the others."""
        groups = self._read(self.line_model, ["partner_id", "recognition_date:month"])
        months = [group["recognition_date:month"] for group in groups]
        shared = next(month for month in months if months.count(month) > 1)
        same_month = [
            group for group in groups if group["recognition_date:month"] == shared
        ]
        self.assertGreater(len(same_month), 1)
        before = copy.deepcopy(same_month[1])
        same_month[0]["__domain"].append(("id", "=", 0))
        same_month[0]["__range"]["recognition_date:month"]["from"] = "1900-01-01"
        self.assertEqual(same_month[1], before)

    def test_backlog_report_is_the_three_methods(self):
        """``backlog_report()`` is ``backlog()``, ``backlog_breakdown()`` and
        ``backlog_by_risk()``, read once; each breakdown row is the sum of the
        lines ``backlog_domain()`` opens for its band and status, company,
        customer and product."""
        for as_of in (date(2025, 12, 31), date(2026, 2, 28), date(2026, 6, 30)):
            with self.subTest(as_of=as_of):
                company_ids = self.company.ids
                report = self.analytics.backlog_report(as_of, company_ids)
                self.assertEqual(
                    report["backlog"], self.analytics.backlog(as_of, company_ids)
                )
                self.assertEqual(
                    report["by_risk"],
                    self.analytics.backlog_by_risk(as_of, company_ids),
                )
                breakdown = self.analytics.backlog_breakdown(as_of, company_ids)
                key = ("band", "kind", "company_id", "partner_id", "product_id")

                def rows(dicts, key=key):
                    return sorted(
                        (tuple(row[name] for name in key), round(row["amount"], 2))
                        for row in dicts
                    )

                self.assertEqual(rows(report["breakdown"]), rows(breakdown))
                self.assertTrue(breakdown)
                self.assertAlmostEqual(
                    sum(row["amount"] for row in breakdown),
                    report["backlog"]["total"],
                )
                for row in breakdown:
                    domain = self.analytics.backlog_domain(
                        as_of, band=row["band"], kind=row["kind"]
                    ) + [
                        ("company_id", "=", row["company_id"]),
                        ("partner_id", "=", row["partner_id"]),
                        ("product_id", "=", row["product_id"]),
                    ]
                    lines = self.line_model.search(domain)
                    self.assertAlmostEqual(
                        sum(lines.mapped("amount")), row["amount"], msg=row
                    )
        risks = self.analytics.backlog_by_risk(date(2026, 2, 28), self.company.ids)
        self.assertIn(self.risk.id, [row["risk_id"] for row in risks])

    def test_backlog_screen_rows(self):
        """The Backlog screen's rows are the breakdown, its figures backlog()."""
        as_of = date(2026, 2, 28)
        report = self.env["revenue.report"].create(
            {"report_type": "backlog", "company_ids": self.company.ids, "as_of": as_of}
        )
        report.action_compute()
        figures = self.analytics.backlog(as_of, self.company.ids)
        self.assertEqual(report.backlog_total, figures["total"])
        self.assertTrue(report.backlog_line_ids)
        self.assertAlmostEqual(
            sum(report.backlog_line_ids.mapped("amount")), figures["total"]
        )
        self.assertEqual(
            sorted(
                (
                    line.band,
                    line.kind,
                    line.partner_id.id,
                    line.product_id.id,
                    round(line.amount, 2),
                )
                for line in report.backlog_line_ids
            ),
            sorted(
                (
                    row["band"],
                    row["kind"],
                    row["partner_id"],
                    row["product_id"],
                    round(row["amount"], 2),
                )
                for row in self.analytics.backlog_breakdown(as_of, self.company.ids)
            ),
        )
        self.assertEqual(
            report.risk_line_ids.mapped("amount"),
            [
                row["amount"]
                for row in self.analytics.backlog_by_risk(as_of, self.company.ids)
            ],
        )
