#!/usr/bin/env bash
# The system packages `make run` and `make test` need, checked in one place (README "Two commands").
#   scripts/prereqs.sh run|test     exit 0 when everything is there; otherwise print ONE message
#                                   naming what is missing and the command that installs it, exit 1
#   scripts/prereqs.sh --packages run|test   print the missing Debian package names (for .ci/run)
# Debian/Ubuntu package names; on other systems install the same programs by their own names.
set -u
packages_only=false
if [ "${1:-}" = "--packages" ]; then packages_only=true; shift; fi
what=${1:-test}

missing=()   # human-readable
pkgs=()      # Debian package names
add() { missing+=("$1"); shift; pkgs+=("$@"); }

ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1 \
  || add "PostgreSQL server binaries (initdb)" postgresql
ls /usr/share/postgresql/*/extension/btree_gist.control >/dev/null 2>&1 \
  || add "PostgreSQL contrib extensions (btree_gist)" postgresql-contrib
command -v node >/dev/null 2>&1 || add "Node.js" nodejs
# npm: Debian's nodejs needs Debian's separate npm package, but NodeSource's nodejs (its version
# says "nodesource") carries npm inside and conflicts with that package: never ask for it there.
nodejs_version=$(dpkg-query -W -f='${Version}' nodejs 2>/dev/null || true)
if ! command -v npm >/dev/null 2>&1; then
  case "$nodejs_version" in
    *nodesource*) add "npm (part of NodeSource's nodejs $nodejs_version: reinstall nodejs)" nodejs ;;
    *) add "npm" npm ;;
  esac
fi
if command -v node >/dev/null 2>&1; then
  major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
  [ "$major" -ge 20 ] 2>/dev/null || add "Node.js 20 or newer (found $(node --version 2>/dev/null))" nodejs
fi
command -v msgfmt >/dev/null 2>&1 && command -v xgettext >/dev/null 2>&1 \
  || add "GNU gettext (msgfmt, xgettext: the Mongolian catalogues, docs/i18n.md)" gettext
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || add "Python venv + ensurepip" python3-venv
if [ "$what" = "test" ]; then
  # The page tests drive Debian's Chromium at this path (testing/browser.py); the variable
  # exists for this script's own test.
  chromium=${PREREQS_CHROMIUM:-/usr/bin/chromium}
  [ -x "$chromium" ] || add "Chromium at $chromium (page tests)" chromium
fi

if $packages_only; then
  printf '%s\n' "${pkgs[@]}" | awk 'NF && !seen[$0]++' | tr '\n' ' '
  exit 0
fi
if [ ${#missing[@]} -gt 0 ]; then
  install=$(printf '%s\n' "${pkgs[@]}" | awk 'NF && !seen[$0]++' | tr '\n' ' ')
  {
    echo "make $what: missing system packages:"
    printf '  - %s\n' "${missing[@]}"
    echo "Install them with:  sudo apt-get install ${install% }"
  } >&2
  exit 1
fi
exit 0
