//! A WASI preview 1 subset for wasm guests, over only the directories the manifest grants.
//!
//! Why our own: `wasmtime-wasi` 48 implements preview 1 on top of preview 2, which needs
//! wasmtime's `component-model` and `async` features, tokio, `cap-std` and `wiggle`: about
//! twice wasmtime's build for the few calls a guest that reads and writes files needs.
//!
//! What a guest gets:
//! - **Files**: each granted directory is preopened (fd 3, 4, …) under its real path, so
//!   wasi-libc and Rust's std map absolute paths onto it. `fs` grants are read-only,
//!   `fs_write` grants read-write. Every path is resolved by the kernel with
//!   `openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS)` relative to its directory, so neither
//!   `..`, an absolute path nor a symlink can leave it. A path outside the grants, or a write
//!   under a read-only grant, is refused with `ENOTCAPABLE` and remembered: if the call then
//!   fails, the error is the filesystem limit, naming the path.
//! - **stdout and stderr** are captured per call (64 KiB each; the rest is counted and
//!   dropped), then written to the host's stderr prefixed with the extension's id; the end of
//!   stderr is added to a failed call's error. They never reach the protocol's stdout. stdin
//!   is empty.
//! - **No network**: preview 1 has no call that opens a socket, and none is preopened.
//! - **Settings** as the environment: one `NAME=VALUE` per setting of the manifest's
//!   `[config.*]` (strings bare, other types as JSON). `args` is empty.
//! - Clocks, `random_get`, `sched_yield`; `proc_exit` ends the call as a failure with its
//!   status.
//! - Not implemented (answer `ENOSYS`): `fd_readdir`, `fd_pread`/`fd_pwrite`, renames, links,
//!   symlinks, setting times or sizes, `poll_oneoff`, the `sock_*` calls. A module importing
//!   a name preview 1 does not have, or from another module, fails to load by name.

mod imports;

use std::fs::File;
use std::os::fd::OwnedFd;
use std::path::{Component, Path, PathBuf};
use std::time::Instant;

use rustix::fs::{Mode, OFlags, ResolveFlags};

pub use imports::link;

/// How much of each output stream a call keeps.
const CAPTURE_LIMIT: usize = 64 * 1024;

/// A WASI errno.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Errno(pub u16);

impl Errno {
    /// `ESUCCESS`.
    pub const SUCCESS: Errno = Errno(0);
    /// `EACCES`.
    pub const ACCES: Errno = Errno(2);
    /// `EBADF`.
    pub const BADF: Errno = Errno(8);
    /// `EEXIST`.
    pub const EXIST: Errno = Errno(20);
    /// `EFAULT`: a pointer outside the guest's memory.
    pub const FAULT: Errno = Errno(21);
    /// `EINVAL`.
    pub const INVAL: Errno = Errno(28);
    /// `EIO`.
    pub const IO: Errno = Errno(29);
    /// `EISDIR`.
    pub const ISDIR: Errno = Errno(31);
    /// `ELOOP`.
    pub const LOOP: Errno = Errno(32);
    /// `EMFILE`.
    pub const MFILE: Errno = Errno(33);
    /// `ENAMETOOLONG`.
    pub const NAMETOOLONG: Errno = Errno(37);
    /// `ENOENT`.
    pub const NOENT: Errno = Errno(44);
    /// `ENOSPC`.
    pub const NOSPC: Errno = Errno(51);
    /// `ENOSYS`.
    pub const NOSYS: Errno = Errno(52);
    /// `ENOTDIR`.
    pub const NOTDIR: Errno = Errno(54);
    /// `ENOTEMPTY`.
    pub const NOTEMPTY: Errno = Errno(55);
    /// `EPERM`.
    pub const PERM: Errno = Errno(63);
    /// `ESPIPE`.
    pub const SPIPE: Errno = Errno(70);
    /// `ENOTCAPABLE`: outside the grants.
    pub const NOTCAPABLE: Errno = Errno(76);

