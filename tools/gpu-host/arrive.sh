# Sets up a GPU host from the bundle that tools/gpu-host/pack.mjs wrote. Source it from the repo root:
#   . tools/gpu-host/arrive.sh [BUNDLE]          (BUNDLE defaults to $ASMA_GPU_BUNDLE, else .gpu-host)
# It unpacks Node and asma into $ASMA_GPU_HOME (default /tmp/asma-gpu), provides the Vulkan loader
# and libGLdispatch where ldconfig lists none (Debian's libvulkan1 and libglvnd0 unpacked into / with
# ldconfig when root on an NVIDIA host; else into $ASMA_GPU_VULKAN_PREFIX or $ASMA_GPU_HOME/vulkan with
# LD_LIBRARY_PATH), points Vulkan at the NVIDIA driver, and exports:
#   PATH              the packed node first
#   ASMA_CLI          the packed asma/dist/cli.js   (node "$ASMA_CLI" --help)
#   ASMA_GPU_HOME     where it unpacked
#   VK_DRIVER_FILES   the NVIDIA Vulkan ICD, when one of the known paths has it and it is not set yet
#   __EGL_VENDOR_LIBRARY_FILENAMES  likewise for EGL (not needed by Dawn's Vulkan path; for other tools)
# The same exports are written to $ASMA_GPU_HOME/env.sh for later shells. Running it again with the
# same bundle unpacks Node and asma no more (the bundle's manifest.json is the stamp). Run as a program instead of
# sourced, it does the same work and prints the exports.
#
# Fallbacks when Dawn finds no adapter (tools/gpu-host/README.md has more):
#   ldconfig -p | grep libvulkan     the loader must be listed (else: LD_LIBRARY_PATH to its folder)
#   ls /usr/local/nvidia/share/vulkan/icd.d /usr/share/vulkan/icd.d /etc/vulkan/icd.d
#                                    export VK_DRIVER_FILES=<the nvidia_icd.json found>
#   export __EGL_VENDOR_LIBRARY_FILENAMES=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json

# xz -dc, or Python's lzma where a bare host has no xz-utils (python3 is there for PyTorch).
_asma_gpu_unxz() {
  if command -v xz >/dev/null 2>&1; then
    xz -dc "$1"
  else
    python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), sys.stdout.buffer)' "$1"
  fi
}

