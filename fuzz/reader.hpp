// The fuzz targets' reader: text in the shape of the interchange format
// (docs/format.md) to a GraphSpec plus values and draws, for the C++ graph
// checker and runtime to judge. It is lenient on purpose (a line it cannot
// read is skipped, dims are any integers, numbers any strtod result), so
// that the checker sees every kind of spec; the format's own parsers are the
// oracle's and Python's (fuzzed by tests/test_fuzz_api.py).
#pragma once
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "graph.hpp"

namespace certigrad::fuzz {

struct Parsed {
  GraphSpec spec;
  std::map<std::string, std::vector<double>> values, draws;
};

inline bool to_int(const std::string& t, int64_t* out) {
  errno = 0;
  char* end = nullptr;
  long long v = std::strtoll(t.c_str(), &end, 10);
  if (errno || end == t.c_str() || *end) return false;
  *out = v;
  return true;
}

inline Parsed read(const std::string& text) {
  Parsed p;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream ts(line);
    std::vector<std::string> t;
    for (std::string w; ts >> w;) t.push_back(w);
    if (t.empty()) continue;
    const std::string& kw = t[0];
    if ((kw == "input" || kw == "param" || kw == "det" || kw == "rand") && t.size() >= 3 &&
        t[2] == ":") {
      Shape dims;
      size_t i = 3;
      for (int64_t d; i < t.size() && t[i] != "=" && to_int(t[i], &d); ++i) dims.push_back(d);
      if (kw == "input" || kw == "param") {
        p.spec.inputs.push_back({t[1], dims, kw == "param"});
        continue;
      }
      if (i >= t.size() || t[i] != "=" || i + 1 >= t.size()) continue;
      NodeSpec n;
      n.name = t[1];
      n.random = kw == "rand";
      n.op = t[i + 1];
      n.shape = dims;
      size_t j = i + 2;
      if (n.op == "scale" && j < t.size()) n.attr = std::strtod(t[j++].c_str(), nullptr);
      for (; j < t.size(); ++j) n.parents.push_back(t[j]);
      p.spec.nodes.push_back(n);
    } else if (kw == "cost" && t.size() == 2) {
      p.spec.costs.push_back(t[1]);
    } else if ((kw == "value" || kw == "draw") && t.size() >= 2) {
      auto& v = (kw == "value" ? p.values : p.draws)[t[1]];
      for (size_t j = 2; j < t.size(); ++j) v.push_back(std::strtod(t[j].c_str(), nullptr));
    }
  }
  return p;
}

}  // namespace certigrad::fuzz
