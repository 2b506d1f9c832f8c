#!/usr/bin/env bash
# Shared set-up for scripts/serve.sh and scripts/test.sh. Idempotent; a second run takes about a second.
#
#   scripts/bootstrap.sh                  system packages for PDFs and translations, .venv, front-end assets, .mo files
#   scripts/bootstrap.sh --with-chromium  the same, plus Debian's chromium for the browser tests
#
# Environment: PYTHON (interpreter to build .venv from, default python3), BOOTSTRAP_SKIP_APT=1 (never touch apt).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
VENV=$ROOT/.venv

with_chromium=0
for arg in "$@"; do
    case "$arg" in
        --with-chromium) with_chromium=1 ;;
        *) echo "bootstrap: unknown option $arg" >&2; exit 2 ;;
    esac
done

say() { printf 'bootstrap: %s\n' "$*"; }
die() { printf 'bootstrap: ERROR: %s\n' "$*" >&2; exit 1; }

# --- Python >= 3.11 -------------------------------------------------------------------------------------------------
python_ok() { "$1" -c 'import sys, venv; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1; }

PY=""
for candidate in "${PYTHON:-python3}" python3.13 python3.12 python3.11; do
    if command -v "$candidate" >/dev/null 2>&1 && python_ok "$candidate"; then
        PY=$(command -v "$candidate")
        break
    fi
done
[ -n "$PY" ] || die "Python >= 3.11 with the venv module is required (found: $(python3 --version 2>&1 || echo none)). Install it, or set PYTHON=/path/to/python3.11."

# --- Debian packages ------------------------------------------------------------------------------------------------
# None of these is essential: without the CJK fonts PDFs show boxes for Chinese, without gettext the committed .mo files
# are used as they are, without poppler-utils the PDF text checks cannot run, without chromium the browser tests fail.
wanted=(fonts-noto-cjk libharfbuzz-subset0 gettext poppler-utils)
[ "$with_chromium" = 1 ] && wanted+=(chromium)

missing=()
if command -v dpkg-query >/dev/null 2>&1; then
    for pkg in "${wanted[@]}"; do
        status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
        [ "$status" = "install ok installed" ] || missing+=("$pkg")
    done
elif [ "$with_chromium" = 1 ] && ! command -v chromium >/dev/null 2>&1; then
    missing+=(chromium)
fi

if [ "${#missing[@]}" -gt 0 ]; then
    sudo=""
    can_install=0
    if [ "${BOOTSTRAP_SKIP_APT:-0}" != 1 ] && command -v apt-get >/dev/null 2>&1; then
        if [ "$(id -u)" = 0 ]; then
            can_install=1
        elif command -v sudo >/dev/null 2>&1 && sudo -n true >/dev/null 2>&1; then
            sudo="sudo -n"
            can_install=1
        fi
    fi
    if [ "$can_install" = 1 ]; then
        say "installing Debian packages: ${missing[*]}"
        apt_get() { $sudo env DEBIAN_FRONTEND=noninteractive apt-get "$@"; }
        apt_install() { apt_get install -y -qq --no-install-recommends "$@" >/dev/null; }
        if apt_get update -qq >/dev/null && apt_install "${missing[@]}"; then
            missing=()
        else
            # one unavailable package fails the whole batch: try them one by one and keep the ones that failed
            still=()
            for pkg in "${missing[@]}"; do apt_install "$pkg" 2>/dev/null || still+=("$pkg"); done
            missing=("${still[@]}")
        fi
    fi
    if [ "${#missing[@]}" -gt 0 ]; then
        say "WARNING: please install these Debian packages: ${missing[*]} (e.g. sudo apt-get install ${missing[*]})." \
            "Continuing: without the fonts Chinese in PDFs shows as boxes, without chromium the browser tests fail."
    fi
fi

# --- Virtual environment and Python packages ------------------------------------------------------------------------
if [ -e "$VENV" ] && ! python_ok "$VENV/bin/python"; then
    say "$VENV does not hold a working Python >= 3.11: recreating it"
    rm -rf "$VENV"
fi
if [ ! -x "$VENV/bin/python" ]; then
    say "creating $VENV with $("$PY" --version)"
    "$PY" -m venv "$VENV"
fi

stamp=$VENV/.bootstrap-stamp
want_stamp=$( { "$VENV/bin/python" --version; cat pyproject.toml; } | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null || true)" != "$want_stamp" ]; then
    say "installing Python packages (pip install -e '.[dev]')"
    export PIP_DISABLE_PIP_VERSION_CHECK=1
    "$VENV/bin/python" -m pip install --quiet --upgrade pip || say "could not upgrade pip; going on with $("$VENV/bin/python" -m pip --version)"
    "$VENV/bin/python" -m pip install --quiet -e '.[dev]' || die "pip install -e '.[dev]' failed (see above)."
    echo "$want_stamp" >"$stamp"
fi

# --- Front-end assets (npm), when the project has any ----------------------------------------------------------------
if [ -f package.json ]; then
    command -v npm >/dev/null 2>&1 || die "package.json needs npm (Node.js 20): apt-get install npm"
    lock=package-lock.json
    npm_stamp=node_modules/.bootstrap-stamp
    want_npm=$(cat package.json "$lock" 2>/dev/null | sha256sum | cut -d' ' -f1)
    if [ "$(cat "$npm_stamp" 2>/dev/null || true)" != "$want_npm" ]; then
        say "installing front-end packages (npm)"
        if [ -f "$lock" ]; then
            npm ci --no-audit --no-fund --loglevel=error
        else
            npm install --no-audit --no-fund --loglevel=error
        fi
        echo "$want_npm" >"$npm_stamp"
    fi
fi
if [ -f scripts/vendor-static.sh ]; then
    bash scripts/vendor-static.sh
fi

# --- Translations ---------------------------------------------------------------------------------------------------
# Compile only when a .po file is newer than its .mo (or the .mo is missing).
locale_dirs=()
while IFS= read -r d; do locale_dirs+=("$d"); done < <(
    find . -maxdepth 2 -type d -name locale -not -path './.venv/*' -not -path './node_modules/*' -not -path './var/*'
)
if [ "${#locale_dirs[@]}" -gt 0 ]; then
    stale=0
    while IFS= read -r po; do
        mo=${po%.po}.mo
        if [ ! -f "$mo" ] || [ "$po" -nt "$mo" ]; then stale=1; break; fi
    done < <(find "${locale_dirs[@]}" -name '*.po')
    if [ "$stale" = 1 ]; then
        if command -v msgfmt >/dev/null 2>&1; then
            say "compiling translations"
            "$VENV/bin/python" manage.py compilemessages --ignore=.venv --ignore=node_modules --ignore=var >/dev/null
        else
            say "WARNING: gettext (msgfmt) is missing: translations are not compiled (apt-get install gettext)."
        fi
    fi
fi

say "ready"
