"""Create journal against Odoo's ORM floor and OCA account_spread_cost_revenue.

Usage (from the repository root)::

    python3 benchmarks/bench_create_journal.py [--invoices 1000] [--peer-lines 2400]
        [--keep-db] [--no-peer] [--phases LIST] [--profile DIR]
        [--db-host HOST] [--db-port PORT] [--db-user USER] [--db-password PASSWORD]

Creates a throwaway database (``rr_bench_<pid>_<time>``, dropped at the end
unless ``--keep-db``) with ``sale``, ``account``, ``revenue_recognition`` and
the peer ``account_spread_cost_revenue`` (its PyPI wheel is installed with
``pip --no-deps`` when missing), no demo data, the generic chart of accounts,
then seeds with batched ORM calls:

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
                journal items ``detail`` writes for ``A`` (same journal,
                accounts, partners, products, amounts, labels, same split into
                entries of at most 1,000 schedule lines): what the ORM cannot
                go below
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
"""

import argparse
import contextlib
import cProfile
import importlib.util
import json
import math
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ADDON = "revenue_recognition"
PEER = "account_spread_cost_revenue"
PEER_REQUIREMENT = "odoo-addon-account_spread_cost_revenue==18.0.*"
INVOICE_DATE = "2025-01-01"
AS_OF = "2025-12-31"
PERIODS = 12
SEED_BATCH = 250
PARTNERS = 100
# Each timed section first runs the same operation untimed on a few invoices
# of its own (tag + "w"): rates are steady-state, not the first call's caches.
WARMUP = 5
PHASES = ("post_plain", "post_sched", "floor", "detail", "summary", "peer")


# -- orchestration (no Odoo import in this process) ---------------------------


def _log(message):
    print(message, file=sys.stderr, flush=True)


def _odoo_site_addons():
    """The ``odoo/addons`` folders of site-packages (where wheels install)."""
    import site

    folders = []
    for base in [*site.getsitepackages(), site.getusersitepackages()]:
        folder = Path(base) / "odoo" / "addons"
        if folder.is_dir():
            folders.append(str(folder))
    return folders


def _peer_available():
    return any(
        (Path(folder) / PEER / "__manifest__.py").exists()
        for folder in _odoo_site_addons()
    )


def ensure_peer():
    """Install the peer's wheel (no dependencies: it needs only ``account``)."""
    if _peer_available():
        return True, None
    _log(f"installing {PEER_REQUIREMENT} (pip --no-deps)")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--quiet",
            PEER_REQUIREMENT,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode or not _peer_available():
        return (
            False,
            f"pip install {PEER_REQUIREMENT} failed: {done.stderr.strip()[-500:]}",
        )
    return True, None


def _check_odoo_source():
    """``import odoo`` must still give the Odoo source, not the wheel's namespace."""
    spec = importlib.util.find_spec("odoo")
    if spec is None or spec.origin is None:
        sys.exit(
            "Odoo 18.0 is not importable as `odoo` "
            "(a namespace package was found instead)."
        )
    return spec.origin


def _db_args(args):
    result = []
    for option in ("db_host", "db_port", "db_user", "db_password"):
        value = getattr(args, option)
        if value:
            result.append(f"--{option}={value}")
    return result


def _core_addons():
    origin = Path(_check_odoo_source()).parent
    return str(origin / "addons")


def _run_child(args, addons_dir, phase, extra=()):
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
        *(["--no-peer"] if args.no_peer else []),
        *(["--profile", args.profile] if args.profile else []),
        "--phases",
        ",".join(args.phases),
        *[
            f"--{option.replace('_', '-')}={getattr(args, option)}"
            for option in ("db_host", "db_port", "db_user", "db_password")
            if getattr(args, option)
        ],
        *extra,
    ]
    started = time.perf_counter()
    done = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=False)
    if done.returncode:
        raise RuntimeError(f"phase {phase} failed (exit {done.returncode})")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    _log(f"  {phase}: {time.perf_counter() - started:.1f}s wall (process)")
    return result


