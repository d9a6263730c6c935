"""The month end of ``revenue.recognition.line``: units of work, cron and jobs.

This file extends ``revenue.recognition.line`` last: it calls the accrual
(``revenue_accrual.py``) and the recognition run
(``revenue_recognition_posting.py``), and nothing there calls back here.

The month end is cut into units of work (:class:`MonthEndUnit`): one kind
(``accrual`` or ``recognition``), one company, one as-of date and a chunk of
at most ``UNIT_SIZE`` schedule lines (an order line's expected lines are never
split between two accrual units). A unit is identified by (kind, company,
as-of date, its first schedule line): its ``identity_key``.

- With OCA ``queue_job`` installed (it is not a dependency), the daily cron
  and the wizard's *Run in the background* queue one job per unit with that
  identity key, so that no unit is queued twice while it waits, in the
  channel ``JOB_CHANNEL`` (its capacity, set in the job runner's
  configuration, limits how many run at once). Each job is one transaction,
  committed by the job runner; a concurrency error makes the runner try the
  job again (``RetryableJobError``).
- Without it, the cron runs the same units itself, each in a savepoint, at
  most ``CRON_BATCH_LIMIT`` lines per call, and reports its progress: Odoo's
  cron commits after each call and calls again while lines remain
  (``ir.cron._notify_progress``). No model code commits.

Either way a unit locks its rows and reads the "due" rule again under the
lock (``_lock_for_recognition``, ``_lock_for_accrual``): a unit run twice, or
two overlapping units, never release a line twice.
"""

import json
import logging
from dataclasses import dataclass
from datetime import date

from odoo import api, fields, models

from ..engine import previous_month_end
from .revenue_recognition_posting import RETRY_ERRORS, RecognitionResult

try:
    from odoo.addons.queue_job.exception import RetryableJobError
except ImportError:  # queue_job is optional: without it no job is ever queued
    RetryableJobError = None

_logger = logging.getLogger(__name__)

#: schedule lines of one unit of work (one job, or one step of the cron)
UNIT_SIZE = 1000
#: schedule lines the cron releases per call; Odoo's cron calls it again, in a
#: new transaction, while some remain
CRON_BATCH_LIMIT = UNIT_SIZE
#: queue_job channel of the month-end jobs
JOB_CHANNEL = "root.revenue_recognition"


@dataclass(frozen=True)
class MonthEndUnit:
    """One unit of month-end work: what a job (or a step of the cron) does."""

    #: ``accrual`` or ``recognition``
    kind: str
    company_id: int
    as_of: date
    #: the schedule lines, in id order
    line_ids: tuple

    @property
    def chunk(self):
        """The chunk, named by its first schedule line (stable between runs)."""
        return self.line_ids[0]

    @property
    def identity_key(self):
        return (
            f"revenue_recognition:{self.kind}:{self.company_id}:"
            f"{self.as_of.isoformat()}:{self.chunk}"
        )


