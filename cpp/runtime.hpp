// Forward evaluation and the memoized reverse-sweep backprop of
// docs/semantics.md, over preallocated buffers (no allocation per run), and
// the Adam optimizer (Kingma & Ba, Algorithm 1) with parameters and state
// held here.
#pragma once
#include <Eigen/Core>
#include <ctime>
#include <cmath>
#include <cstdint>
#include <memory>
#include <mutex>
#include <pthread.h>
#include <string>
#include <vector>

#include "errors.hpp"
#include "graph.hpp"
#include "kernels.hpp"
#include "rng.hpp"

namespace certigrad {

// The thread count of a runtime: 1 to kMaxRuntimeThreads (the kernels use at
// most pk::kMaxThreads of them, the gemm all). Checked before anything runs:
// a bad count is a ConfigError, and so is a count the process cannot create
// (the threads are created once here, with the default attributes, then the
// OpenMP pool is started with that count; libgomp itself exits the process
// when it cannot create a thread).
constexpr int kMaxRuntimeThreads = 256;
inline int checked_threads(int64_t t) {
  if (t < 1 || t > kMaxRuntimeThreads)
    throw ConfigError("threads must be between 1 and " + std::to_string(kMaxRuntimeThreads) +
                      ", got " + std::to_string(t));
  std::vector<pthread_t> ids;
  bool ok = true;
  for (int64_t i = 1; i < t && ok; ++i) {
    pthread_t id;
    ok = pthread_create(&id, nullptr, [](void*) -> void* { return nullptr; }, nullptr) == 0;
    if (ok) ids.push_back(id);
  }
  for (pthread_t id : ids) pthread_join(id, nullptr);
  if (!ok)
    throw ConfigError("cannot create " + std::to_string(t) + " threads (created " +
                      std::to_string(ids.size() + 1) + "); use fewer");
#if defined(_OPENMP)
#pragma omp parallel num_threads(static_cast<int>(t))
  { (void)0; }
#endif
  return static_cast<int>(t);
}

// Index of the first non-finite entry of p[0, n), or -1: one vectorized
// pass (x*0 is 0 for a finite x, nan for inf and nan), on `threads`.
template <class T>
int64_t first_nonfinite(const T* p, int64_t n, int threads) {
  using namespace pk;
  T part[kMaxThreads] = {};
  chunks<T>(n, threads, [&](int64_t lo, int64_t hi, int id) {
    part[id] = reduce_range<T>(lo, hi, [](P<T> x) { return pmul(x, c<T>(0)); }, p);
  });
  bool fin = true;
  for (T v : part) fin &= v == T(0);
  if (fin) return -1;
  for (int64_t i = 0; i < n; ++i)
    if (!std::isfinite(p[i])) return i;
  return -1;
}

template <class T>
class Runtime {
 public:
  using Vec = Eigen::Matrix<T, Eigen::Dynamic, 1>;

  Runtime(Checked g, int64_t threads) : g_(std::move(g)), threads_(checked_threads(threads)) {
    const int R = static_cast<int>(g_.refs.size());
    val_.assign(R, nullptr);
    adj_.assign(R, nullptr);
    vbuf_.resize(R);
    abuf_.resize(R);
    needs_.assign(R, false);
    touched_.assign(R, false);
    sparse_.assign(R, false);
    std::vector<int> uses(R, 0);
    std::vector<bool> is_cost(R, false);
    for (int c : g_.costs) is_cost[c] = true;
    for (const auto& n : g_.nodes)
      for (int p : n.parents) ++uses[p];
    for (int p : g_.params) needs_[p] = true;
    for (const auto& n : g_.nodes) {
      const RefInfo& r = g_.refs[n.ref];
      alloc(vbuf_[n.ref], n.ref);
      val_[n.ref] = vbuf_[n.ref].data();
      if (op_info(n.op).random) {
        rand_nodes_.push_back(n.ref);
        continue;  // the adjoint of a sample does not flow to its parents
      }
      bool any = false;
      for (int p : n.parents) any = any || needs_[p];
      needs_[n.ref] = any;
    }
    for (int r = 0; r < R; ++r)
      if (needs_[r]) {
        alloc(abuf_[r], r);
        adj_[r] = abuf_[r].data();
      }
    // bernoulli_neglogpdf whose p is a sigmoid node: logit form; fused
    // pullback when that sigmoid feeds nothing else and is not a cost.
    logit_.assign(g_.nodes.size(), -1);
    fused_.assign(g_.nodes.size(), false);
    skip_.assign(g_.nodes.size(), false);
    for (size_t i = 0; i < g_.nodes.size(); ++i) {
      const NodeInfo& n = g_.nodes[i];
      if (n.op != Op::bernoulli_neglogpdf) continue;
      const RefInfo& p = g_.refs[n.parents[0]];
      if (p.node < 0 || g_.nodes[p.node].op != Op::sigmoid) continue;
      logit_[i] = g_.nodes[p.node].parents[0];
      if (uses[n.parents[0]] == 1 && !is_cost[n.parents[0]]) {
        fused_[i] = true;
        skip_[p.node] = true;
      }
    }
    cost_vals_.assign(g_.costs.size(), 0);
  }

