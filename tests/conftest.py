"""Shared fixtures and helpers for the runtime tests."""

from __future__ import annotations

import os
import sys

import numpy as np
import pytest

sys.path.insert(0, os.path.dirname(__file__))  # the package tests/harness/ importable


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(1234)
