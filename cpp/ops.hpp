// The operator table of the C++ runtime: cpp/ops_table.hpp, generated from
// theories/core/Ops.v by `certigrad-ref --ops-cpp` (the enum Op, kOps and the
// X-macro lists CERTIGRAD_DET_OPS / CERTIGRAD_RAND_OPS). Each operator has
// one kernel struct in kernels.hpp, named after its Coq constructor.
#pragma once
#include <cstddef>
#include <string>

#include "ops_table.hpp"

namespace certigrad {

// kOps is indexed by Op.
constexpr bool ops_in_enum_order() {
  for (size_t i = 0; i < kOps.size(); ++i)
    if (static_cast<size_t>(kOps[i].op) != i) return false;
  return true;
}
static_assert(ops_in_enum_order(), "kOps must list the operators in the order of Op");

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
