#!/usr/bin/env bash
# Regenerates the benchmark's FlatBuffers classes into src/main/java (flatc 2.0.8:
# apt-get install flatbuffers-compiler).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
flatc --version | grep -q '2.0.8' || { echo "flatc 2.0.8 is needed, found: $(flatc --version)" >&2; exit 1; }
flatc --java -o "$here/../java" "$here/bench.fbs"
