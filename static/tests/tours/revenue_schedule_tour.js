import { registry } from "@web/core/registry";

// An administrator creates a 12-month schedule and reads its preview: a start
// on the 15th gives 13 lines, and the form says why.
registry.category("web_tour.tours").add("revenue_schedule_preview_tour", {
    url: "/odoo/action-revenue_recognition.action_revenue_schedule",
    steps: () => [
        {
            content: "Create a schedule",
            trigger: ".o_list_button_add",
            run: "click",
        },
        {
            content: "Name it",
            trigger: ".o_field_widget[name='name'] input",
            run: "edit Tour 12M",
        },
        {
            content: "Monthly basis",
            trigger: ".o_field_widget[name='recognition_basis'] select",
            run: 'select "monthly"',
        },
        {
            content: "Twelve occurrences",
            trigger: ".o_field_widget[name='occurrences'] input",
            run: "edit 12",
        },
        {
            content: "Open the preview",
            trigger: ".o_notebook .nav-link:contains(Preview)",
            run: "click",
        },
        {
            content: "Sample amount",
            trigger: ".o_field_widget[name='preview_amount'] input",
            run: "edit 1200",
        },
        {
            content: "Sample start on the 15th",
            trigger: ".o_field_widget[name='preview_start_date'] input",
            run: "edit 01/15/2023",
        },
        {
            content: "Leave the date field",
            trigger: ".o_field_widget[name='preview_amount'] input",
            run: "click",
        },
        {
            content: "The preview explains the extra line",
            trigger: ".o_revenue_preview_note:contains(13 lines for 12 occurrences)",
        },
        {
            content: "First partial month",
            trigger: ".o_revenue_preview td:contains(54.84)",
        },
        {
            content: "Last partial month",
            trigger: ".o_revenue_preview td:contains(45.16)",
        },
        {
            content: "Save",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "Saved",
            trigger: ".o_form_saved",
        },
    ],
});
