# Copyright 2026 Compte Commun des Communs contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""An Odoo environment on the bench's database, outside odoo-bin: what
seed.py and measure.py share (no model here)."""

import json
import logging
from contextlib import contextmanager

META_KEY = "compte_commun_communs.bench_meta"


def load_odoo(config, database, log_level="warn"):
    """Odoo's configuration and server-wide modules, as odoo-bin loads them.

    :return: the database's registry
    """
    import odoo
    from odoo.modules.registry import Registry

    odoo.tools.config.parse_config(
        ["-c", config, "-d", database, f"--log-level={log_level}", "--http-port=0"]
    )
    logging.getLogger("odoo").setLevel(getattr(logging, log_level.upper()))
    odoo.service.server.load_server_wide_modules()
    return Registry(database)


@contextmanager
def environment(registry, context=None):
    """A superuser environment on a new cursor, committed on success."""
    from odoo import SUPERUSER_ID, api

    with registry.cursor() as cr:
        yield api.Environment(cr, SUPERUSER_ID, dict(context or {}))


def read_meta(env):
    """What seed.py wrote of the seeded database: sizes, years, ids, logins."""
    return json.loads(env["ir.config_parameter"].sudo().get_param(META_KEY, "{}"))


def write_meta(env, meta):
    env["ir.config_parameter"].sudo().set_param(META_KEY, json.dumps(meta))
