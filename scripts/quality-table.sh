#!/usr/bin/env bash
# The quality table of the bundled model (or --checkpoint DIR): for each sampler setting, N samples with
# classes cycling 0..9 (`diffusion4j sample --format npy`), scored by `diffusion4j eval` against the
# shipped classifier's reference; prints a Markdown table and keeps every samples.npy / JSON under OUT.
#   scripts/quality-table.sh [--checkpoint DIR] [--n 2000] [--out runs/quality] [--rows "dpm++2m:20:3 ddim:50:3"]
# Each row is SAMPLER:STEPS:GUIDANCE[:LOW,HIGH] (the last part: --guidance-interval). Default rows: the tables of
# issues 6 and 8.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
n=2000
out="$root/runs/quality"
checkpoint=()
rows="dpm++2m:20:3 dpm++2m:10:3 ddim:50:3 ddim:100:3 euler:20:3 heun:10:3 dpm++2m:20:1 dpm++2m:20:2 dpm++2m:20:5 unipc:10:3 unipc:20:3 dpm++2m-karras:10:3 dpm++2m-karras:20:3 dpm++3m:10:3 dpm++3m:20:3"
while [ $# -gt 0 ]; do
  case "$1" in
    --checkpoint) checkpoint=(--checkpoint "$2"); shift 2 ;;
    --n) n="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --rows) rows="$2"; shift 2 ;;
    *) echo "error: unknown option $1; options are --checkpoint, --n, --out, --rows" >&2; exit 2 ;;
  esac
done
mkdir -p "$out"
field() { sed -n "s/^  \"$1\": \\([-0-9.eE]*\\),\\{0,1\\}$/\\1/p" "$2" | head -n 1; }
ref() { sed -n '/"reference"/,$p' "$2" | sed -n "s/^    \"$1\": \\([-0-9.eE]*\\),\\{0,1\\}$/\\1/p" | head -n 1; }
echo "| sampler | steps | NFE | guidance | FD | FD / floor | KID | precision | recall | class acc. | seconds |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
for row in $rows; do
  IFS=: read -r sampler steps guidance interval <<< "$row"
  name="${sampler}-${steps}-g${guidance}"
  extra=()
  label="$sampler"
  if [ -n "$interval" ]; then
    name="$name-i${interval/,/-}"
    extra=(--guidance-interval "$interval")
    label="$sampler, interval (${interval/,/, }]"
  fi
  start=$(date +%s)
  "$root/diffusion4j" sample "${checkpoint[@]}" --n "$n" --format npy --sampler "$sampler" --steps "$steps" \
    --guidance "$guidance" "${extra[@]}" --seed 0 --out "$out/$name" --force > /dev/null 2> "$out/$name.log"
  seconds=$(( $(date +%s) - start ))
  "$root/diffusion4j" eval "$out/$name/samples.npy" --labels "$out/$name/labels.npy" --json "$out/$name.json" --force > "$out/$name.txt"
  j="$out/$name.json"
  nfe=$steps
  # calls per image: two per step for heun and dpm2, four for RK4, one for the step to sigma = 0
  # (Sampler.evaluations); pndm's Runge-Kutta warm-up takes 4 calls in each of its first 3 steps, plms 2 in its first
  case "$sampler" in
    heun*|dpm2*) nfe=$(( 2 * steps - 1 )) ;;
    pf-ode) nfe=$(( 4 * steps - 3 )) ;;
    pndm) nfe=$(( steps + 9 )) ;;
    plms) nfe=$(( steps + 1 )) ;;
  esac
  awk -v s="$label" -v st="$steps" -v nfe="$nfe" -v g="$guidance" -v fd="$(field fd "$j")" -v floor="$(ref fd "$j")" \
      -v kid="$(field kid "$j")" -v p="$(field precision "$j")" -v r="$(field recall "$j")" -v acc="$(field class_accuracy "$j")" \
      -v sec="$seconds" 'BEGIN { printf "| %s | %s | %s | %s | %.3f | %.2f | %.4f | %.3f | %.3f | %.4f | %d |\n", s, st, nfe, g, fd, fd / floor, kid, p, r, acc, sec }'
done
