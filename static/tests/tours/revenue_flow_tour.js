import { registry } from "@web/core/registry";
import tourUtils from "@sale/js/tours/tour_utils";

// A salesperson sells a scheduled service, the invoice is posted, the
// accountant recognises the revenue that is due, then holds and releases a
// line with a reason: the whole flow, in the screens users see.
// Invoiced on the 15th two months ago, a quarterly schedule from the next
// month: the line of last month is due at the last month end (the wizard's
// default as-of date), two are pending.
// Every step waits for what it checks (a busy machine answers late), and the
// tour ends on a list with no dialog open and no unsaved form.
function twoMonthsAgoFifteenth() {
    const date = new Date();
    date.setDate(15);
    date.setMonth(date.getMonth() - 2);
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
            content: "The order is confirmed and saved",
            trigger: ".o_form_view:not(:has(.o_form_dirty)) .o_statusbar_status button.o_arrow_button_current:contains(Sales Order)",
        },
        {
            content: "The order shows its backlog: nothing recognised yet, said as 0.00",
            trigger: ".o_revenue_stat:contains(To recognise) .o_field_widget[name='revenue_recognised_amount']:contains(0.00)",
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
            run: `edit ${twoMonthsAgoFifteenth()}`,
        },
        {
            content: "The invoice date is set",
            trigger: ".o_field_widget[name='invoice_date'] input:value(/15/)",
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
            content: "The wizard previews what is due as of the last month end",
            trigger: ".modal .o_revenue_wizard_preview",
        },
        {
            content: "Recognise",
            trigger: ".modal footer button[name='action_create_journal']",
            run: "click",
        },
        {
            content: "The result says how many lines were recognised, with no warning",
            trigger: ".modal:not(:has(.o_revenue_result_warning)) .o_field_widget[name='result_line_count']:contains(1)",
        },
        {
            content: "Close the result",
            trigger: ".modal footer button:contains(Close)",
            run: "click",
        },
        {
            content: "The dialog is closed",
            trigger: "body:not(:has(.modal))",
        },
        {
            content: "Open the schedule from the smart button",
            trigger: ".o_form_view:not(:has(.o_form_dirty)) .o_revenue_stat",
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
            trigger: "body:not(:has(.modal)) .o_data_row td[name='hold_badge']:contains(On hold)",
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
            content: "No line is on hold any more, no dialog and no unsaved form is left",
            trigger: "body:not(:has(.modal)):not(:has(.o_form_dirty)) .o_list_view:not(:has(td[name='hold_badge'] .badge)) .o_data_row",
        },
    ],
});
