//! The `wasi_snapshot_preview1` functions, defined on a wasmtime [`Linker`] over a
//! [`WasiCtx`] in the store's data. Each checks every guest pointer against the guest's
//! memory (`EFAULT` otherwise) and returns a WASI errno.

use std::io::{Read, Seek, SeekFrom, Write};
use std::ops::Range;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::time::{SystemTime, UNIX_EPOCH};

use wasmtime::{Caller, Extern, ExternType, Linker, Module, Val, ValType};

use super::{Entry, Errno, OpenRequest, WasiCtx};

/// The import module's name.
const MODULE: &str = "wasi_snapshot_preview1";

/// Preview 1 functions this host does not implement: they link, and answer `ENOSYS`.
const UNSUPPORTED: &[&str] = &[
    "fd_advise",
    "fd_allocate",
    "fd_datasync",
    "fd_fdstat_set_flags",
    "fd_fdstat_set_rights",
    "fd_filestat_set_size",
    "fd_filestat_set_times",
    "fd_pread",
    "fd_pwrite",
    "fd_readdir",
    "fd_renumber",
    "fd_sync",
    "path_filestat_set_times",
    "path_link",
    "path_readlink",
    "path_rename",
    "path_symlink",
    "poll_oneoff",
    "proc_raise",
    "sock_accept",
    "sock_recv",
    "sock_send",
    "sock_shutdown",
];

/// Every right of preview 1 (bits 0–29).
const ALL_RIGHTS: u64 = (1 << 30) - 1;
/// `fd_read`.
const RIGHT_READ: u64 = 1 << 1;
/// `fd_write`, `fd_allocate`, `fd_filestat_set_size`: what makes an open a write.
const WRITE_RIGHTS: u64 = (1 << 6) | (1 << 8) | (1 << 22);
/// `fd_read`, `fd_readdir`.
const READ_RIGHTS: u64 = RIGHT_READ | (1 << 14);

/// Gets the call's WASI state out of the store's data.
pub type Accessor<T> = fn(&mut T) -> &mut WasiCtx;

/// The guest's linear memory, bounds-checked.
struct Mem<'a>(&'a mut [u8]);

impl Mem<'_> {
    fn range(&self, ptr: u32, len: u32) -> Result<Range<usize>, Errno> {
        let start = ptr as usize;
        let end = start.checked_add(len as usize).ok_or(Errno::FAULT)?;
        if end > self.0.len() {
            return Err(Errno::FAULT);
        }
        Ok(start..end)
    }

    fn bytes(&self, ptr: u32, len: u32) -> Result<&[u8], Errno> {
        let range = self.range(ptr, len)?;
        Ok(&self.0[range])
    }

    fn bytes_mut(&mut self, ptr: u32, len: u32) -> Result<&mut [u8], Errno> {
        let range = self.range(ptr, len)?;
        Ok(&mut self.0[range])
    }

    fn put(&mut self, ptr: u32, bytes: &[u8]) -> Result<(), Errno> {
        let len = u32::try_from(bytes.len()).map_err(|_| Errno::FAULT)?;
        self.bytes_mut(ptr, len)?.copy_from_slice(bytes);
        Ok(())
    }

    fn u32_at(&self, ptr: u32) -> Result<u32, Errno> {
        let b = self.bytes(ptr, 4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn put_u32(&mut self, ptr: u32, value: u32) -> Result<(), Errno> {
        self.put(ptr, &value.to_le_bytes())
    }

    fn put_u64(&mut self, ptr: u32, value: u64) -> Result<(), Errno> {
        self.put(ptr, &value.to_le_bytes())
    }

    fn text(&self, ptr: u32, len: u32) -> Result<String, Errno> {
        String::from_utf8(self.bytes(ptr, len)?.to_vec()).map_err(|_| Errno::INVAL)
    }

    /// The `(buf, len)` pairs of an iovec array.
    fn iovecs(&self, ptr: u32, count: u32) -> Result<Vec<(u32, u32)>, Errno> {
        (0..count)
            .map(|i| {
                let at = ptr.checked_add(i.checked_mul(8).ok_or(Errno::FAULT)?);
                let at = at.ok_or(Errno::FAULT)?;
                Ok((
                    self.u32_at(at)?,
                    self.u32_at(at.checked_add(4).ok_or(Errno::FAULT)?)?,
                ))
            })
            .collect()
    }
}

/// Runs `f` on the guest's memory and WASI state; the errno as the guest sees it.
fn with<T: 'static>(
    caller: &mut Caller<'_, T>,
    get: Accessor<T>,
    f: impl FnOnce(&mut Mem<'_>, &mut WasiCtx) -> Result<(), Errno>,
) -> i32 {
    let Some(Extern::Memory(memory)) = caller.get_export("memory") else {
        return i32::from(Errno::FAULT.0);
    };
    let (data, state) = memory.data_and_store_mut(caller);
    match f(&mut Mem(data), get(state)) {
        Ok(()) => 0,
        Err(e) => i32::from(e.0),
    }
}

/// Define preview 1 on `linker` for `module`: the implemented functions, and `ENOSYS` for
/// the rest of preview 1 that `module` imports. An import preview 1 does not have is left
/// undefined, so linking fails with its name.
pub fn link<T: 'static>(
    linker: &mut Linker<T>,
    module: &Module,
    get: Accessor<T>,
) -> wasmtime::Result<()> {
    define_process(linker, get)?;
    define_fds(linker, get)?;
    define_paths(linker, get)?;
    for import in module.imports() {
        if import.module() != MODULE || !UNSUPPORTED.contains(&import.name()) {
            continue;
        }
        if let ExternType::Func(ty) = import.ty() {
            let answers_errno =
                matches!(ty.results().collect::<Vec<_>>().as_slice(), [ValType::I32]);
            if !answers_errno {
                continue;
            }
            linker.func_new(MODULE, import.name(), ty, |_, _, results| {
                results[0] = Val::I32(i32::from(Errno::NOSYS.0));
                Ok(())
            })?;
        }
    }
    Ok(())
}

