// rnnbook's recurrent kernels for TensorFlow: the time loop of Keras's GRU (reset_after True and
// False), LSTM and SimpleRNN (tanh), forward and backward, each as one op. Mostly only the loop
// lives here: the input projection (x @ kernel over all timesteps) and its gradients stay
// TensorFlow ops; the ops add the input bias b themselves (xp + b, rounded as TensorFlow's BiasAdd
// rounds it), so that no pass over xp is spent on it. For a layer with up to 32 input features
// (the Java side decides) the forward ops take x and the kernel k instead of xp and project each
// timestep's rows in the loop, with TensorFlow's MatMul's bits (see projected): the MatMul op, its
// dispatch and xp's pass over memory go (TensorFlow's MatMul is slowest on the thinnest products).
//
// Built by the Maven build (src/main/native/build-kernels.sh) for three x86-64 levels, one picked
// at run time by rnnbook.keras.layers.NativeKernels and loaded with TensorFlow.loadLibrary. It
// uses TensorFlow's stable C API (tensorflow/c/ops.h, tensorflow/c/kernels.h), exported by libtensorflow_framework.so.2; the few declarations it needs
// are below, so no TensorFlow headers are required.
//
// Layouts are time-major, float32, row-major:
//   RnnbookGruSequence(xp[T,B,3U], rk[U,3U], rb[3U], h0[B,U], b[3U]) -> h[T,B,U], gates[T,B,3U], mh[T,B,U],
//     last[B,U]: gates = (z, r, hh) after their activations, mh = h_prev @ rk_h + rb_h (kept for
//     backward), last = h at the last timestep (h0 when there are none)
//   RnnbookGruSequenceGrad(rk, h0, h, gates, mh, dh[T,B,U], dlast[B,U]) -> dxp, drk[U,3U], drb[3U], dh0[B,U]
//   RnnbookGruResetBeforeSequence(xp[T,B,3U], rk[U,3U], h0[B,U], b[3U]) -> h, gates[T,B,3U], rh[T,B,U],
//     last[B,U]: reset_after=False, gates = (z, r, hh), rh = r * h_prev (kept for backward)
//   RnnbookGruResetBeforeSequenceGrad(rk, h0, h, gates, rh, dh[T,B,U], dlast[B,U]) -> dxp, drk, dh0
//   RnnbookLstmSequence(xp[T,B,4U], rk[U,4U], h0[B,U], c0[B,U], b[4U]) -> h, c, gates[T,B,4U], tc[T,B,U],
//     last[B,U]: gates = (i, f, g, o) after their activations, tc = tanh(c)
//   RnnbookLstmSequenceGrad(rk, h0, c0, h, c, tc, gates, dh[T,B,U], dc[T,B,U], dlast[B,U])
//     -> dxp, drk, dh0, dc0
//   RnnbookSimpleRnnSequence(xp[T,B,U], rk[U,U], h0[B,U], b[U]) -> h[T,B,U], last[B,U]     (tanh)
//   RnnbookSimpleRnnSequenceGrad(rk, h0, h, dh[T,B,U], dlast[B,U]) -> dxp, drk, dh0
// Every forward op also takes k, last: [0] (the empty form) when input 0 is xp as above; else
// input 0 is x[T,B,F] and k the kernel [F,width], and the op computes xp = x @ k itself (the
// gradient ops are the same either way: they give dxp).
// Their states h0 and c0 may be [0] too, for zeros (the gradient ops then give [0] for theirs).
// The GRU and LSTM ops have forward-only forms for validation and prediction (Rnnbook*Inference:
// the same inputs, h alone).
// The gradients' dh, dc and dlast may be [0], for zeros: a layer that returns its last state only
// (its output "last") gets no sequence of zeros around that state's gradient.
// Each gradient op gives the gradients of its forward op's inputs but b, from those of h (and c);
// b's is the sum of dxp over timesteps and rows (TensorFlow's BiasAddGrad, in the graph).
// An op's large output may take the memory of an input of the same size that nothing else reads
// (TensorFlow decides): gates over xp, dxp over gates (h over xp and dxp over dh for SimpleRNN).
// Each element of such an input is read before its own element of the output is written.
// Every op has the attribute threads (1 or 2, default 1): with 2 it may run the second half of
// the batch on a worker thread (halves, below); the results are the same bits either way.

#include <atomic>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <immintrin.h>
#include <mutex>
#include <pthread.h>
#include <string>
#include <thread>
#include <type_traits>
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
void TF_OpKernelConstruction_GetAttrInt64(TF_OpKernelConstruction* ctx, const char* attr_name,
                                          int64_t* val, TF_Status* status);
TF_Tensor* TF_ForwardInputOrAllocateOutput(TF_OpKernelContext* context,
                                           const int* candidate_input_indices,
                                           int num_candidate_input_indices, int output_index,
                                           const int64_t* output_dims, int output_num_dims,
                                           int* forwarded_input, TF_Status* status);
TF_Tensor* TF_AllocateOutput(TF_OpKernelContext* context, int index, TF_DataType dtype,
                             const int64_t* dims, int num_dims, size_t len, TF_Status* status);

TF_OpDefinitionBuilder* TF_NewOpDefinitionBuilder(const char* op_name);
void TF_RegisterOpDefinition(TF_OpDefinitionBuilder* builder, TF_Status* status);
void TF_OpDefinitionBuilderAddInput(TF_OpDefinitionBuilder* builder, const char* input_spec);
void TF_OpDefinitionBuilderAddOutput(TF_OpDefinitionBuilder* builder, const char* output_spec);
void TF_OpDefinitionBuilderAddAttr(TF_OpDefinitionBuilder* builder, const char* attr_spec);
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

// calls f(std::integral_constant<int, RB>(), b) for the blocks of RB rows of [b0, b1), then once
// for the remaining rows with a smaller constant
template <int N, typename F>
void rowTail(int64_t rows, int64_t b, F& f) {
  if constexpr (N > 0) {
    if (rows == N) {
      f(std::integral_constant<int, N>(), b);
    } else {
      rowTail<N - 1>(rows, b, f);
    }
  }
}

template <int RB, typename F>
void rowBlocks(int64_t b0, int64_t b1, F&& f) {
  int64_t b = b0;
  for (; b + RB <= b1; b += RB) f(std::integral_constant<int, RB>(), b);
  if (b < b1) rowTail<RB - 1>(b1 - b, b, f);
}

// calls f(std::integral_constant<int, NV>(), j) for the chunks of up to MAX_NV vectors of the
// columns [0, np) (np a multiple of VW), NV the chunk's vectors
template <typename F>
void columnBlocks(int64_t np, F&& f) {
  for (int64_t j = 0; j < np; j += MAX_NV * VW) {
    switch (std::min<int64_t>(MAX_NV, (np - j) / VW)) {
      case 1: f(std::integral_constant<int, 1>(), j); break;
      case 2: f(std::integral_constant<int, 2>(), j); break;
      case 3: f(std::integral_constant<int, 3>(), j); break;
      default: f(std::integral_constant<int, MAX_NV>(), j); break;
    }
  }
}

