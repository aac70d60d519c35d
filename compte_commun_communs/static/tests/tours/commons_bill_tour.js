/** @odoo-module */
// The steward finds the bill waiting for them from the card of their portal
// home, reads how much of the envelope it leaves, approves it and reads the
// confirmation; the bill then moves to the recent decisions.
import {registry} from "@web/core/registry";

const BILL = ".o_commons_bill_to_decide:has(.o_commons_bill_ref:contains('F-2023-014'))";

registry.category("web_tour.tours").add("compte_commun_communs_steward_approves_bill", {
    url: "/my",
    steps: () => [
        {
            content: "The steward opens the commons they steward from their portal home",
            trigger: ".o_portal_index_card:not(.d-none) a[href='/my/commons']",
            run: "click",
        },
        {
            content: "The bill waits for them, with what the envelope keeps after it",
            trigger: `${BILL} .o_commons_remaining_after:contains("400.00")`,
        },
        {
            content: "They approve it",
            trigger: `${BILL} .o_commons_approve`,
            run: "click",
        },
        {
            content: "The page confirms the approval",
            trigger: ".o_commons_notice:contains('F-2023-014 is approved')",
        },
        {
            content: "The bill is among the recent decisions, no longer waiting",
            trigger: `body:not(:has(${BILL})) .o_commons_decision_row:contains('F-2023-014')`,
        },
    ],
});
