/** @odoo-module */
// The accountant opens a resource and reads its figures for a chosen year.
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
    ],
});
