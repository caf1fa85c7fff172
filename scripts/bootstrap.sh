#!/usr/bin/env bash
# Installs what the project needs on a Debian machine and keeps .venv up to date.
#
#   scripts/bootstrap.sh                system packages, then .venv
#   scripts/bootstrap.sh --system-only  only the Debian packages (PostgreSQL, Redis, Chromium)
#   scripts/bootstrap.sh --python-only  only .venv
#
# Debian packages are installed with apt-get when running as root and skipped when present; when
# not root, the missing ones are listed and the script fails. .venv is created with python3.11
# (or python3) and `pip install -e '.[dev]'` runs only when pyproject.toml is newer than
# .venv/.installed, so a second run does nothing.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV=$ROOT/.venv
STAMP=$VENV/.installed
cd "$ROOT"

say() { printf 'bootstrap: %s\n' "$*" >&2; }

python_bin() {
    local py
    for py in python3.11 python3; do
        if command -v "$py" >/dev/null 2>&1; then
            command -v "$py"
            return
        fi
    done
}

missing_packages() {
    local missing py
    read -r -a missing <<<"$("$ROOT/scripts/services.sh" packages)"
    if [[ ! -x /usr/bin/chromium ]] && ! command -v chromium >/dev/null 2>&1; then
        missing+=(chromium fonts-liberation)
    fi
    command -v make >/dev/null 2>&1 || missing+=(make)
    if [[ ! -x $VENV/bin/python ]]; then
        py=$(python_bin)
        # Debian's Python needs python3-venv to create virtual environments.
        if [[ -n $py ]] && ! "$py" -c 'import ensurepip, venv' >/dev/null 2>&1; then
            missing+=(python3-venv)
        fi
    fi
    echo "${missing[*]}"
}

install_system() {
    local missing
    missing=$(missing_packages)
    [[ -n $missing ]] || return 0
    if [[ $(id -u) -ne 0 ]]; then
        say "missing Debian packages: $missing"
        say "install them with: sudo apt-get update && sudo apt-get install -y $missing"
        exit 1
    fi
    command -v apt-get >/dev/null 2>&1 \
        || { say "missing packages ($missing) and no apt-get to install them"; exit 1; }
    say "installing Debian packages: $missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing >/dev/null
    missing=$(missing_packages)
    [[ -z $missing ]] || { say "still missing after apt-get install: $missing"; exit 1; }
}

install_python() {
    local py
    if [[ ! -x $VENV/bin/python ]]; then
        py=$(python_bin)
        [[ -n $py ]] || { say "python3.11 (or python3) is required"; exit 1; }
        say "creating .venv with $py ($("$py" --version 2>&1))"
        "$py" -m venv "$VENV"
        "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
    fi
    if [[ ! -f $STAMP || pyproject.toml -nt $STAMP ]]; then
        say "installing the project into .venv (pip install -e '.[dev]')"
        "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e '.[dev]'
        touch "$STAMP"
    fi
}

case ${1:-} in
"")
    install_system
    install_python
    ;;
--system-only) install_system ;;
--python-only) install_python ;;
*)
    echo "usage: $0 [--system-only|--python-only]" >&2
    exit 2
    ;;
esac