  const Checked& graph() const { return g_; }
  // Held by the bindings for a whole run/step (bind, compute, copy out), so
  // Python threads sharing a runtime take turns.
  std::mutex& mutex() { return mu_; }
  int threads() const { return threads_; }
  void set_threads(int64_t t) { threads_ = checked_threads(t); }
  bool needs_grad(int ref) const { return needs_[ref]; }
  // Non-finite results (docs/semantics.md): a NumericalError (the default),
  // or, with warn set, the first one's message kept in warning() and the
  // run goes on.
  bool nonfinite_warn() const { return warn_; }
  void set_nonfinite_warn(bool w) { warn_ = w; }
  const std::string& warning() const { return warning_; }

  // The score estimator (docs/semantics.md, theories/core/BackpropEst.v).
  // Certigrad's (the default): every random node's score term is multiplied
  // by the total cost C. Downstream: by the sum, in cost order, of the costs
  // reachable from the node (itself or a descendant), minus its baseline's
  // value when baseline[node index] names a scalar input (-1: none).
  void set_estimator(bool downstream, const std::vector<int>& baseline) {
    const size_t N = g_.nodes.size();
    if (baseline.size() != N) throw GraphError("estimator: one baseline entry per node expected");
    downstream_ = downstream;
    baseline_ = baseline;
    down_costs_.assign(N, {});
    if (!downstream) return;
    for (size_t i = 0; i < N; ++i) {
      if (!op_info(g_.nodes[i].op).random) continue;
      std::vector<bool> reach(g_.refs.size(), false);
      reach[g_.nodes[i].ref] = true;
      for (size_t j = i + 1; j < N; ++j)  // nodes are in topological order
        for (int p : g_.nodes[j].parents)
          if (reach[p]) reach[g_.nodes[j].ref] = true;
      for (size_t c = 0; c < g_.costs.size(); ++c)
        if (reach[g_.costs[c]]) down_costs_[i].push_back(static_cast<int>(c));
    }
  }
  bool downstream() const { return downstream_; }

  // Input values are read in place: the pointer must stay valid during run().
  // A fed (non-parameter) input is measured once per bind: when at least
  // half its entries are exact zeros, the gemm products that take it as
  // their right operand skip its all-zero rows per column panel (exact, see
  // gemm::compact_b).
  void bind(int ref, const T* p) {
    val_[ref] = p;
    const RefInfo& r = g_.refs[ref];
    if (!r.is_input || r.is_param) return;
    int64_t zeros = 0;
    for (int64_t e = 0; e < r.size; ++e) zeros += p[e] == T(0);
    sparse_[ref] = 2 * zeros >= r.size;
  }
  const T* value(int ref) const { return val_[ref]; }
  const T* grad(int ref) const { return adj_[ref]; }
  const std::vector<int>& rand_nodes() const { return rand_nodes_; }
  T cost(size_t i) const { return cost_vals_[i]; }
  T total() const { return total_; }

  // Per-node profile (seconds, summed over runs): forward[i], backward[i].
  void set_profile(bool on) {
    profile_ = on;
    tf_.assign(g_.nodes.size(), 0.0);
    tb_.assign(g_.nodes.size(), 0.0);
  }
  const std::vector<double>& profile_forward() const { return tf_; }
  const std::vector<double>& profile_backward() const { return tb_; }

  // draws[j]: explicit sample of rand_nodes()[j], or all null to sample
  // from the generator (reseeded with `seed` when `reseed`). The kernels run
  // on threads() threads (passed to each in Args::threads).
  void run(const std::vector<const T*>& draws, bool reseed, uint64_t seed, bool backprop) {
    warning_.clear();
    if (reseed) rng_.reseed(seed);
    forward(draws);
    if (backprop) {
      backward();
      for (int p : g_.params) check_finite(p, adj_[p], "the gradient");
    }
  }

