// One kernel struct per operator of cpp/ops_table.hpp (generated from
// theories/core/Ops.v), named after its Coq constructor, with its forward and
// backward rules side by side:
//   K::fwd(a)           the node's value into a.out (the runtime has checked
//                       the operator's domain, from the table, before);
//   K::bwd(a, i, d, as) the pullback to parent position i, added (or, for the
//                       first contribution of a sweep, assigned) into d.
// For a random operator, fwd(a, rng, draw) writes the sample (the explicit
// draw when given) and bwd the score-function term C * d log p / d parent i.
// runtime.hpp dispatches every entry of the table through CERTIGRAD_DET_OPS /
// CERTIGRAD_RAND_OPS, so an operator without its struct does not compile.
// Elementwise kernels use Eigen's packet math (SIMD on the build machine),
// gemm uses gemm.hpp; both split work over a.threads (Runtime::threads, the
// only route by which the thread count reaches a kernel).
//
// Numerical choices (each the same real function as docs/semantics.md):
//   softplus x        = max(x,0) + log1p(exp(-|x|)), log1p on [0,1] by log1p_unit
//   sigmoid x         = 1/(1+e) if x >= 0 else e/(1+e), with e = exp(-|x|)
//   ln(1-p)           = log1p(-p)
//   bernoulli_neglogpdf(p, x) when p is the value of a `sigmoid` node with
//   input z ("logit form"): ln p = -softplus(-z), ln(1-p) = -softplus(z), so
//     value           = sum max(z,0) - x*z + log1p(exp(-|z|))
//     pullback to x   = g * (ln(1-p) - ln p) = -g*z
//   and when p feeds only that cost the runtime fuses the pullback through
//   the sigmoid: adj[z] += g*((1-x)/(1-p) - x/p) * p*(1-p) = g*(p - x).
//   This never divides by 1-p or p, so p rounding to 0 or 1 in floating
//   point (|z| > ~17 in float32) gives no NaN.
#pragma once
#include <Eigen/Dense>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>

#include "errors.hpp"
#include "gemm.hpp"
#include "graph.hpp"
#include "ops.hpp"
#include "rng.hpp"

