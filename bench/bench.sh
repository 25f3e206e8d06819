#!/usr/bin/env bash
# The benchmarks: `diffusion4j bench` with the given options (see bench/README.md), e.g.
#   bench/bench.sh                          # train / forward / memory vs the PyTorch twin, ~2 minutes
#   bench/bench.sh --memory-steps 10000     # RSS growth over 10,000 trainer steps of a small U-Net
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
exec "$root/diffusion4j" bench "$@"
