"""Writes data/files/revenue_dashboard.json, the Revenue dashboard (o-spreadsheet).

Usage: python3 scripts/revenue_dashboard.py data/files/revenue_dashboard.json

The dashboard's data sources (pivots, charts) and cells are defined here, so
a change is made once and the JSON regenerated; tests/test_dashboard.py
checks the result. New labels need a French entry in i18n/fr.po (see
readme/DEVELOP.md, *Revenue dashboard*).

About 700 lines, over the usual 500, because it is one document written
top to bottom: the data sources, then the two sheets cell by cell in the
order they show; splitting it would make a reader jump between files to
follow one sheet.
"""

import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "engine"))
from figures import FIGURES, prefix_and  # noqa: E402  (the one definition)

MODEL = "revenue.recognition.line"
F_CUSTOMER = "3c1f0e6a-5b7d-4c2e-9a41-0d6f2b8e7a01"
F_PRODUCT = "3c1f0e6a-5b7d-4c2e-9a41-0d6f2b8e7a02"
FIELD_MATCHING = {
    F_CUSTOMER: {"chain": "partner_id", "type": "many2one"},
    F_PRODUCT: {"chain": "product_id", "type": "many2one"},
}
WATERFALL_CHART = "5b2f7c10-0d1e-4f3a-8b6c-1a2b3c4d5e05"


def pivot(pid, name, domain, rows=(), sort=False):
    return {
        "type": "ODOO",
        "fieldMatching": FIELD_MATCHING,
        "context": {},
        "domain": domain,
        "id": pid,
        "measures": [{"id": "amount", "fieldName": "amount"}],
        "model": MODEL,
        "name": name,
        "sortedColumn": (
            {"groupId": [[], []], "measure": "amount", "order": "desc"}
            if sort
            else None
        ),
        "formulaId": pid,
        "columns": [],
        "rows": list(rows),
    }


D_RECOGNISED = prefix_and(FIGURES["recognised"])
D_TO_RECOGNISE = prefix_and(FIGURES["to_recognise"])
D_HELD = prefix_and(FIGURES["held"])
D_EXPECTED = prefix_and(FIGURES["expected"])
D_BACKLOG = prefix_and(FIGURES["backlog"])
D_WATERFALL = prefix_and(FIGURES["waterfall"])

pivots = {
    "1": pivot(
        "1",
        "KPI - Recognised by year",
        D_RECOGNISED,
        [{"fieldName": "recognition_date", "granularity": "year"}],
    ),
    "2": pivot("2", "KPI - To recognise", D_TO_RECOGNISE),
    "3": pivot("3", "KPI - On hold", D_HELD),
    "4": pivot("4", "KPI - Signed backlog", D_EXPECTED),
    "5": pivot(
        "5",
        "Top customers by remaining backlog",
        D_BACKLOG,
        [{"fieldName": "partner_id"}],
        sort=True,
    ),
}


# --- Lists: the KPIs and the rolling forecast (revenue.kpi.snapshot) ----------
# revenue.analytics computes them (kpis(), forecast(), plan_vs_actual()); the
# daily KPI-alert run and the KPI screen's "Refresh the dashboard" store its
# answer for the active company, which the dashboard reads as lists.
SNAPSHOT = "revenue.kpi.snapshot"
KPI_COLUMNS = [
    "period_start",
    "computed_at",
    "book_to_bill",
    "coverage_months",
    "lead_time_days",
    "threshold_book_to_bill",
    "threshold_coverage_months",
    "threshold_lead_time_days",
    "alert_book_to_bill",
    "alert_coverage_months",
    "alert_lead_time_days",
    "bookings",
    "recognised",
    "backlog",
    "kpi_months",
    "alert_count",
    "undefined_kpis",
]


def snapshot_list(lid, name, kind, columns, order_asc):
    return {
        "columns": columns,
        "domain": [["kind", "=", kind]],
        "model": SNAPSHOT,
        "context": {},
        "orderBy": [{"name": "period_start", "asc": order_asc}],
        "id": lid,
        "name": name,
        "fieldMatching": {},
    }