    fn from_io(e: &std::io::Error) -> Errno {
        e.raw_os_error().map_or(Errno::IO, |raw| {
            Errno::from_host(rustix::io::Errno::from_raw_os_error(raw))
        })
    }

    fn from_host(e: rustix::io::Errno) -> Errno {
        use rustix::io::Errno as E;
        match e {
            E::NOENT => Errno::NOENT,
            E::ACCESS => Errno::ACCES,
            E::EXIST => Errno::EXIST,
            E::ISDIR => Errno::ISDIR,
            E::NOTDIR => Errno::NOTDIR,
            E::NOTEMPTY => Errno::NOTEMPTY,
            E::LOOP => Errno::LOOP,
            E::XDEV => Errno::NOTCAPABLE,
            E::PERM => Errno::PERM,
            E::NAMETOOLONG => Errno::NAMETOOLONG,
            E::INVAL => Errno::INVAL,
            E::MFILE | E::NFILE => Errno::MFILE,
            E::NOSPC => Errno::NOSPC,
            E::SPIPE => Errno::SPIPE,
            E::NOSYS => Errno::NOSYS,
            _ => Errno::IO,
        }
    }
}

/// The environment a guest gets for `config`: `NAME=VALUE`, strings bare, the rest as JSON.
/// A name or value with a NUL is left out (C strings cannot carry it).
pub fn environ(config: &serde_json::Map<String, serde_json::Value>) -> Vec<Vec<u8>> {
    config
        .iter()
        .map(|(name, value)| match value {
            serde_json::Value::String(s) => format!("{name}={s}"),
            other => format!("{name}={other}"),
        })
        .filter(|entry| !entry.contains('\0'))
        .map(String::into_bytes)
        .collect()
}

/// One directory the manifest grants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantedDir {
    /// The host directory (also its name in the guest).
    pub path: PathBuf,
    /// Granted read-write (`fs_write`) rather than read-only (`fs`).
    pub writable: bool,
}

/// The granted directories, opened once when the module loads and handed to every call.
#[derive(Debug)]
pub struct Preopens {
    dirs: Vec<(GrantedDir, OwnedFd)>,
    open_files: usize,
    started: Instant,
}

impl Preopens {
    /// Open each granted directory; one that does not exist (or is a file) is left out and
    /// returned with the reason, so that the host can say so.
    pub fn open(grants: &[GrantedDir], open_files: u64) -> (Preopens, Vec<String>) {
        let mut dirs = Vec::new();
        let mut skipped = Vec::new();
        for grant in grants {
            let flags = OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC;
            match rustix::fs::open(&grant.path, flags, Mode::empty()) {
                Ok(fd) => dirs.push((grant.clone(), fd)),
                Err(e) => skipped.push(format!(
                    "{} is not preopened for WASI ({e}: only existing directories are)",
                    grant.path.display()
                )),
            }
        }
        let open_files = usize::try_from(open_files).unwrap_or(usize::MAX);
        let started = Instant::now();
        (
            Preopens {
                dirs,
                open_files,
                started,
            },
            skipped,
        )
    }

    /// The grants in force, for messages.
    pub fn describe(&self) -> String {
        let list = |writable: bool| {
            let dirs: Vec<String> = self
                .dirs
                .iter()
                .filter(|(g, _)| g.writable == writable)
                .map(|(g, _)| g.path.display().to_string())
                .collect();
            if dirs.is_empty() {
                "nothing".to_owned()
            } else {
                dirs.join(", ")
            }
        };
        format!("it may read {} and write {}", list(false), list(true))
    }

