//! The Artifact Store on real files: content addressing and deduplication, versions and tags,
//! verified reads (a corrupted or missing blob is an error naming it), search within the
//! batch delay, index rebuilds, verification, garbage collection, reopening.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use pit::artifacts::{ArtifactError, ArtifactId, ArtifactStore, Lineage, PutOptions};

fn named(name: &str, tags: &[&str]) -> PutOptions {
    PutOptions {
        name: Some(name.to_owned()),
        tags: tags.iter().map(|t| (*t).to_owned()).collect(),
        lineage: None,
    }
}

fn blob_path(root: &std::path::Path, id: &ArtifactId) -> std::path::PathBuf {
    let hex = id.to_hex();
    root.join("objects").join(&hex[..2]).join(&hex[2..])
}

#[test]
fn puts_are_content_addressed_deduplicated_and_versioned_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let store = ArtifactStore::open(dir.path()).unwrap();
    let first = store
        .put(b"report v1", named("report.md", &["nightly"]))
        .unwrap();
    assert_eq!(first.id, ArtifactId::of(b"report v1").to_hex());
    assert_eq!((first.version, first.size, first.text), (Some(1), 9, true));
    let again = store
        .put(b"report v1", named("report.md", &["keep"]))
        .unwrap();
    assert_eq!(
        again.version,
        Some(1),
        "the same content is the same version"
    );
    assert_eq!(again.tags, ["nightly", "keep"]);
    let second = store.put(b"report v2", named("report.md", &[])).unwrap();
    assert_eq!(second.version, Some(2));
    assert_eq!(store.list(None).unwrap().len(), 2);
    assert_eq!(store.list(Some("keep")).unwrap()[0].id, first.id);
    let id: ArtifactId = first.id.parse().unwrap();
    assert_eq!(&*store.get(&id).unwrap(), b"report v1");
    assert_eq!(store.resolve(&first.id[..8]).unwrap(), id);
    assert!(matches!(
        store.resolve("ab"),
        Err(ArtifactError::NotFound(_))
    ));
    assert!(matches!(
        store.get(&ArtifactId::of(b"never put")),
        Err(ArtifactError::NotFound(_))
    ));
}

#[test]
fn lineage_and_binary_content_are_kept() {
    let dir = tempfile::tempdir().unwrap();
    let store = ArtifactStore::open(dir.path()).unwrap();
    let lineage = Lineage {
        run: "20261126-050000-abcd".into(),
        node: "render".into(),
        inputs: vec![ArtifactId::of(b"in").to_hex()],
    };
    let bytes = [0u8, 159, 146, 150, 255];
    let meta = store
        .put(
            &bytes,
            PutOptions {
                lineage: Some(lineage.clone()),
                ..PutOptions::default()
            },
        )
        .unwrap();
    assert!(!meta.text);
    assert_eq!(meta.lineage, Some(lineage));
    assert_eq!(&*store.get(&meta.id.parse().unwrap()).unwrap(), &bytes);
}

#[test]
fn a_corrupted_or_missing_blob_is_an_error_naming_it_never_wrong_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let (good, bad, gone) = {
        let store = ArtifactStore::open(dir.path()).unwrap();
        let good = store.put(b"fine", named("a", &[])).unwrap();
        let bad = store.put(b"will rot", named("b", &[])).unwrap();
        let gone = store.put(b"will vanish", named("c", &[])).unwrap();
        (good, bad, gone)
    };
    let (bad_id, gone_id): (ArtifactId, ArtifactId) =
        (bad.id.parse().unwrap(), gone.id.parse().unwrap());
    std::fs::write(blob_path(dir.path(), &bad_id), b"will ROT").unwrap();
    std::fs::remove_file(blob_path(dir.path(), &gone_id)).unwrap();
    let store = ArtifactStore::open(dir.path()).unwrap();
    let error = store.get(&bad_id).unwrap_err();
    assert!(matches!(error, ArtifactError::Corrupt { .. }), "{error}");
    assert!(error.to_string().contains(&bad.id), "{error}");
    let error = store.get(&gone_id).unwrap_err();
    assert!(
        matches!(error, ArtifactError::MissingBlob { .. }),
        "{error}"
    );
    assert_eq!(&*store.get(&good.id.parse().unwrap()).unwrap(), b"fine");
    let report = store.verify().unwrap();
    assert_eq!(report.checked, 3);
    assert_eq!(report.problems.len(), 2, "{:?}", report.problems);
}

