#!/usr/bin/env bash
# Installs Mesa's software Vulkan driver (lavapipe, adapter name "llvmpipe") on Debian bookworm,
# so that WebGPU (Dawn, through the `webgpu` npm package) has an adapter on a machine with no GPU.
#
# Debian bookworm's own Mesa (22.x) is too old for Dawn; the one in bookworm-backports works.
# Run as root. Does nothing when a Vulkan ICD from backports is already installed.
set -euo pipefail

if [ "$(id -u)" != "0" ]; then
  echo "install-vulkan-driver: must run as root (it uses apt-get)" >&2
  exit 1
fi

sources=/etc/apt/sources.list.d/debian.sources
if [ -f "$sources" ] && ! grep -q 'bookworm-backports' "$sources"; then
  echo "install-vulkan-driver: enabling bookworm-backports in $sources"
  sed -i 's/^Suites: bookworm bookworm-updates$/Suites: bookworm bookworm-updates bookworm-backports/' "$sources"
fi
if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  # One-line format: reuse the mirror of the existing bookworm line.
  mirror=$(grep -hE '^deb [^ ]+ bookworm ' /etc/apt/sources.list 2>/dev/null | head -n1 | awk '{print $2}')
  [ -n "$mirror" ] || { echo "install-vulkan-driver: no bookworm apt source found to add backports to" >&2; exit 1; }
  echo "deb $mirror bookworm-backports main" > /etc/apt/sources.list.d/backports.list
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends -t bookworm-backports mesa-vulkan-drivers libvulkan1
echo "install-vulkan-driver: done ($(dpkg-query -W -f='${Version}' mesa-vulkan-drivers))"
