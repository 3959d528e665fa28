#!/usr/bin/env bash
# Builds rnnbook's native recurrent kernels (rnnbook_ops.cc) for three x86-64 levels, baseline
# (x86-64-v2), AVX2 (v3) and AVX-512 (v4); rnnbook.keras.layers.NativeKernels loads the best one
# the CPU runs, after checking it against the SHA-256 written into kernels.properties here. Beside
# them, librnnbook_alloc.so (rnnbook_alloc.cc, the tensor allocator NativeAllocator loads before
# TensorFlow), built without TensorFlow's library.
# Run by Maven at generate-resources:  build-kernels.sh SOURCE TENSORFLOW_NATIVE_DIR OUT_DIR
# (TENSORFLOW_NATIVE_DIR: where Maven unpacked libtensorflow_framework.so.2 from TensorFlow's jar)
# Without a C++ compiler it prints one line and succeeds: the layers then use TensorFlow's ops.
set -uo pipefail
source=$1 out=$3
allocator_source=$(dirname "$source")/rnnbook_alloc.cc
framework=$(find "$2" -name libtensorflow_framework.so.2 2>/dev/null | head -n 1)
cxx=${CXX:-g++}
flags=(-std=c++17 -O3 -ffast-math -mrecip -fPIC -shared)
levels=(x86-64-v2 x86-64-v3 x86-64-v4)

if ! command -v "$cxx" >/dev/null 2>&1; then
  echo "rnnbook: no C++ compiler ($cxx): native recurrent kernels not built; recurrent layers will use TensorFlow's ops"
  rm -rf "$out"
  exit 0
fi
if [ -z "$framework" ]; then
  echo "rnnbook: no libtensorflow_framework.so.2 under $2: native recurrent kernels not built"
  rm -rf "$out"
  exit 0
fi
# up to date when the source, flags, compiler and TensorFlow library are those of the last build
stamp=$( { cat "$source" "$allocator_source"; echo "${flags[*]} ${levels[*]}"; timeout 30 "$cxx" --version | head -n 1;
  stat -c %s "$framework"; } | sha256sum | cut -c1-64)
if [ -f "$out/kernels.properties" ] && grep -qx "build=$stamp" "$out/kernels.properties"; then
  exit 0
fi
mkdir -p "$out"
rm -f "$out"/librnnbook_ops-*.so "$out"/librnnbook_alloc.so "$out/kernels.properties"
start=$(date +%s%N)
pids=()
for level in "${levels[@]}"; do
  # links against TensorFlow's framework library by its soname, which the JVM has loaded already
  timeout 300 "$cxx" "${flags[@]}" -march="$level" -o "$out/librnnbook_ops-$level.so.tmp" \
    "$source" "$framework" > "$out/$level.log" 2>&1 &
  pids+=($!)
done
# the allocator links nothing of TensorFlow's: it is loaded before TensorFlow
timeout 300 "$cxx" -std=c++17 -O2 -fPIC -shared -o "$out/librnnbook_alloc.so.tmp" "$allocator_source" -ldl \
  > "$out/allocator.log" 2>&1 &
allocator_pid=$!
failure=""
for i in "${!levels[@]}"; do
  wait "${pids[$i]}"
  status=$?
  if [ $status -ne 0 ] && [ -z "$failure" ]; then
    log="$out/${levels[$i]}.log"
    if [ $status -eq 124 ]; then
      failure="$cxx timed out after 300 s for ${levels[$i]}"
    else
      failure="$cxx failed for ${levels[$i]}: $(grep -m1 -i error "$log" || tail -n 1 "$log")"
    fi
  fi
done
wait $allocator_pid
status=$?
if [ $status -ne 0 ] && [ -z "$failure" ]; then
  failure="$cxx failed for rnnbook_alloc.cc: $(grep -m1 -i error "$out/allocator.log" || tail -n 1 "$out/allocator.log")"
fi
if [ -n "$failure" ]; then
  echo "rnnbook: native recurrent kernels not built ($failure); recurrent layers will use TensorFlow's ops"
  rm -f "$out"/*.tmp "$out"/*.log
  exit 0
fi
{
  echo "# written by build-kernels.sh; NativeKernels loads a library only if its SHA-256 matches"
  echo "build=$stamp"
  for level in "${levels[@]}"; do
    mv "$out/librnnbook_ops-$level.so.tmp" "$out/librnnbook_ops-$level.so"
    echo "sha256.librnnbook_ops-$level.so=$(sha256sum "$out/librnnbook_ops-$level.so" | cut -c1-64)"
  done
  mv "$out/librnnbook_alloc.so.tmp" "$out/librnnbook_alloc.so"
  echo "sha256.librnnbook_alloc.so=$(sha256sum "$out/librnnbook_alloc.so" | cut -c1-64)"
} > "$out/kernels.properties.tmp"
mv "$out/kernels.properties.tmp" "$out/kernels.properties"
rm -f "$out"/*.log
ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "rnnbook: built the native recurrent kernels (${levels[*]}) and the tensor allocator in $((ms / 1000)).$((ms % 1000 / 100)) s"
