from . import controllers
from . import models
from . import wizard


def post_init_hook(env):
    env["res.company"].search([])._set_commons_default_accounts()
    # The purchase taxes of contributors' bills, for companies already on the
    # French chart (a chart loaded later gets them from its own hook).
    for company in env["res.company"].search([]):
        env["account.chart.template"]._load_commons_taxes(company)
