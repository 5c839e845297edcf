"""The ``>>>`` examples of the package's docstrings run with the unit tests.

Found by reading the sources, so a new example runs without being listed here;
only the modules that have examples are imported (none needs Docker or a hub).
"""

import doctest
import importlib
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "mydocker_hub"


def modules_with_examples():
    return sorted(
        ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        for path in PACKAGE.rglob("*.py")
        if ">>>" in path.read_text()
    )


MODULES = modules_with_examples()


def test_the_examples_are_found():
    assert "mydocker_hub.auth.usernames" in MODULES


@pytest.mark.parametrize("name", MODULES)
def test_the_examples_of_a_module_give_what_they_show(name):
    """Every example runs (none hidden where doctest does not look) and gives its output."""
    module = importlib.import_module(name)
    report = []
    runner = doctest.DocTestRunner()
    for test in doctest.DocTestFinder().find(module):
        runner.run(test, out=report.append)
    results = runner.summarize(verbose=False)
    assert results.attempted > 0, f"{name} has '>>>' that doctest does not find"
    assert results.failed == 0, "".join(report)
