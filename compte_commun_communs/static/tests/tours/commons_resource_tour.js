/** @odoo-module */
// The accountant reads a resource's figures for a chosen year, then all resources'.
import {registry} from "@web/core/registry";
import {stepUtils} from "@web_tour/tour_service/tour_utils";

registry.category("web_tour.tours").add("compte_commun_communs_resource_figures", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open the Commons app",
            trigger:
                '.o_app[data-menu-xmlid="compte_commun_communs.compte_commun_communs_menu_root"]',
            run: "click",
        },
        {
            content: "Open LOOT",
            trigger: '.o_kanban_record:contains("Logiciel LOOT")',
            run: "click",
        },
        {
            content: "Show the figures of 2023",
            trigger: '.o_field_widget[name="figures_year"] input',
            run: "edit 2023 && click .o_form_view .oe_title",
        },
        {
            content: "LOOT needed 5,600 in 2023",
            trigger: '.o_field_widget[name="amount_needed"]:contains("5,600.00")',
        },
        {
            content: "LOOT was funded 5,600 in 2023",
            trigger: '.o_field_widget[name="amount_funded"]:contains("5,600.00")',
        },
        {
            content: "LOOT's coverage is 100 %",
            trigger: '.o_field_widget[name="coverage"]:contains("100")',
        },
        ...stepUtils.saveForm(),
        {
            content: "Choose the year of all resources' figures",
            trigger:
                '.o_main_navbar [data-menu-xmlid="compte_commun_communs.commons_resource_year_select_menu"]',
            run: "click",
        },
        {
            trigger: '.modal .o_field_widget[name="year"] input',
            run: "edit 2023",
        },
        {
            trigger: '.modal button[name="action_show_figures"]',
            run: "click",
        },
        {
            content: "LOOT's line of 2023 shows 100 %",
            trigger:
                '.o_list_view .o_data_row:contains("Logiciel LOOT") .o_field_widget[name="coverage"]:contains("100")',
        },
    ],
});
