"""The timed phases, each run in its own process with Odoo loaded.

Every timed section ends with ``flush_all()`` and ``commit()``; what it needs
(values, records) is prepared before the clock starts.
"""

import contextlib
import cProfile
import resource
import time
from pathlib import Path

from .setup import AS_OF, invoices


@contextlib.contextmanager
def timed(args, phase, result):
    """Time (and optionally profile) a section that ends with flush + commit."""
    profiler = cProfile.Profile() if args.profile else None
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    yield
    if profiler:
        profiler.disable()
    result["seconds"] = round(time.perf_counter() - started, 3)
    if profiler:
        Path(args.profile).mkdir(parents=True, exist_ok=True)
        profiler.dump_stats(str(Path(args.profile) / f"{phase}.prof"))


def rss_mb():
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _finish(env):
    env.flush_all()
    env.cr.commit()


def post(args, env, tag, result):
    """``_post()`` of the invoices of a set."""
    invoices(env, f"{tag}w")._post(soft=False)
    _finish(env)
    moves = invoices(env, tag)
    moves.mapped("line_ids")  # read before timing: posting is what is measured
    with timed(args, result["phase"], result):
        moves._post(soft=False)
        _finish(env)
    result["count"] = len(moves)


def floor_vals(env, tag):
    """The entries ``detail`` writes for a set, as ``account.move`` values.

    Built by the add-on itself: its engine items (``_recognition_items``),
    lock-date shifts (``_recognition_date_map``), planning
    (``engine.grouping.plan_entries``) and values
    (``_prepare_recognition_move_vals``, which calls
    ``_prepare_recognition_move_line_vals``), so the floor writes exactly
    the journal items of ``detail``. Only the bookkeeping is left out: the
    entries are not flagged as recognition entries and link no schedule line.
    """
    from odoo.addons.revenue_recognition.engine.grouping import plan_entries

    rec_model = env["revenue.recognition.line"]
    lines = rec_model.search(
        [*rec_model._get_due_domain(AS_OF), ("move_id.ref", "=like", f"bench-{tag}-%")],
        order="company_id, recognition_date, id",
    )
    company = env.company
    journal = company.revenue_journal_id
    items = lines._recognition_items()
    plans = plan_entries(
        items,
        grouping="detail",
        max_items=max(company.revenue_max_lines_per_entry, 1),
        date_map=rec_model._recognition_date_map(
            company, journal, {item.date for item in items}
        ),
    )
    vals_list = []
    for plan in plans:
        vals = rec_model._prepare_recognition_move_vals(plan, journal)
        vals["revenue_recognition_entry"] = False
        vals_list.append(vals)
    return vals_list, len(lines)


def floor(args, env, result):
    """One ``account.move.create()`` + ``_post()`` of what ``detail`` writes."""
    warmup_vals, _count = floor_vals(env, "Aw")
    env["account.move"].create(warmup_vals)._post(soft=False)
    _finish(env)
    vals_list, line_count = floor_vals(env, "A")
    env.invalidate_all()
    with timed(args, "floor", result):
        moves = env["account.move"].create(vals_list)
        moves._post(soft=False)
        _finish(env)
    result["count"] = sum(len(vals["line_ids"]) for vals in vals_list)
    result["journal_items"] = result["count"]
    result["entries"] = len(moves)
    result["schedule_lines"] = line_count


def recognise(args, env, tag, grouping, result):
    """``_recognise(grouping=...)`` of every due line of a set."""
    env["revenue.recognition.line"]._recognise(
        AS_OF,
        grouping=grouping,
        domain=[("move_id", "in", invoices(env, f"{tag}w").ids)],
    )
    _finish(env)
    invoice_ids = invoices(env, tag).ids
    env.invalidate_all()
    with timed(args, grouping, result):
        outcome = env["revenue.recognition.line"]._recognise(
            AS_OF, grouping=grouping, post=True, domain=[("move_id", "in", invoice_ids)]
        )
        _finish(env)
    moves = env["account.move"].browse(outcome.move_ids)
    if outcome.errors or outcome.failed_count:
        raise RuntimeError(f"{grouping}: {outcome.errors}")
    if set(moves.mapped("state")) != {"posted"}:
        raise RuntimeError(f"{grouping}: entries not posted")
    result["count"] = outcome.line_count
    result["journal_items"] = len(moves.line_ids)
    result["entries"] = len(moves)


def peer(args, env, result):
    """The peer's cron method ``account.spread.line._create_entries()``."""
    spread_lines = env["account.spread.line"]
    spread_lines.search(
        [("spread_id.invoice_id.ref", "=like", "bench-peerw-%")]
    ).create_and_reconcile_moves()
    _finish(env)
    due = spread_lines.search_count([("move_id", "=", False)])
    first_move_id = max(spread_lines.search([("move_id", "!=", False)]).move_id.ids)
    env.invalidate_all()
    with timed(args, "peer", result):
        spread_lines._create_entries()
        _finish(env)
    done = spread_lines.search([("move_id", "!=", False)])
    done = done.filtered(lambda line: line.move_id.id > first_move_id)
    if spread_lines.search_count([("move_id", "=", False)]) or len(done) != due:
        raise RuntimeError("peer: not every spread line got an entry")
    if set(done.move_id.mapped("state")) != {"posted"}:
        raise RuntimeError("peer: entries not posted")
    result["count"] = len(done)
    result["journal_items"] = len(done.move_id.line_ids)
    result["entries"] = len(done.move_id)


def run(args, env, result):
    """Run the phase ``args.phase`` into ``result``."""
    from .setup import seed

    phase = args.phase
    if phase == "seed":
        result.update(seed(args, env))
    elif phase == "post_plain":
        post(args, env, "P", result)
    elif phase == "post_sched":
        post(args, env, "A", result)
    elif phase == "floor":
        floor(args, env, result)
    elif phase == "detail":
        recognise(args, env, "A", "detail", result)
    elif phase == "summary":
        recognise(args, env, "B", "summary", result)
    elif phase == "peer":
        peer(args, env, result)
