#!/usr/bin/env bash
# Builds dist/aistor: one self-contained executable with the npm dependencies and the wasm
# kernels embedded (the kernels are a generated TypeScript module, so no file is loaded at run time).
#
#   ./compile.sh          bun build --compile (works offline)
#   ./compile.sh deno     deno compile (downloads Deno's denort runtime unless DENORT_BIN points at one)
#
# Deno and Bun are taken from PATH, else run through npx at the pinned versions.
set -euo pipefail
cd "$(dirname "$0")"

deno_version=2.9.6
bun_version=1.4.5
run_deno() { if command -v deno >/dev/null; then deno "$@"; else npx -y "deno@$deno_version" "$@"; fi; }
run_bun() { if command -v bun >/dev/null; then bun "$@"; else npx -y "bun@$bun_version" "$@"; fi; }

mkdir -p dist
# Bun resolves bare imports from node_modules; deno install lays it out from deno.json.
run_deno install --quiet

case "${1:-bun}" in
  bun)
    run_bun build --compile --minify-syntax --minify-whitespace main.ts --outfile dist/aistor
    ;;
  deno)
    run_deno compile -A --output dist/aistor main.ts
    ;;
  *)
    echo "usage: ./compile.sh [bun|deno]" >&2
    exit 2
    ;;
esac
echo "built dist/aistor ($(du -h dist/aistor | cut -f1))"
