"""Hand-derived expected results for the oracle's golden tests.

Writes cases/NAME.graph and cases/NAME.expected for every case below
(`python3 hand.py` from this folder; the outputs are committed and
`dune test` runs them, see run_tests.ml).

The numbers are derived here independently of the Coq code: each case writes
out, in plain Python floats, the forward formula of its operator and the
derivative of the total cost by calculus (chain rule by hand), not by the
pullback table. Error cases give the exact error line the oracle must print.
"""
import math
import os

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cases")


def fmt(xs):
    return " ".join(repr(float(x)) for x in xs)


def write(name, graph, expected):
    with open(os.path.join(OUT, name + ".graph"), "w") as f:
        f.write(graph)
    with open(os.path.join(OUT, name + ".expected"), "w") as f:
        f.write(expected)


def result(values, costs, grads):
    """values: [(name, list)], costs: [(name, float)], grads: [(name, list)]."""
    lines = ["certigrad-result 1"]
    lines += [f"value {n} {fmt(v)}" for n, v in values]
    lines += [f"cost {n} {fmt([v])}" for n, v in costs]
    lines.append(f"total {fmt([sum(v for _, v in costs)])}")
    lines += [f"grad {n} {fmt(v)}" for n, v in grads]
    return "\n".join(lines) + "\nend\n"


def sigmoid(x):
    return 1.0 / (1.0 + math.exp(-x))


# ---------------------------------------------------------------- unary ops
# c = sum(f(x) * w), so dc/dx = w * f'(x).
UNARY = {
    # name: (attribute text, f, f', x values)
    "scale": ("2.5 ", lambda x: 2.5 * x, lambda x: 2.5, [1.0, -2.0, 0.25, 3.0, 0.0, -1.5]),
    "neg": ("", lambda x: -x, lambda x: -1.0, [1.0, -2.0, 0.25, 3.0, 0.0, -1.5]),
    "exp": ("", math.exp, math.exp, [0.0, 1.0, -2.0, 0.5, 3.0, -0.25]),
    "log": ("", math.log, lambda x: 1.0 / x, [0.5, 1.0, 2.0, 3.0, 0.125, 7.0]),
    "sqrt": ("", math.sqrt, lambda x: 0.5 / math.sqrt(x), [0.25, 1.0, 2.0, 4.0, 9.0, 0.5]),
    "sigmoid": ("", sigmoid, lambda x: math.exp(-x) / (1.0 + math.exp(-x)) ** 2,
                [-20.0, -1.0, 0.0, 0.5, 3.0, 20.0]),
    "softplus": ("", lambda x: math.log1p(math.exp(x)) if x < 30 else x + math.log1p(math.exp(-x)),
                 lambda x: math.exp(x) / (1.0 + math.exp(x)),
                 [-30.0, -1.0, 0.0, 0.5, 3.0, 40.0]),
}
W6 = [0.5, -1.0, 2.0, 0.25, -0.75, 1.5]

for op, (attr, f, df, xs) in UNARY.items():
    y = [f(x) for x in xs]
    m = [a * b for a, b in zip(y, W6)]
    c = 0.0
    for t in m:
        c += t
    graph = f"""certigrad-graph 1
# {op}: c = sum({op}(x) * w); dc/dx = w * {op}'(x)
param x : 2 3
input w : 2 3
det y : 2 3 = {op} {attr}x
det m : 2 3 = mul y w
det c : = sum m
cost c
value x {fmt(xs)}
value w {fmt(W6)}
end
"""
    write(f"op_{op}", graph, result([("y", y), ("m", m), ("c", [c])], [("c", c)],
                                    [("x", [w * df(x) for x, w in zip(xs, W6)])]))

