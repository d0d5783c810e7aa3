// The documented random generator of the runtime (identical on every
// platform: only integer arithmetic and IEEE +,-,*,/,sqrt, no libm, no FMA
// contraction -- rng.cpp is compiled with -ffp-contract=off).
//
//   state    xoshiro256** (Blackman & Vigna), its 4 words seeded by four
//            successive outputs of splitmix64 started at `seed`.
//   uniform  u = (next() >> 11) * 2^-53, in [0, 1).
//   normal   Marsaglia's polar method in float64: a = 2u1-1, b = 2u2-1,
//            s = a^2+b^2, rejected unless 0 < s < 1; f = sqrt(-2 ln(s)/s);
//            yields a*f, then b*f. ln is `det_log` below (atanh series).
//   draws    one stream of standard normals n0, n1, ... per run, consumed by
//            the rand nodes in graph order, each node's entries in row-major
//            order: mvn_std x = n (rounded to the runtime's dtype),
//            mvn x = mu + sigma * n (computed in the runtime's dtype).
#pragma once
#include <cstdint>

namespace certigrad {

// Natural logarithm of a positive, finite, normal double, computed with basic
// IEEE operations only (so the same bits everywhere); error below 1e-15
// relative.
double det_log(double x);

class Rng {
 public:
  explicit Rng(uint64_t seed = 0) { reseed(seed); }
  void reseed(uint64_t seed);
  uint64_t next();
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  double normal();

 private:
  uint64_t s_[4];
  double spare_ = 0.0;
  bool has_spare_ = false;
};

}  // namespace certigrad
