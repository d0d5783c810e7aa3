// libFuzzer target: the graph checker (cpp/graph.cpp, certigrad::check) on
// any spec. Expected: a Checked graph or a GraphError (ShapeError
// included); anything else, a crash or a sanitizer report is a finding.
#include <cstddef>
#include <cstdint>
#include <string>

#include "errors.hpp"
#include "reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  certigrad::fuzz::Parsed p = certigrad::fuzz::read(text);
  try {
    certigrad::Checked g = certigrad::check(p.spec);
    for (const auto& r : g.refs)
      if (r.size < 1 || r.size > certigrad::kMaxEntries) __builtin_trap();
  } catch (const certigrad::GraphError&) {
  }
  return 0;
}
