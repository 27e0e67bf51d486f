#!/usr/bin/env bash
# Sets up a software WebGPU adapter for Node (Dawn, npm `webgpu`) on Debian without a GPU:
# the SwiftShader Vulkan driver and the Vulkan loader, taken from Debian's chromium-common
# package (downloaded and extracted, not installed), into .webgpu/ at the repository root.
# Tests find it there (test/lite/webgpu/gpu.ts sets VK_ICD_FILENAMES);
# `.webgpu/ready` marks a finished setup, after which a missing adapter fails the tests.
# Also installs Debian's chromium for the headless-browser WebGPU test (test/lite/webgpu/
# browser.test.ts), marked by `.webgpu/chromium`; TGLITE_SKIP_CHROMIUM=1 leaves it out.
# Also extracts Mesa 25's lavapipe (bookworm-backports; has shader-f16) into .webgpu/lavapipe
# for the f16 tests (test/lite/webgpu/f16.test.ts); TGLITE_SKIP_LAVAPIPE=1 leaves it out.
#   scripts/setup-webgpu.sh            # idempotent; ~15 s, ~35 s with chromium
set -euo pipefail
cd "$(dirname "$0")/.."
DIR="$PWD/.webgpu"
if [ -f "$DIR/ready" ] && [ -f "$DIR/vk_swiftshader_icd.json" ] && { [ -f "$DIR/chromium" ] || [ "${TGLITE_SKIP_CHROMIUM:-}" = 1 ]; } \
  && { [ -f "$DIR/lavapipe/lvp_icd.json" ] || [ "${TGLITE_SKIP_LAVAPIPE:-}" = 1 ]; }; then
  echo "setup-webgpu: already set up in $DIR"
  exit 0
fi
mkdir -p "$DIR"
SUDO=""
if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
start=$(date +%s)
$SUDO apt-get update -qq
# The Vulkan loader (chromium-common also ships one; the system one is the fallback).
$SUDO apt-get install -y -qq libvulkan1 >/dev/null
if [ "${TGLITE_SKIP_CHROMIUM:-}" != 1 ]; then
  $SUDO apt-get install -y -qq chromium >/dev/null
  test -x /usr/bin/chromium && touch "$DIR/chromium"
fi
tmp=$(mktemp -d); chmod 777 "$tmp" # apt-get download writes as its own user
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && apt-get download -qq chromium-common)
deb=$(ls "$tmp"/chromium-common_*.deb)
dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$DIR" --strip-components=4 \
  ./usr/lib/chromium/libvk_swiftshader.so ./usr/lib/chromium/vk_swiftshader_icd.json ./usr/lib/chromium/libvulkan.so.1
test -f "$DIR/vk_swiftshader_icd.json"
if [ "${TGLITE_SKIP_LAVAPIPE:-}" != 1 ]; then
  # lavapipe from bookworm-backports, with a private apt state (nothing installed); needs libllvm15
  $SUDO apt-get install -y -qq libllvm15 >/dev/null
  mkdir -p "$tmp/apt/lists/partial" "$tmp/apt/cache/archives/partial" "$DIR/lavapipe"
  echo 'deb http://deb.debian.org/debian bookworm-backports main' > "$tmp/apt/sources.list"
  APT=(-o Dir::Etc::sourcelist="$tmp/apt/sources.list" -o Dir::Etc::sourceparts=- -o Dir::State="$tmp/apt" -o Dir::Cache="$tmp/apt/cache")
  apt-get "${APT[@]}" update -qq
  (cd "$tmp" && apt-get "${APT[@]}" download -qq mesa-vulkan-drivers/bookworm-backports)
  dpkg-deb --fsys-tarfile "$tmp"/mesa-vulkan-drivers_*bpo*.deb | tar -x -C "$DIR/lavapipe" --strip-components=4 ./usr/lib/x86_64-linux-gnu/libvulkan_lvp.so
  printf '{"file_format_version":"1.0.0","ICD":{"library_path":"%s","api_version":"1.4.305"}}\n' "$DIR/lavapipe/libvulkan_lvp.so" > "$DIR/lavapipe/lvp_icd.json"
fi
echo "$deb" | sed 's/.*\///' > "$DIR/ready"
echo "setup-webgpu: SwiftShader in $DIR ($(( $(date +%s) - start )) s)"
