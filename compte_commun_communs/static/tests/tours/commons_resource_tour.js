/** @odoo-module */
// The accountant reads a resource's figures year by year, reloads the page, then
// chooses the year of all resources' figures. The year is the accountant's choice
// (2024 when the tour starts): it survives the reload and never makes the form
// look unsaved. Years are printed as years ("2024", never "2,024").
import {registry} from "@web/core/registry";
import {stepUtils} from "@web_tour/tour_service/tour_utils";

const YEAR = '.o_form_view .o_field_widget[name="figures_year"]';
const NEEDS = '.o_form_view .o_field_widget[name="year_need_ids"]';

function formShows2023() {
    return [
        {
            content: "The form shows 2023, printed as a year",
            trigger: `${YEAR}:contains(/^2023$/)`,
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
        {
            content: "The Needs tab lists the 4 needs of 2023 only",
            trigger: `${NEEDS}:has(.o_data_row:contains("Micro-development")):not(:has(.o_data_row:contains("Security audit"))) tfoot:contains("5,600.00")`,
        },
    ];
}

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
            content: "Open LOOT, whose card shows the needs of 2024",
            trigger:
                '.o_kanban_record:contains("Logiciel LOOT"):has(.o_field_widget[name="figures_year"]:contains(/^2024$/)):contains("1,500.00")',
            run: "click",
        },
        {
            content: "The form shows 2024",
            trigger: `${YEAR}:contains(/^2024$/)`,
        },
        {
            content: "LOOT needs 1,500 in 2024",
            trigger: '.o_field_widget[name="amount_needed"]:contains("1,500.00")',
        },
        {
            content: "The Needs tab lists the need of 2024 only",
            trigger: `${NEEDS}:has(.o_data_row:contains("Security audit")):not(:has(.o_data_row:contains("Micro-development"))) tfoot:contains("1,500.00")`,
        },
        {
            content: "Go to the previous year",
            trigger: '.o_form_view button[name="action_figures_previous_year"]',
            run: "click",
        },
        ...formShows2023(),
        {
            content: "Changing the year left nothing to save",
            trigger: ".o_form_view .o_form_saved",
        },
        {
            content: "Reload the page",
            trigger: `${YEAR}:contains(/^2023$/)`,
            run() {
                window.location.reload();
            },
            expectUnloadPage: true,
        },
        ...formShows2023(),
        {
            content: "Go to the next year",
            trigger: '.o_form_view button[name="action_figures_next_year"]',
            run: "click",
        },
        {
            content: "Back to 2024: 1,500 needed",
            trigger: `${YEAR}:contains(/^2024$/)`,
        },
        {
            trigger: '.o_field_widget[name="amount_needed"]:contains("1,500.00")',
        },
        {
            content: "Choose the year of all resources' figures",
            trigger:
                '.o_main_navbar [data-menu-xmlid="compte_commun_communs.commons_resource_year_select_menu"]',
            run: "click",
        },
        {
            content: "The dialog offers the year chosen last",
            trigger: '.modal .o_field_widget[name="year"] input:value(/^2024$/)',
            run: "edit 2023",
        },
        {
            trigger: '.modal button[name="action_show_figures"]',
            run: "click",
        },
        {
            content: "LOOT's line of 2023 shows 100 %",
            trigger:
                '.o_list_view .o_data_row:contains("Logiciel LOOT"):has(td[name="figures_year"]:contains(/^2023$/)) .o_field_widget[name="coverage"]:contains("100")',
        },
        {
            content: "Open the needs, grouped by year",
            trigger:
                '.o_main_navbar [data-menu-xmlid="compte_commun_communs.commons_resource_need_menu"]',
            run: "click",
        },
        {
            content: "The group row of 2023 prints the year as a year, in its column too",
            trigger:
                '.o_list_view .o_group_header:contains("2023 (4)"):not(:contains("2,023"))',
        },
    ],
});
