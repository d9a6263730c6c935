"""Recognition entries: what happens when one is reset, reversed or deleted.

A recognition entry (``revenue_recognition_entry``) recognises the schedule
lines linked to it by ``recognition_move_id``. Whenever it stops recognising
them (reset to draft, cancelled, reversed, deleted as a draft) the lines go
back to ``pending`` so that the next run recognises them again. Posted
entries are reversed, never deleted (``account`` refuses to delete posted
journal items).
"""

from odoo import fields, models
from odoo.exceptions import UserError


class AccountMove(models.Model):
    _inherit = "account.move"

    revenue_recognition_entry = fields.Boolean(
        copy=False,
        readonly=True,
        help="Created by Create journal or the automatic recognition.",
    )
    revenue_recognised_line_ids = fields.One2many(
        "revenue.recognition.line",
        "recognition_move_id",
        string="Recognised Revenue Lines",
    )

    def unlink(self):
        self.filtered(
            lambda move: move.revenue_recognition_entry and move.state != "posted"
        )._revenue_release_lines()
        return super().unlink()

    def button_draft(self):
        res = super().button_draft()
        self.filtered("revenue_recognition_entry")._revenue_release_lines()
        return res

    def button_cancel(self):
        res = super().button_cancel()
        self.filtered("revenue_recognition_entry")._revenue_release_lines()
        return res

    def _post(self, soft=True):
        orphans = self.filtered(
            lambda move: (
                move.revenue_recognition_entry and not move.revenue_recognised_line_ids
            )
        )
        if orphans:
            raise UserError(
                self.env._(
                    "Revenue recognition entry %(entry)s no longer recognises any "
                    "schedule line: its lines went back to pending when it was reset "
                    "to draft. "
                    "Delete or cancel it and run Create journal again.",
                    entry=orphans[0].display_name,
                )
            )
        twice = self.filtered(
            lambda move: (
                move.reversed_entry_id.reversed_entry_id.revenue_recognition_entry
            )
        )
        if twice:
            raise UserError(
                self.env._(
                    "Entry %(entry)s would reverse the reversal of revenue recognition "
                    "entry %(original)s and recognise its revenue a second time. "
                    "Delete this entry and run Create journal instead.",
                    entry=twice[0].display_name,
                    original=twice[0].reversed_entry_id.reversed_entry_id.display_name,
                )
            )
        posted = super()._post(soft=soft)
        # A posted reversal takes the revenue back: its lines are pending again.
        posted.reversed_entry_id.filtered(
            "revenue_recognition_entry"
        )._revenue_release_lines()
        return posted

    def _revenue_release_lines(self):
        """Put the schedule lines recognised by these entries back to pending."""
        if not self:
            return
        lines = (
            self.env["revenue.recognition.line"]
            .sudo()
            .search([("recognition_move_id", "in", self.ids), ("state", "=", "posted")])
        )
        lines._bookkeeping().write({"state": "pending", "recognition_move_id": False})
