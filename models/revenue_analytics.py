"""Month-end analytics: roll-forward, backlog, KPIs and MRR, computed in SQL.

Why one long file: every figure of the add-on and the domain of the records
it opens are defined here, next to each other (the SQL of a figure and its
drill-down domain must say the same thing, and a reviewer reads them
together); splitting by figure would scatter the shared definitions (what a
line "alive on a day" is, the bands, the recognised revenue).

``revenue.analytics`` is an abstract model without records: its six methods
read the schedule lines, the invoices and the general ledger with a few
grouped queries each (never one query per line) and return plain Python
dicts, for screens, dashboards and exports.

Conventions shared by every method:

- amounts are in company currency (the schedule lines' ``amount``, the
  journal items' ``balance``), rounded to the currency of the first company
  asked for; companies are added together as they are, so ask for companies
  that share a currency;
- months are ``datetime.date`` objects on the first day of the month; a
  date argument that is not a first day stands for its month where a month
  is expected;
- ``company_ids`` (ids or a recordset) defaults to the user's active
  companies (``self.env.companies``), and must be companies of the user;
- only posted documents count: a schedule line is invoiced when its invoice
  or credit note is posted (resetting an invoice to draft cancels its lines),
  recognised when its recognition entry is posted.
"""

from collections import defaultdict
from datetime import date, datetime

from dateutil.relativedelta import relativedelta
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, float_round, format_date

from ..engine import dates as engine_dates
from ..engine.figures import FIGURES

#: Groups whose members may read the analytics (readers of schedule lines
#: with access to every line of their companies).
ANALYTICS_GROUPS = (
    "revenue_recognition.group_revenue_user",
    "account.group_account_readonly",
)

#: Time bands of the backlog (IFRS 15.120) by recognition date after the
#: as-of date (limits in ``_band_limits``), in their order, with their labels:
#: the one list the analytics, the screens and the dashboard use.
BANDS = (
    ("within_12_months", "Within 12 months"),
    ("from_12_to_24_months", "12 to 24 months"),
    ("beyond_24_months", "Beyond 24 months"),
)

#: Kinds of MRR movements, with their labels.
MOVEMENT_KINDS = (
    ("new", "New"),
    ("expansion", "Expansion"),
    ("contraction", "Contraction"),
    ("churn", "Churn"),
    ("reactivation", "Reactivation"),
)

#: The longest period one call reads, in months (ten years): a report over
#: centuries would hold a worker for minutes.
MAX_MONTHS = 120
#: The dates the analytics accept.
DATE_MIN = date(1900, 1, 1)
DATE_MAX = date(2199, 12, 31)
#: KPIs with an alert threshold: (KPI, company field, alert when the KPI is
#: "below" or "above" the threshold).
KPI_ALERTS = (
    ("book_to_bill", "revenue_alert_book_to_bill", "below"),
    ("coverage_months", "revenue_alert_coverage_months", "below"),
    ("lead_time_days", "revenue_alert_lead_time_days", "above"),
)
#: The ratios of :meth:`RevenueAnalytics.kpis`, in the order of its alerts.
KPI_RATIOS = tuple(name for name, _field, _direction in KPI_ALERTS)
#: Forecast periods and their length.
FORECAST_PERIODS = {"week": relativedelta(weeks=1), "month": relativedelta(months=1)}

#: Reasons of the MRR reconciliation, in the order they are listed.
RECONCILIATION_REASONS = (
    "one_off",
    "timing",
    "discount",
    "credit_note",
    "upgrade_downgrade",
    "unexplained",
)


def month_start(value):
    """The first day of ``value``'s month (a date or an ISO string)."""
    return engine_dates.month_start(fields.Date.to_date(value))


def month_last_day(value):
    """The last day of ``value``'s month (a date or an ISO string)."""
    return engine_dates.month_end(fields.Date.to_date(value))


def months_of(date_from, date_to):
    """First days of the months from ``date_from``'s to ``date_to``'s, inclusive."""
    return engine_dates.month_starts(
        fields.Date.to_date(date_from), fields.Date.to_date(date_to)
    )