def _install(args, addons_path, modules):
    command = [
        sys.executable,
        "-m",
        "odoo",
        "-d",
        args.db,
        f"--addons-path={addons_path}",
        "-i",
        ",".join(modules),
        "--without-demo=all",
        "--stop-after-init",
        # The peer's README makes docutils warn at install: not our concern.
        "--log-level=error",
        "--http-port=0",
        *_db_args(args),
    ]
    done = subprocess.run(command, cwd=tempfile.gettempdir(), check=False)
    if done.returncode:
        raise RuntimeError(f"installing {modules} failed (exit {done.returncode})")


def _drop_db(args):
    import psycopg2

    params = {"dbname": "postgres"}
    for option, key in (
        ("db_host", "host"),
        ("db_port", "port"),
        ("db_user", "user"),
        ("db_password", "password"),
    ):
        if getattr(args, option):
            params[key] = getattr(args, option)
    connection = psycopg2.connect(**params)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
            (args.db,),
        )
        cursor.execute(f'DROP DATABASE IF EXISTS "{args.db}"')
    connection.close()


def orchestrate(args):
    _check_odoo_source()
    peer_note = None
    if args.no_peer:
        peer_note = "peer skipped (--no-peer)"
    elif "peer" not in args.phases:
        args.no_peer = True
    else:
        ok, error = ensure_peer()
        if not ok:
            peer_note = f"peer skipped: {error}"
            args.no_peer = True
    if peer_note:
        _log(peer_note)
        if "peer" in args.phases:
            args.phases.remove("peer")

    args.db = f"rr_bench_{os.getpid()}_{int(time.time())}"
    addons_dir = tempfile.mkdtemp(prefix="rr_bench_addons_")
    os.symlink(REPO, Path(addons_dir) / ADDON)
    addons_path = ",".join([_core_addons(), addons_dir, *_odoo_site_addons()])
    modules = ["sale", "account", ADDON] + ([] if args.no_peer else [PEER])
    results = {}
    try:
        _log(f"database {args.db}: installing {', '.join(modules)}")
        started = time.perf_counter()
        _install(args, addons_path, modules)
        _log(f"  install: {time.perf_counter() - started:.1f}s")
        _log(f"seeding for {', '.join(args.phases)}")
        seed = _run_child(args, addons_dir, "seed")
        _log("measuring")
        for phase in args.phases:
            results[phase] = _run_child(args, addons_dir, phase)
    finally:
        shutil.rmtree(addons_dir, ignore_errors=True)
        if args.keep_db:
            _log(f"kept database {args.db}")
        else:
            _drop_db(args)
    report(args, seed, results, peer_note)


def _ratio(numerator, denominator, digits=2):
    if not numerator or not denominator:
        return None
    return round(numerator / denominator, digits)


