/** @odoo-module */
// The accountant records a gift the funder asked to split by unmet needs, validates
// it and sees the earmarked lines with their host fee.
import {registry} from "@web/core/registry";

registry.category("web_tour.tours").add("compte_commun_communs_donation_prorata", {
    url: "/odoo/action-compte_commun_communs.donation_donation_action",
    steps: () => [
        {
            content: "Record a new donation",
            trigger: ".o_list_button_add",
            run: "click",
        },
        {
            trigger: '.o_field_widget[name="partner_id"] input',
            run: "edit Claire Dubois",
        },
        {
            trigger: '.o-autocomplete--dropdown-item:contains("Claire Dubois")',
            run: "click",
        },
        {
            content: "The funder asked to split by unmet needs",
            trigger: '.o_field_widget[name="commons_allocation"] select',
            run: 'select "prorata"',
        },
        {
            trigger: '.o_field_widget[name="commons_prorata_year"] input',
            run: "edit 2023",
        },
        {
            trigger: '.o_field_widget[name="commons_prorata_resource_ids"] input',
            run: "edit DOKOS",
        },
        {
            trigger: '.o-autocomplete--dropdown-item:contains("DOKOS")',
            run: "click",
        },
        {
            trigger: '.o_field_widget[name="commons_prorata_resource_ids"] input',
            run: "edit Movilab",
        },
        {
            trigger: '.o-autocomplete--dropdown-item:contains("Movilab")',
            run: "click",
        },
        {
            trigger: '.o_field_widget[name="donation_date"] input',
            run: "edit 06/01/2023",
        },
        {
            content: "One line of 100 without resource",
            trigger: ".o_field_x2many_list_row_add a",
            run: "click",
        },
        {
            trigger: '.o_data_row .o_field_widget[name="product_id"] input',
            run: "edit Earmarked",
        },
        {
            trigger: '.o-autocomplete--dropdown-item:contains("Earmarked donation")',
            run: "click",
        },
        {
            trigger: '.o_data_row .o_field_widget[name="unit_price"] input',
            run: "edit 100",
        },
        {
            content: "Validate",
            trigger: 'button[name="validate"]',
            run: "click",
        },
        {
            content: "DOKOS got half, less the 5 % host fee",
            trigger:
                '.o_data_row:contains("DOKOS"):contains("50.00"):contains("2.50"):contains("47.50")',
        },
        {
            trigger:
                '.o_data_row:contains("Movilab"):contains("50.00"):contains("2.50"):contains("47.50")',
        },
        {
            content: "The chatter explains the split",
            trigger: '.o-mail-Message:contains("unmet needs of 2023")',
        },
    ],
});
