//! Full-text search over text artifacts and their metadata, with Tantivy. Documents are
//! indexed off the write path by one thread that commits in batches (a commit costs
//! milliseconds, too much per put): at most [`BATCH_WAIT`] after the first document of a batch,
//! or at once when [`SearchIndex::flush`] asks. The index is derived data: `rebuild` makes it
//! again from the store.

use std::path::Path;
use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use tantivy::collector::TopDocs;
use tantivy::directory::MmapDirectory;
use tantivy::query::QueryParser;
use tantivy::schema::{Field, STORED, STRING, Schema, TEXT, Value};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term, doc};

use super::ArtifactError;
use super::id::ArtifactId;

/// The longest a put waits to become searchable (plus the commit itself).
pub const BATCH_WAIT: Duration = Duration::from_millis(200);
/// A batch is committed at this many documents even before [`BATCH_WAIT`].
const BATCH_DOCS: usize = 5_000;
/// The indexer's memory budget.
const WRITER_BYTES: usize = 32 << 20;

/// What the indexer gets.
#[derive(Debug)]
enum Message {
    Add {
        id: String,
        name: String,
        tags: String,
        body: String,
    },
    Remove(String),
    Clear,
    Flush(mpsc::Sender<()>),
}

#[derive(Debug, Clone, Copy)]
struct Fields {
    id: Field,
    name: Field,
    tags: Field,
    body: Field,
}

/// The search index of a store.
pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    fields: Fields,
    sender: Mutex<Option<mpsc::Sender<Message>>>,
    indexer: Option<thread::JoinHandle<()>>,
    /// Why the indexer stopped, if it did.
    failure: Arc<(Mutex<Option<String>>, Condvar)>,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex").finish_non_exhaustive()
    }
}

fn search_error(e: impl std::fmt::Display) -> ArtifactError {
    ArtifactError::Search(e.to_string())
}

impl SearchIndex {
    /// Opens (or creates) the index in `dir` and starts its indexer thread.
    pub fn open(dir: &Path) -> Result<Self, ArtifactError> {
        std::fs::create_dir_all(dir).map_err(|e| ArtifactError::io(dir, "create", e))?;
        let mut schema = Schema::builder();
        let fields = Fields {
            id: schema.add_text_field("id", STRING | STORED),
            name: schema.add_text_field("name", TEXT),
            tags: schema.add_text_field("tags", TEXT),
            body: schema.add_text_field("body", TEXT),
        };
        let directory = MmapDirectory::open(dir).map_err(search_error)?;
        let index = Index::open_or_create(directory, schema.build()).map_err(search_error)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(search_error)?;
        let writer: IndexWriter = index
            .writer_with_num_threads(1, WRITER_BYTES)
            .map_err(|e| match e {
                tantivy::TantivyError::LockFailure(
                    tantivy::directory::error::LockError::LockBusy,
                    _,
                ) => ArtifactError::Busy {
                    path: dir.to_owned(),
                },
                other => search_error(other),
            })?;
        let (sender, receiver) = mpsc::channel();
        let failure = Arc::new((Mutex::new(None), Condvar::new()));
        let (thread_reader, thread_failure) = (reader.clone(), failure.clone());
        let indexer = thread::Builder::new()
            .name("symphony-search".into())
            .spawn(move || {
                if let Err(e) = index_loop(writer, &thread_reader, fields, &receiver) {
                    let (lock, _) = &*thread_failure;
                    if let Ok(mut slot) = lock.lock() {
                        *slot = Some(e.to_string());
                    }
                }
            })
            .map_err(|e| ArtifactError::io(dir, "start the indexer of", e))?;
        Ok(SearchIndex {
            index,
            reader,
            fields,
            sender: Mutex::new(Some(sender)),
            indexer: Some(indexer),
            failure,
        })
    }

    fn send(&self, message: Message) -> Result<(), ArtifactError> {
        let sender = self.sender.lock().unwrap_or_else(|e| e.into_inner());
        let sent = sender.as_ref().map(|s| s.send(message));
        match sent {
            Some(Ok(())) => Ok(()),
            _ => Err(self.stopped()),
        }
    }

    fn stopped(&self) -> ArtifactError {
        let (lock, _) = &*self.failure;
        let why = lock
            .lock()
            .map(|f| f.clone())
            .unwrap_or_default()
            .unwrap_or_else(|| "it stopped".to_owned());
        ArtifactError::Search(format!(
            "the search indexer failed ({why}); run `symphony artifact verify` to rebuild it"
        ))
    }