lists = {
    "1": snapshot_list("1", "KPIs of the closed month", "kpi", KPI_COLUMNS, False),
    "2": snapshot_list(
        "2",
        "Forecast, next 12 months",
        "forecast",
        ["period_start", "expected", "deferred", "total"],
        True,
    ),
    "3": snapshot_list(
        "3",
        "Plan vs actual, last 12 months",
        "plan",
        ["period_start", "planned", "actual", "difference"],
        True,
    ),
    "4": snapshot_list(
        "4",
        "Forecast, next 13 weeks",
        "forecast_week",
        ["period_start", "expected", "deferred", "total"],
        True,
    ),
}


def action_link(label, domain, view, groupby, extra_ctx=None):
    ctx = {"group_by": groupby}
    ctx.update(extra_ctx or {})
    action = {
        "viewType": view,
        "action": {
            "domain": domain,
            "context": ctx,
            "modelName": MODEL,
            "views": [
                [False, "graph"],
                [False, "pivot"],
                [False, "list"],
                [False, "search"],
            ],
        },
        "threshold": 0,
        "name": label,
    }
    return f"[{label}](odoo://view/{json.dumps(action, separators=(',', ':'))})"


def chart(fid, title, ctype, groupby, domain, y, height, stacked, legend):
    data = {
        "title": {"text": title, "color": "#434343", "bold": True},
        "background": "#FFFFFF",
        "legendPosition": legend,
        "metaData": {
            "groupBy": groupby,
            "measure": "amount",
            "order": None,
            "resModel": MODEL,
            "mode": "bar" if ctype == "odoo_bar" else "line",
        },
        "searchParams": {
            "comparison": None,
            "context": {},
            "domain": domain,
            "groupBy": groupby,
            "orderBy": [],
        },
        "type": ctype,
        "verticalAxisPosition": "left",
        "stacked": stacked,
        "fieldMatching": FIELD_MATCHING,
    }
    if ctype == "odoo_line":
        data["fillArea"] = True
        data["cumulative"] = False
    return {
        "id": fid,
        "x": 0,
        "y": y,
        "width": 1000,
        "height": height,
        "tag": "chart",
        "data": data,
    }


def scorecard(fid, x, title, key, descr):
    return {
        "id": fid,
        "x": x,
        "y": 11,
        "width": 240,
        "height": 109,
        "tag": "chart",
        "data": {
            "baselineColorDown": "#DC6965",
            "baselineColorUp": "#00A04A",
            "baselineMode": "text",
            "title": {"text": title, "color": "#434343", "bold": True},
            "type": "scorecard",
            "background": "#EFF6FF",
            "baseline": "",
            "baselineDescr": descr,
            "keyValue": key,
            "humanize": False,
        },
    }


def list_amount(list_id, index, field, row):
    """An amount of a stored list, 0.00 when zero: ODOO.LIST gives "" for a
    zero, and an accountant reads a blank as "not computed". ``+0`` keeps the
    list's currency format; a row past the list's end stays blank."""
    return f'=IF($A{row}="","",ODOO.LIST({list_id},{index},"{field}")+0)'


# --- Data sheet: the KPI values -------------------------------------------
data_cells = {
    "A1": {"content": '=_t("KPI - Recognised this year")'},
    "A2": {"content": '=_t("KPI - To recognise")'},
    "A3": {"content": '=_t("KPI - On hold")'},
    "A4": {"content": '=_t("KPI - Signed backlog")'},
    "A5": {"content": '=_t("Current year")'},
    "B1": {
        "content": '=IFERROR(PIVOT.VALUE(1,"amount","recognition_date:year",$B$5),0)'
    },
    "B2": {"content": '=PIVOT.VALUE(2,"amount")'},
    "B3": {"content": '=PIVOT.VALUE(3,"amount")'},
    "B4": {"content": '=PIVOT.VALUE(4,"amount")'},
    "B5": {"content": "=YEAR(TODAY())"},
}
for row in range(1, 5):
    data_cells[f"C{row}"] = {"content": f"=FORMAT.LARGE.NUMBER(B{row})"}

