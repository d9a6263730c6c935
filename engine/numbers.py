"""The one conversion of amounts to ``Decimal`` (no float arithmetic on money)."""

from decimal import Decimal


def to_decimal(value):
    """Return ``value`` as a Decimal, exactly as it prints (a float through ``str``).

    >>> to_decimal(0.1) + to_decimal(0.2)
    Decimal('0.3')
    """
    return value if isinstance(value, Decimal) else Decimal(str(value))