fn define_process<T: 'static>(linker: &mut Linker<T>, get: Accessor<T>) -> wasmtime::Result<()> {
    linker.func_wrap(
        MODULE,
        "args_sizes_get",
        move |mut c: Caller<'_, T>, count: i32, size: i32| {
            with(&mut c, get, |mem, _| {
                mem.put_u32(count as u32, 0)?;
                mem.put_u32(size as u32, 0)
            })
        },
    )?;
    linker.func_wrap(MODULE, "args_get", |_: i32, _: i32| 0i32)?;
    linker.func_wrap(
        MODULE,
        "environ_sizes_get",
        move |mut c: Caller<'_, T>, count: i32, size: i32| {
            with(&mut c, get, |mem, wasi| {
                let bytes: usize = wasi.environ.iter().map(|e| e.len() + 1).sum();
                let n = u32::try_from(wasi.environ.len()).map_err(|_| Errno::INVAL)?;
                mem.put_u32(count as u32, n)?;
                mem.put_u32(size as u32, u32::try_from(bytes).map_err(|_| Errno::INVAL)?)
            })
        },
    )?;
    linker.func_wrap(
        MODULE,
        "environ_get",
        move |mut c: Caller<'_, T>, pointers: i32, buf: i32| {
            with(&mut c, get, |mem, wasi| {
                let mut at = buf as u32;
                for (i, entry) in wasi.environ.iter().enumerate() {
                    let slot = (pointers as u32)
                        .checked_add(u32::try_from(i * 4).map_err(|_| Errno::FAULT)?)
                        .ok_or(Errno::FAULT)?;
                    mem.put_u32(slot, at)?;
                    mem.put(at, entry)?;
                    let end = at
                        .checked_add(u32::try_from(entry.len()).map_err(|_| Errno::FAULT)?)
                        .ok_or(Errno::FAULT)?;
                    mem.put(end, &[0])?;
                    at = end + 1;
                }
                Ok(())
            })
        },
    )?;
    linker.func_wrap(MODULE, "sched_yield", || 0i32)?;
    linker.func_wrap(
        MODULE,
        "clock_res_get",
        move |mut c: Caller<'_, T>, id: i32, out: i32| {
            with(&mut c, get, |mem, _| match id {
                0..=3 => mem.put_u64(out as u32, 1_000),
                _ => Err(Errno::INVAL),
            })
        },
    )?;
    linker.func_wrap(
        MODULE,
        "clock_time_get",
        move |mut c: Caller<'_, T>, id: i32, _precision: i64, out: i32| {
            with(&mut c, get, |mem, wasi| {
                let nanos = match id {
                    0 => SystemTime::now()
                        .duration_since(UNIX_EPOCH)
                        .map_or(0, |d| d.as_nanos()),
                    1..=3 => wasi.started.elapsed().as_nanos(),
                    _ => return Err(Errno::INVAL),
                };
                mem.put_u64(out as u32, u64::try_from(nanos).unwrap_or(u64::MAX))
            })
        },
    )?;
    linker.func_wrap(
        MODULE,
        "random_get",
        move |mut c: Caller<'_, T>, buf: i32, len: i32| {
            with(&mut c, get, |mem, _| {
                let mut out = mem.bytes_mut(buf as u32, len as u32)?;
                while !out.is_empty() {
                    let n =
                        rustix::rand::getrandom(&mut *out, rustix::rand::GetRandomFlags::empty())
                            .map_err(Errno::from_host)?;
                    out = &mut out[n..];
                }
                Ok(())
            })
        },
    )?;
    linker.func_wrap(
        MODULE,
        "proc_exit",
        move |mut c: Caller<'_, T>, code: i32| -> wasmtime::Result<()> {
            get(c.data_mut()).exit = Some(code);
            Err(wasmtime::Error::msg(format!(
                "the guest called proc_exit({code})"
            )))
        },
    )?;
    Ok(())
}

