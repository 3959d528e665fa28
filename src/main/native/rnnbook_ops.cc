// rnnbook's recurrent kernels for TensorFlow: the time loop of Keras's GRU (reset_after True and
// False), LSTM and SimpleRNN (tanh), forward and backward, each as one op. Only the loop lives
// here: the input projection (x @ kernel + bias over all timesteps) and its gradients stay
// TensorFlow ops.
//
// Built by the Maven build (src/main/native/build-kernels.sh) for three x86-64 levels, one picked
// at run time by rnnbook.keras.layers.NativeKernels and loaded with TensorFlow.loadLibrary. It
// uses TensorFlow's stable C API (tensorflow/c/ops.h, tensorflow/c/kernels.h), exported by libtensorflow_framework.so.2; the few declarations it needs
// are below, so no TensorFlow headers are required.
//
// Layouts are time-major, float32, row-major:
//   RnnbookGruSequence(xp[T,B,3U], rk[U,3U], rb[3U], h0[B,U]) -> h[T,B,U], gates[T,B,3U], mh[T,B,U]
//     gates = (z, r, hh) after their activations, mh = h_prev @ rk_h + rb_h (kept for backward)
//   RnnbookGruSequenceGrad(rk, h0, h, gates, mh, dh[T,B,U]) -> dxp, drk[U,3U], drb[3U], dh0[B,U]
//   RnnbookGruResetBeforeSequence(xp[T,B,3U], rk[U,3U], h0[B,U]) -> h, gates[T,B,3U], rh[T,B,U]
//     reset_after=False: gates = (z, r, hh), rh = r * h_prev (kept for backward); bias inside xp
//   RnnbookGruResetBeforeSequenceGrad(rk, h0, h, gates, rh, dh[T,B,U]) -> dxp, drk, dh0
//   RnnbookLstmSequence(xp[T,B,4U], rk[U,4U], h0[B,U], c0[B,U]) -> h, c, gates[T,B,4U], tc[T,B,U]
//     gates = (i, f, g, o) after their activations, tc = tanh(c); the bias is inside xp
//   RnnbookLstmSequenceGrad(rk, h0, c0, h, c, tc, gates, dh[T,B,U], dc[T,B,U])
//     -> dxp, drk, dh0, dc0
//   RnnbookSimpleRnnSequence(xp[T,B,U], rk[U,U], h0[B,U]) -> h[T,B,U]     (tanh; bias inside xp)
//   RnnbookSimpleRnnSequenceGrad(rk, h0, h, dh[T,B,U]) -> dxp, drk, dh0
// Each gradient op gives the gradients of its forward op's inputs, from those of h (and c).

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

extern "C" {
typedef struct TF_Status TF_Status;
typedef struct TF_Tensor TF_Tensor;
typedef struct TF_OpKernelConstruction TF_OpKernelConstruction;
typedef struct TF_OpKernelContext TF_OpKernelContext;
typedef struct TF_KernelBuilder TF_KernelBuilder;
typedef struct TF_OpDefinitionBuilder TF_OpDefinitionBuilder;
typedef struct TF_ShapeInferenceContext TF_ShapeInferenceContext;
typedef struct TF_ShapeHandle TF_ShapeHandle;
typedef enum TF_DataType { TF_FLOAT = 1 } TF_DataType;
typedef enum TF_Code { TF_OK = 0, TF_INVALID_ARGUMENT = 3 } TF_Code;

TF_Status* TF_NewStatus(void);
void TF_DeleteStatus(TF_Status*);
TF_Code TF_GetCode(const TF_Status*);
void TF_SetStatus(TF_Status*, TF_Code, const char*);
void* TF_TensorData(const TF_Tensor*);
int TF_NumDims(const TF_Tensor*);
int64_t TF_Dim(const TF_Tensor*, int);
void TF_DeleteTensor(TF_Tensor*);

TF_KernelBuilder* TF_NewKernelBuilder(const char* op_name, const char* device_name,
                                      void* (*create_func)(TF_OpKernelConstruction*),
                                      void (*compute_func)(void*, TF_OpKernelContext*),
                                      void (*delete_func)(void*));
void TF_RegisterKernelBuilder(const char* kernel_name, TF_KernelBuilder* builder,
                              TF_Status* status);
void TF_GetInput(TF_OpKernelContext* ctx, int i, TF_Tensor** tensor, TF_Status* status);
void TF_OpKernelContext_Failure(TF_OpKernelContext* ctx, TF_Status* status);
TF_Tensor* TF_AllocateOutput(TF_OpKernelContext* context, int index, TF_DataType dtype,
                             const int64_t* dims, int num_dims, size_t len, TF_Status* status);

TF_OpDefinitionBuilder* TF_NewOpDefinitionBuilder(const char* op_name);
void TF_RegisterOpDefinition(TF_OpDefinitionBuilder* builder, TF_Status* status);
void TF_OpDefinitionBuilderAddInput(TF_OpDefinitionBuilder* builder, const char* input_spec);
void TF_OpDefinitionBuilderAddOutput(TF_OpDefinitionBuilder* builder, const char* output_spec);
void TF_OpDefinitionBuilderSetShapeInferenceFunction(
    TF_OpDefinitionBuilder* builder,
    void (*shape_inference_func)(TF_ShapeInferenceContext* ctx, TF_Status* status));
TF_ShapeHandle* TF_NewShapeHandle(void);
void TF_DeleteShapeHandle(TF_ShapeHandle* handle);
void TF_ShapeInferenceContextGetInput(TF_ShapeInferenceContext* ctx, int i, TF_ShapeHandle* handle,
                                      TF_Status* status);
void TF_ShapeInferenceContextSetOutput(TF_ShapeInferenceContext* ctx, int i, TF_ShapeHandle* handle,
                                       TF_Status* status);
void TF_ShapeInferenceContextSubshape(TF_ShapeInferenceContext* ctx, TF_ShapeHandle* shape_handle,
                                      int64_t start, int64_t end, TF_ShapeHandle* result,
                                      TF_Status* status);
void TF_ShapeInferenceContextConcatenateShapes(TF_ShapeInferenceContext* ctx, TF_ShapeHandle* first,
                                               TF_ShapeHandle* second, TF_ShapeHandle* result,
                                               TF_Status* status);
}

