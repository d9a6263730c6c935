"""Shared fixtures of the Odoo tests: a company with a chart, schedules, helpers."""

from odoo import Command, fields

from odoo.addons.sale.tests.common import TestSaleCommon


class RevenueTestCommon(TestSaleCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        cls.income_account = cls.company_data["default_account_revenue"]
        cls.receivable_account = cls.company_data["default_account_receivable"]
        cls.deferred_account = cls.company.revenue_deferred_account_id
        cls.revenue_journal = cls.company.revenue_journal_id
        cls.schedule_quarterly = cls._create_schedule(
            name="Quarterly",
            recognition_basis="occurrences",
            recognition_convention="next_month",
            occurrences=3,
        )
        cls.schedule_12m = cls._create_schedule(
            name="12M",
            recognition_basis="monthly",
            recognition_convention="actual_start",
            occurrences=12,
        )
        cls.product_service = cls._create_product(
            name="Support subscription",
            type="service",
            invoice_policy="order",
            lst_price=300.0,
            taxes_id=[Command.clear()],
            revenue_schedule_id=cls.schedule_quarterly.id,
        )

    @classmethod
    def _create_schedule(cls, **values):
        values.setdefault("company_id", cls.company_data["company"].id)
        return cls.env["revenue.schedule"].create(values)

    @classmethod
    def _create_order(cls, lines, partner=None, date_order="2025-11-18", **values):
        """A sale order; ``lines`` are (product, quantity, price, extra values)."""
        return cls.env["sale.order"].create(
            {
                "partner_id": (partner or cls.partner_a).id,
                "date_order": date_order,
                "order_line": [
                    Command.create(
                        {
                            "product_id": product.id,
                            "product_uom_qty": quantity,
                            "price_unit": price,
                            "tax_id": [Command.clear()],
                            **(extra or {}),
                        }
                    )
                    for product, quantity, price, extra in lines
                ],
                **values,
            }
        )

    @classmethod
    def _create_invoice(
        cls, lines, invoice_date="2025-11-18", move_type="out_invoice", **values
    ):
        """A draft customer invoice; ``lines`` are (product, price, extra values)."""
        return cls.env["account.move"].create(
            {
                "move_type": move_type,
                "partner_id": cls.partner_a.id,
                "invoice_date": invoice_date,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": product.id,
                            "quantity": 1,
                            "price_unit": price,
                            "tax_ids": [Command.clear()],
                            **(extra or {}),
                        }
                    )
                    for product, price, extra in lines
                ],
                **values,
            }
        )

    def _invoice_order(self, order, invoice_date="2025-11-18"):
        invoice = order._create_invoices()
        invoice.invoice_date = invoice_date
        invoice.action_post()
        return invoice

    def _schedule(self, lines):
        """(date string, amount) pairs of revenue lines, in date order."""
        return [
            (fields.Date.to_string(line.recognition_date), line.amount)
            for line in lines.sorted(lambda rev: (rev.recognition_date, rev.id))
        ]

    def _deferred_balance(self, company=None, account=None):
        company = company or self.company
        account = account or company.revenue_deferred_account_id
        groups = self.env["account.move.line"]._read_group(
            [
                ("account_id", "=", account.id),
                ("company_id", "=", company.id),
                ("parent_state", "=", "posted"),
            ],
            aggregates=["balance:sum"],
        )
        return groups[0][0]

    def _pending_total(self, company=None):
        lines = self.env["revenue.recognition.line"].search(
            [
                ("company_id", "=", (company or self.company).id),
                ("state", "=", "pending"),
            ]
        )
        return sum(lines.mapped("amount"))

    def assertDeferredInvariant(self, company=None):
        """The deferred account's balance is minus the pending lines."""
        company = company or self.company
        self.assertAlmostEqual(
            self._deferred_balance(company), -self._pending_total(company), places=2
        )
