"""Move the unbilled revenue account to the add-on's own field.

Up to 18.0.1.0.0 the add-on kept it in ``res.company.revenue_accrual_account_id``,
a field that Odoo's own *Change Period* wizard owns. From 18.0.1.1.0 it lives in
``revenue_unbilled_account_id``: copy today's value there, and leave Odoo's
field as it is (its *Change Period* wizard may have been using it since).
"""


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        """
        UPDATE res_company
           SET revenue_unbilled_account_id = revenue_accrual_account_id
         WHERE revenue_unbilled_account_id IS NULL
           AND revenue_accrual_account_id IS NOT NULL
        """
    )