# the KPIs of the closed month (list 1): B the value, C the threshold, D the
# alert of revenue.analytics.kpis() (never recomputed here)
data_cells.update(
    {
        "A8": {"content": '=_t("Computed on")'},
        "B8": {"content": '=ODOO.LIST(1,1,"computed_at")'},
        "A9": {"content": '=_t("Month")'},
        "B9": {"content": '=ODOO.LIST(1,1,"period_start")'},
        "A17": {"content": '=_t("Alerts")'},
        "B17": {"content": '=ODOO.LIST(1,1,"alert_count")'},
        "A18": {"content": '=_t("Undefined (divisor 0)")'},
        "B18": {"content": '=ODOO.LIST(1,1,"undefined_kpis")'},
    }
)
for row, name, label in (
    (10, "book_to_bill", "Book-to-bill"),
    (11, "coverage_months", "Coverage (months)"),
    (12, "lead_time_days", "Lead time (days)"),
):
    data_cells[f"A{row}"] = {"content": f'=_t("{label}")'}
    data_cells[f"B{row}"] = {"content": f'=ODOO.LIST(1,1,"{name}")'}
    data_cells[f"C{row}"] = {"content": f'=ODOO.LIST(1,1,"threshold_{name}")'}
    data_cells[f"D{row}"] = {"content": f'=ODOO.LIST(1,1,"alert_{name}")'}
for row, name, label in (
    (13, "bookings", "Bookings"),
    (14, "recognised", "Recognised"),
    (15, "backlog", "Backlog"),
    (16, "kpi_months", "Months in the period"),
):
    data_cells[f"A{row}"] = {"content": f'=_t("{label}")'}
    data_cells[f"B{row}"] = {"content": f'=ODOO.LIST(1,1,"{name}")'}

# --- Dashboard sheet ----------------------------------------------------------
ROW = 23
cells = {}
styles = {}
borders = {}
formats = {}

merges = []
conditional_formats = []
#: rows 7 to SHIFT + 6: the KPIs and the rolling forecasts; then the charts
SHIFT = 55
# row 7: the red banner, when a KPI of the closed month is outside a threshold
BANNER_ALERT = (
    "A KPI of the closed month is outside the company's threshold: "
    "see the KPIs in red below."
)
BANNER_EMPTY = (
    "The KPIs and the forecast appear after the daily KPI run, "
    "or with Refresh the dashboard on the KPI screen."
)
cells["A7"] = {
    # the alert flags themselves (those the KPI cells turn red by)
    "content": f'=IF(OR(Data!D10,Data!D11,Data!D12),"⚠ "&_t("{BANNER_ALERT}"),'
    f'IF(Data!B9="",_t("{BANNER_EMPTY}"),""))'
}
merges.append("A7:G7")
styles["A7"] = 6
conditional_formats.append(
    {
        "id": "rr-cf-kpi-banner",
        "ranges": ["A7"],
        "rule": {
            "type": "CellIsRule",
            "operator": "ContainsText",
            "values": ["⚠"],
            "style": {"fillColor": "#DC3545", "textColor": "#FFFFFF", "bold": True},
        },
    }
)
# rows 8-13: the KPIs of the closed month, what they divide on the right
cells["A8"] = {"content": '=_t("KPIs of the closed month")'}
cells["B8"] = {"content": "=Data!B9"}
styles["A8"] = 1
styles["B8"] = 1
formats["B8"] = 3
borders["A8:G8"] = 1
cells["A9"] = {"content": '=_t("KPI")'}
cells["B9"] = {"content": '=_t("Value")'}
cells["C9"] = {"content": '=_t("Alert threshold")'}
cells["E9"] = {"content": '=_t("Computed from")'}
styles["A9"] = 2
styles["B9:C9"] = 5
styles["E9"] = 2
borders["A9:G9"] = 2
KPI_ROWS = (
    # dashboard row, data row, label, threshold direction, undefined key
    (10, 10, "Book-to-bill (bookings ÷ recognised)", "alert below", "book_to_bill"),
    (
        11,
        11,
        "Coverage in months (backlog ÷ recognised per month)",
        "alert below",
        "coverage_months",
    ),
    (
        12,
        12,
        "Lead time in days (order date to first recognised revenue)",
        "alert above",
        "lead_time_days",
    ),
)
for row, data_row, label, direction, key in KPI_ROWS:
    cells[f"A{row}"] = {"content": f'=_t("{label}")'}
    cells[f"B{row}"] = {
        "content": f'=IF(Data!$B$9="","",IF(ISNUMBER(SEARCH("{key}",Data!$B$18)),'
        f'"—",IF(Data!D{data_row},"⚠ ","")&TEXT(Data!B{data_row},"#,##0.00")))'
    }
    cells[f"C{row}"] = {
        "content": f'=IF(Data!$B$9="","",_t("{direction}")&" "'
        f'&TEXT(Data!C{data_row},"#,##0.00"))'
    }
