//! WebAssembly extensions, run by wasmtime inside the host process.
//!
//! - **CPU**: epoch interruption. A watchdog thread bumps the engine's epoch at the call's
//!   deadline (or on `cancel`), and the guest traps at its next loop back-edge or call.
//! - **Memory**: a [`ResourceLimiter`] caps linear memory at the manifest's `memory_mb`;
//!   a refused `memory.grow` is remembered, so a trap that follows is reported as the memory
//!   limit. The stack is capped by `max_wasm_stack`.
//! - **Fast start**: modules are compiled once and cached as `.cwasm` files (keyed by the
//!   module's bytes and the engine's compatibility hash), then mapped in; every call gets a
//!   fresh instance from the pooling allocator, so no state leaks from one call to the next.
//! - **Only what the manifest grants**: the linker defines WASI preview 1 ([`super::wasi`]):
//!   the granted directories preopened (read-only for `fs`, read-write for `fs_write`),
//!   stdout and stderr captured, no network. A module importing anything else fails to load
//!   with the import's name. A path the guest was refused makes a failed call the
//!   filesystem limit, naming the path.
//!
//! The guest ABI (a module may be written in WAT by hand):
//! exports `memory`, `alloc(len: i32) -> i32`, and per capability method `M` a function
//! `M(ptr: i32, len: i32) -> i64`. The host copies the input (the first input artifact's text,
//! or the params' JSON when there is none) to `alloc(len)`, calls `M`, and reads the output
//! from `(result >> 32, result & 0xffff_ffff)`. A negative result is an error whose message is
//! at `(-result >> 32, -result & 0xffff_ffff)`.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::thread;
use std::time::Instant;

use wasmtime::{
    Config, Engine, InstanceAllocationStrategy, InstancePre, Linker, Module,
    PoolingAllocationConfig, ResourceLimiter, Store, Trap, TypedFunc,
};

use super::wasi::{self, GrantedDir, Preopens, WasiCtx};
use crate::error::{ExtensionError, LimitKind};
use crate::manifest::{ExtensionId, Limits};

/// Why the epoch was bumped.
const REASON_NONE: u8 = 0;
const REASON_DEADLINE: u8 = 1;
const REASON_CANCEL: u8 = 2;

/// The wasm stack limit.
const MAX_WASM_STACK: usize = 512 * 1024;

/// A loaded module, ready to be instantiated per call.
pub struct WasmExtension {
    id: ExtensionId,
    limits: Limits,
    engine: Engine,
    pre: InstancePre<CallState>,
    reason: Arc<AtomicU8>,
    generation: Arc<AtomicU64>,
    watchdog: Sender<(u64, Instant)>,
    preopens: Preopens,
    notes: Vec<String>,
}

impl std::fmt::Debug for WasmExtension {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WasmExtension")
            .field("id", &self.id)
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

/// Per-call store data: the memory limiter and the guest's WASI state.
#[derive(Debug)]
pub struct CallState {
    memory_limit: usize,
    refused: Option<usize>,
    wasi: WasiCtx,
}

impl ResourceLimiter for CallState {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if desired > self.memory_limit {
            self.refused = Some(desired);
            return Ok(false);
        }
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(desired <= 100_000)
    }
}

/// Build the engine: epoch interruption, a small pooling allocator sized to the limits.
pub fn engine(limits: &Limits) -> Result<Engine, String> {
    let mut pool = PoolingAllocationConfig::new();
    pool.total_core_instances(4)
        .total_memories(4)
        .total_tables(4)
        .max_memory_size(usize::try_from(limits.memory_bytes()).unwrap_or(usize::MAX));
    let mut config = Config::new();
    config
        .epoch_interruption(true)
        .max_wasm_stack(MAX_WASM_STACK)
        .allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
    Engine::new(&config).map_err(|e| format!("{e:#}"))
}