    /// Queues an artifact for indexing: its name and tags, and its text if it is text.
    pub fn add(
        &self,
        id: &ArtifactId,
        name: Option<&str>,
        tags: &[String],
        text: Option<&str>,
    ) -> Result<(), ArtifactError> {
        self.send(Message::Add {
            id: id.to_hex(),
            name: name.unwrap_or_default().to_owned(),
            tags: tags.join(" "),
            body: text.unwrap_or_default().to_owned(),
        })
    }

    /// Queues an artifact's removal from the index.
    pub fn remove(&self, id: &ArtifactId) -> Result<(), ArtifactError> {
        self.send(Message::Remove(id.to_hex()))
    }

    /// Queues the removal of everything (before a rebuild).
    pub fn clear(&self) -> Result<(), ArtifactError> {
        self.send(Message::Clear)
    }

    /// Commits what is queued and waits until it is searchable.
    pub fn flush(&self) -> Result<(), ArtifactError> {
        let (done, wait) = mpsc::channel();
        self.send(Message::Flush(done))?;
        wait.recv().map_err(|_| self.stopped())
    }

    /// The artifacts matching `query` (Tantivy's query language: words, `"phrases"`,
    /// `name:report`, `tags:nightly`, `AND`/`OR`/`-`), best first.
    pub fn search(
        &self,
        query: &str,
        limit: usize,
    ) -> Result<Vec<(ArtifactId, f32)>, ArtifactError> {
        let f = self.fields;
        let parser = QueryParser::for_index(&self.index, vec![f.name, f.tags, f.body]);
        let parsed = parser
            .parse_query(query)
            .map_err(|e| ArtifactError::BadQuery(format!("`{query}`: {e}")))?;
        let searcher = self.reader.searcher();
        let hits = searcher
            .search(&parsed, &TopDocs::with_limit(limit.max(1)).order_by_score())
            .map_err(search_error)?;
        let mut out = Vec::with_capacity(hits.len());
        for (score, address) in hits {
            let doc: TantivyDocument = searcher.doc(address).map_err(search_error)?;
            let id = doc
                .get_first(f.id)
                .and_then(|v| v.as_str())
                .and_then(|hex| hex.parse().ok());
            if let Some(id) = id {
                out.push((id, score));
            }
        }
        Ok(out)
    }
}

impl Drop for SearchIndex {
    /// Commits what is queued and stops the indexer, releasing the index's lock.
    fn drop(&mut self) {
        if let Ok(mut sender) = self.sender.lock() {
            sender.take();
        }
        if let Some(indexer) = self.indexer.take() {
            let _ = indexer.join();
        }
    }
}

fn index_loop(
    mut writer: IndexWriter,
    reader: &IndexReader,
    f: Fields,
    receiver: &mpsc::Receiver<Message>,
) -> tantivy::Result<()> {
    let mut pending = 0usize;
    let mut first: Option<Instant> = None;
    let mut waiting: Vec<mpsc::Sender<()>> = Vec::new();
    loop {
        let timeout = first.map_or(Duration::from_secs(3600), |t| {
            BATCH_WAIT.saturating_sub(t.elapsed())
        });
        let message = match receiver.recv_timeout(timeout) {
            Ok(message) => Some(message),
            Err(mpsc::RecvTimeoutError::Timeout) => None,
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                if pending > 0 {
                    writer.commit()?;
                }
                return Ok(());
            }
        };
        match message {
            Some(Message::Add {
                id,
                name,
                tags,
                body,
            }) => {
                writer.delete_term(Term::from_field_text(f.id, &id));
                writer.add_document(
                    doc!(f.id => id, f.name => name, f.tags => tags, f.body => body),
                )?;
                pending += 1;
            }
            Some(Message::Remove(id)) => {
                writer.delete_term(Term::from_field_text(f.id, &id));
                pending += 1;
            }
            Some(Message::Clear) => {
                writer.delete_all_documents()?;
                pending += 1;
            }
            Some(Message::Flush(done)) => waiting.push(done),
            None => {}
        }
        if pending > 0 && first.is_none() {
            first = Some(Instant::now());
        }
        let due = first.is_some_and(|t| t.elapsed() >= BATCH_WAIT);
        if (pending > 0 && (due || pending >= BATCH_DOCS)) || !waiting.is_empty() {
            if pending > 0 {
                writer.commit()?;
                reader.reload()?;
            }
            pending = 0;
            first = None;
            for done in waiting.drain(..) {
                let _ = done.send(());
            }
        }
    }
}
