#!/usr/bin/env bash
# Compiles and runs kernel-bench.cc: the native kernels timed alone (no TensorFlow, no JVM) against
# this core's multiply-add peak. Same flags as build-kernels.sh, at the level NativeKernels would
# load on this CPU (not -march=native: g++ 12 takes a Zen 5 for a Zen 3, without AVX-512).
#   bash src/main/native/kernel-bench.sh [x86-64-v2|x86-64-v3|x86-64-v4]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
flags=$(grep -m1 '^flags' /proc/cpuinfo || true)
level=x86-64-v2
[[ $flags == *" avx2 "* && $flags == *" fma "* ]] && level=x86-64-v3
[[ $flags == *" avx512f "* && $flags == *" avx512bw "* && $flags == *" avx512vl "* ]] && level=x86-64-v4
"${CXX:-g++}" -std=c++17 -O3 -ffast-math -mrecip -march="${1:-$level}" -I"$here" \
  -o "$out/kernel-bench" "$here/kernel-bench.cc" -lpthread
echo "kernels built for ${1:-$level}"
"$out/kernel-bench"