class RevenueAnalytics(models.AbstractModel):
    """The figures finance teams close the month with.

    See the module docstring for the conventions. Each public method states
    its definitions; they are the ones the README's *Month-end analytics*
    section gives to users.
    """

    _name = "revenue.analytics"
    _description = "Revenue Recognition Analytics"

    # --- common ----------------------------------------------------------------

    @api.model
    def _analytics_companies(self, company_ids=None):
        """The companies asked for, checked: the user's, and allowed to read.

        The queries below read the tables directly: access is checked here,
        once. Raises AccessError for a user outside the readers' groups or a
        company the user does not belong to.
        """
        user = self.env.user
        if not self.env.su and not any(user.has_group(g) for g in ANALYTICS_GROUPS):
            raise AccessError(
                self.env._(
                    "User %(user)s may not read the revenue analytics: they need "
                    "the Revenue Recognition User group (or accounting read "
                    "access). Ask an administrator to grant it.",
                    user=user.display_name,
                )
            )
        if company_ids is None or company_ids is False:
            companies = self.env.companies
        elif isinstance(company_ids, models.BaseModel):
            companies = company_ids
        else:
            ids = [company_ids] if isinstance(company_ids, int) else company_ids
            if not isinstance(ids, list | tuple) or not all(
                isinstance(cid, int) and not isinstance(cid, bool) for cid in ids
            ):
                raise UserError(
                    self.env._(
                        "The companies of the revenue analytics must be given as "
                        "company ids (a list of integers), not %(value)r.",
                        value=company_ids,
                    )
                )
            companies = self.env["res.company"].browse(ids)
        missing = companies - companies.sudo().exists()
        if missing:
            raise UserError(
                self.env._(
                    "The revenue analytics cannot read company id %(ids)s: no such "
                    "company. Choose existing companies.",
                    ids=", ".join(str(cid) for cid in missing.ids),
                )
            )
        companies = companies.sudo()
        if not companies:
            raise UserError(
                self.env._("Choose at least one company for the revenue analytics.")
            )
        if not self.env.su:
            foreign = companies - user.company_ids
            if foreign:
                raise AccessError(
                    self.env._(
                        "User %(user)s may not read the revenue analytics of "
                        "company %(company)s: it is not one of their companies. "
                        "Choose one of their companies, or ask an administrator "
                        "to give them access to it.",
                        user=user.display_name,
                        company=foreign[0].display_name,
                    )
                )
        if self.env.company in companies:
            companies = self.env.company.sudo() | companies
        self._analytics_check_currency(companies)
        return companies

    @api.model
    def _analytics_check_currency(self, companies):
        """Refuse companies of different currencies: their amounts would be
        added as they are (100 USD + 100 EUR is not 200 of anything)."""
        if len(companies.currency_id) > 1:
            raise UserError(
                self.env._(
                    "The revenue analytics add up amounts in company currency, and "
                    "these companies keep their books in different currencies: "
                    "%(companies)s. Choose companies that share a currency, and "
                    "read the others apart.",
                    companies=", ".join(
                        f"{company.display_name} ({company.currency_id.name})"
                        for company in companies
                    ),
                )
            )

    @api.model
    def _analytics_date(self, value, label):
        """``value`` (a date, a datetime or an ISO string) as a date between
        DATE_MIN and DATE_MAX; a clear error otherwise. ``label`` names the
        argument in the message."""
        day = False
        if isinstance(value, datetime):
            day = value.date()
        elif isinstance(value, date):
            day = value
        elif isinstance(value, str):
            try:
                day = fields.Date.to_date(value[:10])
            except ValueError:
                day = False
        if not day or not DATE_MIN <= day <= DATE_MAX:
            raise UserError(
                self.env._(
                    "The revenue analytics need a date for %(label)s between "
                    "%(first)s and %(last)s (YYYY-MM-DD), not %(value)r.",
                    label=label,
                    first=DATE_MIN.isoformat(),
                    last=DATE_MAX.isoformat(),
                    value=value,
                )
            )
        return day

    @api.model
    def _analytics_period(self, date_from, date_to):
        """(date_from, date_to) checked: dates, in order, at most MAX_MONTHS
        calendar months."""
        date_from = self._analytics_date(date_from, "date_from")
        date_to = self._analytics_date(date_to, "date_to")
        if date_to < date_from:
            raise UserError(
                self.env._(
                    "The period of the revenue analytics ends (%(end)s) before it "
                    "starts (%(start)s): give an end date on or after the start.",
                    start=date_from.isoformat(),
                    end=date_to.isoformat(),
                )
            )
        months = len(months_of(date_from, date_to))
        if months > MAX_MONTHS:
            raise UserError(
                self.env._(
                    "The period of the revenue analytics from %(start)s to %(end)s "
                    "covers %(months)s months; at most %(max)s months are read at "
                    "once. Choose a shorter period.",
                    start=date_from.isoformat(),
                    end=date_to.isoformat(),
                    months=months,
                    max=MAX_MONTHS,
                )
            )
        return date_from, date_to

    @api.model
    def _unbilled_account_ids(self, companies):
        """The companies' unbilled revenue (418) accounts."""
        return companies.revenue_unbilled_account_id.ids

    @api.model
    def _analytics_round(self, companies, value):
        """``value`` (float or None) rounded to the companies' currency."""
        return self._analytics_rounder(companies)(value)

    @api.model
    def _analytics_rounder(self, companies):
        """The function ``_analytics_round(companies, value)`` is, for loops
        over many values (the currency read once)."""
        currency = companies[:1].currency_id or self.env.company.currency_id
        rounding = currency.rounding

        def rnd(value):
            # what currency.round() does, no -0.0
            return float_round(float(value or 0.0), precision_rounding=rounding) + 0.0

        return rnd

    @api.model
    def _analytics_query(self, query):
        """Rows of ``query`` after the pending writes of the models it reads."""
        for model in (
            "revenue.recognition.line",
            "revenue.schedule",
            "account.move",
            "account.move.line",
            "sale.order",
            "sale.order.line",
        ):
            self.env[model].flush_model()
        return self.env.execute_query(query)

    @api.model
    def _deferred_account_ids(self, companies, line_accounts=None):
        """Ids of every account the companies use as deferred revenue account.

        The companies' defaults, every schedule's account (product category
        schedules are schedules too) and the accounts recorded on the
        companies' schedule lines (an account changed since is still read;
        ``line_accounts``: those ids, when the caller has read them). The
        customer advances accounts are not deferred revenue: left out.
        """
        if line_accounts is None:
            line_accounts = [
                account_id
                for (account_id,) in self._analytics_query(
                    SQL(
                        """
                        SELECT DISTINCT deferred_account_id
                          FROM revenue_recognition_line
                         WHERE company_id = ANY(%s)
                        """,
                        companies.ids,
                    )
                )
            ]
        rows = self._analytics_query(
            SQL(
                """
                SELECT deferred_account_id
                  FROM revenue_schedule
                 WHERE deferred_account_id IS NOT NULL
                   AND (company_id IS NULL OR company_id = ANY(%s))
                """,
                companies.ids,
            )
        )
        accounts = {account_id for (account_id,) in rows} | set(line_accounts)
        accounts |= set(companies.revenue_deferred_account_id.ids)
        accounts -= set(companies.revenue_advance_account_id.ids)
        accounts.discard(None)
        return sorted(accounts)

    @api.model
    def _recognised_rows(
        self, companies, date_from, date_to, by_partner=False, accounts=None
    ):
        """What recognition entries released: rows (date, partner id, amount).

        By accounting date (and partner when ``by_partner``, else None), for
        entries dated in [``date_from``, ``date_to``] (``date_from`` None:
        from the start). Two parts:

        - schedule lines linked to a posted recognition entry, at that
          entry's date (summed per entry first: one small group per entry);
        - reversed recognition entries: their schedule lines went back to
          pending (and may be recognised again later), so what they released
          is read from their journal items on the deferred accounts, which
          matched their schedule lines when they were posted; it counts at
          the entry's date and is taken back at its reversal's date.

        ``accounts``: the deferred account ids when the caller has them (read
        only if some recognition entry was reversed).
        """
        lower = SQL("AND date >= %s", date_from) if date_from else SQL()
        partner = SQL("l.partner_id") if by_partner else SQL("NULL::int")
        rows = self._analytics_query(
            SQL(
                """
                WITH entries AS MATERIALIZED (
                    SELECT id, date
                      FROM account_move
                     WHERE revenue_recognition_entry
                       AND state = 'posted'
                       AND company_id = ANY(%(companies)s)
                       AND date <= %(date_to)s %(lower)s
                )
                SELECT e.date, s.partner_id, SUM(s.amount)
                  FROM (
                        SELECT l.recognition_move_id, %(partner)s AS partner_id,
                               SUM(l.amount) AS amount
                          FROM revenue_recognition_line l
                         WHERE l.state = 'posted'
                           AND l.recognition_move_id IN (SELECT id FROM entries)
                         GROUP BY 1, 2
                       ) s
                  JOIN entries e ON e.id = s.recognition_move_id
                 GROUP BY 1, 2
                """,
                companies=companies.ids,
                date_to=date_to,
                lower=lower,
                partner=partner,
            )
        )
        reversed_moves = [
            move_id
            for pair in self._analytics_query(
                SQL(
                    """
                    SELECT r.id, o.id
                      FROM account_move r
                      JOIN account_move o ON o.id = r.reversed_entry_id
                     WHERE o.revenue_recognition_entry
                       AND o.state = 'posted'
                       AND r.state = 'posted'
                       AND o.company_id = ANY(%s)
                    """,
                    companies.ids,
                )
            )
            for move_id in pair
        ]
        if reversed_moves:
            if accounts is None:
                accounts = self._deferred_account_ids(companies)
            partner = SQL("partner_id") if by_partner else SQL("NULL::int")
            rows += self._analytics_query(
                SQL(
                    """
                    SELECT date, %(partner)s, SUM(balance)
                      FROM account_move_line
                     WHERE move_id = ANY(%(moves)s)
                       AND account_id = ANY(%(accounts)s)
                       AND date <= %(date_to)s %(lower)s
                     GROUP BY 1, 2
                    """,
                    partner=partner,
                    moves=reversed_moves,
                    accounts=accounts,
                    date_to=date_to,
                    lower=lower,
                )
            )
        return rows

    # --- roll-forward ------------------------------------------------------------

    @api.model
    def _ledger_by_month(self, companies, accounts, last_day, bucket):
        """{month (``bucket`` of the day): balance} of the posted journal items
        of ``accounts`` up to ``last_day``; empty without accounts."""
        balances = defaultdict(float)
        if not accounts:
            return balances
        for day, balance in self._analytics_query(
            SQL(
                """
                SELECT date, SUM(balance)
                  FROM account_move_line
                 WHERE account_id = ANY(%(accounts)s)
                   AND company_id = ANY(%(companies)s)
                   AND parent_state = 'posted'
                   AND date <= %(last_day)s
                 GROUP BY 1
                """,
                accounts=accounts,
                companies=companies.ids,
                last_day=last_day,
            )
        ):
            balances[bucket(day)] += balance
        return balances

    @api.model
    def rollforward(self, date_from, date_to, company_ids=None):
        """Deferred revenue roll-forward, one dict per month, tied to the ledger.

        For each month from ``date_from``'s to ``date_to``'s:

        - ``month``: its first day;
        - ``opening``: the previous month's ``closing`` (everything before
          ``date_from``'s month, from the first invoice);
        - ``invoiced``: schedule lines of posted customer invoices whose
          accounting date is in the month (what was deferred at posting);
          lines of invoices reset to draft are cancelled and do not count;
        - ``credited``: the same for posted credit notes (≤ 0);
        - ``recognised``: schedule lines recognised by posted recognition
          entries dated in the month; a recognition entry that was reversed
          counts in its month and is taken back in its reversal's month
          (its lines are pending again);
        - ``closing`` = opening + invoiced + credited − recognised;
        - ``gl_balance``: minus the balance at the month's last day of the
          deferred revenue accounts (companies' defaults, schedules',
          schedule lines'), posted entries of the companies only;
        - ``difference`` = closing − gl_balance: 0 when the schedule lines tie
          to the ledger; anything else is an entry on a deferred account
          made outside the revenue recognition (or a deferred account
          changed by hand).

        Down payments (customer advances account) and unbilled revenue
        accruals never touch the deferred accounts and are not part of it.
        Accrued revenue is shown apart:

        - ``accrued``: the balance at the month's last day of the companies'
          unbilled revenue accounts (418, ``revenue_unbilled_account_id``),
          posted entries: revenue earned and not yet invoiced, accrued at the
          month end and reversed the next day (a contract asset, never in
          ``closing``).
        """
        date_from, date_to = self._analytics_period(date_from, date_to)
        companies = self._analytics_companies(company_ids)
        months = months_of(date_from, date_to)
        first = months[0]
        last_day = month_last_day(months[-1])

        def bucket(day):
            # everything before the first month is the opening balance
            month = day.replace(day=1)
            return month if month >= first else None

        invoiced = defaultdict(float)
        credited = defaultdict(float)
        # by day, then month in Python: few groups, no expression per line
        rows = self._analytics_query(
            SQL(
                """
                SELECT m.date, m.move_type, l.deferred_account_id, SUM(l.amount)
                  FROM revenue_recognition_line l
                  JOIN account_move m ON m.id = l.move_id
                 WHERE l.company_id = ANY(%(companies)s)
                   AND l.state != 'cancelled'
                   AND m.state = 'posted'
                   AND m.date <= %(last_day)s
                 GROUP BY 1, 2, 3
                """,
                companies=companies.ids,
                last_day=last_day,
            )
        )
        for day, move_type, _account, amount in rows:
            target = credited if move_type == "out_refund" else invoiced
            target[bucket(day)] += amount
        accounts = self._deferred_account_ids(
            companies, line_accounts={row[2] for row in rows}
        )
        recognised = defaultdict(float)
        for day, _partner, amount in self._recognised_rows(
            companies, None, last_day, accounts=accounts
        ):
            recognised[bucket(day)] += amount
        ledger = self._ledger_by_month(companies, accounts, last_day, bucket)
        unbilled = self._ledger_by_month(
            companies, self._unbilled_account_ids(companies), last_day, bucket
        )
        accrued = unbilled[None]
        result = []
        closing = invoiced[None] + credited[None] - recognised[None]
        gl_balance = -ledger[None]
        rnd = self._analytics_round
        for month in months:
            opening = closing
            closing = opening + invoiced[month] + credited[month] - recognised[month]
            gl_balance -= ledger[month]
            accrued += unbilled[month]
            result.append(
                {
                    "month": month,
                    "opening": rnd(companies, opening),
                    "invoiced": rnd(companies, invoiced[month]),
                    "credited": rnd(companies, credited[month]),
                    "recognised": rnd(companies, recognised[month]),
                    "closing": rnd(companies, closing),
                    "gl_balance": rnd(companies, gl_balance),
                    "difference": rnd(companies, closing - gl_balance),
                    "accrued": rnd(companies, accrued),
                }
            )
        return result

    @api.model
    def rollforward_domain(self, figure, month, company_ids=None):
        """(model, domain) of the records whose amounts make up ``figure`` of
        :meth:`rollforward` for ``month``: schedule lines for ``opening``,
        ``invoiced``, ``credited``, ``recognised`` and ``closing``; journal
        items for ``gl_balance`` (minus their balance), ``accrued`` and
        ``difference``: the items on the deferred accounts up to the month's
        end that no schedule line accounts for (not of an invoice line with
        schedule lines, not of a recognition entry or its reversal), whose
        balance is the difference."""
        month = month_start(self._analytics_date(month, "month"))
        companies = self._analytics_companies(company_ids)
        start, end = month, month_last_day(month)
        items = [
            ("company_id", "in", companies.ids),
            ("parent_state", "=", "posted"),
            ("date", "<=", end),
        ]
        if figure == "accrued":
            return "account.move.line", items + [
                ("account_id", "in", self._unbilled_account_ids(companies)),
            ]
        if figure in ("gl_balance", "difference"):
            items.append(("account_id", "in", self._deferred_account_ids(companies)))
            if figure == "difference":
                items += [
                    ("revenue_line_ids", "=", False),
                    ("move_id.revenue_recognition_entry", "=", False),
                    "|",
                    ("move_id.reversed_entry_id", "=", False),
                    ("move_id.reversed_entry_id.revenue_recognition_entry", "=", False),
                ]
            return "account.move.line", items
        base = [
            ("company_id", "in", companies.ids),
            ("state", "!=", "cancelled"),
        ]
        invoiced = [("move_id", "!=", False), ("move_id.state", "=", "posted")]
        if figure in ("opening", "closing"):
            day = start - relativedelta(days=1) if figure == "opening" else end
            return "revenue.recognition.line", base + invoiced + [
                ("move_id.date", "<=", day),
                "|",
                "|",
                ("state", "!=", "posted"),
                ("recognition_move_id.state", "!=", "posted"),
                ("recognition_move_id.date", ">", day),
            ]
        if figure in ("invoiced", "credited"):
            operator = "!=" if figure == "invoiced" else "="
            return "revenue.recognition.line", base + invoiced + [
                ("move_id.move_type", operator, "out_refund"),
                ("move_id.date", ">=", start),
                ("move_id.date", "<=", end),
            ]
        if figure == "recognised":
            return "revenue.recognition.line", base + [
                ("state", "=", "posted"),
                ("recognition_move_id.state", "=", "posted"),
                ("recognition_move_id.date", ">=", start),
                ("recognition_move_id.date", "<=", end),
            ]
        raise UserError(
            self.env._(
                "The roll-forward has no figure %(figure)s to open: choose opening, "
                "invoiced, credited, recognised, closing, ledger balance, "
                "difference or accrued.",
                figure=figure,
            )
        )

    # --- backlog -------------------------------------------------------------------

    @api.model
    def _alive_sql(self, day):
        """SQL: the schedule line ``l`` (its document ``m``) stood on ``day``:
        signed by then (``signed_date``), not cancelled by then
        (``cancel_date``: lines cancelled with no date left out), of a posted
        document then (a document reset later still counts)."""
        return SQL(
            """
            COALESCE(l.signed_date, %(day)s) <= %(day)s
            AND (l.state != 'cancelled' OR l.cancel_date > %(day)s)
            AND (l.move_id IS NULL OR m.state = 'posted' OR l.cancel_date > %(day)s)
            AND (l.move_id IS NOT NULL OR l.state IN ('expected', 'cancelled'))
            AND l.allocation_difference IS NOT TRUE
            """,
            day=day,
        )

    @api.model
    def _alive_domain(self, day):
        """The domain of :meth:`_alive_sql`."""
        return [
            ("allocation_difference", "=", False),
            "|",
            ("signed_date", "=", False),
            ("signed_date", "<=", day),
            "|",
            ("state", "!=", "cancelled"),
            ("cancel_date", ">", day),
            "|",
            "|",
            ("move_id", "=", False),
            ("move_id.state", "=", "posted"),
            ("cancel_date", ">", day),
            "|",
            ("move_id", "!=", False),
            ("state", "in", ("expected", "cancelled")),
        ]

    @api.model
    def _band_limits(self, as_of):
        """{band: (after, up to)} of the recognition dates in each band."""
        limit_12 = as_of + relativedelta(months=12)
        limit_24 = as_of + relativedelta(months=24)
        return {
            "within_12_months": (None, limit_12),
            "from_12_to_24_months": (limit_12, limit_24),
            "beyond_24_months": (limit_24, None),
        }

    @api.model
    def backlog_domain(self, as_of, band=None, kind=None, company_ids=None):
        """The schedule lines that make up :meth:`backlog` at ``as_of`` (or
        its ``band`` and its ``kind``, ``expected`` or ``deferred``): the
        domain the screens open; the sum of their amounts is the figure."""
        as_of = self._analytics_date(as_of, "as_of")
        companies = self._analytics_companies(company_ids)
        as_of_end = datetime.combine(as_of, datetime.max.time())
        domain = [("company_id", "in", companies.ids)] + self._alive_domain(as_of)
        domain += [
            # signed on or before as_of
            "|",
            "&",
            ("move_id.move_type", "=", "out_refund"),
            ("move_id.date", "<=", as_of),
            "&",
            "|",
            ("move_id", "=", False),
            ("move_id.move_type", "!=", "out_refund"),
            "|",
            "&",
            ("order_id", "!=", False),
            ("order_id.date_order", "<=", as_of_end),
            "&",
            ("order_id", "=", False),
            "|",
            "&",
            ("move_id.invoice_date", "!=", False),
            ("move_id.invoice_date", "<=", as_of),
            "&",
            ("move_id.invoice_date", "=", False),
            ("move_id.date", "<=", as_of),
            # not recognised by then
            "|",
            "|",
            ("state", "!=", "posted"),
            ("recognition_move_id.state", "!=", "posted"),
            ("recognition_move_id.date", ">", as_of),
        ]
        if kind == "deferred":
            domain += [("move_id", "!=", False), ("move_id.date", "<=", as_of)]
        elif kind == "expected":
            domain += ["|", ("move_id", "=", False), ("move_id.date", ">", as_of)]
        if band:
            after, up_to = self._band_limits(as_of)[band]
            if after:
                domain.append(("recognition_date", ">", after))
            if up_to:
                domain.append(("recognition_date", "<=", up_to))
        return domain

    @api.model
    def _backlog_rows(self, as_of, companies, by_risk=False, by_customer=False):
        """Rows (invoiced by then, band index, risk id or None, amount) of
        the backlog; the risk (the order line's, else the order's) only
        ``by_risk``. ``by_customer``: rows (invoiced, band, company id,
        partner id, product id, risk id or None, amount) instead, the risk
        read with ``by_risk`` only."""
        extra_columns = (
            SQL("COALESCE(sol.revenue_risk_id, o.revenue_risk_id)")
            if by_risk
            else SQL("NULL::int")
        )
        if by_customer:
            extra_columns = SQL(
                "l.company_id, l.partner_id, l.product_id, %s", extra_columns
            )
        risk_join = (
            SQL("LEFT JOIN sale_order_line sol ON sol.id = l.sale_line_id")
            if by_risk
            else SQL()
        )
        limits = self._band_limits(as_of)
        return self._analytics_query(
            SQL(
                """
                SELECT l.move_id IS NOT NULL AND m.date <= %(as_of)s,
                       CASE WHEN l.recognition_date <= %(limit_12)s THEN 0
                            WHEN l.recognition_date <= %(limit_24)s THEN 1
                            ELSE 2 END,
                       %(extra)s,
                       SUM(l.amount)
                  FROM revenue_recognition_line l
                  LEFT JOIN account_move m ON m.id = l.move_id
                  LEFT JOIN sale_order o ON o.id = l.order_id
                  LEFT JOIN account_move r ON r.id = l.recognition_move_id
                  %(risk_join)s
                 WHERE l.company_id = ANY(%(companies)s)
                   AND %(alive)s
                   AND NOT (
                        l.state = 'posted'
                        AND r.state = 'posted'
                        AND r.date <= %(as_of)s
                       )
                   AND CASE WHEN m.move_type = 'out_refund' THEN m.date <= %(as_of)s
                            ELSE COALESCE(
                                o.date_order::date,
                                m.invoice_date,
                                m.date
                            ) <= %(as_of)s
                        END
                 GROUP BY %(group)s
                """,
                group=SQL("1, 2, 3, 4, 5, 6") if by_customer else SQL("1, 2, 3"),
                as_of=as_of,
                limit_12=limits["within_12_months"][1],
                limit_24=limits["from_12_to_24_months"][1],
                companies=companies.ids,
                alive=self._alive_sql(as_of),
                extra=extra_columns,
                risk_join=risk_join,
            )
        )

    @api.model
    def backlog(self, as_of, company_ids=None):
        """Backlog (remaining performance obligations) at the end of ``as_of``,
        as the contracts stood then.

        What was signed on or before ``as_of`` and not recognised by then:

        - signed: an order line's lines count from the order date, lines of an
          invoice without order from its invoice date; a credit note counts
          from its accounting date (a credit note after ``as_of`` did not
          exist then);
        - as it stood: a schedule line counts from the day it was made
          (``signed_date``: the order date for the lines of a confirmation)
          until the day it was cancelled (``cancel_date``): an upsell signed
          later, a change of terms or a cancellation made later, an invoice
          posted later (its lines replace the order's expected lines on the
          day it is posted) do not change the figure of an earlier day;
        - not recognised: no posted recognition entry dated on or before
          ``as_of`` (held lines and lines of draft entries are backlog);
        - ``expected``: not invoiced by then;
        - ``deferred``: invoiced by then (invoice or credit note posted with
          an accounting date on or before ``as_of``);
        - ``total`` = expected + deferred;
        - ``bands``: the total by recognition date: ``within_12_months``
          (up to ``as_of`` + 12 months, including what is already due),
          ``from_12_to_24_months`` (up to ``as_of`` + 24 months),
          ``beyond_24_months``; they add up to ``total``.

        :meth:`backlog_domain` gives the schedule lines of each figure.
        """
        as_of = self._analytics_date(as_of, "as_of")
        companies = self._analytics_companies(company_ids)
        return self._backlog_figures(
            companies,
            (
                (invoiced, band, amount)
                for invoiced, band, _extra, amount in self._backlog_rows(
                    as_of, companies
                )
            ),
        )

    @api.model
    def _backlog_figures(self, companies, rows):
        """:meth:`backlog`'s dict from rows (invoiced, band index, amount)."""
        expected = deferred = 0.0
        bands = [0.0] * len(BANDS)
        for invoiced, band, amount in rows:
            if invoiced:
                deferred += amount
            else:
                expected += amount
            bands[band] += amount
        rnd = self._analytics_round
        return {
            "expected": rnd(companies, expected),
            "deferred": rnd(companies, deferred),
            "total": rnd(companies, expected + deferred),
            "bands": {
                name: rnd(companies, amount)
                for (name, _label), amount in zip(BANDS, bands, strict=True)
            },
        }

    @api.model
    def backlog_breakdown(self, as_of, company_ids=None):
        """The :meth:`backlog` at ``as_of`` by time band, status, company,
        customer and product: one dict per group, ``band`` (a key of
        ``BANDS``), ``kind`` (``expected`` or ``deferred``, as in
        :meth:`backlog`), ``company_id``, ``partner_id``, ``product_id``
        (False when the lines have none) and ``amount`` (not rounded: the
        screens sum them). The schedule lines of a group are those of
        :meth:`backlog_domain` with its band and kind, of its company,
        customer and product; the amounts add up to the backlog's ``total``.
        One query, however many groups."""
        as_of = self._analytics_date(as_of, "as_of")
        companies = self._analytics_companies(company_ids)
        return self._backlog_groups(
            self._backlog_rows(as_of, companies, by_customer=True)
        )

    @api.model
    def backlog_report(self, as_of, company_ids=None):
        """:meth:`backlog`, :meth:`backlog_breakdown` and
        :meth:`backlog_by_risk` at ``as_of`` from one read of the schedule
        lines (the Backlog report shows the three): a dict with keys
        ``backlog``, ``breakdown`` and ``by_risk``, each what that method
        returns."""
        as_of = self._analytics_date(as_of, "as_of")
        companies = self._analytics_companies(company_ids)
        rows = self._backlog_rows(as_of, companies, by_risk=True, by_customer=True)
        return {
            "backlog": self._backlog_figures(
                companies, ((row[0], row[1], row[-1]) for row in rows)
            ),
            "breakdown": self._backlog_groups(rows),
            "by_risk": self._backlog_risks(
                companies, ((row[5], row[-1]) for row in rows)
            ),
        }

    @api.model
    def _backlog_groups(self, rows):
        """:meth:`backlog_breakdown`'s dicts from rows (invoiced, band,
        company, partner, product, risk, amount), the risks added together."""
        groups = {}
        for invoiced, band, company_id, partner_id, product_id, _risk, amount in rows:
            key = (band, bool(invoiced), company_id, partner_id, product_id)
            groups[key] = groups.get(key, 0.0) + amount
        return [
            {
                "band": BANDS[band][0],
                "kind": "deferred" if invoiced else "expected",
                "company_id": company_id or False,
                "partner_id": partner_id or False,
                "product_id": product_id or False,
                "amount": amount,
            }
            for (band, invoiced, company_id, partner_id, product_id), amount in (
                groups.items()
            )
        ]

    @api.model
    def backlog_by_risk(self, as_of, company_ids=None):
        """The :meth:`backlog` total at ``as_of`` split by risk tag: one dict
        per tag, ``risk_id`` (False: no risk), ``name`` and ``amount``.

        A line's risk is its order line's tag, else its order's; lines of
        invoices without order have none. The amounts add up to the
        backlog's ``total``. Sorted by the tags' sequence, no risk last.
        """
        as_of = self._analytics_date(as_of, "as_of")
        companies = self._analytics_companies(company_ids)
        return self._backlog_risks(
            companies,
            (
                (risk_id, amount)
                for _invoiced, _band, risk_id, amount in self._backlog_rows(
                    as_of, companies, by_risk=True
                )
            ),
        )

    @api.model
    def _backlog_risks(self, companies, rows):
        """:meth:`backlog_by_risk`'s dicts from rows (risk id, amount)."""
        amounts = defaultdict(float)
        for risk_id, amount in rows:
            amounts[risk_id or False] += amount
        risks = (
            self.env["revenue.risk"]
            .sudo()
            .browse([risk_id for risk_id in amounts if risk_id])
        )
        rnd = self._analytics_round
        result = [
            {
                "risk_id": risk.id,
                "name": risk.name,
                "amount": rnd(companies, amounts[risk.id]),
            }
            for risk in risks.sorted(lambda r: (r.sequence, r.id))
        ]
        if False in amounts:
            result.append(
                {
                    "risk_id": False,
                    "name": self.env._("No risk"),
                    "amount": rnd(companies, amounts[False]),
                }
            )
        return result

    # --- KPIs ------------------------------------------------------------------------

    @api.model
    def kpi_months(self, date_from, date_to):
        """Months of the period, the divisor of the coverage: the calendar
        months it touches."""
        date_from, date_to = self._analytics_period(date_from, date_to)
        return len(months_of(date_from, date_to))

    @api.model
    def bookings_domain(self, date_from, date_to, company_ids=None):
        """The schedule lines whose amounts make up the bookings of
        :meth:`kpis` (in document currency, converted at the order's rate for
        orders)."""
        date_from, date_to = self._analytics_period(date_from, date_to)
        companies = self._analytics_companies(company_ids)
        start = datetime.combine(date_from, datetime.min.time())
        end = datetime.combine(date_to, datetime.max.time())
        return (
            [("company_id", "in", companies.ids)]
            + self._alive_domain(date_to)
            + [
                "|",
                ("move_id", "=", False),
                ("move_id.move_type", "=", "out_invoice"),
                "|",
                "&",
                ("order_id", "!=", False),
                "&",
                ("order_id.date_order", ">=", start),
                ("order_id.date_order", "<=", end),
                "&",
                ("order_id", "=", False),
                "&",
                ("move_id.invoice_date", ">=", date_from),
                ("move_id.invoice_date", "<=", date_to),
            ]
        )

    @api.model
    def _bookings(self, date_from, date_to, companies):
        """Bookings of the period as they stood at the end of ``date_to``.

        Two parts, each read from the documents dated in the period (the
        order's date, or the invoice date of a line without order) through
        their indexes, rather than every schedule line joined to its
        documents: at ten million lines that scan took 8 s."""
        common = SQL(
            """
                   l.company_id = ANY(%(companies)s)
               AND %(alive)s
               AND (l.move_id IS NULL OR m.move_type = 'out_invoice')
            """,
            companies=companies.ids,
            alive=self._alive_sql(date_to),
        )
        ((amount,),) = self._analytics_query(
            SQL(
                """
                SELECT COALESCE(SUM(amount), 0) FROM (
                    SELECT l.amount_currency
                           / COALESCE(NULLIF(o.currency_rate, 0), 1) AS amount
                      FROM sale_order o
                      JOIN revenue_recognition_line l ON l.order_id = o.id
                      LEFT JOIN account_move m ON m.id = l.move_id
                     WHERE o.date_order >= %(start)s AND o.date_order <= %(end)s
                       AND %(common)s
                    UNION ALL
                    SELECT l.amount
                      FROM account_move m
                      JOIN revenue_recognition_line l ON l.move_id = m.id
                     WHERE m.invoice_date BETWEEN %(date_from)s AND %(date_to)s
                       AND l.order_id IS NULL
                       AND %(common)s
                ) bookings
                """,
                common=common,
                start=datetime.combine(date_from, datetime.min.time()),
                end=datetime.combine(date_to, datetime.max.time()),
                date_from=date_from,
                date_to=date_to,
            )
        )
        return amount

    @api.model
    def kpis(self, date_from, date_to, company_ids=None):
        """Bookings and the backlog KPIs of the period [``date_from``, ``date_to``],
        as the contracts stood at the end of ``date_to``.

        - ``bookings``: the scheduled lines of confirmed orders dated in the
          period, and those of posted customer invoices without order dated
          (invoice date) in the period, as they stood at the end of
          ``date_to`` (a line added, changed or cancelled later does not
          count; an order cancelled later does), untaxed, at the order's rate
          (the confirmation's, never a later invoice's); credit notes are not
          bookings;
        - ``recognised``: as in :meth:`rollforward`, by the recognition
          entries' accounting dates in the period;
        - ``book_to_bill`` = bookings ÷ recognised;
        - ``backlog``: :meth:`backlog` ``total`` at ``date_to``;
        - ``coverage_months`` = backlog ÷ (recognised ÷ :meth:`kpi_months`),
          the months being the calendar months the period touches;
        - ``lead_time_days``: average of the days from the order date to the
          recognition date of the order's first recognised schedule line
          (recognised by a posted entry dated up to ``date_to``), over the
          orders whose first recognised line's recognition date is in the
          period; a line recognised before the order was signed (a service
          started before signature) counts 0 days, never negative; rounded
          to 2 decimals;
        - ``alerts``: the names of the KPIs outside the thresholds of the
          first company (the active one when it is asked for):
          ``book_to_bill`` below ``revenue_alert_book_to_bill``,
          ``coverage_months`` below ``revenue_alert_coverage_months``,
          ``lead_time_days`` above ``revenue_alert_lead_time_days``.

        A ratio whose divisor is 0 (or that has nothing to average) is False
        (empty, as Odoo's fields say it: XML-RPC cannot carry None) and never
        an alert.
        """
        date_from, date_to = self._analytics_period(date_from, date_to)
        companies = self._analytics_companies(company_ids)
        rnd = self._analytics_round
        bookings = rnd(companies, self._bookings(date_from, date_to, companies))
        recognised = rnd(
            companies,
            sum(
                amount
                for _day, _partner, amount in self._recognised_rows(
                    companies, date_from, date_to
                )
            ),
        )
        backlog = self.backlog(date_to, company_ids=companies)["total"]
        months = self.kpi_months(date_from, date_to)
        ((lead_time,),) = self._analytics_query(
            SQL(
                """
                SELECT AVG(GREATEST(f.first_date - o.date_order::date, 0))
                  FROM (
                        SELECT l.order_id, MIN(l.recognition_date) AS first_date
                          FROM revenue_recognition_line l
                          JOIN account_move r ON r.id = l.recognition_move_id
                         WHERE l.state = 'posted'
                           AND r.state = 'posted'
                           AND r.date <= %(date_to)s
                           AND l.order_id IS NOT NULL
                           AND l.company_id = ANY(%(companies)s)
                         GROUP BY l.order_id
                       ) f
                  JOIN sale_order o ON o.id = f.order_id
                 WHERE f.first_date BETWEEN %(date_from)s AND %(date_to)s
                """,
                companies=companies.ids,
                date_from=date_from,
                date_to=date_to,
            )
        )
        result = {
            "bookings": bookings,
            "recognised": recognised,
            "book_to_bill": bookings / recognised if recognised else False,
            "backlog": backlog,
            "coverage_months": (
                backlog / (recognised / months) if recognised else False
            ),
            "lead_time_days": (
                round(float(lead_time), 2) if lead_time is not None else False
            ),
        }
        result["alerts"] = self._kpi_alerts(result, companies[:1])
        return result

    @api.model
    def _kpi_alerts(self, kpis, company):
        """Names of the KPIs of ``kpis`` outside ``company``'s thresholds."""
        alerts = []
        for name, threshold_field, direction in KPI_ALERTS:
            value = kpis[name]
            if value is False:
                continue
            threshold = company[threshold_field]
            if (direction == "below" and value < threshold) or (
                direction == "above" and value > threshold
            ):
                alerts.append(name)
        return alerts

    # --- forecast ------------------------------------------------------------------

    @api.model
    def _forecast_periods(self, date_from, periods, period):
        """Starts of the periods and the day after the last, checked."""
        if period not in FORECAST_PERIODS:
            raise UserError(
                self.env._(
                    "The forecast is by week or by month (period 'week' or "
                    "'month'), not %(period)r.",
                    period=period,
                )
            )
        step = FORECAST_PERIODS[period]
        max_periods = MAX_MONTHS if period == "month" else MAX_MONTHS * 4
        if (
            not isinstance(periods, int)
            or isinstance(periods, bool)
            or not 1 <= periods <= max_periods
        ):
            raise UserError(
                self.env._(
                    "The forecast reads from 1 to %(max)s periods of a %(period)s, "
                    "not %(periods)r.",
                    max=max_periods,
                    period=period,
                    periods=periods,
                )
            )
        start = self._analytics_date(date_from, "date_from")
        if period == "month":
            start = start.replace(day=1)
        starts = [start + step * index for index in range(periods + 1)]
        if starts[-1] > DATE_MAX:
            raise UserError(
                self.env._(
                    "The forecast would run past %(last)s: choose an earlier start.",
                    last=DATE_MAX.isoformat(),
                )
            )
        return starts

    @api.model
    def forecast_domain(self, date_from, date_to, as_of=None, company_ids=None):
        """The schedule lines of :meth:`forecast` (``as_of`` None: as they
        stand now, not recognised) or of the ``planned`` figure of
        :meth:`plan_vs_actual` (``as_of``: the day before the period; not
        recognised by an entry dated before ``date_from``), with a
        recognition date from ``date_from`` to ``date_to`` (inclusive)."""
        date_from, date_to = self._analytics_period(date_from, date_to)
        companies = self._analytics_companies(company_ids)
        if as_of is None:
            as_of = fields.Date.context_today(self)
            recognised = [("state", "!=", "posted")]
        else:
            as_of = self._analytics_date(as_of, "as_of")
            recognised = [
                "|",
                "|",
                ("state", "!=", "posted"),
                ("recognition_move_id.state", "!=", "posted"),
                ("recognition_move_id.date", ">=", date_from),
            ]
        return [
            ("company_id", "in", companies.ids),
            ("recognition_date", ">=", date_from),
            ("recognition_date", "<=", date_to),
            *recognised,
            *self._alive_domain(as_of),
        ]

    @api.model
    def _planned_rows(self, companies, starts, as_of_of, all_recognised=False):
        """Rows (period index, invoiced, amount) of what was planned in each
        period; ``as_of_of(start)``: the day whose standing counts. Lines
        recognised by an entry dated before the period are not planned any
        more, nor any recognised line with ``all_recognised``."""
        rows = []
        for index, (start, nxt) in enumerate(zip(starts, starts[1:], strict=False)):
            as_of = as_of_of(start)
            for invoiced, amount in self._analytics_query(
                SQL(
                    """
                    SELECT l.move_id IS NOT NULL AND m.date <= %(as_of)s,
                           SUM(l.amount)
                      FROM revenue_recognition_line l
                      LEFT JOIN account_move m ON m.id = l.move_id
                      LEFT JOIN account_move r ON r.id = l.recognition_move_id
                     WHERE l.company_id = ANY(%(companies)s)
                       AND l.recognition_date >= %(start)s
                       AND l.recognition_date < %(next)s
                       AND %(alive)s
                       AND NOT (
                            l.state = 'posted'
                            AND r.state = 'posted'
                            AND r.date < %(recognised_before)s
                           )
                     GROUP BY 1
                    """,
                    companies=companies.ids,
                    recognised_before=DATE_MAX if all_recognised else start,
                    start=start,
                    next=nxt,
                    as_of=as_of,
                    alive=self._alive_sql(as_of),
                )
            ):
                rows.append((index, invoiced, amount))
        return rows

    @api.model
    def forecast(self, date_from, periods=13, period="week", company_ids=None):
        """What is planned to be recognised in each of ``periods`` weeks or
        months from ``date_from`` (a month starts on its first day), as the
        schedule lines stand now: one dict per period, ``period_start``,
        ``expected`` (signed, not invoiced: expected lines), ``deferred``
        (invoiced, not recognised yet: pending lines, held ones included),
        ``total``. Lines already recognised are not planned any more (what
        is due and not recognised yet falls in the period of its date)."""
        starts = self._forecast_periods(date_from, periods, period)
        companies = self._analytics_companies(company_ids)
        today = fields.Date.context_today(self)
        figures = [[0.0, 0.0] for _start in starts[:-1]]
        for index, invoiced, amount in self._planned_rows(
            companies, starts, lambda _start: today, all_recognised=True
        ):
            figures[index][1 if invoiced else 0] += amount
        rnd = self._analytics_round
        return [
            {
                "period_start": start,
                "expected": rnd(companies, expected),
                "deferred": rnd(companies, deferred),
                "total": rnd(companies, expected + deferred),
            }
            for start, (expected, deferred) in zip(starts, figures, strict=False)
        ]

    @api.model
    def plan_vs_actual(self, date_from, periods=12, period="month", company_ids=None):
        """For each period from ``date_from``: what was planned at its start
        against what was recognised in it. One dict per period:
        ``period_start``, ``planned`` (the lines to be recognised in the
        period as they stood at the end of the day before it started:
        signed and not cancelled by then, not yet recognised), ``actual``
        (recognised by entries dated in the period, as the roll-forward
        counts it), ``difference`` = actual − planned."""
        starts = self._forecast_periods(date_from, periods, period)
        companies = self._analytics_companies(company_ids)
        planned = defaultdict(float)
        for index, _invoiced, amount in self._planned_rows(
            companies, starts, lambda start: start - relativedelta(days=1)
        ):
            planned[index] += amount
        actual = defaultdict(float)
        rows = self._recognised_rows(
            companies, starts[0], starts[-1] - relativedelta(days=1)
        )
        for day, _partner, amount in rows:
            for index, (start, nxt) in enumerate(zip(starts, starts[1:], strict=False)):
                if start <= day < nxt:
                    actual[index] += amount
                    break
        rnd = self._analytics_round
        return [
            {
                "period_start": start,
                "planned": rnd(companies, planned[index]),
                "actual": rnd(companies, actual[index]),
                "difference": rnd(companies, actual[index] - planned[index]),
            }
            for index, start in enumerate(starts[:-1])
        ]

    # --- MRR -----------------------------------------------------------------------

    @api.model
    def _mrr_lines_sql(self, companies, first, last, columns, group):
        """SQL summing, by ``group``, the MRR of the lines covering month ends.

        The lines read: not cancelled, of posted invoices and credit notes or
        expected (still to invoice on a confirmed order), with a recurring
        schedule, whose period covers the last day of a month from ``first``
        to ``last`` (first days). A period never runs over more than one
        month's end, that of the month it starts in; the recognition date
        lies within a month of the period, which lets the index on it narrow
        the scan. Each line carries its schedule's MRR (``mrr_amount``).

        :param columns: SQL of the selected columns (``l`` is the line, ``m``
            its invoice or credit note, if any, ``month`` the covered month)
        :param group: SQL of the GROUP BY list
        """
        last_day = month_last_day(last)
        return SQL(
            """
            SELECT %(columns)s, COALESCE(SUM(l.mrr_amount), 0)
              FROM revenue_recognition_line l
              JOIN revenue_schedule sch ON sch.id = l.schedule_id
              LEFT JOIN account_move m ON m.id = l.move_id
              CROSS JOIN LATERAL (
                    SELECT date_trunc('month', l.period_start::timestamp)::date
                           AS month
                   ) covered
             WHERE l.company_id = ANY(%(companies)s)
               AND l.state != 'cancelled'
               AND (l.move_line_id IS NOT NULL OR l.state = 'expected')
               AND sch.recurring
               AND l.recognition_date BETWEEN %(scan_from)s AND %(scan_to)s
               AND l.period_start BETWEEN %(first)s AND %(last_day)s
               AND l.period_end >= (covered.month + interval '1 month - 1 day')::date
             GROUP BY %(group)s
            """,
            columns=columns,
            group=group,
            companies=companies.ids,
            scan_from=first - relativedelta(months=2),
            scan_to=last_day + relativedelta(months=2),
            first=first,
            last_day=last_day,
        )

    @api.model
    def _mrr_by_partner(self, month, companies):
        """{partner id: MRR, not rounded} of ``month`` (a first day)."""
        rows = self._analytics_query(
            self._mrr_lines_sql(companies, month, month, SQL("l.partner_id"), SQL("1"))
        )
        return dict(rows)

    @api.model
    def mrr(self, month, company_ids=None):
        """Monthly recurring revenue of ``month``: one dict per partner with
        MRR, ``partner_id`` and ``mrr``, sorted by partner id (a list, so
        that XML-RPC carries it).

        A document line with a recurring schedule counts when its term (its
        schedule lines' periods) covers the last day of the month, for its
        amount ÷ the length of its term in months: the occurrences for the
        ``occurrences`` basis and per-period percentages, the sum of the
        months' shares (days served ÷ days of the month) for ``monthly`` and
        ``monthly_days``. That share is computed when the schedule lines are
        created and stored on each of them (``mrr_amount``). Amounts are net
        of discounts (untaxed invoice lines); invoice lines count through
        their schedule lines that are not cancelled (an invoice reset to
        draft does not count), credit note lines reduce it for the term they
        mirror (also in the months before the credit note), and what is
        still to invoice on confirmed orders (expected lines) counts from the
        term's start. Schedules that are not recurring (set-up fees,
        projects) never count. Partners are the commercial partners; a
        partner's MRR is summed exactly and rounded to the currency once;
        partners whose MRR rounds to 0 are left out. ARR = 12 × MRR.
        """
        month = self._analytics_date(month, "month")
        companies = self._analytics_companies(company_ids)
        result = []
        for partner_id, amount in sorted(
            self._mrr_by_partner(month_start(month), companies).items(),
            key=lambda item: item[0] or 0,
        ):
            value = self._analytics_round(companies, amount)
            if value:
                result.append({"partner_id": partner_id or False, "mrr": value})
        return result

    @api.model
    def mrr_movements(self, date_from, date_to, company_ids=None):
        """MRR movements per partner and month, from ``date_from``'s month to
        ``date_to``'s.

        One dict per partner and month whose MRR (as :meth:`mrr` gives it,
        rounded) differs from the previous month's: ``month``,
        ``partner_id``, ``kind`` and ``amount`` (MRR of the month − MRR of
        the previous month). The first month is compared with the month
        before it. Kinds: from 0 (or less) to more than 0 is ``new`` the
        first time the partner has MRR (in any month before), and
        ``reactivation`` after; up is ``expansion``, down but still above 0
        ``contraction``, down to 0 (or less) ``churn``. Per month, the
        movements add up to the change of the total MRR. Sorted by month,
        then partner id.
        """
        date_from, date_to = self._analytics_period(date_from, date_to)
        companies = self._analytics_companies(company_ids)
        months = months_of(month_start(date_from) - relativedelta(months=1), date_to)
        rows = self._analytics_query(
            self._mrr_lines_sql(
                companies,
                months[0],
                months[-1],
                SQL("l.partner_id, covered.month"),
                SQL("1, 2"),
            )
        )
        rounder = self._analytics_rounder(companies)

        def rnd(_companies, value):
            return rounder(value)

        series = defaultdict(dict)
        for partner_id, month, amount in rows:
            series[partner_id][month] = rnd(companies, amount)
        # partners that may start in the range: had they MRR before it?
        starting = [
            partner_id
            for partner_id, values in series.items()
            if values.get(months[0], 0.0) <= 0
        ]
        had_mrr_before = set()
        if starting:
            digits = companies[:1].currency_id.decimal_places
            had_mrr_before = {
                partner_id
                for partner_id, _month, amount in self._analytics_query(
                    SQL(
                        """
                        SELECT l.partner_id,
                               date_trunc('month', l.period_start::timestamp),
                               SUM(l.mrr_amount)
                          FROM revenue_recognition_line l
                          JOIN revenue_schedule sch ON sch.id = l.schedule_id
                         WHERE l.company_id = ANY(%(companies)s)
                           AND l.partner_id = ANY(%(partners)s)
                           AND l.state != 'cancelled'
                           AND (l.move_line_id IS NOT NULL OR l.state = 'expected')
                           AND sch.recurring
                           AND l.period_start < %(first)s
                           AND l.period_end >= (
                                date_trunc('month', l.period_start::timestamp)
                                + interval '1 month - 1 day'
                               )::date
                         GROUP BY 1, 2
                        HAVING ROUND(SUM(l.mrr_amount)::numeric, %(digits)s) > 0
                        """,
                        companies=companies.ids,
                        partners=starting,
                        first=months[0],
                        digits=digits,
                    )
                )
            }
        movements = []
        for partner_id, values in series.items():
            previous = values.get(months[0], 0.0)
            had_mrr = partner_id in had_mrr_before or previous > 0
            for month in months[1:]:
                value = values.get(month, 0.0)
                if value != previous:
                    if value > 0 >= previous:
                        kind = "reactivation" if had_mrr else "new"
                    elif value <= 0 < previous:
                        kind = "churn"
                    else:
                        kind = "expansion" if value > previous else "contraction"
                    movements.append(
                        {
                            "month": month,
                            "partner_id": partner_id or False,
                            "kind": kind,
                            "amount": rnd(companies, value - previous),
                        }
                    )
                had_mrr = had_mrr or value > 0
                previous = value
        movements.sort(key=lambda move: (move["month"], move["partner_id"] or 0))
        return movements

    @api.model
    def mrr_reconciliation(self, month, company_ids=None):
        """Reconciliation of the month's MRR with what was invoiced, per partner.

        One dict per partner with MRR, invoicing or recognition in the month:
        ``partner_id``; ``mrr`` (:meth:`mrr`); ``invoiced``: untaxed amount of
        the posted customer invoices with an invoice date in the month, all
        their lines, credit notes negative; ``recognised``: as in
        :meth:`rollforward`, by the recognition entries' accounting dates in
        the month; ``reasons``: the (reason, amount) pairs that explain
        ``invoiced − mrr``, the reasons with an amount only, in this order:

        - ``one_off``: invoice lines without a recurring schedule (products
          without schedule, set-up fees and other non-recurring schedules);
        - ``timing``: recurring lines invoiced in the month minus the MRR of
          the recurring lines that cover it, when they differ because the
          billing period is not the month (annual billing in advance, terms
          invoiced earlier, still to invoice, starting later), and down
          payments and their deductions (customer advances);
        - ``discount``: negative invoice lines without a recurring schedule
          (discount and promotion lines);
        - ``credit_note``: credit notes of the month minus the MRR of the
          credit note lines that cover it (their MRR reduction);
        - ``upgrade_downgrade``: the same difference as ``timing`` for the
          recurring lines whose term starts in the month, of a partner who
          already had MRR the month before (upsell, downgrade, change of plan);
        - ``unexplained``: what is left, 0 unless the books are inconsistent.

        Reasons are rounded cumulatively in that order so that they add up
        to ``invoiced − mrr`` exactly. Sorted by partner id.
        """
        month = month_start(self._analytics_date(month, "month"))
        companies = self._analytics_companies(company_ids)
        last_day = month_last_day(month)
        rnd = self._analytics_round
        previous_mrr = {
            partner_id: rnd(companies, amount)
            for partner_id, amount in self._mrr_by_partner(
                month - relativedelta(months=1), companies
            ).items()
        }
        invoiced = defaultdict(float)
        reasons = defaultdict(lambda: defaultdict(float))
        rows = self._analytics_query(
            SQL(
                """
                SELECT m.commercial_partner_id,
                       CASE
                           WHEN aml.is_downpayment THEN 'timing'
                           WHEN m.move_type = 'out_refund' THEN 'credit_note'
                           WHEN sch.recurring THEN 'recurring'
                           WHEN aml.balance > 0 THEN 'discount'
                           ELSE 'one_off'
                       END,
                       COALESCE(first_line.period_start BETWEEN %(month)s
                                AND %(last_day)s, FALSE),
                       SUM(-aml.balance)
                  FROM account_move_line aml
                  JOIN account_move m ON m.id = aml.move_id
                  LEFT JOIN revenue_schedule sch ON sch.id = aml.revenue_schedule_id
                  LEFT JOIN revenue_recognition_line first_line
                         ON first_line.move_line_id = aml.id
                        AND first_line.sequence = 0
                        AND first_line.state != 'cancelled'
                 WHERE aml.display_type = 'product'
                   AND m.move_type IN ('out_invoice', 'out_refund')
                   AND m.state = 'posted'
                   AND m.company_id = ANY(%(companies)s)
                   AND m.invoice_date BETWEEN %(month)s AND %(last_day)s
                 GROUP BY 1, 2, 3
                """,
                companies=companies.ids,
                month=month,
                last_day=last_day,
            )
        )
        for partner_id, kind, starts_now, amount in rows:
            invoiced[partner_id] += amount
            if kind == "recurring":
                kind = (
                    "upgrade_downgrade"
                    if starts_now and previous_mrr.get(partner_id, 0.0) > 0
                    else "timing"
                )
            reasons[partner_id][kind] += amount
        # the lines covering the month; sequence 0: the term starts in it
        mrr_rows = self._analytics_query(
            self._mrr_lines_sql(
                companies,
                month,
                month,
                SQL(
                    "l.partner_id, COALESCE(m.move_type = 'out_refund', FALSE), "
                    "l.sequence = 0"
                ),
                SQL("1, 2, 3"),
            )
        )
        mrr = defaultdict(float)
        for partner_id, is_refund, starts_now, amount in mrr_rows:
            mrr[partner_id] += amount
            if is_refund:
                kind = "credit_note"
            elif starts_now and previous_mrr.get(partner_id, 0.0) > 0:
                kind = "upgrade_downgrade"
            else:
                kind = "timing"
            reasons[partner_id][kind] -= amount
        recognised = defaultdict(float)
        for _day, partner_id, amount in self._recognised_rows(
            companies, month, last_day, by_partner=True
        ):
            recognised[partner_id] += amount
        result = []
        partners = set(invoiced) | set(mrr) | set(recognised)
        for partner_id in sorted(partners, key=lambda pid: pid or 0):
            mrr_value = rnd(companies, mrr.get(partner_id))
            invoiced_value = rnd(companies, invoiced.get(partner_id))
            recognised_value = rnd(companies, recognised.get(partner_id))
            if not (mrr_value or invoiced_value or recognised_value):
                continue
            explained = []
            running = rounded = 0.0
            for kind in RECONCILIATION_REASONS[:-1]:
                if kind not in reasons[partner_id]:
                    continue
                running += reasons[partner_id][kind]
                now = rnd(companies, running)
                if rnd(companies, now - rounded):
                    explained.append((kind, rnd(companies, now - rounded)))
                rounded = now
            rest = rnd(companies, invoiced_value - mrr_value - rounded)
            if rest:
                explained.append(("unexplained", rest))
            result.append(
                {
                    "partner_id": partner_id or False,
                    "mrr": mrr_value,
                    "invoiced": invoiced_value,
                    "recognised": recognised_value,
                    "reasons": explained,
                }
            )
        return result

    # --- the dashboard's figures -----------------------------------------------------

    @api.model
    def figure_domain(self, name, company_ids=None):
        """The schedule lines of the dashboard's figure ``name`` (``FIGURES``
        of the engine: ``recognised``, ``to_recognise``, ``held``,
        ``expected``, ``backlog``, ``waterfall``), as they stand now, of the
        companies."""
        if name not in FIGURES:
            raise UserError(
                self.env._(
                    "The revenue analytics have no figure %(name)s: choose one of "
                    "%(names)s.",
                    name=name,
                    names=", ".join(FIGURES),
                )
            )
        companies = self._analytics_companies(company_ids)
        return [("company_id", "in", companies.ids)] + [
            tuple(leaf) for leaf in FIGURES[name]
        ]

    # --- KPI alerts of a closed month --------------------------------------------

    @api.model
    def _kpi_alert_actions(self):
        """{KPI: (label, corrective action)} of the alerts."""
        return {
            "book_to_bill": (
                self.env._("Book-to-bill (bookings ÷ recognised)"),
                self.env._(
                    "Bookings are below the revenue recognised: the backlog is "
                    "being consumed faster than it is replenished. Review the "
                    "pipeline and push renewals and upsells."
                ),
            ),
            "coverage_months": (
                self.env._("Coverage (months)"),
                self.env._(
                    "The backlog covers fewer months of revenue than the "
                    "threshold: secure renewals and new contracts."
                ),
            ),
            "lead_time_days": (
                self.env._("Lead time (days)"),
                self.env._(
                    "Signed contracts take too long to start earning revenue: "
                    "review onboarding and the start dates of the orders."
                ),
            ),
        }

    @api.model
    def _check_month_alerts(self, month, company):
        """The KPIs of ``month`` (a date in it) for ``company``; when some are
        outside its thresholds, a to-do on its revenue journal for each
        revenue manager of the company, naming the figures and the corrective
        action (once per month and manager). Returns the activities created."""
        month = month_start(self._analytics_date(month, "month"))
        kpis = self.kpis(month, month_last_day(month), company_ids=company.ids)
        journal = company.revenue_journal_id
        if not kpis["alerts"] or not journal:
            return self.env["mail.activity"]
        label = format_date(self.env, month, date_format="MMMM y")
        summary = self.env._("Revenue KPI alert: %(month)s", month=label)
        actions = self._kpi_alert_actions()
        note = Markup("<ul>%s</ul>") % Markup().join(
            Markup("<li><b>%s</b>: %s. %s</li>")
            % (actions[name][0], round(kpis[name], 2), actions[name][1])
            for name in kpis["alerts"]
        )
        managers = (
            self.env.ref("revenue_recognition.group_revenue_manager")
            .sudo()
            .users.filtered(lambda user: company in user.company_ids and user.active)
        )
        existing = (
            self.env["mail.activity"]
            .sudo()
            .with_context(active_test=False)
            .search(
                [
                    ("res_model", "=", "account.journal"),
                    ("res_id", "=", journal.id),
                    ("summary", "=", summary),
                ]
            )
        )
        managers -= existing.user_id
        activity_type = self.env.ref("mail.mail_activity_data_todo")
        return (
            self.env["mail.activity"]
            .sudo()
            .create(
                [
                    {
                        "res_model_id": self.env["ir.model"]._get_id("account.journal"),
                        "res_id": journal.id,
                        "activity_type_id": activity_type.id,
                        "summary": summary,
                        "note": note,
                        "user_id": manager.id,
                    }
                    for manager in managers
                ]
            )
        )

    @api.model
    def _cron_kpi_alerts(self):
        """The alerts of the month that closed last, for every company."""
        last_month = month_start(fields.Date.context_today(self)) - relativedelta(
            months=1
        )
        for company in self.env["res.company"].search([]):
            self.with_company(company).with_context(
                allowed_company_ids=company.ids
            )._check_month_alerts(last_month, company)