for row, data_row, label in (
    (10, 13, "Bookings"),
    (11, 14, "Recognised"),
    (12, 15, "Backlog"),
    (13, 16, "Months in the period"),
):
    cells[f"E{row}"] = {"content": f'=_t("{label}")'}
    cells[f"F{row}"] = {"content": f"=Data!B{data_row}"}
cells["A13"] = {
    "content": '=IF(Data!B8="","",_t("Computed on")&" "'
    '&TEXT(Data!B8,"yyyy-mm-dd hh:mm"))'
}
styles["A10:A13"] = 3
styles["E10:E13"] = 3
styles["B10:C12"] = 7
styles["F10:F13"] = 4
styles["A13"] = 8
conditional_formats.append(
    {
        "id": "rr-cf-kpi-red",
        "ranges": ["B10:B12"],
        "rule": {
            "type": "CellIsRule",
            "operator": "ContainsText",
            "values": ["⚠"],
            "style": {"fillColor": "#F8D7DA", "textColor": "#B02A37", "bold": True},
        },
    }
)


FORECAST_COLUMNS = (
    ("B", "Signed, not invoiced", "expected"),
    ("C", "Invoiced, not recognised", "deferred"),
    ("E", "To recognise", "total"),
)
PLAN_COLUMNS = (
    ("B", "Planned at its start", "planned"),
    ("C", "Recognised", "actual"),
    ("E", "Difference", "difference"),
)


def period_table(top, list_id, heading, first_label, columns, periods):
    """A table of list ``list_id``, one row per period: its heading on row
    ``top``, the column labels below, then the periods; ``columns`` are
    (column, label, field) of the amounts. The months are shown as
    "March 2026" (format 3, set by the caller), the weeks' dates in the
    user's own date format."""
    cells[f"A{top}"] = {"content": f'=_t("{heading}")'}
    styles[f"A{top}"] = 1
    borders[f"A{top}:G{top}"] = 1
    cells[f"A{top + 1}"] = {"content": f'=_t("{first_label}")'}
    for col, label, _field in columns:
        cells[f"{col}{top + 1}"] = {"content": f'=_t("{label}")'}
    styles[f"A{top + 1}"] = 2
    styles[f"B{top + 1}:E{top + 1}"] = 5
    borders[f"A{top + 1}:E{top + 1}"] = 2
    for index in range(1, periods + 1):
        r = top + 1 + index
        cells[f"A{r}"] = {"content": f'=ODOO.LIST({list_id},{index},"period_start")'}
        for col, _label, field in columns:
            cells[f"{col}{r}"] = {"content": list_amount(list_id, index, field, r)}
    first, last = top + 2, top + 1 + periods
    styles[f"A{first}:A{last}"] = 3
    styles[f"B{first}:E{last}"] = 4


# rows 15-28: the rolling forecast of the next 12 months (list 2)
period_table(
    15, 2, "Rolling forecast: revenue to recognise", "Month", FORECAST_COLUMNS, 12
)
formats["A17:A28"] = 3
# rows 30-44: plan vs actual of the last 12 months (list 3)
period_table(30, 3, "Plan vs actual: the last 12 months", "Month", PLAN_COLUMNS, 12)
formats["A32:A43"] = 3
cells["A44"] = {
    "content": '=_t("Planned: the lines to recognise in the month as they stood '
    'the day before it started; recognised: by the entries dated in it.")'
}
styles["A44"] = 8
# rows 46-60: the forecast of the next 13 weeks, from this week's Monday (list 4)
period_table(
    46, 4, "Rolling forecast: the next 13 weeks", "Week of", FORECAST_COLUMNS, 13
)
# the waterfall heading and chart
cells[f"A{7 + SHIFT}"] = {
    "content": action_link(
        "Revenue Waterfall",
        D_WATERFALL,
        "graph",
        ["recognition_date:month", "state"],
        {
            "graph_measure": "amount",
            "graph_mode": "bar",
            "graph_stacked": True,
            "graph_groupbys": ["recognition_date:month", "state"],
        },
    )
}
styles[f"A{7 + SHIFT}"] = 1
borders[f"A{7 + SHIFT}:G{7 + SHIFT}"] = 1
#: the headings (font 16) have a fixed height: the charts are placed in
#: pixels, and rows that grow with their font would slide the charts up
#: over the headings below them
HEADING_ROW = 30
HEADING_ROWS = (8, 15, 30, 46, 7 + SHIFT, 24 + SHIFT, 40 + SHIFT)
row_sizes = {str(row - 1): {"size": HEADING_ROW} for row in HEADING_ROWS}