    /// A fresh descriptor table for one call, with `environ` (`NAME=VALUE` entries).
    pub fn context(&self, environ: Vec<Vec<u8>>) -> std::io::Result<WasiCtx> {
        let mut fds = vec![Some(Entry::Stdin), Some(Entry::Stdout), Some(Entry::Stderr)];
        for (grant, fd) in &self.dirs {
            fds.push(Some(Entry::Dir(Dir {
                file: File::from(fd.try_clone()?),
                path: grant.path.clone(),
                writable: grant.writable,
                preopen: true,
            })));
        }
        Ok(WasiCtx {
            fds,
            max_open: self.open_files.max(self.dirs.len() + 3),
            stdout: Capture::default(),
            stderr: Capture::default(),
            denied: Vec::new(),
            exit: None,
            started: self.started,
            environ,
        })
    }
}

/// A bounded capture of one output stream.
#[derive(Debug, Default)]
pub struct Capture {
    /// What was kept.
    pub bytes: Vec<u8>,
    /// How many bytes were dropped past the limit.
    pub dropped: usize,
}

impl Capture {
    fn push(&mut self, data: &[u8]) {
        let room = CAPTURE_LIMIT.saturating_sub(self.bytes.len());
        let kept = data.len().min(room);
        self.bytes.extend_from_slice(&data[..kept]);
        self.dropped += data.len() - kept;
    }

    /// The last `max` bytes, as text.
    pub fn tail(&self, max: usize) -> String {
        let start = self.bytes.len().saturating_sub(max);
        String::from_utf8_lossy(&self.bytes[start..])
            .trim()
            .to_owned()
    }
}

/// Why a path was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DenialReason {
    /// It resolves outside every granted directory.
    OutsideGrants,
    /// It is under a read-only grant and the guest asked to write.
    ReadOnly,
}

/// A refused path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Denial {
    /// The path as the host sees it (the directory joined with what the guest asked for).
    pub path: PathBuf,
    /// Why.
    pub reason: DenialReason,
}

impl std::fmt::Display for Denial {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.reason {
            DenialReason::OutsideGrants => {
                write!(f, "`{}` is outside its grants", self.path.display())
            }
            DenialReason::ReadOnly => {
                write!(
                    f,
                    "`{}` is granted read-only and it tried to write",
                    self.path.display()
                )
            }
        }
    }
}

/// An open directory.
#[derive(Debug)]
pub struct Dir {
    file: File,
    path: PathBuf,
    writable: bool,
    preopen: bool,
}

/// An entry of the descriptor table.
#[derive(Debug)]
pub enum Entry {
    /// fd 0: always at its end.
    Stdin,
    /// fd 1: captured.
    Stdout,
    /// fd 2: captured.
    Stderr,
    /// A directory.
    Dir(Dir),
    /// A regular (or other non-directory) file.
    File {
        /// The file.
        file: File,
        /// Opened for writing.
        writable: bool,
        /// Opened for reading.
        readable: bool,
    },
}

/// One call's WASI state: the descriptor table, captured output, what was refused.
#[derive(Debug)]
pub struct WasiCtx {
    fds: Vec<Option<Entry>>,
    max_open: usize,
    /// The guest's stdout.
    pub stdout: Capture,
    /// The guest's stderr.
    pub stderr: Capture,
    /// Paths refused during the call, in order.
    pub denied: Vec<Denial>,
    /// The status the guest passed to `proc_exit`.
    pub exit: Option<i32>,
    /// The origin of the monotonic clock.
    started: Instant,
    /// The environment: `NAME=VALUE` entries, without their NULs.
    environ: Vec<Vec<u8>>,
}

/// What a `path_open` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenRequest {
    /// `O_DIRECTORY`.
    pub directory: bool,
    /// `O_CREAT`.
    pub create: bool,
    /// `O_EXCL`.
    pub exclusive: bool,
    /// `O_TRUNC`.
    pub truncate: bool,
    /// `O_APPEND`.
    pub append: bool,
    /// Read rights asked for.
    pub read: bool,
    /// Write rights asked for.
    pub write: bool,
    /// Follow a final symlink (still only beneath the directory).
    pub follow: bool,
}

