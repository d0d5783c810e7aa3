// Exceptions of the runtime; the bindings turn them into certigrad.GraphError,
// certigrad.DomainError and certigrad.FeedError.
#pragma once
#include <cstdio>
#include <stdexcept>
#include <string>

namespace certigrad {

struct GraphError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
struct DomainError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
struct FeedError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// %.17g of a double, as in the interchange format.
inline std::string fmt_num(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

}  // namespace certigrad
