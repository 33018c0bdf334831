#!/usr/bin/env bash
# Software Vulkan for WebGPU without a GPU: Mesa ≥ 25's lavapipe from Debian bookworm-backports,
# unpacked into /opt/emobench-lavapipe (the system's Mesa is left as it is), plus the Vulkan loader.
# Debian 12's own lavapipe (Mesa 22.3) is refused by Dawn. Idempotent; runs as root or through sudo.
# engine=webgpu finds the ICD file at its fixed path by itself; other Vulkan programs need the
# VK_ICD_FILENAMES line printed at the end.
set -euo pipefail
DEST="${EMOBENCH_LAVAPIPE_DIR:-/opt/emobench-lavapipe}"
ICD="$DEST/lvp_icd.json"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

if [ -f "$ICD" ] && ldconfig -p | grep -q 'libvulkan\.so\.1'; then
  echo "lavapipe already installed: $ICD" >&2
else
  SOURCES=/etc/apt/sources.list.d/debian.sources
  if [ -f "$SOURCES" ] && ! grep -q 'bookworm-backports' "$SOURCES"; then
    # The backports suite on the same mirror as the main Debian stanza (the first Suites: line).
    $SUDO sed -i '0,/^Suites: bookworm\b/s//Suites: bookworm bookworm-backports/' "$SOURCES"
  elif [ ! -f "$SOURCES" ] && ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    echo 'deb http://deb.debian.org/debian bookworm-backports main' | $SUDO tee /etc/apt/sources.list.d/bookworm-backports.list >/dev/null
  fi
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libvulkan1 >/dev/null
  WORK="$(mktemp -d)"
  chmod 755 "$WORK" # apt downloads as the _apt user
  (cd "$WORK" && apt-get download -qq mesa-vulkan-drivers/bookworm-backports)
  $SUDO mkdir -p "$DEST"
  $SUDO dpkg -x "$WORK"/mesa-vulkan-drivers_*.deb "$DEST"
  rm -rf "$WORK"
  LIB="$(find "$DEST" -name libvulkan_lvp.so | head -n 1)"
  if [ -z "$LIB" ]; then echo "install-lavapipe: libvulkan_lvp.so not found in the package" >&2; exit 1; fi
  printf '{\n  "file_format_version": "1.0.0",\n  "ICD": { "library_path": "%s", "api_version": "1.3.0" }\n}\n' "$LIB" | $SUDO tee "$ICD" >/dev/null
  echo "lavapipe installed: $ICD" >&2
fi
echo "export VK_ICD_FILENAMES=$ICD"
