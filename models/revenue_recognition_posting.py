"""Batch recognition: pending schedule lines into revenue journal entries.

Entry point: ``revenue.recognition.line._recognise()``, used by the
"Create journal" wizard and by the daily cron (``_cron_recognise``). The
grouping maths live in ``engine/grouping.py``; this layer locks the rows,
translates records and plans, and writes everything in batches: per chunk of
entries one ``account.move.create()``, one ``_post()`` and one ``write()``
per entry to link its schedule lines.
"""

import logging
import random
import time
from datetime import timedelta

from psycopg2 import errors as pg_errors

from odoo import Command, api, fields, models, modules
from odoo.exceptions import UserError
from odoo.tools import SQL, config, format_date

from ..engine.grouping import RecognitionItem, plan_entries

_logger = logging.getLogger(__name__)

# Schedule lines the cron releases per run; it triggers itself again when more remain.
CRON_BATCH_LIMIT = 10000
# Errors of concurrent transactions: the chunk is tried again, at most this often.
RETRY_ERRORS = (pg_errors.SerializationFailure, pg_errors.LockNotAvailable)
MAX_ATTEMPTS = 3


class RevenueRecognitionLine(models.Model):
    _inherit = "revenue.recognition.line"

    @api.model
    def _get_due_domain(self, as_of, held=False):
        """Lines a run as of ``as_of`` releases (``held=True``: those it skips)."""
        return [
            ("state", "=", "pending"),
            ("on_hold", "=", held),
            ("recognition_date", "<=", as_of),
        ]

    @api.model
    def _recognise(
        self,
        as_of,
        posting_date_mode="recognition_date",
        posting_date=None,
        grouping="detail",
        post=True,
        domain=None,
        limit=None,
        fault_tolerant=False,
    ):
        """Recognise the due, pending and not held lines matching ``domain``.

        :param as_of: lines with a recognition date up to this date are released
        :param posting_date_mode: ``recognition_date`` (one entry per date, on
            the lines' own dates) or ``selected_date`` (all on ``posting_date``)
        :param posting_date: accounting date in ``selected_date`` mode
            (default: ``as_of``)
        :param grouping: ``detail`` or ``summary`` (see engine/grouping.py)
        :param post: post the entries, else leave them in draft
        :param domain: extra filters (company, partner, order, invoice, ...)
        :param limit: at most this many lines (the cron's batch size)
        :param fault_tolerant: each chunk of entries in a savepoint; a failing
            chunk is reported in ``errors`` and the others go on. Otherwise the
            first error is raised and nothing is written.
        :return: dict with ``line_count``, ``amounts`` ({company id: amount}),
            ``move_ids``, ``held_count``, ``locked_count`` (lines being released
            by another run), ``failed_count``, ``date_shifts`` ([(wanted date,
            accounting date)]) and ``errors`` (messages)
        """
        as_of = fields.Date.to_date(as_of)
        posting_date = fields.Date.to_date(posting_date) or as_of
        domain = list(domain or [])
        result = {
            "line_count": 0,
            "amounts": {},
            "move_ids": [],
            "held_count": self.search_count(
                self._get_due_domain(as_of, held=True) + domain
            ),
            "locked_count": 0,
            "failed_count": 0,
            "date_shifts": [],
            "errors": [],
        }
        lines = self.search(
            self._get_due_domain(as_of) + domain,
            order="company_id, recognition_date, id",
            limit=limit,
        )
        # Committing per chunk: only the cron asks for it, never under tests.
        commit = (
            fault_tolerant
            and bool(self.env.context.get("revenue_commit"))
            and self._revenue_can_commit()
        )
        for company, company_lines in lines.grouped("company_id").items():
            company_lines.with_company(company)._recognise_company(
                result,
                posting_date if posting_date_mode == "selected_date" else None,
                grouping,
                post,
                fault_tolerant,
                commit=commit,
            )
        return result

    @api.model
    def _revenue_can_commit(self):
        """Whether a run may commit its own work (Odoo's test cursors forbid it)."""
        return not (
            config["test_enable"]
            or modules.module.current_test
            or self.env.registry.in_test_mode()
        )

    def _run_isolated(self, lines, result, commit, func):
        """``func()`` in a savepoint; its value, or None once its failure is reported.

        Any exception is caught, logged with the schedule lines it concerns and
        reported in ``result``: the lines stay pending and the run goes on.
        Serialization failures and lock timeouts of concurrent transactions
        are tried again, at most ``MAX_ATTEMPTS`` times (in a new transaction
        when the run commits, so that the new attempt sees the other one's
        work). With ``commit``, a success is committed at once.
        """
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                with self.env.cr.savepoint():
                    value = func()
            except RETRY_ERRORS as error:
                if attempt == MAX_ATTEMPTS:
                    self._report_failure(result, lines, error)
                    return None
                _logger.info(
                    "Revenue recognition: %s on schedule lines %s (attempt %s of %s), "
                    "trying again.",
                    type(error).__name__,
                    lines.ids,
                    attempt,
                    MAX_ATTEMPTS,
                )
                if commit:
                    self.env.cr.rollback()
                    time.sleep(random.uniform(0.1, 0.5) * attempt)
            except Exception as error:  # noqa: BLE001 - reported, the run goes on
                self._report_failure(result, lines, error)
                return None
            else:
                if commit:
                    # The cron's own transaction, outside tests: each chunk
                    # posted stays posted whatever happens to the next ones.
                    self.env.cr.commit()  # pylint: disable=invalid-commit
                return value
        return None

    def _lock_for_recognition(self):
        """Lock the rows of ``self`` that are still due and return them.

        Rows locked by an overlapping run are skipped (``SKIP LOCKED``) and the
        state is checked again under the lock, so that no line is ever
        released twice. In Odoo's REPEATABLE READ transactions a row that
        another run released after this transaction started raises a
        serialization error instead, and the request is retried.
        """
        if not self:
            return self
        self.flush_model(["state", "on_hold", "recognition_move_id"])
        self.env.cr.execute(
            SQL(
                """
                SELECT id FROM revenue_recognition_line
                 WHERE id = ANY(%s)
                   AND state = 'pending'
                   AND on_hold IS NOT TRUE
                   AND recognition_move_id IS NULL
              ORDER BY id
                   FOR UPDATE SKIP LOCKED
                """,
                self.ids,
            )
        )
        locked_ids = {row[0] for row in self.env.cr.fetchall()}
        return self.filtered(lambda line: line.id in locked_ids)

    def _recognise_company(
        self, result, posting_date, grouping, post, fault_tolerant, commit=False
    ):
        """Release the lines of ``self`` (one company, ``env.company``).

        Fault tolerant: the planning, then each chunk of entries, run isolated
        (``_run_isolated``); a failure leaves its lines pending and the others
        go on. Otherwise the first error is raised.
        """
        if not fault_tolerant:
            planned = self._plan_company(posting_date, grouping)
            if planned:
                self._merge_plan_result(result, planned)
                for chunk in planned["chunks"]:
                    self._recognise_chunk(chunk, planned["journal"], post, result)
            return
        planned = self._run_isolated(
            self,
            result,
            commit,
            lambda: self._plan_company(posting_date, grouping),
        )
        if not planned:
            return
        self._merge_plan_result(result, planned)
        for chunk in planned["chunks"]:
            chunk_lines = self.browse([key for plan in chunk for key in plan.keys])
            chunk_result = self._run_isolated(
                chunk_lines,
                result,
                commit,
                lambda chunk=chunk, chunk_lines=chunk_lines: (
                    chunk_lines._recognise_chunk_locked(chunk, planned["journal"], post)
                ),
            )
            if chunk_result:
                self._merge_chunk_result(result, chunk_result)

    def _plan_company(self, posting_date, grouping):
        """Lock the due lines of ``self`` and plan their entries (nothing written).

        Returns None when no line is left to release, else a dict: ``journal``,
        ``chunks`` (lists of entry plans), ``locked_count``, ``date_shifts``.
        """
        company = self.env.company
        journal = company.revenue_journal_id
        if not journal:
            raise UserError(
                self.env._(
                    "Company %(company)s has no revenue recognition journal. Set one "
                    "in Accounting › Configuration › Settings › Revenue Recognition.",
                    company=company.display_name,
                )
            )
        lines = self._lock_for_recognition()
        planned = {
            "journal": journal,
            "chunks": [],
            "locked_count": len(self) - len(lines),
            "date_shifts": [],
        }
        if not lines:
            return planned
        lines._check_recognisable()
        items = lines._recognition_items(posting_date)
        date_map = self._recognition_date_map(
            company, journal, {item.date for item in items}
        )
        planned["date_shifts"] = sorted(date_map.items())
        max_items = max(company.revenue_max_lines_per_entry, 1)
        plans = plan_entries(
            items, grouping=grouping, max_items=max_items, date_map=date_map
        )
        planned["chunks"] = list(self._chunk_plans(plans, max_items))
        return planned

    @api.model
    def _merge_plan_result(self, result, planned):
        result["locked_count"] += planned["locked_count"]
        result["date_shifts"].extend(planned["date_shifts"])

    @api.model
    def _merge_chunk_result(self, result, chunk_result):
        result["line_count"] += chunk_result["line_count"]
        result["locked_count"] += chunk_result["locked_count"]
        result["move_ids"].extend(chunk_result["move_ids"])
        for company_id, amount in chunk_result["amounts"].items():
            result["amounts"][company_id] = result["amounts"].get(company_id, 0.0) + (
                amount
            )

    def _recognise_chunk_locked(self, plans, journal, post):
        """``_recognise_chunk`` for the lines of ``self``, locked again first.

        A run that commits per chunk releases its row locks at each commit:
        the lines of the next chunks are locked and checked again, and a chunk
        another run took meanwhile is skipped (counted in ``locked_count``).
        Returns the chunk's own result, merged by the caller once committed.
        """
        chunk_result = {
            "line_count": 0,
            "locked_count": 0,
            "amounts": {},
            "move_ids": [],
        }
        if self._lock_for_recognition() != self:
            chunk_result["locked_count"] = len(self)
            return chunk_result
        self._recognise_chunk(plans, journal, post, chunk_result)
        return chunk_result

    def _report_failure(self, result, lines, error):
        """Log and report the lines of a failed chunk (fault-tolerant runs)."""
        dates = sorted(set(lines.mapped("recognition_date")))
        message = self.env._(
            "Company %(company)s: %(count)s schedule line(s) due %(first)s to %(last)s "
            "could not be recognised and stay pending: %(error)s",
            company=self.env.company.display_name,
            count=len(lines),
            first=format_date(self.env, dates[0]) if dates else "-",
            last=format_date(self.env, dates[-1]) if dates else "-",
            error=error,
        )
        # Expected errors (UserError) need no traceback; anything else does.
        _logger.log(
            logging.WARNING if isinstance(error, UserError) else logging.ERROR,
            "%s (schedule line ids: %s)",
            message,
            lines.ids,
            exc_info=not isinstance(error, UserError),
        )
        result["errors"].append(message)
        result["failed_count"] += len(lines)

    def _check_recognisable(self):
        missing = self.filtered(
            lambda line: not line.deferred_account_id or not line.income_account_id
        )
        if missing:
            raise UserError(
                self.env._(
                    "Schedule line(s) %(lines)s have no deferred or income account. "
                    "Reset their invoice to draft and post it again to rebuild the "
                    "schedule.",
                    lines=", ".join(missing[:5].mapped("display_name")),
                )
            )

    def _recognition_items(self, posting_date=None):
        """Engine inputs, in one prefetched pass over ``self``."""
        items = []
        for line in self:
            label = line.name
            if line.product_id:
                label = f"{label} {line.product_id.display_name}"
            items.append(
                RecognitionItem(
                    key=line.id,
                    date=posting_date or line.recognition_date,
                    deferred_account_id=line.deferred_account_id.id,
                    income_account_id=line.income_account_id.id,
                    currency_id=line.currency_id.id,
                    amount=line.company_currency_id.round(line.amount),
                    amount_currency=line.currency_id.round(line.amount_currency),
                    partner_id=line.partner_id.id or None,
                    product_id=line.product_id.id or None,
                    analytic_distribution=line.analytic_distribution or None,
                    label=label,
                )
            )
        return items

    @api.model
    def _recognition_date_map(self, company, journal, dates):
        """{wanted date: first open date} for the dates in a locked period.

        Uses the company's lock dates as ``account.move._post`` does
        (``_get_violated_lock_dates``), without taxes: recognition entries have
        none.
        """
        date_map = {}
        for wanted in dates:
            violated = company._get_violated_lock_dates(wanted, False, journal)
            if violated:
                date_map[wanted] = violated[-1][0] + timedelta(days=1)
        return date_map

    @api.model
    def _chunk_plans(self, plans, max_items):
        """Consecutive entry plans holding at most ``max_items`` lines together."""
        chunk, size = [], 0
        for plan in plans:
            if chunk and size + len(plan.items) > max_items:
                yield chunk
                chunk, size = [], 0
            chunk.append(plan)
            size += len(plan.items)
        if chunk:
            yield chunk

    def _recognise_chunk(self, plans, journal, post, result):
        """One create, one post, one write per entry."""
        company = journal.company_id
        vals_list = [
            self._prepare_recognition_move_vals(plan, journal) for plan in plans
        ]
        moves = self.env["account.move"].create(vals_list)
        # Linked before posting: posting a recognition entry without lines is refused.
        for move, plan in zip(moves, plans, strict=True):
            self.browse(plan.keys)._bookkeeping().write(
                {"state": "posted", "recognition_move_id": move.id}
            )
        if post:
            moves._post(soft=False)
        result["line_count"] += sum(len(plan.items) for plan in plans)
        result["amounts"][company.id] = result["amounts"].get(company.id, 0.0) + float(
            sum(plan.amount for plan in plans)
        )
        result["move_ids"].extend(moves.ids)

    def _prepare_recognition_move_vals(self, plan, journal):
        period = format_date(self.env, plan.date, date_format="MMMM y")
        ref = self.env._("Revenue recognition %(period)s", period=period)
        if plan.parts > 1:
            ref = f"{ref} ({plan.part}/{plan.parts})"
        line_vals = []
        for line in plan.lines:
            if line.kind == "income":
                name = line.label or self.env._(
                    "Recognised revenue %(period)s", period=period
                )
            else:
                name = self.env._("Deferred revenue released %(period)s", period=period)
            line_vals.append(
                Command.create(
                    {
                        "name": name,
                        "account_id": line.account_id,
                        "partner_id": line.partner_id or False,
                        "product_id": line.product_id or False,
                        "analytic_distribution": line.analytic_distribution or False,
                        "currency_id": line.currency_id,
                        "amount_currency": float(line.amount_currency),
                        "balance": float(line.balance),
                        "tax_ids": [Command.clear()],
                    }
                )
            )
        return {
            "move_type": "entry",
            "journal_id": journal.id,
            "company_id": journal.company_id.id,
            "date": plan.date,
            "ref": ref,
            "revenue_recognition_entry": True,
            "line_ids": line_vals,
        }

    @api.model
    def _cron_recognise(self, limit=CRON_BATCH_LIMIT):
        """Daily: release the due lines of companies with automatic recognition.

        Follows ``account.move._autopost_draft_entries``: at most ``limit``
        lines per run, and the cron triggers itself again when the limit was
        reached. Each company runs in its own transaction, each chunk of
        entries is committed as soon as it is posted (never under tests), and
        any failure of a chunk (or of a whole company) is logged with its
        schedule lines and skipped: the lines stay pending, the rest goes on.
        Returns the number of lines released.
        """
        commit = self._revenue_can_commit()
        companies = self.env["res.company"].search([("revenue_auto_post", "=", True)])
        today = fields.Date.context_today(self)
        done = failed = 0
        errors = []
        limit_reached = False
        for company in companies:
            budget = limit - done - failed
            if budget <= 0:
                limit_reached = True
                break
            result = self._cron_recognise_company(company, today, budget, commit)
            done += result["line_count"]
            failed += result["failed_count"]
            errors.extend(result["errors"])
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
            result = {"line_count": 0, "failed_count": 0, "errors": [message]}
        return result