fn define_fds<T: 'static>(linker: &mut Linker<T>, get: Accessor<T>) -> wasmtime::Result<()> {
    linker.func_wrap(MODULE, "fd_close", move |mut c: Caller<'_, T>, fd: i32| {
        with(&mut c, get, |_, wasi| wasi.close(fd as u32))
    })?;
    linker.func_wrap(
        MODULE,
        "fd_prestat_get",
        move |mut c: Caller<'_, T>, fd: i32, out: i32| {
            with(&mut c, get, |mem, wasi| {
                let name = wasi.preopen_name(fd as u32)?;
                let len = u32::try_from(name.len()).map_err(|_| Errno::NAMETOOLONG)?;
                mem.put_u32(out as u32, 0)?;
                mem.put_u32((out as u32).wrapping_add(4), len)
            })
        },
    )?;
    linker.func_wrap(
        MODULE,
        "fd_prestat_dir_name",
        move |mut c: Caller<'_, T>, fd: i32, out: i32, len: i32| {
            with(&mut c, get, |mem, wasi| {
                let name = wasi.preopen_name(fd as u32)?;
                if name.len() > len as u32 as usize {
                    return Err(Errno::NAMETOOLONG);
                }
                mem.put(out as u32, &name)
            })
        },
    )?;
    linker.func_wrap(
        MODULE,
        "fd_fdstat_get",
        move |mut c: Caller<'_, T>, fd: i32, out: i32| {
            with(&mut c, get, |mem, wasi| {
                let (filetype, base, inheriting) = match wasi.entry(fd as u32)? {
                    Entry::Stdin | Entry::Stdout | Entry::Stderr => (2u8, ALL_RIGHTS, 0),
                    Entry::Dir(_) => (3, ALL_RIGHTS, ALL_RIGHTS),
                    Entry::File {
                        file,
                        writable,
                        readable,
                    } => {
                        let mut rights = ALL_RIGHTS;
                        if !writable {
                            rights &= !WRITE_RIGHTS;
                        }
                        if !readable {
                            rights &= !READ_RIGHTS;
                        }
                        let meta = file.metadata().map_err(|e| Errno::from_io(&e))?;
                        (filetype(&meta), rights, 0)
                    }
                };
                let mut stat = [0u8; 24];
                stat[0] = filetype;
                stat[8..16].copy_from_slice(&base.to_le_bytes());
                stat[16..24].copy_from_slice(&inheriting.to_le_bytes());
                mem.put(out as u32, &stat)
            })
        },
    )?;
    linker.func_wrap(
        MODULE,
        "fd_filestat_get",
        move |mut c: Caller<'_, T>, fd: i32, out: i32| {
            with(&mut c, get, |mem, wasi| {
                let meta = match wasi.entry(fd as u32)? {
                    Entry::Dir(d) => d.file.metadata(),
                    Entry::File { file, .. } => file.metadata(),
                    Entry::Stdin | Entry::Stdout | Entry::Stderr => {
                        let mut stat = [0u8; 64];
                        stat[16] = 2;
                        return mem.put(out as u32, &stat);
                    }
                };
                mem.put(
                    out as u32,
                    &filestat(&meta.map_err(|e| Errno::from_io(&e))?),
                )
            })
        },
    )?;
    linker.func_wrap(
        MODULE,
        "fd_read",
        move |mut c: Caller<'_, T>, fd: i32, iovs: i32, count: i32, out: i32| {
            with(&mut c, get, |mem, wasi| {
                let iovecs = mem.iovecs(iovs as u32, count as u32)?;
                let mut total = 0u32;
                match wasi.entry_mut(fd as u32)? {
                    Entry::Stdin => {}
                    Entry::File {
                        file,
                        readable: true,
                        ..
                    } => {
                        for (ptr, len) in iovecs {
                            let buf = mem.bytes_mut(ptr, len)?;
                            let n = file.read(buf).map_err(|e| Errno::from_io(&e))?;
                            total = total.saturating_add(n as u32);
                            if n < buf.len() {
                                break;
                            }
                        }
                    }
                    Entry::Dir(_) => return Err(Errno::ISDIR),
                    _ => return Err(Errno::BADF),
                }
                mem.put_u32(out as u32, total)
            })
        },
    )?;
    linker.func_wrap(
        MODULE,
        "fd_write",
        move |mut c: Caller<'_, T>, fd: i32, iovs: i32, count: i32, out: i32| {
            with(&mut c, get, |mem, wasi| {
                let iovecs = mem.iovecs(iovs as u32, count as u32)?;
                let mut total = 0u32;
                for (ptr, len) in iovecs {
                    let data = mem.bytes(ptr, len)?;
                    match wasi
                        .fds
                        .get_mut(fd as u32 as usize)
                        .and_then(Option::as_mut)
                    {
                        Some(Entry::Stdout) => wasi.stdout.push(data),
                        Some(Entry::Stderr) => wasi.stderr.push(data),
                        Some(Entry::File {
                            file,
                            writable: true,
                            ..
                        }) => file.write_all(data).map_err(|e| Errno::from_io(&e))?,
                        Some(Entry::Dir(_)) => return Err(Errno::ISDIR),
                        _ => return Err(Errno::BADF),
                    }
                    total = total.saturating_add(len);
                }
                mem.put_u32(out as u32, total)
            })
        },
    )?;
    linker.func_wrap(
        MODULE,
        "fd_seek",
        move |mut c: Caller<'_, T>, fd: i32, offset: i64, whence: i32, out: i32| {
            with(&mut c, get, |mem, wasi| {
                let to = match whence {
                    0 => SeekFrom::Start(u64::try_from(offset).map_err(|_| Errno::INVAL)?),
                    1 => SeekFrom::Current(offset),
                    2 => SeekFrom::End(offset),
                    _ => return Err(Errno::INVAL),
                };
                let at = seek(wasi.entry_mut(fd as u32)?, to)?;
                mem.put_u64(out as u32, at)
            })
        },
    )?;
    linker.func_wrap(
        MODULE,
        "fd_tell",
        move |mut c: Caller<'_, T>, fd: i32, out: i32| {
            with(&mut c, get, |mem, wasi| {
                let at = seek(wasi.entry_mut(fd as u32)?, SeekFrom::Current(0))?;
                mem.put_u64(out as u32, at)
            })
        },
    )?;
    Ok(())
}