namespace {

// ---------------------------------------------------------------------------------------------
// Small matrix products: C[M, N] (+)= A[M, K] @ P[K, NP], P packed row-major with NP a multiple of
// the vector width and zero-padded, C with row stride ldc >= NP. Blocks of RB rows x NV vectors of
// C stay in registers over the whole K loop.

#if defined(__AVX512F__)
constexpr int VW = 16;
constexpr int ACCUMULATORS = 24;
#elif defined(__AVX__)
constexpr int VW = 8;
constexpr int ACCUMULATORS = 12;
#else
constexpr int VW = 4;
constexpr int ACCUMULATORS = 12;
#endif
constexpr int MAX_NV = 4;
typedef float vfloat __attribute__((vector_size(VW * sizeof(float))));

inline vfloat load(const float* p) {
  vfloat v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

inline void store(float* p, vfloat v) { std::memcpy(p, &v, sizeof v); }

inline int64_t padded(int64_t n) { return (n + VW - 1) / VW * VW; }

template <int NV, int RB>
void block(int64_t k, const float* a, int64_t lda, int64_t step, const float* p, int64_t ldp,
           float* c, int64_t ldc, bool accumulate) {
  vfloat acc[RB][NV];
  for (int r = 0; r < RB; r++)
    for (int v = 0; v < NV; v++) acc[r][v] = accumulate ? load(c + r * ldc + v * VW) : vfloat{};
  for (int64_t q = 0; q < k; q++) {
    const float* pq = p + q * ldp;
    for (int r = 0; r < RB; r++) {
      float s = a[r * lda + q * step];
      for (int v = 0; v < NV; v++) acc[r][v] += s * load(pq + v * VW);
    }
  }
  for (int r = 0; r < RB; r++)
    for (int v = 0; v < NV; v++) store(c + r * ldc + v * VW, acc[r][v]);
}

constexpr int rowsPerBlock(int nv) {
  return ACCUMULATORS / nv < 1 ? 1 : (ACCUMULATORS / nv > 8 ? 8 : ACCUMULATORS / nv);
}

template <int NV, int RB>
void rowsTail(int64_t rows, int64_t k, const float* a, int64_t lda, int64_t step, const float* p,
              int64_t ldp, float* c, int64_t ldc, bool accumulate) {
  if constexpr (RB > 0) {
    if (rows == RB) {
      block<NV, RB>(k, a, lda, step, p, ldp, c, ldc, accumulate);
    } else {
      rowsTail<NV, RB - 1>(rows, k, a, lda, step, p, ldp, c, ldc, accumulate);
    }
  }
}

template <int NV>
void columns(int64_t m, int64_t k, const float* a, int64_t lda, int64_t step, const float* p,
             int64_t ldp, float* c, int64_t ldc, bool accumulate) {
  constexpr int RB = rowsPerBlock(NV);
  int64_t i = 0;
  for (; i + RB <= m; i += RB)
    block<NV, RB>(k, a + i * lda, lda, step, p, ldp, c + i * ldc, ldc, accumulate);
  if (i < m)
    rowsTail<NV, RB - 1>(m - i, k, a + i * lda, lda, step, p, ldp, c + i * ldc, ldc, accumulate);
}

// C[m, np] (+)= A[m, k] @ P[k, np]; A[i][q] at a[i * lda + q * step] (step = 1: row-major A;
// lda = 1, step = rows of the stored matrix: A is a transposed row-major matrix)
void gemm(int64_t m, int64_t k, int64_t np, const float* a, int64_t lda, int64_t step,
          const float* p, float* c, int64_t ldc, bool accumulate) {
  for (int64_t j = 0; j < np; j += MAX_NV * VW) {
    int nv = static_cast<int>(std::min<int64_t>(MAX_NV, (np - j) / VW));
    const float* pj = p + j;
    float* cj = c + j;
    switch (nv) {
      case 1: columns<1>(m, k, a, lda, step, pj, np, cj, ldc, accumulate); break;
      case 2: columns<2>(m, k, a, lda, step, pj, np, cj, ldc, accumulate); break;
      case 3: columns<3>(m, k, a, lda, step, pj, np, cj, ldc, accumulate); break;
      case 4: columns<4>(m, k, a, lda, step, pj, np, cj, ldc, accumulate); break;
      case 5: columns<5>(m, k, a, lda, step, pj, np, cj, ldc, accumulate); break;
      case 6: columns<6>(m, k, a, lda, step, pj, np, cj, ldc, accumulate); break;
      case 7: columns<7>(m, k, a, lda, step, pj, np, cj, ldc, accumulate); break;
      default: columns<8>(m, k, a, lda, step, pj, np, cj, ldc, accumulate); break;
    }
  }
}

// the first cols of each of the rows of a padded [rows, ld] buffer into a dense [rows, cols] one
void unpad(const float* from, int64_t ld, int64_t rows, int64_t cols, float* to) {
  for (int64_t i = 0; i < rows; i++)
    std::memcpy(to + i * cols, from + i * ld, cols * sizeof(float));
}

// w[rows, cols] with row stride ld (a column block of a wider matrix) as [rows, padded(cols)]
std::vector<float> pack(const float* w, int64_t rows, int64_t cols, int64_t ld) {
  int64_t np = padded(cols);
  std::vector<float> out(rows * np, 0.f);
  for (int64_t i = 0; i < rows; i++) std::memcpy(&out[i * np], w + i * ld, cols * sizeof(float));
  return out;
}

// w[rows, cols] (row stride ld) transposed and packed as [cols, padded(rows)]
std::vector<float> packTransposed(const float* w, int64_t rows, int64_t cols, int64_t ld) {
  int64_t np = padded(rows);
  std::vector<float> out(cols * np, 0.f);
  for (int64_t i = 0; i < rows; i++)
    for (int64_t j = 0; j < cols; j++) out[j * np + i] = w[i * ld + j];
  return out;
}

// One batch row of one timestep each. The activations run over whole vectors of padded scratch
// rows (n a multiple of VW), so that the compiler calls glibc's vector exp (libmvec) with no
// scalar remainder; tanh(x) = 2 sigmoid(2x) - 1.

#define R __restrict

inline void sigmoidAll(float* R v, int64_t n) {
  for (int64_t j = 0; j < n; j++) v[j] = 1.f / (1.f + std::exp(-v[j]));
}

inline void tanhAll(float* R v, int64_t n) {
  for (int64_t j = 0; j < n; j++) v[j] = 2.f / (1.f + std::exp(-2.f * v[j])) - 1.f;
}

// zr: scratch of padded(2U), a: of padded(U)
void gruRow(int64_t U, const float* R x, const float* R m, const float* R bias, const float* R hp,
            float* R g, float* R mh, float* R h, float* R zr, float* R a) {
  for (int64_t j = 0; j < 2 * U; j++) zr[j] = x[j] + m[j] + bias[j];
  sigmoidAll(zr, padded(2 * U));  // z, r
  for (int64_t j = 0; j < U; j++) {
    float mhv = m[2 * U + j] + bias[2 * U + j];
    mh[j] = mhv;
    a[j] = x[2 * U + j] + zr[U + j] * mhv;
  }
  tanhAll(a, padded(U));  // hh
  for (int64_t j = 0; j < U; j++) h[j] = zr[j] * hp[j] + (1.f - zr[j]) * a[j];
  std::memcpy(g, zr, 2 * U * sizeof(float));
  std::memcpy(g + 2 * U, a, U * sizeof(float));
}

// dh at h_t = z * h_{t-1} + (1 - z) * hh: to h_{t-1} directly (next), to the pre-activations of
// z, r and hh (dx), and to m_t = h_{t-1} @ rk + rb (dm: as dx but dm_h = da * r)
void gruBackRow(int64_t U, const float* R g, const float* R mh, const float* R dh,
                const float* R carry, const float* R hp, float* R next, float* R dx, float* R dm) {
  for (int64_t j = 0; j < U; j++) {
    float z = g[j], r = g[U + j], hh = g[2 * U + j];
    float d = dh[j] + carry[j];
    float dz = d * (hp[j] - hh) * z * (1.f - z);
    float da = d * (1.f - z) * (1.f - hh * hh);  // d(x_h + r * m_h)
    float dr = da * mh[j] * r * (1.f - r);
    next[j] = d * z;
    dx[j] = dz;
    dx[U + j] = dr;
    dx[2 * U + j] = da;
    dm[j] = dz;
    dm[U + j] = dr;
    dm[2 * U + j] = da * r;
  }
}

// reset_after=False, the two halves of a step around the product rh @ rk_h. zr: this row of
// h_prev @ rk_zr, padded(2U), turned into z, r in place; rh = r * h_prev
void gruGatesRow(int64_t U, const float* R x, float* R zr, const float* R hp, float* R g,
                 float* R rh) {
  for (int64_t j = 0; j < 2 * U; j++) zr[j] += x[j];
  sigmoidAll(zr, padded(2 * U));
  for (int64_t j = 0; j < U; j++) rh[j] = zr[U + j] * hp[j];
  std::memcpy(g, zr, 2 * U * sizeof(float));
}

// a: this row of rh @ rk_h, padded(U), turned into hh in place; g holds z, r and receives hh
void gruCandidateRow(int64_t U, const float* R x, float* R a, const float* R hp, float* R g,
                     float* R h) {
  for (int64_t j = 0; j < U; j++) a[j] += x[2 * U + j];
  tanhAll(a, padded(U));
  for (int64_t j = 0; j < U; j++) h[j] = g[j] * hp[j] + (1.f - g[j]) * a[j];
  std::memcpy(g + 2 * U, a, U * sizeof(float));
}

// reset_after=False backward, first half: dh (+ carry) to h_{t-1} directly (next = d * z) and to
// the pre-activations of z (dzr, dx) and of hh (da, dx), da being also the gradient at rh @ rk_h
void gruUpdateBackRow(int64_t U, const float* R g, const float* R dh, const float* R carry,
                      const float* R hp, float* R next, float* R dx, float* R dzr, float* R da) {
  for (int64_t j = 0; j < U; j++) {
    float z = g[j], hh = g[2 * U + j];
    float d = dh[j] + carry[j];
    float dz = d * (hp[j] - hh) * z * (1.f - z);
    float dav = d * (1.f - z) * (1.f - hh * hh);
    next[j] = d * z;
    dx[j] = dz;
    dzr[j] = dz;
    dx[2 * U + j] = dav;
    da[j] = dav;
  }
}

// second half, from drh = da @ rk_h^T at rh = r * h_prev: to r's pre-activation and to h_prev
void gruResetBackRow(int64_t U, const float* R g, const float* R drh, const float* R hp,
                     float* R next, float* R dx, float* R dzr) {
  for (int64_t j = 0; j < U; j++) {
    float r = g[U + j];
    float dr = drh[j] * hp[j] * r * (1.f - r);
    dx[U + j] = dr;
    dzr[U + j] = dr;
    next[j] += drh[j] * r;
  }
}

// act: scratch of padded(4U); ct: of padded(U); scale: padded(4U) values, 2 on the g gate (tanh),
// 1 elsewhere (sigmoid)
void lstmRow(int64_t U, const float* R x, const float* R m, const float* R cp, float* R g,
             float* R c, float* R h, float* R tc, float* R act, float* R ct, const float* R scale) {
  for (int64_t j = 0; j < 4 * U; j++) act[j] = (x[j] + m[j]) * scale[j];
  for (int64_t j = 0, n = padded(4 * U); j < n; j++)
    act[j] = scale[j] / (1.f + std::exp(-act[j])) + (1.f - scale[j]);  // i, f, g, o
  for (int64_t j = 0; j < U; j++) {
    float cv = act[U + j] * cp[j] + act[j] * act[2 * U + j];
    c[j] = cv;
    ct[j] = cv;
  }
  tanhAll(ct, padded(U));
  for (int64_t j = 0; j < U; j++) h[j] = act[3 * U + j] * ct[j];
  std::memcpy(tc, ct, U * sizeof(float));
  std::memcpy(g, act, 4 * U * sizeof(float));
}

// dh and dc at c_t = f * c_{t-1} + i * g, h_t = o * tanh(c_t): to the gate pre-activations (dz),
// and to c_{t-1} (carryC, updated in place); tc = tanh(c_t) as the forward pass kept it
void lstmBackRow(int64_t U, const float* R g, const float* R tc, const float* R cp,
                 const float* R dh, const float* R dc, const float* R carryH, float* R carryC,
                 float* R dz) {
  for (int64_t j = 0; j < U; j++) {
    float i = g[j], f = g[U + j], gg = g[2 * U + j], o = g[3 * U + j];
    float d = dh[j] + carryH[j];
    float dct = dc[j] + carryC[j] + d * o * (1.f - tc[j] * tc[j]);
    dz[j] = dct * gg * i * (1.f - i);
    dz[U + j] = dct * cp[j] * f * (1.f - f);
    dz[2 * U + j] = dct * i * (1.f - gg * gg);
    dz[3 * U + j] = d * tc[j] * o * (1.f - o);
    carryC[j] = dct * f;
  }
}

#undef R

// ---------------------------------------------------------------------------------------------
// Kernel plumbing

struct Kernel {
  TF_OpKernelContext* ctx;
  TF_Status* status = TF_NewStatus();
  std::vector<TF_Tensor*> owned;
  bool failed = false;

  explicit Kernel(TF_OpKernelContext* c) : ctx(c) {}
  ~Kernel() {
    for (TF_Tensor* t : owned) TF_DeleteTensor(t);
    TF_DeleteStatus(status);
  }

  TF_Tensor* input(int i) {
    TF_Tensor* t = nullptr;
    TF_GetInput(ctx, i, &t, status);
    if (TF_GetCode(status) != TF_OK) {
      fail();
      return nullptr;
    }
    owned.push_back(t);
    return t;
  }

  float* output(int i, std::vector<int64_t> dims) {
    size_t n = 1;
    for (int64_t d : dims) n *= static_cast<size_t>(d);
    TF_Tensor* t = TF_AllocateOutput(ctx, i, TF_FLOAT, dims.data(), static_cast<int>(dims.size()),
                                     n * sizeof(float), status);
    if (TF_GetCode(status) != TF_OK) {
      fail();
      return nullptr;
    }
    owned.push_back(t);
    return static_cast<float*>(TF_TensorData(t));
  }

  void fail() {
    failed = true;
    TF_OpKernelContext_Failure(ctx, status);
  }

  bool invalid(const std::string& message) {
    TF_SetStatus(status, TF_INVALID_ARGUMENT, message.c_str());
    fail();
    return false;
  }

  // true when t has exactly the given dims (-1 matches any)
  bool shaped(TF_Tensor* t, const char* name, std::vector<int64_t> dims) {
    if (t == nullptr) return false;
    bool ok = TF_NumDims(t) == static_cast<int>(dims.size());
    for (size_t i = 0; ok && i < dims.size(); i++) ok = dims[i] < 0 || TF_Dim(t, i) == dims[i];
    if (ok) return true;
    std::string expected = "[", got = "[";
    for (size_t i = 0; i < dims.size(); i++)
      expected += (i ? ", " : "") + (dims[i] < 0 ? std::string("?") : std::to_string(dims[i]));
    for (int i = 0; i < TF_NumDims(t); i++) got += (i ? ", " : "") + std::to_string(TF_Dim(t, i));
    return invalid(std::string(name) + " must have shape " + expected + "], received " + got + "]");
  }
};

const float* data(TF_Tensor* t) { return static_cast<const float*>(TF_TensorData(t)); }

// ---------------------------------------------------------------------------------------------
// GRU, Keras's reset_after=True: z, r = sigmoid(xp_zr + m_zr), hh = tanh(xp_h + r * m_h),
// h = z * h_prev + (1 - z) * hh, with m = h_prev @ rk + rb.

void gruForward(void*, TF_OpKernelContext* context) {
  Kernel k(context);
  TF_Tensor *xp = k.input(0), *rk = k.input(1), *rb = k.input(2), *h0 = k.input(3);
  if (k.failed || !k.shaped(xp, "xp", {-1, -1, -1})) return;
  const int64_t T = TF_Dim(xp, 0), B = TF_Dim(xp, 1), G = TF_Dim(xp, 2), U = G / 3;
  if (G % 3 != 0) {
    k.invalid("xp's last dimension must be 3 * units, received " + std::to_string(G));
    return;
  }
  if (!k.shaped(rk, "recurrent_kernel", {U, G}) || !k.shaped(rb, "recurrent_bias", {G}) ||
      !k.shaped(h0, "h0", {B, U}))
    return;
  float* h = k.output(0, {T, B, U});
  float* gates = k.output(1, {T, B, G});
  float* mh = k.output(2, {T, B, U});
  if (k.failed || T == 0 || B == 0) return;
  const int64_t GP = padded(G);
  std::vector<float> packed = pack(data(rk), U, G, G);
  std::vector<float> m(B * GP), zr(padded(2 * U), 0.f), a(padded(U), 0.f);
  const float* bias = data(rb);
  const float *xpv = data(xp), *h0v = data(h0);
  for (int64_t t = 0; t < T; t++) {
    const float* hp = t == 0 ? h0v : h + (t - 1) * B * U;
    gemm(B, U, GP, hp, U, 1, packed.data(), m.data(), GP, false);
    for (int64_t b = 0; b < B; b++) {
      gruRow(U, xpv + (t * B + b) * G, &m[b * GP], bias, hp + b * U, gates + (t * B + b) * G,
             mh + (t * B + b) * U, h + (t * B + b) * U, zr.data(), a.data());
    }
  }
}

void gruBackward(void*, TF_OpKernelContext* context) {
  Kernel k(context);
  TF_Tensor *rk = k.input(0), *h0 = k.input(1), *h = k.input(2), *gates = k.input(3),
            *mh = k.input(4), *dh = k.input(5);
  if (k.failed || !k.shaped(gates, "gates", {-1, -1, -1})) return;
  const int64_t T = TF_Dim(gates, 0), B = TF_Dim(gates, 1), G = TF_Dim(gates, 2), U = G / 3;
  if (!k.shaped(rk, "recurrent_kernel", {U, G}) || !k.shaped(h0, "h0", {B, U}) ||
      !k.shaped(h, "h", {T, B, U}) || !k.shaped(mh, "mh", {T, B, U}) ||
      !k.shaped(dh, "dh", {T, B, U}))
    return;
  float* dxp = k.output(0, {T, B, G});
  float* drk = k.output(1, {U, G});
  float* drb = k.output(2, {G});
  float* dh0 = k.output(3, {B, U});
  if (k.failed) return;
  const int64_t UP = padded(U), GP = padded(G);
  std::vector<float> packed = packTransposed(data(rk), U, G, G);  // [G, UP]
  std::vector<float> carry(B * UP, 0.f), next(B * UP, 0.f);
  std::vector<float> dm(B * GP, 0.f);     // gradient of m_t = h_{t-1} @ rk + rb, padded
  std::vector<float> dRk(U * GP, 0.f), dRb(G, 0.f);
  const float *h0v = data(h0), *hv = data(h), *gatesv = data(gates), *mhv = data(mh),
              *dhv = data(dh);
  for (int64_t t = T - 1; t >= 0; t--) {
    const float* hp = t == 0 ? h0v : hv + (t - 1) * B * U;
    for (int64_t b = 0; b < B; b++) {
      float* dmr = &dm[b * GP];
      gruBackRow(U, gatesv + (t * B + b) * G, mhv + (t * B + b) * U,
                 dhv + (t * B + b) * U, &carry[b * UP], hp + b * U, &next[b * UP],
                 dxp + (t * B + b) * G, dmr);
      for (int64_t j = 0; j < G; j++) dRb[j] += dmr[j];
    }
    gemm(B, G, UP, dm.data(), GP, 1, packed.data(), next.data(), UP, true);
    gemm(U, B, GP, hp, 1, U, dm.data(), dRk.data(), GP, true);  // += h_{t-1}^T dm_t
    std::swap(carry, next);
  }
  unpad(carry.data(), UP, B, U, dh0);
  unpad(dRk.data(), GP, U, G, drk);
  std::memcpy(drb, dRb.data(), G * sizeof(float));
}

// ---------------------------------------------------------------------------------------------
// GRU, Keras's reset_after=False: z, r = sigmoid(xp_zr + h_prev @ rk_zr), rh = r * h_prev,
// hh = tanh(xp_h + rh @ rk_h), h = z * h_prev + (1 - z) * hh; the bias (3U) is inside xp.

void gruResetBeforeForward(void*, TF_OpKernelContext* context) {
  Kernel k(context);
  TF_Tensor *xp = k.input(0), *rk = k.input(1), *h0 = k.input(2);
  if (k.failed || !k.shaped(xp, "xp", {-1, -1, -1})) return;
  const int64_t T = TF_Dim(xp, 0), B = TF_Dim(xp, 1), G = TF_Dim(xp, 2), U = G / 3;
  if (G % 3 != 0) {
    k.invalid("xp's last dimension must be 3 * units, received " + std::to_string(G));
    return;
  }
  if (!k.shaped(rk, "recurrent_kernel", {U, G}) || !k.shaped(h0, "h0", {B, U})) return;
  float* h = k.output(0, {T, B, U});
  float* gates = k.output(1, {T, B, G});
  float* rh = k.output(2, {T, B, U});
  if (k.failed || T == 0 || B == 0) return;
  const int64_t ZP = padded(2 * U), UP = padded(U);
  std::vector<float> packedZr = pack(data(rk), U, 2 * U, G);
  std::vector<float> packedH = pack(data(rk) + 2 * U, U, U, G);
  std::vector<float> zr(B * ZP), a(B * UP);
  const float *xpv = data(xp), *h0v = data(h0);
  for (int64_t t = 0; t < T; t++) {
    const float* hp = t == 0 ? h0v : h + (t - 1) * B * U;
    float* rht = rh + t * B * U;
    gemm(B, U, ZP, hp, U, 1, packedZr.data(), zr.data(), ZP, false);
    for (int64_t b = 0; b < B; b++) {
      gruGatesRow(U, xpv + (t * B + b) * G, &zr[b * ZP], hp + b * U, gates + (t * B + b) * G,
                  rht + b * U);
    }
    gemm(B, U, UP, rht, U, 1, packedH.data(), a.data(), UP, false);
    for (int64_t b = 0; b < B; b++) {
      gruCandidateRow(U, xpv + (t * B + b) * G, &a[b * UP], hp + b * U, gates + (t * B + b) * G,
                      h + (t * B + b) * U);
    }
  }
}

void gruResetBeforeBackward(void*, TF_OpKernelContext* context) {
  Kernel k(context);
  TF_Tensor *rk = k.input(0), *h0 = k.input(1), *h = k.input(2), *gates = k.input(3),
            *rh = k.input(4), *dh = k.input(5);
  if (k.failed || !k.shaped(gates, "gates", {-1, -1, -1})) return;
  const int64_t T = TF_Dim(gates, 0), B = TF_Dim(gates, 1), G = TF_Dim(gates, 2), U = G / 3;
  if (!k.shaped(rk, "recurrent_kernel", {U, G}) || !k.shaped(h0, "h0", {B, U}) ||
      !k.shaped(h, "h", {T, B, U}) || !k.shaped(rh, "rh", {T, B, U}) ||
      !k.shaped(dh, "dh", {T, B, U}))
    return;
  float* dxp = k.output(0, {T, B, G});
  float* drk = k.output(1, {U, G});
  float* dh0 = k.output(2, {B, U});
  if (k.failed) return;
  const int64_t ZP = padded(2 * U), UP = padded(U);
  std::vector<float> packedZr = packTransposed(data(rk), U, 2 * U, G);  // [2U, UP]
  std::vector<float> packedH = packTransposed(data(rk) + 2 * U, U, U, G);  // [U, UP]
  std::vector<float> carry(B * UP, 0.f), next(B * UP, 0.f), drh(B * UP, 0.f);
  std::vector<float> dzr(B * ZP, 0.f), da(B * UP, 0.f);  // at the pre-activations of z, r; hh
  std::vector<float> dRkZr(U * ZP, 0.f), dRkH(U * UP, 0.f);
  const float *h0v = data(h0), *hv = data(h), *gatesv = data(gates), *rhv = data(rh),
              *dhv = data(dh);
  for (int64_t t = T - 1; t >= 0; t--) {
    const float* hp = t == 0 ? h0v : hv + (t - 1) * B * U;
    const float* rht = rhv + t * B * U;
    for (int64_t b = 0; b < B; b++) {
      gruUpdateBackRow(U, gatesv + (t * B + b) * G, dhv + (t * B + b) * U, &carry[b * UP],
                       hp + b * U, &next[b * UP], dxp + (t * B + b) * G, &dzr[b * ZP],
                       &da[b * UP]);
    }
    gemm(B, U, UP, da.data(), UP, 1, packedH.data(), drh.data(), UP, false);  // da @ rk_h^T
    for (int64_t b = 0; b < B; b++) {
      gruResetBackRow(U, gatesv + (t * B + b) * G, &drh[b * UP], hp + b * U, &next[b * UP],
                      dxp + (t * B + b) * G, &dzr[b * ZP]);
    }
    gemm(B, 2 * U, UP, dzr.data(), ZP, 1, packedZr.data(), next.data(), UP, true);
    gemm(U, B, ZP, hp, 1, U, dzr.data(), dRkZr.data(), ZP, true);  // += h_{t-1}^T dzr_t
    gemm(U, B, UP, rht, 1, U, da.data(), dRkH.data(), UP, true);   // += rh_t^T da_t
    std::swap(carry, next);
  }
  unpad(carry.data(), UP, B, U, dh0);
  for (int64_t i = 0; i < U; i++) {
    std::memcpy(drk + i * G, &dRkZr[i * ZP], 2 * U * sizeof(float));
    std::memcpy(drk + i * G + 2 * U, &dRkH[i * UP], U * sizeof(float));
  }
}

// ---------------------------------------------------------------------------------------------
// LSTM, Keras's gate order i, f, c (g here), o: z = xp + h_prev @ rk; i, f, o = sigmoid,
// g = tanh; c = f * c_prev + i * g; h = o * tanh(c).

void lstmForward(void*, TF_OpKernelContext* context) {
  Kernel k(context);
  TF_Tensor *xp = k.input(0), *rk = k.input(1), *h0 = k.input(2), *c0 = k.input(3);
  if (k.failed || !k.shaped(xp, "xp", {-1, -1, -1})) return;
  const int64_t T = TF_Dim(xp, 0), B = TF_Dim(xp, 1), G = TF_Dim(xp, 2), U = G / 4;
  if (G % 4 != 0) {
    k.invalid("xp's last dimension must be 4 * units, received " + std::to_string(G));
    return;
  }
  if (!k.shaped(rk, "recurrent_kernel", {U, G}) || !k.shaped(h0, "h0", {B, U}) ||
      !k.shaped(c0, "c0", {B, U}))
    return;
  float* h = k.output(0, {T, B, U});
  float* c = k.output(1, {T, B, U});
  float* gates = k.output(2, {T, B, G});
  float* tc = k.output(3, {T, B, U});
  if (k.failed || T == 0 || B == 0) return;
  const int64_t GP = padded(G);
  std::vector<float> packed = pack(data(rk), U, G, G);
  std::vector<float> m(B * GP), act(GP, 0.f), ct(padded(U), 0.f), scale(GP, 1.f);
  for (int64_t j = 2 * U; j < 3 * U; j++) scale[j] = 2.f;
  const float *xpv = data(xp), *h0v = data(h0), *c0v = data(c0);
  for (int64_t t = 0; t < T; t++) {
    const float* hp = t == 0 ? h0v : h + (t - 1) * B * U;
    const float* cp = t == 0 ? c0v : c + (t - 1) * B * U;
    gemm(B, U, GP, hp, U, 1, packed.data(), m.data(), GP, false);
    for (int64_t b = 0; b < B; b++) {
      lstmRow(U, xpv + (t * B + b) * G, &m[b * GP], cp + b * U, gates + (t * B + b) * G,
              c + (t * B + b) * U, h + (t * B + b) * U, tc + (t * B + b) * U, act.data(), ct.data(),
              scale.data());
    }
  }
}

void lstmBackward(void*, TF_OpKernelContext* context) {
  Kernel k(context);
  TF_Tensor *rk = k.input(0), *h0 = k.input(1), *c0 = k.input(2), *h = k.input(3), *c = k.input(4),
            *tc = k.input(5), *gates = k.input(6), *dh = k.input(7), *dc = k.input(8);
  if (k.failed || !k.shaped(gates, "gates", {-1, -1, -1})) return;
  const int64_t T = TF_Dim(gates, 0), B = TF_Dim(gates, 1), G = TF_Dim(gates, 2), U = G / 4;
  if (!k.shaped(rk, "recurrent_kernel", {U, G}) || !k.shaped(h0, "h0", {B, U}) ||
      !k.shaped(c0, "c0", {B, U}) || !k.shaped(h, "h", {T, B, U}) || !k.shaped(c, "c", {T, B, U}) ||
      !k.shaped(tc, "tc", {T, B, U}) || !k.shaped(dh, "dh", {T, B, U}) ||
      !k.shaped(dc, "dc", {T, B, U}))
    return;
  float* dxp = k.output(0, {T, B, G});
  float* drk = k.output(1, {U, G});
  float* dh0 = k.output(2, {B, U});
  float* dc0 = k.output(3, {B, U});
  if (k.failed) return;
  const int64_t UP = padded(U), GP = padded(G);
  std::vector<float> packed = packTransposed(data(rk), U, G, G);  // [G, UP]
  std::vector<float> carryH(B * UP, 0.f), carryC(B * U, 0.f), next(B * UP, 0.f);
  std::vector<float> dz(B * GP, 0.f), dRk(U * GP, 0.f);
  const float *h0v = data(h0), *hv = data(h), *c0v = data(c0), *cv = data(c), *tcv = data(tc),
              *gatesv = data(gates), *dhv = data(dh), *dcv = data(dc);
  for (int64_t t = T - 1; t >= 0; t--) {
    const float* hp = t == 0 ? h0v : hv + (t - 1) * B * U;
    const float* cp = t == 0 ? c0v : cv + (t - 1) * B * U;
    for (int64_t b = 0; b < B; b++) {
      float* dzr = &dz[b * GP];
      float* dx = dxp + (t * B + b) * G;
      lstmBackRow(U, gatesv + (t * B + b) * G, tcv + (t * B + b) * U, cp + b * U,
                  dhv + (t * B + b) * U, dcv + (t * B + b) * U, &carryH[b * UP],
                  &carryC[b * U], dzr);
      std::memcpy(dx, dzr, G * sizeof(float));
    }
    gemm(B, G, UP, dz.data(), GP, 1, packed.data(), next.data(), UP, false);
    gemm(U, B, GP, hp, 1, U, dz.data(), dRk.data(), GP, true);  // += h_{t-1}^T dz_t
    std::swap(carryH, next);
  }
  unpad(carryH.data(), UP, B, U, dh0);
  std::memcpy(dc0, carryC.data(), B * U * sizeof(float));
  unpad(dRk.data(), GP, U, G, drk);
}

// ---------------------------------------------------------------------------------------------
// SimpleRNN with tanh: h_t = tanh(xp_t + h_{t-1} @ rk).

void simpleForward(void*, TF_OpKernelContext* context) {
  Kernel k(context);
  TF_Tensor *xp = k.input(0), *rk = k.input(1), *h0 = k.input(2);
  if (k.failed || !k.shaped(xp, "xp", {-1, -1, -1})) return;
  const int64_t T = TF_Dim(xp, 0), B = TF_Dim(xp, 1), U = TF_Dim(xp, 2);
  if (!k.shaped(rk, "recurrent_kernel", {U, U}) || !k.shaped(h0, "h0", {B, U})) return;
  float* h = k.output(0, {T, B, U});
  if (k.failed || T == 0 || B == 0) return;
  const int64_t UP = padded(U);
  std::vector<float> packed = pack(data(rk), U, U, U);
  std::vector<float> m(B * UP, 0.f);
  const float *xpv = data(xp), *h0v = data(h0);
  for (int64_t t = 0; t < T; t++) {
    const float* hp = t == 0 ? h0v : h + (t - 1) * B * U;
    gemm(B, U, UP, hp, U, 1, packed.data(), m.data(), UP, false);
    for (int64_t b = 0; b < B; b++) {
      float* mr = &m[b * UP];
      const float* x = xpv + (t * B + b) * U;
      for (int64_t j = 0; j < U; j++) mr[j] += x[j];
      tanhAll(mr, UP);
      std::memcpy(h + (t * B + b) * U, mr, U * sizeof(float));
    }
  }
}

void simpleBackward(void*, TF_OpKernelContext* context) {
  Kernel k(context);
  TF_Tensor *rk = k.input(0), *h0 = k.input(1), *h = k.input(2), *dh = k.input(3);
  if (k.failed || !k.shaped(h, "h", {-1, -1, -1})) return;
  const int64_t T = TF_Dim(h, 0), B = TF_Dim(h, 1), U = TF_Dim(h, 2);
  if (!k.shaped(rk, "recurrent_kernel", {U, U}) || !k.shaped(h0, "h0", {B, U}) ||
      !k.shaped(dh, "dh", {T, B, U}))
    return;
  float* dxp = k.output(0, {T, B, U});
  float* drk = k.output(1, {U, U});
  float* dh0 = k.output(2, {B, U});
  if (k.failed) return;
  const int64_t UP = padded(U);
  std::vector<float> packed = packTransposed(data(rk), U, U, U);  // [U, UP]
  std::vector<float> carry(B * UP, 0.f), next(B * UP, 0.f), da(B * UP, 0.f), dRk(U * UP, 0.f);
  const float *h0v = data(h0), *hv = data(h), *dhv = data(dh);
  for (int64_t t = T - 1; t >= 0; t--) {
    const float* hp = t == 0 ? h0v : hv + (t - 1) * B * U;
    for (int64_t b = 0; b < B; b++) {
      const float* ht = hv + (t * B + b) * U;
      const float* dht = dhv + (t * B + b) * U;
      const float* cr = &carry[b * UP];
      float* dar = &da[b * UP];
      for (int64_t j = 0; j < U; j++) dar[j] = (dht[j] + cr[j]) * (1.f - ht[j] * ht[j]);
      std::memcpy(dxp + (t * B + b) * U, dar, U * sizeof(float));
    }
    gemm(B, U, UP, da.data(), UP, 1, packed.data(), next.data(), UP, false);
    gemm(U, B, UP, hp, 1, U, da.data(), dRk.data(), UP, true);  // += h_{t-1}^T da_t
    std::swap(carry, next);
  }
  unpad(carry.data(), UP, B, U, dh0);
  unpad(dRk.data(), UP, U, U, drk);
}

// ---------------------------------------------------------------------------------------------
// Shape functions and registration

struct Shapes {
  TF_ShapeInferenceContext* ctx;
  TF_Status* status;
  std::vector<TF_ShapeHandle*> handles;
  Shapes(TF_ShapeInferenceContext* c, TF_Status* s) : ctx(c), status(s) {}
  ~Shapes() {
    for (TF_ShapeHandle* h : handles) TF_DeleteShapeHandle(h);
  }
  TF_ShapeHandle* make() {
    handles.push_back(TF_NewShapeHandle());
    return handles.back();
  }
  TF_ShapeHandle* input(int i) {
    TF_ShapeHandle* h = make();
    TF_ShapeInferenceContextGetInput(ctx, i, h, status);
    return h;
  }
  // [T, B] of `sequence` followed by [U] of `state` (B, U)
  TF_ShapeHandle* sequenceOf(int sequence, int state) {
    TF_ShapeHandle *tb = make(), *u = make(), *out = make();
    TF_ShapeInferenceContextSubshape(ctx, input(sequence), 0, 2, tb, status);
    TF_ShapeInferenceContextSubshape(ctx, input(state), 1, 2, u, status);
    TF_ShapeInferenceContextConcatenateShapes(ctx, tb, u, out, status);
    return out;
  }
  void set(int i, TF_ShapeHandle* h) {
    if (TF_GetCode(status) == TF_OK) TF_ShapeInferenceContextSetOutput(ctx, i, h, status);
  }
};

void gruForwardShape(TF_ShapeInferenceContext* ctx, TF_Status* status) {
  Shapes s(ctx, status);
  TF_ShapeHandle* h = s.sequenceOf(0, 3);
  s.set(0, h);
  s.set(1, s.input(0));
  s.set(2, h);
}

void gruBackwardShape(TF_ShapeInferenceContext* ctx, TF_Status* status) {
  Shapes s(ctx, status);
  TF_ShapeHandle* g = s.make();
  TF_ShapeInferenceContextSubshape(ctx, s.input(0), 1, 2, g, status);
  s.set(0, s.input(3));
  s.set(1, s.input(0));
  s.set(2, g);
  s.set(3, s.input(1));
}

void gruResetBeforeForwardShape(TF_ShapeInferenceContext* ctx, TF_Status* status) {
  Shapes s(ctx, status);
  TF_ShapeHandle* h = s.sequenceOf(0, 2);
  s.set(0, h);
  s.set(1, s.input(0));
  s.set(2, h);
}

void gruResetBeforeBackwardShape(TF_ShapeInferenceContext* ctx, TF_Status* status) {
  Shapes s(ctx, status);
  s.set(0, s.input(3));
  s.set(1, s.input(0));
  s.set(2, s.input(1));
}

void lstmForwardShape(TF_ShapeInferenceContext* ctx, TF_Status* status) {
  Shapes s(ctx, status);
  TF_ShapeHandle* h = s.sequenceOf(0, 2);
  s.set(0, h);
  s.set(1, h);
  s.set(2, s.input(0));
  s.set(3, h);
}

void lstmBackwardShape(TF_ShapeInferenceContext* ctx, TF_Status* status) {
  Shapes s(ctx, status);
  s.set(0, s.input(6));
  s.set(1, s.input(0));
  s.set(2, s.input(1));
  s.set(3, s.input(2));
}

void simpleForwardShape(TF_ShapeInferenceContext* ctx, TF_Status* status) {
  Shapes s(ctx, status);
  s.set(0, s.input(0));
}

void simpleBackwardShape(TF_ShapeInferenceContext* ctx, TF_Status* status) {
  Shapes s(ctx, status);
  s.set(0, s.input(2));
  s.set(1, s.input(0));
  s.set(2, s.input(1));
}

void define(const char* name, std::vector<const char*> inputs, std::vector<const char*> outputs,
            void (*shape)(TF_ShapeInferenceContext*, TF_Status*),
            void (*compute)(void*, TF_OpKernelContext*)) {
  TF_Status* status = TF_NewStatus();
  TF_OpDefinitionBuilder* op = TF_NewOpDefinitionBuilder(name);
  for (const char* in : inputs) TF_OpDefinitionBuilderAddInput(op, in);
  for (const char* out : outputs) TF_OpDefinitionBuilderAddOutput(op, out);
  TF_OpDefinitionBuilderSetShapeInferenceFunction(op, shape);
  TF_RegisterOpDefinition(op, status);
  if (TF_GetCode(status) == TF_OK) {
    TF_KernelBuilder* kernel = TF_NewKernelBuilder(name, "CPU", nullptr, compute, nullptr);
    TF_RegisterKernelBuilder(name, kernel, status);
  }
  if (TF_GetCode(status) != TF_OK) std::fprintf(stderr, "rnnbook: could not register %s\n", name);
  TF_DeleteStatus(status);
}

[[maybe_unused]] const bool registered = [] {
  define("RnnbookGruSequence", {"xp: float", "rk: float", "rb: float", "h0: float"},
         {"h: float", "gates: float", "mh: float"}, gruForwardShape, gruForward);
  define("RnnbookGruSequenceGrad",
         {"rk: float", "h0: float", "h: float", "gates: float", "mh: float", "dh: float"},
         {"dxp: float", "drk: float", "drb: float", "dh0: float"}, gruBackwardShape, gruBackward);
  define("RnnbookGruResetBeforeSequence", {"xp: float", "rk: float", "h0: float"},
         {"h: float", "gates: float", "rh: float"}, gruResetBeforeForwardShape,
         gruResetBeforeForward);
  define("RnnbookGruResetBeforeSequenceGrad",
         {"rk: float", "h0: float", "h: float", "gates: float", "rh: float", "dh: float"},
         {"dxp: float", "drk: float", "dh0: float"}, gruResetBeforeBackwardShape,
         gruResetBeforeBackward);
  define("RnnbookLstmSequence", {"xp: float", "rk: float", "h0: float", "c0: float"},
         {"h: float", "c: float", "gates: float", "tc: float"}, lstmForwardShape, lstmForward);
  define("RnnbookLstmSequenceGrad",
         {"rk: float", "h0: float", "c0: float", "h: float", "c: float", "tc: float",
          "gates: float", "dh: float", "dc: float"},
         {"dxp: float", "drk: float", "dh0: float", "dc0: float"}, lstmBackwardShape, lstmBackward);
  define("RnnbookSimpleRnnSequence", {"xp: float", "rk: float", "h0: float"}, {"h: float"},
         simpleForwardShape, simpleForward);
  define("RnnbookSimpleRnnSequenceGrad", {"rk: float", "h0: float", "h: float", "dh: float"},
         {"dxp: float", "drk: float", "dh0: float"}, simpleBackwardShape, simpleBackward);
  return true;
}();

}  // namespace
