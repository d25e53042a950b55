#!/usr/bin/env bash
# Creates target/bench-venv, a Python virtual environment with Dask in it, for
# benches/dask_noop.py: the Dask baseline that `cargo bench --bench exec_scale` runs when it
# finds this environment. Idempotent; `make bench` calls it. Needs python3 with venv and pip
# access to PyPI. DASK_SPEC overrides what pip installs (default: the newest `dask`).
set -euo pipefail

cd "$(dirname "$0")/.."
venv=target/bench-venv
spec="${DASK_SPEC:-dask}"

if ! command -v python3 >/dev/null 2>&1; then
    echo "bench-venv: python3 is missing; the Dask baseline of exec_scale will be skipped" >&2
    exit 0
fi
if [ ! -x "$venv/bin/python" ]; then
    echo "bench-venv: creating $venv"
    python3 -m venv "$venv"
fi
if ! "$venv/bin/python" -c 'import dask' >/dev/null 2>&1; then
    echo "bench-venv: installing $spec into $venv (from PyPI)"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$spec"
fi
"$venv/bin/python" -c 'import dask, sys; print(f"bench-venv: dask {dask.__version__}, python {sys.version.split()[0]}")'
