"""The table and the JSON line of ``bench_create_journal.py``."""

import json
import os
import platform

from .setup import PHASES

LABELS = {
    "post_plain": ("invoice _post(), plain", "invoices"),
    "post_sched": ("invoice _post(), scheduled", "invoices"),
    "floor": ("ORM floor create+_post", "journal items"),
    "detail": ("Create journal, detail", "schedule lines"),
    "summary": ("Create journal, summary", "schedule lines"),
    "peer": ("peer _create_entries()", "spread lines"),
}


def _ratio(numerator, denominator, digits=2):
    if not numerator or not denominator:
        return None
    return round(numerator / denominator, digits)


def _per_s(result, key="count"):
    return result and result[key] / result["seconds"]


def print_table(args, seed, results):
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
    for phase in PHASES:
        if phase not in results:
            continue
        result = results[phase]
        label, unit = LABELS[phase]
        items = result.get("journal_items")
        items_text = f"{items:>8}" if items is not None else f"{'':>8}"
        print(
            f"{label:<28}{result['count']:>9} {unit:<15}{items_text}"
            f"{result['seconds']:>9.2f}{result['count'] / result['seconds']:>10,.0f}"
            f"{result['peak_rss_mb']:>8.0f}"
        )
    return header


def summary(args, seed, results):
    """The JSON line's dict: times, ratios, peaks, every phase's own figures."""
    detail, summary_ = results.get("detail"), results.get("summary")
    floor, peer = results.get("floor"), results.get("peer")
    post_sched, post_plain = results.get("post_sched"), results.get("post_plain")
    return {
        "benchmark": "create_journal",
        "invoices": args.invoices,
        "schedule_lines": (detail or summary_ or {}).get("count"),
        "summary_s": summary_ and summary_["seconds"],
        "detail_s": detail and detail["seconds"],
        "floor_s": floor and floor["seconds"],
        "peer_s": peer and peer["seconds"],
        "peer_lines": peer and peer["count"],
        "detail_vs_floor": _ratio(
            _per_s(detail, "journal_items"), _per_s(floor, "journal_items")
        ),
        "summary_vs_peer": _ratio(_per_s(summary_), _per_s(peer), 1),
        "detail_vs_peer": _ratio(_per_s(detail), _per_s(peer), 1),
        "invoice_post_overhead": _ratio(
            post_sched and post_sched["seconds"], post_plain and post_plain["seconds"]
        ),
        "peak_rss_mb": max(
            (result["peak_rss_mb"] for result in (detail, summary_) if result),
            default=None,
        ),
        "phases": {
            phase: {key: value for key, value in result.items() if key != "phase"}
            for phase, result in results.items()
        },
        "python": platform.python_version(),
        "odoo": seed["odoo_version"],
        "cpus": os.cpu_count(),
    }


def report(args, seed, results, peer_note):
    """Print the table, the ratios, then one JSON line."""
    header = print_table(args, seed, results)
    data = summary(args, seed, results)
    print("-" * len(header))
    for label, key in (
        ("detail journal items/s vs ORM floor", "detail_vs_floor"),
        ("summary schedule lines/s vs peer", "summary_vs_peer"),
        ("detail schedule lines/s vs peer", "detail_vs_peer"),
        ("invoice posting time, scheduled vs plain", "invoice_post_overhead"),
    ):
        value = data[key]
        print(f"{label + ':':<44}{'n/a' if value is None else f'{value}x'}")
    if peer_note:
        print(peer_note)
    print(json.dumps(data))