 private:
  // A buffer of reference `ref`'s size; failing allocation is a ShapeError.
  void alloc(Vec& v, int ref) {
    try {
      v.resize(g_.refs[ref].size);
    } catch (const std::bad_alloc&) {
      throw ShapeError("node '" + g_.refs[ref].name + "': cannot allocate the " +
                       std::to_string(g_.refs[ref].size) + " entries of shape " +
                       shape_str(g_.refs[ref].shape));
    }
  }

  // Raises (or records) the first non-finite entry of reference `ref`'s
  // value or gradient `p`.
  void check_finite(int ref, const T* p, const char* what) {
    const int64_t i = first_nonfinite(p, g_.refs[ref].size, threads_);
    if (i < 0) return;
    const RefInfo& r = g_.refs[ref];
    std::string op = r.node >= 0 ? std::string(op_info(g_.nodes[r.node].op).name) + ": " : "";
    nonfinite("node '" + r.name + "': " + op + "entry " + std::to_string(i) + " of " + what +
              " is " + fmt_val(p[i]) + " (non-finite result)");
  }
  void nonfinite(const std::string& msg) {
    if (!warn_) throw NumericalError(msg);
    if (warning_.empty()) warning_ = msg;
  }

  // Wall time, or this thread's CPU time with 1 thread (robust to other
  // processes sharing the cores).
  struct Timer {
    double* acc;
    clockid_t clk;
    timespec t0;
    Timer(double* a, int threads) : acc(a), clk(threads == 1 ? CLOCK_THREAD_CPUTIME_ID : CLOCK_MONOTONIC) {
      if (acc) clock_gettime(clk, &t0);
    }
    ~Timer() {
      if (!acc) return;
      timespec t1;
      clock_gettime(clk, &t1);
      *acc += (t1.tv_sec - t0.tv_sec) + 1e-9 * (t1.tv_nsec - t0.tv_nsec);
    }
  };

  Args<T> args(size_t i) const {
    const NodeInfo& n = g_.nodes[i];
    const RefInfo& r = g_.refs[n.ref];
    Args<T> a;
    a.node = &r.name;
    for (size_t j = 0; j < n.parents.size(); ++j) a.p[j] = val_[n.parents[j]];
    a.n = n.parents.empty() ? r.size : g_.refs[n.parents[0]].size;
    if (op_info(n.op).shape == ShapeRule::gemm) {
      a.m = g_.refs[n.parents[0]].shape[0];
      a.k = g_.refs[n.parents[0]].shape[1];
      a.c = g_.refs[n.parents[1]].shape[1];
      a.sparse1 = sparse_[n.parents[1]];
    }
    a.out = const_cast<T*>(val_[n.ref]);
    a.g = adj_[n.ref];
    a.attr = n.attr;
    a.total = total_;
    a.threads = threads_;
    if (logit_[i] >= 0) a.logit = val_[logit_[i]];
    return a;
  }

  void forward(const std::vector<const T*>& draws) {
    size_t j = 0;  // index into rand nodes
    for (size_t i = 0; i < g_.nodes.size(); ++i) {
      const NodeInfo& n = g_.nodes[i];
      Args<T> a = args(i);
      Timer tm(profile_ ? &tf_[i] : nullptr, threads_);
      if (!a.logit) check_domain(a, n.op);  // the logit form reads z, not p
      switch (n.op) {  // every operator of ops_table.hpp
#define CG_DET(OP, K)   \
  case Op::OP:          \
    kernels::K::fwd(a); \
    break;
        CERTIGRAD_DET_OPS(CG_DET)
#undef CG_DET
#define CG_RAND(OP, K)                                              \
  case Op::OP:                                                      \
    kernels::K::fwd(a, rng_, draws.empty() ? nullptr : draws[j]); \
    ++j;                                                            \
    break;
        CERTIGRAD_RAND_OPS(CG_RAND)
#undef CG_RAND
      }
      check_finite(n.ref, a.out, "the value");
    }
    total_ = 0;
    int bad = -1;  // the cost after which the running total is first non-finite
    T at_bad = 0;
    for (size_t c = 0; c < g_.costs.size(); ++c) {
      cost_vals_[c] = val_[g_.costs[c]][0];
      total_ += cost_vals_[c];
      if (bad < 0 && !std::isfinite(total_)) bad = static_cast<int>(c), at_bad = total_;
    }
    if (bad >= 0)
      nonfinite("node '" + g_.refs[g_.costs[bad]].name + "': the total cost is " +
                fmt_val(at_bad) + " after adding this cost (non-finite result)");
  }

