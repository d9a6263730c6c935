{
    "name": "Revenue Recognition",
    "summary": "Revenue schedules on sale orders and invoices: deferral, "
    "periodic recognition, holds (IFRS 15 / ASC 606)",
    "version": "18.0.1.0.0",
    "category": "Accounting",
    "license": "LGPL-3",
    "author": "revenue_recognition developers",
    "website": "https://github.com/revenue-recognition/revenue_recognition",
    "development_status": "Alpha",
    "depends": ["sale", "account"],
    "data": [],
    "demo": [],
    "installable": True,
    "application": False,
}
