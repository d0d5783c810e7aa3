// C (=|+=) op(A) op(B) for the gemm kernels: a BLIS-style blocked product
// (packed A and B panels, an AVX-512 register-tiled micro-kernel) used when
// the build machine has AVX-512; elsewhere Eigen's product. Row-major C;
// op(A), op(B) are given by strides, so transposes are never copied.
//
// Threads: the rows of C (or its columns: when B is transposed, or C is wide)
// are split into `threads` contiguous slices, each computed by one OpenMP thread with
// its own packing buffers (thread_local, allocated once).
#pragma once
#include <Eigen/Core>
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

#if defined(__AVX512F__)
#include <immintrin.h>
#define CERTIGRAD_GEMM_AVX512 1
#endif
#if defined(_OPENMP)
#include <omp.h>
#endif

namespace certigrad {
namespace gemm {

// Strided view of a logical matrix: X(i, j) = p[i*rs + j*cs].
template <class T>
struct View {
  const T* p;
  int64_t rs, cs;
  const T& operator()(int64_t i, int64_t j) const { return p[i * rs + j * cs]; }
};

#ifdef CERTIGRAD_GEMM_AVX512

template <class T>
struct Simd;
template <>
struct Simd<float> {
  using V = __m512;
  static constexpr int W = 16;
  static V zero() { return _mm512_setzero_ps(); }
  static V load(const float* p) { return _mm512_loadu_ps(p); }
  static V bcast(const float* p) { return _mm512_set1_ps(*p); }
  static V fma(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
  static void store(float* p, V v) { _mm512_storeu_ps(p, v); }
  static V add(V a, V b) { return _mm512_add_ps(a, b); }
  static V sub(V a, V b) { return _mm512_sub_ps(a, b); }
  // some lane is not == 0 (NaN included)
  static bool nonzero(V a) { return _mm512_cmp_ps_mask(a, zero(), _CMP_NEQ_UQ) != 0; }
};
template <>
struct Simd<double> {
  using V = __m512d;
  static constexpr int W = 8;
  static V zero() { return _mm512_setzero_pd(); }
  static V load(const double* p) { return _mm512_loadu_pd(p); }
  static V bcast(const double* p) { return _mm512_set1_pd(*p); }
  static V fma(V a, V b, V c) { return _mm512_fmadd_pd(a, b, c); }
  static void store(double* p, V v) { _mm512_storeu_pd(p, v); }
  static V add(V a, V b) { return _mm512_add_pd(a, b); }
  static V sub(V a, V b) { return _mm512_sub_pd(a, b); }
  static bool nonzero(V a) { return _mm512_cmp_pd_mask(a, zero(), _CMP_NEQ_UQ) != 0; }
};

// Tile sizes: MR rows x NR = NV vectors of columns.
#ifndef CG_MR
#define CG_MR 12
#define CG_NV 2
#define CG_KC 256
#define CG_MC 144
#endif
template <class T>
struct Tiles {
  static constexpr int MR = CG_MR, NV = CG_NV, NR = NV * Simd<T>::W;
  static constexpr int KC = CG_KC;
  static constexpr int MC = CG_MC;  // multiple of MR
  static constexpr int NC = 4096;   // multiple of NR
};

// acc = Apanel (MR x kc) * Bpanel (kc x NR, packed k-major); C tile (mr x nr
// valid) = acc (first k block) or += acc. Apanel entry (r, p) is at
// a + p*pstride + r (packed: pstride = MR; or A^T read in place) or, when
// lda > 0, at a + r*lda + p (a row-major A read in place; rows past mr
// repeat row 0 and are discarded).
//
// With `idx` (a compacted B panel, see `compact_b`), the panel holds only kc
// of the k rows, row p being k row idx[p]; the A entries are read at idx[p].
template <class T>
inline void micro(int64_t kc, const T* __restrict a, int64_t lda, int64_t pstride, int mr,
                  const T* __restrict b, T* c, int64_t ldc, int nr, bool assign,
                  const int32_t* __restrict idx = nullptr) {
  using S = Simd<T>;
  constexpr int MR = Tiles<T>::MR, NV = Tiles<T>::NV, NR = Tiles<T>::NR;
  typename S::V acc[MR][NV];
  for (int r = 0; r < MR; ++r)
    for (int v = 0; v < NV; ++v) acc[r][v] = S::zero();
  if (idx) {
    const T* ar[MR];
    for (int r = 0; r < MR; ++r) ar[r] = a + (lda > 0 ? (r < mr ? r : 0) * lda : r);
    const int64_t ps = lda > 0 ? 1 : pstride;
    for (int64_t p = 0; p < kc; ++p) {
      typename S::V bv[NV];
      for (int v = 0; v < NV; ++v) bv[v] = S::load(b + v * S::W);
      const int64_t q = idx[p] * ps;
      for (int r = 0; r < MR; ++r) {
        typename S::V av = S::bcast(ar[r] + q);
        for (int v = 0; v < NV; ++v) acc[r][v] = S::fma(av, bv[v], acc[r][v]);
      }
      b += NR;
    }
  } else if (lda > 0) {
    const T* ar[MR];
    for (int r = 0; r < MR; ++r) ar[r] = a + (r < mr ? r : 0) * lda;
    for (int64_t p = 0; p < kc; ++p) {
      typename S::V bv[NV];
      for (int v = 0; v < NV; ++v) bv[v] = S::load(b + v * S::W);
      for (int r = 0; r < MR; ++r) {
        typename S::V av = S::bcast(ar[r] + p);
        for (int v = 0; v < NV; ++v) acc[r][v] = S::fma(av, bv[v], acc[r][v]);
      }
      b += NR;
    }
  } else {
    for (int64_t p = 0; p < kc; ++p) {
      typename S::V bv[NV];
      for (int v = 0; v < NV; ++v) bv[v] = S::load(b + v * S::W);
      for (int r = 0; r < MR; ++r) {
        typename S::V av = S::bcast(a + r);
        for (int v = 0; v < NV; ++v) acc[r][v] = S::fma(av, bv[v], acc[r][v]);
      }
      a += pstride;
      b += NR;
    }
  }
  if (mr == MR && nr == NR) {
    for (int r = 0; r < MR; ++r)
      for (int v = 0; v < NV; ++v) {
        T* cp = c + r * ldc + v * S::W;
        S::store(cp, assign ? acc[r][v] : S::add(S::load(cp), acc[r][v]));
      }
    return;
  }
  alignas(64) T buf[MR * NR];
  for (int r = 0; r < MR; ++r)
    for (int v = 0; v < NV; ++v) S::store(buf + r * NR + v * S::W, acc[r][v]);
  for (int r = 0; r < mr; ++r)
    for (int j = 0; j < nr; ++j) c[r * ldc + j] = assign ? buf[r * NR + j] : c[r * ldc + j] + buf[r * NR + j];
}

// Pack rows [i0, i0+mc) x cols [p0, p0+kc) of A into MR-row panels.
template <class T>
void pack_a(const View<T>& A, int64_t i0, int64_t mc, int64_t p0, int64_t kc, T* out) {
  constexpr int MR = Tiles<T>::MR;
  for (int64_t i = 0; i < mc; i += MR) {
    const int mr = static_cast<int>(std::min<int64_t>(MR, mc - i));
    if (A.cs == 1) {  // rows contiguous along k
      for (int r = 0; r < mr; ++r) {
        const T* src = A.p + (i0 + i + r) * A.rs + p0;
        for (int64_t p = 0; p < kc; ++p) out[p * MR + r] = src[p];
      }
    } else {
      for (int64_t p = 0; p < kc; ++p) {
        const T* src = A.p + (p0 + p) * A.cs + (i0 + i) * A.rs;
        for (int r = 0; r < mr; ++r) out[p * MR + r] = src[r * A.rs];
      }
    }
    if (mr < MR)
      for (int64_t p = 0; p < kc; ++p)
        for (int r = mr; r < MR; ++r) out[p * MR + r] = T(0);
    out += MR * kc;
  }
}

// Pack rows [p0, p0+kc) x cols [j0, j0+nc) of B into NR-column panels.
template <class T>
void pack_b(const View<T>& B, int64_t p0, int64_t kc, int64_t j0, int64_t nc, T* out) {
  constexpr int NR = Tiles<T>::NR;
  for (int64_t j = 0; j < nc; j += NR) {
    const int nr = static_cast<int>(std::min<int64_t>(NR, nc - j));
    if (B.cs == 1) {
      for (int64_t p = 0; p < kc; ++p) {
        const T* src = B.p + (p0 + p) * B.rs + j0 + j;
        T* dst = out + p * NR;
        std::memcpy(dst, src, sizeof(T) * nr);
        for (int c = nr; c < NR; ++c) dst[c] = T(0);
      }
    } else {
      for (int c = 0; c < nr; ++c) {
        const T* src = B.p + (j0 + j + c) * B.cs + p0 * B.rs;
        for (int64_t p = 0; p < kc; ++p) out[p * NR + c] = src[p * B.rs];
      }
      for (int64_t p = 0; p < kc; ++p)
        for (int c = nr; c < NR; ++c) out[p * NR + c] = T(0);
    }
    out += NR * kc;
  }
}

// Drops the all-zero k rows of each packed NR-column panel (nc columns, kc
// rows), in place; cnt[panel] = rows kept, idx[panel*kc + p] = k row of kept
// row p. Exact when A is finite: a dropped row adds a*0 = +-0 to sums that
// start at +0, which changes no sum (docs: cpp/README.md, sparse inputs).
template <class T>
void compact_b(int64_t kc, int64_t nc, T* panels, int32_t* idx, int32_t* cnt) {
  constexpr int NR = Tiles<T>::NR;
  using S = Simd<T>;
  for (int64_t j = 0, jp = 0; j < nc; j += NR, ++jp) {
    T* pan = panels + jp * NR * kc;
    int32_t* ix = idx + jp * kc;
    int32_t n = 0;
    for (int64_t p = 0; p < kc; ++p) {
      const T* row = pan + p * NR;
      bool nz = false;
      for (int v = 0; v < Tiles<T>::NV; ++v)
        nz |= S::nonzero(S::load(row + v * S::W));
      if (!nz) continue;
      if (n != p) std::memcpy(pan + n * NR, row, sizeof(T) * NR);
      ix[n++] = static_cast<int32_t>(p);
    }
    cnt[jp] = n;
  }
}

// True when every entry of the m x k view is finite.
template <class T>
bool all_finite(int64_t m, int64_t k, const View<T>& A) {
  using S = Simd<T>;
  auto scan = [](const T* p, int64_t n) {
    typename S::V a0 = S::zero(), a1 = S::zero();
    int64_t e = 0;
    for (; e + 2 * S::W <= n; e += 2 * S::W) {
      typename S::V x = S::load(p + e), y = S::load(p + e + S::W);
      a0 = S::add(a0, S::sub(x, x));  // x - x: 0, or NaN when x is not finite
      a1 = S::add(a1, S::sub(y, y));
    }
    bool ok = S::nonzero(S::add(a0, a1)) == false;
    for (; e < n; ++e) ok &= (p[e] - p[e]) == T(0);
    return ok;
  };
  if (A.cs == 1 && A.rs == k) return scan(A.p, m * k);
  if (A.rs == 1 && A.cs == m) return scan(A.p, m * k);
  bool ok = true;
  for (int64_t i = 0; i < m; ++i)
    for (int64_t p = 0; p < k; ++p) ok &= (A(i, p) - A(i, p)) == T(0);
  return ok;
}

// One thread: C[0:m, 0:n] (=|+=) A[0:m, :] B[:, 0:n].
template <class T>
void serial(int64_t m, int64_t n, int64_t k, View<T> A, View<T> B, T* C, int64_t ldc, bool assign,
            bool sparse_b = false) {
  using TL = Tiles<T>;
  thread_local std::vector<T, Eigen::aligned_allocator<T>> abuf, bbuf;
  thread_local std::vector<int32_t> ibuf, cbuf;
  const int64_t nc_max = std::min<int64_t>(TL::NC, (n + TL::NR - 1) / TL::NR * TL::NR);
  const int64_t kc_max = std::min<int64_t>(TL::KC, k);
  if (abuf.size() < static_cast<size_t>(TL::MC * kc_max)) abuf.resize(TL::MC * kc_max);
  if (bbuf.size() < static_cast<size_t>(nc_max * kc_max)) bbuf.resize(nc_max * kc_max);
  if (sparse_b) {
    if (ibuf.size() < static_cast<size_t>(nc_max / TL::NR * kc_max)) ibuf.resize(nc_max / TL::NR * kc_max);
    if (cbuf.size() < static_cast<size_t>(nc_max / TL::NR)) cbuf.resize(nc_max / TL::NR);
  }
  for (int64_t jc = 0; jc < n; jc += TL::NC) {
    const int64_t nc = std::min<int64_t>(TL::NC, n - jc);
    // k blocks of equal size (a short last block wastes C-tile traffic)
    const int64_t nkb = (k + TL::KC - 1) / TL::KC;
    const int64_t kcb = (k + nkb - 1) / nkb;
    for (int64_t pc = 0; pc < k; pc += kcb) {
      const int64_t kc = std::min<int64_t>(kcb, k - pc);
      const bool first = assign && pc == 0;
      pack_b(B, pc, kc, jc, nc, bbuf.data());
      if (sparse_b) compact_b<T>(kc, nc, bbuf.data(), ibuf.data(), cbuf.data());
      for (int64_t ic = 0; ic < m; ic += TL::MC) {
        const int64_t mc = std::min<int64_t>(TL::MC, m - ic);
        // In place, no packing: a row-major A (A.cs == 1: MR rows read as
        // streams) or a transposed one (A.rs == 1: the MR entries of each k
        // are contiguous) whose panel is full; otherwise pack.
        const bool rows_in_place = A.cs == 1;
        const bool cols_in_place = !rows_in_place && A.rs == 1;
        const int64_t full = mc / TL::MR * TL::MR;
        if (!rows_in_place) {
          if (!cols_in_place) pack_a(A, ic, mc, pc, kc, abuf.data());
          else if (full < mc) pack_a(A, ic + full, mc - full, pc, kc, abuf.data() + full * kc);
        }
        // the A micro-panel (MR x kc) stays in L1 while B micro-panels stream from L2
        for (int64_t ir = 0; ir < mc; ir += TL::MR) {
          const int mr = static_cast<int>(std::min<int64_t>(TL::MR, mc - ir));
          const T* ap;
          int64_t lda = 0, pstride = TL::MR;
          if (rows_in_place) {
            ap = A.p + (ic + ir) * A.rs + pc;
            lda = A.rs;
          } else if (cols_in_place && ir < full) {
            ap = A.p + pc * A.cs + ic + ir;
            pstride = A.cs;
          } else {
            ap = abuf.data() + ir * kc;
          }
          for (int64_t jr = 0; jr < nc; jr += TL::NR) {
            const int nr = static_cast<int>(std::min<int64_t>(TL::NR, nc - jr));
            const int64_t jp = jr / TL::NR;
            if (sparse_b)
              micro<T>(cbuf[jp], ap, lda, pstride, mr, bbuf.data() + jp * TL::NR * kc,
                       C + (ic + ir) * ldc + jc + jr, ldc, nr, first, ibuf.data() + jp * kc);
            else
              micro<T>(kc, ap, lda, pstride, mr, bbuf.data() + jp * TL::NR * kc,
                       C + (ic + ir) * ldc + jc + jr, ldc, nr, first);
          }
        }
      }
    }
  }
}

#endif  // CERTIGRAD_GEMM_AVX512

// C (m x n, row-major, leading dimension n) (=|+=) op(A) op(B), with
// op(A) = A (m x k row-major) or A^T (A stored k x m), likewise B.
template <class T>
void product(int64_t m, int64_t n, int64_t k, const T* a, bool ta, const T* b, bool tb, T* c,
             bool assign, int threads, bool sparse_b = false) {
#ifdef CERTIGRAD_GEMM_AVX512
  View<T> A{a, ta ? 1 : k, ta ? m : 1};
  View<T> B{b, tb ? 1 : n, tb ? k : 1};
  if (k == 0) {
    if (assign) std::fill(c, c + m * n, T(0));
    return;
  }
  // sparse_b: op(B) has many exact zeros (a fed input); its all-zero k rows
  // are skipped per column panel, which is exact when op(A) is finite.
  if (sparse_b) sparse_b = all_finite<T>(m, k, A);
  // G B^T with few rows (a small layer's weight pullback: m < 4 MR, wide n):
  // packing B^T (a gather of n x k) would cost about as much as the product,
  // so compute C^T = B G^T instead (B read in place, the small G^T packed)
  // into a scratch buffer and transpose it into C; each entry is the same sum,
  // in the same k order.
  if (tb && !ta && !sparse_b && m < 4 * Tiles<T>::MR && n >= 8 * Tiles<T>::NR) {
    thread_local std::vector<T, Eigen::aligned_allocator<T>> ct;
    if (ct.size() < static_cast<size_t>(n * m)) ct.resize(n * m);
    product<T>(n, m, k, b, false, a, true, ct.data(), true, threads, false);
    for (int64_t i = 0; i < m; ++i) {
      T* ci = c + i * n;
      const T* src = ct.data() + i;
      if (assign)
        for (int64_t j = 0; j < n; ++j) ci[j] = src[j * m];
      else
        for (int64_t j = 0; j < n; ++j) ci[j] += src[j * m];
    }
    return;
  }
  const int64_t work = m * n * k;
  int t = (threads > 1 && work >= (int64_t(1) << 18)) ? threads : 1;
  if (t == 1) {
    serial<T>(m, n, k, A, B, c, n, assign, sparse_b);
    return;
  }
  // Each thread packs the B columns it uses: split the columns when B is
  // transposed (its packing is a gather), else the longer side.
  const bool split_rows = tb ? n < 4 * Tiles<T>::NR : m >= n;
  const int64_t unit = split_rows ? Tiles<T>::MR : Tiles<T>::NR;
  const int64_t len = split_rows ? m : n;
#pragma omp parallel num_threads(t)
  {
#if defined(_OPENMP)
    const int id = omp_get_thread_num(), nt = omp_get_num_threads();
#else
    const int id = 0, nt = 1;
#endif
    const int64_t units = (len + unit - 1) / unit;
    const int64_t lo = std::min(len, units * id / nt * unit);
    const int64_t hi = std::min(len, units * (id + 1) / nt * unit);
    if (hi > lo) {
      if (split_rows)
        serial<T>(hi - lo, n, k, View<T>{A.p + lo * A.rs, A.rs, A.cs}, B, c + lo * n, n, assign,
                  sparse_b);
      else
        serial<T>(m, hi - lo, k, A, View<T>{B.p + lo * B.cs, B.rs, B.cs}, c + lo, n, assign,
                  sparse_b);
    }
  }
#else
  using M = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  Eigen::setNbThreads(threads);
  Eigen::Map<M> C(c, m, n);
  auto run = [&](const auto& L, const auto& R) {
    if (assign) C.noalias() = L * R;
    else C.noalias() += L * R;
  };
  if (!ta && !tb) run(Eigen::Map<const M>(a, m, k), Eigen::Map<const M>(b, k, n));
  else if (ta && !tb) run(Eigen::Map<const M>(a, k, m).transpose(), Eigen::Map<const M>(b, k, n));
  else if (!ta && tb) run(Eigen::Map<const M>(a, m, k), Eigen::Map<const M>(b, n, k).transpose());
  else run(Eigen::Map<const M>(a, k, m).transpose(), Eigen::Map<const M>(b, n, k).transpose());
#endif
}

}  // namespace gemm
}  // namespace certigrad
