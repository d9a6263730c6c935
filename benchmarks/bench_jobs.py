"""The month end through queue_job workers against the single cron process.

Usage (from the repository root)::

    python3 benchmarks/bench_jobs.py [--lines 20000] [--workers 2] [--no-kill]
        [--grouping detail|summary]
        [--queue-job-addons DIR] [--keep-db]
        [--db-host HOST] [--db-port PORT] [--db-user USER] [--db-password PASSWORD]

Creates a throwaway database (dropped at the end unless ``--keep-db``) with
``revenue_recognition`` and OCA ``queue_job`` (from ``--queue-job-addons``, a
folder holding ``queue_job``; default ``.local/queue_job-addons``, where
``make test-queue`` unpacks the 18.0 wheel), two companies with the generic
chart, and in each ``--lines`` pending schedule lines due (100.00 each, 100
customers, 12 recognition dates of 2025), written in bulk SQL after one line
made by the add-on's own ``_create_batch`` (the lines are what a posted
invoice leaves; the invoices themselves are not needed to release them).

Then, each in its own process, with ``--grouping`` entries posted (``detail``,
the default: a journal item per line; ``summary``: per account and date):

``cron``  company 1: the cron's method ``_cron_recognise()`` called and
          committed again while lines remain, as Odoo's cron does with a
          method that reports its progress (one process, one unit per call);
``jobs``  company 2: a real Odoo server (``--workers N``, the queue_job
          runner loaded, channel ``root.revenue_recognition:N``) as a
          subprocess; ``_cron_recognise()`` queues one job per unit, and the
          clock stops when every job is done;
``killed`` company 3 (unless ``--no-kill``): the same, and a worker running
          a job is killed with SIGKILL as soon as one is seen started: the
          runner queues the dead job again and it is re-run.

The speed-up compares ``cron`` with ``jobs`` (no kill: the time the runner
takes to notice a dead job is not the speed of the workers); ``killed``
checks that a crash loses and duplicates nothing.

Checked after the runs, per company: every line posted exactly once (lines
posted = N, no pending line, each line's entry posted), and the ledger
(the income credited by the recognition entries = the sum of the lines, the
deferred account debited by as much).

Prints a table and one JSON line: ``lines``, ``workers``, ``cron_s``,
``jobs_s``, ``speedup`` (cron_s / jobs_s; target ≥ 1.5), ``killed_s`` and
``killed`` (the pid killed, or null), ``jobs``, ``jobs_failed``,
``exactly_once`` (every company's checks), ``cpu_count``.

Over 500 lines because one script drives the whole comparison: the seed,
three runs each in its own process (one of them an Odoo server with its
workers), the kill and the checks of the ledger afterwards.
"""

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rr_bench.setup import (
    ADDON,
    REPO,
    addons_path,
    db_args,
    drop_db,
    install,
    log,
    odoo_env,
)

AMOUNT = 100.0
PARTNERS = 100


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def seed(args, env):
    """Three companies with a chart and ``args.lines`` due lines each (the
    cron's, the jobs', the jobs' with a worker killed)."""
    companies = env.company
    companies |= env["res.company"].create(
        [{"name": "Bench jobs company"}, {"name": "Bench jobs company (kill)"}]
    )
    env.cr.commit()
    for company in companies:
        if not company.chart_template:
            env["account.chart.template"].try_loading(
                "generic_coa", company, install_demo=False
            )
            env.cr.commit()
    env.invalidate_all()
    partners = env["res.partner"].create(
        [{"name": f"Bench customer {n}"} for n in range(PARTNERS)]
    )
    line_model = env["revenue.recognition.line"]
    for company in companies:
        if not company.revenue_journal_id:
            company._revenue_setup()
        company.write(
            {
                "revenue_auto_post": False,
                "revenue_auto_post_grouping": args.grouping,
                "revenue_auto_post_entries": True,
            }
        )
        income = env["account.account"].search(
            [
                *env["account.account"]._check_company_domain(company),
                ("account_type", "=", "income"),
            ],
            limit=1,
        )
        first = line_model._create_batch(
            [
                {
                    "recognition_date": "2025-01-01",
                    "company_id": company.id,
                    "currency_id": company.currency_id.id,
                    "amount": AMOUNT,
                    "amount_currency": AMOUNT,
                    "state": "pending",
                    "partner_id": partners[0].id,
                    "deferred_account_id": company.revenue_deferred_account_id.id,
                    "income_account_id": income.id,
                }
            ]
        )
        env.flush_all()
        env.cr.execute(
            """
            SELECT column_name FROM information_schema.columns
             WHERE table_name = 'revenue_recognition_line'
               AND column_name NOT IN ('id', 'partner_id', 'recognition_date')
            """
        )
        columns = [row[0] for row in env.cr.fetchall()]
        listed = ", ".join(f'"{column}"' for column in columns)
        env.cr.execute(
            f"""
            INSERT INTO revenue_recognition_line
                   ({listed}, partner_id, recognition_date)
            SELECT {listed},
                   (%s::int[])[1 + n %% %s],
                   DATE '2025-01-01' + ((n %% 12) * INTERVAL '1 month')
              FROM revenue_recognition_line, generate_series(1, %s) AS n
             WHERE id = %s
            """,
            (partners.ids, PARTNERS, args.lines - 1, first.id),
        )
        env.cr.commit()
    return companies.ids


