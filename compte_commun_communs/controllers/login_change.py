# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import http
from odoo.exceptions import UserError
from odoo.http import request


class CommonsLoginChange(http.Controller):
    """The link emailed to the previous address of a steward or contributor
    whose login someone else changed: its owner reads what changed and
    confirms it, without logging in (the new credentials may not be theirs).
    The model checks the link and confirms; this only parses and renders."""

    def _render_commons_login_change(self, change, **values):
        return request.render(
            "compte_commun_communs.commons_login_change_page",
            {
                **(change._get_commons_page_values() if change else {}),
                **values,
            },
        )

    @http.route(
        "/commons/login-change/<string:token>",
        type="http",
        auth="public",
        methods=["GET"],
        website=True,
        sitemap=False,
    )
    def commons_login_change(self, token, **kwargs):
        Change = request.env["commons.login.change"]
        change = Change._get_commons_from_token(token)
        if not change:
            return self._render_commons_login_change(
                change, error=change._get_commons_invalid_link_message()
            )
        try:
            change._check_commons_confirmable()
        except UserError as error:
            return self._render_commons_login_change(change, error=error.args[0])
        return self._render_commons_login_change(change, token=token)

    @http.route(
        "/commons/login-change/<string:token>/confirm",
        type="http",
        auth="public",
        methods=["POST"],
        website=True,
        sitemap=False,
    )
    def commons_login_change_confirm(self, token, **kwargs):
        Change = request.env["commons.login.change"]
        try:
            change = Change._commons_confirm_token(token)
        except UserError as error:
            return self._render_commons_login_change(
                Change._get_commons_from_token(token), error=error.args[0]
            )
        return self._render_commons_login_change(change, done=True)
