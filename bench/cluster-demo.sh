#!/usr/bin/env bash
# One machine, as the README's "Several machines" section runs it on many: a Redis server, two
# worker processes, and a small sweep of dedicated trainings coordinated through the queue.
# Usage: npm run demo:cluster [-- PORT]
set -euo pipefail
cd "$(dirname "$0")/.."
port="${1:-6399}"
if ! [[ "$port" =~ ^[0-9]+$ ]] || (( port < 1 || port > 65535 )); then
  echo "demo:cluster: port: got \"$port\"; allowed: a free TCP port from 1 to 65535" >&2; exit 2
fi
# A port something already listens on (a user's own Redis, say) is refused: the demo starts its
# own server and, at the end, stops that one only (by its pid), never a server it did not start.
if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
  echo "demo:cluster: port: got $port; allowed: a free port (something already listens on 127.0.0.1:$port; pass another: npm run demo:cluster -- PORT)" >&2; exit 2
fi
work="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null || true; [ -s "$work/redis.pid" ] && kill "$(cat "$work/redis.pid")" 2>/dev/null || true; rm -rf "$work"' EXIT
redis-server --port "$port" --bind 127.0.0.1 --appendonly yes --dir "$work" --pidfile "$work/redis.pid" --daemonize yes >/dev/null
until [ -s "$work/redis.pid" ] && redis-cli -p "$port" ping >/dev/null 2>&1; do sleep 0.1; done
echo "redis on 127.0.0.1:$port"
for i in 1 2; do node bin/codesign.js worker --redis "redis://127.0.0.1:$port" --checkpoints "$work/checkpoints" & done
echo '{"name":"demo","model":"rayleigh","nt":64,"nu":4,"snrDb":10,"seed":3,"split":{"train":64,"validation":16,"test":16}}' > "$work/demo.json"
node bin/codesign.js search --db "$work/results.duckdb" --archs 8x64,16x64 --choices 4,16 --quality train \
  --scenario "$work/demo.json" --epochs 1 --batch 16 --samples 16 --redis "redis://127.0.0.1:$port"
