"""The documented generator (cpp/rng.hpp): a pure-Python transcription gives
the same bits as the C++ one; same seed, same draws; the draw order of
Runtime.run."""

from __future__ import annotations

import math

import numpy as np
import pytest

import certigrad as cg
from certigrad import _core

M64 = (1 << 64) - 1


def splitmix64(state: int) -> tuple[int, int]:
    state = (state + 0x9E3779B97F4A7C15) & M64
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    return state, z ^ (z >> 31)


def rotl(x: int, k: int) -> int:
    return ((x << k) | (x >> (64 - k))) & M64


def det_log(x: float) -> float:
    m, e = math.frexp(x)
    if m < 0.70710678118654752440:
        m *= 2.0
        e -= 1
    s = (m - 1.0) / (m + 1.0)
    s2 = s * s
    term = total = s
    for k in range(3, 36, 2):
        term *= s2
        total += term / k
    return e * 6.93147180369123816490e-01 + (2.0 * total + e * 1.90821492927058770002e-10)


def normals(seed: int, n: int) -> list[float]:
    st, s = seed, []
    for _ in range(4):
        st, w = splitmix64(st)
        s.append(w)

    def nxt() -> int:
        result = (rotl((s[1] * 5) & M64, 7) * 9) & M64
        t = (s[1] << 17) & M64
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
        return result

    out: list[float] = []
    while len(out) < n:
        while True:
            a = 2.0 * ((nxt() >> 11) * 2.0**-53) - 1.0
            b = 2.0 * ((nxt() >> 11) * 2.0**-53) - 1.0
            q = a * a + b * b
            if 0.0 < q < 1.0:
                break
        f = math.sqrt(-2.0 * det_log(q) / q)
        out += [a * f, b * f]
    return out[:n]


@pytest.mark.parametrize("seed", [0, 1, 42, 2**64 - 1])
def test_cpp_generator_matches_the_documented_algorithm(seed: int) -> None:
    np.testing.assert_array_equal(_core.normals(seed, 501), normals(seed, 501))


def test_golden_values() -> None:
    assert [float.hex(v) for v in _core.normals(0, 4)] == [
        "0x1.323a82a4bc9e5p-1", "0x1.76a54f2c0effap+0", "-0x1.ca445408b789ap-1",
        "-0x1.81270d2ddbad5p-3"]


def test_det_log_is_accurate() -> None:
    xs = np.random.default_rng(0).uniform(1e-300, 1.0, 2000)
    for x in list(xs) + [2.0, 0.5, 1e-300, 0.999999]:
        assert _core.det_log(x) == pytest.approx(math.log(x), rel=1e-15, abs=1e-300)
        assert _core.det_log(x) == det_log(x)


def test_moments() -> None:
    x = _core.normals(7, 200_000)
    assert abs(x.mean()) < 0.01
    assert abs(x.var() - 1) < 0.01


def graph() -> cg.Graph:
    g = cg.Graph()
    mu = g.input("mu", (2, 3))
    s = g.input("s", (2, 3))
    g.sample("e", cg.mvn_std((2, 2)))
    z = g.sample("z", cg.mvn(mu, s))
    g.cost(g.det("c", cg.sum(z)))
    return g


FEEDS = {"mu": np.arange(6.0).reshape(2, 3), "s": np.full((2, 3), 0.5)}


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_same_seed_same_draws(dtype: str) -> None:
    f = {k: v.astype(dtype) for k, v in FEEDS.items()}
    rt = cg.Runtime(graph(), dtype=dtype)
    a = rt.run(f, seed=5, values=True)
    rt.run(f, seed=6)
    b = cg.Runtime(graph(), dtype=dtype).run(f, seed=5, values=True)
    c = rt.run(f, seed=5, values=True)
    for r in (b, c):
        np.testing.assert_array_equal(r.values["e"], a.values["e"])
        np.testing.assert_array_equal(r.values["z"], a.values["z"])
        assert r.total == a.total
    d = rt.run(f, seed=6, values=True)
    assert not np.array_equal(d.values["e"], a.values["e"])


def test_draw_order_is_graph_order_row_major() -> None:
    n = normals(9, 10)
    res = cg.Runtime(graph()).run(FEEDS, seed=9, values=True)
    np.testing.assert_array_equal(res.values["e"], np.reshape(n[:4], (2, 2)))
    np.testing.assert_array_equal(res.values["z"], FEEDS["mu"] + 0.5 * np.reshape(n[4:], (2, 3)))


def test_without_seed_the_stream_continues() -> None:
    rt = cg.Runtime(graph())
    first = rt.run(FEEDS, values=True).values["e"]
    second = rt.run(FEEDS, values=True).values["e"]
    assert not np.array_equal(first, second)
    np.testing.assert_array_equal(first, np.reshape(normals(0, 4), (2, 2)))
