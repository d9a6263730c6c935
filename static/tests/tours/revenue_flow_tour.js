import { registry } from "@web/core/registry";
import tourUtils from "@sale/js/tours/tour_utils";

// A salesperson sells a scheduled service, the invoice is posted, the
// accountant recognises the revenue that is due, then holds and releases a
// line with a reason: the whole flow, in the screens users see.
// Invoiced on the 15th of last month, a quarterly schedule from the next
// month: one line is due now, two are pending.
function lastMonthFifteenth() {
    const date = new Date();
    date.setDate(15);
    date.setMonth(date.getMonth() - 1);
    const pad = (value) => String(value).padStart(2, "0");
    return `${pad(date.getMonth() + 1)}/15/${date.getFullYear()}`;
}

registry.category("web_tour.tours").add("revenue_recognition_flow_tour", {
    url: "/odoo/action-sale.action_quotations_with_onboarding",
    steps: () => [
        ...tourUtils.createNewSalesOrder(),
        ...tourUtils.selectCustomer("Tour Customer"),
        ...tourUtils.addProduct("Tour Support"),
        {
            content: "The line is priced",
            trigger: ".o_data_row td[name='price_subtotal']:contains(300.00)",
        },
        {
            content: "Leave the line",
            trigger: ".o_form_sheet .oe_title",
            run: "click",
        },
        {
            content: "The line is saved in the form",
            trigger: ".o_field_one2many[name='order_line']:not(:has(.o_selected_row))",
        },
        {
            content: "Confirm the order",
            trigger: "button[name='action_confirm']",
            run: "click",
        },
        {
            content: "The revenue schedule came from the product",
            trigger: ".o_data_row td[name='revenue_schedule_id']:contains(Tour quarterly)",
        },
        {
            content: "The order shows its backlog: nothing recognised yet",
            trigger: ".o_revenue_stat:contains(To recognise)",
        },
        {
            content: "Create the invoice",
            trigger: "button#create_invoice",
            run: "click",
        },
        {
            content: "Create a draft invoice",
            trigger: ".modal button[name='create_invoices']",
            run: "click",
        },
        {
            content: "Invoice date",
            trigger: ".o_field_widget[name='invoice_date'] input",
            run: `edit ${lastMonthFifteenth()}`,
        },
        {
            content: "Confirm the invoice",
            trigger: ".o_form_statusbar button[name='action_post']",
            run: "click",
        },
        {
            content: "The invoice is posted",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains(Posted)",
        },
        {
            content: "Recognise its revenue",
            trigger: "button:contains(Recognise Revenue)",
            run: "click",
        },
        {
            content: "The wizard previews what is due",
            trigger: ".modal .o_revenue_wizard_preview",
        },
        {
            content: "Recognise",
            trigger: ".modal footer button[name='action_create_journal']",
            run: "click",
        },
        {
            content: "The result says how many lines were recognised",
            trigger: ".modal .o_field_widget[name='result_line_count']:contains(1)",
        },
        {
            content: "Close the result",
            trigger: ".modal footer button:contains(Close)",
            run: "click",
        },
        {
            content: "Open the schedule from the smart button",
            trigger: ".o_revenue_stat",
            run: "click",
        },
        {
            content: "Select the first pending line",
            trigger: ".o_data_row:has(td[name='state']:contains(Pending)) .o_list_record_selector input",
            run: "click",
        },
        {
            content: "Hold it",
            trigger: ".o_control_panel button:contains(Hold)",
            run: "click",
        },
        {
            content: "Say why",
            trigger: ".modal .o_field_widget[name='reason'] textarea",
            run: "edit Waiting for the customer's acceptance",
        },
        {
            content: "Confirm the hold",
            trigger: ".modal footer button[name='action_confirm']:contains(Hold)",
            run: "click",
        },
        {
            content: "The line shows its badge",
            trigger: ".o_data_row td[name='hold_badge']:contains(On hold)",
        },
        {
            content: "Select the held line",
            trigger: ".o_data_row:has(td[name='hold_badge']:contains(On hold)) .o_list_record_selector input",
            run: "click",
        },
        {
            content: "Release it",
            trigger: ".o_control_panel button:contains(Release)",
            run: "click",
        },
        {
            content: "Say why",
            trigger: ".modal .o_field_widget[name='reason'] textarea",
            run: "edit Accepted on site",
        },
        {
            content: "Confirm the release",
            trigger: ".modal footer button[name='action_confirm']:contains(Release)",
            run: "click",
        },
        {
            content: "No line is on hold any more",
            // once the dialog is closed: its own list has no badge either
            trigger: "body:not(:has(.modal)) .o_list_view:not(:has(td[name='hold_badge'] .badge))",
        },
    ],
});
