// libFuzzer target: graph build and run. A spec the checker accepts (and of
// at most kMaxFuzzEntries entries in all) is built into a Runtime<double>
// and a Runtime<float>, fed the text's values and draws (missing or
// non-finite entries become 0.5, as the bindings reject them before the
// runtime), and run forward + backprop, with the generator and with the
// draws. Expected: a result or a GraphError / DomainError / NumericalError;
// a NumericalError must name a node of the graph, and a result must be
// finite everywhere (the non-finite check, docs/semantics.md).
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "errors.hpp"
#include "reader.hpp"
#include "runtime.hpp"

namespace {

constexpr int64_t kMaxFuzzEntries = 1 << 14;

std::vector<double> fill(const std::vector<double>* src, int64_t n) {
  std::vector<double> v(n, 0.5);
  if (src)
    for (int64_t i = 0; i < n && i < static_cast<int64_t>(src->size()); ++i)
      if (std::isfinite((*src)[i])) v[i] = (*src)[i];
  return v;
}

template <class T>
void run(const certigrad::Checked& g, const certigrad::fuzz::Parsed& p) {
  using namespace certigrad;
  Runtime<T> rt(g, 1);
  std::vector<std::vector<T>> feeds;
  for (int id : g.inputs) {
    auto it = p.values.find(g.refs[id].name);
    auto v = fill(it == p.values.end() ? nullptr : &it->second, g.refs[id].size);
    feeds.emplace_back(v.begin(), v.end());
    rt.bind(id, feeds.back().data());
  }
  std::vector<std::vector<T>> draws;
  std::vector<const T*> ptrs;
  for (int id : rt.rand_nodes()) {
    auto it = p.draws.find(g.refs[id].name);
    auto v = fill(it == p.draws.end() ? nullptr : &it->second, g.refs[id].size);
    draws.emplace_back(v.begin(), v.end());
    ptrs.push_back(draws.back().data());
  }
  for (int pass = 0; pass < 2; ++pass) {
    try {
      rt.run(pass ? ptrs : std::vector<const T*>{}, pass == 0, 7, true);
      if (!std::isfinite(rt.total())) __builtin_trap();
      for (int q : g.params)
        for (int64_t e = 0; e < g.refs[q].size; ++e)
          if (!std::isfinite(rt.grad(q)[e])) __builtin_trap();
    } catch (const DomainError&) {
    } catch (const NumericalError& e) {
      if (std::string(e.what()).rfind("node '", 0) != 0) __builtin_trap();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  certigrad::fuzz::Parsed p = certigrad::fuzz::read(text);
  certigrad::Checked g;
  try {
    g = certigrad::check(p.spec);
  } catch (const certigrad::GraphError&) {
    return 0;
  }
  int64_t total = 0;
  for (const auto& r : g.refs)
    if ((total += r.size) > kMaxFuzzEntries) return 0;
  run<double>(g, p);
  run<float>(g, p);
  return 0;
}