impl WasmExtension {
    /// Load `module` (`.wasm` or `.wat`), through the compiled-module cache in `cache_dir`,
    /// with `grants` preopened for WASI.
    pub fn load(
        id: &ExtensionId,
        limits: Limits,
        module: &Path,
        cache_dir: &Path,
        grants: &[GrantedDir],
    ) -> Result<WasmExtension, ExtensionError> {
        let wasm_err = |detail: String| ExtensionError::Wasm {
            id: id.clone(),
            detail,
        };
        let engine = engine(&limits).map_err(wasm_err)?;
        let bytes = std::fs::read(module).map_err(|e| {
            ExtensionError::io(format!("reading the module {}", module.display()), e)
        })?;
        let compiled = cached_module(&engine, &bytes, cache_dir).map_err(wasm_err)?;
        let mut linker: Linker<CallState> = Linker::new(&engine);
        wasi::link(&mut linker, &compiled, |s: &mut CallState| &mut s.wasi)
            .map_err(|e| wasm_err(format!("defining WASI: {e:#}")))?;
        let pre = linker.instantiate_pre(&compiled).map_err(|e| {
            wasm_err(format!(
                "{} cannot be linked (it may import only WASI preview 1, \
                 `wasi_snapshot_preview1`): {e:#}",
                module.display()
            ))
        })?;
        let (preopens, notes) = Preopens::open(grants, limits.open_files);
        let reason = Arc::new(AtomicU8::new(REASON_NONE));
        let generation = Arc::new(AtomicU64::new(0));
        let watchdog = spawn_watchdog(engine.clone(), Arc::clone(&reason), Arc::clone(&generation));
        Ok(WasmExtension {
            id: id.clone(),
            limits,
            engine,
            pre,
            reason,
            generation,
            watchdog,
            preopens,
            notes,
        })
    }

    /// Grants that could not be preopened, with the reason.
    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    /// A handle that can interrupt a running call from another thread.
    pub fn interrupter(&self) -> Interrupter {
        Interrupter {
            engine: self.engine.clone(),
            reason: Arc::clone(&self.reason),
        }
    }

    /// Run `method` on `input`; the call is stopped at `deadline`.
    pub fn call(
        &self,
        method: &str,
        input: &[u8],
        deadline: Instant,
    ) -> Result<Vec<u8>, ExtensionError> {
        self.call_with_env(method, input, deadline, Vec::new())
    }

    /// [`WasmExtension::call`] with a WASI environment (`NAME=VALUE` entries: the settings).
    pub fn call_with_env(
        &self,
        method: &str,
        input: &[u8],
        deadline: Instant,
        environ: Vec<Vec<u8>>,
    ) -> Result<Vec<u8>, ExtensionError> {
        let generation = self.generation.fetch_add(1, Ordering::SeqCst) + 1;
        self.reason.store(REASON_NONE, Ordering::SeqCst);
        let _ = self.watchdog.send((generation, deadline));
        let result = self.call_inner(method, input, environ);
        // Disarm: a later generation makes the watchdog ignore this deadline.
        self.generation.fetch_add(1, Ordering::SeqCst);
        result
    }

    fn call_inner(
        &self,
        method: &str,
        input: &[u8],
        environ: Vec<Vec<u8>>,
    ) -> Result<Vec<u8>, ExtensionError> {
        let id = &self.id;
        let wasi = self
            .preopens
            .context(environ)
            .map_err(|e| ExtensionError::Wasm {
                id: id.clone(),
                detail: format!("opening its granted directories: {e}"),
            })?;
        let mut store = Store::new(
            &self.engine,
            CallState {
                memory_limit: usize::try_from(self.limits.memory_bytes()).unwrap_or(usize::MAX),
                refused: None,
                wasi,
            },
        );
        let result = self.run_in(&mut store, method, input);
        self.finish(store.into_data().wasi, result)
    }

