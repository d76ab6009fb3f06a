#!/usr/bin/env bash
# mypy over pyproject.toml's `files`, against the committed baseline (docs/types.md).
#
#   scripts/types.sh check   # `make lint`, the pre-commit hook: fails on a new error AND on a fixed one
#                            # still listed in mypy-baseline.txt
#   scripts/types.sh sync    # `make types-baseline`: drop the fixed errors from mypy-baseline.txt;
#                            # refuses while mypy reports errors the baseline lacks, unless
#                            # TYPES_BASELINE_ALLOW_NEW=1 (a merge, or a move that renames a module)
#
# mypy runs inside scripts/devenv.py --test because the django-stubs plugin imports the settings.
# It never connects to the database, so DATABASE_URL is a placeholder: no PostgreSQL is started.
set -uo pipefail
cd "$(dirname "$0")/.."

mode=${1:-check}
if [ "$mode" != check ] && [ "$mode" != sync ]; then
  echo "usage: $0 [check|sync]" >&2
  exit 2
fi

VPY=.venv/bin/python
BASELINE=mypy-baseline.txt
out=$(DATABASE_URL=postgres://types-check@127.0.0.1:1/unused \
  "$VPY" scripts/devenv.py --test -- python -m mypy --no-error-summary 2>&1)
rc=$?
# mypy: 0 clean, 1 type errors (the baseline decides), 2 or more a crash or a bad configuration
if [ "$rc" -gt 1 ]; then
  printf '%s\n' "$out" >&2
  echo "types: mypy did not finish (exit $rc)" >&2
  exit "$rc"
fi
# A line that is neither an error nor a note (a configuration warning) must not pass unseen.
strays=$(printf '%s\n' "$out" | grep -vE '^[^:]+\.pyi?:[0-9]+: (error|note): |^$' || true)
if [ -n "$strays" ]; then
  printf '%s\n' "$strays" >&2
  echo "types: mypy printed the lines above besides its errors (fix the configuration)" >&2
  exit 2
fi

baseline() { printf '%s\n' "$out" | "$VPY" -m mypy_baseline "$@" --no-colors; }
listed() { grep -c ': error: ' "$BASELINE" 2>/dev/null || true; }

# What mypy reports now, as baseline lines (sorted, no line numbers): the fixed ones are those
# the baseline lists and mypy no longer reports.
now=$(mktemp)
trap 'rm -f "$now"' EXIT
baseline sync --baseline-path "$now" --hide-stats >/dev/null
fixed=$(grep -vxFf "$now" "$BASELINE" 2>/dev/null | grep ': error: ' || true)

new_lines=$(baseline filter --allow-unsynced --hide-stats)
new_status=$?
new=$(printf '%s\n' "$new_lines" | grep -E ': error: ' || true)

if [ "$mode" = check ]; then
  # mypy-baseline's own count: new errors plus listed ones mypy no longer reports (duplicates too)
  baseline filter --hide-stats >/dev/null
  status=$?
  if [ -n "$new" ]; then
    printf '%s\n' "$new"
    echo "types: the errors above are new: fix them (docs/types.md)" >&2
  fi
  if [ "$status" -ne 0 ] && [ "$status" -ne "$new_status" ]; then
    [ -n "$fixed" ] && printf '%s\n' "$fixed" | sed 's/^/fixed, still listed: /'
    echo "types: errors were fixed: run \`make types-baseline\` and commit $BASELINE (docs/types.md)" >&2
  fi
  if [ "$status" -ne 0 ]; then
    exit 1
  fi
  echo "types: no new errors; $(listed) left in $BASELINE (docs/types.md)"
  exit 0
fi

if [ "$new_status" -ne 0 ] && [ "${TYPES_BASELINE_ALLOW_NEW:-}" != 1 ]; then
  printf '%s\n' "$new" >&2
  echo "types: these errors are not in $BASELINE; fix them rather than list them" \
    "(TYPES_BASELINE_ALLOW_NEW=1 takes them in: docs/types.md)" >&2
  exit 1
fi
baseline sync --hide-stats
echo "types: $BASELINE holds $(listed) error(s)"