fn define_paths<T: 'static>(linker: &mut Linker<T>, get: Accessor<T>) -> wasmtime::Result<()> {
    linker.func_wrap(
        MODULE,
        "path_open",
        move |mut c: Caller<'_, T>,
              fd: i32,
              lookup: i32,
              path: i32,
              path_len: i32,
              oflags: i32,
              rights: i64,
              _inheriting: i64,
              fdflags: i32,
              out: i32| {
            with(&mut c, get, |mem, wasi| {
                let path = mem.text(path as u32, path_len as u32)?;
                let rights = rights as u64;
                let how = OpenRequest {
                    create: oflags & 1 != 0,
                    directory: oflags & 2 != 0,
                    exclusive: oflags & 4 != 0,
                    truncate: oflags & 8 != 0,
                    append: fdflags & 1 != 0,
                    read: rights & READ_RIGHTS != 0,
                    write: rights & WRITE_RIGHTS != 0,
                    follow: lookup & 1 != 0,
                };
                let opened = wasi.open(fd as u32, &path, how)?;
                mem.put_u32(out as u32, opened)
            })
        },
    )?;
    linker.func_wrap(
        MODULE,
        "path_filestat_get",
        move |mut c: Caller<'_, T>, fd: i32, lookup: i32, path: i32, len: i32, out: i32| {
            with(&mut c, get, |mem, wasi| {
                let path = mem.text(path as u32, len as u32)?;
                let meta = wasi.stat_path(fd as u32, &path, lookup & 1 != 0)?;
                mem.put(out as u32, &filestat(&meta))
            })
        },
    )?;
    linker.func_wrap(
        MODULE,
        "path_create_directory",
        move |mut c: Caller<'_, T>, fd: i32, path: i32, len: i32| {
            with(&mut c, get, |mem, wasi| {
                let path = mem.text(path as u32, len as u32)?;
                wasi.create_directory(fd as u32, &path)
            })
        },
    )?;
    for (name, directory) in [("path_unlink_file", false), ("path_remove_directory", true)] {
        linker.func_wrap(
            MODULE,
            name,
            move |mut c: Caller<'_, T>, fd: i32, path: i32, len: i32| {
                with(&mut c, get, |mem, wasi| {
                    let path = mem.text(path as u32, len as u32)?;
                    wasi.remove(fd as u32, &path, directory)
                })
            },
        )?;
    }
    Ok(())
}