def row_y(row):
    """The top of ``row`` (1-based) in pixels."""
    return sum(
        HEADING_ROW if earlier in HEADING_ROWS else ROW for earlier in range(1, row)
    )


waterfall_y = row_y(8 + SHIFT) + 6
cells[f"A{24 + SHIFT}"] = {
    "content": action_link(
        "Recognised Revenue by Month",
        D_RECOGNISED,
        "graph",
        ["recognition_date:month"],
        {
            "graph_measure": "amount",
            "graph_mode": "bar",
            "graph_groupbys": ["recognition_date:month"],
        },
    )
}
styles[f"A{24 + SHIFT}"] = 1
borders[f"A{24 + SHIFT}:G{24 + SHIFT}"] = 1
recognised_y = row_y(25 + SHIFT) + 6
cells[f"A{40 + SHIFT}"] = {
    "content": action_link(
        "Top Customers by Remaining Backlog",
        D_BACKLOG,
        "pivot",
        ["partner_id"],
        {
            "pivot_measures": ["amount"],
            "pivot_row_groupby": ["partner_id"],
            "pivot_column_groupby": ["state"],
        },
    )
}
styles[f"A{40 + SHIFT}"] = 1
borders[f"A{40 + SHIFT}:G{40 + SHIFT}"] = 1
cells[f"A{41 + SHIFT}"] = {"content": '=_t("Customer")'}
cells[f"B{41 + SHIFT}"] = {"content": '=_t("Remaining backlog")'}
cells[f"C{41 + SHIFT}"] = {"content": '=_t("Share of backlog")'}
styles[f"A{41 + SHIFT}"] = 2
styles[f"B{41 + SHIFT}:C{41 + SHIFT}"] = 5
borders[f"A{41 + SHIFT}:C{41 + SHIFT}"] = 2
for rank in range(1, 11):
    r = 41 + SHIFT + rank
    cells[f"A{r}"] = {"content": f'=PIVOT.HEADER(5,"#partner_id",{rank})'}
    cells[f"B{r}"] = {"content": f'=PIVOT.VALUE(5,"amount","#partner_id",{rank})'}
    cells[f"C{r}"] = {
        "content": f'=IFERROR(IF(B{r},B{r}/PIVOT.VALUE(5,"amount"),""),"")'
    }
styles[f"A{42 + SHIFT}:A{51 + SHIFT}"] = 3
styles[f"B{42 + SHIFT}:C{51 + SHIFT}"] = 4
# backlog amounts: no number format, so they keep the company currency
formats[f"C{42 + SHIFT}:C{51 + SHIFT}"] = 2

figures = [
    scorecard(
        "5b2f7c10-0d1e-4f3a-8b6c-1a2b3c4d5e01",
        0,
        "Recognised this year",
        "Data!C1",
        "posted lines",
    ),
    scorecard(
        "5b2f7c10-0d1e-4f3a-8b6c-1a2b3c4d5e02",
        253,
        "To recognise",
        "Data!C2",
        "pending, not on hold",
    ),
    scorecard(
        "5b2f7c10-0d1e-4f3a-8b6c-1a2b3c4d5e03",
        506,
        "On hold",
        "Data!C3",
        "pending, held",
    ),
    scorecard(
        "5b2f7c10-0d1e-4f3a-8b6c-1a2b3c4d5e04",
        759,
        "Signed backlog",
        "Data!C4",
        "not invoiced yet",
    ),
    chart(
        WATERFALL_CHART,
        "Amounts by recognition month and status",
        "odoo_bar",
        ["recognition_date:month", "state"],
        D_WATERFALL,
        waterfall_y,
        360,
        True,
        "top",
    ),
    chart(
        "5b2f7c10-0d1e-4f3a-8b6c-1a2b3c4d5e06",
        "Recognised revenue by month",
        "odoo_bar",
        ["recognition_date:month"],
        D_RECOGNISED,
        recognised_y,
        330,
        False,
        "none",
    ),
]