# ---------------------------------------------------------------- binary ops
# c = sum(f(x, y) * w): dc/dx = w * df/dx, dc/dy = w * df/dy.
BINARY = {
    "add": (lambda x, y: x + y, lambda x, y: 1.0, lambda x, y: 1.0),
    "sub": (lambda x, y: x - y, lambda x, y: 1.0, lambda x, y: -1.0),
    "mul": (lambda x, y: x * y, lambda x, y: y, lambda x, y: x),
    "div": (lambda x, y: x / y, lambda x, y: 1.0 / y, lambda x, y: -x / (y * y)),
}
X3 = [1.5, -2.0, 0.5]
Y3 = [0.25, 4.0, -3.0]
W3 = [2.0, -0.5, 1.25]
for op, (f, fx, fy) in BINARY.items():
    z = [f(a, b) for a, b in zip(X3, Y3)]
    m = [a * b for a, b in zip(z, W3)]
    c = 0.0
    for t in m:
        c += t
    graph = f"""certigrad-graph 1
# {op}: c = sum({op}(x, y) * w)
param x : 3
param y : 3
input w : 3
det z : 3 = {op} x y
det m : 3 = mul z w
det c : = sum m
cost c
value x {fmt(X3)}
value y {fmt(Y3)}
value w {fmt(W3)}
end
"""
    write(f"op_{op}", graph, result([("z", z), ("m", m), ("c", [c])], [("c", c)],
                                    [("x", [w * fx(a, b) for a, b, w in zip(X3, Y3, W3)]),
                                     ("y", [w * fy(a, b) for a, b, w in zip(X3, Y3, W3)])]))

# ---------------------------------------------------------------- mul_add
Z3 = [0.5, 1.0, -1.0]
z = [a * b + d for a, b, d in zip(X3, Y3, Z3)]
m = [a * b for a, b in zip(z, W3)]
c = m[0] + m[1] + m[2]
write("op_mul_add", f"""certigrad-graph 1
# mul_add: c = sum((x*y + z) * w)
param x : 3
param y : 3
param z : 3
input w : 3
det r : 3 = mul_add x y z
det m : 3 = mul r w
det c : = sum m
cost c
value x {fmt(X3)}
value y {fmt(Y3)}
value z {fmt(Z3)}
value w {fmt(W3)}
end
""", result([("r", z), ("m", m), ("c", [c])], [("c", c)],
            [("x", [w * b for b, w in zip(Y3, W3)]), ("y", [w * a for a, w in zip(X3, W3)]),
             ("z", W3)]))

# ---------------------------------------------------------------- sum
X4 = [1.0, -2.0, 3.5, 0.25]
s = X4[0] + X4[1] + X4[2] + X4[3]
write("op_sum", f"""certigrad-graph 1
# sum: c = 3 * sum(x); dc/dx = 3
param x : 2 2
det s : = sum x
det c : = scale 3 s
cost c
value x {fmt(X4)}
end
""", result([("s", [s]), ("c", [3 * s])], [("c", 3 * s)], [("x", [3.0] * 4)]))

# ---------------------------------------------------------------- gemm
A = [[1.0, 2.0, -1.0], [0.5, -3.0, 2.0]]          # 2 x 3
B = [[2.0, -1.0], [0.0, 1.5], [1.0, 4.0]]          # 3 x 2
W = [[1.0, -2.0], [0.5, 3.0]]                      # 2 x 2
P = [[sum(A[i][k] * B[k][j] for k in range(3)) for j in range(2)] for i in range(2)]
M = [[P[i][j] * W[i][j] for j in range(2)] for i in range(2)]
c = 0.0
for row in M:
    for t in row:
        c += t
# c = sum_ij W_ij sum_k A_ik B_kj: dc/dA_ik = sum_j W_ij B_kj, dc/dB_kj = sum_i W_ij A_ik
dA = [[sum(W[i][j] * B[k][j] for j in range(2)) for k in range(3)] for i in range(2)]
dB = [[sum(W[i][j] * A[i][k] for i in range(2)) for j in range(2)] for k in range(3)]
flat = lambda mat: [t for row in mat for t in row]
write("op_gemm", f"""certigrad-graph 1
# gemm: c = sum((A B) * W), A 2x3, B 3x2
param A : 2 3
param B : 3 2
input W : 2 2
det P : 2 2 = gemm A B
det m : 2 2 = mul P W
det c : = sum m
cost c
value A {fmt(flat(A))}
value B {fmt(flat(B))}
value W {fmt(flat(W))}
end
""", result([("P", flat(P)), ("m", flat(M)), ("c", [c])], [("c", c)],
            [("A", flat(dA)), ("B", flat(dB))]))

