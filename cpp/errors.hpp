// Exceptions of the runtime; the bindings turn them into the certigrad.errors
// class of the same name (ConfigError: certigrad.CertigradError itself).
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
// A shape whose element count does not fit (see check_shape in graph.cpp).
struct ShapeError : GraphError {
  using GraphError::GraphError;
};
// A non-finite value, cost or gradient computed inside a graph.
struct NumericalError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
// A bad setting of the runtime itself (thread count).
struct ConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// %.17g of a double, as in the interchange format.
inline std::string fmt_num(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

}  // namespace certigrad
