"""The operator lists of the C++ runtime and the Python package against
ops/ops.json (generated from theories/Ops.v by ``certigrad-ref --ops``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import certigrad as cg
from certigrad import _core
from graphgen import ALL_OPS

OPS_JSON = Path(__file__).resolve().parent.parent / "ops" / "ops.json"


@pytest.fixture(scope="module")
def table() -> list[dict]:
    if not OPS_JSON.exists():
        pytest.skip("ops/ops.json is not generated yet (certigrad-ref --ops)")
    return json.loads(OPS_JSON.read_text())["ops"]


def test_every_op_has_a_cpp_kernel_and_a_python_function(table) -> None:
    names = [o["name"] for o in table]
    assert names, "ops.json lists no operator"
    assert sorted(names) == sorted(_core.op_names())
    for n in names:
        assert callable(getattr(cg, n)), f"certigrad.{n} is missing"
        assert n in cg.OPS
        assert n in ALL_OPS, f"tests/graphgen.py cannot generate '{n}'"


def test_arity_kind_and_attribute_agree(table) -> None:
    cpp = {o["name"]: o for o in _core.op_table()}
    for o in table:
        n = o["name"]
        assert cpp[n]["arity"] == o["arity"] == cg.OPS[n].arity, n
        assert cpp[n]["random"] == (o["kind"] == "rand") == cg.OPS[n].random, n
        assert cpp[n]["attr"] == o["has_attribute"] == cg.OPS[n].attr, n