asma_gpu_arrive() {
  local bundle="${1:-${ASMA_GPU_BUNDLE:-.gpu-host}}"
  local home="${ASMA_GPU_HOME:-/tmp/asma-gpu}"
  local f
  for f in manifest.json node.xz asma.tar.xz; do
    if [ ! -f "$bundle/$f" ]; then
      echo "arrive: $bundle/$f is missing: pack with tools/gpu-host/pack.mjs and carry $bundle" >&2
      return 1
    fi
  done
  # Each Debian package the bundle holds, with the library whose presence makes it unnecessary.
  local debs="libvulkan1:libvulkan.so.1 libglvnd0:libGLdispatch.so.0" pair
  for pair in $debs; do
    if ! ls "$bundle/${pair%%:*}"_*_amd64.deb >/dev/null 2>&1; then
      echo "arrive: $bundle has no ${pair%%:*}_*_amd64.deb: pack again with tools/gpu-host/pack.mjs" >&2
      return 1
    fi
  done
  mkdir -p "$home" || return 1

  # Node and asma, unless this very bundle was unpacked here already.
  if ! cmp -s "$bundle/manifest.json" "$home/manifest.json" || [ ! -x "$home/bin/node" ] ||
    [ ! -f "$home/asma/dist/cli.js" ]; then
    rm -rf "$home/bin.tmp" "$home/asma.tmp" "$home/manifest.json"
    mkdir -p "$home/bin.tmp" "$home/asma.tmp" || return 1
    _asma_gpu_unxz "$bundle/node.xz" >"$home/bin.tmp/node" && chmod +x "$home/bin.tmp/node" || {
      echo "arrive: cannot unpack $bundle/node.xz into $home" >&2
      return 1
    }
    _asma_gpu_unxz "$bundle/asma.tar.xz" | tar -C "$home/asma.tmp" -xf - || {
      echo "arrive: cannot unpack $bundle/asma.tar.xz into $home" >&2
      return 1
    }
    rm -rf "$home/bin" "$home/asma"
    mv "$home/bin.tmp" "$home/bin" && mv "$home/asma.tmp/asma" "$home/asma" && rmdir "$home/asma.tmp" || return 1
    cp "$bundle/manifest.json" "$home/manifest.json"
  fi

  # The Vulkan loader that Dawn dlopens (libvulkan.so.1).
  # The Vulkan loader that Dawn dlopens (libvulkan.so.1) and libGLdispatch, which the NVIDIA Vulkan
  # driver links against: each unpacked only where ldconfig does not list it ($ASMA_GPU_VULKAN_PREFIX
  # set: always, into that folder). Into / only on a machine with an NVIDIA driver (what the recipe is
  # for); elsewhere (a development machine trying the bundle) into $home, leaving the system as it was.
  local forced="${ASMA_GPU_VULKAN_PREFIX:-}" prefix deb libdir="" unpacked="" into_root=""
  for pair in $debs; do
    if [ -z "$forced" ] && ldconfig -p 2>/dev/null | grep -q "${pair#*:} "; then continue; fi
    prefix="$forced"
    if [ -z "$prefix" ]; then
      if [ "$(id -u)" = 0 ] && [ -w / ] && { [ -e /dev/nvidiactl ] || [ -d /usr/local/nvidia ]; }; then
        prefix=/
      else
        prefix="$home/vulkan"
      fi
    fi
    deb="$(ls "$bundle/${pair%%:*}"_*_amd64.deb | head -1)"
    mkdir -p "$prefix" && dpkg -x "$deb" "$prefix" || {
      echo "arrive: dpkg -x $deb $prefix failed" >&2
      return 1
    }
    unpacked="$unpacked ${pair%%:*}->$prefix"
    if [ "$prefix" = / ]; then
      into_root=1
    else
      libdir="$prefix/usr/lib/x86_64-linux-gnu"
      case ":${LD_LIBRARY_PATH:-}:" in *":$libdir:"*) ;; *) export LD_LIBRARY_PATH="$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" ;; esac
    fi
  done
  if [ -n "$into_root" ]; then ldconfig; fi

  # The NVIDIA driver's Vulkan ICD (and EGL vendor file): the container paths first, then the usual ones.
  if [ -z "${VK_DRIVER_FILES:-}" ]; then
    for f in /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/share/vulkan/icd.d/nvidia_icd.json \
      /etc/vulkan/icd.d/nvidia_icd.json; do
      if [ -f "$f" ]; then export VK_DRIVER_FILES="$f"; break; fi
    done
  fi
  if [ -z "${__EGL_VENDOR_LIBRARY_FILENAMES:-}" ] &&
    [ -f /usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json ]; then
    export __EGL_VENDOR_LIBRARY_FILENAMES=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
  fi

  case ":$PATH:" in *":$home/bin:"*) ;; *) export PATH="$home/bin:$PATH" ;; esac
  export ASMA_GPU_HOME="$home"
  export ASMA_CLI="$home/asma/dist/cli.js"

  {
    echo "# written by tools/gpu-host/arrive.sh: . $home/env.sh"
    echo "export PATH=\"$home/bin:\$PATH\" ASMA_GPU_HOME=\"$home\" ASMA_CLI=\"$ASMA_CLI\""
    if [ -n "$libdir" ]; then echo "export LD_LIBRARY_PATH=\"$libdir\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}\""; fi
    if [ -n "${VK_DRIVER_FILES:-}" ]; then echo "export VK_DRIVER_FILES=\"$VK_DRIVER_FILES\""; fi
    if [ -n "${__EGL_VENDOR_LIBRARY_FILENAMES:-}" ]; then
      echo "export __EGL_VENDOR_LIBRARY_FILENAMES=\"$__EGL_VENDOR_LIBRARY_FILENAMES\""
    fi
  } >"$home/env.sh"

  if ! node "$ASMA_CLI" --help >/dev/null; then
    echo "arrive: $home/bin/node $ASMA_CLI --help failed" >&2
    return 1
  fi
  echo "arrive: node $(node --version) at $home/bin, asma at $ASMA_CLI," \
    "unpacked:${unpacked:- nothing (libvulkan.so.1 and libGLdispatch.so.0 already listed by ldconfig)}, VK_DRIVER_FILES=${VK_DRIVER_FILES:-(unset: no NVIDIA ICD found)}"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  # Run as a program: the exports cannot reach the caller's shell, so print where they are.
  asma_gpu_arrive "$@" || exit 1
  echo "arrive: ran as a program; in your shell: . ${ASMA_GPU_HOME:-/tmp/asma-gpu}/env.sh"
else
  asma_gpu_arrive "$@"
fi
