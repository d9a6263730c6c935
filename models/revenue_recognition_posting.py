"""The recognition run: due schedule lines into revenue journal entries.

This file extends ``revenue.recognition.line`` (the line itself, its "due"
rule and its bookkeeping guard are in ``revenue_recognition_line.py``, the
only file it calls). Entry point: ``revenue.recognition.line._recognise()``,
used by the Recognise Revenue wizard and by the daily cron
(``revenue_month_end.py``). The accrual (``revenue_accrual.py``) reuses its
entry values and dates; the date floor of lines an accrual covered
(``_accrual_floor_dates``) is here, where recognition dates are chosen. The grouping
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

Each step returns a :class:`RecognitionResult`, merged by its caller (the
result and plan classes make the file a little over 500 lines). Fault
tolerant runs (the cron) run the planning and each chunk in
``_run_isolated``: a failure is reported and the run goes on.

Just over 600 lines: the three steps above and their hooks are one
transaction's path (lock, plan, write), each step calling the next; the
grouping maths already live in the engine, and a split by step would only
move the hooks away from the code that calls them.
"""

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from psycopg2 import errors as pg_errors

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_date

from ..engine.grouping import RecognitionItem, plan_entries

_logger = logging.getLogger(__name__)

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


class RevenueRecognitionLine(models.Model):
    """The recognition run of ``revenue.recognition.line``."""

    _inherit = "revenue.recognition.line"

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
                )
            )
        return result

    def _run_isolated(self, func, *, lines, result):
        """``func()`` in a savepoint; its value, or None once its failure is reported.

        The one "run in a savepoint, report and go on" of fault-tolerant runs.
        Any exception is caught, logged with the schedule lines it concerns and
        added to ``result`` (a :class:`RecognitionResult`): the lines stay
        pending and the run goes on. Serialization failures and lock timeouts
        of concurrent transactions are tried again, at most ``MAX_ATTEMPTS``
        times; with the context key ``revenue_raise_retryable`` (a background
        job, whose runner retries the whole transaction) they are raised at
        once instead. Nothing here commits: the caller's transaction (the
        cron's, a job's, a request's) keeps every step that succeeded.
        """
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                with self.env.cr.savepoint():
                    return func()
            except RETRY_ERRORS as error:
                if self.env.context.get("revenue_raise_retryable"):
                    raise
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
            except Exception as error:  # noqa: BLE001 - reported, the run goes on
                self._report_failure(result, lines, error)
                return None
        return None

    def _lock_for_recognition(self, as_of):
        """Lock the rows of ``self`` still due as of ``as_of``; return them
        (``_lock_rows``): no line is ever released twice."""
        return self._lock_rows(self._get_due_domain(as_of))

    def _recognise_company(
        self, *, company, as_of, posting_date, grouping, post, fault_tolerant
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
        plan = self._run_isolated(plan_company, lines=self, result=result)
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
        lines = lines._revenue_skip_invalid(plan.result)
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

        The lines are locked and checked again in the chunk's own savepoint,
        so that a chunk tried again after a lock timeout skips the lines
        another run took meanwhile (counted in ``locked_count``). Returns the
        chunk's own result, merged by the caller once it succeeded.
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

    def _revenue_skip_invalid(self, result):
        """The lines of ``self`` that can be recognised; the others are left
        pending and reported in ``result``, each named with its reason, so
        that one bad line never stops the batch."""
        problems = self._revenue_line_problems()
        if not problems:
            return self
        for line, reason in problems.items():
            result.add_failure(
                self.env._(
                    "Schedule line %(line)s (%(document)s) stays pending: %(reason)s",
                    line=line.display_name,
                    document=(line.move_id or line.order_id).display_name or "-",
                    reason=reason,
                ),
                1,
            )
        return self - self.browse([line.id for line in problems])

    def _revenue_line_problems(self):
        """{line: reason} of the lines of ``self`` that cannot be recognised:
        a malformed analytic distribution, or an account of the wrong type or
        company (changed after the invoice was posted)."""
        problems = {}
        analytic_ids = set()
        keys = {}
        for line in self:
            for key in line.analytic_distribution or {}:
                try:
                    ids = [int(part) for part in str(key).split(",")]
                except ValueError:
                    problems[line] = self.env._(
                        "its analytic distribution has the key '%(key)s', which is "
                        "not a list of analytic account ids. Correct the "
                        "distribution of its invoice line.",
                        key=key,
                    )
                    break
                keys.setdefault(line, []).extend(ids)
                analytic_ids.update(ids)
        existing = set(
            self.env["account.analytic.account"]
            .sudo()
            .browse(analytic_ids)
            .exists()
            .ids
        )
        for line, ids in keys.items():
            if line not in problems and not existing.issuperset(ids):
                problems[line] = self.env._(
                    "its analytic distribution names analytic accounts that no "
                    "longer exist (%(ids)s). Correct the distribution of its invoice "
                    "line.",
                    ids=", ".join(str(i) for i in sorted(set(ids) - existing)),
                )
        for line in self - self.browse([line.id for line in problems]):
            income = line.income_account_id.sudo()
            deferred = line.deferred_account_id.sudo()
            company = line.company_id
            if income and (
                income.internal_group != "income"
                or not income.company_ids & company.parent_ids
            ):
                problems[line] = self.env._(
                    "its income account %(account)s is not an income account of "
                    "company %(company)s. Correct the account.",
                    account=income.display_name,
                    company=company.display_name,
                )
            elif deferred and deferred.internal_group not in (
                "asset",
                "liability",
                "equity",
            ):
                problems[line] = self.env._(
                    "its deferred revenue account %(account)s is no longer a "
                    "balance-sheet account. Give it back its type (current "
                    "liability).",
                    account=deferred.display_name,
                )
        return problems

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
            # "INV/2026/00007 · SaaS licence · 2/13": the line's name says the
            # product once already
            label = line.name
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

    def _accrual_floor_dates(self):
        """{line id: earliest date its recognition entry may have}, for the
        lines of ``self`` whose order line a posted accrual covered before
        they were invoiced.

        An accrual as of A covered the order line's revenue dated up to A and
        is reversed on R: recognising such a line before R would count the
        same revenue twice in A's month (once accrued, once recognised), and
        the reversal would take it back from the next one. Its date becomes R.
        """
        lines = self.filtered("sale_line_id")
        if not lines:
            return {}
        accruals = (
            self.env["account.move"]
            .sudo()
            .search(
                [
                    ("revenue_accrual", "=", True),
                    ("state", "=", "posted"),
                    ("revenue_accrual_sale_line_ids", "in", lines.sale_line_id.ids),
                ]
            )
        )
        covered = {}
        for accrual in accruals:
            reversal_dates = accrual.reversal_move_ids.filtered(
                lambda move: move.state == "posted"
            ).mapped("date")
            if not reversal_dates:
                continue
            for sale_line in accrual.revenue_accrual_sale_line_ids:
                covered.setdefault(sale_line.id, []).append(
                    (
                        accrual.revenue_accrual_date,
                        accrual.create_date,
                        max(reversal_dates),
                    )
                )
        floors = {}
        for line in lines:
            # Invoiced after the accrual ran (the part of an order line
            # invoiced before was not accrued), in a period it covered.
            dates = [
                reversal_date
                for as_of, accrued_on, reversal_date in covered.get(
                    line.sale_line_id.id, ()
                )
                if as_of >= line.recognition_date and line.create_date >= accrued_on
            ]
            if dates:
                floors[line.id] = max(dates)
        return floors
