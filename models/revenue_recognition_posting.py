"""The recognition run: due schedule lines into revenue journal entries.

``revenue.recognition.posting.mixin`` is the run of
``revenue.recognition.line`` (which inherits it; the line itself, its "due"
rule and its bookkeeping guard are in ``revenue_recognition_line.py``).
Entry point: ``revenue.recognition.line._recognise()``, used by the Recognise
Revenue wizard and by the daily cron (``_cron_recognise``). The grouping
maths live in ``engine/grouping.py``; this layer locks the rows, translates
records and plans, and writes everything in batches: per chunk of entries one
``account.move.create()``, one ``_post()`` and one ``write()`` per entry to
link its schedule lines.

The steps, each a method other add-ons can extend:

1. ``_recognise``: search the due lines (``_get_due_domain``), one
   ``_recognise_company`` per company;
2. ``_plan_company``: lock the rows (``_lock_for_recognition``), make the
   engine's items (``_recognition_items``), shift dates out of locked periods
   (``_recognition_date_map``), plan the entries (``plan_entries``) and cut
   them into chunks (``_chunk_plans``);
3. ``_recognise_chunk``: the entries' values (``_prepare_recognition_move_vals``
   and ``_prepare_recognition_move_line_vals``), create, link, post.

Each step returns a :class:`RecognitionResult`, merged by its caller. Fault
tolerant runs (the cron) run the planning and each chunk in
``_run_isolated``: a failure is reported and the run goes on.
"""

import logging
import random
import time
from dataclasses import dataclass, field
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


@dataclass
class RecognitionResult:
    """What a recognition run (or one step of it) did.

    Read by attribute, or by key as when it was a dict:
    ``result.line_count == result["line_count"]``.
    """

    #: schedule lines released
    line_count: int = 0
    #: {company id: amount released, company currency}
    amounts: dict = field(default_factory=dict)
    #: ids of the recognition entries created
    move_ids: list = field(default_factory=list)
    #: due lines skipped because on hold
    held_count: int = 0
    #: due lines skipped because another run was releasing them
    locked_count: int = 0
    #: lines of failed steps (fault-tolerant runs), left pending
    failed_count: int = 0
    #: [(wanted date, accounting date)] moved out of locked periods
    date_shifts: list = field(default_factory=list)
    #: messages of the failed steps
    errors: list = field(default_factory=list)

    def __getitem__(self, key):
        if key not in self.__dataclass_fields__:
            raise KeyError(key)
        return getattr(self, key)

    def add(self, company_id, moves, line_count, amount):
        """Count entries ``moves`` of a company releasing ``line_count`` lines."""
        self.line_count += line_count
        self.amounts[company_id] = self.amounts.get(company_id, 0.0) + amount
        self.move_ids.extend(moves.ids)
        return self

    def add_failure(self, message, line_count):
        self.errors.append(message)
        self.failed_count += line_count
        return self

    def merge(self, other):
        """Add the counts, amounts and lists of ``other`` to this result."""
        self.line_count += other.line_count
        for company_id, amount in other.amounts.items():
            self.amounts[company_id] = self.amounts.get(company_id, 0.0) + amount
        self.move_ids.extend(other.move_ids)
        self.held_count += other.held_count
        self.locked_count += other.locked_count
        self.failed_count += other.failed_count
        self.date_shifts.extend(other.date_shifts)
        self.errors.extend(other.errors)
        return self


@dataclass
class CompanyPlan:
    """The entries a run will write for one company (nothing written yet)."""

    journal: object
    #: lists of ``engine.grouping.EntryPlan``, each written in one go
    chunks: list = field(default_factory=list)
    #: ``locked_count`` and ``date_shifts`` of the planning
    result: RecognitionResult = field(default_factory=RecognitionResult)


