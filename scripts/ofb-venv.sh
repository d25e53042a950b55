#!/usr/bin/env bash
# Creates or refreshes target/ofb-venv, the Python environment that runs OFB (ofb/) and its tests.
# Installs the exact pins of ofb/requirements.txt from PyPI and puts ofb/ on the venv's path
# with a .pth file (no build step, so a clean checkout needs nothing but python3 and pip).
# Idempotent and quiet when nothing changed: a stamp in the venv holds a hash of the
# requirements, the interpreter and this checkout's path; the venv is rebuilt when it differs.
# The last line printed is the venv's python, so callers can do: py=$(scripts/ofb-venv.sh | tail -1)
set -euo pipefail

cd "$(dirname "$0")/.."
root=$(pwd)
mkdir -p target
# Several test binaries may ask for the venv at once (`make test` runs the Rust tests before
# this script): one builds it while the others wait, then find it current.
if command -v flock >/dev/null 2>&1; then
    exec 9>target/.ofb-venv.lock
    flock 9
fi
venv=target/ofb-venv
requirements=ofb/requirements.txt
stamp=$venv/.ofb-requirements.sha256
python=${PYTHON:-python3}

if ! command -v "$python" >/dev/null 2>&1; then
    echo "ofb-venv: $python is missing; install Python 3.11 or newer (with venv and pip)" >&2
    exit 1
fi
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "ofb-venv: OFB needs Python 3.11 or newer; $python is $("$python" -V 2>&1)" >&2
    exit 1
fi

want=$(
    {
        cat "$requirements"
        "$python" -c 'import sys; print(sys.version)'
        echo "$root"
    } | sha256sum | cut -d' ' -f1
)
have=$(cat "$stamp" 2>/dev/null || true)

if [ "$want" != "$have" ] || [ ! -x "$venv/bin/python" ]; then
    echo "ofb-venv: (re)building $venv from $requirements" >&2
    rm -rf "$venv"
    "$python" -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input \
        -r "$requirements" >&2
    site=$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
    echo "$root/ofb" >"$site/ofb-checkout.pth"
    "$venv/bin/python" -c 'import ofb' >&2
    echo "$want" >"$stamp"
fi

echo "$root/$venv/bin/python"
