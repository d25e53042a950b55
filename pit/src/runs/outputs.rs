//! Node output files: each attempt writes into its own staging directory; once the node's
//! completion (with every file's BLAKE3) is durable in the journal, the files are *published*
//! by renaming them into `outputs/<node>/`. A crash before the journal record leaves nothing
//! published (the node runs again, into a fresh stage); a crash after it is finished by the
//! resume, which publishes from the stage. So a node's published outputs appear exactly once.

use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use crate::journal::{OutputFile, sync_dir};

/// The directory name for a node's outputs: the id itself when it is a plain file name,
/// else a sanitised prefix and a hash of the id (ids may hold `/`, `..` or 256 bytes).
pub fn node_dir_name(id: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    if !id.is_empty() && id.len() <= 100 && !id.starts_with('.') && id.chars().all(plain) {
        return id.to_owned();
    }
    let prefix: String = id
        .chars()
        .map(|c| if plain(c) { c } else { '_' })
        .take(60)
        .collect();
    let hash = blake3::hash(id.as_bytes()).to_hex();
    format!("{}~{}", prefix.trim_start_matches('.'), &hash[..16])
}

/// Every regular file under `dir`, with its size and hash, sorted by path. An absent `dir`
/// has no files. Symbolic links are refused: an output is bytes, not a pointer elsewhere.
pub fn hash_tree(dir: &Path) -> io::Result<Vec<OutputFile>> {
    let mut files = Vec::new();
    match fs::symlink_metadata(dir) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(files),
        Err(e) => return Err(e),
        Ok(_) => {}
    }
    let mut pending = vec![PathBuf::new()];
    while let Some(relative) = pending.pop() {
        for entry in fs::read_dir(dir.join(&relative))? {
            let entry = entry?;
            let kind = entry.file_type()?;
            let path = relative.join(entry.file_name());
            if kind.is_dir() {
                pending.push(path);
            } else if kind.is_file() {
                let (size, blake3) = hash_file(&entry.path())?;
                files.push(OutputFile {
                    path: slash_path(&path)?,
                    size,
                    blake3,
                });
            } else {
                return Err(io::Error::other(format!(
                    "`{}` is not a regular file; outputs must be files or directories",
                    entry.path().display()
                )));
            }
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

/// A file's size and BLAKE3 (hex).
pub fn hash_file(path: &Path) -> io::Result<(u64, String)> {
    let mut hasher = blake3::Hasher::new();
    let mut file = fs::File::open(path)?;
    let mut buf = vec![0; 64 << 10];
    let mut size = 0;
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        size += n as u64;
    }
    Ok((size, hasher.finalize().to_hex().to_string()))
}

fn slash_path(path: &Path) -> io::Result<String> {
    let parts: Option<Vec<&str>> = path.iter().map(|p| p.to_str()).collect();
    parts.map(|p| p.join("/")).ok_or_else(|| {
        io::Error::other(format!(
            "the output file name `{}` is not UTF-8",
            path.display()
        ))
    })
}

/// Moves `files` from `stage` into `dest`. A file already in `dest` with the recorded size
/// and hash was published before (a resume finishing a publication) and is left alone.
pub fn publish(stage: &Path, dest: &Path, files: &[OutputFile]) -> io::Result<()> {
    for file in files {
        let to = dest.join(&file.path);
        let from = stage.join(&file.path);
        if let Some(parent) = to.parent() {
            fs::create_dir_all(parent)?;
        }
        match fs::rename(&from, &to) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                let (size, hash) = hash_file(&to).map_err(|_| {
                    io::Error::other(format!(
                        "output `{}` is neither staged at `{}` nor published; it was \
                         deleted",
                        file.path,
                        from.display()
                    ))
                })?;
                if size != file.size || hash != file.blake3 {
                    return Err(io::Error::other(format!(
                        "published output `{}` does not match its journal record (BLAKE3 \
                         {hash}, expected {}); it was changed after the run",
                        to.display(),
                        file.blake3
                    )));
                }
            }
            Err(e) => return Err(e),
        }
    }
    if !files.is_empty() {
        sync_dir(dest)?;
    }
    match fs::remove_dir_all(stage) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn plain_ids_name_their_directory_and_others_are_hashed() {
        assert_eq!(node_dir_name("fetch-data_2.v1"), "fetch-data_2.v1");
        let odd = node_dir_name("../etc/passwd");
        assert!(odd.starts_with("_etc_passwd~") || odd.starts_with("__etc_passwd~"));
        assert!(!odd.contains('/'));
        assert_ne!(node_dir_name("a/b"), node_dir_name("a:b"));
        assert!(node_dir_name(&"x".repeat(256)).len() < 100);
    }

    #[test]
    fn publishing_moves_files_and_a_second_publication_is_a_no_op() {
        let root = tempfile::tempdir().unwrap();
        let stage = root.path().join("stage");
        fs::create_dir_all(stage.join("sub")).unwrap();
        fs::write(stage.join("a.txt"), "alpha").unwrap();
        fs::write(stage.join("sub/b.txt"), "beta").unwrap();
        let files = hash_tree(&stage).unwrap();
        assert_eq!(
            files.iter().map(|f| f.path.as_str()).collect::<Vec<_>>(),
            ["a.txt", "sub/b.txt"]
        );
        let dest = root.path().join("out");
        publish(&stage, &dest, &files).unwrap();
        assert_eq!(fs::read_to_string(dest.join("sub/b.txt")).unwrap(), "beta");
        assert!(!stage.exists());
        publish(&stage, &dest, &files).unwrap();
        fs::write(dest.join("a.txt"), "changed").unwrap();
        let error = publish(&stage, &dest, &files).unwrap_err().to_string();
        assert!(
            error.contains("does not match its journal record"),
            "{error}"
        );
    }
}
