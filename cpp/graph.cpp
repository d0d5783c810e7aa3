#include "graph.hpp"

#include <cmath>
#include <unordered_map>

#include "errors.hpp"

namespace certigrad {

std::string shape_str(const Shape& s) {
  std::string out = "[";
  for (size_t i = 0; i < s.size(); ++i) {
    if (i) out += "; ";
    out += std::to_string(s[i]);
  }
  return out + "]";
}

int64_t shape_size(const Shape& s) {
  int64_t n = 1;
  for (auto d : s) n *= d;
  return n;
}

int Checked::find(const std::string& name) const {
  for (size_t i = 0; i < refs.size(); ++i)
    if (refs[i].name == name) return static_cast<int>(i);
  return -1;
}

namespace {

[[noreturn]] void fail(const std::string& node, const std::string& msg) {
  throw GraphError("node '" + node + "': " + msg);
}

bool valid_name(const std::string& s) {
  auto alpha = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; };
  if (s.empty() || !alpha(s[0])) return false;
  for (char c : s)
    if (!(alpha(c) || (c >= '0' && c <= '9') || c == '.')) return false;
  return true;
}

// The one check of every shape (inputs, declared and inferred node shapes):
// at most 2 positive dimensions, at most kMaxEntries entries (the product is
// computed without overflow).
void check_shape(const std::string& node, const Shape& s) {
  bool ok = s.size() <= 2;
  for (auto d : s) ok = ok && d > 0;
  if (!ok) fail(node, "a shape has at most 2 positive dimensions, got " + shape_str(s));
  int64_t n = 1;
  for (auto d : s)
    if (__builtin_mul_overflow(n, d, &n) || n > kMaxEntries)
      throw ShapeError("node '" + node + "': shape " + shape_str(s) +
                       " has too many entries (more than 2^60)");
}

}  // namespace

// The shape rule of the operator (theories/core/Ops.v, apply_shape_rule), with the
// runtime's messages. A rule missing from the switch is a compile error.
#pragma GCC diagnostic push
#pragma GCC diagnostic error "-Wswitch"
Shape infer_shape(const std::string& node, Op op, const std::vector<Shape>& ps,
                  const Shape& declared) {
  const char* name = op_info(op).name;
  auto all_same = [&] {
    for (size_t j = 1; j < ps.size(); ++j)
      if (ps[j] != ps[0])
        fail(node, std::string(name) + ": parent shapes differ (" + shape_str(ps[0]) + " vs " +
                       shape_str(ps[j]) + ")");
  };
  switch (op_info(op).shape) {
    case ShapeRule::same:
      all_same();
      return ps[0];
    case ShapeRule::scalar:
      return {};
    case ShapeRule::same_to_scalar:
      all_same();
      return {};
    case ShapeRule::gemm:
      if (ps[0].size() != 2 || ps[1].size() != 2)
        fail(node, std::string(name) + ": parents must be matrices, got " + shape_str(ps[0]) +
                       " and " + shape_str(ps[1]));
      if (ps[0][1] != ps[1][0])
        fail(node, std::string(name) + ": inner dimensions differ (" +
                       std::to_string(ps[0][1]) + " vs " + std::to_string(ps[1][0]) + ")");
      return {ps[0][0], ps[1][1]};
    case ShapeRule::declared:
      return declared;
  }
  fail(node, "unknown operator");
}
#pragma GCC diagnostic pop

Checked check(const GraphSpec& spec) {
  Checked g;
  std::unordered_map<std::string, int> ids;
  auto add_ref = [&](RefInfo r) {
    if (!valid_name(r.name)) fail(r.name, "invalid name (must match [A-Za-z_][A-Za-z0-9_.]*)");
    if (ids.count(r.name)) fail(r.name, "duplicate name");
    check_shape(r.name, r.shape);
    r.size = shape_size(r.shape);
    ids[r.name] = static_cast<int>(g.refs.size());
    g.refs.push_back(std::move(r));
    return static_cast<int>(g.refs.size()) - 1;
  };
  for (const auto& in : spec.inputs) {
    RefInfo r;
    r.name = in.name;
    r.shape = in.shape;
    r.is_input = true;
    r.is_param = in.param;
    int id = add_ref(r);
    g.inputs.push_back(id);
    if (in.param) g.params.push_back(id);
  }
  for (const auto& ns : spec.nodes) {
    const std::string& nm = ns.name;
    Op op;
    if (!op_from_name(ns.op, &op)) fail(nm, "unknown operator '" + ns.op + "'");
    const OpInfo& info = op_info(op);
    if (info.random != ns.random)
      fail(nm, std::string("'") + info.name + "' is a " +
                   (info.random ? "random operator (use rand)" : "deterministic operator (use det)"));
    if (static_cast<int>(ns.parents.size()) != info.arity)
      fail(nm, std::string(info.name) + " takes " + std::to_string(info.arity) +
                   " parent(s), got " + std::to_string(ns.parents.size()));
    if (info.has_attr && !std::isfinite(ns.attr))
      fail(nm, std::string(info.name) + ": attribute must be finite, got " + fmt_num(ns.attr));
    NodeInfo n;
    n.op = op;
    n.attr = ns.attr;
    std::vector<Shape> pshapes;
    for (const auto& p : ns.parents) {
      auto it = ids.find(p);
      if (it == ids.end()) {
        if (p == nm) fail(nm, "node is its own parent (cycle)");
        fail(nm, "unknown parent '" + p + "' (parents must be defined before the node)");
      }
      n.parents.push_back(it->second);
      pshapes.push_back(g.refs[it->second].shape);
    }
    check_shape(nm, ns.shape);
    Shape out = infer_shape(nm, op, pshapes, ns.shape);
    if (out != ns.shape)
      fail(nm, "declared shape " + shape_str(ns.shape) + " differs from the shape " +
                   shape_str(out) + " computed by " + info.name);
    RefInfo r;
    r.name = nm;
    r.shape = ns.shape;
    r.node = static_cast<int>(g.nodes.size());
    n.ref = add_ref(r);
    g.nodes.push_back(std::move(n));
  }
  for (const auto& c : spec.costs) {
    auto it = ids.find(c);
    if (it == ids.end()) fail(c, "unknown cost");
    for (int prev : g.costs)
      if (prev == it->second) fail(c, "duplicate cost");
    if (!g.refs[it->second].shape.empty())
      fail(c, "a cost must be a scalar, has shape " + shape_str(g.refs[it->second].shape));
    g.costs.push_back(it->second);
  }
  return g;
}

}  // namespace certigrad