#[test]
fn text_is_searchable_within_a_second_without_waiting_for_anything() {
    let dir = tempfile::tempdir().unwrap();
    let store = ArtifactStore::open(dir.path()).unwrap();
    store
        .put(b"the quarterly revenue grew", named("q3.txt", &["finance"]))
        .unwrap();
    store
        .put(b"kernel panic at boot", named("dmesg.log", &["ops"]))
        .unwrap();
    let started = Instant::now();
    let found = loop {
        let found = store.search("revenue", 10).unwrap();
        if !found.is_empty() || started.elapsed() > Duration::from_secs(2) {
            break found;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(
        started.elapsed() <= Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].0.name.as_deref(), Some("q3.txt"));
    assert_eq!(store.search("tags:ops", 10).unwrap().len(), 1);
    assert_eq!(store.search("name:dmesg", 10).unwrap().len(), 1);
    assert!(matches!(
        store.search("name:(", 10),
        Err(ArtifactError::BadQuery(_))
    ));
}

#[test]
fn the_index_is_rebuilt_from_the_store_and_deletes_leave_it() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = ArtifactStore::open(dir.path()).unwrap();
        store.put(b"alpha beta", named("one", &[])).unwrap();
        store.put(b"beta gamma", named("two", &[])).unwrap();
        store.flush_index().unwrap();
    }
    std::fs::remove_dir_all(dir.path().join("index")).unwrap();
    let store = ArtifactStore::open(dir.path()).unwrap();
    assert!(
        store.search("beta", 10).unwrap().is_empty(),
        "the index is gone"
    );
    assert_eq!(store.rebuild_index().unwrap(), 2);
    assert_eq!(store.search("beta", 10).unwrap().len(), 2);
    let one = store
        .resolve(&ArtifactId::of(b"alpha beta").to_hex())
        .unwrap();
    store.delete(&one).unwrap();
    store.flush_index().unwrap();
    assert_eq!(store.search("beta", 10).unwrap().len(), 1);
    assert!(matches!(store.get(&one), Err(ArtifactError::NotFound(_))));
}

#[test]
fn gc_removes_blobs_without_a_record_and_says_so_first_with_dry_run() {
    let dir = tempfile::tempdir().unwrap();
    let store = ArtifactStore::open(dir.path()).unwrap();
    store.put(b"kept", named("k", &[])).unwrap();
    // A blob whose record never landed (a crash between the two writes of a put).
    let orphan = ArtifactId::of(b"orphan");
    let path = blob_path(dir.path(), &orphan);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, b"orphan").unwrap();
    assert_eq!(store.verify().unwrap().orphans, vec![orphan]);
    let dry = store.gc(true).unwrap();
    assert_eq!((dry.orphans.clone(), dry.bytes), (vec![orphan], 6));
    assert!(path.exists());
    store.gc(false).unwrap();
    assert!(!path.exists());
    assert!(store.verify().unwrap().orphans.is_empty());
    assert_eq!(store.list(None).unwrap().len(), 1);
}

#[test]
fn everything_survives_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let id = {
        let store = ArtifactStore::open(dir.path()).unwrap();
        let meta = store.put(b"persistent", named("p", &["t"])).unwrap();
        meta.id
    };
    let store = ArtifactStore::open(dir.path()).unwrap();
    let id: ArtifactId = id.parse().unwrap();
    assert_eq!(&*store.get(&id).unwrap(), b"persistent");
    assert_eq!(store.list(Some("t")).unwrap().len(), 1);
    assert_eq!(store.meta(&id).unwrap().unwrap().version, Some(1));
}

