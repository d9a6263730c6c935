"""Modules of ``bench_create_journal.py``.

- :mod:`rr_bench.setup`: database, addons path, the OCA peer, seeding;
- :mod:`rr_bench.phases`: the timed phases, each run in its own process;
- :mod:`rr_bench.report`: the table and the JSON line.
"""
