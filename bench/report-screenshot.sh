#!/usr/bin/env bash
# Looks at the report as a reader does: headless Chromium renders out/report/index.html to a
# full-page PNG (check it by eye: legends whole, every figure present, the summary line and the
# reproduce commands on the page). Needs Debian's chromium (apt-get install chromium); not part
# of npm test, which checks the page's content without a browser.
#   npm start && bash bench/report-screenshot.sh [out/report] [out/report/screenshot.png]
set -euo pipefail
dir=${1:-out/report}
png=${2:-$dir/screenshot.png}
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then echo "chromium not found: apt-get install chromium" >&2; exit 2; fi
[ -f "$dir/index.html" ] || { echo "$dir/index.html not found: run npm start (or codesign report --out $dir) first" >&2; exit 2; }
"$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1200,9000 --virtual-time-budget=10000 \
  --screenshot="$(realpath -m "$png")" "file://$(realpath "$dir/index.html")" 2>/dev/null
echo "$png"
