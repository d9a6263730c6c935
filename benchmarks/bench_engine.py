"""Throughput of the schedule engine: compute N schedule lines in one process.

Usage (from the repository root)::

    python3 benchmarks/bench_engine.py [--lines 1000000] [--seed 1]

Builds twelve-month schedules that mix every basis and convention, start
dates spread over five years, amounts with cents and a second (company)
currency with its own total and rounding, computes them with
``compute_schedules`` and prints a table per basis and per convention, then
one JSON line. ``seconds``/``lines_per_s`` are wall-clock for the whole batch
(garbage collection included); CPU time and the load average are reported
too because the machine may be shared.
"""

import argparse
import json
import os
import platform
import random
import resource
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine import BASES, CONVENTIONS, ScheduleInput, compute_schedules  # noqa: E402

OCCURRENCES = 12


def make_inputs(count, seed):
    """Return ``count`` varied schedule inputs (deterministic for a seed)."""
    rng = random.Random(seed)
    first = date(2022, 1, 1)
    inputs = []
    for index in range(count):
        cents = rng.randrange(-5_000_00, 500_000_00)
        amount_currency = Decimal(cents).scaleb(-2)
        # Company currency: a different total (exchange rate) and, for a
        # third of the schedules, a currency without decimals.
        company_rounding = Decimal("1") if index % 3 == 0 else Decimal("0.01")
        amount = (amount_currency * Decimal("1.0837")).quantize(company_rounding)
        start = first + timedelta(days=rng.randrange(5 * 365))
        inputs.append(
            ScheduleInput(
                amount_currency=amount_currency,
                start=start,
                basis=BASES[index % len(BASES)],
                convention=CONVENTIONS[(index // len(BASES)) % len(CONVENTIONS)],
                occurrences=OCCURRENCES,
                amount=amount,
                company_rounding=company_rounding,
                key=index,
            )
        )
    return inputs


def timed(inputs):
    """Compute ``inputs``; return (lines, wall seconds, CPU seconds)."""
    wall, cpu = time.perf_counter(), time.process_time()
    results = compute_schedules(inputs)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return sum(len(lines) for _key, lines in results), wall, cpu


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    # Twelve-month schedules give 12 or 13 lines; aim at the requested count.
    inputs = make_inputs(max(1, round(args.lines / 12)), args.seed)
    lines, seconds, cpu_seconds = timed(inputs)

    # Per-basis and per-convention split, each group timed on its own.
    print(f"{'mix':<22}{'schedules':>10}{'lines':>10}{'seconds':>9}{'lines/s':>11}")
    groups = [("basis", basis) for basis in BASES]
    groups += [("convention", convention) for convention in CONVENTIONS]
    for field, value in groups:
        group = [item for item in inputs if getattr(item, field) == value]
        group_lines, group_seconds, _cpu = timed(group)
        print(
            f"{field + '=' + value:<22}{len(group):>10}{group_lines:>10}"
            f"{group_seconds:>9.2f}{group_lines / group_seconds:>11,.0f}"
        )
    print(
        f"{'all':<22}{len(inputs):>10}{lines:>10}{seconds:>9.2f}"
        f"{lines / seconds:>11,.0f}"
    )
    print(
        json.dumps(
            {
                "benchmark": "engine.compute_schedules",
                "schedules": len(inputs),
                "lines": lines,
                "seconds": round(seconds, 3),
                "lines_per_s": round(lines / seconds),
                "cpu_seconds": round(cpu_seconds, 3),
                "lines_per_cpu_s": round(lines / cpu_seconds),
                "load_average_1m": round(os.getloadavg()[0], 2),
                "python": platform.python_version(),
                "peak_rss_mb": round(
                    resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
                ),
            }
        )
    )


if __name__ == "__main__":
    main()
