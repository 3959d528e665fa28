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
#include <link.h>
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
  // A thread's arena (not the main one) grows by extra heaps of up to 64 MiB, and the C library
  // unmaps such a heap as soon as it is empty, whatever the trim threshold, unless the heap before
  // it lacks the top pad's room (64 MiB: it always does): without a pad, every LSTM training step
  // of batch 128 mapped a heap, had the kernel zero its pages and unmapped it again (page faults a
  // sixth of the step; steps of 14 to 42 ms, 11 to 12 ms with the pad; batch 512: 47 ms with it).
  // Batch 32 does not notice it.
  mallopt(M_TOP_PAD, 64 << 20);
  Dl_info self;
  if (dladdr(reinterpret_cast<void*>(&onLoad), &self) == 0 || self.dli_fname == nullptr) return;
  global = dlopen(self.dli_fname, RTLD_LAZY | RTLD_NOLOAD | RTLD_GLOBAL) != nullptr;
}
}  // namespace

// Whether TensorFlow's allocator class calls these two methods: its virtual table (exported by
// TensorFlow's framework library, loaded into a local scope, hence looked up through its handle)
// holds their addresses, 0 of 2, 1 or 2. -1 while TensorFlow's library is not loaded.
int methodsBound() {
  void* tensorflow = dlopen("libtensorflow_framework.so.2", RTLD_LAZY | RTLD_NOLOAD);
  if (tensorflow == nullptr) return -1;
  void* table = dlsym(tensorflow, "_ZTVN10tensorflow15MklCPUAllocatorE");
  void* mine[] = {dlsym(RTLD_DEFAULT, "_ZN10tensorflow15MklCPUAllocator11AllocateRawEmm"),
                  dlsym(RTLD_DEFAULT, "_ZN10tensorflow15MklCPUAllocator13DeallocateRawEPv")};
  Dl_info info;
  ElfW(Sym)* entry = nullptr;
  int found = 0;
  if (table != nullptr &&
      dladdr1(table, &info, reinterpret_cast<void**>(&entry), RTLD_DL_SYMENT) != 0 && entry != nullptr) {
    void* const* slots = static_cast<void* const*>(table);
    const std::size_t n = entry->st_size / sizeof(void*);
    for (void* m : mine) {
      for (std::size_t i = 0; i < n; i++) {
        if (m != nullptr && slots[i] == m) {
          found++;
          break;
        }
      }
    }
  }
  dlclose(tensorflow);  // balances the NOLOAD open: the library stays loaded
  return found;
}

// JNI: static native int state() of rnnbook.keras.layers.NativeAllocator. 0: not in the global
// scope; 1: global, TensorFlow not loaded yet; 2: TensorFlow loaded and its allocator calls both
// methods here, no tensor allocated yet; 3: the same, in use; 4: TensorFlow loaded but calling
// neither; 5: calling only one of the two (memory would be freed by the wrong allocator).
// (JNIEnv* and jclass are unused pointers, jint is int: the plain C ABI, no jni.h needed.)
extern "C" __attribute__((visibility("default"))) int Java_rnnbook_keras_layers_NativeAllocator_state(void*, void*) {
  if (!global) return 0;
  const int bound = methodsBound();
  if (bound < 0) return 1;
  if (bound == 0) return 4;
  if (bound == 1) return 5;
  return used.load(std::memory_order_relaxed) == 0 ? 2 : 3;
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
