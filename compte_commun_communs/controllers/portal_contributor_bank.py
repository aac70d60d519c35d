# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import http
from odoo.exceptions import UserError
from odoo.http import request

from .portal_contributor import CommonsContributorPortal


class CommonsContributorBankPortal(CommonsContributorPortal):
    """The contributor's bank accounts: /my/commons/bank-accounts lists them
    (their last digits, holder and whether the host confirmed them), adds
    one and changes one. Portal users read no bank account: the page reads
    them as superuser, and res.partner.bank._commons_portal_save decides
    what a change does."""

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "commons_bank_count" in counters:
            # Shown to every contributor, even with no account yet: the
            # page is where they add it.
            values["commons_bank_count"] = (
                max(
                    len(
                        request.env["res.partner.bank"]._get_commons_portal_accounts(
                            self._get_commons_contributor()
                        )
                    ),
                    1,
                )
                if self._is_commons_contributor()
                else 0
            )
        return values

    def _render_commons_bank_accounts(self, edit=None, form=None, error=None, **kw):
        accounts = request.env["res.partner.bank"]._get_commons_portal_accounts(
            self._get_commons_contributor()
        )
        try:
            edit_id = int(edit or 0)
        except (TypeError, ValueError):
            edit_id = 0
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "commons_bank_accounts",
                "bank_accounts": accounts,
                # Only an account of theirs: any other id shows the add form.
                "edited": accounts.filtered(lambda bank: bank.id == edit_id),
                "form": form or {},
                "error": error and str(error),
                "error_field": getattr(error, "field", None),
                **kw,
            }
        )
        return request.render(
            "compte_commun_communs.portal_my_commons_bank_accounts", values
        )

    @http.route(
        "/my/commons/bank-accounts",
        type="http",
        auth="user",
        website=True,
        methods=["GET"],
    )
    def portal_my_commons_bank_accounts(self, edit=None, saved=None, **kwargs):
        if not self._is_commons_contributor():
            return request.redirect("/my")
        return self._render_commons_bank_accounts(edit=edit, saved=saved)

    @http.route(
        "/my/commons/bank-accounts",
        type="http",
        auth="user",
        website=True,
        methods=["POST"],
    )
    def portal_my_commons_bank_account_save(self, **kwargs):
        if not self._is_commons_contributor():
            return request.redirect("/my")
        form = request.httprequest.form
        values = {
            "acc_number": form.get("acc_number"),
            "acc_holder_name": form.get("acc_holder_name"),
        }
        bank_id = form.get("bank_id") or None
        try:
            # Nothing is left of a refused change.
            with request.env.cr.savepoint():
                bank = request.env["res.partner.bank"]._commons_portal_save(
                    self._get_commons_contributor(), values, bank_id
                )
        except UserError as error:
            return self._render_commons_bank_accounts(
                edit=bank_id, form=values, error=error
            )
        return request.redirect(f"/my/commons/bank-accounts?saved={bank.id}")
