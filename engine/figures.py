"""The schedule lines each figure of the revenue dashboard reads.

One definition, as Odoo domains on ``revenue.recognition.line`` (plain
lists, no odoo import): ``revenue.analytics`` serves them with the companies
added (``figure_domain``) and ``scripts/revenue_dashboard.py`` writes them
into the dashboard. They describe the lines as they stand now; the dated
figures (backlog as of a day, as it stood) are ``revenue.analytics``'s
``backlog_domain`` and its siblings, and now they agree with these (the
tests sum both).

>>> FIGURES["backlog"]
[['state', 'in', ['expected', 'pending']], ['allocation_difference', '=', False]]
"""

#: Allocation differences stay on the deferred account: never revenue.
NOT_ALLOCATION_DIFFERENCE = ["allocation_difference", "=", False]

FIGURES = {
    # recognised revenue: lines recognised by an entry
    "recognised": [["state", "=", "posted"]],
    # to recognise: invoiced, not recognised, not held
    "to_recognise": [["state", "=", "pending"], ["on_hold", "=", False]],
    # on hold: invoiced, not recognised, held
    "held": [["state", "=", "pending"], ["on_hold", "=", True]],
    # signed backlog: signed, not invoiced
    "expected": [["state", "=", "expected"]],
    # backlog (remaining performance obligations): signed, not recognised
    "backlog": [["state", "in", ["expected", "pending"]]],
    # the waterfall: every line that counts
    "waterfall": [["state", "!=", "cancelled"]],
}
FIGURES = {
    name: [*leaves, NOT_ALLOCATION_DIFFERENCE] for name, leaves in FIGURES.items()
}


def prefix_and(leaves):
    """``leaves`` joined by AND in Odoo's prefix notation."""
    return ["&"] * (len(leaves) - 1) + [list(leaf) for leaf in leaves]
