// Python bindings: certigrad._core. One C++ call per run/step; numpy arrays
// are read in place (dtype and row-major layout are checked, never
// converted); results are returned as fresh numpy arrays.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <charconv>
#include <cmath>
#include <cstring>
#include <mutex>
#include <map>
#include <optional>
#include <string_view>
#include <vector>

#include "errors.hpp"
#include "graph.hpp"
#include "runtime.hpp"

namespace py = pybind11;
using namespace certigrad;

namespace {

using InputTuple = std::tuple<std::string, std::vector<int64_t>, bool>;
using NodeTuple = std::tuple<std::string, bool, std::string, double, std::vector<std::string>,
                             std::vector<int64_t>>;
using SpecTuple = std::tuple<std::vector<InputTuple>, std::vector<NodeTuple>, std::vector<std::string>>;

GraphSpec to_spec(const SpecTuple& t) {
  GraphSpec s;
  for (const auto& [name, shape, param] : std::get<0>(t)) s.inputs.push_back({name, shape, param});
  for (const auto& [name, random, op, attr, parents, shape] : std::get<1>(t))
    s.nodes.push_back({name, random, op, attr, parents, shape});
  s.costs = std::get<2>(t);
  return s;
}

std::string py_shape(const Shape& s) {
  std::string out = "(";
  for (size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
  if (s.size() == 1) out += ",";
  return out + ")";
}

// Checks dtype, shape, layout and finiteness; returns the data pointer.
template <class T>
const T* checked_data(const std::string& node, const char* what, py::handle h, const Shape& shape) {
  const std::string pre = "node '" + node + "': " + what;
  if (!py::isinstance<py::array>(h))
    throw FeedError(pre + " must be a numpy array, got " +
                    std::string(py::str(py::type::of(h).attr("__name__"))));
  auto a = py::reinterpret_borrow<py::array>(h);
  if (!py::isinstance<py::array_t<T>>(h))
    throw FeedError(pre + " has dtype " + std::string(py::str(a.dtype())) + ", expected " +
                    (sizeof(T) == 4 ? "float32" : "float64"));
  bool same = a.ndim() == static_cast<py::ssize_t>(shape.size());
  for (size_t i = 0; same && i < shape.size(); ++i) same = a.shape(i) == shape[i];
  if (!same) {
    Shape got(a.shape(), a.shape() + a.ndim());
    throw FeedError(pre + " has shape " + py_shape(got) + ", expected " + py_shape(shape));
  }
  if (!(a.flags() & py::array::c_style))
    throw FeedError(pre + " is not C-contiguous (row-major); pass np.ascontiguousarray(...)");
  const T* p = static_cast<const T*>(a.data());
  const int64_t n = shape_size(shape);
  bool fin = true;
  for (int64_t i = 0; i < n; ++i) fin &= std::isfinite(p[i]);
  if (!fin)
    for (int64_t i = 0; i < n; ++i)
      if (!std::isfinite(p[i]))
        throw FeedError(pre + " entry " + std::to_string(i) + " is " + fmt_val(p[i]) +
                        " (values must be finite)");
  return p;
}

template <class T>
py::array_t<T> to_numpy(const T* p, const Shape& shape) {
  py::array_t<T> out(std::vector<py::ssize_t>(shape.begin(), shape.end()));
  std::memcpy(out.mutable_data(), p, sizeof(T) * shape_size(shape));
  return out;
}

// A flat gradient buffer: a C-contiguous array of dtype T, shape (size,) or
// (rows, size) (rows >= 1), writable when `write`.
template <class T>
T* flat_buffer(const py::array& a, int64_t rows, int64_t size, bool write) {
  const std::string what = write ? "gradient buffer out" : "gradients";
  const std::string want = write ? "(" + std::to_string(size) + ",)"
                                 : "(" + std::to_string(size) + ",) or (K, " + std::to_string(size) + ")";
  if (!py::isinstance<py::array_t<T>>(a))
    throw FeedError(what + " has dtype " + std::string(py::str(a.dtype())) + ", expected " +
                    (sizeof(T) == 4 ? "float32" : "float64"));
  Shape got(a.shape(), a.shape() + a.ndim());
  const bool ok = (a.ndim() == 1 && rows == 1 && a.shape(0) == size) ||
                  (!write && a.ndim() == 2 && a.shape(0) == rows && rows >= 1 && a.shape(1) == size);
  if (!ok) throw FeedError(what + " has shape " + py_shape(got) + ", expected " + want);
  if (!(a.flags() & py::array::c_style))
    throw FeedError(what + " is not C-contiguous (row-major); pass np.ascontiguousarray(...)");
  if (write && !a.writeable()) throw FeedError(what + " is read-only");
  return static_cast<T*>(const_cast<void*>(a.data()));
}

// Binds feeds to the runtime's inputs. `held`: parameters the caller holds
// (the optimizer's), which must not be fed.
template <class T>
void bind_feeds(Runtime<T>& rt, const py::dict& feeds, bool params_held) {
  const Checked& g = rt.graph();
  for (auto item : feeds) {
    std::string name = py::cast<std::string>(item.first);
    int id = g.find(name);
    if (id < 0) throw FeedError("node '" + name + "': unknown feed (not an input of the graph)");
    if (!g.refs[id].is_input)
      throw FeedError("node '" + name + "': feed for a node; only inputs and params are fed");
    if (params_held && g.refs[id].is_param)
      throw FeedError("node '" + name + "': feed for a parameter held by the optimizer");
  }
  for (int id : g.inputs) {
    const RefInfo& r = g.refs[id];
    if (params_held && r.is_param) continue;
    py::str key(r.name);
    if (!feeds.contains(key)) throw FeedError("node '" + r.name + "': missing feed");
    rt.bind(id, checked_data<T>(r.name, "feed", feeds[key], r.shape));
  }
}

template <class T>
std::vector<const T*> collect_draws(Runtime<T>& rt, const std::optional<py::dict>& draws) {
  std::vector<const T*> out;
  if (!draws) return out;
  const Checked& g = rt.graph();
  for (auto item : *draws) {
    std::string name = py::cast<std::string>(item.first);
    int id = g.find(name);
    if (id < 0 || g.refs[id].node < 0 || !op_info(g.nodes[g.refs[id].node].op).random)
      throw FeedError("node '" + name + "': draw for something that is not a rand node");
  }
  for (int id : rt.rand_nodes()) {
    const RefInfo& r = g.refs[id];
    py::str key(r.name);
    if (!draws->contains(key)) throw FeedError("node '" + r.name + "': missing draw");
    out.push_back(checked_data<T>(r.name, "draw", (*draws)[key], r.shape));
  }
  return out;
}

// Test-only hook (certigrad._core._test_plant_wrong_gradient): adds `delta`
// to entry `entry` of the gradient of parameter `param` in what `run`
// returns to Python, so that tests can show the checked mode
// (certigrad.checked) catching a wrong gradient. The kernels never see it.
struct PlantedError {
  std::string param;
  int64_t entry = 0;
  double delta = 0;
  bool on = false;
};
PlantedError g_planted;

template <class T>
void apply_planted(const std::string& param, py::array_t<T>& a) {
  if (g_planted.on && g_planted.param == param && g_planted.entry < a.size())
    a.mutable_data()[g_planted.entry] += static_cast<T>(g_planted.delta);
}

// Takes the runtime's mutex without holding the GIL while waiting.
std::unique_lock<std::mutex> lock(std::mutex& m) {
  std::unique_lock<std::mutex> lk(m, std::defer_lock);
  py::gil_scoped_release nogil;
  lk.lock();
  return lk;
}

uint64_t seed_value(const std::optional<py::int_>& seed) {
  if (!seed) return 0;
  py::int_ s = *seed;
  if (s < py::int_(0) || s >= py::int_(py::module_::import("builtins").attr("pow")(2, 64)))
    throw FeedError("seed must be an integer in [0, 2**64)");
  return py::cast<uint64_t>(s);
}

template <class T>
void def_dtype(py::module_& m, const char* rt_name, const char* adam_name) {
  using RT = Runtime<T>;
  py::class_<RT, std::shared_ptr<RT>>(m, rt_name)
      .def(py::init([](const SpecTuple& spec, int64_t threads, bool nonfinite_warn) {
             auto rt = std::make_shared<RT>(check(to_spec(spec)), threads);
             rt->set_nonfinite_warn(nonfinite_warn);
             return rt;
           }),
           py::arg("spec"), py::arg("threads") = 1, py::arg("nonfinite_warn") = false)
      .def_property("threads", &RT::threads, &RT::set_threads)
      .def_property("nonfinite_warn", &RT::nonfinite_warn, &RT::set_nonfinite_warn)
      .def(
          "set_estimator",
          [](RT& rt, bool downstream, const std::map<std::string, std::string>& baselines) {
            const Checked& g = rt.graph();
            std::vector<int> b(g.nodes.size(), -1);
            for (const auto& [z, name] : baselines) {
              int zi = -1, bi = -1;
              for (size_t i = 0; i < g.nodes.size(); ++i)
                if (g.refs[g.nodes[i].ref].name == z) zi = static_cast<int>(i);
              for (size_t r = 0; r < g.refs.size(); ++r)
                if (g.refs[r].name == name) bi = static_cast<int>(r);
              if (zi < 0 || !op_info(g.nodes[zi].op).random)
                throw GraphError("node '" + z + "': a baseline is for a random node, and this is none");
              if (bi < 0 || !g.refs[bi].is_input || g.refs[bi].size != 1 || !g.refs[bi].shape.empty())
                throw GraphError("node '" + z + "': its baseline '" + name +
                                 "' must be a scalar input of the graph (shape ())");
              b[zi] = bi;
            }
            auto lk = lock(rt.mutex());
            rt.set_estimator(downstream, b);
          },
          py::arg("downstream"), py::arg("baselines"))
      .def("set_profile", &RT::set_profile, py::arg("on"))
      .def("profile", [](RT& rt) {
        py::list out;
        const Checked& g = rt.graph();
        for (size_t i = 0; i < g.nodes.size(); ++i)
          out.append(py::make_tuple(g.refs[g.nodes[i].ref].name, op_info(g.nodes[i].op).name,
                                    rt.profile_forward()[i], rt.profile_backward()[i]));
        return out;
      })
      .def(
          "run",
          [](RT& rt, const py::dict& feeds, const std::optional<py::dict>& draws,
             const std::optional<py::int_>& seed, bool backprop, bool values) {
            auto lk = lock(rt.mutex());
            bind_feeds(rt, feeds, false);
            auto d = collect_draws(rt, draws);
            uint64_t s = seed_value(seed);
            {
              py::gil_scoped_release nogil;
              rt.run(d, seed.has_value(), s, backprop);
            }
            const Checked& g = rt.graph();
            py::list costs;
            for (size_t c = 0; c < g.costs.size(); ++c) costs.append(static_cast<double>(rt.cost(c)));
            py::dict grads, vals;
            if (backprop)
              for (int p : g.params) {
                auto a = to_numpy(rt.grad(p), g.refs[p].shape);
                apply_planted(g.refs[p].name, a);
                grads[py::str(g.refs[p].name)] = a;
              }
            if (values)
              for (const auto& n : g.nodes)
                vals[py::str(g.refs[n.ref].name)] = to_numpy(rt.value(n.ref), g.refs[n.ref].shape);
            py::object warning = py::none();
            if (!rt.warning().empty()) warning = py::str(rt.warning());
            return py::make_tuple(costs, static_cast<double>(rt.total()), grads, vals, warning);
          },
          py::arg("feeds"), py::arg("draws") = py::none(), py::arg("seed") = py::none(),
          py::arg("backprop") = true, py::arg("values") = false);

  using AD = Adam<T>;
  py::class_<AD>(m, adam_name)
      .def(py::init([](std::shared_ptr<RT> rt, const py::dict& params, double lr, double b1,
                       double b2, double eps) {
             auto ad = std::make_unique<AD>(rt, lr, b1, b2, eps);
             const Checked& g = rt->graph();
             for (auto item : params) {
               std::string name = py::cast<std::string>(item.first);
               int id = g.find(name);
               if (id < 0 || !g.refs[id].is_param)
                 throw FeedError("node '" + name + "': not a parameter of the graph");
             }
             for (size_t i = 0; i < g.params.size(); ++i) {
               const RefInfo& r = g.refs[g.params[i]];
               py::str key(r.name);
               if (!params.contains(key)) throw FeedError("node '" + r.name + "': missing parameter value");
               const T* p = checked_data<T>(r.name, "parameter", params[key], r.shape);
               std::copy(p, p + r.size, ad->params()[i].data());
             }
             return ad;
           }),
           py::arg("runtime"), py::arg("params"), py::arg("lr"), py::arg("beta1"),
           py::arg("beta2"), py::arg("eps"))
      .def(
          "step",
          [](AD& ad, const py::dict& feeds, const std::optional<py::dict>& draws,
             const std::optional<py::int_>& seed, double grad_scale) {
            if (!(std::isfinite(grad_scale) && grad_scale > 0))
              throw FeedError("grad_scale must be finite and > 0, got " + fmt_num(grad_scale));
            auto lk = lock(ad.runtime().mutex());
            bind_feeds(ad.runtime(), feeds, true);
            auto d = collect_draws(ad.runtime(), draws);
            uint64_t s = seed_value(seed);
            double total;
            {
              py::gil_scoped_release nogil;
              total = static_cast<double>(ad.step(d, seed.has_value(), s, grad_scale));
            }
            py::object warning = py::none();
            if (!ad.runtime().warning().empty()) warning = py::str(ad.runtime().warning());
            return py::make_tuple(total, warning);
          },
          py::arg("feeds"), py::arg("draws") = py::none(), py::arg("seed") = py::none(),
          py::arg("grad_scale") = 1.0)
      .def_property_readonly("flat_size", &AD::flat_size)
      .def(
          "gradient",
          [](AD& ad, const py::dict& feeds, py::array out, const std::optional<py::dict>& draws,
             const std::optional<py::int_>& seed) {
            T* o = flat_buffer<T>(out, 1, ad.flat_size(), true);
            auto lk = lock(ad.runtime().mutex());
            bind_feeds(ad.runtime(), feeds, true);
            auto d = collect_draws(ad.runtime(), draws);
            uint64_t s = seed_value(seed);
            py::gil_scoped_release nogil;
            return static_cast<double>(ad.gradient(d, seed.has_value(), s, o));
          },
          py::arg("feeds"), py::arg("out"), py::arg("draws") = py::none(), py::arg("seed") = py::none())
      .def(
          "apply",
          [](AD& ad, py::array grads, double grad_scale) {
            const int64_t rows = grads.ndim() == 2 ? grads.shape(0) : 1;
            const T* g = flat_buffer<T>(grads, rows, ad.flat_size(), false);
            auto lk = lock(ad.runtime().mutex());
            py::gil_scoped_release nogil;
            ad.apply(g, rows, grad_scale);
          },
          py::arg("grads"), py::arg("grad_scale") = 1.0)
      .def("get_state",
           [](AD& ad) {
             auto lk = lock(ad.runtime().mutex());
             const Checked& g = ad.runtime().graph();
             py::dict p, mm, vv;
             for (size_t i = 0; i < g.params.size(); ++i) {
               const RefInfo& r = g.refs[g.params[i]];
               p[py::str(r.name)] = to_numpy(ad.params()[i].data(), r.shape);
               mm[py::str(r.name)] = to_numpy(ad.m()[i].data(), r.shape);
               vv[py::str(r.name)] = to_numpy(ad.v()[i].data(), r.shape);
             }
             return py::make_tuple(p, mm, vv, ad.t());
           })
      .def("set_state", [](AD& ad, const py::dict& p, const py::dict& mm, const py::dict& vv,
                           int64_t t) {
        auto lk = lock(ad.runtime().mutex());
        const Checked& g = ad.runtime().graph();
        if (t < 0) throw FeedError("step must be >= 0");
        // check everything before changing anything
        std::vector<std::pair<const T*, typename AD::Vec*>> copies;
        for (size_t i = 0; i < g.params.size(); ++i) {
          const RefInfo& r = g.refs[g.params[i]];
          py::str key(r.name);
          for (auto [d, dst, what] : {std::make_tuple(&p, &ad.params()[i], "parameter"),
                                      std::make_tuple(&mm, &ad.m()[i], "state m"),
                                      std::make_tuple(&vv, &ad.v()[i], "state v")}) {
            if (!d->contains(key)) throw FeedError("node '" + r.name + "': missing " + what);
            copies.emplace_back(checked_data<T>(r.name, what, (*d)[key], r.shape), dst);
          }
        }
        for (auto& [src, dst] : copies) std::copy(src, src + dst->size(), dst->data());
        ad.t() = t;
      });
}

void raise_py(const char* cls, const char* msg) {
  py::object c = py::module_::import("certigrad.errors").attr(cls);
  PyErr_SetObject(c.ptr(), py::str(msg).ptr());
}

}  // namespace

PYBIND11_MODULE(_core, m) {
  m.doc() = "certigrad C++ runtime (private; use the certigrad package)";
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const ShapeError& e) {
      raise_py("ShapeError", e.what());
    } catch (const GraphError& e) {
      raise_py("GraphError", e.what());
    } catch (const DomainError& e) {
      raise_py("DomainError", e.what());
    } catch (const FeedError& e) {
      raise_py("FeedError", e.what());
    } catch (const NumericalError& e) {
      raise_py("NumericalError", e.what());
    } catch (const ConfigError& e) {
      raise_py("CertigradError", e.what());
    }
  });
  m.def("op_names", [] {
    std::vector<std::string> out;
    for (const auto& o : kOps) out.push_back(o.name);
    return out;
  });
  m.def("op_table", [] {  // kOps (ops_table.hpp), every column
    py::list out;
    for (const auto& o : kOps)
      out.append(py::dict(
          py::arg("name") = o.name, py::arg("arity") = o.arity, py::arg("random") = o.random,
          py::arg("attr") = o.has_attr, py::arg("shape_rule") = kShapeRuleNames[static_cast<int>(o.shape)],
          py::arg("domain_parent") = o.dom_parent,
          py::arg("domain_rule") = kDomRuleNames[static_cast<int>(o.dom_rule)],
          py::arg("domain") = o.domain, py::arg("domain_label") = o.dom_label,
          py::arg("domain_must") = o.dom_must));
    return out;
  });
  m.def("format_floats", [](py::array_t<double, py::array::c_style | py::array::forcecast> a) {
    // std::to_chars: the shortest decimal that reads back as the same double
    // (C++17 [charconv.to.chars]), separated by single spaces
    const double* x = a.data();
    const py::ssize_t n = a.size();
    std::string out(static_cast<size_t>(n) * 25, ' ');  // 24 chars at most per number
    char* p = out.data();
    char* end = p + out.size();
    for (py::ssize_t i = 0; i < n; ++i) {
      if (i) *p++ = ' ';
      p = std::to_chars(p, end, x[i]).ptr;
    }
    out.resize(static_cast<size_t>(p - out.data()));
    return py::bytes(out);
  }, py::arg("a"),
     "The entries of a float64 array (C order) as text: the shortest round-trip decimal of each "
     "(std::to_chars), separated by spaces; non-finite entries give inf/nan (callers reject them).");
  m.def("parse_floats", [](std::string_view s) {
    // tokens separated by spaces, tabs and carriage returns (docs/format.md),
    // each read by std::from_chars (correctly rounded, as strtod); a leading
    // '+' is skipped (the format allows it, from_chars does not)
    std::vector<double> out;
    out.reserve(s.size() / 8);
    const char* p = s.data();
    const char* end = p + s.size();
    auto sep = [](char c) { return c == ' ' || c == '\t' || c == '\r'; };
    while (true) {
      while (p < end && sep(*p)) ++p;
      if (p == end) break;
      const char* q = p;
      while (q < end && !sep(*q)) ++q;
      const char* b = (*p == '+' && q - p > 1 && p[1] != '-' && p[1] != '+') ? p + 1 : p;
      double x = 0.0;
      auto r = std::from_chars(b, q, x);
      if (r.ec == std::errc::result_out_of_range)  // beyond the float64 range: +-inf or 0, as strtod
        x = std::strtod(std::string(b, q).c_str(), nullptr);
      else if (r.ec != std::errc() || r.ptr != q)
        throw py::value_error(std::string(p, q));
      out.push_back(x);
      p = q;
    }
    py::array_t<double> a(static_cast<py::ssize_t>(out.size()));
    if (!out.empty()) std::memcpy(a.mutable_data(), out.data(), out.size() * sizeof(double));
    return a;
  }, py::arg("s"),
     "The numbers of a text of tokens separated by spaces, tabs and carriage returns, as float64 "
     "(std::from_chars); ValueError naming the first token that is not a number.");
  m.def("check", [](const SpecTuple& spec) { check(to_spec(spec)); }, py::arg("spec"));
  m.def("det_log", &det_log, py::arg("x"));
  m.def("normals", [](uint64_t seed, int64_t n) {
    Rng r(seed);
    py::array_t<double> out(n);
    for (int64_t i = 0; i < n; ++i) out.mutable_data()[i] = r.normal();
    return out;
  }, py::arg("seed"), py::arg("n"));
  m.def("_test_plant_wrong_gradient",
        [](std::optional<std::string> param, int64_t entry, double delta) {
          g_planted = PlantedError{param.value_or(""), entry, delta, param.has_value()};
        },
        py::arg("param"), py::arg("entry") = 0, py::arg("delta") = 0.0,
        "Test only: Runtime.run adds delta to that gradient entry (None: off).");
  def_dtype<float>(m, "Runtime32", "Adam32");
  def_dtype<double>(m, "Runtime64", "Adam64");
}
