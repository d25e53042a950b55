//! `symphony outbox`: what waits for OFB in the offline outbox, and what OFB refused when it
//! was replayed (kept beside the outbox with OFB's problem), as text or JSON. Reads the files
//! without changing them, so it is safe while Symphony runs; `--clear-refused` forgets the
//! refusals once they have been dealt with.

use pit::runs::format_utc;
use serde_json::json;

use super::Exit;
use crate::adapters::ofb::local::OfbFiles;
use crate::cli::OutboxArgs;
use crate::data::outbox::{OutboxFile, Pending, Refused, RefusedLog};
use crate::paths::DataPaths;

/// Runs `symphony outbox`.
pub(super) fn run(args: &OutboxArgs, paths: &DataPaths) -> Exit {
    let path = OfbFiles::new(paths).outbox();
    let log = RefusedLog::beside(&path);
    if args.clear_refused {
        return match log.clear() {
            Ok(n) => {
                println!("forgot {n} refused change{}", plural(n));
                Exit::Success
            }
            Err(error) => {
                eprintln!("symphony: {error}");
                Exit::CannotStart
            }
        };
    }
    let (pending, refused) = match (OutboxFile::peek(&path), log.read()) {
        (Ok(pending), Ok(refused)) => (pending, refused),
        (Err(error), _) | (_, Err(error)) => {
            eprintln!("symphony: {error}");
            return Exit::CannotStart;
        }
    };
    if args.json {
        println!("{}", as_json(&pending, &refused));
    } else {
        print!("{}", as_text(&pending, &refused, &path, log.path()));
    }
    Exit::Success
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn as_json(pending: &[Pending], refused: &[Refused]) -> serde_json::Value {
    json!({
        "pending": pending.iter().map(|p| json!({
            "seq": p.seq,
            "op": p.mutation.describe(),
            "key": p.key,
            "mutation": p.mutation,
            "provisional_id": p.creates,
        })).collect::<Vec<_>>(),
        "refused": refused.iter().map(|r| json!({
            "at": format_utc(r.at.saturating_mul(1000)),
            "op": r.mutation.describe(),
            "key": r.key,
            "mutation": r.mutation,
            "reason": r.reason,
            "problem": r.problem,
        })).collect::<Vec<_>>(),
    })
}

fn as_text(
    pending: &[Pending],
    refused: &[Refused],
    outbox: &std::path::Path,
    log: &std::path::Path,
) -> String {
    let mut out = String::new();
    if pending.is_empty() {
        out.push_str("nothing waits for OFB\n");
    } else {
        out.push_str(&format!(
            "{} change{} wait{} for OFB ({}), replayed in this order when it answers:\n",
            pending.len(),
            plural(pending.len()),
            if pending.len() == 1 { "s" } else { "" },
            outbox.display()
        ));
        for p in pending {
            out.push_str(&format!("  {:>4}  {}\n", p.seq, p.mutation.describe()));
        }
    }
    if !refused.is_empty() {
        out.push_str(&format!(
            "{} change{} refused by OFB when replayed ({}); redo {} or forget {} with \
             `symphony outbox --clear-refused`:\n",
            refused.len(),
            plural(refused.len()),
            log.display(),
            if refused.len() == 1 { "it" } else { "them" },
            if refused.len() == 1 { "it" } else { "them" },
        ));
        for r in refused {
            out.push_str(&format!(
                "  {}  {}: {}\n",
                format_utc(r.at.saturating_mul(1000)),
                r.mutation.describe(),
                r.reason
            ));
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::data::error::{DataError, Problem};
    use crate::data::ids::{IdempotencyKey, WorkflowId};
    use crate::data::mutation::Mutation;

    #[test]
    fn waiting_and_refused_changes_are_listed_with_why() {
        let dir = tempfile::tempdir().unwrap();
        let paths = DataPaths {
            root: dir.path().to_path_buf(),
        };
        let files = OfbFiles::new(&paths);
        std::fs::create_dir_all(&files.dir).unwrap();
        let start = |n| Mutation::StartRun {
            workflow: WorkflowId(n),
        };
        let mut outbox = OutboxFile::open(&files.outbox()).unwrap();
        outbox.push(IdempotencyKey::generate(), start(1)).unwrap();
        let error = DataError::from_problem(Problem::synthetic(
            403,
            "Your role in project 1 is Auditor".into(),
        ));
        RefusedLog::beside(&files.outbox())
            .append(&Refused::new(IdempotencyKey::generate(), start(2), &error))
            .unwrap();
        let pending = OutboxFile::peek(&files.outbox()).unwrap();
        let refused = RefusedLog::beside(&files.outbox()).read().unwrap();
        let text = as_text(&pending, &refused, &files.outbox(), &files.dir);
        assert!(text.contains("1 change waits for OFB"), "{text}");
        assert!(text.contains("1 change refused by OFB"), "{text}");
        assert!(
            text.contains("start run: not allowed: Your role in project 1 is Auditor"),
            "{text}"
        );
        let json = as_json(&pending, &refused);
        assert_eq!(json["pending"][0]["op"], "start run");
        assert_eq!(json["refused"][0]["problem"]["status"], 403);
        let args = OutboxArgs {
            json: false,
            clear_refused: true,
        };
        assert_eq!(run(&args, &paths), Exit::Success);
        assert!(
            RefusedLog::beside(&files.outbox())
                .read()
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            OutboxFile::peek(&files.outbox()).unwrap().len(),
            1,
            "pending kept"
        );
    }
}
