#!/usr/bin/env bash
# Installs every Debian 12 package the build, the tests and the demo need.
# Idempotent and non-interactive; run as root (or with sudo available).
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  nlohmann-json3-dev libicu-dev
  libjpeg62-turbo-dev libpng-dev libwebp-dev
  libavformat-dev libavcodec-dev libswscale-dev libavutil-dev
  libgtest-dev libgmock-dev googletest libbenchmark-dev
  python3 python3-jinja2 python3-pil
  libcpp-httplib-dev libssl-dev chromium  # libssl-dev: https image URLs (cpp-httplib with OpenSSL)
)
# Node.js and npm run the server's end-to-end tests (tests/server/js). A
# NodeSource nodejs brings its own npm, which Debian's npm package conflicts with.
if ! command -v npm >/dev/null; then packages+=(nodejs npm); fi

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi

export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -q
"${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${packages[@]}"
