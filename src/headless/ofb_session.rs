//! OFB for a headless command that runs workflows (`symphony ask`): connects as Symphony
//! does (its own local OFB, or `SYMPHONY_OFB_URL`) on a runtime of its own, so that the
//! Conductor records its run there while the command's thread waits for the run; stops a
//! local OFB at the end.

use crate::adapters::conductor::RecordSlot;
use crate::adapters::ofb::DataConnection;
use crate::adapters::ofb::local::OfbSetting;
use crate::paths::DataPaths;

/// A live connection to OFB for one command.
pub struct OfbSession {
    runtime: tokio::runtime::Runtime,
    connection: DataConnection,
}

impl OfbSession {
    /// Connects and fills `slot` with the run recorder; `None` when OFB is turned off
    /// (`SYMPHONY_OFB_URL=none`). A problem is a warning on stderr: the run goes ahead.
    pub fn start(paths: &DataPaths, slot: &RecordSlot) -> Option<OfbSession> {
        if OfbSetting::from_env() == OfbSetting::Off {
            slot.turn_off();
            return None;
        }
        let runtime = match tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("ofb")
            .enable_all()
            .build()
        {
            Ok(runtime) => runtime,
            Err(e) => {
                slot.give_up(format!("cannot start the async runtime: {e}"));
                return None;
            }
        };
        let connection = runtime.block_on(async {
            let connection = DataConnection::start(paths).await;
            if let Err(reason) = connection.serve_conductor(paths, slot).await {
                eprintln!("symphony: the run is not recorded in OFB: {reason}");
            }
            connection
        });
        Some(OfbSession {
            runtime,
            connection,
        })
    }
}

impl Drop for OfbSession {
    fn drop(&mut self) {
        let _guard = self.runtime.enter();
        self.connection.stop();
    }
}
