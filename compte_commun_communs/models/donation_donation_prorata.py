# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from markupsafe import Markup

from odoo import models
from odoo.exceptions import UserError
from odoo.tools import format_amount


class DonationDonation(models.Model):
    """A gift the funder asked to split across resources by their unmet needs."""

    # One concern a file, as account_journal_dashboard.py does for account.journal.
    _inherit = "donation.donation"  # pylint: disable=consider-merging-classes-inherited

    def _split_commons_prorata(self):
        """Replace the lines without a resource by lines earmarked to the chosen
        resources, in proportion to their unmet needs of the year; cents are
        distributed so that the new lines sum exactly to the line they replace."""
        self.ensure_one()
        resources = self.commons_prorata_resource_ids.sorted("id")
        unmet = resources._get_unmet_needs(self.commons_prorata_year)
        total_unmet = sum(unmet.values())
        if self.company_currency_id.is_zero(total_unmet):
            raise UserError(
                self.env._(
                    "None of the resources chosen to split %(donation)s has unmet "
                    "needs for %(year)s.",
                    donation=self.display_name,
                    year=self.commons_prorata_year,
                )
            )
        to_split = self.line_ids.filtered(
            lambda line: not line.commons_resource_id and not line.in_kind
        )
        explanation = []
        for line in to_split:
            shares = self._get_commons_prorata_shares(line.amount, unmet)
            self.env["donation.line"].create(
                [
                    line._prepare_commons_prorata_line_vals(resource, amount)
                    for resource, amount in shares.items()
                    if not self.currency_id.is_zero(amount)
                ]
            )
            explanation += [
                Markup("<li>%s</li>")
                % self.env._(
                    "%(resource)s: unmet need %(unmet)s, %(share)s %% → %(amount)s",
                    resource=resource.name,
                    unmet=format_amount(
                        self.env, unmet[resource], self.company_currency_id
                    ),
                    share=round(100 * unmet[resource] / total_unmet, 2),
                    amount=format_amount(self.env, amount, self.currency_id),
                )
                for resource, amount in shares.items()
            ]
        to_split.unlink()
        self.message_post(
            body=Markup("<p>%s</p><ul>%s</ul>")
            % (
                self.env._(
                    "Split across the resources in proportion to their unmet needs "
                    "of %(year)s, as the funder asked:",
                    year=self.commons_prorata_year,
                ),
                Markup().join(explanation),
            )
        )

    def _get_commons_prorata_shares(self, amount, unmet):
        """Largest remainder method in cents: the shares sum exactly to the amount.

        :param unmet: {resource: unmet need}
        :return: {resource: share}
        """
        self.ensure_one()
        currency = self.currency_id
        cents = round(amount / currency.rounding)
        total_unmet = sum(unmet.values())
        exact = {r: cents * need / total_unmet for r, need in unmet.items()}
        shares = {r: int(value) for r, value in exact.items()}
        leftover = cents - sum(shares.values())
        by_remainder = sorted(exact, key=lambda r: (-(exact[r] - shares[r]), r.id))
        for resource in by_remainder[:leftover]:
            shares[resource] += 1
        return {r: currency.round(c * currency.rounding) for r, c in shares.items()}
