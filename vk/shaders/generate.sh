#!/usr/bin/env bash
# Compiles every GLSL compute shader *.comp in this directory to SPIR-V <name>.spv with
# glslc (Debian package glslc). The .spv files are generated and committed; do not edit
# them. Usage: generate.sh [output-dir] (default: this directory). The Go test
# TestShadersUpToDate runs this into a temporary directory and fails on any difference.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:-$here}"
mkdir -p "$out"
for src in "$here"/*.comp; do
	name="$(basename "$src" .comp)"
	glslc --target-env=vulkan1.0 -O -fshader-stage=compute -o "$out/$name.spv" "$src"
done
