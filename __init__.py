from . import models
from . import report
from . import wizard


def post_init_hook(env):
    """Set up the revenue journal and deferred account of existing companies."""
    env["res.company"].search([])._revenue_setup()
