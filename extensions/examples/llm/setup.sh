#!/usr/bin/env bash
# Prepare the llm Instrument for `symphony ext install`: build its program into bin/.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
profile="${PROFILE:-release}"
flag=$([ "$profile" = release ] && echo --release || true)
cargo build $flag -p extensions --example llm --manifest-path "$root/Cargo.toml"
mkdir -p "$here/bin"
target="${CARGO_TARGET_DIR:-$root/target}"
dir=$([ "$profile" = release ] && echo release || echo debug)
cp "$target/$dir/examples/llm" "$here/bin/symphony-llm"
echo "ready: symphony ext install $here"
