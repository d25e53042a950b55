use std::io::Read;

use super::*;

/// `root/ro` granted read-only (fd 3), `root/rw` read-write (fd 4), `root/secret.txt` outside.
fn granted() -> (tempfile::TempDir, WasiCtx) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path();
    for dir in ["ro", "rw"] {
        std::fs::create_dir(root.join(dir)).expect("dir");
    }
    std::fs::create_dir(root.join("ro/sub")).expect("dir");
    std::fs::write(root.join("ro/in.txt"), "inside").expect("file");
    std::fs::write(root.join("secret.txt"), "secret").expect("file");
    std::os::unix::fs::symlink(root.join("secret.txt"), root.join("ro/link")).expect("link");
    let grants = [
        GrantedDir {
            path: root.join("ro"),
            writable: false,
        },
        GrantedDir {
            path: root.join("rw"),
            writable: true,
        },
        GrantedDir {
            path: root.join("missing"),
            writable: false,
        },
    ];
    let (preopens, skipped) = Preopens::open(&grants, 64);
    assert_eq!(skipped.len(), 1, "{skipped:?}");
    assert!(skipped[0].contains("missing"), "{skipped:?}");
    let ctx = preopens.context(Vec::new()).expect("context");
    (tmp, ctx)
}

const READ: OpenRequest = OpenRequest {
    directory: false,
    create: false,
    exclusive: false,
    truncate: false,
    append: false,
    read: true,
    write: false,
    follow: true,
};

fn read_all(ctx: &mut WasiCtx, fd: u32) -> String {
    let Ok(Entry::File { file, .. }) = ctx.entry_mut(fd) else {
        panic!("fd {fd} is not a file")
    };
    let mut text = String::new();
    file.read_to_string(&mut text).expect("read");
    text
}

#[test]
fn a_file_inside_a_grant_opens_and_reads() {
    let (_tmp, mut ctx) = granted();
    let fd = ctx.open(3, "in.txt", READ).expect("opens");
    assert_eq!(read_all(&mut ctx, fd), "inside");
    assert!(ctx.denied.is_empty());
    assert!(ctx.preopen_name(3).expect("preopen").ends_with(b"/ro"));
    assert_eq!(ctx.preopen_name(5), Err(Errno::BADF));
}

#[test]
fn dot_dot_absolute_paths_and_symlinks_cannot_leave_the_grant() {
    let (tmp, mut ctx) = granted();
    for path in [
        "../secret.txt",
        "/etc/passwd",
        "link",
        "sub/../../secret.txt",
    ] {
        assert_eq!(ctx.open(3, path, READ), Err(Errno::NOTCAPABLE), "{path}");
    }
    let reasons: Vec<_> = ctx.denied.iter().map(|d| d.reason.clone()).collect();
    assert!(reasons.iter().all(|r| *r == DenialReason::OutsideGrants));
    assert_eq!(ctx.open(3, "sub/../in.txt", READ).map(|_| ()), Ok(()));
    let named: Vec<_> = ctx.denied.iter().map(|d| d.path.clone()).collect();
    assert_eq!(named[0], tmp.path().join("secret.txt"));
    assert_eq!(named[1], PathBuf::from("/etc/passwd"));
    assert_eq!(named[2], tmp.path().join("ro/link"));
    assert_eq!(named[3], tmp.path().join("secret.txt"));
    assert_eq!(named.len(), 4);
}

#[test]
fn writing_under_a_read_only_grant_is_refused_and_named() {
    let (tmp, mut ctx) = granted();
    let write = OpenRequest {
        write: true,
        create: true,
        ..READ
    };
    assert_eq!(ctx.open(3, "new.txt", write), Err(Errno::NOTCAPABLE));
    assert_eq!(ctx.create_directory(3, "d"), Err(Errno::NOTCAPABLE));
    assert_eq!(ctx.remove(3, "in.txt", false), Err(Errno::NOTCAPABLE));
    assert!(tmp.path().join("ro/in.txt").exists());
    assert!(!tmp.path().join("ro/new.txt").exists());
    let denial = &ctx.denied[0];
    assert_eq!(denial.reason, DenialReason::ReadOnly);
    assert!(
        denial.to_string().contains("ro/new.txt") && denial.to_string().contains("read-only"),
        "{denial}"
    );
}

#[test]
fn a_read_write_grant_creates_writes_and_removes() {
    let (tmp, mut ctx) = granted();
    let write = OpenRequest {
        write: true,
        create: true,
        read: false,
        ..READ
    };
    ctx.create_directory(4, "sub").expect("mkdir");
    let fd = ctx.open(4, "sub/out.txt", write).expect("creates");
    let Ok(Entry::File { file, .. }) = ctx.entry_mut(fd) else {
        panic!("a file")
    };
    std::io::Write::write_all(file, b"made").expect("write");
    ctx.close(fd).expect("close");
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("rw/sub/out.txt")).expect("written"),
        "made"
    );
    ctx.remove(4, "sub/out.txt", false).expect("unlink");
    ctx.remove(4, "sub", true).expect("rmdir");
    assert!(!tmp.path().join("rw/sub").exists());
    assert_eq!(ctx.remove(4, "../ro/in.txt", false), Err(Errno::NOTCAPABLE));
    assert!(tmp.path().join("ro/in.txt").exists());
    assert!(
        ctx.denied
            .iter()
            .all(|d| d.reason == DenialReason::OutsideGrants)
    );
}

#[test]
fn the_descriptor_table_is_bounded_and_reuses_closed_slots() {
    let (_tmp, ctx) = granted();
    let mut ctx = WasiCtx { max_open: 6, ..ctx };
    let first = ctx.open(3, "in.txt", READ).expect("fd 5");
    assert_eq!(first, 5);
    assert_eq!(ctx.open(3, "in.txt", READ), Err(Errno::MFILE));
    ctx.close(first).expect("close");
    assert_eq!(ctx.close(first), Err(Errno::BADF));
    assert_eq!(ctx.open(3, "in.txt", READ), Ok(5));
}

#[test]
fn output_capture_keeps_64_kib_and_counts_the_rest() {
    let mut capture = Capture::default();
    capture.push(&vec![b'a'; CAPTURE_LIMIT - 1]);
    capture.push(b"bcd");
    assert_eq!(capture.bytes.len(), CAPTURE_LIMIT);
    assert_eq!(capture.dropped, 2);
    assert!(capture.tail(3).ends_with("ab"));
}