class RevenueRecognitionLine(models.Model):
    """The month end of ``revenue.recognition.line``: accrual, then recognition."""

    _inherit = "revenue.recognition.line"

    # ------------------------------------------------------------ units of work

    @api.model
    def _month_end_units(self, kind, company, as_of, domain=None, limit=None):
        """The units of work of ``kind`` for ``company`` as of ``as_of``.

        :param domain: extra filters on the schedule lines (a wizard's)
        :param limit: at most this many lines (recognition only: an accrual
            takes all the expected lines of an order line or none)
        :return: list of :class:`MonthEndUnit`, in id order
        """
        as_of = fields.Date.to_date(as_of)
        domain = [("company_id", "=", company.id), *(domain or [])]
        if kind == "recognition":
            lines = self.search(
                self._get_due_domain(as_of) + domain, order="id", limit=limit
            )
            groups = [[line_id] for line_id in lines.ids]
        else:
            rows = self.search_fetch(
                self._get_accrual_todo_domain(as_of) + domain,
                ["sale_line_id"],
                order="sale_line_id, id",
            )
            groups = list(rows.grouped("sale_line_id").values())
            groups = [group.ids for group in groups]
        units, current = [], []
        for group in groups:
            if current and len(current) + len(group) > UNIT_SIZE:
                units.append(current)
                current = []
            current.extend(group)
        if current:
            units.append(current)
        return [
            MonthEndUnit(kind, company.id, as_of, tuple(sorted(ids))) for ids in units
        ]

    @api.model
    def _run_month_end_unit(self, kind, company_id, as_of, line_ids, options=None):
        """Do one unit of work in the current transaction.

        :param options: ``grouping``, ``post``, ``posting_date_mode``,
            ``posting_date`` (recognition; default: every entry dated ``as_of``), and
            ``mark_accrued``: the cron's
            accrual remembers the month end once nothing is left to accrue
            (``revenue_accrual_last_date``). Defaults: the company's settings.
        :return: :class:`RecognitionResult`. A recognition unit is fault
            tolerant (a failing chunk of entries is reported, its lines stay
            pending); an accrual unit raises its error.
        """
        options = dict(options or {})
        as_of = fields.Date.to_date(as_of)
        company = self.env["res.company"].browse(company_id)
        records = self.with_company(company)
        domain = [("company_id", "=", company.id), ("id", "in", list(line_ids))]
        grouping = options.get("grouping") or company.revenue_auto_post_grouping
        if kind == "accrual":
            result = records._accrue(as_of, grouping=grouping, domain=domain)
            if options.get("mark_accrued"):
                records._mark_accrued(company, as_of)
            return result
        post = options.get("post")
        return records._recognise(
            as_of,
            # dated the day it closes, never back in the months of late lines
            posting_date_mode=options.get("posting_date_mode") or "selected_date",
            posting_date=options.get("posting_date") or as_of,
            grouping=grouping,
            post=company.revenue_auto_post_entries if post is None else post,
            domain=domain,
            fault_tolerant=True,
        )

    @api.model
    def _mark_accrued(self, company, as_of):
        """Remember that ``company`` accrued ``as_of``, once nothing is left."""
        left = self.search_count(
            self._get_accrual_todo_domain(as_of) + [("company_id", "=", company.id)],
            limit=1,
        )
        if not left:
            company.sudo()._revenue_bookkeeping().revenue_accrual_last_date = as_of

    # ---------------------------------------------------------------- jobs

    @api.model
    def _revenue_jobs_enabled(self):
        """Whether queue_job is installed: then the month end runs in jobs."""
        return "queue.job" in self.env and RetryableJobError is not None

    @api.model
    def _revenue_job_channel(self):
        """The channel of the month-end jobs, created the first time."""
        channel_model = self.env["queue.job.channel"].sudo()
        if not channel_model.search([("complete_name", "=", JOB_CHANNEL)], limit=1):
            root = channel_model.search([("complete_name", "=", "root")], limit=1)
            channel_model.create(
                {"name": JOB_CHANNEL.rsplit(".", 1)[1], "parent_id": root.id}
            )
        return JOB_CHANNEL

    @api.model
    def _enqueue_month_end_units(self, units, options=None):
        """Queue one job per unit; a unit already waiting is not queued again.

        :return: the ``uuid`` of each unit's job (the waiting one when it was
            queued before)
        """
        channel = self._revenue_job_channel()
        uuids = []
        for unit in units:
            company = self.env["res.company"].browse(unit.company_id)
            description = self.env._(
                "%(company)s: %(kind)s as of %(date)s, %(count)s schedule line(s) "
                "from #%(first)s",
                company=company.name,
                kind=(
                    self.env._("unbilled revenue accrual")
                    if unit.kind == "accrual"
                    else self.env._("revenue recognition")
                ),
                date=unit.as_of.isoformat(),
                count=len(unit.line_ids),
                first=unit.chunk,
            )
            job = (
                self.with_company(company)
                .with_delay(
                    channel=channel,
                    identity_key=unit.identity_key,
                    description=description,
                )
                ._job_month_end_unit(
                    unit.kind, unit.company_id, unit.as_of, list(unit.line_ids), options
                )
            )
            uuids.append(job.uuid)
        return uuids

    @api.model
    def _job_month_end_unit(self, kind, company_id, as_of, line_ids, options=None):
        """The job of one unit: ``_run_month_end_unit`` in the job's transaction.

        A serialization failure or a lock timeout raises ``RetryableJobError``:
        the job runner rolls the job back and tries it again later, when the
        other transaction is done. Any other error fails the job (its lines
        stay pending or expected, and the next run takes them).

        :return: JSON of the unit's figures (``line_count``, ``failed_count``,
            ``held_count``, ``locked_count``, ``amount``, ``move_ids``,
            ``errors``), read back by the wizard's progress
        """
        try:
            result = self.with_context(
                revenue_raise_retryable=True
            )._run_month_end_unit(kind, company_id, as_of, line_ids, options)
        except RETRY_ERRORS as error:
            raise RetryableJobError(
                f"{type(error).__name__}: {error}", seconds=5, ignore_retry=False
            ) from error
        return json.dumps(
            {
                "kind": kind,
                "line_count": result.line_count,
                "failed_count": result.failed_count,
                "held_count": result.held_count,
                "locked_count": result.locked_count,
                "amount": result.amounts.get(company_id, 0.0),
                "move_ids": result.move_ids,
                "errors": [str(error) for error in result.errors],
            }
        )

    # ---------------------------------------------------------------- cron

    @api.model
    def _cron_units(self, today, limit=None):
        """The units of the daily run: accruals of the last month end (for
        companies that accrue and have not done it yet), then the due lines
        of companies with automatic recognition (at most ``limit`` lines)."""
        month_end = previous_month_end(today)
        units = []
        for company in self.env["res.company"].search(
            [
                ("revenue_accrue_unbilled", "=", True),
                "|",
                ("revenue_accrual_last_date", "=", False),
                ("revenue_accrual_last_date", "<", month_end),
            ]
        ):
            company_units = self._month_end_units("accrual", company, month_end)
            if not company_units:
                company.sudo()._revenue_bookkeeping().revenue_accrual_last_date = (
                    month_end
                )
            units += company_units
        budget = limit
        for company in (
            self.env["res.company"]
            .search([("revenue_auto_post", "=", True)])
            ._revenue_cron_ready()
        ):
            if budget is not None and budget <= 0:
                break
            company_units = self._month_end_units(
                "recognition", company, today, limit=budget
            )
            if budget is not None:
                budget -= sum(len(unit.line_ids) for unit in company_units)
            units += company_units
        return units

    @api.model
    def _cron_recognise(self, limit=CRON_BATCH_LIMIT):
        """Daily: accrue the last month end (companies that accrue unbilled
        revenue, once) and release the due lines of companies with automatic
        recognition.

        With queue_job, every unit of the day is queued as a job and nothing
        is released here (returns 0). Without it, at most ``limit`` lines, unit
        by unit, each in a savepoint: a failing unit (or chunk of entries) is
        logged with its schedule lines and skipped, the lines stay pending,
        the rest goes on. Then the progress is reported: Odoo's cron commits
        and calls again while lines remain (and a trigger asks for a new run
        when the limit was reached). Returns the number of lines released.
        """
        today = fields.Date.context_today(self)
        if self._revenue_jobs_enabled():
            self._enqueue_month_end_units(
                self._cron_units(today), {"mark_accrued": True}
            )
            return 0
        return self._cron_run_units(today, limit=limit)

    @api.model
    def _cron_run_units(self, today, limit=CRON_BATCH_LIMIT):
        """The cron's own run of at most ``limit`` lines, unit by unit (see
        ``_cron_recognise``), in the current transaction; the number of lines
        released."""
        units = self._cron_units(today, limit=limit)
        done = failed = 0
        errors = []
        for unit in units:
            result = self._run_month_end_unit_isolated(unit)
            if unit.kind == "recognition":
                done += result.line_count
                failed += result.failed_count
            errors.extend(result.errors)
        if errors:
            _logger.warning(
                "Automatic revenue recognition: %s schedule line(s) could not be "
                "recognised and stay pending.\n%s",
                failed,
                "\n".join(errors),
            )
        companies = self.env["res.company"].search([("revenue_auto_post", "=", True)])
        remaining = 0
        if companies:
            remaining = self.search_count(
                self._get_due_domain(today) + [("company_id", "in", companies.ids)]
            )
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        planned = sum(len(u.line_ids) for u in units if u.kind == "recognition")
        if planned >= limit and done and remaining:
            self.env.ref("revenue_recognition.ir_cron_revenue_recognition")._trigger()
        return done

    @api.model
    def _run_month_end_unit_isolated(self, unit):
        """One unit of the cron in a savepoint: a failure is logged, the
        unit's lines stay as they were, the other units go on."""
        company = self.env["res.company"].browse(unit.company_id)
        try:
            with self.env.cr.savepoint():
                return self.with_company(company)._run_month_end_unit(
                    unit.kind,
                    unit.company_id,
                    unit.as_of,
                    unit.line_ids,
                    {"mark_accrued": unit.kind == "accrual"},
                )
        except Exception as error:  # noqa: BLE001 - logged, the other units go on
            message = self.env._(
                "Company %(company)s: the automatic %(kind)s as of %(date)s failed "
                "for %(count)s schedule line(s) and will run again: %(error)s",
                company=company.display_name,
                kind=(
                    self.env._("unbilled revenue accrual")
                    if unit.kind == "accrual"
                    else self.env._("revenue recognition")
                ),
                date=unit.as_of.isoformat(),
                count=len(unit.line_ids),
                error=error,
            )
            _logger.exception(message)
            return RecognitionResult(errors=[message])