def reset(args, env):
    """A kept database as it was seeded: no job, no recognition entry."""
    env.cr.execute("DELETE FROM queue_job")
    env.cr.execute(
        "UPDATE revenue_recognition_line SET state = 'pending', "
        "recognition_move_id = NULL"
    )
    env.cr.execute(
        "DELETE FROM account_move WHERE revenue_recognition_entry RETURNING id"
    )
    env.cr.execute(
        "UPDATE res_company SET revenue_auto_post = false, "
        "revenue_auto_post_grouping = %s",
        (args.grouping,),
    )
    env.cr.commit()
    return env["res.company"].search([], order="id", limit=3).ids


def check(env, company_id, lines):
    """Exactly once: every line posted once, and the ledger agrees."""
    env.cr.execute(
        """
        SELECT count(*) FILTER (WHERE l.state = 'posted' AND m.state = 'posted'),
               count(*) FILTER (WHERE l.state = 'pending'),
               COALESCE(sum(l.amount) FILTER (WHERE l.state = 'posted'), 0)
          FROM revenue_recognition_line l
          LEFT JOIN account_move m ON m.id = l.recognition_move_id
         WHERE l.company_id = %s
        """,
        (company_id,),
    )
    posted, pending, amount = env.cr.fetchone()
    env.cr.execute(
        """
        SELECT COALESCE(-sum(aml.balance) FILTER (WHERE aml.account_id = c.income), 0),
               COALESCE(sum(aml.balance) FILTER (WHERE aml.account_id = c.deferred), 0),
               count(DISTINCT aml.move_id)
          FROM account_move_line aml
          JOIN account_move m ON m.id = aml.move_id
          CROSS JOIN (
                SELECT min(income_account_id) AS income,
                       min(deferred_account_id) AS deferred
                  FROM revenue_recognition_line WHERE company_id = %s) c
         WHERE m.company_id = %s AND m.revenue_recognition_entry
           AND m.state = 'posted'
        """,
        (company_id, company_id),
    )
    income, deferred, entries = env.cr.fetchone()
    ok = (
        posted == lines
        and pending == 0
        and round(amount, 2) == round(lines * AMOUNT, 2)
        and round(income, 2) == round(amount, 2)
        and round(deferred, 2) == round(amount, 2)
    )
    return {
        "posted": posted,
        "pending": pending,
        "amount": round(amount, 2),
        "income_credited": round(income, 2),
        "deferred_debited": round(deferred, 2),
        "entries": entries,
        "ok": ok,
    }


def run_cron(args, company_id):
    """One process: call the cron and commit while lines remain."""
    from odoo import fields

    with odoo_env(args) as env:
        company = env["res.company"].browse(company_id)
        company.revenue_auto_post = True
        env.cr.commit()
        cron = env.ref("revenue_recognition.ir_cron_revenue_recognition")
        line_model = env["revenue.recognition.line"]
        start = time.perf_counter()
        calls = 0
        while True:
            cron_env, progress = cron._add_progress()
            records = line_model.with_context(
                ir_cron_progress_id=cron_env.env.context["ir_cron_progress_id"]
            )
            # the cron's path without queue_job (which is installed here)
            records._cron_run_units(fields.Date.context_today(records))
            env.flush_all()
            env.cr.commit()
            calls += 1
            if not progress.remaining or not progress.done:
                break
        seconds = time.perf_counter() - start
        company.revenue_auto_post = False
        env.cr.commit()
        return {"seconds": seconds, "calls": calls}