namespace certigrad {

template <class T>
std::string fmt_val(T v) {  // shortest decimal that round-trips in T
  if (v != v) return "nan";
  if (v == std::numeric_limits<T>::infinity()) return "inf";
  if (v == -std::numeric_limits<T>::infinity()) return "-inf";
  char buf[48];
  for (int prec = 1; prec <= 17; ++prec) {
    std::snprintf(buf, sizeof buf, "%.*g", prec, static_cast<double>(v));
    if (static_cast<T>(std::strtod(buf, nullptr)) == v) break;
  }
  return buf;
}

template <class T>
struct Args {
  const std::string* node = nullptr;  // for error messages
  const T* p[kMaxArity] = {};   // parent values
  int64_t n = 0;  // size of the output (elementwise ops) / of the parents (reductions)
  int64_t m = 0, k = 0, c = 0;  // gemm: A is m x k, B is k x c
  T* out = nullptr;             // node value (written by forward, read by backward)
  const T* g = nullptr;         // node adjoint (backward)
  double attr = 0.0;
  T total = 0;                  // C, the sum of the costs (mvn score term)
  const T* logit = nullptr;     // bernoulli_neglogpdf: z when p = sigmoid(z)
  int threads = 1;              // threads for every kernel (Runtime::threads)
  bool sparse1 = false;         // gemm: p[1] is a fed input with many exact zeros
};

namespace pk {
using namespace Eigen::internal;
template <class T>
using P = typename packet_traits<T>::type;
template <class T>
constexpr int W = unpacket_traits<P<T>>::size;

template <class T>
inline P<T> load(const T* p, int64_t i, int64_t n) {
  if (n - i >= W<T>) return ploadu<P<T>>(p + i);
  alignas(64) T buf[W<T>];
  for (int j = 0; j < W<T>; ++j) buf[j] = i + j < n ? p[i + j] : T(1);
  return ploadu<P<T>>(buf);
}
template <class T>
inline void store(T* p, int64_t i, int64_t n, const P<T>& v, bool assign) {
  if (n - i >= W<T>) {
    pstoreu(p + i, assign ? v : padd(ploadu<P<T>>(p + i), v));
    return;
  }
  alignas(64) T buf[W<T>];
  pstoreu(buf, v);
  for (int j = 0; i + j < n; ++j) p[i + j] = assign ? buf[j] : p[i + j] + buf[j];
}
// Arrays of at least kParMin entries are split into min(threads, kMaxThreads)
// contiguous chunks whose bounds are multiples of the packet size.
constexpr int64_t kParMin = 1 << 15;
constexpr int kMaxThreads = 64;

template <class T, class Body>
inline void chunks(int64_t n, int threads, Body body) {
  const int t = std::min(threads, kMaxThreads);
  if (t <= 1 || n < kParMin) {
    body(0, n, 0);
    return;
  }
#pragma omp parallel num_threads(t)
  {
#if defined(_OPENMP)
    const int id = omp_get_thread_num(), nt = omp_get_num_threads();
#else
    const int id = 0, nt = 1;
#endif
    const int64_t chunk = ((n + nt - 1) / nt + W<T> - 1) / W<T> * W<T>;
    const int64_t lo = std::min(n, id * chunk), hi = std::min(n, lo + chunk);
    if (lo < hi) body(lo, hi, id);
  }
}

// out (=|+=) f(in...) over the a.n entries, on a.threads.
template <class T, class F, class... In>
inline void ew(const Args<T>& a, T* out, bool assign, F f, const In*... in) {
  const int64_t n = a.n;
  chunks<T>(n, a.threads, [&](int64_t lo, int64_t hi, int) {
    for (int64_t i = lo; i < hi; i += W<T>) store(out, i, n, f(load(in, i, n)...), assign);
  });
}
// sum over entries of f(in...) (per-thread partial sums, added in order).
template <class T, class F, class... In>
inline T reduce_range(int64_t lo, int64_t hi, F f, const In*... in) {
  P<T> acc = pset1<P<T>>(T(0));
  int64_t i = lo;
  for (; i + W<T> <= hi; i += W<T>) acc = padd(acc, f(ploadu<P<T>>(in + i)...));
  T s = predux(acc);
  if (i < hi) {
    alignas(64) T buf[W<T>];
    pstoreu(buf, f(load(in, i, hi)...));
    for (int j = 0; i + j < hi; ++j) s += buf[j];
  }
  return s;
}
// The same over the a.n entries, on a.threads.
template <class T, class F, class... In>
inline T reduce(const Args<T>& a, F f, const In*... in) {
  T part[kMaxThreads] = {};
  chunks<T>(a.n, a.threads,
            [&](int64_t lo, int64_t hi, int id) { part[id] = reduce_range<T>(lo, hi, f, in...); });
  T s = 0;
  for (int i = 0; i < std::min(a.threads, kMaxThreads); ++i) s += part[i];
  return s;
}
template <class T>
inline P<T> c(T v) { return pset1<P<T>>(v); }
// The lanes of r where `bad` is set replaced by f(x) in scalar arithmetic.
template <class T, class F>
inline P<T> fix_lanes(const P<T>& x, P<T> r, const P<T>& bad, F f) {
  if (!predux_any(bad)) return r;
  alignas(64) T xs[W<T>], rs[W<T>], bs[W<T>];
  pstoreu(xs, x);
  pstoreu(rs, r);
  pstoreu(bs, bad);
  for (int j = 0; j < W<T>; ++j) {
    T b;
    std::memcpy(&b, &bs[j], sizeof b);
    if (b != T(0)) rs[j] = f(xs[j]);
  }
  return ploadu<P<T>>(rs);
}
// exp and ln as libm's (the oracle's, extraction/core/Extract.v) over the
// whole float range. Eigen's pexp clamps its argument to about +-709.78
// (+-88.72 in float32), so that exp(-745) came out as 5.6e-309 instead of
// 4.9e-324 and exp(-800) instead of 0; its plog raises a subnormal argument
// to the smallest normal number (ln 4.9e-324 came out as -708.4, not -744.4).
// Those lanes (|x| beyond the clamp's safe range, x below the smallest
// normal) are computed by std::exp / std::log; every other lane is Eigen's.
template <class T>
inline P<T> exp(const P<T>& x) {
  const T lim = sizeof(T) == 4 ? T(87) : T(708);
  return fix_lanes<T>(x, pexp(x), pcmp_lt(c<T>(lim), pabs(x)),
                      [](T v) { return std::exp(v); });
}
template <class T>
inline P<T> log(const P<T>& x) {
  return fix_lanes<T>(x, plog(x), pcmp_lt(x, c<T>(std::numeric_limits<T>::min())),
                      [](T v) { return std::log(v); });
}
template <class T>
inline P<T> log1p(const P<T>& x) { return generic_plog1p(x); }
template <class T>
inline P<T> sigmoid(const P<T>& x) {
  P<T> e = pk::exp<T>(pnegate(pabs(x)));
  P<T> r = pdiv(c<T>(1), padd(c<T>(1), e));
  return pselect(pcmp_le(c<T>(0), x), r, pmul(e, r));
}
// ln(1+e) for e in [0, 1]: 2 atanh(s) = 2 (s + s^3/3 + s^5/5 + ...) with
// s = e/(2+e) in [0, 1/3]; the series is cut where (1/9)^n/(2n+1) is below
// the dtype's epsilon (7 terms in float32, 16 in float64). 2s is computed
// as 2e/(2+e), not 2 (e/(2+e)): the same bits for normal e, and exactly e
// (not e rounded to half a subnormal, doubled) for subnormal e.
template <class T>
inline P<T> log1p_unit(const P<T>& e) {
  constexpr int N = sizeof(T) == 4 ? 7 : 16;
  const P<T> t = pdiv(pmul(c<T>(2), e), padd(c<T>(2), e));  // 2s
  const P<T> s2 = pmul(pmul(t, t), c<T>(T(0.25)));
  P<T> q = c<T>(T(1) / T(2 * N + 1));
  for (int k = N - 1; k >= 0; --k) q = pmadd(q, s2, c<T>(T(1) / T(2 * k + 1)));
  return pmul(t, q);
}
template <class T>
inline P<T> softplus(const P<T>& x) {
  return padd(pmax(x, c<T>(0)), log1p_unit<T>(pk::exp<T>(pnegate(pabs(x)))));
}
}  // namespace pk

// Domain check of `op` from the table (ops_table.hpp: the restricted parent,
// its rule and the message texts): throws DomainError naming node, entry and
// value of the first entry outside the domain. The parent is named in the
// message when the operator has several. The runtime checks every node
// before its fwd (except bernoulli_neglogpdf in logit form, which needs no p).
template <class T, class Ok>
void check_entries(const Args<T>& a, const OpInfo& o, Ok ok) {
  const T* x = a.p[o.dom_parent];
  const int64_t n = a.n;
  bool good = true;
  for (int64_t i = 0; i < n; ++i) good &= ok(x[i]);
  if (good) return;
  for (int64_t i = 0; i < n; ++i)
    if (!ok(x[i]))
      throw DomainError("node '" + *a.node + "': " + o.name + ": entry " + std::to_string(i) +
                        (o.arity > 1 ? std::string(" of ") + o.dom_label : std::string()) +
                        " is " + fmt_val(x[i]) + ", outside the domain (must be " + o.dom_must +
                        ")");
}

#pragma GCC diagnostic push
#pragma GCC diagnostic error "-Wswitch"
template <class T>
void check_domain(const Args<T>& a, Op op) {
  const OpInfo& o = op_info(op);
  switch (o.dom_rule) {  // theories/core/Ops.v, dom_ok
    case DomRule::none:
      return;
    case DomRule::pos:
      return check_entries(a, o, [](T x) { return x > 0; });
    case DomRule::nonzero:
      return check_entries(a, o, [](T x) { return x != 0; });
    case DomRule::unit:
      return check_entries(a, o, [](T x) { return x > 0 && x < 1; });
  }
}
#pragma GCC diagnostic pop

template <class T>
using RowMat = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
template <class T>
using MapM = Eigen::Map<RowMat<T>>;
template <class T>
using MapCM = Eigen::Map<const RowMat<T>>;

namespace kernels {
using namespace pk;

// ------------------------------------------------------------------------
// Elementwise operators of one parent

struct Scale {
  template <class T> static void fwd(const Args<T>& a) {
    const T s = static_cast<T>(a.attr);
    ew<T>(a, a.out, true, [&](P<T> x) { return pmul(c<T>(s), x); }, a.p[0]);
  }
  template <class T> static void bwd(const Args<T>& a, int, T* d, bool as) {
    const T s = static_cast<T>(a.attr);
    ew<T>(a, d, as, [&](P<T> g) { return pmul(c<T>(s), g); }, a.g);
  }
};

struct Neg {
  template <class T> static void fwd(const Args<T>& a) {
    ew<T>(a, a.out, true, [](P<T> x) { return pnegate(x); }, a.p[0]);
  }
  template <class T> static void bwd(const Args<T>& a, int, T* d, bool as) {
    ew<T>(a, d, as, [](P<T> g) { return pnegate(g); }, a.g);
  }
};

struct Exp {
  template <class T> static void fwd(const Args<T>& a) {
    ew<T>(a, a.out, true, [](P<T> x) { return pk::exp<T>(x); }, a.p[0]);
  }
  template <class T> static void bwd(const Args<T>& a, int, T* d, bool as) {
    ew<T>(a, d, as, [](P<T> g, P<T> v) { return pmul(g, v); }, a.g, (const T*)a.out);
  }
};

struct Log {
  template <class T> static void fwd(const Args<T>& a) {
    ew<T>(a, a.out, true, [](P<T> x) { return pk::log<T>(x); }, a.p[0]);
  }
  template <class T> static void bwd(const Args<T>& a, int, T* d, bool as) {
    ew<T>(a, d, as, [](P<T> g, P<T> x) { return pdiv(g, x); }, a.g, a.p[0]);
  }
};

struct Sqrt {
  template <class T> static void fwd(const Args<T>& a) {
    ew<T>(a, a.out, true, [](P<T> x) { return psqrt(x); }, a.p[0]);
  }
  template <class T> static void bwd(const Args<T>& a, int, T* d, bool as) {
    ew<T>(a, d, as, [](P<T> g, P<T> v) { return pdiv(g, pmul(c<T>(2), v)); }, a.g,
          (const T*)a.out);
  }
};

struct Sigmoid {
  template <class T> static void fwd(const Args<T>& a) {
    ew<T>(a, a.out, true, [](P<T> x) { return pk::sigmoid<T>(x); }, a.p[0]);
  }
  template <class T> static void bwd(const Args<T>& a, int, T* d, bool as) {
    ew<T>(a, d, as, [](P<T> g, P<T> v) { return pmul(pmul(g, v), psub(c<T>(1), v)); }, a.g,
          (const T*)a.out);
  }
};

struct Softplus {
  template <class T> static void fwd(const Args<T>& a) {
    ew<T>(a, a.out, true, [](P<T> x) { return pk::softplus<T>(x); }, a.p[0]);
  }
  template <class T> static void bwd(const Args<T>& a, int, T* d, bool as) {
    ew<T>(a, d, as, [](P<T> g, P<T> x) { return pmul(g, pk::sigmoid<T>(x)); }, a.g, a.p[0]);
  }
};

// ------------------------------------------------------------------------
// Elementwise operators of several parents

struct Add {
  template <class T> static void fwd(const Args<T>& a) {
    ew<T>(a, a.out, true, [](P<T> x, P<T> y) { return padd(x, y); }, a.p[0], a.p[1]);
  }
  template <class T> static void bwd(const Args<T>& a, int, T* d, bool as) {
    ew<T>(a, d, as, [](P<T> g) { return g; }, a.g);
  }
};

struct Sub {
  template <class T> static void fwd(const Args<T>& a) {
    ew<T>(a, a.out, true, [](P<T> x, P<T> y) { return psub(x, y); }, a.p[0], a.p[1]);
  }
  template <class T> static void bwd(const Args<T>& a, int i, T* d, bool as) {
    if (i == 0) ew<T>(a, d, as, [](P<T> g) { return g; }, a.g);
    else ew<T>(a, d, as, [](P<T> g) { return pnegate(g); }, a.g);
  }
};

struct Mul {
  template <class T> static void fwd(const Args<T>& a) {
    ew<T>(a, a.out, true, [](P<T> x, P<T> y) { return pmul(x, y); }, a.p[0], a.p[1]);
  }
  template <class T> static void bwd(const Args<T>& a, int i, T* d, bool as) {
    ew<T>(a, d, as, [](P<T> g, P<T> o) { return pmul(g, o); }, a.g, a.p[1 - i]);
  }
};

struct Div {
  template <class T> static void fwd(const Args<T>& a) {
    ew<T>(a, a.out, true, [](P<T> x, P<T> y) { return pdiv(x, y); }, a.p[0], a.p[1]);
  }
  template <class T> static void bwd(const Args<T>& a, int i, T* d, bool as) {
    if (i == 0) ew<T>(a, d, as, [](P<T> g, P<T> y) { return pdiv(g, y); }, a.g, a.p[1]);
    else
      ew<T>(a, d, as,
            [](P<T> g, P<T> x, P<T> y) { return pnegate(pdiv(pmul(g, x), pmul(y, y))); }, a.g,
            a.p[0], a.p[1]);
  }
};

struct MulAdd {
  template <class T> static void fwd(const Args<T>& a) {
    ew<T>(a, a.out, true, [](P<T> x, P<T> y, P<T> z) { return padd(pmul(x, y), z); }, a.p[0],
          a.p[1], a.p[2]);
  }
  template <class T> static void bwd(const Args<T>& a, int i, T* d, bool as) {
    if (i == 2) ew<T>(a, d, as, [](P<T> g) { return g; }, a.g);
    else ew<T>(a, d, as, [](P<T> g, P<T> o) { return pmul(g, o); }, a.g, a.p[1 - i]);
  }
};

// ------------------------------------------------------------------------
// Matrix product

struct Gemm {
  template <class T> static void fwd(const Args<T>& a) {  // C = A B
    gemm::product<T>(a.m, a.c, a.k, a.p[0], false, a.p[1], false, a.out, true, a.threads,
                     a.sparse1);
  }
  template <class T> static void bwd(const Args<T>& a, int i, T* d, bool as) {
    if (i == 0)  // dA (m x k) = G B^T
      gemm::product<T>(a.m, a.k, a.c, a.g, false, a.p[1], true, d, as, a.threads, a.sparse1);
    else  // dB (k x c) = A^T G
      gemm::product<T>(a.k, a.c, a.m, a.p[0], true, a.g, false, d, as, a.threads);
  }
};

// ------------------------------------------------------------------------
// Reductions to a scalar (the adjoint g is a.g[0])

struct Sum {
  template <class T> static void fwd(const Args<T>& a) {
    a.out[0] = reduce<T>(a, [](P<T> x) { return x; }, a.p[0]);
  }
  template <class T> static void bwd(const Args<T>& a, int, T* d, bool as) {
    const T g = a.g[0];
    ew<T>(a, d, as, [&](P<T>) { return c<T>(g); }, a.p[0]);
  }
};

struct MvnKl {
  template <class T> static void fwd(const Args<T>& a) {
    a.out[0] = reduce<T>(
        a,
        [](P<T> mu, P<T> s) {
          P<T> q = psub(padd(pmul(mu, mu), pmul(s, s)), c<T>(1));
          return psub(pmul(q, c<T>(0.5)), pk::log<T>(s));
        },
        a.p[0], a.p[1]);
  }
  template <class T> static void bwd(const Args<T>& a, int i, T* d, bool as) {
    const T g = a.g[0];
    if (i == 0) ew<T>(a, d, as, [&](P<T> mu) { return pmul(c<T>(g), mu); }, a.p[0]);
    else
      ew<T>(a, d, as, [&](P<T> s) { return pmul(c<T>(g), psub(s, pdiv(c<T>(1), s))); }, a.p[1]);
  }
};

// log N(z; mu, diag sigma^2) - log N(z; 0, I) = sum (z^2 - d^2)/2 - ln sigma
// with d = (z - mu)/sigma computed once per entry. Pullbacks: g*d/sigma to
// mu, g*(d^2 - 1)/sigma to sigma, g*(z - d/sigma) to z.
struct MvnEmpiricalKl {
  template <class T> static void fwd(const Args<T>& a) {
    a.out[0] = reduce<T>(
        a,
        [](P<T> mu, P<T> s, P<T> z) {
          P<T> d = pdiv(psub(z, mu), s);
          P<T> q = psub(pmul(z, z), pmul(d, d));
          return psub(pmul(q, c<T>(0.5)), pk::log<T>(s));
        },
        a.p[0], a.p[1], a.p[2]);
  }
  template <class T> static void bwd(const Args<T>& a, int i, T* d, bool as) {
    const T g = a.g[0];
    if (i == 0)
      ew<T>(a, d, as,
            [&](P<T> mu, P<T> s, P<T> z) { return pmul(c<T>(g), pdiv(pdiv(psub(z, mu), s), s)); },
            a.p[0], a.p[1], a.p[2]);
    else if (i == 1)
      ew<T>(a, d, as,
            [&](P<T> mu, P<T> s, P<T> z) {
              P<T> e = pdiv(psub(z, mu), s);
              return pmul(c<T>(g), pdiv(psub(pmul(e, e), c<T>(1)), s));
            },
            a.p[0], a.p[1], a.p[2]);
    else
      ew<T>(a, d, as,
            [&](P<T> mu, P<T> s, P<T> z) {
              return pmul(c<T>(g), psub(z, pdiv(pdiv(psub(z, mu), s), s)));
            },
            a.p[0], a.p[1], a.p[2]);
  }
};

// With a.logit set (p = sigmoid(z)), the logit form (see the top of this
// file); bwd slot 0 with `fused`: the contribution to z itself.
struct BernoulliNeglogpdf {
  template <class T> static void fwd(const Args<T>& a) {
    if (a.logit) {  // sum max(z,0) - x*z + log1p(exp(-|z|))
      a.out[0] = reduce<T>(
          a, [](P<T> z, P<T> x) { return psub(pk::softplus<T>(z), pmul(x, z)); }, a.logit,
          a.p[1]);
      return;
    }
    a.out[0] = -reduce<T>(
        a,
        [](P<T> p, P<T> x) {
          return padd(pmul(x, pk::log<T>(p)), pmul(psub(c<T>(1), x), log1p<T>(pnegate(p))));
        },
        a.p[0], a.p[1]);
  }
  template <class T> static void bwd(const Args<T>& a, int i, T* d, bool as, bool fused = false) {
    const T g = a.g[0];
    if (i == 0 && fused) {
      ew<T>(a, d, as, [&](P<T> p, P<T> x) { return pmul(c<T>(g), psub(p, x)); }, a.p[0], a.p[1]);
    } else if (i == 0) {
      check_domain(a, Op::bernoulli_neglogpdf);
      ew<T>(a, d, as,
            [&](P<T> p, P<T> x) {
              return pmul(c<T>(g), psub(pdiv(psub(c<T>(1), x), psub(c<T>(1), p)), pdiv(x, p)));
            },
            a.p[0], a.p[1]);
    } else if (a.logit) {
      ew<T>(a, d, as, [&](P<T> z) { return pmul(c<T>(-g), z); }, a.logit);
    } else {
      ew<T>(a, d, as,
            [&](P<T> p) { return pmul(c<T>(g), psub(log1p<T>(pnegate(p)), pk::log<T>(p))); }, a.p[0]);
    }
  }
};

// ------------------------------------------------------------------------
// Random operators: fwd writes the sample (the explicit draw when given, else
// from the generator, see rng.hpp); bwd the score-function term.

template <class T>
bool copy_draw(const Args<T>& a, const T* draw) {
  if (draw) std::copy(draw, draw + a.n, a.out);
  return draw != nullptr;
}

// x ~ N(mu, diag sigma^2). Score term, with sample x = a.out and C = a.total:
// C * (x-mu)/sigma^2 to mu, C * ((x-mu)^2 - sigma^2)/sigma^3 to sigma.
struct Mvn {
  template <class T> static void fwd(const Args<T>& a, Rng& rng, const T* draw) {
    if (copy_draw(a, draw)) return;
    const T* mu = a.p[0];
    const T* s = a.p[1];
    for (int64_t e = 0; e < a.n; ++e) a.out[e] = mu[e] + s[e] * static_cast<T>(rng.normal());
  }
  template <class T> static void bwd(const Args<T>& a, int i, T* d, bool as) {
    const T C = a.total;
    if (i == 0)
      ew<T>(a, d, as,
            [&](P<T> x, P<T> mu, P<T> s) { return pmul(c<T>(C), pdiv(psub(x, mu), pmul(s, s))); },
            (const T*)a.out, a.p[0], a.p[1]);
    else
      ew<T>(a, d, as,
            [&](P<T> x, P<T> mu, P<T> s) {
              P<T> r = psub(x, mu);
              P<T> s2 = pmul(s, s);
              return pmul(c<T>(C), pdiv(psub(pmul(r, r), s2), pmul(s2, s)));
            },
            (const T*)a.out, a.p[0], a.p[1]);
  }
};

// x ~ N(0, I) of the declared shape; no parents, so no score term.
struct MvnStd {
  template <class T> static void fwd(const Args<T>& a, Rng& rng, const T* draw) {
    if (copy_draw(a, draw)) return;
    for (int64_t e = 0; e < a.n; ++e) a.out[e] = static_cast<T>(rng.normal());
  }
  template <class T> static void bwd(const Args<T>&, int, T*, bool) {}
};

}  // namespace kernels
}  // namespace certigrad