  // Adjoint of `ref` about to receive a contribution: true when this is the
  // first one of the sweep (assign instead of add).
  bool first(int ref) {
    bool f = !touched_[ref];
    touched_[ref] = true;
    return f;
  }

  void backward() {
    std::fill(touched_.begin(), touched_.end(), false);
    for (int c : g_.costs)
      if (needs_[c]) {
        T* d = adj_[c];
        d[0] = first(c) ? T(1) : d[0] + T(1);
      }
    for (size_t ii = g_.nodes.size(); ii-- > 0;) {
      const NodeInfo& n = g_.nodes[ii];
      Timer tm(profile_ ? &tb_[ii] : nullptr, threads_);
      if (op_info(n.op).random) {  // the score-function term to each parent
        Args<T> a = args(ii);
        a.total = score_multiplier(ii);
        for (int i = 0; i < static_cast<int>(n.parents.size()); ++i) {
          int p = n.parents[i];
          if (!needs_[p]) continue;
          switch (n.op) {
#define CG_RAND(OP, K)                               \
  case Op::OP:                                       \
    kernels::K::bwd(a, i, adj_[p], first(p));        \
    break;
            CERTIGRAD_RAND_OPS(CG_RAND)
#undef CG_RAND
            default:
              break;
          }
        }
        continue;
      }
      if (!needs_[n.ref] || skip_[ii]) continue;
      if (first(n.ref)) std::fill(adj_[n.ref], adj_[n.ref] + g_.refs[n.ref].size, T(0));
      Args<T> a = args(ii);
      for (int i = 0; i < static_cast<int>(n.parents.size()); ++i) {
        int p = n.parents[i];
        if (n.op == Op::bernoulli_neglogpdf && i == 0 && fused_[ii]) {
          int z = logit_[ii];
          if (needs_[z]) kernels::BernoulliNeglogpdf::bwd(a, 0, adj_[z], first(z), true);
          continue;
        }
        if (!needs_[p]) continue;
        T* d = adj_[p];
        bool as = first(p);
        switch (n.op) {
#define CG_DET(OP, K)                \
  case Op::OP:                       \
    kernels::K::bwd(a, i, d, as);    \
    break;
          CERTIGRAD_DET_OPS(CG_DET)
#undef CG_DET
          default:  // random operators: above
            break;
        }
      }
    }
    for (int p : g_.params)
      if (first(p)) std::fill(adj_[p], adj_[p] + g_.refs[p].size, T(0));
  }

  // What random node i's score term is multiplied by (set_estimator).
  T score_multiplier(size_t i) const {
    if (!downstream_) return total_;
    T m = 0;
    for (int c : down_costs_[i]) m += cost_vals_[c];
    if (baseline_[i] >= 0) m -= val_[baseline_[i]][0];
    return m;
  }

  Checked g_;
  int threads_;
  bool downstream_ = false;
  std::vector<int> baseline_;
  std::vector<std::vector<int>> down_costs_;
  std::vector<const T*> val_;
  std::vector<T*> adj_;
  std::vector<Vec> vbuf_, abuf_;
  std::vector<bool> needs_, touched_, fused_, skip_, sparse_;
  std::vector<int> logit_, rand_nodes_;
  std::vector<T> cost_vals_;
  T total_ = 0;
  Rng rng_;
  std::mutex mu_;
  bool profile_ = false;
  bool warn_ = false;
  std::string warning_;
  std::vector<double> tf_, tb_;
};

template <class T>
class Adam {
 public:
  using Vec = Eigen::Array<T, Eigen::Dynamic, 1>;
  Adam(std::shared_ptr<Runtime<T>> rt, double lr, double b1, double b2, double eps)
      : rt_(std::move(rt)), lr_(lr), b1_(b1), b2_(b2), eps_(eps) {
    for (int p : rt_->graph().params) {
      int64_t n = rt_->graph().refs[p].size;
      p_.push_back(Vec::Zero(n));
      m_.push_back(Vec::Zero(n));
      v_.push_back(Vec::Zero(n));
    }
  }
  Runtime<T>& runtime() { return *rt_; }
  std::vector<Vec>& params() { return p_; }
  std::vector<Vec>& m() { return m_; }
  std::vector<Vec>& v() { return v_; }
  int64_t& t() { return t_; }

  // Total number of parameter entries: the length of the flat gradient of
  // gradient() and apply() (parameters in graph order, each row-major).
  int64_t flat_size() const {
    int64_t n = 0;
    for (const auto& p : p_) n += p.size();
    return n;
  }

