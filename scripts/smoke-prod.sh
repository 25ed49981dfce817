#!/usr/bin/env bash
# The production path without Docker (what the Dockerfile does, checked in CI by .ci/run):
#  1. `npm run build` compiles to dist/;
#  2. a production install (`npm ci --omit=dev`) into a temporary copy holding only what the
#     image holds (package-lock.json, dist/ and RUNTIME_FILES: package.json, templates/,
#     adapters/slack/manifest.yaml): no TypeScript, no tsx;
#  3. one console run of the compiled app from that copy (the sandbox demo, piped input);
#  4. `npm run start:prod` serving Teams on a free loopback port: GET /healthz (version), /readyz,
#     /metrics, one POST /api/messages; then SIGTERM to npm, which must stop the server within 10 s;
#  5. `npm run start:prod` in Slack OAuth mode: GET /slack/install redirects to Slack with the
#     manifest's scopes (the manifest is read from the package root);
#  6. `npm run start:prod` with nothing configured and no terminal exits 2 with a clear log line.
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
cp -r package-lock.json dist "$tmp/"
# What the product reads at run time (the Dockerfile's runtime stage COPYs the same list).
while IFS= read -r f; do
  mkdir -p "$tmp/$(dirname "$f")"
  cp -r "$f" "$tmp/$f"
done < <(node -p "require('./dist/adapters/runtime/package-root.js').RUNTIME_FILES.join('\n')")
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

# Waits for the log line starting with $1 that names the port (in $2); sets $port.
wait_port() {
  port=""
  for _ in $(seq 1 200); do
    port=$(node -e '
      const fs = require("fs");
      let text = "";
      try { text = fs.readFileSync(process.argv[1], "utf8"); } catch {} // not created yet
      for (const l of text.split("\n")) {
        try { const j = JSON.parse(l); if (j.msg && j.msg.startsWith(process.argv[2]) && j.port > 0) { console.log(j.port); break; } } catch {}
      }' "$2" "$1")
    [[ -n "$port" ]] && return 0
    kill -0 "$server_pid" 2>/dev/null || fail "start:prod exited: $(cat "$2")"
    sleep 0.1
  done
  fail "start:prod did not listen within 20 s: $(cat "$2")"
}

echo "smoke: npm run start:prod (Teams on loopback)"
(cd "$tmp" && exec env -i PATH="$PATH" HOME="$tmp" TEAMS_ENABLED=true PORT=0 HOST=127.0.0.1 \
  DATABASE_URL="sqlite:$tmp/data/server.db" SECUTIX_SANDBOX=true npm run start:prod --silent >"$tmp/server.log" 2>&1) &
server_pid=$!
wait_port "serving Teams" "$tmp/server.log"
base="http://127.0.0.1:$port"
health=$(curl -fsS "$base/healthz") || fail "GET /healthz"
grep -q "\"version\":\"$version\"" <<<"$health" || fail "GET /healthz has no version $version: $health"
curl -fsS "$base/readyz" | grep -q '"ready":true' || fail "GET /readyz"
# Read whole before grep: `curl | grep -q` fails under pipefail when grep stops reading first (curl error 23).
metrics=$(curl -fsS "$base/metrics") || fail "GET /metrics"
grep -q '^# TYPE digitick_runs gauge' <<<"$metrics" || fail "GET /metrics has no digitick_runs gauge"
grep -q '^digitick_store_up 1' <<<"$metrics" || fail "GET /metrics has no digitick_store_up 1"
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

echo "smoke: npm run start:prod (Slack OAuth distribution)"
# Plainly fake credentials; nothing calls Slack before a browser comes back from the consent page.
(cd "$tmp" && exec env -i PATH="$PATH" HOME="$tmp" PORT=0 HOST=127.0.0.1 DATABASE_URL="sqlite:$tmp/data/oauth.db" \
  SLACK_SIGNING_SECRET=smoke-signing-secret-not-real SLACK_CLIENT_ID=1111.2222 SLACK_CLIENT_SECRET=smoke-client-secret-not-real \
  SLACK_STATE_SECRET=smoke-state-secret-not-real-0123456789 INSTALLATION_ENCRYPTION_KEY="$(node -p 'Buffer.alloc(32, 7).toString("base64")')" \
  SLACK_API_URL=http://127.0.0.1:9/api/ SECUTIX_SANDBOX=true npm run start:prod --silent >"$tmp/oauth.log" 2>&1) &
server_pid=$!
wait_port "serving Slack" "$tmp/oauth.log"
location=$(curl -sS -o /dev/null -w '%{http_code} %{redirect_url}' "http://127.0.0.1:$port/slack/install")
[[ "$location" == "302 http://127.0.0.1:9/oauth/v2/authorize?"* ]] || fail "GET /slack/install answered $location: $(cat "$tmp/oauth.log")"
scopes=$(node -e 'console.log(require("yaml").parse(require("fs").readFileSync("adapters/slack/manifest.yaml","utf8")).oauth_config.scopes.bot.join(","))')
grep -qF "scope=$(node -p 'encodeURIComponent(process.argv[1])' "$scopes")&" <<<"$location&" || fail "GET /slack/install does not ask for the manifest's scopes ($scopes): $location"
kill -TERM "$server_pid"
wait "$server_pid" 2>/dev/null || true
server_pid=""

echo "smoke: npm run start:prod with nothing configured and no terminal"
set +e
(cd "$tmp" && exec env -i PATH="$PATH" HOME="$tmp" DATABASE_URL="sqlite:$tmp/data/unconfigured.db" npm run start:prod --silent \
  </dev/null >"$tmp/unconfigured.log" 2>&1)
rc=$?
set -e
[[ "$rc" == 2 ]] || fail "unconfigured start:prod exited with $rc, expected 2: $(cat "$tmp/unconfigured.log")"
grep -q 'nothing to serve' "$tmp/unconfigured.log" || fail "unconfigured start:prod did not say why: $(cat "$tmp/unconfigured.log")"
echo "smoke: OK (version $version; compiled console run, served requests, SIGTERM through npm, OAuth install link, unconfigured exit 2)"
