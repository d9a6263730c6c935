"""Throughput of the schedule engine: compute N schedule lines in one process.

Usage (from the repository root)::

    python3 benchmarks/bench_engine.py [--lines 1000000] [--seed 1]

Builds twelve-month schedules that mix every basis and convention, start
dates spread over five years, amounts with cents and a second (company)
currency with its own total and rounding, computes them with
``compute_schedules`` and prints a table per basis, then one JSON line.
"""

import argparse
import json
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


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    # Twelve-month schedules give 12 or 13 lines; aim at the requested count.
    inputs = make_inputs(max(1, round(args.lines / 12)), args.seed)
    started = time.perf_counter()
    results = compute_schedules(inputs)
    seconds = time.perf_counter() - started
    lines = sum(len(schedule) for _key, schedule in results)

    # Per-basis split: re-run each group alone so its time is its own.
    print(f"{'basis':<14}{'schedules':>11}{'lines':>11}{'seconds':>9}{'lines/s':>11}")
    for basis in BASES:
        group = [item for item in inputs if item.basis == basis]
        group_started = time.perf_counter()
        group_results = compute_schedules(group)
        group_seconds = time.perf_counter() - group_started
        group_lines = sum(len(schedule) for _key, schedule in group_results)
        print(
            f"{basis:<14}{len(group):>11}{group_lines:>11}{group_seconds:>9.2f}"
            f"{group_lines / group_seconds:>11,.0f}"
        )
    print(
        f"{'all':<14}{len(inputs):>11}{lines:>11}{seconds:>9.2f}"
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
                "python": platform.python_version(),
                "peak_rss_mb": round(
                    resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
                ),
            }
        )
    )


if __name__ == "__main__":
    main()
