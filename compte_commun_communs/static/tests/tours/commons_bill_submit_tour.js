/** @odoo-module */
// The contributor finds their allocation instruction from the card of their
// portal home, fills the form of a bill against it (their invoice number,
// today's date, one line, the PDF of their invoice), sends it and reads that
// it waits for the stewards. The steward's side is the tour
// compte_commun_communs_steward_approves_bill (commons_bill_tour.js), which
// approves this same invoice, F-2023-014.
import {registry} from "@web/core/registry";

const FORM = "form.o_commons_bill_form";

/**
 * A small, valid one-page PDF (its cross-reference table points at its
 * objects), as the bytes a contributor's PDF file would have.
 *
 * @returns {string}
 */
function invoicePdf() {
    const objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] >>",
    ];
    let pdf = "%PDF-1.4\n";
    const offsets = objects.map((object, index) => {
        const offset = pdf.length;
        pdf += `${index + 1} 0 obj\n${object}\nendobj\n`;
        return offset;
    });
    const xref = pdf.length;
    pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
    for (const offset of offsets) {
        pdf += `${String(offset).padStart(10, "0")} 00000 n \n`;
    }
    pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\n`;
    pdf += `startxref\n${xref}\n%%EOF\n`;
    return pdf;
}

/**
 * Today in the browser's time zone, as an <input type="date"> takes it.
 *
 * @returns {string}
 */
function today() {
    const now = new Date();
    const pad = (number) => String(number).padStart(2, "0");
    return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

registry.category("web_tour.tours").add("compte_commun_communs_contributor_submits_bill", {
    url: "/my",
    steps: () => [
        {
            content: "The contributor opens their bills from their portal home",
            trigger: ".o_portal_index_card:not(.d-none) a[href='/my/commons/bills']",
            run: "click",
        },
        {
            content: "Their instruction of 1,600 is there: they send a bill against it",
            trigger:
                ".o_commons_instruction_row:contains('Bug fixes'):contains('1,600.00') .o_commons_bill_new",
            run: "click",
        },
        {
            content: "The form is for that instruction",
            trigger: `${FORM} select[name='instruction_id']:has(option:selected:contains('Bug fixes'))`,
        },
        {
            content: "They type their invoice number",
            trigger: `${FORM} input[name='ref']`,
            run: "edit F-2023-014",
        },
        {
            content: "They give today's date",
            trigger: `${FORM} input[name='invoice_date']`,
            run() {
                this.anchor.value = today();
                this.anchor.dispatchEvent(new Event("input", {bubbles: true}));
                this.anchor.dispatchEvent(new Event("change", {bubbles: true}));
            },
        },
        {
            content: "They describe the work of the first line",
            trigger: `${FORM} tbody tr:first-child input[name='line_label']`,
            run: "edit Bug fixes of June",
        },
        {
            content: "They give its amount",
            trigger: `${FORM} tbody tr:first-child input[name='line_amount']`,
            run: "edit 1200",
        },
        {
            content: "They attach the PDF of their invoice",
            trigger: `${FORM} input[name='invoice_file']`,
            run() {
                const file = new File([invoicePdf()], "F-2023-014.pdf", {
                    type: "application/pdf",
                });
                const transfer = new DataTransfer();
                transfer.items.add(file);
                this.anchor.files = transfer.files;
                this.anchor.dispatchEvent(new Event("change", {bubbles: true}));
            },
        },
        {
            content: "They send the bill",
            trigger: `${FORM} button[type='submit']`,
            run: "click",
        },
        {
            content: "The bill waits for the stewards",
            trigger:
                ".o_commons_bill:contains('F-2023-014') .o_commons_bill_status[data-status='submitted']:contains('Waiting for the stewards')",
        },
        {
            content: "Its invoice file is there",
            trigger: ".o_commons_bill .o_commons_bill_file:contains('F-2023-014.pdf')",
        },
        {
            content: "They go back to their bills",
            trigger: ".breadcrumb a[href='/my/commons/bills']",
            run: "click",
        },
        {
            content: "The bill of 1,200 is listed, waiting for the stewards",
            trigger:
                ".o_commons_bill_row:contains('F-2023-014'):contains('1,200.00') .o_commons_bill_status:contains('Waiting for the stewards')",
        },
    ],
});
