"""Create journal against Odoo's ORM floor and OCA account_spread_cost_revenue.

Usage (from the repository root)::

    python3 benchmarks/bench_create_journal.py [--invoices 1000] [--peer-lines 2400]
        [--keep-db] [--no-peer] [--peer-target DIR] [--phases LIST] [--profile DIR]
        [--db-host HOST] [--db-port PORT] [--db-user USER] [--db-password PASSWORD]

Creates a throwaway database (``rr_bench_<pid>_<time>``, dropped at the end
unless ``--keep-db``) with ``sale``, ``account``, ``revenue_recognition`` and
the peer ``account_spread_cost_revenue`` when it is installed (never by this
script: ``pip install --no-deps --target .local/bench-addons -r
benchmarks/requirements.txt``, a folder added to Odoo's addons path only;
without it the peer is skipped and says so), no demo data, the generic chart
of accounts, then seeds with batched ORM calls:

- ``A`` and ``B``: N customer invoices each, one line of a product on a
  twelve-month schedule (``monthly``, ``actual_start``, invoice date
  1 January 2025): 12 x N schedule lines per set;
- ``P``: N invoices of the same amounts with a plain product;
- peer: ``--peer-lines`` / 12 invoices of the plain product, each line linked
  to an ``account.spread`` of 12 monthly periods (spread board computed).

Then measures, each in its own fresh process (cold ORM cache, its own peak
RSS, as a cron worker would run it):

``post_plain``  ``_post()`` of the N plain invoices (``P``)
``post_sched``  ``_post()`` of the N scheduled invoices (``A``): the deferral
                and the creation of their 12 x N schedule lines
``floor``       one batched ``account.move.create()`` + ``_post()`` of the
                journal items ``detail`` writes for ``A``, built before the
                clock starts by the add-on's own ``plan_entries`` and
                ``_prepare_recognition_move_vals``: the same entries, without
                our bookkeeping (what the ORM cannot go below)
``detail``      ``_recognise(grouping="detail")`` of ``A`` (all lines due)
``summary``     ``_recognise(grouping="summary")`` of ``B``
``peer``        the peer's cron method ``account.spread.line._create_entries()``
                (one posted entry per spread line, reconciled with the invoice)

Each phase first runs its operation untimed on a few invoices of its own
(warm-up, so that the rates are steady-state rather than first-call caches);
every timed section ends with ``flush_all()`` and ``commit()``. It prints a
table, then one JSON line with ``schedule_lines``, ``summary_s``,
``detail_s``, ``floor_s``, ``peer_s``, ``detail_vs_floor`` (journal items per
second of ``detail`` / of the floor), ``summary_vs_peer`` and
``detail_vs_peer`` (schedule lines per second / the peer's),
``invoice_post_overhead`` (``post_sched`` seconds / ``post_plain`` seconds)
and ``peak_rss_mb`` (the highest peak RSS of the ``summary`` and ``detail``
processes; every phase's own peak is in ``phases``).

``--phases`` measures only some phases (and seeds only what they need), e.g.
``--invoices 10000 --phases summary``. ``--profile DIR`` writes a cProfile of
each timed section to ``DIR/<phase>.prof`` (it slows the section down: the
table of a profiled run is not a measurement).

The work is in ``rr_bench/``: ``setup.py`` (database, addons path, peer,
seeding), ``phases.py`` (the timed phases) and ``report.py`` (table, JSON).
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rr_bench import phases, report
from rr_bench.setup import (
    ADDON,
    PEER,
    PEER_TARGET,
    PHASES,
    REPO,
    addons_path,
    drop_db,
    find_peer,
    install,
    log,
    odoo_env,
    odoo_source,
    peer_missing_note,
)


def _run_child(args, addons_dir, phase):
    """Run one phase in a fresh process; return its JSON result."""
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--phase",
        phase,
        "--db",
        args.db,
        "--addons-dir",
        addons_dir,
        "--invoices",
        str(args.invoices),
        "--peer-lines",
        str(args.peer_lines),
        "--peer-target",
        str(args.peer_target),
        *(["--no-peer"] if args.no_peer else []),
        *(["--profile", args.profile] if args.profile else []),
        "--phases",
        ",".join(args.phases),
        *[
            f"--{option.replace('_', '-')}={getattr(args, option)}"
            for option in ("db_host", "db_port", "db_user", "db_password")
            if getattr(args, option)
        ],
    ]
    started = time.perf_counter()
    done = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=False)
    if done.returncode:
        raise RuntimeError(f"phase {phase} failed (exit {done.returncode})")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    log(f"  {phase}: {time.perf_counter() - started:.1f}s wall (process)")
    return result


def orchestrate(args):
    """Create the database, seed it, run each phase in its own process, report."""
    odoo_source()
    peer_note = None
    if args.no_peer:
        peer_note = "peer skipped (--no-peer)"
    elif "peer" in args.phases and not args.peer_folder:
        peer_note = peer_missing_note(args.peer_target)
    if peer_note or "peer" not in args.phases:
        args.no_peer = True
        args.peer_folder = None
    if peer_note:
        log(peer_note)
        if "peer" in args.phases:
            args.phases.remove("peer")

    args.db = f"rr_bench_{os.getpid()}_{int(time.time())}"
    addons_dir = tempfile.mkdtemp(prefix="rr_bench_addons_")
    os.symlink(REPO, Path(addons_dir) / ADDON)
    modules = ["sale", "account", ADDON] + ([] if args.no_peer else [PEER])
    results = {}
    try:
        log(f"database {args.db}: installing {', '.join(modules)}")
        started = time.perf_counter()
        install(args, addons_path(addons_dir, args.peer_folder), modules)
        log(f"  install: {time.perf_counter() - started:.1f}s")
        log(f"seeding for {', '.join(args.phases)}")
        seed = _run_child(args, addons_dir, "seed")
        log("measuring")
        for phase in args.phases:
            results[phase] = _run_child(args, addons_dir, phase)
    finally:
        shutil.rmtree(addons_dir, ignore_errors=True)
        if args.keep_db:
            log(f"kept database {args.db}")
        else:
            drop_db(args)
    report.report(args, seed, results, peer_note)


def run_phase(args):
    """Child process: one phase, its result as the last line of stdout."""
    result = {"phase": args.phase}
    with odoo_env(args) as env:
        phases.run(args, env, result)
        env.cr.commit()
    result["peak_rss_mb"] = phases.rss_mb()
    print(json.dumps(result, default=str))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--invoices", type=int, default=1000, help="invoices per set (N)"
    )
    parser.add_argument(
        "--peer-lines", type=int, default=2400, help="spread lines of the peer"
    )
    parser.add_argument(
        "--keep-db", action="store_true", help="do not drop the database"
    )
    parser.add_argument("--no-peer", action="store_true", help="skip the peer")
    parser.add_argument(
        "--peer-target",
        type=Path,
        default=PEER_TARGET,
        help="folder the peer was installed into with pip install --target "
        "(default: .local/bench-addons)",
    )
    parser.add_argument("--profile", metavar="DIR", help="cProfile each timed section")
    parser.add_argument(
        "--phases",
        default=",".join(PHASES),
        help=f"comma-separated subset of {','.join(PHASES)} (default: all)",
    )
    parser.add_argument("--db-host")
    parser.add_argument("--db-port")
    parser.add_argument("--db-user")
    parser.add_argument("--db-password")
    parser.add_argument("--phase", choices=("seed", *PHASES), help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--addons-dir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.phases = [phase for phase in PHASES if phase in args.phases.split(",")]
    if args.no_peer and "peer" in args.phases:
        args.phases.remove("peer")
    args.peer_folder = None if args.no_peer else find_peer(args.peer_target)
    if args.phase:
        run_phase(args)
    else:
        orchestrate(args)


if __name__ == "__main__":
    main()
