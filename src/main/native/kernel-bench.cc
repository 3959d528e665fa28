// The native kernels timed alone, without TensorFlow: one layer of the chapter's shapes (32 rows,
// 100 timesteps, 30 units), forward and backward, as the ops run them with one thread (the batch's
// two halves one after the other), each the fastest of many runs, so that this VM's drift between
// minutes does not hide differences of a few percent. Beside them, this core's peak: 12 chains of
// AVX-512 (or AVX2) multiply-adds, and each product's multiply-adds at that peak. Not part of the
// build: src/main/native/kernel-bench.sh compiles and runs it.
//
// rnnbook_ops.cc is included as it is; the TensorFlow C API functions it calls are stubbed here
// (the kernels' row functions take plain arrays).

#include <chrono>
#include <random>

#include "rnnbook_ops.cc"

extern "C" {
TF_Status* TF_NewStatus(void) { return nullptr; }
void TF_DeleteStatus(TF_Status*) {}
TF_Code TF_GetCode(const TF_Status*) { return TF_OK; }
void TF_SetStatus(TF_Status*, TF_Code, const char*) {}
void* TF_TensorData(const TF_Tensor*) { return nullptr; }
int TF_NumDims(const TF_Tensor*) { return 0; }
int64_t TF_Dim(const TF_Tensor*, int) { return 0; }
void TF_DeleteTensor(TF_Tensor*) {}
TF_KernelBuilder* TF_NewKernelBuilder(const char*, const char*, void* (*)(TF_OpKernelConstruction*),
                                      void (*)(void*, TF_OpKernelContext*), void (*)(void*)) {
  return nullptr;
}
void TF_RegisterKernelBuilder(const char*, TF_KernelBuilder*, TF_Status*) {}
void TF_GetInput(TF_OpKernelContext*, int, TF_Tensor**, TF_Status*) {}
void TF_OpKernelContext_Failure(TF_OpKernelContext*, TF_Status*) {}
void TF_OpKernelConstruction_GetAttrInt64(TF_OpKernelConstruction*, const char*, int64_t*, TF_Status*) {}
TF_Tensor* TF_AllocateOutput(TF_OpKernelContext*, int, TF_DataType, const int64_t*, int, size_t,
                             TF_Status*) {
  return nullptr;
}
TF_Tensor* TF_ForwardInputOrAllocateOutput(TF_OpKernelContext*, const int*, int, int, const int64_t*, int,
                                           int*, TF_Status*) {
  return nullptr;
}
TF_OpDefinitionBuilder* TF_NewOpDefinitionBuilder(const char*) { return nullptr; }
void TF_RegisterOpDefinition(TF_OpDefinitionBuilder*, TF_Status*) {}
void TF_OpDefinitionBuilderAddInput(TF_OpDefinitionBuilder*, const char*) {}
void TF_OpDefinitionBuilderAddOutput(TF_OpDefinitionBuilder*, const char*) {}
void TF_OpDefinitionBuilderAddAttr(TF_OpDefinitionBuilder*, const char*) {}
void TF_OpDefinitionBuilderSetShapeInferenceFunction(TF_OpDefinitionBuilder*,
                                                     void (*)(TF_ShapeInferenceContext*, TF_Status*)) {}
TF_ShapeHandle* TF_NewShapeHandle(void) { return nullptr; }
void TF_DeleteShapeHandle(TF_ShapeHandle*) {}
void TF_ShapeInferenceContextGetInput(TF_ShapeInferenceContext*, int, TF_ShapeHandle*, TF_Status*) {}
void TF_ShapeInferenceContextSetOutput(TF_ShapeInferenceContext*, int, TF_ShapeHandle*, TF_Status*) {}
void TF_ShapeInferenceContextSubshape(TF_ShapeInferenceContext*, TF_ShapeHandle*, int64_t, int64_t,
                                      TF_ShapeHandle*, TF_Status*) {}
void TF_ShapeInferenceContextConcatenateShapes(TF_ShapeInferenceContext*, TF_ShapeHandle*,
                                               TF_ShapeHandle*, TF_ShapeHandle*, TF_Status*) {}
}

