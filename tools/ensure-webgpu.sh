#!/usr/bin/env bash
# Makes sure `npm test`, `npm run demo` and `npm run bench` can run on this machine:
#   1. npm dependencies: installed with `npm ci` when node_modules is missing or stale;
#   2. a WebGPU adapter: when Dawn finds none and this is Debian with root, installs Mesa's
#      software Vulkan driver (tools/install-vulkan-driver.sh). With a GPU, nothing
#      system-wide is touched.
set -euo pipefail
cd "$(dirname "$0")/.."
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp}"

if [ -L node_modules ]; then
  # A node_modules shared through a symlink (several worktrees of one checkout): `npm ci` would
  # replace the link and first empty the shared folder through it. Leave it to its owner.
  [ -d node_modules/webgpu ] || { echo "ensure-webgpu: node_modules links to a folder without webgpu; run npm ci there" >&2; exit 1; }
elif [ ! -d node_modules/webgpu ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "ensure-webgpu: installing npm dependencies (npm ci)"
  npm ci --no-audit --no-fund
fi

probe() {
  node --input-type=module -e "
    import { create } from 'webgpu';
    const adapter = await create([]).requestAdapter();
    if (!adapter) process.exit(1);
    console.log(adapter.info.description || adapter.info.vendor || 'adapter');
  " 2>/dev/null
}

if adapter=$(probe); then
  [ -n "${CI:-}" ] && echo "ensure-webgpu: WebGPU adapter: $adapter"
  exit 0
fi

echo "ensure-webgpu: no WebGPU adapter found"
if [ "$(id -u)" = "0" ] && [ -f /etc/debian_version ]; then
  bash tools/install-vulkan-driver.sh
  if adapter=$(probe); then
    echo "ensure-webgpu: WebGPU adapter: $adapter"
    exit 0
  fi
  echo "ensure-webgpu: still no adapter after installing the driver" >&2
  exit 1
fi
echo "ensure-webgpu: install a Vulkan driver (on Debian bookworm, as root: bash tools/install-vulkan-driver.sh)" >&2
exit 1
