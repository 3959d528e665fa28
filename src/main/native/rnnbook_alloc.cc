// Tensor memory for rnnbook's processes: TensorFlow's CPU allocator without its process-wide lock.
//
// TensorFlow's CPU build (with oneDNN) gives every tensor's memory through one MklCPUAllocator per
// process: each free takes its mutex, each allocation of 4 KiB or more takes it and a BFC pool
// shared by every thread. Two models training side by side in one process (the chapter, the study)
// then wait for each other on that lock and hand each other's freshly freed, cache-warm blocks
// back and forth; a training step allocates some 40 tensors and 7.7 MB. This library defines the
// two methods that do the work, AllocateRaw and DeallocateRaw, on the C library's allocator (one
// arena per thread), and nothing else.
//
// It takes effect only when it is in the process's global scope before TensorFlow's libraries
// load (rnnbook.keras.layers.NativeAllocator loads it first, or not at all): the dynamic linker then
// binds TensorFlow's references to these two methods here, so every tensor is allocated and freed
// by this code, never one by each. The JVM loads a library into a local scope; the constructor
// below reopens this one with RTLD_NOLOAD | RTLD_GLOBAL, which moves it into the global one.
// The numbers do not change (only where the memory comes from).
// It is built apart from the kernels, without linking TensorFlow, so that it can load first.
#include <dlfcn.h>
#include <malloc.h>

#include <atomic>
#include <cstddef>
#include <cstdlib>

namespace {
// 1 once a tensor came from here (set once, then only read: two training threads do not write a
// shared cache line per call)
std::atomic<int> used{0};
// whether this library is in the global scope, so that libraries loaded after it bind to it
bool global = false;

__attribute__((constructor)) void onLoad() {
  // Fixed thresholds for the C library's allocator (the process's, the JVM's calls included): its
  // default lets blocks of a few MB go back to the system and come back as fresh pages while it
  // adapts, which cost the first epoch of each model 0.3-0.6 s here. Blocks under 32 MiB come
  // from the arenas, and an arena keeps up to 128 MiB free before it gives memory back.
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 128 << 20);
  Dl_info self;
  if (dladdr(reinterpret_cast<void*>(&onLoad), &self) == 0 || self.dli_fname == nullptr) return;
  global = dlopen(self.dli_fname, RTLD_LAZY | RTLD_NOLOAD | RTLD_GLOBAL) != nullptr;
}
}  // namespace

// JNI: static native int state() of rnnbook.keras.layers.NativeAllocator. 0: not in the global
// scope (TensorFlow would not bind to it); 1: global, no tensor allocated here yet; 2: global and
// in use. (JNIEnv* and jclass are unused pointers, jint is int: the plain C ABI, no jni.h needed.)
extern "C" __attribute__((visibility("default"))) int Java_rnnbook_keras_layers_NativeAllocator_state(void*, void*) {
  return !global ? 0 : used.load(std::memory_order_relaxed) == 0 ? 1 : 2;
}

namespace tensorflow {

// The two methods' signatures as TensorFlow declares them (mangled names
// _ZN10tensorflow15MklCPUAllocator11AllocateRawEmm and ...13DeallocateRawEPv).
class MklCPUAllocator {
 public:
  void* AllocateRaw(std::size_t alignment, std::size_t num_bytes);
  void DeallocateRaw(void* ptr);
};

__attribute__((visibility("default"))) void* MklCPUAllocator::AllocateRaw(std::size_t alignment,
                                                                          std::size_t num_bytes) {
  if (used.load(std::memory_order_relaxed) == 0) used.store(1, std::memory_order_relaxed);
  if (alignment < sizeof(void*)) alignment = sizeof(void*);
  void* ptr = nullptr;
  // TensorFlow checks for null (out of memory) as it does with its own allocators
  return posix_memalign(&ptr, alignment, num_bytes) == 0 ? ptr : nullptr;
}

__attribute__((visibility("default"))) void MklCPUAllocator::DeallocateRaw(void* ptr) { std::free(ptr); }

}  // namespace tensorflow
