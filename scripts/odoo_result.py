#!/usr/bin/env python3
"""Test counts of an Odoo test log, from Odoo's own result line::

    odoo.tests.result: 0 failed, 0 error(s) of 31 tests when loading database 'x'

Usage: odoo_result.py LOGFILE [--expect-tests]

Prints ``P F S`` (passed, failed, skipped) on one line. F counts failed
tests and test errors, plus 1 when the result line is missing (Odoo stopped
before the end of the tests) or, with --expect-tests, when no test ran.
Skipped tests are counted from Odoo's "skipped" INFO lines of test loggers.
The log lines at WARNING or above are checked by checklog-odoo, not here.
"""

import argparse
import re
import sys

RECORD = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ (?P<level>[A-Z?]+) \S+ "
    r"(?P<logger>[^:\s]+): (?P<msg>.*)$"
)
RESULT = re.compile(
    r"(?P<failed>\d+) failed, (?P<errors>\d+) error\(s\) of (?P<run>\d+) tests "
    r"when loading database"
)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("logfile")
    parser.add_argument("--expect-tests", action="store_true")
    args = parser.parse_args(argv)
    result = None
    skipped = 0
    with open(args.logfile, encoding="utf-8", errors="replace") as log:
        for line in log:
            record = RECORD.match(line.rstrip("\n"))
            if not record:
                continue
            if record["logger"] == "odoo.tests.result":
                result = RESULT.search(record["msg"]) or result
            elif (
                record["level"] == "INFO"
                and record["msg"].startswith("skipped ")
                and ".tests." in record["logger"]
            ):
                skipped += 1
    if result is None:
        print(
            "odoo_result: no 'N failed, N error(s) of N tests' line in the log: "
            "Odoo stopped before the end of the tests",
            file=sys.stderr,
        )
        print(f"0 1 {skipped}")
        return 1
    run = int(result["run"])
    failed = int(result["failed"]) + int(result["errors"])
    passed = max(run - failed - skipped, 0)
    if args.expect_tests and not run:
        print(
            "odoo_result: no Odoo test ran although tests/__init__.py imports "
            "test modules: check the test tags and the imports",
            file=sys.stderr,
        )
        failed += 1
    print(f"{passed} {failed} {skipped}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