    /// After a call: pass on what the guest printed, and name a refused path when it failed.
    fn finish(
        &self,
        wasi: WasiCtx,
        result: Result<Vec<u8>, ExtensionError>,
    ) -> Result<Vec<u8>, ExtensionError> {
        for (stream, capture) in [("stdout", &wasi.stdout), ("stderr", &wasi.stderr)] {
            if capture.bytes.is_empty() {
                continue;
            }
            let text = String::from_utf8_lossy(&capture.bytes);
            for line in text.lines() {
                eprintln!("ext-host: `{}` {stream}: {line}", self.id);
            }
            if capture.dropped > 0 {
                eprintln!(
                    "ext-host: `{}` {stream}: {} more bytes dropped",
                    self.id, capture.dropped
                );
            }
        }
        let error = match result {
            Ok(out) => {
                for denial in &wasi.denied {
                    eprintln!("ext-host: `{}` was refused: {denial}", self.id);
                }
                return Ok(out);
            }
            Err(e) => e,
        };
        let stopped = matches!(error, ExtensionError::Cancelled(_))
            || matches!(&error, ExtensionError::LimitExceeded { .. });
        if let Some(denial) = wasi.denied.first().filter(|_| !stopped) {
            return Err(ExtensionError::LimitExceeded {
                id: self.id.clone(),
                limit: LimitKind::Filesystem,
                detail: format!("{denial}: {}", self.preopens.describe()),
            });
        }
        let stderr = wasi.stderr.tail(1000);
        Err(match error {
            ExtensionError::Crashed { id, detail } => ExtensionError::Crashed {
                id,
                detail: with_stderr(detail, &stderr),
            },
            ExtensionError::Failed { id, message } => ExtensionError::Failed {
                id,
                message: with_stderr(message, &stderr),
            },
            other => other,
        })
    }

    fn run_in(
        &self,
        store: &mut Store<CallState>,
        method: &str,
        input: &[u8],
    ) -> Result<Vec<u8>, ExtensionError> {
        let id = &self.id;
        let failed = |message: String| ExtensionError::Failed {
            id: id.clone(),
            message,
        };
        store.limiter(|s| s as &mut dyn ResourceLimiter);
        store.set_epoch_deadline(1);
        store.epoch_deadline_trap();
        let instance = self
            .pre
            .instantiate(&mut *store)
            .map_err(|e| self.trap_error(&*store, e))?;
        let memory = instance.get_memory(&mut *store, "memory").ok_or_else(|| {
            failed("the module exports no `memory` (see the wasm ABI in the docs)".into())
        })?;
        let alloc: TypedFunc<i32, i32> = instance
            .get_typed_func(&mut *store, "alloc")
            .map_err(|e| failed(format!("the module's `alloc` export: {e:#}")))?;
        let entry: TypedFunc<(i32, i32), i64> =
            instance.get_typed_func(&mut *store, method).map_err(|e| {
                failed(format!(
                    "the module has no export `{method}(i32, i32) -> i64`: {e:#}"
                ))
            })?;
        let len = i32::try_from(input.len())
            .map_err(|_| failed(format!("the input ({} bytes) is over 2 GiB", input.len())))?;
        let ptr = alloc
            .call(&mut *store, len)
            .map_err(|e| self.trap_error(&*store, e))?;
        memory
            .write(&mut *store, ptr as u32 as usize, input)
            .map_err(|_| failed(format!("`alloc({len})` returned {ptr}, outside memory")))?;
        let packed = entry
            .call(&mut *store, (ptr, len))
            .map_err(|e| self.trap_error(&*store, e))?;
        let (is_error, packed) = if packed < 0 {
            (true, packed.wrapping_neg() as u64)
        } else {
            (false, packed as u64)
        };
        let (out_ptr, out_len) = ((packed >> 32) as usize, (packed & 0xffff_ffff) as usize);
        let out = memory
            .data(&*store)
            .get(out_ptr..out_ptr.saturating_add(out_len))
            .ok_or_else(|| {
                failed(format!(
                    "`{method}` returned {out_len} bytes at {out_ptr}, outside memory"
                ))
            })?
            .to_vec();
        if is_error {
            return Err(failed(String::from_utf8_lossy(&out).into_owned()));
        }
        Ok(out)
    }

    fn trap_error(&self, store: &Store<CallState>, error: wasmtime::Error) -> ExtensionError {
        let id = self.id.clone();
        let limit = |limit, detail| ExtensionError::LimitExceeded {
            id: id.clone(),
            limit,
            detail,
        };
        if let Some(status) = store.data().wasi.exit {
            return ExtensionError::Failed {
                id,
                message: format!("it called proc_exit({status}) before returning its result"),
            };
        }
        match error.downcast_ref::<Trap>() {
            Some(Trap::Interrupt) => match self.reason.load(Ordering::SeqCst) {
                REASON_CANCEL => ExtensionError::Cancelled(id),
                _ => limit(LimitKind::Deadline, "interrupted at its deadline".into()),
            },
            Some(Trap::StackOverflow) => limit(
                LimitKind::Stack,
                format!("the wasm stack ({} KiB) overflowed", MAX_WASM_STACK / 1024),
            ),
            Some(trap) if store.data().refused.is_some() => limit(
                LimitKind::Memory,
                format!(
                    "{} MiB; it asked for {} MiB and then trapped: {trap}",
                    self.limits.memory_mb,
                    store.data().refused.unwrap_or(0) / (1024 * 1024)
                ),
            ),
            Some(trap) => ExtensionError::Crashed {
                id,
                detail: format!("wasm trap: {trap}"),
            },
            None => ExtensionError::Wasm {
                id,
                detail: format!("{error:#}"),
            },
        }
    }
}

