"""The operator table, as the harness sees it.

The table is ``all_ops`` in theories/core/Ops.v, printed by ``certigrad-ref
--ops-py`` as python/certigrad/_ops_table.py (generated, diffed by ``dune
test``). The harness loads that file by path rather than importing the
``certigrad`` package, so that the references stay independent of the
package under test (tests/test_runtime_ops.py checks that the installed
package carries the same table).

``TABLE`` maps each operator name to its row (``OpRow``: kind, arity,
has_attribute, shape_rule, domain_parent, domain_rule, domain), in table
order; ``OP_NAMES``, ``ARITY`` and ``RANDOM`` are derived from it.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

__all__ = ["REPO", "TABLE_PY", "TABLE", "OP_NAMES", "ARITY", "RANDOM"]

REPO = Path(__file__).resolve().parents[2]
TABLE_PY = REPO / "python" / "certigrad" / "_ops_table.py"


def _load_table() -> tuple[Any, ...]:
    spec = importlib.util.spec_from_file_location("_certigrad_ops_table", TABLE_PY)
    assert spec is not None and spec.loader is not None, TABLE_PY
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.TABLE


TABLE = {r.name: r for r in _load_table()}
OP_NAMES = list(TABLE)
ARITY = {n: r.arity for n, r in TABLE.items()}
RANDOM = {n for n, r in TABLE.items() if r.kind == "rand"}
