"""Database, addons path, the OCA peer and the seeded data of the benchmark."""

import contextlib
import importlib.util
import math
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
ADDON = "revenue_recognition"
PEER = "account_spread_cost_revenue"
REQUIREMENTS = REPO / "benchmarks" / "requirements.txt"
#: Where ``pip install --target`` puts the peer by default (see requirements.txt).
PEER_TARGET = REPO / ".local" / "bench-addons"
INVOICE_DATE = "2025-01-01"
AS_OF = "2025-12-31"
PERIODS = 12
SEED_BATCH = 250
PARTNERS = 100
# Each timed section first runs the same operation untimed on a few invoices
# of its own (tag + "w"): rates are steady-state, not the first call's caches.
WARMUP = 5
PHASES = ("post_plain", "post_sched", "floor", "detail", "summary", "peer")


def log(message):
    print(message, file=sys.stderr, flush=True)


# -- addons path and the peer ---------------------------------------------------


def odoo_source():
    """The ``odoo`` package's ``__init__.py``: Odoo's source, not a namespace."""
    spec = importlib.util.find_spec("odoo")
    if spec is None or spec.origin is None:
        sys.exit(
            "Odoo 18.0 is not importable as `odoo` (a namespace package was found "
            "instead: an add-on wheel installed into this Python may shadow it)."
        )
    return spec.origin


def core_addons():
    return str(Path(odoo_source()).parent / "addons")


def site_addons():
    """The ``odoo/addons`` folders of site-packages (where wheels install)."""
    import site

    folders = []
    for base in [*site.getsitepackages(), site.getusersitepackages()]:
        folder = Path(base) / "odoo" / "addons"
        if folder.is_dir():
            folders.append(str(folder))
    return folders


def peer_addons(target):
    """Addons folders that may hold the peer: ``<target>/odoo/addons`` (a
    ``pip install --target`` folder) and site-packages."""
    folders = [str(Path(target) / "odoo" / "addons"), str(target)]
    return [folder for folder in folders if Path(folder).is_dir()] + site_addons()


def find_peer(target):
    """The addons folder holding the peer, or None."""
    for folder in peer_addons(target):
        if (Path(folder) / PEER / "__manifest__.py").exists():
            return folder
    return None


def peer_missing_note(target):
    return (
        f"peer skipped: {PEER} is not installed. Install it (once) into a "
        f"separate folder, which this script adds to the addons path:\n"
        f"  {Path(sys.executable).name} -m pip install --no-deps --target "
        f"{target} -r {REQUIREMENTS.relative_to(REPO)}\n"
        f"(or pass --peer-target DIR). It is never installed into this Python."
    )


def addons_path(addons_dir, peer_folder=None):
    """Odoo's own addons first, then this add-on, then the peer's folder.

    Only Odoo's addons path is extended: nothing is added to ``sys.path``,
    so no folder of the peer can shadow the ``odoo`` package.
    """
    folders = [core_addons(), addons_dir, *site_addons()]
    if peer_folder and peer_folder not in folders:
        folders.append(peer_folder)
    return ",".join(folders)


# -- database -------------------------------------------------------------------


def db_args(args):
    result = []
    for option in ("db_host", "db_port", "db_user", "db_password"):
        value = getattr(args, option)
        if value:
            result.append(f"--{option}={value}")
    return result


def install(args, path, modules):
    command = [
        sys.executable,
        "-m",
        "odoo",
        "-d",
        args.db,
        f"--addons-path={path}",
        "-i",
        ",".join(modules),
        "--without-demo=all",
        "--stop-after-init",
        # The peer's README makes docutils warn at install: not our concern.
        "--log-level=error",
        "--http-port=0",
        *db_args(args),
    ]
    done = subprocess.run(command, cwd=tempfile.gettempdir(), check=False)
    if done.returncode:
        raise RuntimeError(f"installing {modules} failed (exit {done.returncode})")


def drop_db(args):
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


@contextlib.contextmanager
def odoo_env(args):
    """An environment on the benchmark database (phase processes)."""
    import odoo
    from odoo import SUPERUSER_ID, api
    from odoo.tools import config

    config.parse_config(
        [
            "-d",
            args.db,
            f"--addons-path={addons_path(args.addons_dir, args.peer_folder)}",
            "--log-level=warn",
            "--without-demo=all",
            *db_args(args),
        ]
    )
    registry = odoo.modules.registry.Registry(args.db)
    with registry.cursor() as cr:
        yield api.Environment(cr, SUPERUSER_ID, {})


# -- seeding ----------------------------------------------------------------------


def invoices(env, tag):
    return env["account.move"].search([("ref", "=like", f"bench-{tag}-%")], order="id")


def seed(args, env):
    """Sets A, B (scheduled), P (plain) and the peer's invoices, as needed."""
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
    sale_journal = env["account.journal"].search(
        [*env["account.journal"]._check_company_domain(company), ("type", "=", "sale")],
        limit=1,
    )
    # One sales journal per set: each timed posting numbers its invoices in a
    # journal of its own, so that neither phase pays for the other's sequence.
    journals = {
        tag: sale_journal.copy({"name": f"Bench {tag}", "code": f"BCH{tag}"})
        for tag in ("A", "B", "P")
    }

    def create_invoices(tag, product, count):
        # warm-up sets ("Aw") share their set's journal; others the default
        journal = journals.get(tag.rstrip("w"), sale_journal)
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
        moves = invoices(env, tag)
        for start in range(0, len(moves), 1000):
            moves[start : start + 1000]._post(soft=False)
            env.flush_all()
            env.cr.commit()
            env.invalidate_all()

    peer_lines = 0
    if "peer" in phases:
        peer_lines = _seed_peer(args, env, company, plain, create_invoices)
    return {
        "schedule_lines_per_set": PERIODS * args.invoices,
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
    moves = invoices(env, "peer") | invoices(env, "peerw")
    lines = moves.invoice_line_ids
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
    moves.action_post()
    env.flush_all()
    env.cr.commit()
    return env["account.spread.line"].search_count([])