/// Interrupts a running call from another thread.
#[derive(Debug, Clone)]
pub struct Interrupter {
    engine: Engine,
    reason: Arc<AtomicU8>,
}

impl Interrupter {
    /// Stop the running call as cancelled.
    pub fn cancel(&self) {
        self.reason.store(REASON_CANCEL, Ordering::SeqCst);
        self.engine.increment_epoch();
    }
}

fn spawn_watchdog(
    engine: Engine,
    reason: Arc<AtomicU8>,
    generation: Arc<AtomicU64>,
) -> Sender<(u64, Instant)> {
    let (tx, rx) = mpsc::channel::<(u64, Instant)>();
    thread::spawn(move || {
        let mut armed: Option<(u64, Instant)> = None;
        loop {
            let next = match armed {
                None => rx.recv().map_err(|_| RecvTimeoutError::Disconnected),
                Some((_, at)) => rx.recv_timeout(at.saturating_duration_since(Instant::now())),
            };
            match next {
                Ok(arm) => armed = Some(arm),
                Err(RecvTimeoutError::Timeout) => {
                    if let Some((g, _)) = armed.take()
                        && generation.load(Ordering::SeqCst) == g
                    {
                        reason.store(REASON_DEADLINE, Ordering::SeqCst);
                        engine.increment_epoch();
                    }
                }
                Err(RecvTimeoutError::Disconnected) => return,
            }
        }
    });
    tx
}

/// The compiled module for `bytes`: from the cache when present, else compiled and stored.
pub fn cached_module(engine: &Engine, bytes: &[u8], cache_dir: &Path) -> Result<Module, String> {
    let path = cache_path(engine, bytes, cache_dir);
    if path.exists() {
        // SAFETY: `deserialize_file` trusts the file to be wasmtime's own output for this
        // engine. The file is in the extension's private cache directory, was written below by
        // `precompile_module` of an engine with the same compatibility hash (part of its
        // name), and is renamed into place only once complete.
        #[allow(unsafe_code)]
        let loaded = unsafe { Module::deserialize_file(engine, &path) };
        if let Ok(module) = loaded {
            return Ok(module);
        }
        // A corrupt or foreign file: compile again and replace it.
    }
    let compiled = engine
        .precompile_module(bytes)
        .map_err(|e| format!("compiling: {e:#}"))?;
    std::fs::create_dir_all(cache_dir)
        .map_err(|e| format!("creating {}: {e}", cache_dir.display()))?;
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, &compiled)
        .and_then(|()| std::fs::rename(&tmp, &path))
        .map_err(|e| format!("writing the module cache {}: {e}", path.display()))?;
    // SAFETY: as above; the bytes were produced a moment ago by this engine.
    #[allow(unsafe_code)]
    let module = unsafe { Module::deserialize(engine, &compiled) };
    module.map_err(|e| format!("loading the compiled module: {e:#}"))
}

/// `CACHE/HASH.cwasm`, keyed by the module's bytes and the engine's settings.
pub fn cache_path(engine: &Engine, bytes: &[u8], cache_dir: &Path) -> PathBuf {
    let mut h = DefaultHasher::new();
    bytes.hash(&mut h);
    engine.precompile_compatibility_hash().hash(&mut h);
    cache_dir.join(format!("{:016x}.cwasm", h.finish()))
}

/// `message`, then the end of the guest's stderr when it wrote any.
fn with_stderr(message: String, stderr: &str) -> String {
    if stderr.is_empty() {
        message
    } else {
        format!("{message}; its stderr ends: {stderr}")
    }
}