  // Binds the parameters, runs forward + backprop, then one Adam update with
  // gradient grad_scale * adjoint. Inputs other than parameters must be
  // bound already. Returns the total cost (before the update). A non-finite
  // result raises (Runtime::run) before any parameter changes.
  T step(const std::vector<const T*>& draws, bool reseed, uint64_t seed, double grad_scale) {
    forward_backward(draws, reseed, seed);
    const auto& params = rt_->graph().params;
    std::vector<const T*> g(params.size());
    for (size_t i = 0; i < params.size(); ++i) g[i] = rt_->grad(params[i]);
    update(g, 1, 0, grad_scale);
    return rt_->total();
  }

  // Forward + backprop at the current parameters, without an update: the
  // adjoint of every parameter is copied, in graph order, into the flat
  // buffer out[0, flat_size()). Returns the total cost.
  T gradient(const std::vector<const T*>& draws, bool reseed, uint64_t seed, T* out) {
    forward_backward(draws, reseed, seed);
    const auto& params = rt_->graph().params;
    int64_t off = 0;
    for (size_t i = 0; i < params.size(); ++i) {
      const T* g = rt_->grad(params[i]);
      std::copy(g, g + p_[i].size(), out + off);
      off += p_[i].size();
    }
    return rt_->total();
  }

  // One Adam update with gradient grad_scale * (g_0 + g_1 + ... + g_{K-1}),
  // where g_k = grads[k * flat_size(), (k + 1) * flat_size()): the rows are
  // added in the order k = 0, 1, ..., K-1 for every entry, so the result
  // does not depend on the thread count or vector width.
  void apply(const T* grads, int64_t K, double grad_scale) {
    std::vector<const T*> g(p_.size());
    int64_t off = 0;
    for (size_t i = 0; i < p_.size(); ++i) {
      g[i] = grads + off;
      off += p_[i].size();
    }
    update(g, K, off, grad_scale);
  }

 private:
  void forward_backward(const std::vector<const T*>& draws, bool reseed, uint64_t seed) {
    const auto& params = rt_->graph().params;
    for (size_t i = 0; i < params.size(); ++i) rt_->bind(params[i], p_[i].data());
    rt_->run(draws, reseed, seed, true);
  }

  // g[i]: gradient of parameter i (row 0); rows k > 0 at g[i] + k * stride.
  void update(const std::vector<const T*>& g, int64_t K, int64_t stride, double grad_scale) {
    ++t_;
    const T c1 = static_cast<T>(1.0 / (1.0 - std::pow(b1_, static_cast<double>(t_))));
    const T c2 = static_cast<T>(1.0 / (1.0 - std::pow(b2_, static_cast<double>(t_))));
    const T b1 = static_cast<T>(b1_), b2 = static_cast<T>(b2_);
    const T lr = static_cast<T>(lr_), eps = static_cast<T>(eps_), gs = static_cast<T>(grad_scale);
    using namespace pk;
    for (size_t i = 0; i < p_.size(); ++i) {
      const T* gi0 = g[i];
      T *pp = p_[i].data(), *mm = m_[i].data(), *vv = v_[i].data();
      const int64_t n = p_[i].size();
      chunks<T>(n, rt_->threads(), [&](int64_t lo, int64_t hi, int) {
        for (int64_t e = lo; e < hi; e += W<T>) {
          P<T> sum = load(gi0, e, n);
          for (int64_t k = 1; k < K; ++k) sum = padd(sum, load(gi0 + k * stride, e, n));
          P<T> gi = pmul(c<T>(gs), sum);
          P<T> mi = padd(pmul(c<T>(b1), load(mm, e, n)), pmul(c<T>(T(1) - b1), gi));
          P<T> vi = padd(pmul(c<T>(b2), load(vv, e, n)), pmul(c<T>(T(1) - b2), pmul(gi, gi)));
          P<T> step = pdiv(pmul(c<T>(lr), pmul(mi, c<T>(c1))),
                           padd(psqrt(pmul(vi, c<T>(c2))), c<T>(eps)));
          store(mm, e, n, mi, true);
          store(vv, e, n, vi, true);
          store(pp, e, n, psub(load(pp, e, n), step), true);
        }
      });
    }
  }

  std::shared_ptr<Runtime<T>> rt_;
  double lr_, b1_, b2_, eps_;
  std::vector<Vec> p_, m_, v_;
  int64_t t_ = 0;
};

}  // namespace certigrad
