# The two commands of the README:
#   make run    builds and runs Symphony (FILES="a.rs b.toml" to open files)
#   make test   runs every test, Rust and OFB's pytest suite (what CI runs, through .ci/run)
# Everything else here is a helper of those two, or an explicit extra (benchmarks, soak tests).

CARGO ?= cargo
FILES ?=

.PHONY: run test build-release bench docs

run: build-release
	./scripts/ofb-venv.sh >/dev/null || echo "make run: OFB's Python environment could not be set up (see above); Symphony will run offline"
	./target/release/symphony $(FILES)

build-release:
	$(CARGO) build --release --workspace --bins

test:
	./scripts/ensure-tools.sh
	$(CARGO) fmt --all --check
	$(CARGO) build --workspace --bins
	$(CARGO) clippy --workspace --all-targets --quiet -- -D warnings
	$(CARGO) nextest run --workspace --no-fail-fast
	$(CARGO) test --doc --workspace --quiet
	./scripts/ofb-venv.sh >/dev/null
	target/ofb-venv/bin/python -m pytest ofb/tests -q

# Not part of `make test`: timings belong in benchmarks, which need a quiet machine.
# bench-venv.sh puts Dask in target/bench-venv for exec_scale's Dask baseline; without it
# (no python3 or no PyPI) exec_scale skips that baseline and says how to add it.
bench:
	$(CARGO) build --release --workspace --bins
	./scripts/bench-venv.sh || echo "make bench: no Dask environment; exec_scale will skip its Dask baseline"
	$(CARGO) bench --bench editor_ipc --bench restore --bench ui_frame --bench dag_validation \
		--bench exec_scale --bench exec_makespan --bench checkpoint --bench pool_hit --bench artifacts \
		--bench arbitration --bench data_prevalidate --bench ofb_throughput --bench board_layout
	$(CARGO) bench -p extensions --bench manifest_validation --bench wasm_runtime --bench native_roundtrip
	$(CARGO) bench -p conductor --bench fqg_decision

# Regenerate what is generated from the code: the man page (from clap and the keymap) and the
# README's key table. Tests fail when either is stale.
docs:
	UPDATE_MAN=1 $(CARGO) test --lib cli::tests::man_pages_are_current
	UPDATE_DOCS=1 $(CARGO) test --test docs_current
