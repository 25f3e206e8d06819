#!/usr/bin/env bash
# The benchmarks of issue 4 until `diffusion4j bench` lands: builds core and nn offline (tests skipped),
# then runs io.diffusion4j.bench.BenchMain with the given options (see bench/README.md), e.g.
#   bench/bench.sh                          # train / forward / memory vs the PyTorch twin, ~1 minute
#   bench/bench.sh --memory-steps 10000     # RSS growth over 10,000 trainer steps of a small U-Net
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
mvn -B -q -o -Dstyle.color=never -pl core,nn -DskipTests package dependency:build-classpath \
  -Dmdep.outputFile=target/bench.cp >&2
exec java -Dai.djl.offline=true -cp "nn/target/diffusion4j-nn-0.1.0-SNAPSHOT.jar:$(cat nn/target/bench.cp)" \
  io.diffusion4j.bench.BenchMain "$@"
