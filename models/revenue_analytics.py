"""Month-end analytics: roll-forward, backlog, KPIs and MRR, computed in SQL.

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

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

#: Groups whose members may read the analytics (readers of schedule lines
#: with access to every line of their companies).
ANALYTICS_GROUPS = (
    "revenue_recognition.group_revenue_user",
    "account.group_account_readonly",
)

#: Time bands of the backlog (IFRS 15.120), in months after the as-of date.
BANDS = (
    ("within_12_months", 12),
    ("from_12_to_24_months", 24),
    ("beyond_24_months", None),
)

#: Kinds of MRR movements.
MOVEMENT_KINDS = ("new", "expansion", "contraction", "churn", "reactivation")

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
    """The first day of ``value``'s month."""
    return fields.Date.to_date(value).replace(day=1)


def month_last_day(value):
    """The last day of ``value``'s month."""
    return month_start(value) + relativedelta(months=1, days=-1)


def months_of(date_from, date_to):
    """First days of the months from ``date_from``'s to ``date_to``'s, inclusive."""
    month, last = month_start(date_from), month_start(date_to)
    months = []
    while month <= last:
        months.append(month)
        month += relativedelta(months=1)
    return months


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
        if company_ids is None:
            companies = self.env.companies
        elif isinstance(company_ids, models.BaseModel):
            companies = company_ids
        else:
            ids = [company_ids] if isinstance(company_ids, int) else company_ids
            companies = self.env["res.company"].browse(ids)
        companies = companies.sudo().exists()
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
        return companies

    @api.model
    def _analytics_round(self, companies, value):
        """``value`` (float or None) rounded to the companies' currency."""
        currency = companies[:1].currency_id or self.env.company.currency_id
        return currency.round(float(value or 0.0)) + 0.0  # no -0.0

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
            companies, companies.revenue_unbilled_account_id.ids, last_day, bucket
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

    # --- backlog -------------------------------------------------------------------

    @api.model
    def backlog(self, as_of, company_ids=None):
        """Backlog (remaining performance obligations) at the end of ``as_of``.

        What was signed on or before ``as_of`` and not recognised by then:

        - signed: an order line's lines count from the order date, lines of an
          invoice without order from its invoice date; a credit note counts
          from its accounting date (a credit note after ``as_of`` did not
          exist then);
        - not recognised: no posted recognition entry dated on or before
          ``as_of`` (held lines and lines of draft entries are backlog);
        - ``expected``: not invoiced by then: expected lines of confirmed
          orders, and lines of invoices whose accounting date is after
          ``as_of`` (they replaced the expected lines they invoiced);
        - ``deferred``: invoiced by then (invoice or credit note posted with
          an accounting date on or before ``as_of``);
        - ``total`` = expected + deferred;
        - ``bands``: the total by recognition date: ``within_12_months``
          (up to ``as_of`` + 12 months, including what is already due),
          ``from_12_to_24_months`` (up to ``as_of`` + 24 months),
          ``beyond_24_months``; they add up to ``total``.

        The lines read are today's: a recognition entry reversed after
        ``as_of`` no longer counts as recognised on ``as_of``.
        """
        companies = self._analytics_companies(company_ids)
        as_of = fields.Date.to_date(as_of)
        limit_12 = as_of + relativedelta(months=12)
        limit_24 = as_of + relativedelta(months=24)
        rows = self._analytics_query(
            SQL(
                """
                SELECT l.move_id IS NOT NULL AND m.date <= %(as_of)s,
                       CASE WHEN l.recognition_date <= %(limit_12)s THEN 0
                            WHEN l.recognition_date <= %(limit_24)s THEN 1
                            ELSE 2 END,
                       SUM(l.amount)
                  FROM revenue_recognition_line l
                  LEFT JOIN account_move m ON m.id = l.move_id
                  LEFT JOIN sale_order o ON o.id = l.order_id
                  LEFT JOIN account_move r ON r.id = l.recognition_move_id
                 WHERE l.company_id = ANY(%(companies)s)
                   AND l.state != 'cancelled'
                   AND l.allocation_difference IS NOT TRUE
                   AND (l.move_id IS NULL OR m.state = 'posted')
                   AND (l.move_id IS NOT NULL OR l.state = 'expected')
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
                 GROUP BY 1, 2
                """,
                as_of=as_of,
                limit_12=limit_12,
                limit_24=limit_24,
                companies=companies.ids,
            )
        )
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
                for (name, _months), amount in zip(BANDS, bands, strict=True)
            },
        }

    # --- KPIs ------------------------------------------------------------------------

    @api.model
    def kpis(self, date_from, date_to, company_ids=None):
        """Bookings and the backlog KPIs of the period [``date_from``, ``date_to``].

        - ``bookings``: untaxed amount (company currency at the order's rate)
          of the scheduled lines of confirmed orders dated in the period, plus
          the scheduled lines of posted customer invoices without order dated
          (invoice date) in the period; credit notes are not bookings;
        - ``recognised``: as in :meth:`rollforward`, by the recognition
          entries' accounting dates in the period;
        - ``book_to_bill`` = bookings ÷ recognised;
        - ``backlog``: :meth:`backlog` ``total`` at ``date_to``;
        - ``coverage_months`` = backlog ÷ (recognised ÷ months in the period),
          the months being the calendar months the period touches;
        - ``lead_time_days``: average of the days from the order date to the
          recognition date of the order's first recognised schedule line
          (recognised by a posted entry dated up to ``date_to``), over the
          orders whose first recognised line's recognition date is in the
          period; rounded to 2 decimals.

        A ratio whose divisor is 0 (or that has nothing to average) is None.
        """
        companies = self._analytics_companies(company_ids)
        date_from = fields.Date.to_date(date_from)
        date_to = fields.Date.to_date(date_to)
        ((orders,),) = self._analytics_query(
            SQL(
                """
                SELECT COALESCE(SUM(
                        sol.price_subtotal / COALESCE(NULLIF(o.currency_rate, 0), 1)
                       ), 0)
                  FROM sale_order_line sol
                  JOIN sale_order o ON o.id = sol.order_id
                 WHERE sol.revenue_schedule_id IS NOT NULL
                   AND sol.display_type IS NULL
                   AND o.state = 'sale'
                   AND o.company_id = ANY(%(companies)s)
                   AND o.date_order::date
                       BETWEEN %(date_from)s AND %(date_to)s
                """,
                companies=companies.ids,
                date_from=date_from,
                date_to=date_to,
            )
        )
        ((invoices,),) = self._analytics_query(
            SQL(
                """
                SELECT COALESCE(SUM(-aml.balance), 0)
                  FROM account_move_line aml
                  JOIN account_move m ON m.id = aml.move_id
                 WHERE aml.revenue_schedule_id IS NOT NULL
                   AND aml.display_type = 'product'
                   AND m.move_type = 'out_invoice'
                   AND m.state = 'posted'
                   AND m.company_id = ANY(%(companies)s)
                   AND m.invoice_date BETWEEN %(date_from)s AND %(date_to)s
                   AND NOT EXISTS (
                        SELECT 1 FROM sale_order_line_invoice_rel rel
                         WHERE rel.invoice_line_id = aml.id
                       )
                """,
                companies=companies.ids,
                date_from=date_from,
                date_to=date_to,
            )
        )
        rnd = self._analytics_round
        bookings = rnd(companies, orders + invoices)
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
        months = len(months_of(date_from, date_to))
        ((lead_time,),) = self._analytics_query(
            SQL(
                """
                SELECT AVG(f.first_date - o.date_order::date)
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
        return {
            "bookings": rnd(companies, bookings),
            "recognised": recognised,
            "book_to_bill": bookings / recognised if recognised else None,
            "backlog": backlog,
            "coverage_months": (
                backlog / (recognised / months) if recognised else None
            ),
            "lead_time_days": (
                round(float(lead_time), 2) if lead_time is not None else None
            ),
        }

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
        """Monthly recurring revenue of ``month``: {partner id: MRR}.

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
        companies = self._analytics_companies(company_ids)
        result = {}
        for partner_id, amount in self._mrr_by_partner(
            month_start(month), companies
        ).items():
            value = self._analytics_round(companies, amount)
            if value:
                result[partner_id] = value
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
        rnd = self._analytics_round
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
                            "partner_id": partner_id,
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
        companies = self._analytics_companies(company_ids)
        month = month_start(month)
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
                    "partner_id": partner_id,
                    "mrr": mrr_value,
                    "invoiced": invoiced_value,
                    "recognised": recognised_value,
                    "reasons": explained,
                }
            )
        return result
