# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import re
from collections import defaultdict
from urllib.parse import urlsplit

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.osv import expression

# The schemes a resource's website may have: it is shown as a link to anyone.
WEB_SCHEMES = ("http", "https")
# Who decides for a resource, and on which account its money is: once it has had
# stewards or money, these change by a proposal its stewards confirm (see
# commons.governance.proposal), never by a write.
GOVERNANCE_FIELDS = (
    "steward_ids",
    "commons_former_steward_ids",
    "commons_double_approval_amount",
    "analytic_account_id",
)


def _first_free(base, taken):
    """``base``, else the first of ``base-2``, ``base-3``… not in ``taken``."""
    candidate, number = base, 1
    while candidate in taken:
        number += 1
        candidate = f"{base}-{number}"
    return candidate


class CommonsResource(models.Model):
    _name = "commons.resource"
    _description = "Commons Resource"
    _inherit = ["mail.thread", "mail.activity.mixin", "image.mixin"]
    _order = "name, id"
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True)
    code = fields.Char(
        required=True,
        tracking=True,
        help="Short reference of the resource, used in accounting reports.",
    )
    description = fields.Html()
    website = fields.Char(string="Website URL")
    repository_url = fields.Char(string="Repository URL")
    steward_ids = fields.Many2many(
        "res.partner",
        "commons_resource_steward_rel",
        "resource_id",
        "partner_id",
        string="Stewards",
        help="People who decide how the resource's funds are allocated. Once the "
        "resource has had stewards or money, a steward is added or removed by a "
        "proposal its stewards confirm.",
    )
    contributor_ids = fields.Many2many(
        "res.partner",
        "commons_resource_contributor_rel",
        "resource_id",
        "partner_id",
        string="Contributors",
        help="People who may invoice the host for their work on the resource.",
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    active = fields.Boolean(default=True, tracking=True)
    analytic_account_id = fields.Many2one(
        "account.analytic.account",
        readonly=True,
        copy=False,
        ondelete="restrict",
        check_company=True,
        help="Every entry of the resource in the ledger carries this analytic account.",
    )
    need_ids = fields.One2many("commons.resource.need", "resource_id", string="Needs")
    # A copy is a new resource: it goes public when someone decides so.
    is_published = fields.Boolean(
        string="On the Needs Page",
        tracking=True,
        copy=False,
        help="Show the resource, its needs and its funding on the public page "
        "/communs. Contributors are never shown there.",
    )
    slug = fields.Char(
        string="Public Page Address",
        compute="_compute_slug",
        store=True,
        readonly=False,
        copy=False,
        help="The resource's public page is /communs/<address>.",
    )
    host_fee_override = fields.Boolean(
        string="Specific Host Fee",
        tracking=True,
        help="Take a host fee of its own on this resource's donations instead of "
        "the company's rate.",
    )
    host_fee_override_rate = fields.Float(
        string="Specific Host Fee (%)", digits=(16, 2), tracking=True
    )
    host_fee_rate = fields.Float(
        string="Host Fee (%)",
        compute="_compute_host_fee_rate",
        digits=(16, 2),
        help="The share of each donation the host keeps as a management fee. A "
        "donation keeps the rate of the day it was recorded.",
    )
    donation_count = fields.Integer(compute="_compute_donation_count")
    commons_double_approval_amount = fields.Monetary(
        string="Two Approvals Above",
        currency_field="currency_id",
        tracking=True,
        help="A bill that consumes more than this needs the approval of two "
        "different stewards. Zero: one approval is enough.",
    )
    instruction_ids = fields.One2many(
        "commons.allocation.instruction", "resource_id", string="Instructions"
    )

    _sql_constraints = [
        (
            "code_company_uniq",
            "unique(code, company_id)",
            "Another resource of this company already has this code.",
        ),
        (
            "slug_uniq",
            "unique(slug)",
            "Another resource already has this public page address.",
        ),
    ]

    @api.depends("code")
    def _compute_slug(self):
        # Set once: a public address does not change when the code does.
        to_set = self.filtered(lambda r: not r.slug and r.code)
        slugify = self.env["ir.http"]._slugify
        wanted = {resource: slugify(resource.code) for resource in to_set}
        # Codes are unique per company, addresses across companies.
        others = self._search_numbered("slug", set(filter(None, wanted.values())))
        taken = set(others.mapped("slug"))
        for resource, slug in wanted.items():
            slug = _first_free(slug, taken)
            taken.add(slug)
            resource.slug = slug

    @api.depends(
        "host_fee_override",
        "host_fee_override_rate",
        "company_id.commons_host_fee_rate",
    )
    def _compute_host_fee_rate(self):
        for resource in self:
            resource.host_fee_rate = (
                resource.host_fee_override_rate
                if resource.host_fee_override
                else resource.company_id.commons_host_fee_rate
            )

    def _compute_donation_count(self):
        groups = (
            self.env["donation.line"]
            .sudo()
            ._read_group(
                [("commons_resource_id", "in", self.ids)],
                ["commons_resource_id"],
                ["donation_id:count_distinct"],
            )
        )
        counts = {resource.id: count for resource, count in groups}
        for resource in self:
            resource.donation_count = counts.get(resource.id, 0)

    @api.constrains("host_fee_override_rate")
    def _check_host_fee_override_rate(self):
        for resource in self:
            if not 0 <= resource.host_fee_override_rate < 100:
                raise ValidationError(
                    self.env._(
                        "The host fee of %(resource)s must be between 0 %% and "
                        "100 %%.",
                        resource=resource.display_name,
                    )
                )

    @api.constrains("slug")
    def _check_slug(self):
        slugify = self.env["ir.http"]._slugify
        for resource in self:
            if resource.slug and slugify(resource.slug) != resource.slug:
                raise ValidationError(
                    self.env._(
                        "The public page address “%(slug)s” may only hold lower-case "
                        "letters, digits and dashes, for instance “%(example)s”.",
                        slug=resource.slug,
                        example=slugify(resource.slug) or "loot",
                    )
                )

    @api.constrains("website")
    def _check_website(self):
        for resource in self:
            if resource.website and not resource._get_website_url():
                raise ValidationError(
                    self.env._(
                        "The website of %(resource)s must be a web address starting "
                        "with https:// or http://, for instance "
                        "https://loot.example.org.",
                        resource=resource.display_name,
                    )
                )

    @api.constrains("commons_double_approval_amount")
    def _check_double_approval_amount(self):
        for resource in self:
            if resource.commons_double_approval_amount < 0:
                raise ValidationError(
                    self.env._("The two-approvals threshold cannot be negative.")
                )

    @api.model_create_multi
    def create(self, vals_list):
        # A new resource gets an analytic account made for it, below: it adopts
        # none, which might hold entries that are not its money.
        vals_list = [
            {key: value for key, value in vals.items() if key != "analytic_account_id"}
            for vals in vals_list
        ]
        resources = super().create(vals_list)
        resources._check_steward_not_self(self.env["res.partner"])
        for resource in resources:
            if not self.env.su and resource.steward_ids:
                # A new resource gets its first stewards at once: none of the
                # host's staff who post or pay.
                resource.steward_ids._check_commons_steward_duties(resource.company_id)
            # The analytic account is the resource's place in the ledger: it is
            # managed by the resource, whoever may create resources.
            resource.sudo().analytic_account_id = (
                self.env["account.analytic.account"]
                .sudo()
                .create(resource._prepare_analytic_account_vals())
            )
        return resources

    def write(self, vals):
        if "company_id" in vals:
            self._check_commons_company_change(vals["company_id"])
        if "analytic_account_id" in vals:
            self._check_commons_account_change(vals["analytic_account_id"])
        if not vals.get("is_published", True) or not vals.get("active", True):
            self._check_commons_public_proposals()
        before = {}
        if set(GOVERNANCE_FIELDS) & vals.keys():
            before = {
                resource: resource._get_commons_governance_values() for resource in self
            }
        if "company_id" in vals:
            # The account moves first: the resource checks it is of its company.
            self.analytic_account_id.sudo().company_id = vals["company_id"]
        res = super().write(vals)
        if {"name", "code", "active", "company_id"} & vals.keys():
            for resource in self.with_context(active_test=False):
                resource.analytic_account_id.sudo().write(
                    resource._prepare_analytic_account_vals()
                )
        for resource, values in before.items():
            resource._check_commons_governance_write(values)
        if "steward_ids" in vals:
            for resource, values in before.items():
                resource._update_commons_former_stewards(values["stewards"])
                # A proposal tells the stewards of its own change.
                if not (self.env.su and self.env.context.get("commons_proposal_id")):
                    resource._notify_stewards_change(values["stewards"])
        if "commons_double_approval_amount" in vals:
            self._recheck_approved_bills()
        return res

    def copy_data(self, default=None):
        default = dict(default or {})
        vals_list = super().copy_data(default=default)
        if "code" not in default:
            # Codes are unique per company: a copy of LOOT (or of LOOT-2) takes
            # the first free LOOT-2, LOOT-3…
            bases = {re.sub(r"-\d+$", "", vals["code"]) for vals in vals_list}
            taken = defaultdict(set)
            for other in self._search_numbered("code", bases):
                taken[other.company_id.id].add(other.code)
            for vals in vals_list:
                base = re.sub(r"-\d+$", "", vals["code"])
                codes = taken[vals["company_id"]]
                vals["code"] = _first_free(base, codes | {base})
                codes.add(vals["code"])
        if "name" not in default:
            for resource, vals in zip(self, vals_list, strict=True):
                vals["name"] = self.env._("%(name)s (copy)", name=resource.name)
        return vals_list

    @api.ondelete(at_uninstall=False)
    def _unlink_except_in_ledger(self):
        for resource in self:
            if resource._is_in_ledger():
                raise UserError(
                    self.env._(
                        "The resource “%(resource)s” has entries in the ledger or "
                        "donations: archive it instead of deleting it.",
                        resource=resource.display_name,
                    )
                )

    def unlink(self):
        accounts = self.analytic_account_id
        res = super().unlink()
        accounts.sudo().unlink()
        return res

    def _check_steward_not_self(self, former_stewards):
        """Nobody makes themselves a steward of a resource. This stops
        self-appointment only: whom else the host appoints, every steward,
        former and new, is emailed (see _notify_stewards_change)."""
        partner = self.env.user.partner_id
        for resource in self:
            if partner in resource.steward_ids - former_stewards:
                raise UserError(resource._get_commons_not_self_error())

    def _get_commons_not_self_error(self):
        self.ensure_one()
        return self.env._(
            "You cannot make yourself a steward of %(resource)s: "
            "stewards are the resource's own people, who decide how its "
            "funds are allocated.",
            resource=self.display_name,
        )

    def _recheck_approved_bills(self):
        """A bill approved by one steward and not posted yet, above a threshold
        now lowered under it, waits for a second steward: its state says so."""
        bills = (
            self.env["account.move"]
            .sudo()
            .search(
                [
                    ("commons_resource_id", "in", self.ids),
                    ("state", "=", "draft"),
                    ("commons_bill_state", "=", "approved"),
                ]
            )
        )
        bills._wait_for_second_commons_approval()

    def _notify_stewards_change(self, former_stewards):
        """Write a change of stewards in the chatter and email it to every
        steward, former and new: nobody is made or unmade a steward unseen."""
        self.ensure_one()
        if former_stewards == self.steward_ids:
            return
        added = self.steward_ids - former_stewards
        removed = former_stewards - self.steward_ids
        self.message_post(
            body=self.env._(
                "Stewards of %(resource)s changed by %(user)s. Added: %(added)s. "
                "Removed: %(removed)s. Stewards now: %(stewards)s.",
                resource=self.name,
                user=self.env.user.name,
                added=", ".join(added.mapped("name")) or "—",
                removed=", ".join(removed.mapped("name")) or "—",
                stewards=", ".join(self.steward_ids.mapped("name")) or "—",
            ),
            partner_ids=(former_stewards | self.steward_ids).ids,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )

    def action_view_analytic_lines(self):
        self.ensure_one()
        column = self._get_analytic_plan()._column_name()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "analytic.account_analytic_line_action_entries"
        )
        action.update(
            {
                "display_name": self.env._(
                    "Analytic Items of %(resource)s", resource=self.name
                ),
                "domain": [(column, "=", self.analytic_account_id.id)],
                # A resource's analytic items come from journal items only.
                "context": {
                    "default_" + column: self.analytic_account_id.id,
                    "create": False,
                },
            }
        )
        return action

    def action_view_donations(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "compte_commun_communs.donation_donation_action"
        )
        action.update(
            {
                "display_name": self.env._(
                    "Donations to %(resource)s", resource=self.name
                ),
                "domain": [("line_ids.commons_resource_id", "=", self.id)],
                "context": {"default_company_id": self.company_id.id},
            }
        )
        return action

    def _prepare_analytic_account_vals(self):
        self.ensure_one()
        return {
            "name": self.name,
            "code": self.code,
            "plan_id": self._get_analytic_plan().id,
            "company_id": self.company_id.id,
            "active": self.active,
        }

    def _get_website_url(self):
        """The website, to be shown as a link: only a web address (http or https
        with a host), normalised as a browser reads it; else False."""
        self.ensure_one()
        try:
            # urlsplit drops leading blanks and tabs or newlines anywhere, as
            # browsers do: "java\tscript:" is read as "javascript:".
            parts = urlsplit(self.website or "")
        except ValueError:
            return False
        if parts.scheme in WEB_SCHEMES and parts.netloc:
            return parts.geturl()
        return False

    @api.model
    def _search_numbered(self, fname, values):
        """Resources of any company, archived ones included, whose ``fname`` is
        one of ``values`` or a numbered form of one (``loot-2``…), in one search
        and as superuser: what is taken matters, not what the user may see."""
        if not values:
            return self.sudo().browse()
        domain = expression.OR(
            [[(fname, "in", list(values))]]
            + [[(fname, "=like", f"{value}-%")] for value in values]
        )
        return self.sudo().with_context(active_test=False).search(domain)

    @api.model
    def _get_analytic_plan(self):
        return self.env.ref("compte_commun_communs.account_analytic_plan_commons")

    def _is_in_ledger(self):
        """Whether an analytic line, a journal item (draft ones included) or a
        donation line refers to the resource."""
        self.ensure_one()
        return bool(
            self.env["donation.line"]
            .sudo()
            .search_count([("commons_resource_id", "=", self.id)], limit=1)
            or self._has_commons_entries()
        )

    def _has_commons_entries(self):
        """Whether an analytic line or a journal item (draft ones included)
        names the resource's analytic account."""
        self.ensure_one()
        return self._is_commons_account_in_ledger(self.analytic_account_id)

    @api.model
    def _is_commons_account_in_ledger(self, account):
        """Whether an analytic line or a journal item (draft ones included)
        names the analytic account ``account`` (False when it is empty)."""
        if not account:
            return False
        column = self._get_analytic_plan()._column_name()
        return bool(
            self.env["account.analytic.line"]
            .sudo()
            .search_count([(column, "=", account.id)], limit=1)
            or self.env["account.move.line"]
            .sudo()
            .search_count([("analytic_distribution", "in", account.ids)], limit=1)
        )
