# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import http
from odoo.exceptions import AccessError, MissingError
from odoo.http import request

from ..models.commons_governance_proposal import OBJECT_URL, PORTAL_URL
from .portal_steward import DECISION_ERRORS, CommonsStewardPortal

RECENT_PROPOSALS = 10


class CommonsStewardGovernancePortal(CommonsStewardPortal):
    """The stewards' page of the changes of who decides that the host proposes
    for their resources: they confirm or object to each. The proposal's own
    methods check who decides (``env.user`` stays the portal user under
    ``sudo()``)."""

    def _get_commons_steward_proposal_sudo(self, proposal_id):
        """A proposal of a resource the session user stewards, as superuser;
        raises MissingError for any other."""
        proposal = (
            request.env["commons.governance.proposal"]
            .sudo()
            .browse(proposal_id)
            .exists()
        )
        if (
            not proposal
            or proposal.resource_id not in self._get_commons_stewarded_resources()
        ):
            raise MissingError(request.env._("This proposal does not exist."))
        return proposal

    def _get_commons_waiting_domain(self, resources):
        return [("resource_id", "in", resources.ids), ("state", "=", "waiting")]

    def _get_commons_waiting_proposals(self, resources):
        return (
            request.env["commons.governance.proposal"]
            .sudo()
            .search(
                self._get_commons_waiting_domain(resources),
                order="date_proposed, id",
            )
        )

    def _prepare_commons_proposals_values(self, resources):
        """Values of /my/commons/proposals: the proposals waiting for the
        stewards, with why the session user may not confirm or object to each
        (False when they may), and the latest decided ones."""
        decided = (
            request.env["commons.governance.proposal"]
            .sudo()
            .search(
                [("resource_id", "in", resources.ids), ("state", "!=", "waiting")],
                order="date_decided desc, id desc",
                limit=RECENT_PROPOSALS,
            )
        )
        waiting = self._get_commons_waiting_proposals(resources)
        refusals = waiting._get_commons_decider_refusals()
        return {
            "proposals": [
                {
                    "proposal": proposal,
                    "summary": proposal._get_commons_portal_summary(),
                    "confirm_refusal": refusals[proposal]["confirm"],
                    "object_refusal": refusals[proposal]["object"],
                }
                for proposal in waiting
            ],
            "decided": decided,
        }

    @http.route()
    def portal_my_commons(self, **kwargs):
        response = super().portal_my_commons(**kwargs)
        # A page rendered has its sections; a redirect has none.
        sections = (getattr(response, "qcontext", None) or {}).get("sections")
        if sections is not None:
            # The resources the page shows, found once.
            resources = request.env["commons.resource"].concat(
                *(section["resource"] for section in sections)
            )
            response.qcontext["commons_proposal_count"] = (
                request.env["commons.governance.proposal"]
                .sudo()
                .search_count(self._get_commons_waiting_domain(resources))
            )
        return response

    @http.route(PORTAL_URL, type="http", auth="user", website=True)
    def portal_my_commons_proposals(self, **kwargs):
        resources = self._get_commons_stewarded_resources()
        if not resources:
            return request.redirect("/my")
        values = self._prepare_portal_layout_values()
        values.update(self._prepare_commons_proposals_values(resources))
        values.update(
            {
                "page_name": "commons_proposals",
                "notice": self._pop_commons_notice(),
            }
        )
        return request.render(
            "compte_commun_communs.portal_my_commons_proposals", values
        )

    def _commons_proposal_decision(self, proposal_id, method, done_message):
        """Call a decision of the proposal; ``done_message(proposal)`` is the
        notice shown when it succeeds. A proposal the decision cancelled
        (the person it adds changed since) shows why."""
        try:
            proposal = self._get_commons_steward_proposal_sudo(proposal_id)
        except MissingError:
            return request.redirect("/my")
        try:
            with request.env.cr.savepoint():
                getattr(proposal, method)()
        except DECISION_ERRORS as error:
            self._set_commons_notice(error.args[0], "danger")
        else:
            if proposal.state == "cancel":
                self._set_commons_notice(proposal.state_reason, "danger")
            else:
                self._set_commons_notice(done_message(proposal))
        return request.redirect(PORTAL_URL)

    @http.route(
        f"{PORTAL_URL}/<int:proposal_id>/confirm",
        type="http",
        auth="user",
        website=True,
        methods=["POST"],
    )
    def portal_my_commons_proposal_confirm(self, proposal_id, **kwargs):
        return self._commons_proposal_decision(
            proposal_id,
            "action_commons_confirm",
            lambda proposal: request.env._(
                "You confirmed the change to %(resource)s: %(change)s. It is applied.",
                resource=proposal.resource_id.name,
                change=proposal.description,
            ),
        )

    @http.route(
        f"{PORTAL_URL}/<int:proposal_id>/object",
        type="http",
        auth="user",
        website=True,
        methods=["POST"],
    )
    def portal_my_commons_proposal_object(self, proposal_id, **kwargs):
        return self._commons_proposal_decision(
            proposal_id,
            "action_commons_object",
            lambda proposal: request.env._(
                "You objected to the change to %(resource)s: %(change)s. It is "
                "cancelled.",
                resource=proposal.resource_id.name,
                change=proposal.description,
            ),
        )


class CommonsProposalObjection(http.Controller):
    """The link emailed to the current and former stewards of a resource when
    no steward can confirm a change: they object to it without logging in.
    Opening the link only shows the change; objecting is a POST."""

    @http.route(
        OBJECT_URL,
        type="http",
        auth="public",
        website=True,
        sitemap=False,
        methods=["GET", "POST"],
    )
    def commons_proposal_object(self, token=None, **kwargs):
        template = "compte_commun_communs.commons_proposal_object_page"
        try:
            proposal, partner = request.env[
                "commons.governance.proposal"
            ]._get_commons_proposal_by_token(token)
        except AccessError as error:
            return request.render(template, {"error": error.args[0]}, status=403)
        public_values = proposal._prepare_public_values()
        values = {
            "token": token,
            "proposal": public_values,
            "wait": request.env._(
                "No steward of the resource can confirm it: it takes effect on "
                "%(date)s unless someone objects. You object as %(person)s.",
                date=public_values["date_effective"],
                person=partner.name,
            ),
            "waiting": proposal.state == "waiting",
        }
        if request.httprequest.method == "POST":
            try:
                with request.env.cr.savepoint():
                    proposal._object_commons_by_link(partner)
            except DECISION_ERRORS as error:
                values["error"] = error.args[0]
            else:
                values.update(done=True, waiting=False)
        elif proposal.state != "waiting":
            values["error"] = proposal._get_commons_not_waiting_error()
        return request.render(template, values)