def report(args, seed, results, peer_note):
    rows = []
    labels = {
        "post_plain": ("invoice _post(), plain", "invoices"),
        "post_sched": ("invoice _post(), scheduled", "invoices"),
        "floor": ("ORM floor create+_post", "journal items"),
        "detail": ("Create journal, detail", "schedule lines"),
        "summary": ("Create journal, summary", "schedule lines"),
        "peer": ("peer _create_entries()", "spread lines"),
    }
    for phase in PHASES:
        if phase not in results:
            continue
        result = results[phase]
        label, unit = labels[phase]
        rows.append(
            (
                label,
                result["count"],
                unit,
                result.get("journal_items"),
                result["seconds"],
                result["count"] / result["seconds"],
                result["peak_rss_mb"],
            )
        )
    print(
        f"\nN = {args.invoices} invoices per set, "
        f"{seed['schedule_lines_per_set']} schedule lines per set; "
        f"Python {platform.python_version()}, Odoo {seed['odoo_version']}, "
        f"{os.cpu_count()} CPU(s)"
    )
    header = (
        f"{'phase':<28}{'count':>9} {'unit':<15}{'items':>8}"
        f"{'seconds':>9}{'per s':>10}{'RSS MB':>8}"
    )
    print(header)
    print("-" * len(header))
    for label, count, unit, items, seconds, rate, rss in rows:
        items_text = f"{items:>8}" if items is not None else f"{'':>8}"
        print(
            f"{label:<28}{count:>9} {unit:<15}{items_text}"
            f"{seconds:>9.2f}{rate:>10,.0f}{rss:>8.0f}"
        )

    detail, summary = results.get("detail"), results.get("summary")
    floor, peer = results.get("floor"), results.get("peer")

    def per_s(result, key="count"):
        return result and result[key] / result["seconds"]

    summary_vs_peer = _ratio(per_s(summary), per_s(peer), 1)
    detail_vs_peer = _ratio(per_s(detail), per_s(peer), 1)
    detail_vs_floor = _ratio(
        per_s(detail, "journal_items"), per_s(floor, "journal_items")
    )
    post_sched, post_plain = results.get("post_sched"), results.get("post_plain")
    overhead = _ratio(
        post_sched and post_sched["seconds"], post_plain and post_plain["seconds"]
    )
    print("-" * len(header))
    for label, value in (
        ("detail journal items/s vs ORM floor", detail_vs_floor),
        ("summary schedule lines/s vs peer", summary_vs_peer),
        ("detail schedule lines/s vs peer", detail_vs_peer),
        ("invoice posting time, scheduled vs plain", overhead),
    ):
        print(f"{label + ':':<44}{'n/a' if value is None else f'{value}x'}")
    if peer_note:
        print(peer_note)
    phases = {
        phase: {key: value for key, value in result.items() if key != "phase"}
        for phase, result in results.items()
    }
    print(
        json.dumps(
            {
                "benchmark": "create_journal",
                "invoices": args.invoices,
                "schedule_lines": (detail or summary or {}).get("count"),
                "summary_s": summary and summary["seconds"],
                "detail_s": detail and detail["seconds"],
                "floor_s": floor and floor["seconds"],
                "peer_s": peer and peer["seconds"],
                "peer_lines": peer and peer["count"],
                "detail_vs_floor": detail_vs_floor,
                "summary_vs_peer": summary_vs_peer,
                "detail_vs_peer": detail_vs_peer,
                "invoice_post_overhead": overhead,
                "peak_rss_mb": max(
                    (result["peak_rss_mb"] for result in (detail, summary) if result),
                    default=None,
                ),
                "phases": phases,
                "python": platform.python_version(),
                "odoo": seed["odoo_version"],
                "cpus": os.cpu_count(),
            }
        )
    )


# -- phases (each in its own process, Odoo loaded) -----------------------------


@contextlib.contextmanager
def odoo_env(args):
    import odoo
    from odoo import SUPERUSER_ID, api
    from odoo.tools import config

    addons_path = ",".join([_core_addons(), args.addons_dir, *_odoo_site_addons()])
    config.parse_config(
        [
            "-d",
            args.db,
            f"--addons-path={addons_path}",
            "--log-level=warn",
            "--without-demo=all",
            *_db_args(args),
        ]
    )
    registry = odoo.modules.registry.Registry(args.db)
    with registry.cursor() as cr:
        yield api.Environment(cr, SUPERUSER_ID, {})


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


def _invoices(env, tag):
    return env["account.move"].search([("ref", "=like", f"bench-{tag}-%")], order="id")


