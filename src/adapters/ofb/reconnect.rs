//! Live reconnection while Symphony runs: probe OFB (backing off from 1 s to 30 s while it is
//! away, every 10 s while it answers), replay the outbox in order as soon as it answers, and
//! tell the UI each time the link's state changes: `offline · N pending`, the count going down
//! entry by entry during the replay, refusals, and back to nothing when all is done.

use std::future::Future;
use std::time::Duration;

use crate::data::link::{Backoff, LinkReport};
use crate::data::outbox::OfflineQueue;
use crate::ports::data_access::DataAccessPort;

/// How often to probe.
#[derive(Debug, Clone)]
pub struct Timing {
    /// Between probes while OFB is away.
    pub backoff: Backoff,
    /// Between probes while it answers (to notice it leaving, and to replay what a failed
    /// call queued meanwhile).
    pub online_every: Duration,
}

impl Default for Timing {
    fn default() -> Timing {
        Timing {
            backoff: Backoff::default(),
            online_every: Duration::from_secs(10),
        }
    }
}

/// Sends a report only when it differs from the last one.
struct Reporter<R> {
    report: R,
    last: Option<LinkReport>,
}

impl<R: FnMut(LinkReport)> Reporter<R> {
    fn send(&mut self, report: LinkReport) {
        if self.last.as_ref() != Some(&report) {
            self.last = Some(report.clone());
            (self.report)(report);
        }
    }
}

/// Probes with `probe` and replays `queue` whenever OFB answers, forever (end it by dropping
/// the future). `report` is called with every change of the link's state.
pub async fn watch<P, Probe, Fut>(
    queue: &OfflineQueue<P>,
    mut probe: Probe,
    timing: Timing,
    report: impl FnMut(LinkReport),
) where
    P: DataAccessPort,
    Probe: FnMut() -> Fut,
    Fut: Future<Output = Result<(), String>>,
{
    let mut backoff = timing.backoff;
    let mut reporter = Reporter { report, last: None };
    loop {
        let refused = refused_count(queue);
        let delay = match probe().await {
            Err(reason) => {
                reporter.send(LinkReport {
                    offline: Some(reason),
                    pending: queue.pending().await,
                    refused,
                });
                backoff.next_delay()
            }
            Ok(()) => {
                let replay = queue
                    .replay_with(|pending| {
                        reporter.send(LinkReport {
                            offline: None,
                            pending,
                            refused,
                        })
                    })
                    .await;
                let now = LinkReport {
                    offline: None,
                    pending: queue.pending().await,
                    refused: refused_count(queue),
                };
                match replay {
                    Ok(replay) if replay.pending == 0 => {
                        backoff.reset();
                        reporter.send(now);
                        timing.online_every
                    }
                    Ok(_) => {
                        reporter.send(LinkReport {
                            offline: Some("OFB went away during the replay".into()),
                            ..now
                        });
                        backoff.next_delay()
                    }
                    Err(e) => {
                        reporter.send(LinkReport {
                            offline: Some(format!("the outbox could not be replayed: {e}")),
                            ..now
                        });
                        backoff.next_delay()
                    }
                }
            }
        };
        tokio::time::sleep(delay).await;
    }
}

fn refused_count<P: DataAccessPort>(queue: &OfflineQueue<P>) -> usize {
    match queue.refused_log().read() {
        Ok(all) => all.len(),
        Err(e) => {
            tracing::warn!("{e}");
            0
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;
    use crate::adapters::MemoryData;
    use crate::data::mutation::Mutation;
    use crate::data::outbox::Submitted;
    use crate::data::requests::{NewMember, NewProject, Role};
    use crate::ports::data_access::ProjectId;

    fn project(name: &str) -> Mutation {
        Mutation::CreateProject {
            request: NewProject {
                name: name.into(),
                cost_budget: 10.0,
            },
        }
    }

    /// OFB away for three probes, then back: the reports go offline · 3 pending, then the count
    /// down entry by entry, then all clear; the probes back off while it is away.
    #[tokio::test]
    async fn the_outbox_is_replayed_once_ofb_answers_and_every_step_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let data = MemoryData::new().signed_in().await;
        let queue = OfflineQueue::open(data.clone(), &dir.path().join("outbox")).unwrap();
        data.set_offline(true);
        for name in ["a", "b", "c"] {
            let queued = queue.submit(project(name)).await.unwrap();
            assert!(matches!(queued, Submitted::Queued { .. }));
        }
        // Refused on replay: the project does not exist.
        queue
            .submit(Mutation::AddMember {
                project: ProjectId(999),
                request: NewMember {
                    username: "ada".into(),
                    role: Role::Executor,
                },
            })
            .await
            .unwrap();
        let reports = Arc::new(Mutex::new(Vec::new()));
        let probes = Arc::new(Mutex::new(0));
        let timing = Timing {
            backoff: Backoff::new(Duration::from_millis(1), Duration::from_millis(4)),
            online_every: Duration::from_secs(3600),
        };
        let watching = {
            let (reports, probes, data) = (reports.clone(), probes.clone(), data.clone());
            let queue = &queue;
            async move {
                watch(
                    queue,
                    || {
                        let mut n = probes.lock().unwrap();
                        *n += 1;
                        if *n == 4 {
                            data.set_offline(false);
                        }
                        let answer = if *n < 4 {
                            Err("refused".to_owned())
                        } else {
                            Ok(())
                        };
                        std::future::ready(answer)
                    },
                    timing,
                    |report| reports.lock().unwrap().push(report),
                )
                .await
            }
        };
        let done = async {
            while reports
                .lock()
                .unwrap()
                .last()
                .is_none_or(|r| r.refused == 0)
            {
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
        };
        tokio::select! {
            () = watching => unreachable!("watch runs forever"),
            () = done => {}
        }
        let offline = |pending| LinkReport {
            offline: Some("refused".into()),
            pending,
            refused: 0,
        };
        let online = |pending, refused| LinkReport {
            offline: None,
            pending,
            refused,
        };
        assert_eq!(
            *reports.lock().unwrap(),
            vec![
                offline(4),
                online(3, 0),
                online(2, 0),
                online(1, 0),
                online(0, 0),
                online(0, 1)
            ],
            "one report per change: offline, then the count down, then the refusal"
        );
        assert_eq!(*probes.lock().unwrap(), 4);
        assert_eq!(data.mutations(), 2 + 3, "user, login, three projects");
    }
}