namespace {

constexpr int RUNS = 400;

// microseconds of the fastest of RUNS calls of f
template <typename F>
double fastest(F&& f) {
  double best = 1e30;
  for (int i = 0; i < RUNS; i++) {
    auto start = std::chrono::steady_clock::now();
    f();
    best = std::min(best, std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count());
  }
  return best;
}

// vector multiply-adds per second on one core: 12 independent chains, each kept in a register
double peakVectorFmas() {
  vfloat a0 = splat(0.001f), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0, a8 = a0,
         a9 = a0, a10 = a0, a11 = a0;
  const vfloat m = splat(0.9999f), c = splat(0.0001f);
  const long rounds = 50'000'000;
  auto start = std::chrono::steady_clock::now();
  for (long k = 0; k < rounds; k++) {
#define RNNBOOK_FMA(x) \
  x = x * m + c;       \
  asm("" : "+v"(x));  // one multiply-add per chain and round, in a register
    RNNBOOK_FMA(a0) RNNBOOK_FMA(a1) RNNBOOK_FMA(a2) RNNBOOK_FMA(a3) RNNBOOK_FMA(a4) RNNBOOK_FMA(a5)
    RNNBOOK_FMA(a6) RNNBOOK_FMA(a7) RNNBOOK_FMA(a8) RNNBOOK_FMA(a9) RNNBOOK_FMA(a10) RNNBOOK_FMA(a11)
#undef RNNBOOK_FMA
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  vfloat sum = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11;
  if (sum[0] == 12345.f) std::puts("");  // keeps the chains alive
  return rounds * 12 / seconds;
}

std::vector<float> randomFloats(std::mt19937& rng, size_t n, float scale) {
  std::uniform_real_distribution<float> d(-scale, scale);
  std::vector<float> v(n);
  for (float& x : v) x = d(rng);
  return v;
}

// microseconds at the peak for n scalar multiply-adds
double atPeak(double n, double vectorFmasPerSecond) { return n / VW / vectorFmasPerSecond * 1e6; }

}  // namespace

int main() {
  const int64_t T = 100, B = 32, U = 30, UP = padded(U);
  const int64_t mid = (B + 1) / 2;
  std::mt19937 rng(1);
  const double peak = peakVectorFmas();
  std::printf("one core: %.2f G vector multiply-adds/s of %d floats = %.1f G multiply-adds/s\n",
              peak / 1e9, VW, peak * VW / 1e9);
  std::printf("one layer, %lld rows x %lld timesteps x %lld units, fastest of %d runs (us):\n",
              (long long)B, (long long)T, (long long)U, RUNS);

  {  // LSTM
    const int64_t G = 4 * U;
    auto xp = randomFloats(rng, T * B * G, 1.f), rk = randomFloats(rng, U * G, 0.3f),
         xb = randomFloats(rng, G, 0.1f);
    std::vector<float> h0(B * U), c0(B * U), h(T * B * U), c(T * B * U), gates(T * B * G), tc(T * B * U);
    std::vector<float> packed = packGates(rk.data(), U, U, 4);
    LstmSequence s{T, B, U, G, UP, xp.data(), packed.data(), h0.data(), c0.data(), xb.data(), h.data(),
                   c.data(), gates.data(), tc.data()};
    double forward = fastest([&] {
      lstmForwardRows<true>(s, 0, mid);
      lstmForwardRows<true>(s, mid, B);
    });
    // the chapter's second layer: 30 features in, projected inside the loop instead of read from xp
    auto x = randomFloats(rng, T * B * U, 1.f), k = randomFloats(rng, U * G, 0.3f);
    std::vector<float> packedK = packGates(k.data(), U, U, 4);
    LstmSequence sp = projecting(s, x.data(), packedK.data(), U);
    double projectingForward = fastest([&] {
      lstmForwardRows<true>(sp, 0, mid);
      lstmForwardRows<true>(sp, mid, B);
    });
    auto dh = randomFloats(rng, T * B * U, 0.01f);
    std::vector<float> dc(T * B * U), dxp(T * B * G), carryH(B * UP), carryC(B * UP), dRk(2 * U * 4 * UP);
    std::vector<float> packedT = packTransposed(rk.data(), U, G, G);
    LstmSequenceGrad g{T, B, U, G, UP, packedT.data(), h0.data(), c0.data(), h.data(), c.data(),
                       tc.data(), gates.data(), dh.data(), dc.data(), dxp.data(), carryH.data(), carryC.data()};
    double backward = fastest([&] {
      std::fill(carryH.begin(), carryH.end(), 0.f);
      std::fill(carryC.begin(), carryC.end(), 0.f);
      lstmBackwardRows(g, 0, mid, &dRk[0]);
      lstmBackwardRows(g, mid, B, &dRk[U * 4 * UP]);
    });
    // padded as the kernels compute them: 4 gates x UP columns, rows of UP
    const double recurrent = double(T) * B * U * 4 * UP;
    std::printf("  LSTM forward  %6.1f   its products h @ rk at the peak %6.1f\n", forward, atPeak(recurrent, peak));
    std::printf("  LSTM forward projecting 30 features %6.1f   its products x @ k and h @ rk at the peak %6.1f\n",
                projectingForward, atPeak(2 * recurrent, peak));
    std::printf("  LSTM backward %6.1f   its products dz @ rk^T and h^T dz at the peak %6.1f\n", backward,
                atPeak(2 * recurrent, peak));
  }
  {  // GRU, reset_after
    const int64_t G = 3 * U;
    auto xp = randomFloats(rng, T * B * G, 1.f), rk = randomFloats(rng, U * G, 0.3f),
         rb = randomFloats(rng, G, 0.1f), xb = randomFloats(rng, G, 0.1f);
    std::vector<float> h0(B * U), h(T * B * U), gates(T * B * G), mh(T * B * U);
    std::vector<float> packed = packGates(rk.data(), U, U, 3);
    GruSequence s{T, B, U, G, UP, xp.data(), packed.data(), rb.data(), h0.data(), xb.data(), h.data(),
                  gates.data(), mh.data()};
    double forward = fastest([&] {
      gruForwardRows<true>(s, 0, mid);
      gruForwardRows<true>(s, mid, B);
    });
    auto dh = randomFloats(rng, T * B * U, 0.01f);
    std::vector<float> dxp(T * B * G), carry(B * UP), dm(B * G), dRk(2 * U * 3 * UP), dRb(2 * 3 * UP);
    std::vector<float> packedT = packTransposed(rk.data(), U, G, G);
    GruSequenceGrad g{T, B, U, G, UP, packedT.data(), h0.data(), h.data(), gates.data(), mh.data(),
                      dh.data(), dxp.data(), carry.data(), dm.data()};
    double backward = fastest([&] {
      std::fill(carry.begin(), carry.end(), 0.f);
      gruBackwardRows(g, 0, mid, &dRk[0], &dRb[0]);
      gruBackwardRows(g, mid, B, &dRk[U * 3 * UP], &dRb[3 * UP]);
    });
    const double recurrent = double(T) * B * U * 3 * UP;
    std::printf("  GRU forward   %6.1f   its products h @ rk at the peak %6.1f\n", forward, atPeak(recurrent, peak));
    std::printf("  GRU backward  %6.1f   its products dm @ rk^T and h^T dm at the peak %6.1f\n", backward,
                atPeak(2 * recurrent, peak));
  }
  return 0;
}
