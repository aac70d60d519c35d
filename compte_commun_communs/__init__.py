from . import controllers
from . import models
from . import wizard


def post_init_hook(env):
    # The Commons plan's column exists now: the figures' index can be made.
    env["account.analytic.line"]._create_commons_ledger_index()
    env["res.company"].search([])._set_commons_default_accounts()
    # The purchase taxes of contributors' bills, for companies already on the
    # French chart (a chart loaded later gets them from its own hook).
    for company in env["res.company"].search([]):
        env["account.chart.template"]._load_commons_taxes(company)
