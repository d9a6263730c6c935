import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

// The accountant at month end: from the Invoicing app, Revenue Recognition ›
// Reporting › Deferred Revenue Roll-forward, compute the last twelve months,
// open the current month, drill down into its closing balance; then the
// backlog (remaining performance obligations) as of today.
function openReport(xmlid, title) {
    return [
        {
            content: "Open the Revenue Recognition menu",
            trigger:
                ".o_menu_sections [data-menu-xmlid='revenue_recognition.menu_revenue_recognition_root']",
            run: "click",
        },
        {
            content: "Open the report",
            trigger: `.dropdown-item[data-menu-xmlid='revenue_recognition.${xmlid}']`,
            run: "click",
        },
        {
            content: "Compute it for the proposed period",
            trigger: ".modal footer button[name='action_compute']",
            run: "click",
        },
        {
            content: "The report opens on its own: no dialog, a new trail of breadcrumbs",
            trigger: `body:not(:has(.modal)) .o_breadcrumb:not(:has(.breadcrumb-item)) .o_last_breadcrumb_item:contains(${title})`,
        },
    ];
}

registry.category("web_tour.tours").add("revenue_recognition_month_end_tour", {
    url: "/odoo",
    steps: () => [
        ...stepUtils.goToAppSteps("account.menu_finance", "Open the Invoicing app"),
        ...openReport("menu_revenue_report_rollforward", "roll-forward"),
        {
            content: "One row a month: open the current month (the last row)",
            trigger: ".o_list_view .o_data_row:last-child td[name='display_name']",
            run: "click",
        },
        {
            content: "The month's form: open what makes up its closing balance",
            trigger: ".o_form_view button.o_revenue_drill_closing",
            run: "click",
        },
        {
            content: "The schedule lines behind the closing balance",
            trigger: ".o_list_view .o_data_row td[name='product_id']:contains(Tour Subscription)",
        },
        ...openReport("menu_revenue_report_backlog", "Backlog"),
        {
            content: "The backlog by time band",
            trigger: ".o_form_view .o_field_widget[name='backlog_total']",
        },
        {
            content: "Open it by customer and product",
            trigger: ".o_form_view button[name='action_open_backlog_lines']",
            run: "click",
        },
        {
            content: "The backlog by customer and product, by time band",
            trigger: ".o_pivot_view .o_pivot thead th:contains(Within 12 months)",
        },
        {
            content: "Open the Revenue Recognition menu",
            trigger:
                ".o_menu_sections [data-menu-xmlid='revenue_recognition.menu_revenue_recognition_root']",
            run: "click",
        },
        {
            content: "Open the revenue waterfall",
            trigger: ".dropdown-item[data-menu-xmlid='revenue_recognition.menu_revenue_waterfall']",
            run: "click",
        },
        {
            content: "Its columns are recognition months",
            trigger: ".o_pivot_view .o_pivot thead th:contains(Total by recognition month)",
        },
        {
            content: "Its rows are invoice months",
            trigger: ".o_pivot_view .o_pivot tbody th:contains(Total by invoice month)",
        },
        {
            content: "Lines of the order not invoiced yet have their own row",
            trigger: ".o_pivot_view .o_pivot tbody th:contains(Not invoiced yet)",
        },
        {
            content: "The tour ends with every form saved and no dialog open",
            trigger: "body:not(:has(.modal)):not(:has(.o_form_dirty)) .o_pivot_view",
        },
    ],
});
