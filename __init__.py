from . import models
from . import wizard
from . import report


def post_init_hook(env):
    """Set up the revenue journal and deferred account of existing companies."""
    env["res.company"].search([])._revenue_setup()
