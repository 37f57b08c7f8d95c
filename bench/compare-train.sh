#!/usr/bin/env bash
# Alternate `npm run bench:train` between an older checkout and this one, ROUNDS times each, and print each row's
# median wall time and the ratio new/old. Usage: bench/compare-train.sh /path/to/old/checkout [rounds=3] [threads]
# (the old checkout needs its own `npm ci`; `threads`, when given, is passed to this checkout's runs as --threads:
# the old code, before the thread pool, always ran on one). Medians of alternating runs keep a shared machine's load fair to both.
set -euo pipefail
OLD=$1
ROUNDS=${2:-3}
THREADS=${3:-}
NEW=$(cd "$(dirname "$0")/.." && pwd)
OUT=$(mktemp -d)
for r in $(seq 1 "$ROUNDS"); do
  for side in old new; do
    dir=$OLD; [ "$side" = new ] && dir=$NEW
    args=()
    [ "$side" = new ] && [ -n "$THREADS" ] && args=(--threads "$THREADS")
    (cd "$dir" && npx tsx bench/train.ts ${args[@]+"${args[@]}"}) | grep -E "^PPO .*: [0-9.]+ s," >> "$OUT/$side.txt" || true
  done
done
node - "$OUT" <<'JS'
const fs = require("node:fs");
const dir = process.argv[2];
const rows = (side) => {
  const m = new Map();
  for (const line of fs.readFileSync(`${dir}/${side}.txt`, "utf8").split("\n")) {
    const hit = /^(PPO [^:]*): ([\d.]+) s,/.exec(line);
    if (hit) m.set(hit[1], [...(m.get(hit[1]) ?? []), Number(hit[2])]);
  }
  return m;
};
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const o = rows("old"), n = rows("new");
for (const [name, xs] of n) {
  const a = median(o.get(name) ?? [NaN]), b = median(xs);
  console.log(`${name}: old ${a.toFixed(2)} s, new ${b.toFixed(2)} s, new/old ${(b / a).toFixed(3)} (runs old ${(o.get(name) ?? []).join(", ")}; new ${xs.join(", ")})`);
}
JS
