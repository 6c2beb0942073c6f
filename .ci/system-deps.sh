#!/usr/bin/env bash
# System packages the test suite needs on a fresh Debian machine (run as root in CI).
set -euo pipefail
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  need=()
  command -v chromium >/dev/null || need+=(chromium)
  if [ ${#need[@]} -gt 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  fi
fi
