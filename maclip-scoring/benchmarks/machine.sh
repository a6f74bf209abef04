#!/usr/bin/env bash
# Prints the machine a benchmark ran on: cores, CPU model, and which of the CPU features that
# change ONNX Runtime's speed it has (AVX2, AVX-512, VNNI, AMX). Used by every benchmark script.
echo "== $(nproc) cores; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
flags=$(grep -m1 '^flags' /proc/cpuinfo)
for f in avx2 avx512f avx512_vnni avx_vnni amx_tile amx_int8; do
  [[ " $flags " == *" $f "* ]] && printf '%s ' "$f"
done
echo "(CPU flags); load: $(cut -d' ' -f1-3 /proc/loadavg)"
