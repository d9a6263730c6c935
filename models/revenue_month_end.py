"""The month end of ``revenue.recognition.line``: the daily cron.

Calls the accrual (``revenue_accrual.py``) and the recognition run
(``revenue_recognition_posting.py``); nothing in those files calls back here.
"""

import logging
from datetime import timedelta

from odoo import api, fields, models

from .revenue_recognition_posting import CRON_BATCH_LIMIT, RecognitionResult

_logger = logging.getLogger(__name__)


class RevenueRecognitionLine(models.Model):
    """The daily cron of ``revenue.recognition.line``: accrual, then recognition."""

    _inherit = "revenue.recognition.line"

    @api.model
    def _cron_recognise(self, limit=CRON_BATCH_LIMIT):
        """Daily: release the due lines of companies with automatic recognition.

        Follows ``account.move._autopost_draft_entries``: at most ``limit``
        lines per run, and the cron triggers itself again when the limit was
        reached. Each company runs in its own transaction, each chunk of
        entries is committed as soon as it is posted (never under tests), and
        any failure of a chunk (or of a whole company) is logged with its
        schedule lines and skipped: the lines stay pending, the rest goes on.
        First, companies that accrue unbilled revenue get their last month end
        accrued (``_cron_accrue``). Returns the number of lines released.
        """
        commit = self._revenue_can_commit()
        today = fields.Date.context_today(self)
        # Unbilled revenue, once after each month end (revenue_accrual.py).
        self._cron_accrue(today)
        companies = self.env["res.company"].search([("revenue_auto_post", "=", True)])
        done = failed = 0
        errors = []
        limit_reached = False
        for company in companies:
            budget = limit - done - failed
            if budget <= 0:
                limit_reached = True
                break
            result = self._cron_recognise_company(company, today, budget, commit)
            done += result.line_count
            failed += result.failed_count
            errors.extend(result.errors)
            limit_reached = done + failed >= limit
        if errors:
            _logger.warning(
                "Automatic revenue recognition: %s schedule line(s) could not be "
                "recognised and stay pending.\n%s",
                failed,
                "\n".join(errors),
            )
        remaining = 0
        if companies:
            remaining = self.search_count(
                self._get_due_domain(today) + [("company_id", "in", companies.ids)]
            )
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        if limit_reached and done and remaining:
            self.env.ref("revenue_recognition.ir_cron_revenue_recognition")._trigger()
        return done

    @api.model
    def _cron_recognise_company(self, company, today, limit, commit):
        """One company of the cron, in its own transaction when ``commit``."""
        records = self.with_company(company).with_context(revenue_commit=commit)
        kwargs = {
            "grouping": company.revenue_auto_post_grouping,
            "post": company.revenue_auto_post_entries,
            "domain": [("company_id", "=", company.id)],
            "limit": limit,
            "fault_tolerant": True,
        }
        try:
            if commit:
                result = records._recognise(today, **kwargs)
                # One transaction per company (cron only, never under tests).
                self.env.cr.commit()  # pylint: disable=invalid-commit
            else:
                with self.env.cr.savepoint():
                    result = records._recognise(today, **kwargs)
        except Exception as error:  # noqa: BLE001 - logged, the other companies go on
            if commit:
                self.env.cr.rollback()
            message = self.env._(
                "Company %(company)s: the automatic revenue recognition failed and "
                "will run again tomorrow: %(error)s",
                company=company.display_name,
                error=error,
            )
            _logger.exception(message)
            result = RecognitionResult(errors=[message])
        return result

    @api.model
    def _cron_accrue(self, today):
        """Accrue the last month end, once, for companies that accrue unbilled
        revenue: the first run after a month end accrues it, dated that month
        end, and remembers it (``revenue_accrual_last_date``).

        Each company in a savepoint, committed at once (never under tests): a
        failure is logged, the company is tried again by the next run, the
        others go on.
        """
        month_end = today.replace(day=1) - timedelta(days=1)
        companies = self.env["res.company"].search(
            [
                ("revenue_accrue_unbilled", "=", True),
                "|",
                ("revenue_accrual_last_date", "=", False),
                ("revenue_accrual_last_date", "<", month_end),
            ]
        )
        for company in companies:
            try:
                with self.env.cr.savepoint():
                    self.with_company(company)._accrue(
                        month_end,
                        grouping=company.revenue_auto_post_grouping,
                        domain=[("company_id", "=", company.id)],
                    )
                    company.revenue_accrual_last_date = month_end
                if self._revenue_can_commit():
                    # The cron's own transaction, outside tests: each company's
                    # accrual stays whatever happens to the next ones.
                    self.env.cr.commit()  # pylint: disable=invalid-commit
            except Exception:  # noqa: BLE001 - logged, the other companies go on
                _logger.exception(
                    "Company %s: the unbilled revenue accrual as of %s failed and "
                    "will run again tomorrow.",
                    company.display_name,
                    month_end,
                )
        return companies