def phase_seed(args, env):
    import odoo
    from odoo import Command

    company = env.company
    if not company.chart_template:
        env["account.chart.template"].try_loading(
            "generic_coa", company, install_demo=False
        )
        env.invalidate_all()
    company = env.company
    if not company.revenue_journal_id:
        company._revenue_setup()
    schedule = env["revenue.schedule"].create(
        {
            "name": "12M",
            "recognition_basis": "monthly",
            "recognition_convention": "actual_start",
            "occurrences": PERIODS,
            "company_id": company.id,
        }
    )
    product_model = env["product.product"]
    scheduled = product_model.create(
        {
            "name": "Subscription 12M",
            "type": "service",
            "revenue_schedule_id": schedule.id,
        }
    )
    plain = product_model.create(
        {"name": "Subscription (no schedule)", "type": "service"}
    )
    partners = env["res.partner"].create(
        [{"name": f"Customer {index:03d}"} for index in range(PARTNERS)]
    )
    journal = env["account.journal"].search(
        [*env["account.journal"]._check_company_domain(company), ("type", "=", "sale")],
        limit=1,
    )

    def create_invoices(tag, product, count):
        for start in range(0, count, SEED_BATCH):
            env["account.move"].create(
                [
                    {
                        "move_type": "out_invoice",
                        "journal_id": journal.id,
                        "partner_id": partners[index % PARTNERS].id,
                        "invoice_date": INVOICE_DATE,
                        "ref": f"bench-{tag}-{index}",
                        "invoice_line_ids": [
                            Command.create(
                                {
                                    "product_id": product.id,
                                    "quantity": 1,
                                    "price_unit": 1200 + (index % 97) * 12.37,
                                }
                            )
                        ],
                    }
                    for index in range(start, min(start + SEED_BATCH, count))
                ]
            )
            env.flush_all()
            env.cr.commit()
            env.invalidate_all()

    phases = set(args.phases)
    sets = {
        "A": (scheduled, phases & {"post_sched", "floor", "detail"}),
        "B": (scheduled, phases & {"summary"}),
        "P": (plain, phases & {"post_plain"}),
    }
    for tag, (product, needed_by) in sets.items():
        if needed_by:
            create_invoices(tag, product, args.invoices)
            create_invoices(f"{tag}w", product, WARMUP)
    # Sets whose posting is not measured are posted here.
    to_post = ["B", "Bw"]
    if sets["A"][1] and "post_sched" not in phases:
        to_post += ["A", "Aw"]
    for tag in to_post:
        invoices = _invoices(env, tag)
        for start in range(0, len(invoices), 1000):
            invoices[start : start + 1000]._post(soft=False)
            env.flush_all()
            env.cr.commit()
            env.invalidate_all()

    peer_lines = 0
    if "peer" in phases:
        peer_lines = _seed_peer(args, env, company, plain, create_invoices)
    lines_a = PERIODS * args.invoices
    return {
        "schedule_lines_per_set": lines_a,
        "peer_lines": peer_lines,
        "odoo_version": odoo.release.version,
    }


def _seed_peer(args, env, company, product, create_invoices):
    """Invoices of the plain product whose lines are spread by the peer."""
    deferred = env["account.account"].create(
        {
            "name": "Deferred revenue (peer)",
            "code": env["account.account"]._search_new_account_code("4871"),
            "account_type": "liability_current",
            "reconcile": True,
        }
    )
    spread_journal = env["account.journal"].create(
        {
            "name": "Revenue spread (peer)",
            "code": "SPRD",
            "type": "general",
            "company_id": company.id,
        }
    )
    company.write(
        {
            "default_spread_revenue_account_id": deferred.id,
            "default_spread_revenue_journal_id": spread_journal.id,
        }
    )
    count = math.ceil(args.peer_lines / PERIODS)
    create_invoices("peer", product, count)
    create_invoices("peerw", product, 1)
    invoices = _invoices(env, "peer") | _invoices(env, "peerw")
    lines = invoices.invoice_line_ids
    env["account.spread"].create(
        [
            {
                "name": line.move_id.ref,
                "invoice_type": "out_invoice",
                "period_number": PERIODS,
                "period_type": "month",
                "spread_date": INVOICE_DATE,
                "debit_account_id": deferred.id,
                "credit_account_id": line.account_id.id,
                "journal_id": spread_journal.id,
                "invoice_line_id": line.id,
                "company_id": company.id,
                "currency_id": line.currency_id.id,
            }
            for line in lines
        ]
    )
    # The peer's action_post computes the spread boards of the invoice lines.
    invoices.action_post()
    env.flush_all()
    env.cr.commit()
    return env["account.spread.line"].search_count([])


def _rss_mb():
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _finish(env):
    env.flush_all()
    env.cr.commit()


def phase_post(args, env, tag, result):
    _invoices(env, f"{tag}w")._post(soft=False)
    _finish(env)
    invoices = _invoices(env, tag)
    invoices.mapped("line_ids")  # read before timing: posting is what is measured
    with timed(args, result["phase"], result):
        invoices._post(soft=False)
        _finish(env)
    result["count"] = len(invoices)