impl WasiCtx {
    fn entry(&self, fd: u32) -> Result<&Entry, Errno> {
        self.fds
            .get(fd as usize)
            .and_then(Option::as_ref)
            .ok_or(Errno::BADF)
    }

    fn entry_mut(&mut self, fd: u32) -> Result<&mut Entry, Errno> {
        self.fds
            .get_mut(fd as usize)
            .and_then(Option::as_mut)
            .ok_or(Errno::BADF)
    }

    fn dir(&self, fd: u32) -> Result<&Dir, Errno> {
        match self.entry(fd)? {
            Entry::Dir(d) => Ok(d),
            _ => Err(Errno::NOTDIR),
        }
    }

    fn insert(&mut self, entry: Entry) -> Result<u32, Errno> {
        let free = self.fds.iter().position(Option::is_none);
        let open = self.fds.iter().filter(|e| e.is_some()).count();
        if open >= self.max_open {
            return Err(Errno::MFILE);
        }
        let index = match free {
            Some(i) => {
                self.fds[i] = Some(entry);
                i
            }
            None => {
                self.fds.push(Some(entry));
                self.fds.len() - 1
            }
        };
        u32::try_from(index).map_err(|_| Errno::MFILE)
    }

    fn close(&mut self, fd: u32) -> Result<(), Errno> {
        let slot = self.fds.get_mut(fd as usize).ok_or(Errno::BADF)?;
        slot.take().map(drop).ok_or(Errno::BADF)
    }

    fn deny(&mut self, dir: &Path, path: &str, reason: DenialReason) -> Errno {
        self.denied.push(Denial {
            path: lexical_join(dir, path),
            reason,
        });
        Errno::NOTCAPABLE
    }

    /// Resolve `path` beneath directory `fd` and open it as asked.
    pub fn open(&mut self, fd: u32, path: &str, how: OpenRequest) -> Result<u32, Errno> {
        let dir = self.dir(fd)?;
        let (dir_path, dir_writable) = (dir.path.clone(), dir.writable);
        let writes = how.write || how.create || how.truncate || how.append;
        if writes && !dir_writable {
            return Err(self.deny(&dir_path, path, DenialReason::ReadOnly));
        }
        let mut flags = OFlags::CLOEXEC;
        flags |= match (how.read || !writes, writes) {
            (_, false) => OFlags::RDONLY,
            (true, true) => OFlags::RDWR,
            (false, true) => OFlags::WRONLY,
        };
        if how.directory {
            flags |= OFlags::DIRECTORY;
        }
        if how.create {
            flags |= OFlags::CREATE;
        }
        if how.exclusive {
            flags |= OFlags::EXCL;
        }
        if how.truncate {
            flags |= OFlags::TRUNC;
        }
        if how.append {
            flags |= OFlags::APPEND;
        }
        if !how.follow {
            flags |= OFlags::NOFOLLOW;
        }
        let file = match beneath(&dir.file, path, flags) {
            Ok(fd) => File::from(fd),
            Err(rustix::io::Errno::XDEV) => {
                return Err(self.deny(&dir_path, path, DenialReason::OutsideGrants));
            }
            Err(e) => return Err(Errno::from_host(e)),
        };
        let is_dir = file.metadata().map_err(|e| Errno::from_io(&e))?.is_dir();
        let entry = if is_dir {
            Entry::Dir(Dir {
                file,
                path: lexical_join(&dir_path, path),
                writable: dir_writable,
                preopen: false,
            })
        } else {
            Entry::File {
                file,
                writable: writes,
                readable: how.read || !writes,
            }
        };
        self.insert(entry)
    }

