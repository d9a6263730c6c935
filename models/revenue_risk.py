from odoo import fields, models


class RevenueRisk(models.Model):
    """A risk on signed revenue (termination, onboarding delay, dependency):
    tagged on orders or order lines, the backlog is split by it."""

    _name = "revenue.risk"
    _description = "Revenue Risk"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    description = fields.Text(
        translate=True, help="What the risk is, and what to watch for."
    )
    color = fields.Integer()
