{
    "name": "Revenue Recognition",
    "summary": "Revenue schedules on sale orders and invoices: deferral, "
    "periodic recognition, holds (IFRS 15 / ASC 606)",
    "version": "18.0.1.1.0",
    "category": "Accounting",
    "license": "LGPL-3",
    "author": "revenue_recognition developers",
    "website": "https://github.com/revenue-recognition/revenue_recognition",
    "development_status": "Alpha",
    "depends": ["sale_management", "account", "spreadsheet_dashboard"],
    "data": [
        "security/revenue_recognition_security.xml",
        "security/ir.model.access.csv",
        "wizard/revenue_hold_wizard_views.xml",
        "views/revenue_recognition_line_views.xml",
        "views/revenue_schedule_views.xml",
        "views/product_views.xml",
        "views/sale_order_views.xml",
        "views/account_move_views.xml",
        "data/revenue_risk_data.xml",
        "views/revenue_risk_views.xml",
        "views/res_config_settings_views.xml",
        "data/ir_cron.xml",
        "wizard/revenue_recognition_wizard_views.xml",
        "views/revenue_change_views.xml",
        "wizard/revenue_update_terms_wizard_views.xml",
        "views/revenue_report_views.xml",
        "views/menus.xml",
        "report/revenue_cutoff_views.xml",
        "data/spreadsheet_dashboard.xml",
        "data/ir_cron_kpi_alerts.xml",
    ],
    "demo": [
        "demo/revenue_recognition_demo.xml",
        "demo/revenue_delivery_demo.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "revenue_recognition/static/src/scss/*.scss",
        ],
        # Odoo loads its pivot view lazily: so does the waterfall's
        "web.assets_backend_lazy": [
            "revenue_recognition/static/src/views/*.js",
        ],
        "web.assets_tests": [
            "revenue_recognition/static/tests/tours/*.js",
        ],
    },
    "post_init_hook": "post_init_hook",
    "uninstall_hook": "uninstall_hook",
    "installable": True,
    "application": False,
}