def worker_pids(server):
    """The HTTP workers of the server (its children, without the gevent one)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            cmdline = (entry / "cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        # the gevent process is started as `odoo gevent`; workers are forks
        if int(stat[1]) == server.pid and "\x00gevent\x00" not in cmdline:
            pids.append(int(entry.name))
    return pids


LAUNCHER = """import signal, sys
if sys.argv[1:2] == ["gevent"]:
    # Odoo's prefork server starts `<python> <argv[0]> gevent` for the
    # long-polling (bus) process and starts it again each time it ends; the
    # benchmark needs none (the job runner is a thread of the main process),
    # so the process waits for the server to stop it instead of failing
    # (gevent is not installed) and being started again in a loop.
    signal.pause()
else:
    from odoo.cli.command import main
    main()
"""


def server_launcher(args):
    """The script the server runs from (see ``LAUNCHER``)."""
    path = Path(args.addons_dir) / "rr_bench_server.py"
    path.write_text(LAUNCHER)
    return path


def run_jobs(args, company_id, path):
    """A real server with workers and the job runner; the jobs of one run."""
    port = free_port()
    environ = dict(
        os.environ,
        ODOO_QUEUE_JOB_CHANNELS=f"root:{args.workers},"
        f"root.revenue_recognition:{args.workers}",
    )
    log_file = Path(tempfile.gettempdir()) / f"{args.db}-server.log"
    command = [
        sys.executable,
        str(server_launcher(args)),
        "-d",
        args.db,
        f"--addons-path={path}",
        f"--workers={args.workers}",
        "--max-cron-threads=0",
        "--load=base,web,queue_job",
        f"--http-port={port}",
        f"--gevent-port={free_port()}",
        "--db-filter=^" + args.db + "$",
        "--limit-time-real=3600",
        "--limit-time-cpu=3600",
        f"--logfile={log_file}",
        *db_args(args),
    ]
    server = subprocess.Popen(command, env=environ, cwd=tempfile.gettempdir())
    killed = None
    try:
        time.sleep(8)  # the server and its job runner start
        with odoo_env(args) as env:
            company = env["res.company"].browse(company_id)
            company.revenue_auto_post = True
            env.cr.commit()
            start = time.perf_counter()
            before = env["queue.job"].search([]).ids
            env["revenue.recognition.line"]._cron_recognise()
            env.cr.commit()
            jobs = env["queue.job"].search(
                [("method_name", "=", "_job_month_end_unit"), ("id", "not in", before)]
            )
            while True:
                env.invalidate_all()
                states = jobs.mapped("state")
                if all(state in ("done", "failed") for state in states):
                    break
                if args.kill and killed is None:
                    started = jobs.filtered(
                        lambda job: job.state == "started" and job.worker_pid
                    )
                    pids = worker_pids(server)
                    victim = next(
                        (job.worker_pid for job in started if job.worker_pid in pids),
                        None,
                    )
                    if victim:
                        os.kill(victim, signal.SIGKILL)
                        killed = victim
                        log(f"killed worker {victim} (SIGKILL) while it ran a job")
                env.cr.rollback()
                time.sleep(0.2)
            seconds = time.perf_counter() - start
            failed = len(jobs.filtered(lambda job: job.state == "failed"))
            company.revenue_auto_post = False
            env.cr.commit()
            return {
                "seconds": seconds,
                "jobs": len(jobs),
                "failed": failed,
                "killed": killed,
                "log": str(log_file),
            }
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


def child(args, phase, **extra):
    """Run ``phase`` in a process of its own (Odoo's configuration is parsed
    once per process); its JSON answer."""
    command = [
        sys.executable,
        __file__,
        "--phase",
        phase,
        "--db",
        args.db,
        "--addons-dir",
        args.addons_dir,
        "--lines",
        str(args.lines),
        "--workers",
        str(args.workers),
        "--grouping",
        args.grouping,
        "--queue-job-addons",
        args.queue_job_addons,
        *[
            f"--{option.replace('_', '-')}={getattr(args, option)}"
            for option in ("db_host", "db_port", "db_user", "db_password")
            if getattr(args, option)
        ],
        *[f"--{key.replace('_', '-')}={value}" for key, value in extra.items()],
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    sys.stderr.write(done.stderr)
    if done.returncode:
        raise RuntimeError(f"phase {phase} failed (exit {done.returncode})")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_phase(args):
    """The child process of one phase."""
    args.peer_folder = args.queue_job_addons
    path = addons_path(args.addons_dir, args.queue_job_addons)
    if args.phase == "seed":
        with odoo_env(args) as env:
            answer = seed(args, env)
    elif args.phase == "reset":
        with odoo_env(args) as env:
            answer = reset(args, env)
    elif args.phase == "cron":
        answer = run_cron(args, args.company_id)
    elif args.phase == "jobs":
        answer = run_jobs(args, args.company_id, path)
    else:
        with odoo_env(args) as env:
            answer = check(env, args.company_id, args.lines)
        answer = {
            key: float(value) if not isinstance(value, bool | int) else value
            for key, value in answer.items()
        }
    print(json.dumps(answer))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lines", type=int, default=20000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-kill", action="store_true")
    parser.add_argument(
        "--grouping",
        choices=("detail", "summary"),
        default="detail",
        help="the companies' recognition entries: one journal item per line "
        "(detail) or per account and date (summary)",
    )
    parser.add_argument(
        "--jobs-only",
        action="store_true",
        help="no cron phase (e.g. a second, killing run on a kept database)",
    )
    parser.add_argument(
        "--queue-job-addons", default=str(REPO / ".local" / "queue_job-addons")
    )
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument(
        "--reuse-db",
        help="a database a --keep-db run left, with its seed: jobs removed, "
        "its lines back to pending",
    )
    for option in ("db-host", "db-port", "db-user", "db-password"):
        parser.add_argument(f"--{option}")
    # a phase's own process (see ``child``)
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--addons-dir", help=argparse.SUPPRESS)
    parser.add_argument("--company-id", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--kill", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        run_phase(args)
        return
    if not (Path(args.queue_job_addons) / "queue_job" / "__manifest__.py").exists():
        sys.exit(
            f"no queue_job in {args.queue_job_addons}: run `make test-queue` once "
            "(it unpacks the 18.0 wheel there) or pass --queue-job-addons DIR"
        )
    args.peer_folder = None
    args.db = args.reuse_db or f"rr_bench_jobs_{os.getpid()}_{int(time.time())}"
    addons_dir = tempfile.mkdtemp(prefix="rr_bench_addons_")
    os.symlink(REPO, Path(addons_dir) / ADDON)
    args.addons_dir = addons_dir
    path = addons_path(addons_dir, args.queue_job_addons)
    try:
        if args.reuse_db:
            company_ids = child(args, "reset")
        else:
            log(f"database {args.db}: installing {ADDON} and queue_job ...")
            install(args, path, [ADDON, "queue_job"])
            company_ids = child(args, "seed")
        log(f"seeded {args.lines} due lines in each of companies {company_ids}")
        cron = None
        if not args.jobs_only:
            cron = child(args, "cron", company_id=company_ids[0])
            log(f"cron: {cron['seconds']:.1f} s in {cron['calls']} calls")
        jobs = child(args, "jobs", company_id=company_ids[1])
        log(f"jobs: {jobs['seconds']:.1f} s, {jobs['jobs']} jobs")
        killed = None
        if not args.no_kill:
            killed = child(args, "jobs", company_id=company_ids[2], kill=1)
            log(
                f"jobs with a worker killed: {killed['seconds']:.1f} s, "
                f"{killed['jobs']} jobs, killed {killed['killed']}"
            )
        checked_ids = company_ids[bool(args.jobs_only) : 3 if killed else 2]
        checks = [
            child(args, "check", company_id=company_id) for company_id in checked_ids
        ]
    finally:
        if not args.keep_db:
            drop_db(args)
        shutil.rmtree(addons_dir, ignore_errors=True)
    print(f"{'run':<6} {'lines':>8} {'seconds':>9} {'lines/s':>9}  exactly once")
    runs = [("cron", cron)] if cron else []
    runs += [("jobs", jobs)] + ([("killed", killed)] if killed else [])
    for (name, run), checked in zip(runs, checks, strict=True):
        print(
            f"{name:<6} {args.lines:>8} {run['seconds']:>9.1f} "
            f"{args.lines / run['seconds']:>9.0f}  {checked}"
        )
    print(
        json.dumps(
            {
                "lines": args.lines,
                "workers": args.workers,
                "grouping": args.grouping,
                "cron_s": round(cron["seconds"], 2) if cron else None,
                "jobs_s": round(jobs["seconds"], 2),
                "speedup": (
                    round(cron["seconds"] / jobs["seconds"], 2) if cron else None
                ),
                "target": 1.5,
                "killed_s": round(killed["seconds"], 2) if killed else None,
                "killed": killed["killed"] if killed else None,
                "jobs": jobs["jobs"],
                "jobs_failed": jobs["failed"] + (killed["failed"] if killed else 0),
                "exactly_once": all(checked["ok"] for checked in checks),
                "checks": checks,
                "cpu_count": os.cpu_count(),
            }
        )
    )


if __name__ == "__main__":
    main()