// C[m, np] (+)= A[m, k] @ P[k, np]; A[i][q] at a[i * lda + q * step] (step = 1: row-major A;
// lda = 1, step = rows of the stored matrix: A is a transposed row-major matrix)
void gemm(int64_t m, int64_t k, int64_t np, const float* a, int64_t lda, int64_t step,
          const float* p, float* c, int64_t ldc, bool accumulate) {
  columnBlocks(np, [&](auto nv, int64_t j) {
    rowBlocks<rowsPerBlock(nv())>(0, m, [&](auto rb, int64_t i) {
      block<nv(), rb()>(k, a + i * lda, lda, step, p + j, np, c + i * ldc + j, ldc, accumulate);
    });
  });
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

// ---------------------------------------------------------------------------------------------
// Whole vectors of gates: partial loads and stores (lanes [0, n), n <= VW; loads zero the rest),
// and exp, sigmoid and tanh inline (no call, no branch), so that a cell's gates are computed in
// registers right after their products. vexp: Cody-Waite reduction by ln 2 and Cephes's expf
// polynomial (~1 ulp), clamped to [-87, 88] where float's exp is finite.

typedef int32_t vint __attribute__((vector_size(VW * sizeof(int32_t))));

#if defined(__AVX512F__)
inline vfloat loadN(const float* p, int n) {
  return (vfloat)_mm512_maskz_loadu_ps(static_cast<__mmask16>((1u << n) - 1), p);
}
inline void storeN(float* p, vfloat v, int n) {
  _mm512_mask_storeu_ps(p, static_cast<__mmask16>((1u << n) - 1), (__m512)v);
}
inline vfloat vround(vfloat x) {
  return (vfloat)_mm512_roundscale_ps((__m512)x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
}
#elif defined(__AVX2__)
inline __m256i laneMask(int n) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}
inline vfloat loadN(const float* p, int n) { return (vfloat)_mm256_maskload_ps(p, laneMask(n)); }
// not vmaskmovps: its store form is microcoded and slow on AMD's cores
inline void storeN(float* p, vfloat v, int n) {
  if (n == VW) {
    store(p, v);
    return;
  }
  __m128 part = _mm256_castps256_ps128((__m256)v);
  if (n >= 4) {
    _mm_storeu_ps(p, part);
    part = _mm256_extractf128_ps((__m256)v, 1);
    p += 4;
    n -= 4;
  }
  if (n >= 2) {
    _mm_storel_pi(reinterpret_cast<__m64*>(p), part);
    part = _mm_movehl_ps(part, part);
    p += 2;
    n -= 2;
  }
  if (n == 1) _mm_store_ss(p, part);
}
inline vfloat vround(vfloat x) {
  return (vfloat)_mm256_round_ps((__m256)x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
}
#else
inline vfloat loadN(const float* p, int n) {
  vfloat v{};
  for (int l = 0; l < n; l++) v[l] = p[l];
  return v;
}
inline void storeN(float* p, vfloat v, int n) {
  for (int l = 0; l < n; l++) p[l] = v[l];
}
inline vfloat vround(vfloat x) {
  return (vfloat)_mm_round_ps((__m128)x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
}
#endif

inline vfloat splat(float x) { return vfloat{} + x; }

// xp + b as TensorFlow's BiasAdd computes it, one rounding, kept apart from the sums that follow
// (-ffast-math would otherwise be free to reassociate them)
inline vfloat biased(vfloat xp, vfloat b) {
  vfloat v = xp + b;
  asm("" : "+v"(v));
  return v;
}

inline vfloat vexp(vfloat x) {
  // finite, so that 1 / (1 + exp(x)) (a reciprocal and a Newton step under -mrecip) is not NaN
  const vfloat hi = splat(88.f), lo = splat(-87.f);
  x = x < hi ? x : hi;
  x = x > lo ? x : lo;
  vfloat n = vround(x * 1.44269504088896341f);
  vfloat r = x - n * 0.693359375f;  // exact: ln 2's first 9 bits
#if !defined(__FMA__)
  asm("" : "+x"(r));  // keeps -ffast-math from folding the two parts of ln 2 into one
#endif
  r = r - n * -2.12194440e-4f;
  vfloat r2 = r * r;  // the polynomial in Estrin's scheme: a shorter chain of dependent steps
  vfloat p = (r * 1.6666665459e-1f + 5.0000001201e-1f) +
             r2 * ((r * 8.3334519073e-3f + 4.1665795894e-2f) +
                   r2 * (r * 1.9875691500e-4f + 1.3981999507e-3f));
  p = p * r2 + (r + 1.f);
#if defined(__AVX512F__)
  return (vfloat)_mm512_scalef_ps((__m512)p, (__m512)n);  // p * 2^n
#else
  vint e = (__builtin_convertvector(n, vint) + 127) << 23;
  return p * (vfloat)e;
#endif
}

inline vfloat vsigmoid(vfloat x) { return 1.f / (1.f + vexp(-x)); }

inline vfloat vtanh(vfloat x) { return 2.f / (1.f + vexp(-2.f * x)) - 1.f; }

// The input projection inside the loop, for RB rows and NV vectors of VW units: z[r][v] =
// x's row r (the rows' F values one after another from x) @ k for the units at p + v * VW, k
// packed like rk (row f at p + f * ld). Each sum starts from zero and takes the products in
// ascending order of f, each a fused multiply-add: the bits of TensorFlow's MatMul (oneDNN) for
// these shapes, so that where the projection runs does not change the layer's numbers. The rows'
// and vectors' sums advance together, one f at a time, as the recurrent product's do; the barrier
// keeps the compiler from folding the zero.
template <int RB, int NV>
inline void projected(vfloat (&z)[RB][NV], const float* x, int64_t F, const float* p, int64_t ld) {
  for (int r = 0; r < RB; r++)
    for (int v = 0; v < NV; v++) {
      z[r][v] = vfloat{};
      asm("" : "+v"(z[r][v]));
    }
  for (int64_t f = 0; f < F; f++) {
    const float* pf = p + f * ld;
    for (int r = 0; r < RB; r++) {
      float a = x[r * F + f];
      for (int v = 0; v < NV; v++) z[r][v] = a * load(pf + v * VW) + z[r][v];
    }
  }
}

// w[rows, gates * U] (Keras's gate blocks side by side) packed as [rows][UP / VW][gates][VW]:
// per chunk of VW units the gates' vectors one after another, zero-padded (UP = padded(U))
std::vector<float> packGates(const float* w, int64_t rows, int64_t U, int gates) {
  const int64_t UP = padded(U);
  std::vector<float> out(rows * gates * UP, 0.f);
  for (int64_t q = 0; q < rows; q++)
    for (int g = 0; g < gates; g++)
      for (int64_t j = 0; j < U; j++)
        out[q * gates * UP + (j / VW) * gates * VW + g * VW + j % VW] = w[q * gates * U + g * U + j];
  return out;
}

// the inverse of packGates' layout, for one [rows][gates * UP] buffer into w[rows, gates * U]
void unpackGates(const float* from, int64_t rows, int64_t U, int gates, float* w) {
  const int64_t UP = padded(U);
  for (int64_t q = 0; q < rows; q++)
    for (int g = 0; g < gates; g++)
      for (int64_t j = 0; j < U; j++)
        w[q * gates * U + g * U + j] = from[q * gates * UP + (j / VW) * gates * VW + g * VW + j % VW];
}

// A second thread for the other half of the batch: one worker for the process, started when
// first asked. It takes the caller's floating-point mode with each job (TensorFlow's threads
// flush denormals to zero, which changes results and, for fading gradients, speed). Waking a
// sleeping thread costs tens of microseconds on a virtual machine, so the worker spins a little
// before it sleeps and the caller spins, then yields, while it waits; a job the worker has not
// started when the caller's own half is done (the worker did not get a core) is taken back and
// run by the caller.
class Worker {
 public:
  static Worker& instance() {
    static Worker* worker = new Worker();  // never destroyed: its thread outlives static teardown
    return *worker;
  }

  // posts job for the worker, unless another op holds it
  bool tryStart(const std::function<void()>* job) {
    bool free = false;
    if (!held_.compare_exchange_strong(free, true)) return false;
    job_ = job;
    csr_ = _mm_getcsr();
    {
      std::lock_guard<std::mutex> lock(mutex_);
      state_.store(POSTED, std::memory_order_release);
    }
    wake_.notify_one();
    return true;
  }

  // after the caller's own half: runs the job here if the worker has not started it, else waits
  // for it; then releases the worker
  void finish() {
    int posted = POSTED;
    if (state_.compare_exchange_strong(posted, IDLE)) {
      (*job_)();
    } else {
      for (int spins = 0; state_.load(std::memory_order_acquire) != DONE; spins++) {
        if (spins < SPINS) {
          _mm_pause();
        } else {
          std::this_thread::yield();
        }
      }
      state_.store(IDLE, std::memory_order_relaxed);
    }
    held_.store(false, std::memory_order_release);
  }

 private:
  enum State { IDLE, POSTED, RUNNING, DONE };
  static constexpr int SPINS = 4096;  // pauses, some 50 to 150 microseconds

  Worker() { std::thread([this] { run(); }).detach(); }

  void run() {
    pthread_setname_np(pthread_self(), "rnnbook-kernel");  // as /proc/PID/task/TID/comm shows it
    for (;;) {
      for (int spins = 0; spins < SPINS && state_.load(std::memory_order_acquire) != POSTED; spins++)
        _mm_pause();
      if (state_.load(std::memory_order_acquire) != POSTED) {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [this] { return state_.load(std::memory_order_acquire) == POSTED; });
      }
      int posted = POSTED;
      if (!state_.compare_exchange_strong(posted, RUNNING)) continue;  // the caller took it back
      _mm_setcsr(csr_);
      (*job_)();
      state_.store(DONE, std::memory_order_release);
    }
  }

  std::mutex mutex_;
  std::condition_variable wake_;
  std::atomic<int> state_{IDLE};
  std::atomic<bool> held_{false};
  const std::function<void()>* job_ = nullptr;
  unsigned csr_ = 0;
};

std::atomic<int> opsRunning{0};  // these ops running in the process now

// Batches smaller than this are not worth a second thread: with the chapter's 32 rows a kernel
// takes 50-300 microseconds, and in a training step (its inputs just written by TensorFlow's ops
// on the caller's core) the split made the steps slower, not faster; validation and prediction
// on 512 rows gained a third.
constexpr int64_t MIN_SPLIT_ROWS = 128;

// The batch rows [0, mid) and [mid, B), mid = ceil(B / 2): f(half, first row, end row). The
// rows are independent through a layer's time loop; the backward passes sum the weight gradients
// per half and add the two halves at the end, so that the bits do not depend on how the halves
// are run. With threads >= 2 (the op's attribute, set per model), the second half runs on the
// worker when it is free and no other of these ops is running at this moment (models training
// side by side then keep one core each); otherwise both run here, one after the other.
template <typename F>
void halves(int64_t B, int64_t threads, F&& f) {
  const int64_t mid = (B + 1) / 2;
  struct Running {
    Running() { opsRunning++; }
    ~Running() { opsRunning--; }
  } running;
  const std::function<void()> second = [&] { f(1, mid, B); };
  if (threads > 1 && B >= MIN_SPLIT_ROWS && opsRunning.load() == 1 &&
      Worker::instance().tryStart(&second)) {
    f(0, int64_t{0}, mid);
    Worker::instance().finish();
  } else {
    f(0, int64_t{0}, mid);
    second();
  }
}

// One half's recurrent-kernel gradient, dRk[U][width] += h_{t-1}^T d_t over its rows, from
// t = T - 1 down and each timestep's rows in order; up to 4 timesteps per product: the same sums
// in the same order as one product per timestep, with fewer loads and stores of the sums. The
// window's d rows stay within 32 KB (in the L1 cache: with 128 units one timestep fills it, and a
// larger window ran slower than none). The h rows are read where they are (h or h0), not copied:
// the product walks the window's timesteps (slots) and each one's rows, the k order of one
// product over the rows copied one after another.
// dRk rows [i, i + RB), columns [j, j + NV * VW): += the window's h rows (slot sl: hs[sl], [rows][U])
// transposed @ its d rows (ds, [slots * rows][ldp], from column j)
template <int NV, int RB>
void slotBlock(int slots, const float* const* hs, int64_t rows, int64_t U, int64_t i, const float* p,
               int64_t ldp, float* c, int64_t ldc) {
  vfloat acc[RB][NV];
  for (int r = 0; r < RB; r++)
    for (int v = 0; v < NV; v++) acc[r][v] = load(c + r * ldc + v * VW);
  const float* pq = p;
  for (int sl = 0; sl < slots; sl++) {
    const float* a = hs[sl] + i;
    for (int64_t row = 0; row < rows; row++, pq += ldp) {
      for (int r = 0; r < RB; r++) {
        float x = a[row * U + r];
        for (int v = 0; v < NV; v++) acc[r][v] += x * load(pq + v * VW);
      }
    }
  }
  for (int r = 0; r < RB; r++)
    for (int v = 0; v < NV; v++) store(c + r * ldc + v * VW, acc[r][v]);
}

// dRk[U][np] += (the slots' h rows, one after another)^T @ ds[slots * rows][np]: gemm's blocking
// and order with A read in place
void slotGemm(int slots, const float* const* hs, int64_t rows, int64_t U, int64_t np,
              const float* ds, float* dRk) {
  columnBlocks(np, [&](auto nv, int64_t j) {
    rowBlocks<rowsPerBlock(nv())>(0, U, [&](auto rb, int64_t i) {
      slotBlock<nv(), rb()>(slots, hs, rows, U, i, ds + j, np, dRk + i * np + j, np);
    });
  });
}

class KernelGrad {
 public:
  KernelGrad(int64_t U, int64_t rows, int64_t width, float* dRk)
      : U(U), rows(rows), width(width), window(windowOf(rows * width)), dRk(dRk),
        ds(window * rows * width) {}

  // where this timestep's d rows go ([rows][width], padded)
  float* rowsOfD() { return &ds[filled * rows * width]; }

  // the timestep's h_{t-1} rows ([rows][U], read in place until the window's product), once its d
  // rows are written
  void add(const float* hp) {
    hs[filled] = hp;
    if (++filled == window) flush();
  }

  void flush() {
    if (filled > 0) slotGemm(static_cast<int>(filled), hs, rows, U, width, ds.data(), dRk);
    filled = 0;
  }

 private:
  static constexpr int64_t MAX_WINDOW = 4;

  static int64_t windowOf(int64_t floatsPerTimestep) {
    const int64_t fit = 32768 / (std::max<int64_t>(floatsPerTimestep, 1) * sizeof(float));
    return std::max<int64_t>(1, std::min<int64_t>(MAX_WINDOW, fit));
  }

  int64_t U, rows, width, window;
  float* dRk;
  std::vector<float> ds;
  const float* hs[MAX_WINDOW] = {};
  int64_t filled = 0;
};

// Activations over whole vectors of padded scratch rows (n a multiple of VW), so that the compiler
// calls glibc's vector exp (libmvec) with no scalar remainder; tanh(x) = 2 sigmoid(2x) - 1.

#define R __restrict

inline void sigmoidAll(float* R v, int64_t n) {
  for (int64_t j = 0; j < n; j++) v[j] = 1.f / (1.f + std::exp(-v[j]));
}

inline void tanhAll(float* R v, int64_t n) {
  for (int64_t j = 0; j < n; j++) v[j] = 2.f / (1.f + std::exp(-2.f * v[j])) - 1.f;
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

#undef R

// ---------------------------------------------------------------------------------------------
// Kernel plumbing

struct Kernel {
  TF_OpKernelContext* ctx;
  TF_Status* status = TF_NewStatus();
  std::vector<TF_Tensor*> inputs, outputs;  // handles this op holds (inputs by index)
  bool failed = false;

  explicit Kernel(TF_OpKernelContext* c) : ctx(c) {}
  ~Kernel() {
    for (TF_Tensor* t : inputs)
      if (t != nullptr) TF_DeleteTensor(t);
    for (TF_Tensor* t : outputs) TF_DeleteTensor(t);
    TF_DeleteStatus(status);
  }

  TF_Tensor* input(int i) {
    TF_Tensor* t = nullptr;
    TF_GetInput(ctx, i, &t, status);
    if (TF_GetCode(status) != TF_OK) {
      fail();
      return nullptr;
    }
    if (static_cast<int>(inputs.size()) <= i) inputs.resize(i + 1, nullptr);
    inputs[i] = t;
    return t;
  }

  // lets go of this handle of input i: TensorFlow gives an input's memory to an output only while
  // nothing but the op's own context holds it (its data stays valid: the context keeps it)
  void release(int i) {
    if (i >= static_cast<int>(inputs.size()) || inputs[i] == nullptr) return;
    TF_DeleteTensor(inputs[i]);
    inputs[i] = nullptr;
  }

  // output i; with reuse >= 0, in input reuse's memory when TensorFlow allows it (same size,
  // read by nothing else). The caller takes that input's data pointer before: its handle is
  // released here.
  float* output(int i, std::vector<int64_t> dims, int reuse = -1) {
    size_t n = 1;
    for (int64_t d : dims) n *= static_cast<size_t>(d);
    int forwarded = -1;
    if (reuse >= 0) release(reuse);
    TF_Tensor* t =
        reuse >= 0 ? TF_ForwardInputOrAllocateOutput(ctx, &reuse, 1, i, dims.data(),
                                                     static_cast<int>(dims.size()), &forwarded, status)
                   : TF_AllocateOutput(ctx, i, TF_FLOAT, dims.data(), static_cast<int>(dims.size()),
                                       n * sizeof(float), status);
    if (TF_GetCode(status) != TF_OK) {
      fail();
      return nullptr;
    }
    outputs.push_back(t);
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

  // true when xp's last dimension, width, holds the given number of gate blocks of units each
  bool gateBlocks(int64_t width, int gates) {
    if (width % gates == 0) return true;
    return invalid("xp's last dimension must be " + std::to_string(gates) + " * units, received " +
                   std::to_string(width));
  }

  // The forward ops' input 0 and their last input k: xp [T, B, width] when k is the empty form;
  // else x [T, B, F] and k [F, width], the input projection x @ k then computed in the op.
  bool sequenceInput(TF_Tensor* x, TF_Tensor* kernel, int64_t& T, int64_t& B, int64_t& width,
                     int64_t& F) {
    if (failed || x == nullptr || kernel == nullptr) return false;
    F = 0;
    if (TF_NumDims(kernel) == 1 && TF_Dim(kernel, 0) == 0) {
      if (!shaped(x, "xp", {-1, -1, -1})) return false;
      width = TF_Dim(x, 2);
    } else {
      if (!shaped(kernel, "kernel", {-1, -1})) return false;
      F = TF_Dim(kernel, 0);
      width = TF_Dim(kernel, 1);
      if (!shaped(x, "x", {-1, -1, F})) return false;
    }
    T = TF_Dim(x, 0);
    B = TF_Dim(x, 1);
    return true;
  }

  // a state input [B, U] (h0, c0), or the empty form [0] for zeros, which are then read from
  // `zeros`; failed is set when it has another shape
  const float* state(TF_Tensor* t, const char* name, int64_t B, int64_t U, std::vector<float>& zeros) {
    if (t != nullptr && TF_NumDims(t) == 1 && TF_Dim(t, 0) == 0) {
      zeros.assign(static_cast<size_t>(B * U), 0.f);
      return zeros.data();
    }
    return shaped(t, name, {B, U}) ? static_cast<const float*>(TF_TensorData(t)) : nullptr;
  }

  // the shape of the gradient of a state input: [B, U], or [0] for one given as the empty form
  // (nothing reads that gradient)
  static std::vector<int64_t> stateGradient(TF_Tensor* state, int64_t B, int64_t U) {
    return TF_NumDims(state) == 1 && TF_Dim(state, 0) == 0 ? std::vector<int64_t>{0}
                                                           : std::vector<int64_t>{B, U};
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

// whether t is the empty form ([0]) a gradient op takes for zeros
bool zerosForm(TF_Tensor* t) { return TF_NumDims(t) == 1 && TF_Dim(t, 0) == 0; }

// the op's "threads" attribute, kept as the kernel's state (the pointer's value)
void* readThreads(TF_OpKernelConstruction* ctx) {
  TF_Status* status = TF_NewStatus();
  int64_t threads = 1;
  TF_OpKernelConstruction_GetAttrInt64(ctx, "threads", &threads, status);
  if (TF_GetCode(status) != TF_OK) threads = 1;
  TF_DeleteStatus(status);
  return reinterpret_cast<void*>(static_cast<intptr_t>(threads));
}

int64_t threadsOf(void* state) { return static_cast<int64_t>(reinterpret_cast<intptr_t>(state)); }

// dh_t of row b, units [j0, j0 + n), from a layer's gradient at its sequence (dh, [T][B][U], null
// for zeros) and at its last state (dlast, [B][U], null for zeros), as TensorFlow would sum them
// (a layer that returns only its last state gets no sequence of zeros padded around it)
inline vfloat dhAt(const float* dh, const float* dlast, int64_t T, int64_t B, int64_t U, int64_t t,
                   int64_t b, int64_t j0, int n) {
  const bool last = t == T - 1 && dlast != nullptr;
  if (dh == nullptr) return last ? loadN(dlast + b * U + j0, n) : vfloat{};
  vfloat v = loadN(dh + (t * B + b) * U + j0, n);
  return last ? v + loadN(dlast + b * U + j0, n) : v;
}

// the output "last" of a forward op: h at the last timestep, or h0 when there are none
void copyLast(const float* h, const float* h0, int64_t T, int64_t B, int64_t U, float* last) {
  if (B * U > 0) std::memcpy(last, T > 0 ? h + (T - 1) * B * U : h0, B * U * sizeof(float));
}

// a forward op's sequence description reading x (x [T][B][F]) and k packed as rk instead of xp
template <typename S>
S projecting(S s, const float* x, const float* packedK, int64_t F) {
  s.xp = nullptr;
  s.x = x;
  s.kp = packedK;
  s.F = F;
  return s;
}

// The input projections of rows [b, b + RB) at timestep t for units [j0, j0 + VW) of each of the
// NV gates of a gated layer (weights packed by packGates): read from xp (n units), or computed
// here from x and k (projected)
template <int RB, int NV, typename S>
inline void gateInputs(vfloat (&z)[RB][NV], const S& s, int64_t t, int64_t b, int64_t j0, int n) {
  if (s.kp != nullptr) {
    projected<RB, NV>(z, s.x + (t * s.B + b) * s.F, s.F, s.kp + j0 * NV, NV * padded(s.U));
  } else {
    for (int r = 0; r < RB; r++)
      for (int g = 0; g < NV; g++)
        z[r][g] = loadN(s.xp + (t * s.B + b + r) * s.G + g * s.U + j0, n);
  }
}

// ---------------------------------------------------------------------------------------------
// GRU, Keras's reset_after=True: z, r = sigmoid(xp_zr + m_zr), hh = tanh(xp_h + r * m_h),
// h = z * h_prev + (1 - z) * hh, with m = h_prev @ rk + rb. As the LSTM's: whole vectors of VW
// units of the three gates (rk packed by packGates), one half of the batch at a time.

struct GruSequence {
  int64_t T, B, U, G, UP;
  const float *xp, *packed, *rb, *h0, *xb;  // packed: rk by packGates, [U][3 * UP]; xb: input bias
  float *h, *gates, *mh;                    // gates may be xp's memory
  const float *x = nullptr, *kp = nullptr;  // instead of xp: x [T][B][F], k packed as rk
  int64_t F = 0;
};

// One timestep t of rows [b, b + RB) and units [j0, j0 + VW): m = h_{t-1} @ rk + rb in registers
// (z's and r's starting from xp + rb, hh's from rb), then the cell.
// KEEP false (inference): only h is written.
template <int RB, bool KEEP>
void gruCells(const GruSequence& s, int64_t t, int64_t b, int64_t j0) {
  const int64_t U = s.U, G = s.G, W = 3 * s.UP;
  const int n = static_cast<int>(std::min<int64_t>(VW, U - j0));
  const float* hp = t == 0 ? s.h0 : s.h + (t - 1) * s.B * U;
  const float* p = s.packed + j0 * 3;
  const vfloat bz = loadN(s.rb + j0, n), br = loadN(s.rb + U + j0, n), bh = loadN(s.rb + 2 * U + j0, n);
  const vfloat xz = loadN(s.xb + j0, n), xr = loadN(s.xb + U + j0, n), xh = loadN(s.xb + 2 * U + j0, n);
  // the gates' input projections of rows b + r: from xp, or computed here from x and k
  vfloat m[RB][3], xph[RB];
  gateInputs<RB, 3>(m, s, t, b, j0, n);
  for (int r = 0; r < RB; r++) {
    m[r][0] = biased(m[r][0], xz) + bz;
    m[r][1] = biased(m[r][1], xr) + br;
    xph[r] = biased(m[r][2], xh);
    m[r][2] = bh;
  }
  for (int64_t q = 0; q < U; q++) {
    const float* pq = p + q * W;
    for (int r = 0; r < RB; r++) {
      float a = hp[(b + r) * U + q];
      for (int g = 0; g < 3; g++) m[r][g] += a * load(pq + g * VW);
    }
  }
  // z and r of every row first, then hh and h of every row (hh waits on r)
  vfloat zs[RB], rs[RB];
#pragma GCC unroll 8
  for (int r = 0; r < RB; r++) {
    zs[r] = vsigmoid(m[r][0]);
    rs[r] = vsigmoid(m[r][1]);
    if constexpr (KEEP) {
      float* gr = s.gates + (t * s.B + b + r) * G + j0;
      storeN(gr, zs[r], n);
      storeN(gr + U, rs[r], n);
    }
  }
#pragma GCC unroll 8
  for (int r = 0; r < RB; r++) {
    const int64_t at = (t * s.B + b + r) * U + j0;
    const vfloat z = zs[r];
    vfloat hh = vtanh(xph[r] + rs[r] * m[r][2]);
    vfloat hpv = loadN(hp + (b + r) * U + j0, n);
    if constexpr (KEEP) {
      storeN(s.gates + (t * s.B + b + r) * G + j0 + 2 * U, hh, n);
      storeN(s.mh + at, m[r][2], n);
    }
    storeN(s.h + at, z * hpv + (1.f - z) * hh, n);
  }
}

template <bool KEEP>
void gruForwardRows(const GruSequence& s, int64_t b0, int64_t b1) {
  for (int64_t t = 0; t < s.T; t++)
    rowBlocks<ACCUMULATORS / 3>(b0, b1, [&](auto rb, int64_t b) {
      for (int64_t j0 = 0; j0 < s.U; j0 += VW) gruCells<rb(), KEEP>(s, t, b, j0);
    });
}

// KEEP: the training op (h, and the gates and m_h its backward pass reads); else the forward pass
// alone for validation and prediction (h only, nothing kept for a backward pass)
template <bool KEEP>
void gruRun(void* threads, TF_OpKernelContext* context) {
  Kernel k(context);
  TF_Tensor *xp = k.input(0), *rk = k.input(1), *rb = k.input(2), *h0 = k.input(3),
            *xb = k.input(4), *kernel = k.input(5);
  int64_t T, B, G, F;
  if (!k.sequenceInput(xp, kernel, T, B, G, F) || !k.gateBlocks(G, 3)) return;
  const int64_t U = G / 3;
  if (!k.shaped(rk, "recurrent_kernel", {U, G}) || !k.shaped(rb, "recurrent_bias", {G}) ||
      !k.shaped(xb, "bias", {G}))
    return;
  std::vector<float> zeros;
  const float* h0v = k.state(h0, "h0", B, U, zeros);
  if (k.failed) return;
  const float* xpData = data(xp);
  float* h = k.output(0, {T, B, U});
  float* gates = KEEP ? k.output(1, {T, B, G}, F > 0 ? -1 : 0) : nullptr;
  float* mh = KEEP ? k.output(2, {T, B, U}) : nullptr;
  float* last = KEEP ? k.output(3, {B, U}) : nullptr;
  if (k.failed) return;
  if (T > 0 && B > 0 && U > 0) {
    std::vector<float> packed = packGates(data(rk), U, U, 3);
    GruSequence s{T, B, U, G, padded(U), xpData, packed.data(), data(rb), h0v, data(xb), h,
                  gates, mh};
    std::vector<float> packedK = F > 0 ? packGates(data(kernel), F, U, 3) : std::vector<float>();
    if (F > 0) s = projecting(s, xpData, packedK.data(), F);
    halves(B, threadsOf(threads), [&](int, int64_t b0, int64_t b1) { gruForwardRows<KEEP>(s, b0, b1); });
  }
  if (KEEP) copyLast(h, h0v, T, B, U, last);
}

void gruForward(void* threads, TF_OpKernelContext* context) { gruRun<true>(threads, context); }

void gruInference(void* threads, TF_OpKernelContext* context) { gruRun<false>(threads, context); }

struct GruSequenceGrad {
  int64_t T, B, U, G, UP;
  const float *packedT, *h0, *h, *gates, *mh, *dh;  // packedT: rk^T, [G][UP]; dh null: zeros
  float *dxp, *carry, *dm;                         // carry: [B][UP]; dm: [B][G]
  const float* dlast = nullptr;                    // [B][U]: added to dh at the last timestep
};

// dh at h_t = z * h_{t-1} + (1 - z) * hh for row b and units [j0, j0 + VW): to the pre-activations
// of z, r and hh (dx), to m_t = h_{t-1} @ rk + rb (dm: as dx but dm_h = da * r; into s.dm and
// dmr, the row laid out as by packGates), and to h_{t-1} directly (carry, which held dh_t's part
// from timestep t + 1, in place; the product of dm with rk^T is added after).
inline void gruGateGrads(const GruSequenceGrad& s, int64_t t, int64_t b, int64_t j0, float* dmr) {
  const int64_t U = s.U, G = s.G;
  const int n = static_cast<int>(std::min<int64_t>(VW, U - j0));
  const int64_t at = (t * s.B + b) * U + j0;
  const float* gr = s.gates + (t * s.B + b) * G + j0;
  const float* hp = (t == 0 ? s.h0 : s.h + (t - 1) * s.B * U) + b * U + j0;
  vfloat z = loadN(gr, n), r = loadN(gr + U, n), hh = loadN(gr + 2 * U, n);
  float* carry = s.carry + b * s.UP + j0;
  vfloat d = dhAt(s.dh, s.dlast, s.T, s.B, U, t, b, j0, n) + load(carry);
  vfloat dz = d * (loadN(hp, n) - hh) * z * (1.f - z);
  vfloat da = d * (1.f - z) * (1.f - hh * hh);  // d(x_h + r * m_h)
  vfloat dr = da * loadN(s.mh + at, n) * r * (1.f - r);
  store(carry, d * z);
  float* dx = s.dxp + (t * s.B + b) * G + j0;
  storeN(dx, dz, n);
  storeN(dx + U, dr, n);
  storeN(dx + 2 * U, da, n);
  float* dm = s.dm + b * G + j0;
  vfloat dmh = da * r;
  storeN(dm, dz, n);
  storeN(dm + U, dr, n);
  storeN(dm + 2 * U, dmh, n);
  dmr += j0 * 3;
  store(dmr, dz);
  store(dmr + VW, dr);
  store(dmr + 2 * VW, dmh);
}

// All timesteps of rows [b0, b1), backward; dRk [U][3 * UP] and dRb [3 * UP] (packGates' layout)
// += this half's h_{t-1}^T dm_t and dm_t
void gruBackwardRows(const GruSequenceGrad& s, int64_t b0, int64_t b1, float* dRk, float* dRb) {
  const int64_t U = s.U, G = s.G, UP = s.UP, W = 3 * UP, rows = b1 - b0;
  KernelGrad dRkHalf(U, rows, W, dRk);
  for (int64_t t = s.T - 1; t >= 0; t--) {
    float* dm = dRkHalf.rowsOfD();
    for (int64_t b = b0; b < b1; b++) {
      float* dmr = dm + (b - b0) * W;
      for (int64_t j0 = 0; j0 < U; j0 += VW) gruGateGrads(s, t, b, j0, dmr);
      for (int64_t j = 0; j < W; j += VW) store(dRb + j, load(dRb + j) + load(dmr + j));
    }
    // dh_{t-1} = d z_t (in carry) + dm_t @ rk^T
    gemm(rows, G, UP, s.dm + b0 * G, G, 1, s.packedT, s.carry + b0 * UP, UP, true);
    dRkHalf.add((t == 0 ? s.h0 : s.h + (t - 1) * s.B * U) + b0 * U);
  }
  dRkHalf.flush();
}

void gruBackward(void* threads, TF_OpKernelContext* context) {
  Kernel k(context);
  TF_Tensor *rk = k.input(0), *h0 = k.input(1), *h = k.input(2), *gates = k.input(3),
            *mh = k.input(4), *dh = k.input(5), *dlast = k.input(6);
  if (k.failed || !k.shaped(gates, "gates", {-1, -1, -1})) return;
  const int64_t T = TF_Dim(gates, 0), B = TF_Dim(gates, 1), G = TF_Dim(gates, 2), U = G / 3;
  const bool noDh = zerosForm(dh), noDlast = zerosForm(dlast);
  if (!k.shaped(rk, "recurrent_kernel", {U, G}) || !k.shaped(h, "h", {T, B, U}) ||
      !k.shaped(mh, "mh", {T, B, U}) || (!noDh && !k.shaped(dh, "dh", {T, B, U})) ||
      (!noDlast && !k.shaped(dlast, "dlast", {B, U})))
    return;
  std::vector<float> zeros;
  const float* h0v = k.state(h0, "h0", B, U, zeros);
  if (k.failed) return;
  const float* gatesData = data(gates);
  float* dxp = k.output(0, {T, B, G}, 3);
  float* drk = k.output(1, {U, G});
  float* drb = k.output(2, {G});
  float* dh0 = k.output(3, Kernel::stateGradient(h0, B, U));
  if (k.failed) return;
  const int64_t UP = padded(U), W = 3 * UP;
  std::vector<float> packedT = packTransposed(data(rk), U, G, G);  // [G, UP]
  std::vector<float> carry(B * UP, 0.f), dm(B * G, 0.f);
  std::vector<float> dRk(2 * U * W, 0.f), dRb(2 * W, 0.f);  // one of each per half
  GruSequenceGrad s{T, B, U, G, UP, packedT.data(), h0v, data(h), gatesData, data(mh),
                    noDh ? nullptr : data(dh), dxp, carry.data(), dm.data(),
                    noDlast ? nullptr : data(dlast)};
  halves(B, threadsOf(threads), [&](int half, int64_t b0, int64_t b1) {
    gruBackwardRows(s, b0, b1, &dRk[half * U * W], &dRb[half * W]);
  });
  for (int64_t i = 0; i < U * W; i++) dRk[i] += dRk[U * W + i];
  for (int64_t i = 0; i < W; i++) dRb[i] += dRb[W + i];
  unpackGates(dRk.data(), U, U, 3, drk);
  unpackGates(dRb.data(), 1, U, 3, drb);
  if (zeros.empty()) unpad(carry.data(), UP, B, U, dh0);
}

// ---------------------------------------------------------------------------------------------
// GRU, Keras's reset_after=False: z, r = sigmoid(xp_zr + h_prev @ rk_zr), rh = r * h_prev,
// hh = tanh(xp_h + rh @ rk_h), h = z * h_prev + (1 - z) * hh, xp including the bias b. As the other
// ops, it adds b itself and may project x itself, one half of the batch at a time, and has a
// forward-only form; its products (each from zero, then xp + b added) and activations (glibc's
// vector exp) are those of the op before it did, so its results are the same to the bit.

struct GruResetBeforeSequence {
  int64_t T, B, U, G;
  const float *xp, *packedZr, *packedH, *h0, *xb;  // packedZr, packedH: rk's two parts by pack
  float *h, *gates, *rh;  // training: [T][B][...]; inference: one timestep's rows, reused
  float *xpb, *zr, *a;    // scratch: one timestep's xp + b [B][G], the two products' rows
  const float *x = nullptr, *kp = nullptr;  // instead of xp: x [T][B][F], k packed by packGates
  int64_t F = 0;
};

// rows [b, b + RB) of timestep t's xp + b (into s.xpb): xp read, or x @ k computed here with
// MatMul's bits, then the bias added with BiasAdd's (one rounding each, as the graph computed them
// before the op took them in)
template <int RB>
void gruResetBeforeInputs(const GruResetBeforeSequence& s, int64_t t, int64_t b) {
  const int64_t U = s.U, G = s.G;
  for (int64_t j0 = 0; j0 < U; j0 += VW) {
    const int n = static_cast<int>(std::min<int64_t>(VW, U - j0));
    vfloat z[RB][3];
    gateInputs<RB, 3>(z, s, t, b, j0, n);
    for (int g = 0; g < 3; g++) {
      const vfloat bias = loadN(s.xb + g * U + j0, n);
      for (int r = 0; r < RB; r++) storeN(s.xpb + (b + r) * G + g * U + j0, biased(z[r][g], bias), n);
    }
  }
}

// All timesteps of rows [b0, b1): the products of the half's rows, then each row's gates, in the
// order and with the arithmetic of the op before it took x and the bias in. KEEP false
// (inference): gates and rh are one timestep's rows, overwritten at the next.
template <bool KEEP>
void gruResetBeforeRows(const GruResetBeforeSequence& s, int64_t b0, int64_t b1) {
  const int64_t U = s.U, G = s.G, B = s.B, ZP = padded(2 * U), UP = padded(U), rows = b1 - b0;
  for (int64_t t = 0; t < s.T; t++) {
    const float* hp = t == 0 ? s.h0 : s.h + (t - 1) * B * U;
    float* gt = KEEP ? s.gates + t * B * G : s.gates;
    float* rht = KEEP ? s.rh + t * B * U : s.rh;
    rowBlocks<ACCUMULATORS / 3>(b0, b1,
                                [&](auto rb, int64_t b) { gruResetBeforeInputs<rb()>(s, t, b); });
    gemm(rows, U, ZP, hp + b0 * U, U, 1, s.packedZr, s.zr + b0 * ZP, ZP, false);
    for (int64_t b = b0; b < b1; b++)
      gruGatesRow(U, s.xpb + b * G, &s.zr[b * ZP], hp + b * U, gt + b * G, rht + b * U);
    gemm(rows, U, UP, rht + b0 * U, U, 1, s.packedH, s.a + b0 * UP, UP, false);
    for (int64_t b = b0; b < b1; b++)
      gruCandidateRow(U, s.xpb + b * G, &s.a[b * UP], hp + b * U, gt + b * G,
                      s.h + (t * B + b) * U);
  }
}

// KEEP: the training op (h, and the gates and rh its backward pass reads); else the forward pass
// alone for validation and prediction (h only)
template <bool KEEP>
void gruResetBeforeRun(void* threads, TF_OpKernelContext* context) {
  Kernel k(context);
  TF_Tensor *xp = k.input(0), *rk = k.input(1), *h0 = k.input(2), *xb = k.input(3),
            *kernel = k.input(4);
  int64_t T, B, G, F;
  if (!k.sequenceInput(xp, kernel, T, B, G, F) || !k.gateBlocks(G, 3)) return;
  const int64_t U = G / 3;
  if (!k.shaped(rk, "recurrent_kernel", {U, G}) || !k.shaped(xb, "bias", {G})) return;
  std::vector<float> zeros;
  const float* h0v = k.state(h0, "h0", B, U, zeros);
  if (k.failed) return;
  float* h = k.output(0, {T, B, U});
  float* gates = KEEP ? k.output(1, {T, B, G}) : nullptr;
  float* rh = KEEP ? k.output(2, {T, B, U}) : nullptr;
  float* last = KEEP ? k.output(3, {B, U}) : nullptr;
  if (k.failed) return;
  if (T == 0 || B == 0 || U == 0) {
    if (KEEP) copyLast(h, h0v, T, B, U, last);  // h0 when there are no timesteps
    return;
  }
  const int64_t ZP = padded(2 * U), UP = padded(U);
  std::vector<float> packedZr = pack(data(rk), U, 2 * U, G);
  std::vector<float> packedH = pack(data(rk) + 2 * U, U, U, G);
  std::vector<float> xpb(B * G), zr(B * ZP), a(B * UP);
  std::vector<float> gatesRows(KEEP ? 0 : B * G), rhRows(KEEP ? 0 : B * U);
  GruResetBeforeSequence s{T, B, U, G, data(xp), packedZr.data(), packedH.data(), h0v,
                           data(xb), h, KEEP ? gates : gatesRows.data(), KEEP ? rh : rhRows.data(),
                           xpb.data(), zr.data(), a.data()};
  std::vector<float> packedK = F > 0 ? packGates(data(kernel), F, U, 3) : std::vector<float>();
  if (F > 0) s = projecting(s, data(xp), packedK.data(), F);
  halves(B, threadsOf(threads),
         [&](int, int64_t b0, int64_t b1) { gruResetBeforeRows<KEEP>(s, b0, b1); });
  if (KEEP) copyLast(h, h0v, T, B, U, last);
}

void gruResetBeforeForward(void* threads, TF_OpKernelContext* context) {
  gruResetBeforeRun<true>(threads, context);
}

void gruResetBeforeInference(void* threads, TF_OpKernelContext* context) {
  gruResetBeforeRun<false>(threads, context);
}

void gruResetBeforeBackward(void*, TF_OpKernelContext* context) {
  Kernel k(context);
  TF_Tensor *rk = k.input(0), *h0 = k.input(1), *h = k.input(2), *gates = k.input(3),
            *rh = k.input(4), *dh = k.input(5), *dlast = k.input(6);
  if (k.failed || !k.shaped(gates, "gates", {-1, -1, -1})) return;
  const int64_t T = TF_Dim(gates, 0), B = TF_Dim(gates, 1), G = TF_Dim(gates, 2), U = G / 3;
  const bool noDh = zerosForm(dh), noDlast = zerosForm(dlast);
  if (!k.shaped(rk, "recurrent_kernel", {U, G}) || !k.shaped(h, "h", {T, B, U}) ||
      !k.shaped(rh, "rh", {T, B, U}) || (!noDh && !k.shaped(dh, "dh", {T, B, U})) ||
      (!noDlast && !k.shaped(dlast, "dlast", {B, U})))
    return;
  std::vector<float> zeros;
  const float* h0v = k.state(h0, "h0", B, U, zeros);
  if (k.failed) return;
  float* dxp = k.output(0, {T, B, G});
  float* drk = k.output(1, {U, G});
  float* dh0 = k.output(2, Kernel::stateGradient(h0, B, U));
  if (k.failed) return;
  const int64_t ZP = padded(2 * U), UP = padded(U);
  std::vector<float> packedZr = packTransposed(data(rk), U, 2 * U, G);  // [2U, UP]
  std::vector<float> packedH = packTransposed(data(rk) + 2 * U, U, U, G);  // [U, UP]
  std::vector<float> carry(B * UP, 0.f), next(B * UP, 0.f), drh(B * UP, 0.f);
  std::vector<float> dzr(B * ZP, 0.f), da(B * UP, 0.f);  // at the pre-activations of z, r; hh
  std::vector<float> dRkZr(U * ZP, 0.f), dRkH(U * UP, 0.f);
  const float *hv = data(h), *gatesv = data(gates), *rhv = data(rh),
              *dhv = noDh ? nullptr : data(dh), *dlastv = noDlast ? nullptr : data(dlast);
  std::vector<float> dhRow(U);  // dh_t of one row, as dhAt gives it
  for (int64_t t = T - 1; t >= 0; t--) {
    const float* hp = t == 0 ? h0v : hv + (t - 1) * B * U;
    const float* rht = rhv + t * B * U;
    for (int64_t b = 0; b < B; b++) {
      for (int64_t j0 = 0; j0 < U; j0 += VW) {
        const int n = static_cast<int>(std::min<int64_t>(VW, U - j0));
        storeN(&dhRow[j0], dhAt(dhv, dlastv, T, B, U, t, b, j0, n), n);
      }
      gruUpdateBackRow(U, gatesv + (t * B + b) * G, dhRow.data(), &carry[b * UP], hp + b * U,
                       &next[b * UP], dxp + (t * B + b) * G, &dzr[b * ZP], &da[b * UP]);
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
  if (zeros.empty()) unpad(carry.data(), UP, B, U, dh0);
  for (int64_t i = 0; i < U; i++) {
    std::memcpy(drk + i * G, &dRkZr[i * ZP], 2 * U * sizeof(float));
    std::memcpy(drk + i * G + 2 * U, &dRkH[i * UP], U * sizeof(float));
  }
}

// ---------------------------------------------------------------------------------------------
// LSTM, Keras's gate order i, f, c (g here), o: z = xp + h_prev @ rk; i, f, o = sigmoid,
// g = tanh; c = f * c_prev + i * g; h = o * tanh(c).
//
// Both ops work on whole vectors of VW units of the four gates at once (rk packed by packGates),
// one half of the batch at a time (halves).

struct LstmSequence {
  int64_t T, B, U, G, UP;
  const float *xp, *packed, *h0, *c0, *xb;  // packed: rk by packGates, [U][4 * UP]; xb: bias
  float *h, *c, *gates, *tc;  // gates may be xp's memory; inference: c is [2][B][U] (t's and
                              // t - 1's), no gates, tc
  const float *x = nullptr, *kp = nullptr;  // instead of xp: x [T][B][F], k packed as rk
  int64_t F = 0;
};

// One timestep t of rows [b, b + RB) and units [j0, j0 + VW): the gates' pre-activations start
// from xp and take h_{t-1} @ rk in registers, then the cell runs on them.
// KEEP false (inference): only h is written for every timestep, c into its two rolling rows.
template <int RB, bool KEEP>
void lstmCells(const LstmSequence& s, int64_t t, int64_t b, int64_t j0) {
  const int64_t U = s.U, G = s.G, W = 4 * s.UP;
  const int n = static_cast<int>(std::min<int64_t>(VW, U - j0));
  const float* hp = t == 0 ? s.h0 : s.h + (t - 1) * s.B * U;
  const float* cp = t == 0 ? s.c0 : s.c + (KEEP ? t - 1 : (t - 1) & 1) * s.B * U;
  float* cOut = s.c + (KEEP ? t : t & 1) * s.B * U;
  const float* p = s.packed + j0 * 4;
  vfloat bias[4];
  for (int g = 0; g < 4; g++) bias[g] = loadN(s.xb + g * U + j0, n);
  vfloat z[RB][4];
  gateInputs<RB, 4>(z, s, t, b, j0, n);
  for (int r = 0; r < RB; r++)
    for (int g = 0; g < 4; g++) z[r][g] = biased(z[r][g], bias[g]);
  for (int64_t q = 0; q < U; q++) {
    const float* pq = p + q * W;
    for (int r = 0; r < RB; r++) {
      float a = hp[(b + r) * U + q];
      for (int g = 0; g < 4; g++) z[r][g] += a * load(pq + g * VW);
    }
  }
  // the gates and c of every row first, then tanh(c) and h of every row: each row's tanh(c)
  // waits on its gates, and the rows' waits overlap
  vfloat cs[RB], os[RB];
#pragma GCC unroll 8
  for (int r = 0; r < RB; r++) {
    vfloat i = vsigmoid(z[r][0]), f = vsigmoid(z[r][1]), g = vtanh(z[r][2]), o = vsigmoid(z[r][3]);
    vfloat cv = f * loadN(cp + (b + r) * U + j0, n) + i * g;
    if constexpr (KEEP) {
      float* gr = s.gates + (t * s.B + b + r) * G + j0;
      storeN(gr, i, n);
      storeN(gr + U, f, n);
      storeN(gr + 2 * U, g, n);
      storeN(gr + 3 * U, o, n);
    }
    storeN(cOut + (b + r) * U + j0, cv, n);
    cs[r] = cv;
    os[r] = o;
  }
#pragma GCC unroll 8
  for (int r = 0; r < RB; r++) {
    const int64_t at = (t * s.B + b + r) * U + j0;
    vfloat tcv = vtanh(cs[r]);
    if constexpr (KEEP) storeN(s.tc + at, tcv, n);
    storeN(s.h + at, os[r] * tcv, n);
  }
}

template <bool KEEP>
void lstmForwardRows(const LstmSequence& s, int64_t b0, int64_t b1) {
  for (int64_t t = 0; t < s.T; t++)
    rowBlocks<ACCUMULATORS / 4>(b0, b1, [&](auto rb, int64_t b) {
      for (int64_t j0 = 0; j0 < s.U; j0 += VW) lstmCells<rb(), KEEP>(s, t, b, j0);
    });
}

// KEEP: the training op (h, c, the gates and tanh(c) its backward pass reads); else the forward
// pass alone for validation and prediction (h only; c in two rolling rows)
template <bool KEEP>
void lstmRun(void* threads, TF_OpKernelContext* context) {
  Kernel k(context);
  TF_Tensor *xp = k.input(0), *rk = k.input(1), *h0 = k.input(2), *c0 = k.input(3),
            *xb = k.input(4), *kernel = k.input(5);
  int64_t T, B, G, F;
  if (!k.sequenceInput(xp, kernel, T, B, G, F) || !k.gateBlocks(G, 4)) return;
  const int64_t U = G / 4;
  if (!k.shaped(rk, "recurrent_kernel", {U, G}) || !k.shaped(xb, "bias", {G})) return;
  std::vector<float> zeros, cZeros;
  const float* h0v = k.state(h0, "h0", B, U, zeros);
  const float* c0v = k.failed ? nullptr : k.state(c0, "c0", B, U, cZeros);
  if (k.failed) return;
  const float* xpData = data(xp);
  float* h = k.output(0, {T, B, U});
  float* c = KEEP ? k.output(1, {T, B, U}) : nullptr;
  float* gates = KEEP ? k.output(2, {T, B, G}, F > 0 ? -1 : 0) : nullptr;
  float* tc = KEEP ? k.output(3, {T, B, U}) : nullptr;
  float* last = KEEP ? k.output(4, {B, U}) : nullptr;
  if (k.failed) return;
  if (T > 0 && B > 0 && U > 0) {
    std::vector<float> packed = packGates(data(rk), U, U, 4);
    std::vector<float> rolling(KEEP ? 0 : 2 * B * U);
    LstmSequence s{T, B, U, G, padded(U), xpData, packed.data(), h0v, c0v, data(xb), h,
                   KEEP ? c : rolling.data(), gates, tc};
    std::vector<float> packedK = F > 0 ? packGates(data(kernel), F, U, 4) : std::vector<float>();
    if (F > 0) s = projecting(s, xpData, packedK.data(), F);
    halves(B, threadsOf(threads), [&](int, int64_t b0, int64_t b1) { lstmForwardRows<KEEP>(s, b0, b1); });
  }
  if (KEEP) copyLast(h, h0v, T, B, U, last);
}

void lstmForward(void* threads, TF_OpKernelContext* context) { lstmRun<true>(threads, context); }

void lstmInference(void* threads, TF_OpKernelContext* context) { lstmRun<false>(threads, context); }

struct LstmSequenceGrad {
  int64_t T, B, U, G, UP;
  const float *packedT, *h0, *c0, *h, *c, *tc, *gates, *dh, *dc;  // packedT: rk^T, [G][UP]; dh,
                                                                   // dc null: zeros
  float* dxp;
  float *carryH, *carryC;          // [B][UP] each
  const float* dlast = nullptr;    // [B][U]: added to dh at the last timestep
};

// dh and dc at c_t = f * c_{t-1} + i * g, h_t = o * tanh(c_t), for row b and units [j0, j0 + VW):
// to the gate pre-activations (dz, into dxp and into dzr, the row laid out as by packGates) and to
// c_{t-1} (carryC, in place); tc = tanh(c_t) as the forward pass kept it. carryH holds dh_t from
// timestep t + 1.
inline void lstmGateGrads(const LstmSequenceGrad& s, int64_t t, int64_t b, int64_t j0, float* dzr) {
  const int64_t U = s.U, G = s.G;
  const int n = static_cast<int>(std::min<int64_t>(VW, U - j0));
  const int64_t at = (t * s.B + b) * U + j0;
  const float* gr = s.gates + (t * s.B + b) * G + j0;
  const float* cp = t == 0 ? s.c0 + b * U + j0 : s.c + at - s.B * U;
  vfloat i = loadN(gr, n), f = loadN(gr + U, n), g = loadN(gr + 2 * U, n), o = loadN(gr + 3 * U, n);
  vfloat tcv = loadN(s.tc + at, n);
  float* carryC = s.carryC + b * s.UP + j0;
  vfloat d = dhAt(s.dh, s.dlast, s.T, s.B, U, t, b, j0, n) + load(s.carryH + b * s.UP + j0);
  vfloat dcv = s.dc != nullptr ? loadN(s.dc + at, n) : vfloat{};
  vfloat dct = dcv + load(carryC) + d * o * (1.f - tcv * tcv);
  vfloat dz[4] = {dct * g * i * (1.f - i), dct * loadN(cp, n) * f * (1.f - f),
                  dct * i * (1.f - g * g), d * tcv * o * (1.f - o)};
  store(carryC, dct * f);
  float* dx = s.dxp + (t * s.B + b) * G + j0;
  dzr += j0 * 4;
  for (int k = 0; k < 4; k++) {
    storeN(dx + k * U, dz[k], n);
    store(dzr + k * VW, dz[k]);
  }
}

// All timesteps of rows [b0, b1), backward; dRk [U][4 * UP] (packGates' layout) += this half's
// h_{t-1}^T dz_t
void lstmBackwardRows(const LstmSequenceGrad& s, int64_t b0, int64_t b1, float* dRk) {
  const int64_t U = s.U, G = s.G, UP = s.UP, W = 4 * UP, rows = b1 - b0;
  KernelGrad dRkHalf(U, rows, W, dRk);
  for (int64_t t = s.T - 1; t >= 0; t--) {
    float* dz = dRkHalf.rowsOfD();
    for (int64_t b = b0; b < b1; b++)
      for (int64_t j0 = 0; j0 < U; j0 += VW) lstmGateGrads(s, t, b, j0, dz + (b - b0) * W);
    // dh_{t-1} = dz_t @ rk^T, with dz_t read back from dxp (dense, in cache)
    gemm(rows, G, UP, s.dxp + (t * s.B + b0) * G, G, 1, s.packedT, s.carryH + b0 * UP, UP, false);
    dRkHalf.add((t == 0 ? s.h0 : s.h + (t - 1) * s.B * U) + b0 * U);
  }
  dRkHalf.flush();
}

void lstmBackward(void* threads, TF_OpKernelContext* context) {
  Kernel k(context);
  TF_Tensor *rk = k.input(0), *h0 = k.input(1), *c0 = k.input(2), *h = k.input(3), *c = k.input(4),
            *tc = k.input(5), *gates = k.input(6), *dh = k.input(7), *dc = k.input(8),
            *dlast = k.input(9);
  if (k.failed || !k.shaped(gates, "gates", {-1, -1, -1})) return;
  const int64_t T = TF_Dim(gates, 0), B = TF_Dim(gates, 1), G = TF_Dim(gates, 2), U = G / 4;
  const bool noDc = zerosForm(dc), noDh = zerosForm(dh), noDlast = zerosForm(dlast);
  if (!k.shaped(rk, "recurrent_kernel", {U, G}) || !k.shaped(h, "h", {T, B, U}) || !k.shaped(c, "c", {T, B, U}) ||
      !k.shaped(tc, "tc", {T, B, U}) || (!noDh && !k.shaped(dh, "dh", {T, B, U})) ||
      (!noDc && !k.shaped(dc, "dc", {T, B, U})) || (!noDlast && !k.shaped(dlast, "dlast", {B, U})))
    return;
  const float* gatesData = data(gates);
  float* dxp = k.output(0, {T, B, G}, 6);
  float* drk = k.output(1, {U, G});
  std::vector<float> zeros, cZeros;
  const float* h0v = k.failed ? nullptr : k.state(h0, "h0", B, U, zeros);
  const float* c0v = k.failed ? nullptr : k.state(c0, "c0", B, U, cZeros);
  float* dh0 = k.failed ? nullptr : k.output(2, Kernel::stateGradient(h0, B, U));
  float* dc0 = k.failed ? nullptr : k.output(3, Kernel::stateGradient(c0, B, U));
  if (k.failed) return;
  const int64_t UP = padded(U);
  std::vector<float> packedT = packTransposed(data(rk), U, G, G);  // [G, UP]
  std::vector<float> carryH(B * UP, 0.f), carryC(B * UP, 0.f);
  std::vector<float> dRk(2 * U * 4 * UP, 0.f);  // one per half
  LstmSequenceGrad s{T, B, U, G, UP, packedT.data(), h0v, c0v, data(h), data(c),
                     data(tc), gatesData, noDh ? nullptr : data(dh), noDc ? nullptr : data(dc), dxp,
                     carryH.data(), carryC.data(), noDlast ? nullptr : data(dlast)};
  halves(B, threadsOf(threads), [&](int half, int64_t b0, int64_t b1) {
    lstmBackwardRows(s, b0, b1, &dRk[half * U * 4 * UP]);
  });
  for (int64_t i = 0; i < U * 4 * UP; i++) dRk[i] += dRk[U * 4 * UP + i];
  unpackGates(dRk.data(), U, U, 4, drk);
  if (zeros.empty()) unpad(carryH.data(), UP, B, U, dh0);
  if (cZeros.empty()) unpad(carryC.data(), UP, B, U, dc0);
}

// ---------------------------------------------------------------------------------------------
// SimpleRNN with tanh: h_t = tanh(xp_t + h_{t-1} @ rk). Rows of one half of the batch at a time,
// NC vectors of units of RB rows per block.

struct SimpleSequence {
  int64_t T, B, U, UP;
  const float *xp, *packed, *h0, *xb;  // packed: rk by pack, [U][UP]; xb: bias
  float* h;                            // may be xp's memory
  const float *x = nullptr, *kp = nullptr;  // instead of xp: x [T][B][F], k packed as rk
  int64_t F = 0;
};

template <int RB, int NC>
void simpleCells(const SimpleSequence& s, int64_t t, int64_t b, int64_t j0) {
  const int64_t U = s.U;
  const float* hp = t == 0 ? s.h0 : s.h + (t - 1) * s.B * U;
  int n[NC];
  for (int c = 0; c < NC; c++) n[c] = static_cast<int>(std::min<int64_t>(VW, U - j0 - c * VW));
  vfloat m[RB][NC];
  if (s.kp != nullptr) {
    projected<RB, NC>(m, s.x + (t * s.B + b) * s.F, s.F, s.kp + j0, s.UP);
  } else {
    for (int r = 0; r < RB; r++)
      for (int c = 0; c < NC; c++) m[r][c] = loadN(s.xp + (t * s.B + b + r) * U + j0 + c * VW, n[c]);
  }
  for (int r = 0; r < RB; r++)
    for (int c = 0; c < NC; c++) m[r][c] = biased(m[r][c], loadN(s.xb + j0 + c * VW, n[c]));
  for (int64_t q = 0; q < U; q++) {
    const float* pq = s.packed + q * s.UP + j0;
    for (int r = 0; r < RB; r++) {
      float a = hp[(b + r) * U + q];
      for (int c = 0; c < NC; c++) m[r][c] += a * load(pq + c * VW);
    }
  }
  for (int r = 0; r < RB; r++)
    for (int c = 0; c < NC; c++)
      storeN(s.h + (t * s.B + b + r) * U + j0 + c * VW, vtanh(m[r][c]), n[c]);
}

template <int NC>
void simpleChunks(const SimpleSequence& s, int64_t t, int64_t b0, int64_t b1, int64_t j0) {
  constexpr int RB = ACCUMULATORS / NC > 8 ? 8 : ACCUMULATORS / NC;
  rowBlocks<RB>(b0, b1, [&](auto rb, int64_t b) { simpleCells<rb(), NC>(s, t, b, j0); });
}

void simpleForwardRows(const SimpleSequence& s, int64_t b0, int64_t b1) {
  for (int64_t t = 0; t < s.T; t++) {
    for (int64_t j0 = 0; j0 < s.U; j0 += MAX_NV * VW) {
      switch (std::min<int64_t>(MAX_NV, (s.UP - j0) / VW)) {
        case 1: simpleChunks<1>(s, t, b0, b1, j0); break;
        case 2: simpleChunks<2>(s, t, b0, b1, j0); break;
        case 3: simpleChunks<3>(s, t, b0, b1, j0); break;
        default: simpleChunks<4>(s, t, b0, b1, j0); break;
      }
    }
  }
}

void simpleForward(void* threads, TF_OpKernelContext* context) {
  Kernel k(context);
  TF_Tensor *xp = k.input(0), *rk = k.input(1), *h0 = k.input(2), *xb = k.input(3),
            *kernel = k.input(4);
  int64_t T, B, U, F;
  if (!k.sequenceInput(xp, kernel, T, B, U, F)) return;
  if (!k.shaped(rk, "recurrent_kernel", {U, U}) || !k.shaped(xb, "bias", {U})) return;
  std::vector<float> zeros;
  const float* h0v = k.state(h0, "h0", B, U, zeros);
  if (k.failed) return;
  const float* xpData = data(xp);
  // h in xp's memory, not in x's: the cells read a row of x for every vector of units
  float* h = k.output(0, {T, B, U}, F > 0 ? -1 : 0);
  float* last = k.output(1, {B, U});
  if (k.failed) return;
  if (T > 0 && B > 0 && U > 0) {
    std::vector<float> packed = pack(data(rk), U, U, U);
    SimpleSequence s{T, B, U, padded(U), xpData, packed.data(), h0v, data(xb), h};
    std::vector<float> packedK = F > 0 ? pack(data(kernel), F, U, U) : std::vector<float>();
    if (F > 0) s = projecting(s, xpData, packedK.data(), F);
    halves(B, threadsOf(threads), [&](int, int64_t b0, int64_t b1) { simpleForwardRows(s, b0, b1); });
  }
  copyLast(h, h0v, T, B, U, last);
}

struct SimpleSequenceGrad {
  int64_t T, B, U, UP;
  const float *packedT, *h0, *h, *dh;  // packedT: rk^T, [U][UP]; dh null: zeros
  float *dxp, *carry;                  // carry: [B][UP]
  const float* dlast = nullptr;        // [B][U]: added to dh at the last timestep
};

// All timesteps of rows [b0, b1), backward: da = (dh_t + carry) * (1 - h_t^2) into dxp and the
// kernel gradient's rows, carry = da @ rk^T; dRk [U][UP] += this half's h_{t-1}^T da_t
void simpleBackwardRows(const SimpleSequenceGrad& s, int64_t b0, int64_t b1, float* dRk) {
  const int64_t U = s.U, UP = s.UP, rows = b1 - b0;
  KernelGrad dRkHalf(U, rows, UP, dRk);
  for (int64_t t = s.T - 1; t >= 0; t--) {
    float* da = dRkHalf.rowsOfD();
    for (int64_t b = b0; b < b1; b++) {
      const int64_t at = (t * s.B + b) * U;
      for (int64_t j0 = 0; j0 < U; j0 += VW) {
        const int n = static_cast<int>(std::min<int64_t>(VW, U - j0));
        vfloat hv = loadN(s.h + at + j0, n);
        vfloat d = (dhAt(s.dh, s.dlast, s.T, s.B, U, t, b, j0, n) + load(s.carry + b * UP + j0)) *
                   (1.f - hv * hv);
        storeN(s.dxp + at + j0, d, n);
        store(da + (b - b0) * UP + j0, d);
      }
    }
    gemm(rows, U, UP, s.dxp + (t * s.B + b0) * U, U, 1, s.packedT, s.carry + b0 * UP, UP, false);
    dRkHalf.add((t == 0 ? s.h0 : s.h + (t - 1) * s.B * U) + b0 * U);
  }
  dRkHalf.flush();
}

void simpleBackward(void* threads, TF_OpKernelContext* context) {
  Kernel k(context);
  TF_Tensor *rk = k.input(0), *h0 = k.input(1), *h = k.input(2), *dh = k.input(3),
            *dlast = k.input(4);
  if (k.failed || !k.shaped(h, "h", {-1, -1, -1})) return;
  const int64_t T = TF_Dim(h, 0), B = TF_Dim(h, 1), U = TF_Dim(h, 2);
  const bool noDh = zerosForm(dh), noDlast = zerosForm(dlast);
  if (!k.shaped(rk, "recurrent_kernel", {U, U}) || (!noDh && !k.shaped(dh, "dh", {T, B, U})) ||
      (!noDlast && !k.shaped(dlast, "dlast", {B, U})))
    return;
  std::vector<float> zeros;
  const float* h0v = k.state(h0, "h0", B, U, zeros);
  if (k.failed) return;
  const float* dhData = noDh ? nullptr : data(dh);
  float* dxp = k.output(0, {T, B, U}, 3);
  float* drk = k.output(1, {U, U});
  float* dh0 = k.output(2, Kernel::stateGradient(h0, B, U));
  if (k.failed) return;
  const int64_t UP = padded(U);
  std::vector<float> packedT = packTransposed(data(rk), U, U, U);  // [U, UP]
  std::vector<float> carry(B * UP, 0.f), dRk(2 * U * UP, 0.f);  // dRk: one per half
  SimpleSequenceGrad s{T, B, U, UP, packedT.data(), h0v, data(h), dhData, dxp, carry.data(),
                       noDlast ? nullptr : data(dlast)};
  halves(B, threadsOf(threads), [&](int half, int64_t b0, int64_t b1) {
    simpleBackwardRows(s, b0, b1, &dRk[half * U * UP]);
  });
  for (int64_t i = 0; i < U * UP; i++) dRk[i] += dRk[U * UP + i];
  unpad(dRk.data(), UP, U, U, drk);
  if (zeros.empty()) unpad(carry.data(), UP, B, U, dh0);
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
  // dimensions [a0, a1) of input a followed by dimensions [b0, b1) of input b
  TF_ShapeHandle* joined(int a, int64_t a0, int64_t a1, int b, int64_t b0, int64_t b1) {
    TF_ShapeHandle *first = make(), *second = make(), *out = make();
    TF_ShapeInferenceContextSubshape(ctx, input(a), a0, a1, first, status);
    TF_ShapeInferenceContextSubshape(ctx, input(b), b0, b1, second, status);
    TF_ShapeInferenceContextConcatenateShapes(ctx, first, second, out, status);
    return out;
  }
  // a forward op's [T, B] (of input 0) followed by [U] (of rk, input 1: [U, width]); its states
  // may be the empty form
  TF_ShapeHandle* sequenceOf() { return joined(0, 0, 2, 1, 0, 1); }
  // a forward op's [B, U]
  TF_ShapeHandle* stateOf() { return joined(0, 1, 2, 1, 0, 1); }
  // [T, B] of `sequence` followed by the last dimension of `weight` (its width)
  TF_ShapeHandle* widthOf(int sequence, int weight) { return joined(sequence, 0, 2, weight, 1, 2); }
  void set(int i, TF_ShapeHandle* h) {
    if (TF_GetCode(status) == TF_OK) TF_ShapeInferenceContextSetOutput(ctx, i, h, status);
  }
};

// h, gates, mh (the reset_after=False op: rh) and last, from input 0 ([T, B, ...]) and rk ([U, 3U])
void gruForwardShape(TF_ShapeInferenceContext* ctx, TF_Status* status) {
  Shapes s(ctx, status);
  TF_ShapeHandle* h = s.sequenceOf();
  s.set(0, h);
  s.set(1, s.widthOf(0, 1));
  s.set(2, h);
  s.set(3, s.stateOf());
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

void gruResetBeforeBackwardShape(TF_ShapeInferenceContext* ctx, TF_Status* status) {
  Shapes s(ctx, status);
  s.set(0, s.input(3));
  s.set(1, s.input(0));
  s.set(2, s.input(1));
}

void gruInferenceShape(TF_ShapeInferenceContext* ctx, TF_Status* status) {
  Shapes s(ctx, status);
  s.set(0, s.sequenceOf());
}

void lstmInferenceShape(TF_ShapeInferenceContext* ctx, TF_Status* status) {
  Shapes s(ctx, status);
  s.set(0, s.sequenceOf());
}

void lstmForwardShape(TF_ShapeInferenceContext* ctx, TF_Status* status) {
  Shapes s(ctx, status);
  TF_ShapeHandle* h = s.sequenceOf();
  s.set(0, h);
  s.set(1, h);
  s.set(2, s.widthOf(0, 1));
  s.set(3, h);
  s.set(4, s.stateOf());
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
  s.set(0, s.sequenceOf());
  s.set(1, s.stateOf());
}

void simpleBackwardShape(TF_ShapeInferenceContext* ctx, TF_Status* status) {
  Shapes s(ctx, status);
  s.set(0, s.input(2));
  s.set(1, s.input(0));
  s.set(2, s.input(1));
}

void define(const char* name, std::vector<const char*> inputs, std::vector<const char*> outputs,
            void (*shape)(TF_ShapeInferenceContext*, TF_Status*),
            void (*compute)(void*, TF_OpKernelContext*), bool takesK = false) {
  TF_Status* status = TF_NewStatus();
  TF_OpDefinitionBuilder* op = TF_NewOpDefinitionBuilder(name);
  for (const char* in : inputs) TF_OpDefinitionBuilderAddInput(op, in);
  for (const char* out : outputs) TF_OpDefinitionBuilderAddOutput(op, out);
  // how many threads the op may use: 1, or 2 to run the batch's halves on two cores when one is
  // free (the same results either way)
  TF_OpDefinitionBuilderAddAttr(op, "threads: int >= 1 = 1");
  // the [F, width] of k when the op projects x itself, else empty: read by the op's gradient,
  // which is built while the graph cannot be asked for shapes (the op reads k's own)
  if (takesK) TF_OpDefinitionBuilderAddAttr(op, "projection: list(int) = []");
  TF_OpDefinitionBuilderSetShapeInferenceFunction(op, shape);
  TF_RegisterOpDefinition(op, status);
  if (TF_GetCode(status) == TF_OK) {
    TF_KernelBuilder* kernel = TF_NewKernelBuilder(name, "CPU", readThreads, compute, nullptr);
    TF_RegisterKernelBuilder(name, kernel, status);
  }
  if (TF_GetCode(status) != TF_OK) std::fprintf(stderr, "rnnbook: could not register %s\n", name);
  TF_DeleteStatus(status);
}

[[maybe_unused]] const bool registered = [] {
  define("RnnbookGruSequence", {"xp: float", "rk: float", "rb: float", "h0: float", "b: float", "k: float"},
         {"h: float", "gates: float", "mh: float", "last: float"}, gruForwardShape, gruForward, true);
  define("RnnbookGruInference", {"xp: float", "rk: float", "rb: float", "h0: float", "b: float", "k: float"},
         {"h: float"}, gruInferenceShape, gruInference, true);
  define("RnnbookGruSequenceGrad",
         {"rk: float", "h0: float", "h: float", "gates: float", "mh: float", "dh: float",
          "dlast: float"},
         {"dxp: float", "drk: float", "drb: float", "dh0: float"}, gruBackwardShape, gruBackward);
  define("RnnbookGruResetBeforeSequence",
         {"xp: float", "rk: float", "h0: float", "b: float", "k: float"},
         {"h: float", "gates: float", "rh: float", "last: float"}, gruForwardShape,
         gruResetBeforeForward, true);
  define("RnnbookGruResetBeforeInference",
         {"xp: float", "rk: float", "h0: float", "b: float", "k: float"}, {"h: float"},
         gruInferenceShape, gruResetBeforeInference, true);
  define("RnnbookGruResetBeforeSequenceGrad",
         {"rk: float", "h0: float", "h: float", "gates: float", "rh: float", "dh: float",
          "dlast: float"},
         {"dxp: float", "drk: float", "dh0: float"}, gruResetBeforeBackwardShape,
         gruResetBeforeBackward);
  define("RnnbookLstmSequence", {"xp: float", "rk: float", "h0: float", "c0: float", "b: float", "k: float"},
         {"h: float", "c: float", "gates: float", "tc: float", "last: float"}, lstmForwardShape,
         lstmForward, true);
  define("RnnbookLstmInference", {"xp: float", "rk: float", "h0: float", "c0: float", "b: float", "k: float"},
         {"h: float"}, lstmInferenceShape, lstmInference, true);
  define("RnnbookLstmSequenceGrad",
         {"rk: float", "h0: float", "c0: float", "h: float", "c: float", "tc: float",
          "gates: float", "dh: float", "dc: float", "dlast: float"},
         {"dxp: float", "drk: float", "dh0: float", "dc0: float"}, lstmBackwardShape, lstmBackward);
  define("RnnbookSimpleRnnSequence", {"xp: float", "rk: float", "h0: float", "b: float", "k: float"},
         {"h: float", "last: float"}, simpleForwardShape, simpleForward, true);
  define("RnnbookSimpleRnnSequenceGrad",
         {"rk: float", "h0: float", "h: float", "dh: float", "dlast: float"},
         {"dxp: float", "drk: float", "dh0: float"}, simpleBackwardShape, simpleBackward);
  return true;
}();

}  // namespace