#[test]
fn reads_are_counted_and_survive_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let id = {
        let store = ArtifactStore::open(dir.path()).unwrap();
        let meta = store.put(b"read me", named("r", &[])).unwrap();
        let id: ArtifactId = meta.id.parse().unwrap();
        assert_eq!(store.usage(&id).unwrap().reads, 0);
        store.get(&id).unwrap();
        store.get(&id).unwrap();
        let usage = store.usage(&id).unwrap();
        assert_eq!(usage.reads, 2);
        assert!(usage.last_read_ms >= meta.created_ms);
        id
    };
    let store = ArtifactStore::open(dir.path()).unwrap();
    assert_eq!(
        store.usage(&id).unwrap().reads,
        2,
        "flushed when the store closed"
    );
}

#[test]
fn an_archived_artifact_is_compressed_still_listed_verified_and_retrievable() {
    let dir = tempfile::tempdir().unwrap();
    let text = "an idle report line that compresses well\n".repeat(200);
    let (meta, id) = {
        let store = ArtifactStore::open(dir.path()).unwrap();
        let meta = store
            .put(text.as_bytes(), named("idle.md", &["old"]))
            .unwrap();
        let id: ArtifactId = meta.id.parse().unwrap();
        let (archived, size) = store.archive(&id).unwrap();
        assert!(archived.archived);
        assert!(
            size < meta.size / 4,
            "{size} bytes archived of {}",
            meta.size
        );
        assert_eq!(
            store.archive(&id).unwrap().1,
            size,
            "archiving twice is a no-op"
        );
        (meta, id)
    };
    assert!(
        !blob_path(dir.path(), &id).exists(),
        "the plain blob is gone"
    );
    let store = ArtifactStore::open(dir.path()).unwrap();
    assert_eq!(&*store.get(&id).unwrap(), text.as_bytes());
    let listed = store.list(Some("old")).unwrap();
    assert!(listed[0].archived);
    let report = store.verify().unwrap();
    assert!(
        report.problems.is_empty() && report.orphans.is_empty(),
        "{report:?}"
    );
    assert!(store.gc(false).unwrap().orphans.is_empty());

    // A put of the same bytes brings it back out, plain.
    let again = store.put(text.as_bytes(), named("idle.md", &[])).unwrap();
    assert!(!again.archived && again.version == meta.version);
    assert!(blob_path(dir.path(), &id).is_file());
    assert_eq!(&*store.get(&id).unwrap(), text.as_bytes());

    // A corrupted archive is caught like a corrupted blob, naming the archive file.
    store.archive(&id).unwrap();
    let hex = id.to_hex();
    let archived = dir
        .path()
        .join("archive")
        .join(&hex[..2])
        .join(format!("{}.gz", &hex[2..]));
    let mut bytes = std::fs::read(&archived).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x10;
    std::fs::write(&archived, bytes).unwrap();
    drop(store);
    let store = ArtifactStore::open(dir.path()).unwrap();
    let error = store.get(&id).unwrap_err();
    assert!(matches!(error, ArtifactError::Corrupt { .. }), "{error}");
    assert!(error.to_string().contains("archive"), "{error}");
    assert_eq!(store.verify().unwrap().problems.len(), 1);

    // A corrupted plain blob is reported, never archived.
    let rotten = store
        .put(b"will rot before archiving", named("r", &[]))
        .unwrap();
    let rotten: ArtifactId = rotten.id.parse().unwrap();
    std::fs::write(blob_path(dir.path(), &rotten), b"will ROT before archiving").unwrap();
    drop(store);
    let store = ArtifactStore::open(dir.path()).unwrap();
    assert!(matches!(
        store.archive(&rotten),
        Err(ArtifactError::Corrupt { .. })
    ));
    assert!(blob_path(dir.path(), &rotten).is_file());
}