# gemm with a vector-like matrix (1 x 3 times 3 x 1) and a row vector output
a = [2.0, -1.0, 0.5]
b = [1.0, 3.0, -2.0]
p = a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
write("op_gemm_dot", f"""certigrad-graph 1
# gemm as a dot product: c = a . b
param a : 1 3
param b : 3 1
det p : 1 1 = gemm a b
det c : = sum p
cost c
value a {fmt(a)}
value b {fmt(b)}
end
""", result([("p", [p]), ("c", [p])], [("c", p)], [("a", b), ("b", a)]))

# ---------------------------------------------------------------- mvn_kl
MU = [0.5, -1.0, 2.0]
SG = [1.0, 0.5, 2.5]
kl = 0.0
for u, s_ in zip(MU, SG):
    kl += (u * u + s_ * s_ - 1.0) / 2.0 - math.log(s_)
write("op_mvn_kl", f"""certigrad-graph 1
# mvn_kl: c = 2 * KL(N(mu, sigma^2) || N(0, 1)); dc/dmu = 2 mu, dc/dsigma = 2 (sigma - 1/sigma)
param mu : 3
param sigma : 3
det kl : = mvn_kl mu sigma
det c : = scale 2 kl
cost c
value mu {fmt(MU)}
value sigma {fmt(SG)}
end
""", result([("kl", [kl]), ("c", [2 * kl])], [("c", 2 * kl)],
            [("mu", [2 * u for u in MU]), ("sigma", [2 * (s_ - 1 / s_) for s_ in SG])]))

# ---------------------------------------------------------------- mvn_empirical_kl
# e = ln N(z; mu, diag sigma^2) - ln N(z; 0, I) written with the two log
# densities (the 2 pi terms cancel), c = 1.5 e. By calculus:
# de/dmu = (z - mu)/sigma^2, de/dsigma = -1/sigma + (z - mu)^2/sigma^3,
# de/dz = -(z - mu)/sigma^2 + z.
EMU = [0.5, -1.0, 2.0, 0.0]
ESG = [1.0, 0.5, 2.5, 0.75]
EZ = [1.5, -0.25, 2.0, -3.0]
LOG2PI = math.log(2.0 * math.pi)


def lognormal(x, m, s_):
    return -0.5 * LOG2PI - math.log(s_) - (x - m) ** 2 / (2.0 * s_ ** 2)


ekl = 0.0
for u, s_, z_ in zip(EMU, ESG, EZ):
    ekl += lognormal(z_, u, s_) - lognormal(z_, 0.0, 1.0)
write("op_mvn_empirical_kl", f"""certigrad-graph 1
# mvn_empirical_kl: c = 1.5 * (ln N(z; mu, sigma^2) - ln N(z; 0, 1)); dc/dmu = 1.5 (z-mu)/sigma^2,
# dc/dsigma = 1.5 ((z-mu)^2/sigma^3 - 1/sigma), dc/dz = 1.5 (z - (z-mu)/sigma^2)
param mu : 2 2
param sigma : 2 2
param z : 2 2
det e : = mvn_empirical_kl mu sigma z
det c : = scale 1.5 e
cost c
value mu {fmt(EMU)}
value sigma {fmt(ESG)}
value z {fmt(EZ)}
end
""", result([("e", [ekl]), ("c", [1.5 * ekl])], [("c", 1.5 * ekl)],
            [("mu", [1.5 * (z_ - u) / s_ ** 2 for u, s_, z_ in zip(EMU, ESG, EZ)]),
             ("sigma", [1.5 * (-1.0 / s_ + (z_ - u) ** 2 / s_ ** 3)
                        for u, s_, z_ in zip(EMU, ESG, EZ)]),
             ("z", [1.5 * (z_ - (z_ - u) / s_ ** 2) for u, s_, z_ in zip(EMU, ESG, EZ)])]))

# ---------------------------------------------------------------- bernoulli_neglogpdf
PP = [0.25, 0.5, 0.9, 0.1]
XX = [1.0, 0.0, 0.3, 1.0]
nll = 0.0
for p_, x_ in zip(PP, XX):
    nll += x_ * math.log(p_) + (1 - x_) * math.log(1 - p_)