doc = {
    "version": 21,
    "sheets": [
        {
            "id": "rr-dashboard-sheet",
            "name": "Dashboard",
            "colNumber": 7,
            "rowNumber": 115,
            "rows": row_sizes,
            "cols": {
                "0": {"size": 540},  # the French KPI labels are long
                "1": {"size": 175},
                "2": {"size": 175},
                "3": {"size": 30},
                "4": {"size": 165},
                "5": {"size": 150},
                "6": {"size": 100},
            },
            "merges": merges,
            "cells": cells,
            "styles": styles,
            "formats": formats,
            "borders": borders,
            "conditionalFormats": conditional_formats,
            "figures": figures,
            "tables": [],
            "areGridLinesVisible": False,
            "isVisible": True,
            "headerGroups": {"ROW": [], "COL": []},
            "dataValidationRules": [],
            "comments": {},
        },
        {
            "id": "rr-data-sheet",
            "name": "Data",
            "colNumber": 5,
            "rowNumber": 20,
            "rows": {},
            "cols": {"0": {"size": 220}},
            "merges": [],
            "cells": data_cells,
            "styles": {},
            "formats": {},  # the KPI values keep the currency of their pivots
            "borders": {},
            "conditionalFormats": [],
            "figures": [],
            "tables": [],
            "areGridLinesVisible": True,
            "isVisible": True,
            "headerGroups": {"ROW": [], "COL": []},
            "dataValidationRules": [],
            "comments": {},
        },
    ],
    "styles": {
        "1": {"textColor": "#01666b", "bold": True, "fontSize": 16},
        "2": {"textColor": "#434343", "bold": True, "fontSize": 11},
        "3": {"textColor": "#01666B", "verticalAlign": "middle", "align": "left"},
        "4": {"textColor": "#434343", "verticalAlign": "middle"},
        "5": {"textColor": "#434343", "bold": True, "fontSize": 11, "align": "center"},
        "6": {"bold": True, "fontSize": 11, "verticalAlign": "middle"},
        "7": {"textColor": "#434343", "verticalAlign": "middle", "align": "right"},
        "8": {"textColor": "#6C757D", "italic": True, "fontSize": 9},
    },
    "formats": {"1": "#,##0.00", "2": "0.0%", "3": "mmmm yyyy"},
    "borders": {
        "1": {"bottom": {"style": "thin", "color": "#CCCCCC"}},
        "2": {"bottom": {"style": "thin", "color": "#CCCCCC"}},
    },
    "revisionId": "START_REVISION",
    "uniqueFigureIds": True,
    "settings": {
        "locale": {
            "name": "English (US)",
            "code": "en_US",
            "thousandsSeparator": ",",
            "decimalSeparator": ".",
            "dateFormat": "mm/dd/yyyy",
            "timeFormat": "hh:mm:ss",
            "formulaArgSeparator": ",",
            "weekStart": 7,
        }
    },
    "pivots": pivots,
    "pivotNextId": 6,
    "customTableStyles": {},
    "odooVersion": 12,
    "globalFilters": [
        {
            "id": F_CUSTOMER,
            "type": "relation",
            "label": "Customer",
            "modelName": "res.partner",
            "defaultValue": [],
            "defaultValueDisplayNames": [],
            "rangeType": "year",
        },
        {
            "id": F_PRODUCT,
            "type": "relation",
            "label": "Product",
            "modelName": "product.product",
            "defaultValue": [],
            "defaultValueDisplayNames": [],
            "rangeType": "year",
        },
    ],
    "lists": lists,
    "listNextId": 5,
    "chartOdooMenusReferences": {
        WATERFALL_CHART: "revenue_recognition.menu_revenue_waterfall",
    },
}
with open(sys.argv[1], "w", encoding="utf-8") as target:
    json.dump(doc, target, indent=4, ensure_ascii=False)
    target.write("\n")
