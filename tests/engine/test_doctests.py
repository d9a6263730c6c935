"""The engine's docstring examples run with the engine tests.

Every example (``>>>``) in the docstrings of ``engine/`` is one test here, so
that the examples the code shows stay true. (``pytest --doctest-modules``
cannot import ``engine`` from the repository root, which is an Odoo add-on
package: the examples are collected with :mod:`doctest` instead.)
"""

import doctest
import importlib
import io
import pkgutil

import pytest

import engine

MODULES = [
    "engine",
    *(f"engine.{info.name}" for info in pkgutil.iter_modules(engine.__path__)),
]


def _doctests():
    finder = doctest.DocTestFinder()
    for name in MODULES:
        for test in finder.find(importlib.import_module(name)):
            if test.examples:
                yield test


DOCTESTS = sorted(_doctests(), key=lambda test: test.name)


def test_engine_has_doctests():
    assert len(DOCTESTS) >= 4


@pytest.mark.parametrize("test", DOCTESTS, ids=[test.name for test in DOCTESTS])
def test_doctest(test):
    report = io.StringIO()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test, out=report.write)
    assert not runner.failures, report.getvalue()
