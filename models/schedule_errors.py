"""Translated, actionable messages for the engine's error codes."""

from odoo.tools import format_date


def schedule_error_message(env, error, record_name):
    """Turn an ``engine.ScheduleError`` into a translated message naming the record."""
    params = dict(error.params or {})
    for key, value in params.items():
        if hasattr(value, "isoformat"):
            params[key] = format_date(env, value)
    _ = env._
    messages = {
        "missing_start": _(
            "%(record)s: no start date for the revenue schedule. Set a revenue "
            "start date on the line (or an invoice/order date)."
        ),
        "bad_occurrences": _(
            "%(record)s: the revenue schedule needs at least one occurrence. "
            "Set 'Occurrences' to 1 or more on the schedule."
        ),
        "end_before_start": _(
            "%(record)s: the revenue end date is before the start date. "
            "Correct the end date so that it is on or after the start date."
        ),
        "bad_percentages_length": _(
            "%(record)s: the schedule needs one percentage per period. "
            "Fix the per-period percentages on the schedule."
        ),
        "bad_percentages_sum": _(
            "%(record)s: the per-period percentages must add up to exactly 100. "
            "Fix them on the schedule."
        ),
        "percentages_not_monthly": _(
            "%(record)s: per-period percentages are only allowed with the Monthly "
            "basis. "
            "Change the basis or remove the percentages."
        ),
        "unknown_basis": _(
            "%(record)s: unknown recognition basis. Choose one on the schedule."
        ),
        "unknown_convention": _(
            "%(record)s: unknown recognition convention. Choose one on the schedule."
        ),
        "bad_percentage": _(
            "%(record)s: the per-period percentage %(value)s is not a number of "
            "at least 0. Fix the per-period percentages on the schedule."
        ),
        "date_out_of_range": _(
            "%(record)s: the revenue schedule from %(start)s over %(occurrences)s "
            "occurrences ends after the last supported date. Correct the revenue "
            "start date or use a schedule with fewer occurrences."
        ),
        "bad_rounding": _(
            "%(record)s: the currency rounding must be greater than zero. "
            "Fix the currency's rounding."
        ),
    }
    template = messages.get(error.code)
    if template is None:
        return _("%(record)s: %(error)s", record=record_name, error=str(error))
    return template % {"record": record_name, **params}
