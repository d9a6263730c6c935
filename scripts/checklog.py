#!/usr/bin/env python3
"""Read an Odoo test log: test counts, plus every WARNING/ERROR/CRITICAL line.

Like OCA's ``checklog-odoo``: a log line at WARNING or above during install
and tests is a failure, unless it matches IGNORE below. Test failures and
errors themselves are counted from Odoo's result line::

    odoo.tests.result: 0 failed, 0 error(s) of 31 tests when loading database 'x'

and their own ERROR lines ("FAIL: ...", "ERROR: ...") are not counted twice.
A log without that line (Odoo crashed, or was killed) is a failure.

Usage: checklog.py LOGFILE [--summary-file FILE] [--expect-tests]

Prints the problems, then ``odoo: P passed, F failed[, S skipped]`` (or
writes ``P F S`` to the summary file). F counts
failed tests, test errors, unexpected log lines and a missing result line.
Exit status 0 when F is 0, else 1.
"""

import argparse
import re
import sys

# (pattern searched in "LEVEL logger: message", why it is harmless).
# Keep it short: each entry must be a warning that a fresh database with only
# Odoo's own modules already logs, never one of ours.
IGNORE = [
    (
        r"^WARNING odoo\.tests\.result: 0 failed, 0 error\(s\) of 0 tests ",
        "Odoo warns when a run has no test; the summary reports 0 tests anyway",
    ),
]

RECORD = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ "
    r"(?P<level>DEBUG|INFO|WARNING|ERROR|CRITICAL|\?) (?P<db>\S+) "
    r"(?P<logger>[^:\s]+): (?P<msg>.*)$"
)
RESULT = re.compile(
    r"(?P<failed>\d+) failed, (?P<errors>\d+) error\(s\) of (?P<run>\d+) tests "
    r"when loading database"
)
BAD_LEVELS = {"WARNING", "ERROR", "CRITICAL"}
# ERROR lines that report a failed test: already counted by the result line.
TEST_REPORT = re.compile(r"^(FAIL|ERROR): ")
TEST_REPORT_MESSAGES = {
    "odoo.modules.loading": re.compile(
        r"^At least one test failed when loading the modules\.$"
    ),
}


def records(lines):
    """Yield (level, logger, message, continuation lines) for each log record."""
    current = None
    for line in lines:
        line = line.rstrip("\n")
        match = RECORD.match(line)
        if match:
            if current:
                yield current
            current = (match["level"], match["logger"], match["msg"], [])
        elif current:
            current[3].append(line)
    if current:
        yield current


def check(lines):
    result = None
    skipped = 0
    problems = []
    for level, logger, msg, extra in records(lines):
        if logger == "odoo.tests.result":
            found = RESULT.search(msg)
            if found:
                result = found
                # at ERROR when tests failed (counted from the numbers), at
                # WARNING when no test ran (see IGNORE)
                if int(found["failed"]) + int(found["errors"]):
                    continue
        if level == "INFO" and msg.startswith("skipped ") and ".tests." in logger:
            skipped += 1
        if level not in BAD_LEVELS:
            continue
        if TEST_REPORT.match(msg) and ".tests" in logger:
            continue
        report = TEST_REPORT_MESSAGES.get(logger)
        if report and report.match(msg):
            continue
        text = f"{level} {logger}: {msg}"
        if any(re.search(pattern, text) for pattern, _why in IGNORE):
            continue
        problems.append((level, logger, msg, extra))
    return result, skipped, problems


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("logfile")
    parser.add_argument(
        "--summary-file",
        help="write 'passed failed skipped' there instead of printing the summary",
    )
    parser.add_argument(
        "--expect-tests",
        action="store_true",
        help="fail when no test ran (the add-on has Odoo tests)",
    )
    args = parser.parse_args(argv)
    with open(args.logfile, encoding="utf-8", errors="replace") as log:
        result, skipped, problems = check(log)

    out = sys.stdout
    failed = len(problems)
    if problems:
        out.write(
            f"checklog: {len(problems)} unexpected log line(s) at WARNING or above "
            "(fix them, or add a documented pattern to IGNORE in "
            "scripts/checklog.py if Odoo itself logs them):\n"
        )
        for level, logger, msg, extra in problems:
            out.write(f"  {level} {logger}: {msg}\n")
            for line in extra[:30]:
                out.write(f"    {line}\n")
    if result is None:
        out.write(
            "checklog: no 'N failed, N error(s) of N tests' line in the log: "
            "Odoo stopped before the end of the tests\n"
        )
        run = 0
        failed += 1
        tests_failed = 0
    else:
        run = int(result["run"])
        tests_failed = int(result["failed"]) + int(result["errors"])
        failed += tests_failed
        if args.expect_tests and not run:
            out.write(
                "checklog: no Odoo test ran although tests/__init__.py imports "
                "test modules: check the test tags and the imports\n"
            )
            failed += 1
    passed = max(run - tests_failed - skipped, 0)
    summary = f"odoo: {passed} passed, {failed} failed"
    if skipped:
        summary += f", {skipped} skipped"
    if args.summary_file:
        with open(args.summary_file, "w", encoding="utf-8") as f:
            f.write(f"{passed} {failed} {skipped}\n")
    else:
        out.write(summary + "\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