nll = -nll
write("op_bernoulli_neglogpdf", f"""certigrad-graph 1
# bernoulli_neglogpdf: c = 1.5 * -sum(x ln p + (1-x) ln(1-p))
param p : 2 2
param x : 2 2
det n : = bernoulli_neglogpdf p x
det c : = scale 1.5 n
cost c
value p {fmt(PP)}
value x {fmt(XX)}
end
""", result([("n", [nll]), ("c", [1.5 * nll])], [("c", 1.5 * nll)],
            [("p", [1.5 * (-(x_ / p_) + (1 - x_) / (1 - p_)) for p_, x_ in zip(PP, XX)]),
             ("x", [1.5 * (-(math.log(p_)) + math.log(1 - p_)) for p_ in PP])]))

# ---------------------------------------------------------------- fan-out
# u = a*a (a twice in one node), v = u + a (a again), q = v / b,
# costs s1 = sum q, s2 = sum u (u shared by v and s2).
# d s1/da = (2a + 1)/b, d s2/da = 2a.
AA = [1.5, -0.5]
BB = [2.0, 4.0]
u = [t * t for t in AA]
v = [t * t + t for t in AA]
q = [vi / bi for vi, bi in zip(v, BB)]
s1 = q[0] + q[1]
s2 = u[0] + u[1]
write("fanout", f"""certigrad-graph 1
# fan-out: a parent used twice by one node, a node used by two nodes, two costs
param a : 2
input b : 2
det u : 2 = mul a a
det v : 2 = add u a
det q : 2 = div v b
det s1 : = sum q
det s2 : = sum u
cost s1
cost s2
value a {fmt(AA)}
value b {fmt(BB)}
end
""", result([("u", u), ("v", v), ("q", q), ("s1", [s1]), ("s2", [s2])],
            [("s1", s1), ("s2", s2)],
            [("a", [(2 * t + 1) / bi + 2 * t for t, bi in zip(AA, BB)])]))

# ---------------------------------------------------------------- mvn_std (reparameterization)
# e ~ N(0, I) (a draw), z = sigma * e + mu, c = sum(z * z):
# dc/dmu = 2 z, dc/dsigma = 2 z e.
MU2 = [0.5, -1.0]
SG2 = [2.0, 0.5]
E2 = [0.3, -1.2]
z = [s_ * e + u for s_, e, u in zip(SG2, E2, MU2)]
zz = [t * t for t in z]
c = zz[0] + zz[1]
write("op_mvn_std", f"""certigrad-graph 1
# mvn_std draw, reparameterized: z = sigma * e + mu, c = sum z^2
param mu : 2
param sigma : 2
rand e : 2 = mvn_std
det z : 2 = mul_add sigma e mu
det zz : 2 = mul z z
det c : = sum zz
cost c
value mu {fmt(MU2)}
value sigma {fmt(SG2)}
draw e {fmt(E2)}
end
""", result([("e", E2), ("z", z), ("zz", zz), ("c", [c])], [("c", c)],
            [("mu", [2 * t for t in z]), ("sigma", [2 * t * e for t, e in zip(z, E2)])]))

# ---------------------------------------------------------------- mvn (score function)
# z ~ N(mu, sigma^2) (a draw), costs c = sum z^2 and kl = mvn_kl(mu, sigma).
# C = c + kl. Estimator: dmu = C (z - mu)/sigma^2 + mu,
# dsigma = C ((z - mu)^2 - sigma^2)/sigma^3 + sigma - 1/sigma.
ZD = [1.0, -0.5]
zq = [t * t for t in ZD]
c = zq[0] + zq[1]
kl = 0.0
for u, s_ in zip(MU2, SG2):
    kl += (u * u + s_ * s_ - 1.0) / 2.0 - math.log(s_)
