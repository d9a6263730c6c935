from . import models
from . import report
from . import wizard


def post_init_hook(env):
    """Set up the revenue journal and deferred account of existing companies,
    and the Revenue dashboard's figures."""
    env["res.company"].search([])._revenue_setup()
    # the Revenue dashboard's KPIs and forecast, before the first daily run
    env["revenue.kpi.snapshot"]._refresh(env["res.company"].search([]))


#: Models whose records the demo data creates as documents of a company:
#: they are the company's books (posted invoices among them) and stay when the
#: add-on is uninstalled, as users' own documents do.
KEPT_AT_UNINSTALL = (
    "account.move",
    "account.move.line",
    "sale.order",
    "sale.order.line",
    "product.product",
    "product.template",
    "res.partner",
)


def uninstall_hook(env):
    """Keep the demo documents: Odoo deletes the records of an add-on's XML ids
    at uninstall, so the ids of the documents are dropped first (the records
    stay, as records users created)."""
    env["ir.model.data"].search(
        [("module", "=", "revenue_recognition"), ("model", "in", KEPT_AT_UNINSTALL)]
    ).unlink()
