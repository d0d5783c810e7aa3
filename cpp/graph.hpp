// Graph representation mirroring the Coq one (docs/semantics.md): inputs
// (some of them parameters), det/rand nodes in topological order, costs.
// `check` is the well-formedness checker: every error names a reference.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "ops.hpp"

namespace certigrad {

using Shape = std::vector<int64_t>;

// "[]", "[3]", "[2; 3]" as in docs/semantics.md.
std::string shape_str(const Shape& s);
// The most entries one tensor may have (so that its size in bytes, at 8
// bytes an entry, fits in an int64). python/certigrad/graph.py has the same.
constexpr int64_t kMaxEntries = int64_t(1) << 60;
// The element count of a shape that check() accepted (at most kMaxEntries).
int64_t shape_size(const Shape& s);

// The graph as the user wrote it (names, operator names).
struct InputSpec {
  std::string name;
  Shape shape;
  bool param = false;
};
struct NodeSpec {
  std::string name;
  bool random = false;
  std::string op;
  double attr = 0.0;  // `scale` only
  std::vector<std::string> parents;
  Shape shape;
};
struct GraphSpec {
  std::vector<InputSpec> inputs;
  std::vector<NodeSpec> nodes;
  std::vector<std::string> costs;
};

// A reference: an input (maybe a parameter) or a node. Inputs come first,
// in declaration order, then nodes in graph order.
struct RefInfo {
  std::string name;
  Shape shape;
  int64_t size = 1;
  bool is_input = false;
  bool is_param = false;
  int node = -1;  // index into Checked::nodes, -1 for inputs
};
struct NodeInfo {
  int ref = -1;  // this node's reference id
  Op op{};
  double attr = 0.0;
  std::vector<int> parents;  // reference ids
};
struct Checked {
  std::vector<RefInfo> refs;
  std::vector<NodeInfo> nodes;
  std::vector<int> costs;   // reference ids, in cost order
  std::vector<int> inputs;  // every input reference id (params included)
  std::vector<int> params;  // parameter reference ids, declaration order
  int find(const std::string& name) const;  // -1 when unknown
};

// Output shape of `op` applied to parents of the given shapes; throws
// GraphError naming `node` when the shapes do not fit the operator.
Shape infer_shape(const std::string& node, Op op, const std::vector<Shape>& parents,
                  const Shape& declared);

// Throws GraphError("node 'NAME': ...") on the first ill-formed reference.
Checked check(const GraphSpec& spec);

}  // namespace certigrad