C = c + kl
write("op_mvn", f"""certigrad-graph 1
# mvn draw: score-function estimator plus the kl path
param mu : 2
param sigma : 2
rand z : 2 = mvn mu sigma
det zz : 2 = mul z z
det c : = sum zz
det kl : = mvn_kl mu sigma
cost c
cost kl
value mu {fmt(MU2)}
value sigma {fmt(SG2)}
draw z {fmt(ZD)}
end
""", result([("z", ZD), ("zz", zq), ("c", [c]), ("kl", [kl])], [("c", c), ("kl", kl)],
            [("mu", [C * (t - u) / s_ ** 2 + u for t, u, s_ in zip(ZD, MU2, SG2)]),
             ("sigma", [C * ((t - u) ** 2 - s_ ** 2) / s_ ** 3 + s_ - 1 / s_
                        for t, u, s_ in zip(ZD, MU2, SG2)])]))

# ---------------------------------------------------------------- a scalar input as a cost
write("scalar_cost", """certigrad-graph 1
# an input can be a cost; its gradient is 1; an unused param gets 0
param t :
param unused : 2
cost t
value t 4.5
value unused 1 2
end
""", result([], [("t", 4.5)], [("t", [1.0]), ("unused", [0.0, 0.0])]))

# ---------------------------------------------------------------- errors
HEAD = "certigrad-graph 1\n"
ERRORS = {
    "err_cycle": (HEAD + "input x : 2\ndet a : 2 = add x b\ndet b : 2 = neg a\ndet c : = sum b\n"
                  "cost c\nvalue x 1 2\nend\n",
                  "error: node 'a': unknown parent 'b' (parents must be defined before use)"),
    "err_undefined_parent": (HEAD + "input x : 2\ndet a : 2 = neg y\ndet c : = sum a\n"
                             "cost c\nvalue x 1 2\nend\n",
                             "error: node 'a': unknown parent 'y' (parents must be defined before use)"),
    "err_missing_parent": (HEAD + "input x : 2\ndet a : 2 = add x\ndet c : = sum a\n"
                           "cost c\nvalue x 1 2\nend\n",
                           "error: node 'a': add: expects 2 parents, got 1"),
    "err_extra_parent": (HEAD + "input x : 2\ndet a : 2 = neg x x\ndet c : = sum a\n"
                         "cost c\nvalue x 1 2\nend\n",
                         "error: node 'a': neg: expects 1 parents, got 2"),
    "err_shape_mismatch": (HEAD + "input x : 2\ninput y : 3\ndet a : 2 = add x y\ndet c : = sum a\n"
                           "cost c\nvalue x 1 2\nvalue y 1 2 3\nend\n",
                           "error: node 'a': add: parent shapes differ ([2] vs [3])"),
    "err_declared_shape": (HEAD + "input x : 2 3\ndet a : 3 2 = exp x\ndet c : = sum a\n"
                           "cost c\nvalue x 1 2 3 4 5 6\nend\n",
                           "error: node 'a': declared shape [3 2] differs from the computed shape [2 3]"),
    "err_gemm_inner": (HEAD + "input x : 3 4\nparam W : 2 3\ndet h : 2 4 = gemm x W\ndet c : = sum h\n"
                       "cost c\nvalue x 1 2 3 4 5 6 7 8 9 10 11 12\nvalue W 1 2 3 4 5 6\nend\n",
                       "error: node 'h': gemm: inner dimensions differ (4 vs 2)"),
    "err_gemm_vector": (HEAD + "input x : 3\ninput W : 2 3\ndet h : 2 = gemm W x\ndet c : = sum h\n"
                        "cost c\nvalue x 1 2 3\nvalue W 1 2 3 4 5 6\nend\n",
                        "error: node 'h': gemm: parents must be matrices (got [2 3] and [3])"),
    "err_duplicate_node": (HEAD + "input x : 2\ndet a : 2 = neg x\ndet a : 2 = exp x\ndet c : = sum a\n"
                           "cost c\nvalue x 1 2\nend\n",
                           "error: node 'a': duplicate name"),
    "err_duplicate_input": (HEAD + "input x : 2\nparam x : 2\ndet c : = sum x\n"
                            "cost c\nvalue x 1 2\nend\n",
                            "error: node 'x': duplicate name"),
    "err_node_shadows_input": (HEAD + "input x : 2\ndet x : 2 = neg x\ndet c : = sum x\n"
                               "cost c\nvalue x 1 2\nend\n",
                               "error: node 'x': duplicate name"),
    "err_cost_nonscalar": (HEAD + "input x : 2\ndet a : 2 = neg x\ncost a\nvalue x 1 2\nend\n",
                           "error: node 'a': a cost must be a scalar (shape [2])"),
    "err_cost_duplicate": (HEAD + "input x : 2\ndet c : = sum x\ncost c\ncost c\nvalue x 1 2\nend\n",
                           "error: node 'c': duplicate cost"),
    "err_cost_unknown": (HEAD + "input x : 2\ndet c : = sum x\ncost d\nvalue x 1 2\nend\n",
                         "error: node 'd': unknown cost"),
    "err_rank3": (HEAD + "input x : 2 2 2\ndet c : = sum x\ncost c\nvalue x 1 2 3 4 5 6 7 8\nend\n",
                  "error: node 'x': a shape has at most 2 dimensions, all positive"),
    "err_zero_dim": (HEAD + "input x : 0\ndet c : = sum x\ncost c\nvalue x\nend\n",
                     "error: node 'x': a shape has at most 2 dimensions, all positive"),
    "err_missing_value": (HEAD + "input x : 2\ninput y : 2\ndet a : 2 = add x y\ndet c : = sum a\n"
                          "cost c\nvalue x 1 2\nend\n",
                          "error: node 'y': missing value"),
    "err_value_count": (HEAD + "input x : 2 2\ndet c : = sum x\ncost c\nvalue x 1 2 3\nend\n",
                        "error: node 'x': value has 3 numbers, expected 4"),
    "err_missing_draw": (HEAD + "rand e : 2 = mvn_std\ndet c : = sum e\ncost c\nend\n",
                         "error: node 'e': missing draw"),
    "err_draw_count": (HEAD + "rand e : 2 = mvn_std\ndet c : = sum e\ncost c\ndraw e 1 2 3\nend\n",
                       "error: node 'e': draw has 3 numbers, expected 2"),
    "err_domain_log": (HEAD + "input x : 3\ndet l : 3 = log x\ndet c : = sum l\ncost c\n"
                       "value x 1 2 -0.5\nend\n",
                       "error: node 'l': log: entry 2 is -0.5, outside the domain (must be > 0)"),
    "err_domain_sqrt": (HEAD + "input x : 2\ndet l : 2 = sqrt x\ndet c : = sum l\ncost c\n"
                        "value x 0 2\nend\n",
                        "error: node 'l': sqrt: entry 0 is 0, outside the domain (must be > 0)"),
    "err_domain_div": (HEAD + "input x : 2\ninput y : 2\ndet q : 2 = div x y\ndet c : = sum q\n"
                       "cost c\nvalue x 1 2\nvalue y 3 0\nend\n",
                       "error: node 'q': div: entry 1 of 'y' is 0, outside the domain (must be != 0)"),
    "err_domain_bernoulli": (HEAD + "input p : 2\ninput x : 2\ndet n : = bernoulli_neglogpdf p x\n"
                             "cost n\nvalue p 0.5 1\nvalue x 1 0\nend\n",
                             "error: node 'n': bernoulli_neglogpdf: entry 1 of 'p' is 1, "
                             "outside the domain (must be in (0, 1))"),
    "err_domain_mvn_kl": (HEAD + "input m : 2\ninput s : 2\ndet k : = mvn_kl m s\n"
                          "cost k\nvalue m 0.5 1\nvalue s 1 -2\nend\n",
                          "error: node 'k': mvn_kl: entry 1 of 's' is -2, outside the domain (must be > 0)"),
    "err_domain_mvn_empirical_kl": (HEAD + "input m : 3\ninput s : 3\ninput z : 3\n"
                                    "det k : = mvn_empirical_kl m s z\n"
                                    "cost k\nvalue m 0.5 1 0\nvalue s 1 2 0\nvalue z 0 1 2\nend\n",
                                    "error: node 'k': mvn_empirical_kl: entry 2 of 's' is 0, "
                                    "outside the domain (must be > 0)"),
    "err_domain_mvn": (HEAD + "input m : 2\ninput s : 2\nrand z : 2 = mvn m s\ndet c : = sum z\n"
                       "cost c\nvalue m 0.5 1\nvalue s 0 1\ndraw z 1 2\nend\n",
                       "error: node 'z': mvn: entry 0 of 's' is 0, outside the domain (must be > 0)"),
    "err_domain_computed": (HEAD + "input x : 2\ndet n : 2 = neg x\ndet l : 2 = log n\n"
                            "det c : = sum l\ncost c\nvalue x -1 0.25\nend\n",
                            "error: node 'l': log: entry 1 is -0.25, outside the domain (must be > 0)"),
    "err_unknown_op": (HEAD + "input x : 2\ndet h : 2 = gemmm x x\nend\n",
                       "error: line 3: unknown operator 'gemmm'"),
    "err_det_random_op": (HEAD + "input x : 2\ndet h : 2 = mvn x x\nend\n",
                          "error: line 3: 'mvn' is a random operator (use 'rand')"),
    "err_rand_det_op": (HEAD + "input x : 2\nrand h : 2 = exp x\nend\n",
                        "error: line 3: 'exp' is a deterministic operator (use 'det')"),
    "err_scale_no_attr": (HEAD + "input x : 2\ndet h : 2 = scale\nend\n",
                          "error: line 3: scale: expects a number attribute"),
    "err_scale_bad_attr": (HEAD + "input x : 2\ndet h : 2 = scale x\nend\n",
                           "error: line 3: bad number 'x' (decimal numbers only; nan and inf are rejected)"),
    "err_nan": (HEAD + "input x : 2\ndet c : = sum x\ncost c\nvalue x 1 nan\nend\n",
                "error: line 5: bad number 'nan' (decimal numbers only; nan and inf are rejected)"),
    "err_inf": (HEAD + "input x : 2\ndet c : = sum x\ncost c\nvalue x inf 1\nend\n",
                "error: line 5: bad number 'inf' (decimal numbers only; nan and inf are rejected)"),
    "err_overflow": (HEAD + "input x : 2\ndet c : = sum x\ncost c\nvalue x 1e400 1\nend\n",
                     "error: line 5: number '1e400' is not finite"),
    "err_bad_header": ("certigrad-graph 2\nend\n",
                       "error: line 1: expected the header 'certigrad-graph 1'"),
    "err_empty": ("# nothing\n\n", "error: line 1: empty input, expected the header 'certigrad-graph 1'"),
    "err_missing_end": (HEAD + "input x : 2\ndet c : = sum x\ncost c\nvalue x 1 2\n",
                        "error: line 7: missing 'end'"),
    "err_after_end": (HEAD + "input x : 2\ndet c : = sum x\ncost c\nvalue x 1 2\nend\ncost c\n",
                      "error: line 7: text after 'end'"),
    "err_order": (HEAD + "input x : 2\ndet c : = sum x\ninput y : 2\nend\n",
                  "error: line 4: 'input' line out of order (order: input/param, det/rand, cost, value, draw, end)"),
    "err_unknown_kind": (HEAD + "inptu x : 2\nend\n", "error: line 2: unknown line kind 'inptu'"),
    "err_bad_name": (HEAD + "input 2x : 2\nend\n", "error: line 2: bad name '2x'"),
    "err_bad_dim": (HEAD + "input x : 2.5\nend\n",
                    "error: line 2: bad dimension '2.5' (a positive integer)"),
    "err_no_colon": (HEAD + "input x 2\nend\n", "error: line 2: expected 'NAME : dims'"),
    "err_value_not_input": (HEAD + "input x : 2\ndet c : = sum x\ncost c\nvalue c 1\nend\n",
                            "error: line 5: 'c' is not an input"),
    "err_duplicate_value": (HEAD + "input x : 2\ndet c : = sum x\ncost c\nvalue x 1 2\nvalue x 1 2\nend\n",
                            "error: line 6: duplicate value for 'x'"),
    "err_draw_not_rand": (HEAD + "input x : 2\ndet c : = sum x\ncost c\nvalue x 1 2\ndraw x 1 2\nend\n",
                          "error: line 6: 'x' is not a random node"),
}
for name, (graph, line) in ERRORS.items():
    write(name, graph, line + "\n")

if __name__ == "__main__":
    n = len(os.listdir(OUT))
    print(f"wrote {n} files in {OUT}")
