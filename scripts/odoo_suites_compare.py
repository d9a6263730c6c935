#!/usr/bin/env python3
"""Compare two Odoo test logs: the baseline (without the add-on) and with it.

Usage: odoo_suites_compare.py BASELINE_LOG WITH_LOG

Prints the counts of each run and the tests that fail only with the add-on;
exits 1 when there are some, or when a run has no result line (it stopped
before the end) or ran no test.
"""

import re
import sys

RESULT = re.compile(
    r"odoo\.tests\.result: (?P<failed>\d+) failed, (?P<errors>\d+) error\(s\) of "
    r"(?P<run>\d+) tests"
)
# "ERROR db odoo.addons.account.tests.test_x: FAIL: TestX.test_y" (or ERROR:)
FAILURE = re.compile(
    r" (?:ERROR|CRITICAL) \S+ (?P<logger>odoo\.addons\.[\w.]+): "
    r"(?:FAIL|ERROR): (?P<test>[\w.]+)"
)


def read(path):
    result, failures = None, set()
    with open(path, encoding="utf-8", errors="replace") as log:
        for line in log:
            match = RESULT.search(line)
            if match:
                result = match
                continue
            match = FAILURE.search(line)
            if match:
                module = match["logger"].split(".")[2]
                failures.add(f"{module}: {match['test']}")
    return result, failures


def main(argv):
    baseline_log, with_log = argv
    status = 0
    runs = {}
    for name, path in (
        ("baseline", baseline_log),
        ("with revenue_recognition", with_log),
    ):
        result, failures = read(path)
        runs[name] = failures
        if result is None or not int(result["run"]):
            print(f"{name}: no test result in {path} (the run stopped or ran nothing)")
            status = 1
            continue
        failed = int(result["failed"]) + int(result["errors"])
        print(f"{name}: {result['run']} tests, {failed} failed")
    only_with = sorted(runs["with revenue_recognition"] - runs["baseline"])
    both = sorted(runs["with revenue_recognition"] & runs["baseline"])
    print("failing only with the add-on: " + (", ".join(only_with) or "none"))
    if both:
        print("failing in both (not the add-on's): " + ", ".join(both))
    return 1 if only_with else status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
