"""Declared test dependencies (pyproject.toml, the ``test`` extra).

:func:`require` imports one. Where it is missing the test is skipped, with
the reason, on a developer's machine, and fails in CI (the environment
variable ``CI`` is ``true`` there): a CI run must not pass by skipping what
it was meant to check.
"""

from __future__ import annotations

import importlib
import os
from types import ModuleType

import pytest

__all__ = ["require", "in_ci"]


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def require(module: str) -> ModuleType:
    """The imported ``module``; when it cannot be imported, a skip of the
    calling test (a failure when ``CI=true``) whose reason names it and the
    install command. Call it from a test or a fixture (not at a module's
    top level, where a failure would stop the collection of the whole
    suite)."""
    try:
        return importlib.import_module(module)
    except ImportError as e:
        error = e
    reason = (f"{module} is a declared test dependency (pyproject.toml, the [test] extra; "
              f"python3 -m pip install '.[test]') and cannot be imported: {error}")
    if in_ci():
        pytest.fail(f"{reason} [CI=true: a missing test dependency fails]", pytrace=False)
    pytest.skip(f"{reason} [a failure when CI=true]")