    /// Create, or remove, `path` beneath directory `fd`: `op` gets the parent and the name.
    fn change(
        &mut self,
        fd: u32,
        path: &str,
        op: impl FnOnce(&OwnedFd, &str) -> rustix::io::Result<()>,
    ) -> Result<(), Errno> {
        let dir = self.dir(fd)?;
        let dir_path = dir.path.clone();
        if !dir.writable {
            return Err(self.deny(&dir_path, path, DenialReason::ReadOnly));
        }
        let trimmed = path.trim_end_matches('/');
        let (parent, name) = match trimmed.rsplit_once('/') {
            Some((parent, name)) => (if parent.is_empty() { "/" } else { parent }, name),
            None => (".", trimmed),
        };
        if name.is_empty() || name == "." || name == ".." {
            return Err(Errno::INVAL);
        }
        let flags = OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC;
        let parent_fd = match beneath(&dir.file, parent, flags) {
            Ok(fd) => fd,
            Err(rustix::io::Errno::XDEV) => {
                return Err(self.deny(&dir_path, path, DenialReason::OutsideGrants));
            }
            Err(e) => return Err(Errno::from_host(e)),
        };
        op(&parent_fd, name).map_err(Errno::from_host)
    }

    /// `path_create_directory`.
    pub fn create_directory(&mut self, fd: u32, path: &str) -> Result<(), Errno> {
        self.change(fd, path, |parent, name| {
            rustix::fs::mkdirat(parent, name, Mode::from_raw_mode(0o755))
        })
    }

    /// `path_unlink_file` (`directory == false`) or `path_remove_directory`.
    pub fn remove(&mut self, fd: u32, path: &str, directory: bool) -> Result<(), Errno> {
        let flags = if directory {
            rustix::fs::AtFlags::REMOVEDIR
        } else {
            rustix::fs::AtFlags::empty()
        };
        self.change(fd, path, |parent, name| {
            rustix::fs::unlinkat(parent, name, flags)
        })
    }

    /// The metadata of `path` beneath directory `fd`.
    pub fn stat_path(
        &mut self,
        fd: u32,
        path: &str,
        follow: bool,
    ) -> Result<std::fs::Metadata, Errno> {
        let dir = self.dir(fd)?;
        let dir_path = dir.path.clone();
        let mut flags = OFlags::PATH | OFlags::CLOEXEC;
        if !follow {
            flags |= OFlags::NOFOLLOW;
        }
        match beneath(&dir.file, path, flags) {
            Ok(fd) => File::from(fd).metadata().map_err(|e| Errno::from_io(&e)),
            Err(rustix::io::Errno::XDEV) => {
                Err(self.deny(&dir_path, path, DenialReason::OutsideGrants))
            }
            Err(e) => Err(Errno::from_host(e)),
        }
    }

    /// A preopened directory's name.
    pub fn preopen_name(&self, fd: u32) -> Result<Vec<u8>, Errno> {
        match self.entry(fd)? {
            Entry::Dir(d) if d.preopen => Ok(d.path.as_os_str().as_encoded_bytes().to_vec()),
            _ => Err(Errno::BADF),
        }
    }
}

/// `openat2` beneath `dir`, retrying the kernel's transient `EAGAIN` (a rename raced it).
fn beneath(dir: &File, path: &str, flags: OFlags) -> rustix::io::Result<OwnedFd> {
    let path = if path.is_empty() { "." } else { path };
    let resolve = ResolveFlags::BENEATH | ResolveFlags::NO_MAGICLINKS;
    // openat2 refuses a mode without O_CREAT.
    let mode = if flags.contains(OFlags::CREATE) {
        Mode::from_raw_mode(0o644)
    } else {
        Mode::empty()
    };
    let mut tries = 0;
    loop {
        match rustix::fs::openat2(dir, path, flags, mode, resolve) {
            Err(rustix::io::Errno::AGAIN) if tries < 8 => tries += 1,
            other => return other,
        }
    }
}

/// `dir` joined with `path`, with `.` and `..` applied as text (for messages only: the
/// kernel resolves the real path).
fn lexical_join(dir: &Path, path: &str) -> PathBuf {
    let mut out = PathBuf::new();
    for component in dir.join(path).components() {
        match component {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests;
