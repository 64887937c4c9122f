#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine, builds smolvlm, and runs a generation.
#   scripts/demo.sh            -> writes a random-weight model of the real SmolVLM-256M-Instruct shape
#                                 and runs it (its words are meaningless: the weights are random)
#   scripts/demo.sh MODEL_DIR  -> runs a real checkpoint folder downloaded from the Hugging Face hub
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build build -j "$(nproc)"

model="${1:-}"
if [ -z "$model" ]; then
  model=demo-models/SmolVLM-256M-Instruct-random
  if [ ! -f "$model/model.safetensors" ]; then
    ./build/smolvlm make-model --like SmolVLM-256M-Instruct --out "$model"
  fi
  echo "== Demo on RANDOM weights of the SmolVLM-256M-Instruct shape: the words below are meaningless. =="
  echo "== Pass a real checkpoint folder (e.g. scripts/demo.sh ~/SmolVLM-256M-Instruct) for real answers. =="
fi
./build/smolvlm run --model "$model" --prompt "What is the capital of France?" --max-new-tokens 32
