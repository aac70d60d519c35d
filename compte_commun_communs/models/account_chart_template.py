# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import Command, models

# Purchase taxes the French chart lacks for contributors' bills to a host that
# does not recover VAT: {xml id: (rate, French chart's tax group, name, label on
# bills, description)}. Names are French: they are data of a French company.
COMMONS_FRENCH_TAXES = {
    "commons_tva_nd_20": (
        20.0,
        "tax_group_tva_20",
        "TVA non déductible 20 %",
        "TVA 20 %",
        "TVA non récupérable : une charge de la ressource",
    ),
    "commons_tva_nd_10": (
        10.0,
        "tax_group_tva_10",
        "TVA non déductible 10 %",
        "TVA 10 %",
        "TVA non récupérable : une charge de la ressource",
    ),
    "commons_tva_nd_55": (
        5.5,
        "tax_group_tva_55",
        "TVA non déductible 5,5 %",
        "TVA 5,5 %",
        "TVA non récupérable : une charge de la ressource",
    ),
    "commons_tva_293b": (
        0.0,
        "tax_group_tva_0",
        "TVA non applicable, art. 293 B du CGI",
        "TVA non applicable, art. 293 B du CGI",
        "Franchise en base de TVA (micro-entrepreneurs)",
    ),
}


class AccountChartTemplate(models.AbstractModel):
    _inherit = "account.chart.template"

    def _load(self, template_code, company, install_demo, force_create=True):
        res = super()._load(template_code, company, install_demo, force_create)
        company._set_commons_default_accounts()
        self._load_commons_taxes(company)
        return res

    def _load_commons_taxes(self, company):
        """Give a company on the French chart (or a chart derived from it) the
        purchase taxes of contributors' bills it does not have yet.

        :return: the taxes created
        """
        if (
            company.parent_id  # a branch uses its parent's taxes
            or not company.chart_template
            or "fr" not in self._get_parent_template(company.chart_template)
        ):
            return self.env["account.tax"]
        return self._create_commons_taxes(company)

    def _create_commons_taxes(self, company):
        """Create the purchase taxes of contributors' bills the company does not
        have yet, with stable xml ids (``account.<company id>_commons_…``, as
        the chart's own taxes): calling it again creates nothing, and a tax the
        host changed stays as the host left it.

        Non-deductible VAT: the tax's repartition lines have no account, so the
        VAT lands on the bill line's expense account with its analytic
        distribution, a cost of the resource like the amount before VAT.

        :return: the taxes created
        """
        chart = self.with_company(company).with_context(
            default_company_id=company.id, tracking_disable=True
        )
        data = {
            xmlid: chart._prepare_commons_tax_vals(*definition)
            for xmlid, definition in COMMONS_FRENCH_TAXES.items()
            if not chart.ref(xmlid, raise_if_not_found=False)
        }
        if not data:
            return self.env["account.tax"]
        return chart._load_data({"account.tax": data})["account.tax"]

    def _prepare_commons_tax_vals(self, rate, tax_group, name, label, description):
        """Values of a purchase tax of contributors' bills, for ``_load_data``:
        a tax group of the French chart when the company has it, otherwise the
        company's default one."""
        repartition = [
            Command.create(
                {"document_type": document_type, "repartition_type": repartition_type}
            )
            for document_type in ("invoice", "refund")
            for repartition_type in ("base", "tax")
        ]
        vals = {
            "name": name,
            "invoice_label": label,
            "description": description,
            "amount": rate,
            "amount_type": "percent",
            "type_tax_use": "purchase",
            "price_include_override": "tax_excluded",
            "repartition_line_ids": repartition,
        }
        if self.ref(tax_group, raise_if_not_found=False):
            vals["tax_group_id"] = tax_group
        return vals
