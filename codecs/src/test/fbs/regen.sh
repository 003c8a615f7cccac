#!/usr/bin/env bash
# Regenerates the Java classes of the FlatBuffers test schema into src/test/java.
# Needs flatc 2.0.8 (Debian: apt-get install flatbuffers-compiler), the version that matches the
# flatbuffers-java 2.0.8 runtime the codecs module uses.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
flatc --version | grep -q '2.0.8' || { echo "flatc 2.0.8 is needed, found: $(flatc --version)" >&2; exit 1; }
flatc --java -o "$here/../java" "$here/telemetry.fbs"
