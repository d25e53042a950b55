#!/usr/bin/env bash
# Installs what `make test` needs on a fresh machine, from the package registries only.
set -euo pipefail

if ! command -v cargo-nextest >/dev/null 2>&1; then
    echo "cargo-nextest is missing: installing it from crates.io (once)"
    cargo install cargo-nextest --locked
fi
for component in rustfmt clippy; do
    if ! rustup component list --installed 2>/dev/null | grep -q "^${component}"; then
        rustup component add "${component}"
    fi
done
if ! command -v tmux >/dev/null 2>&1; then
    echo "tmux is missing: the end-to-end terminal test needs it; installing it"
    if command -v apt-get >/dev/null 2>&1; then
        apt-get update -qq && apt-get install -y -qq tmux
    fi
fi
