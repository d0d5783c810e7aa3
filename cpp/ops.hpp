// Operator table of the C++ runtime. One entry per operator of
// docs/semantics.md; names match ops/ops.json (checked by
// tests/test_runtime_ops.py). Each operator has one kernel in kernels.hpp,
// named after it.
#pragma once
#include <array>
#include <string>

namespace certigrad {

enum class Op {
  scale, neg, exp, log, sqrt, sigmoid, softplus, add, sub, mul, div, sum,
  gemm, mul_add, mvn_kl, mvn_empirical_kl, bernoulli_neglogpdf,
  // random operators
  mvn, mvn_std,
};

struct OpInfo {
  Op op;
  const char* name;
  int arity;       // number of parents
  bool random;     // a `rand` operator (distribution)
  bool has_attr;   // takes a numeric attribute (only `scale`)
};

inline constexpr std::array<OpInfo, 19> kOps = {{
    {Op::scale, "scale", 1, false, true},
    {Op::neg, "neg", 1, false, false},
    {Op::exp, "exp", 1, false, false},
    {Op::log, "log", 1, false, false},
    {Op::sqrt, "sqrt", 1, false, false},
    {Op::sigmoid, "sigmoid", 1, false, false},
    {Op::softplus, "softplus", 1, false, false},
    {Op::add, "add", 2, false, false},
    {Op::sub, "sub", 2, false, false},
    {Op::mul, "mul", 2, false, false},
    {Op::div, "div", 2, false, false},
    {Op::sum, "sum", 1, false, false},
    {Op::gemm, "gemm", 2, false, false},
    {Op::mul_add, "mul_add", 3, false, false},
    {Op::mvn_kl, "mvn_kl", 2, false, false},
    {Op::mvn_empirical_kl, "mvn_empirical_kl", 3, false, false},
    {Op::bernoulli_neglogpdf, "bernoulli_neglogpdf", 2, false, false},
    {Op::mvn, "mvn", 2, true, false},
    {Op::mvn_std, "mvn_std", 0, true, false},
}};

inline const OpInfo& op_info(Op op) { return kOps[static_cast<int>(op)]; }

// Returns false when `name` is not an operator.
inline bool op_from_name(const std::string& name, Op* out) {
  for (const auto& info : kOps) {
    if (name == info.name) {
      *out = info.op;
      return true;
    }
  }
  return false;
}

}  // namespace certigrad
