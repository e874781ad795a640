#!/usr/bin/env bash
# Screenshot of a generated report.html with headless Chromium (Debian's `chromium` package: apt-get install -y chromium),
# offline: no network services, a throw-away profile. Usage: benchmarks/paper/screenshot.sh REPORT.html OUT.png [WIDTH,HEIGHT]
set -euo pipefail
if [[ $# -lt 2 ]]; then echo "usage: $0 REPORT.html OUT.png [WIDTH,HEIGHT]" >&2; exit 2; fi
html="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
out="$2"
size="${3:-1400,2000}"
[[ -f "$html" ]] || { echo "$html: no such file" >&2; exit 2; }
command -v chromium >/dev/null || { echo "chromium not found (apt-get install -y chromium)" >&2; exit 2; }
profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
mkdir -p "$(dirname "$out")"
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
  --disable-component-update --disable-sync --user-data-dir="$profile" --hide-scrollbars \
  --screenshot="$(cd "$(dirname "$out")" && pwd)/$(basename "$out")" --window-size="$size" "file://$html" 2>/dev/null
echo "wrote $out"
