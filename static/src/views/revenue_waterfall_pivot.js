/** @odoo-module **/

import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { PivotModel } from "@web/views/pivot/pivot_model";
import { pivotView } from "@web/views/pivot/pivot_view";

/**
 * The revenue waterfall: rows are invoice months, columns recognition months.
 * Lines of orders not invoiced yet have no invoice date: they are labelled as
 * such instead of "None", and the rows' total says what the rows are.
 */
export class RevenueWaterfallPivotModel extends PivotModel {
    /**
     * @override
     */
    _getEmptyGroupLabel(fieldName) {
        if (fieldName === "invoice_date") {
            return _t("Not invoiced yet");
        }
        return super._getEmptyGroupLabel(fieldName);
    }

    /**
     * @override
     */
    _getTableHeaders() {
        const headers = super._getTableHeaders(...arguments);
        const colGroupBys = this.metaData.fullColGroupBys;
        // the first row: a blank top left cell, then the columns' total
        const root = (headers[0] || []).find((cell) => cell.groupId);
        if (
            root &&
            !root.groupId[1].length &&
            colGroupBys.length &&
            colGroupBys[0].split(":")[0] === "recognition_date"
        ) {
            root.title = _t("Total by recognition month");
        }
        return headers;
    }

    /**
     * @override
     */
    _getTableRows(tree, columns) {
        const rows = super._getTableRows(...arguments);
        const rowGroupBys = this.metaData.fullRowGroupBys;
        if (
            tree === this.data.rowGroupTree &&
            rows.length &&
            rowGroupBys.length &&
            rowGroupBys[0].split(":")[0] === "invoice_date"
        ) {
            rows[0].title = _t("Total by invoice month");
        }
        return rows;
    }
}

export const revenueWaterfallPivotView = {
    ...pivotView,
    Model: RevenueWaterfallPivotModel,
};

registry.category("views").add("revenue_waterfall_pivot", revenueWaterfallPivotView);
