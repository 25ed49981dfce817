#!/usr/bin/env bash
# The production path without Docker (what the Dockerfile does, checked in CI by .ci/run):
#  1. `npm run build` compiles to dist/;
#  2. a production install (`npm ci --omit=dev`) into a temporary copy holding only what the
#     image holds (package.json, package-lock.json, dist/, templates/): no TypeScript, no tsx;
#  3. one console run of the compiled app from that copy (the sandbox demo, piped input);
#  4. `npm run start:prod` serving Teams on a free loopback port: GET /healthz (version), /readyz,
#     /metrics, one POST /api/messages; then SIGTERM to npm, which must stop the server within 10 s.
# Usage: scripts/smoke-prod.sh   (from anywhere; needs the npm registry or a warm npm cache)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/smoke-prod.XXXXXX")
server_pid=""
cleanup() {
  local rc=$?
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then kill -KILL "$server_pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
  exit "$rc"
}
trap cleanup EXIT
fail() {
  echo "smoke: FAILED: $*" >&2
  exit 1
}

echo "smoke: build"
npm run build --silent
version=$(node -p "require('./package.json').version")

echo "smoke: production install into $tmp"
cp -r package.json package-lock.json dist templates "$tmp/"
(cd "$tmp" && npm ci --omit=dev --no-audit --no-fund --prefer-offline --loglevel=error)
for dev in typescript tsx jest @swc/core eslint; do
  [[ ! -e "$tmp/node_modules/$dev" ]] || fail "dev dependency $dev is in the production install"
done
echo "smoke: production node_modules $(du -sm "$tmp/node_modules" | cut -f1) MB"

echo "smoke: console run of the compiled app"
out=$(cd "$tmp" && printf 'DEMO\n\nDemo Theatre\nDana Digitick\ndana@digitick.example\n\n' |
  env -i PATH="$PATH" HOME="$tmp" DATABASE_URL="sqlite:$tmp/data/console.db" node dist/adapters/main.js 2>"$tmp/console.err") ||
  fail "console run exited with $? ($(cat "$tmp/console.err"))"
grep -q 'Demo Theatre (DEMO)' <<<"$out" || fail "console run did not show the run card: $out"
grep -q 'waits at step 1/10' <<<"$out" || fail "console run did not save the run: $out"
[[ -s "$tmp/data/console.db" ]] || fail "console run wrote no database"

echo "smoke: npm run start:prod (Teams on loopback)"
(cd "$tmp" && exec env -i PATH="$PATH" HOME="$tmp" TEAMS_ENABLED=true PORT=0 HOST=127.0.0.1 \
  DATABASE_URL="sqlite:$tmp/data/server.db" SECUTIX_SANDBOX=true npm run start:prod --silent >"$tmp/server.log" 2>&1) &
server_pid=$!
port=""
for _ in $(seq 1 200); do
  port=$(node -e '
    const fs = require("fs");
    for (const l of fs.readFileSync(process.argv[1], "utf8").split("\n")) {
      try { const j = JSON.parse(l); if (j.msg && j.msg.startsWith("serving Teams") && j.port > 0) { console.log(j.port); break; } } catch {}
    }' "$tmp/server.log")
  [[ -n "$port" ]] && break
  kill -0 "$server_pid" 2>/dev/null || fail "start:prod exited: $(cat "$tmp/server.log")"
  sleep 0.1
done
[[ -n "$port" ]] || fail "start:prod did not listen within 20 s: $(cat "$tmp/server.log")"
base="http://127.0.0.1:$port"
health=$(curl -fsS "$base/healthz") || fail "GET /healthz"
grep -q "\"version\":\"$version\"" <<<"$health" || fail "GET /healthz has no version $version: $health"
curl -fsS "$base/readyz" | grep -q '"ready":true' || fail "GET /readyz"
curl -fsS "$base/metrics" | grep -q '^# TYPE digitick_runs gauge' || fail "GET /metrics"
status=$(curl -sS -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' -d '{}' "$base/api/messages")
[[ "$status" == 400 ]] || fail "POST /api/messages with {} answered $status, expected 400"
grep -q "digitick-onboard $version started" "$tmp/server.log" || fail "no start line naming the version"

echo "smoke: SIGTERM to npm (pid $server_pid)"
kill -TERM "$server_pid"
stopped=""
for _ in $(seq 1 100); do
  if ! kill -0 "$server_pid" 2>/dev/null && ! curl -fsS -o /dev/null "$base/healthz" 2>/dev/null; then
    stopped=yes
    break
  fi
  sleep 0.1
done
[[ -n "$stopped" ]] || fail "npm run start:prod still serving 10 s after SIGTERM"
wait "$server_pid" 2>/dev/null || true
server_pid=""
grep -q '"signal":"SIGTERM"' "$tmp/server.log" || fail "the app did not log the SIGTERM"
echo "smoke: OK (version $version; compiled console run, served requests, SIGTERM through npm)"
