//! Sleeps that end on time. tokio's timer wheel has a 1 ms resolution and wakes on average
//! about 1.1 ms late (tokio-rs/tokio#6866): nothing for a task of minutes, but it doubles a
//! scaled-down WfCommons task of 1 ms and wrecks the makespan of a replay. Short sleeps (and
//! the last stretch of long ones) go to one timer thread that waits with the OS's own
//! resolution (tens of microseconds) and wakes each sleeper through a oneshot channel.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::OnceLock;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread;
use std::time::{Duration, Instant};

use tokio::sync::oneshot;

/// Sleeps longer than this use tokio's timer for all but their last [`MARGIN`].
const MARGIN: Duration = Duration::from_millis(3);

type Wake = (Instant, oneshot::Sender<()>);

fn timer() -> Option<&'static mpsc::Sender<Wake>> {
    static TIMER: OnceLock<Option<mpsc::Sender<Wake>>> = OnceLock::new();
    TIMER
        .get_or_init(|| {
            let (sender, receiver) = mpsc::channel::<Wake>();
            thread::Builder::new()
                .name("symphony-timer".into())
                .spawn(move || run(&receiver))
                .ok()
                .map(|_| sender)
        })
        .as_ref()
}

fn run(receiver: &mpsc::Receiver<Wake>) {
    let mut due: BinaryHeap<Reverse<(Instant, u64)>> = BinaryHeap::new();
    let mut waiting: std::collections::HashMap<u64, oneshot::Sender<()>> =
        std::collections::HashMap::new();
    let mut seq = 0u64;
    loop {
        let now = Instant::now();
        while let Some(Reverse((at, id))) = due.peek().copied() {
            if at > now {
                break;
            }
            due.pop();
            if let Some(wake) = waiting.remove(&id) {
                let _ = wake.send(());
            }
        }
        let next = match due.peek() {
            Some(Reverse((at, _))) => receiver.recv_timeout(at.saturating_duration_since(now)),
            None => receiver.recv().map_err(|_| RecvTimeoutError::Disconnected),
        };
        match next {
            Ok((at, wake)) => {
                seq += 1;
                due.push(Reverse((at, seq)));
                waiting.insert(seq, wake);
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return,
        }
    }
}

/// Sleeps for `duration`, waking within tens of microseconds of its end. It also ends on
/// tokio's timer, whichever comes first: so under tokio's paused test clock it ends at
/// exactly the virtual deadline, as `tokio::time::sleep` would.
pub async fn sleep(duration: Duration) {
    let deadline = tokio::time::Instant::now() + duration;
    if duration > MARGIN {
        tokio::time::sleep_until(deadline - MARGIN).await;
    }
    let left = deadline.saturating_duration_since(tokio::time::Instant::now());
    let (wake, woken) = oneshot::channel();
    let precise = timer().is_some_and(|t| t.send((Instant::now() + left, wake)).is_ok());
    if !precise {
        tokio::time::sleep_until(deadline).await;
        return;
    }
    tokio::select! {
        Ok(()) = woken => {}
        () = tokio::time::sleep_until(deadline) => {}
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sleeps_end_after_their_time_and_not_much_later() {
        for ms in [0u64, 1, 2, 5, 12] {
            let wanted = Duration::from_millis(ms);
            let started = Instant::now();
            sleep(wanted).await;
            let took = started.elapsed();
            assert!(took >= wanted, "{ms} ms took {took:?}");
            // Loose: timings belong in benchmarks; this only catches a sleep that never ends
            // early and a timer thread that is not used at all.
            assert!(
                took < wanted + Duration::from_millis(200),
                "{ms} ms took {took:?}"
            );
        }
    }
}
