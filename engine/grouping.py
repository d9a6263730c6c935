"""Group schedule lines into recognition journal entries.

``detail`` and ``summary`` are described in ``readme/DEVELOP.md``
(*Recognition entries*).

Pure Python: the model layer turns records into :class:`RecognitionItem` and
the resulting :class:`EntryPlan` into ``account.move`` values.

Signs: an item's ``amount`` is revenue to recognise (positive) or to take
back (credit notes, negative). The deferred side gets ``+amount`` as balance
(a debit for revenue), the income side ``-amount`` (a credit), so credit notes
flip sides by themselves.

>>> from datetime import date
>>> items = [
...     RecognitionItem(1, date(2026, 1, 1), 487, 706, 1, "100.00", "100.00"),
...     RecognitionItem(2, date(2026, 1, 1), 487, 706, 1, "50.00", "50.00"),
... ]
>>> [entry] = plan_entries(items, grouping="summary")
>>> [(line.kind, line.account_id, line.balance) for line in entry.lines]
[('income', 706, Decimal('-150.00')), ('deferred', 487, Decimal('150.00'))]
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from .numbers import to_decimal

GROUPINGS = ("detail", "summary")


@dataclass
class RecognitionItem:
    """One schedule line to recognise, as the engine needs it."""

    key: object
    date: object
    deferred_account_id: int
    income_account_id: int
    currency_id: int
    amount: Decimal
    amount_currency: Decimal
    partner_id: int = None
    product_id: int = None
    analytic_distribution: dict = None
    label: str = ""

    def __post_init__(self):
        self.amount = to_decimal(self.amount)
        self.amount_currency = to_decimal(self.amount_currency)


@dataclass
class PlannedLine:
    """One journal item of a planned entry."""

    kind: str  # "income" or "deferred"
    account_id: int
    currency_id: int
    balance: Decimal
    amount_currency: Decimal
    partner_id: int = None
    product_id: int = None
    analytic_distribution: dict = None
    label: str = ""
    item_count: int = 0


@dataclass
class EntryPlan:
    """One journal entry: its date, the items it recognises and its lines."""

    date: object
    items: list = field(default_factory=list)
    lines: list = field(default_factory=list)
    part: int = 1  # this entry is part ``part`` of ``parts`` entries of its date
    parts: int = 1

    @property
    def keys(self):
        return [item.key for item in self.items]

    @property
    def amount(self):
        return sum((item.amount for item in self.items), Decimal(0))


def _analytic_key(distribution):
    return tuple(sorted((distribution or {}).items()))


def _sign(value):
    return (value > 0) - (value < 0)


def _grouped_lines(items, kind, key_function, detail=False, partner=False):
    """Sum items into lines; ``key_function`` returns (account, currency, ...).

    ``detail``: the lines carry the item's partner, product and label;
    ``partner``: only its partner (the key must then include the partner).
    """
    groups = {}
    for item in items:
        key = key_function(item)
        line = groups.get(key)
        sign = 1 if kind == "deferred" else -1
        if line is None:
            line = groups[key] = PlannedLine(
                kind=kind,
                account_id=key[0],
                currency_id=item.currency_id,
                balance=Decimal(0),
                amount_currency=Decimal(0),
                partner_id=item.partner_id if detail or partner else None,
                product_id=item.product_id if detail else None,
                analytic_distribution=item.analytic_distribution
                if kind == "income"
                else None,
                label=item.label if detail else "",
            )
        line.balance += sign * item.amount
        line.amount_currency += sign * item.amount_currency
        line.item_count += 1
    return [line for line in groups.values() if line.balance or line.amount_currency]


def build_lines(items, grouping):
    """Journal lines of one entry.

    ``detail``: one income line per item (partner, product, analytic) and one
    deferred line per account, currency and customer, so that the deferred
    account read by customer stays equal to minus that customer's pending
    lines. ``summary``: income lines per
    account, analytic distribution and currency; deferred lines per account
    and currency. Debits and credits are grouped apart (the sign is part of the
    key) so that a credit note never silently nets against an invoice and an
    entry never ends up without lines.
    """
    if grouping not in GROUPINGS:
        raise ValueError(f"unknown grouping {grouping!r}, expected one of {GROUPINGS}")
    if grouping == "detail":
        income = _grouped_lines(
            items, "income", lambda item: (item.income_account_id, item.key), True
        )
    else:
        income = _grouped_lines(
            items,
            "income",
            lambda item: (
                item.income_account_id,
                item.currency_id,
                _analytic_key(item.analytic_distribution),
                _sign(item.amount) or _sign(item.amount_currency),
            ),
        )
    detail = grouping == "detail"
    deferred = _grouped_lines(
        items,
        "deferred",
        lambda item: (
            item.deferred_account_id,
            item.currency_id,
            item.partner_id if detail else None,
            _sign(item.amount) or _sign(item.amount_currency),
        ),
        partner=detail,
    )
    return income + deferred


def plan_entries(items, grouping="detail", max_items=1000, date_map=None):
    """Split items into entries: one per date, at most ``max_items`` items each.

    :param items: :class:`RecognitionItem` list; their ``date`` is the wanted
        posting date.
    :param date_map: optional {wanted date: accounting date} (lock dates);
        items whose dates map to the same accounting date share entries.
    :return: list of :class:`EntryPlan`, by date then by item key order.
    """
    if max_items < 1:
        raise ValueError("max_items must be at least 1")
    date_map = date_map or {}
    by_date = defaultdict(list)
    for item in items:
        by_date[date_map.get(item.date, item.date)].append(item)
    entries = []
    for entry_date in sorted(by_date):
        dated = by_date[entry_date]
        parts = -(-len(dated) // max_items)
        for part, start in enumerate(range(0, len(dated), max_items), start=1):
            chunk = dated[start : start + max_items]
            entries.append(
                EntryPlan(
                    date=entry_date,
                    items=chunk,
                    lines=build_lines(chunk, grouping),
                    part=part,
                    parts=parts,
                )
            )
    return entries