fn seek(entry: &mut Entry, to: SeekFrom) -> Result<u64, Errno> {
    match entry {
        Entry::File { file, .. } => file.seek(to).map_err(|e| Errno::from_io(&e)),
        Entry::Stdin | Entry::Stdout | Entry::Stderr => Err(Errno::SPIPE),
        Entry::Dir(_) => Err(Errno::BADF),
    }
}

/// A preview 1 `filetype`.
fn filetype(meta: &std::fs::Metadata) -> u8 {
    let t = meta.file_type();
    if t.is_dir() {
        3
    } else if t.is_file() {
        4
    } else if t.is_symlink() {
        7
    } else if t.is_block_device() {
        1
    } else if t.is_char_device() {
        2
    } else if t.is_socket() {
        6
    } else {
        0
    }
}

/// A preview 1 `filestat` (64 bytes).
fn filestat(meta: &std::fs::Metadata) -> [u8; 64] {
    let nanos = |secs: i64, nsec: i64| {
        u64::try_from(secs)
            .unwrap_or(0)
            .saturating_mul(1_000_000_000)
            .saturating_add(u64::try_from(nsec).unwrap_or(0))
    };
    let mut stat = [0u8; 64];
    stat[0..8].copy_from_slice(&meta.dev().to_le_bytes());
    stat[8..16].copy_from_slice(&meta.ino().to_le_bytes());
    stat[16] = filetype(meta);
    stat[24..32].copy_from_slice(&meta.nlink().to_le_bytes());
    stat[32..40].copy_from_slice(&meta.size().to_le_bytes());
    stat[40..48].copy_from_slice(&nanos(meta.atime(), meta.atime_nsec()).to_le_bytes());
    stat[48..56].copy_from_slice(&nanos(meta.mtime(), meta.mtime_nsec()).to_le_bytes());
    stat[56..64].copy_from_slice(&nanos(meta.ctime(), meta.ctime_nsec()).to_le_bytes());
    stat
}
