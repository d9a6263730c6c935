"""Writes data/files/revenue_dashboard.json, the Revenue dashboard (o-spreadsheet).

Usage: python3 scripts/revenue_dashboard.py data/files/revenue_dashboard.json

The dashboard's data sources (pivots, charts) and cells are defined here, so
a change is made once and the JSON regenerated; tests/test_dashboard.py
checks the result. New labels need a French entry in i18n/fr.po (see
readme/DEVELOP.md, *Revenue dashboard*).
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

# --- Dashboard sheet ----------------------------------------------------------
ROW = 23
cells = {}
styles = {}
borders = {}
formats = {}
# the waterfall heading and chart
cells["A7"] = {
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
styles["A7"] = 1
borders["A7:G7"] = 1
waterfall_y = 7 * ROW + 17
cells["A24"] = {
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
styles["A24"] = 1
borders["A24:G24"] = 1
recognised_y = 24 * ROW + 17
cells["A40"] = {
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
styles["A40"] = 1
borders["A40:G40"] = 1
cells["A41"] = {"content": '=_t("Customer")'}
cells["B41"] = {"content": '=_t("Remaining backlog")'}
cells["C41"] = {"content": '=_t("Share of backlog")'}
styles["A41"] = 2
styles["B41:C41"] = 5
borders["A41:C41"] = 2
for rank in range(1, 11):
    r = 41 + rank
    cells[f"A{r}"] = {"content": f'=PIVOT.HEADER(5,"#partner_id",{rank})'}
    cells[f"B{r}"] = {"content": f'=PIVOT.VALUE(5,"amount","#partner_id",{rank})'}
    cells[f"C{r}"] = {
        "content": f'=IFERROR(IF(B{r},B{r}/PIVOT.VALUE(5,"amount"),""),"")'
    }
styles["A42:A51"] = 3
styles["B42:C51"] = 4
formats["B42:B51"] = 1
formats["C42:C51"] = 2

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
        340,
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
            "rowNumber": 60,
            "rows": {},
            "cols": {
                "0": {"size": 300},
                "1": {"size": 175},
                "2": {"size": 140},
                "3": {"size": 50},
                "4": {"size": 150},
                "5": {"size": 125},
                "6": {"size": 100},
            },
            "merges": [],
            "cells": cells,
            "styles": styles,
            "formats": formats,
            "borders": borders,
            "conditionalFormats": [],
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
            "rowNumber": 10,
            "rows": {},
            "cols": {"0": {"size": 220}},
            "merges": [],
            "cells": data_cells,
            "styles": {},
            "formats": {"B1:B4": 1},
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
        "3": {"textColor": "#01666B", "verticalAlign": "middle"},
        "4": {"textColor": "#434343", "verticalAlign": "middle"},
        "5": {"textColor": "#434343", "bold": True, "fontSize": 11, "align": "center"},
    },
    "formats": {"1": "#,##0.00", "2": "0.0%"},
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
    "lists": {},
    "listNextId": 1,
    "chartOdooMenusReferences": {
        WATERFALL_CHART: "revenue_recognition.menu_revenue_waterfall",
    },
}
with open(sys.argv[1], "w", encoding="utf-8") as target:
    json.dump(doc, target, indent=4, ensure_ascii=False)
    target.write("\n")
