# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
{
    "name": "Compte Commun des Communs",
    "summary": "Host and redistribute funds earmarked for commons resources",
    "version": "18.0.1.0.0",
    "category": "Accounting",
    "author": "Compte Commun des Communs contributors",
    "license": "AGPL-3",
    "application": True,
    "depends": ["account", "analytic", "portal", "donation"],
    "data": [
        "security/compte_commun_communs_groups.xml",
        "security/ir.model.access.csv",
        "security/commons_resource_security.xml",
        "data/account_analytic_plan_data.xml",
        "data/commons_need_category_data.xml",
        "views/commons_resource_views.xml",
        "views/commons_resource_need_views.xml",
        "views/commons_need_category_views.xml",
        "wizard/commons_resource_year_select_views.xml",
        "views/donation_donation_views.xml",
        "views/compte_commun_communs_menus.xml",
    ],
    "demo": [
        "demo/res_partner_demo.xml",
        "demo/res_users_demo.xml",
        "demo/commons_resource_demo.xml",
        "demo/donation_donation_demo.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "compte_commun_communs/static/tests/tours/*.js",
        ],
    },
    "installable": True,
}