def _floor_vals(env, tag):
    """The entries ``detail`` would write for a set, as plain create() values."""
    from odoo import Command

    rec_model = env["revenue.recognition.line"]
    lines = rec_model.search(
        [*rec_model._get_due_domain(AS_OF), ("move_id.ref", "=like", f"bench-{tag}-%")],
        order="company_id, recognition_date, id",
    )
    company = env.company
    journal = company.revenue_journal_id
    max_items = max(company.revenue_max_lines_per_entry, 1)
    by_date = {}
    for line in lines:
        by_date.setdefault(line.recognition_date, []).append(line)
    vals_list = []
    for entry_date, dated in sorted(by_date.items()):
        for start in range(0, len(dated), max_items):
            chunk = dated[start : start + max_items]
            commands = []
            total = 0.0
            for line in chunk:
                total += line.amount
                commands.append(
                    Command.create(
                        {
                            "name": f"{line.name} {line.product_id.display_name}",
                            "account_id": line.income_account_id.id,
                            "partner_id": line.partner_id.id,
                            "product_id": line.product_id.id,
                            "currency_id": line.currency_id.id,
                            "amount_currency": -line.amount_currency,
                            "balance": -line.amount,
                            "analytic_distribution": line.analytic_distribution
                            or False,
                            "tax_ids": [Command.clear()],
                        }
                    )
                )
            commands.append(
                Command.create(
                    {
                        "name": "Deferred revenue released",
                        "account_id": chunk[0].deferred_account_id.id,
                        "currency_id": chunk[0].currency_id.id,
                        "amount_currency": round(total, 2),
                        "balance": round(total, 2),
                        "analytic_distribution": False,
                        "tax_ids": [Command.clear()],
                    }
                )
            )
            vals_list.append(
                {
                    "move_type": "entry",
                    "journal_id": journal.id,
                    "company_id": company.id,
                    "date": entry_date,
                    "ref": "ORM floor",
                    "line_ids": commands,
                }
            )
    return vals_list, len(lines)


def phase_floor(args, env, result):
    warmup_vals, _count = _floor_vals(env, "Aw")
    env["account.move"].create(warmup_vals)._post(soft=False)
    _finish(env)
    vals_list, line_count = _floor_vals(env, "A")
    env.invalidate_all()
    with timed(args, "floor", result):
        moves = env["account.move"].create(vals_list)
        moves._post(soft=False)
        _finish(env)
    result["count"] = sum(len(vals["line_ids"]) for vals in vals_list)
    result["journal_items"] = result["count"]
    result["entries"] = len(moves)
    result["schedule_lines"] = line_count


def phase_recognise(args, env, tag, grouping, result):
    env["revenue.recognition.line"]._recognise(
        AS_OF,
        grouping=grouping,
        domain=[("move_id", "in", _invoices(env, f"{tag}w").ids)],
    )
    _finish(env)
    invoice_ids = _invoices(env, tag).ids
    env.invalidate_all()
    with timed(args, grouping, result):
        outcome = env["revenue.recognition.line"]._recognise(
            AS_OF, grouping=grouping, post=True, domain=[("move_id", "in", invoice_ids)]
        )
        _finish(env)
    moves = env["account.move"].browse(outcome["move_ids"])
    if outcome["errors"] or outcome["failed_count"]:
        raise RuntimeError(f"{grouping}: {outcome['errors']}")
    if set(moves.mapped("state")) != {"posted"}:
        raise RuntimeError(f"{grouping}: entries not posted")
    result["count"] = outcome["line_count"]
    result["journal_items"] = len(moves.line_ids)
    result["entries"] = len(moves)


def phase_peer(args, env, result):
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


def run_phase(args):
    result = {"phase": args.phase}
    with odoo_env(args) as env:
        if args.phase == "seed":
            result.update(phase_seed(args, env))
        elif args.phase == "post_plain":
            phase_post(args, env, "P", result)
        elif args.phase == "post_sched":
            phase_post(args, env, "A", result)
        elif args.phase == "floor":
            phase_floor(args, env, result)
        elif args.phase == "detail":
            phase_recognise(args, env, "A", "detail", result)
        elif args.phase == "summary":
            phase_recognise(args, env, "B", "summary", result)
        elif args.phase == "peer":
            phase_peer(args, env, result)
        env.cr.commit()
    result["peak_rss_mb"] = _rss_mb()
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
    if args.phase:
        run_phase(args)
    else:
        orchestrate(args)


if __name__ == "__main__":
    main()
