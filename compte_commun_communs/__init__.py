from . import controllers
from . import models
from . import wizard


def post_init_hook(env):
    env["res.company"].search([])._set_commons_default_accounts()