class RevenueRecognitionPostingMixin(models.AbstractModel):
    """The recognition run of ``revenue.recognition.line`` (its only user)."""

    _name = "revenue.recognition.posting.mixin"
    _description = "Revenue Recognition Run"

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
        :return: :class:`RecognitionResult` (``result.line_count``, or
            ``result["line_count"]`` as when it was a dict)
        """
        as_of = fields.Date.to_date(as_of)
        posting_date = fields.Date.to_date(posting_date) or as_of
        domain = list(domain or [])
        result = RecognitionResult(
            held_count=self.search_count(
                self._get_due_domain(as_of, held=True) + domain
            )
        )
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
            result.merge(
                company_lines.with_company(company)._recognise_company(
                    company=company,
                    as_of=as_of,
                    posting_date=(
                        posting_date if posting_date_mode == "selected_date" else None
                    ),
                    grouping=grouping,
                    post=post,
                    fault_tolerant=fault_tolerant,
                    commit=commit,
                )
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

    def _run_isolated(self, func, *, lines, result, commit):
        """``func()`` in a savepoint; its value, or None once its failure is reported.

        The one "run in a savepoint, report and go on" of fault-tolerant runs.
        Any exception is caught, logged with the schedule lines it concerns and
        added to ``result`` (a :class:`RecognitionResult`): the lines stay
        pending and the run goes on. Serialization failures and lock timeouts
        of concurrent transactions are tried again, at most ``MAX_ATTEMPTS``
        times (in a new transaction when the run commits, so that the new
        attempt sees the other one's work). With ``commit``, a success is
        committed at once.
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

    def _lock_for_recognition(self, as_of):
        """Lock the rows of ``self`` that are still due as of ``as_of``; return them.

        The rows are those of ``_get_due_domain(as_of)`` among ``self``, read
        again under the lock: rows locked by an overlapping run are skipped
        (``SKIP LOCKED``) and a row released meanwhile is no longer due, so
        that no line is ever released twice. In Odoo's REPEATABLE READ
        transactions a row that another run released after this transaction
        started raises a serialization error instead, and the request is
        retried.
        """
        if not self:
            return self
        self.flush_model(
            ["state", "on_hold", "recognition_move_id", "recognition_date"]
        )
        # The due rule as SQL, restricted to these rows (already searched with
        # the user's rights: no record rule is applied again).
        query = self._where_calc(self._get_due_domain(as_of) + [("id", "in", self.ids)])
        query.order = SQL.identifier(query.table, "id")
        rows = self.env.execute_query(SQL("%s FOR UPDATE SKIP LOCKED", query.select()))
        locked_ids = {row[0] for row in rows}
        return self.filtered(lambda line: line.id in locked_ids)

    def _recognise_company(
        self, *, company, as_of, posting_date, grouping, post, fault_tolerant, commit
    ):
        """Release the lines of ``self`` (all of ``company``, ``env.company``).

        :param posting_date: accounting date of every entry, or None (each
            line's own recognition date)
        :return: :class:`RecognitionResult`

        Fault tolerant: the planning, then each chunk of entries, run isolated
        (``_run_isolated``); a failure leaves its lines pending and the others
        go on. Otherwise the first error is raised.
        """
        result = RecognitionResult()

        def plan_company():
            return self._plan_company(
                company=company,
                as_of=as_of,
                posting_date=posting_date,
                grouping=grouping,
            )

        if not fault_tolerant:
            plan = plan_company()
            result.merge(plan.result)
            for chunk in plan.chunks:
                result.merge(
                    self._recognise_chunk(chunk, journal=plan.journal, post=post)
                )
            return result
        plan = self._run_isolated(
            plan_company, lines=self, result=result, commit=commit
        )
        if plan is None:
            return result
        result.merge(plan.result)
        for chunk in plan.chunks:
            chunk_lines = self.browse([key for entry in chunk for key in entry.keys])
            chunk_result = self._run_isolated(
                lambda chunk=chunk, chunk_lines=chunk_lines: (
                    chunk_lines._recognise_chunk_locked(
                        chunk, as_of=as_of, journal=plan.journal, post=post
                    )
                ),
                lines=chunk_lines,
                result=result,
                commit=commit,
            )
            if chunk_result is not None:
                result.merge(chunk_result)
        return result

    def _plan_company(self, *, company, as_of, posting_date, grouping):
        """Lock the due lines of ``self`` and plan their entries (nothing written).

        :return: :class:`CompanyPlan`: the journal, the chunks of entry plans,
            and in its ``result`` the ``locked_count`` and ``date_shifts``
        """
        journal = company.revenue_journal_id
        if not journal:
            raise UserError(
                self.env._(
                    "Company %(company)s has no revenue recognition journal. Set one "
                    "in Accounting › Configuration › Settings › Revenue Recognition.",
                    company=company.display_name,
                )
            )
        lines = self._lock_for_recognition(as_of)
        plan = CompanyPlan(journal=journal)
        plan.result.locked_count = len(self) - len(lines)
        if not lines:
            return plan
        lines._check_recognisable()
        items = lines._recognition_items(posting_date)
        date_map = self._recognition_date_map(
            company, journal, {item.date for item in items}
        )
        plan.result.date_shifts = sorted(date_map.items())
        max_items = max(company.revenue_max_lines_per_entry, 1)
        plans = plan_entries(
            items, grouping=grouping, max_items=max_items, date_map=date_map
        )
        plan.chunks = list(self._chunk_plans(plans, max_items))
        return plan

    def _recognise_chunk_locked(self, plans, *, as_of, journal, post):
        """``_recognise_chunk`` for the lines of ``self``, locked again first.

        A run that commits per chunk releases its row locks at each commit:
        the lines of the next chunks are locked and checked again, and a chunk
        another run took meanwhile is skipped (counted in ``locked_count``).
        Returns the chunk's own result, merged by the caller once committed.
        """
        if self._lock_for_recognition(as_of) != self:
            return RecognitionResult(locked_count=len(self))
        return self._recognise_chunk(plans, journal=journal, post=post)

    def _report_failure(self, result, lines, error):
        """Log the lines of a failed step and add them to ``result``."""
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
        result.add_failure(message, len(lines))

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
        """Engine inputs, in one prefetched pass over ``self``.

        A line whose period an unbilled revenue accrual covered is dated no
        earlier than that accrual's reversal (``_accrual_floor_dates``).
        """
        floors = self._accrual_floor_dates()
        items = []
        for line in self:
            label = line.name
            if line.product_id:
                label = f"{label} {line.product_id.display_name}"
            items.append(
                RecognitionItem(
                    key=line.id,
                    date=max(
                        posting_date or line.recognition_date,
                        floors.get(line.id, line.recognition_date),
                    ),
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

    def _recognise_chunk(self, plans, *, journal, post):
        """Write the entries of ``plans``: one create, one write per entry, one post.

        :return: :class:`RecognitionResult` of these entries
        """
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
        return RecognitionResult().add(
            company.id,
            moves,
            line_count=sum(len(plan.items) for plan in plans),
            amount=float(sum(plan.amount for plan in plans)),
        )

    @api.model
    def _prepare_recognition_move_vals(self, plan, journal):
        """``account.move`` values of one planned entry (``EntryPlan``)."""
        period = format_date(self.env, plan.date, date_format="MMMM y")
        ref = self.env._("Revenue recognition %(period)s", period=period)
        if plan.parts > 1:
            ref = f"{ref} ({plan.part}/{plan.parts})"
        return {
            "move_type": "entry",
            "journal_id": journal.id,
            "company_id": journal.company_id.id,
            "date": plan.date,
            "ref": ref,
            "revenue_recognition_entry": True,
            "line_ids": [
                Command.create(
                    self._prepare_recognition_move_line_vals(line, period=period)
                )
                for line in plan.lines
            ],
        }

    @api.model
    def _prepare_recognition_move_line_vals(self, line, period):
        """Journal item values of one planned line (``PlannedLine``).

        :param period: the entry's month, as its labels show it
        """
        if line.kind == "income":
            name = line.label or self.env._(
                "Recognised revenue %(period)s", period=period
            )
        else:
            name = self.env._("Deferred revenue released %(period)s", period=period)
        return {
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
            # dated the day it closes, never back in the months of late lines
            "posting_date_mode": "selected_date",
            "posting_date": today,
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
