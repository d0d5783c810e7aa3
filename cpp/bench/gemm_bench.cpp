// Standalone check + timing of gemm.hpp against Eigen on the AEVB shapes.
// g++ -O3 -march=native -fopenmp -DEIGEN_FAST_MATH=0 -I/usr/include/eigen3 cpp/bench/gemm_bench.cpp
#include <Eigen/Dense>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include "../gemm.hpp"
using namespace certigrad;
typedef Eigen::Matrix<float, -1, -1, Eigen::RowMajor> M;
static clockid_t CLK = CLOCK_THREAD_CPUTIME_ID;
template <class F> double best(F f, int reps) {
  double b = 1e9;
  for (int i = 0; i < reps; ++i) {
    // thread CPU time: robust to other processes sharing the cores (1 thread)
    timespec t0, t1;
    clock_gettime(CLK, &t0);
    f();
    clock_gettime(CLK, &t1);
    b = std::min(b, (t1.tv_sec - t0.tv_sec) + 1e-9 * (t1.tv_nsec - t0.tv_nsec));
  }
  return b;
}
int main(int argc, char** argv) {
  int th = argc > 1 ? atoi(argv[1]) : 1;
  Eigen::setNbThreads(th);
  if (th > 1) CLK = CLOCK_MONOTONIC;  // wall clock for several threads
  int sh[][3] = {{1000, 784, 250}, {1000, 1000, 250}, {784, 1000, 250}, {30, 1000, 250}};
  for (auto& s : sh) {
    int m = s[0], k = s[1], n = s[2];
    M A = M::Random(m, k), B = M::Random(k, n), G = M::Random(m, n), C(m, n), C2(m, n), dA(m, k), dA2(m, k), dB(k, n), dB2(k, n);
    double fl = 2.0 * m * n * k / 1e9;
    double te = best([&] { C.noalias() = A * B; }, 30), tm = best([&] { gemm::product<float>(m, n, k, A.data(), false, B.data(), false, C2.data(), true, th); }, 30);
    double te2 = best([&] { dA.noalias() = G * B.transpose(); }, 30), tm2 = best([&] { gemm::product<float>(m, k, n, G.data(), false, B.data(), true, dA2.data(), true, th); }, 30);
    double te3 = best([&] { dB.noalias() = A.transpose() * G; }, 30), tm3 = best([&] { gemm::product<float>(k, n, m, A.data(), true, G.data(), false, dB2.data(), true, th); }, 30);
    printf("%4dx%4dx%3d  AB eigen %6.1f mine %6.1f | GBt eigen %6.1f mine %6.1f | AtG eigen %6.1f mine %6.1f GF/s  err %.1e %.1e %.1e\n",
           m, k, n, fl / te, fl / tm, fl / te2, fl / tm2, fl / te3, fl / tm3, (C - C2).cwiseAbs().maxCoeff(),
           (dA - dA2).cwiseAbs().maxCoeff(), (dB - dB2).cwiseAbs().maxCoeff());
  }
}
