//! Connecting Symphony to OFB at start: by default a local OFB it starts itself (database,
//! admin token and outbox in the data directory's `ofb/`), or a remote one named by
//! `SYMPHONY_OFB_URL` (with `SYMPHONY_OFB_TOKEN`; `none` turns OFB off). When OFB cannot be
//! started or reached, Symphony runs offline: mutations wait in the outbox and the reason is
//! shown; while it runs, [`DataConnection::watch`] reconnects and replays the outbox.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use super::client::{OfbClient, OfbConfig};
use super::governance::{Governor, LocalProject};
use super::launcher::{LaunchOptions, OfbProcess, venv_python};
use super::reconnect::{self, Timing};
use super::run_record::OfbRunRecord;
use crate::adapters::conductor::RecordSlot;
use crate::data::link::LinkReport;
use crate::data::outbox::OfflineQueue;
use crate::paths::DataPaths;
use crate::ports::data_access::{BearerToken, DataAccessPort};
use crate::ports::run_record::RunRecordPort;

/// The environment variable naming a remote OFB (`https://ofb.example:8443`).
pub const URL_ENV: &str = "SYMPHONY_OFB_URL";
/// The value of [`URL_ENV`] that keeps Symphony away from OFB altogether (nothing is
/// started, recorded or queued; extensions need `--local-grant`): for development and tests.
pub const DISABLED: &str = "none";

/// Which OFB Symphony uses, as [`URL_ENV`] says: the one place that reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OfbSetting {
    /// `none`: no OFB at all.
    Off,
    /// Unset or empty: Symphony's own, started in the data directory.
    Local,
    /// A remote OFB at this URL.
    Remote(String),
}

impl OfbSetting {
    /// The setting in the environment now.
    pub fn from_env() -> OfbSetting {
        match std::env::var(URL_ENV) {
            Ok(url) if url.trim() == DISABLED => OfbSetting::Off,
            Ok(url) if !url.trim().is_empty() => OfbSetting::Remote(url.trim().to_owned()),
            _ => OfbSetting::Local,
        }
    }

    /// What Symphony calls the OFB it uses: its URL when remote, else `local`.
    pub fn origin(&self) -> String {
        match self {
            OfbSetting::Remote(url) => url.clone(),
            OfbSetting::Off | OfbSetting::Local => "local".to_owned(),
        }
    }
}

/// The bearer token for a remote OFB.
pub const TOKEN_ENV: &str = "SYMPHONY_OFB_TOKEN";
/// Where the outbox's client points while no OFB runs (the discard port: refused).
const UNREACHABLE: &str = "http://127.0.0.1:9";

/// Where the local OFB keeps its files, under the data directory.
#[derive(Debug, Clone)]
pub struct OfbFiles {
    /// `DATA/ofb/`.
    pub dir: PathBuf,
}

impl OfbFiles {
    /// The files under `paths`' root.
    pub fn new(paths: &DataPaths) -> OfbFiles {
        OfbFiles {
            dir: paths.root.join("ofb"),
        }
    }
    /// The SQLite database.
    pub fn db(&self) -> PathBuf {
        self.dir.join("ofb.db")
    }
    /// The local admin's token (0600, written by OFB on the first start).
    pub fn admin_token(&self) -> PathBuf {
        self.dir.join("admin.token")
    }
    /// The offline outbox.
    pub fn outbox(&self) -> PathBuf {
        self.dir.join("outbox")
    }
    /// OFB's log (its stderr).
    pub fn log(&self) -> PathBuf {
        self.dir.join("ofb.log")
    }
}

/// Symphony's connection to OFB, as set up at start. Dropping it stops a local OFB.
#[derive(Debug)]
pub struct DataConnection {
    /// The local OFB, when Symphony started one.
    pub process: Option<OfbProcess>,
    /// Mutations go through here (to OFB, or to the outbox); shared with the Conductor's
    /// run recorder.
    pub queue: Option<Arc<OfflineQueue<OfbClient>>>,
    /// Why OFB is out of reach, if it is.
    pub offline: Option<String>,
    /// How to start the local OFB again, on the same port, if it dies.
    pub relaunch: Option<LaunchOptions>,
}

impl DataConnection {
    /// Connects as configured by the environment (see the module's doc), replaying the outbox
    /// if OFB answers. Never fails: a problem is reported in `offline`.
    pub async fn start(paths: &DataPaths) -> DataConnection {
        let files = OfbFiles::new(paths);
        if let Err(e) = std::fs::create_dir_all(&files.dir) {
            return DataConnection::offline(format!("cannot create {}: {e}", files.dir.display()));
        }
        let (process, relaunch, url, token) = match OfbSetting::from_env() {
            OfbSetting::Off => {
                return DataConnection::offline(format!(
                    "OFB is turned off ({URL_ENV}={DISABLED})"
                ));
            }
            OfbSetting::Remote(url) => {
                let token = std::env::var(TOKEN_ENV).ok().map(BearerToken);
                (None, None, url, token)
            }
            OfbSetting::Local => match start_local(&files).await {
                Ok((process, mut options, token)) => {
                    let url = process.url().to_owned();
                    options.port = process.port().unwrap_or(0);
                    (Some(process), Some(options), url, Some(token))
                }
                Err(reason) => {
                    // Still open the outbox, so that the count of waiting operations is shown and
                    // new mutations are queued. Its client points at the discard port, which
                    // refuses connections: every mutation queues until the next start replays.
                    let mut connection = DataConnection::offline(reason);
                    if let Ok(client) = OfbClient::new(OfbConfig::new(UNREACHABLE)) {
                        connection.queue = OfflineQueue::open(client, &files.outbox())
                            .ok()
                            .map(Arc::new);
                    }
                    return connection;
                }
            },
        };
        let client = match OfbClient::new(OfbConfig::new(url)) {
            Ok(client) => client,
            Err(e) => return DataConnection::offline(e.to_string()),
        };
        let client = match token {
            Some(token) => client.with_session(token),
            None => client,
        };
        let offline = client.health().await.err().map(|e| e.to_string());
        let queue = match OfflineQueue::open(client, &files.outbox()) {
            Ok(queue) => Arc::new(queue),
            Err(e) => {
                return DataConnection {
                    process,
                    queue: None,
                    offline: Some(e.to_string()),
                    relaunch,
                };
            }
        };
        if offline.is_none()
            && let Err(e) = queue.replay().await
        {
            tracing::warn!("replaying the OFB outbox failed: {e}");
        }
        DataConnection {
            process,
            queue: Some(queue),
            offline,
            relaunch,
        }
    }

    /// Keeps the link to OFB alive until the future is dropped (which also stops a local OFB):
    /// probes it, replays the outbox whenever it answers and calls `report` with every change
    /// of the link's state (see [`super::reconnect`]). A local OFB that died is started again
    /// on its port, where the outbox's client still points.
    pub async fn watch(self, timing: Timing, mut report: impl FnMut(LinkReport)) {
        let DataConnection {
            process,
            queue,
            offline,
            relaunch,
        } = self;
        let Some(queue) = queue else {
            report(LinkReport {
                offline: Some(offline.unwrap_or_else(|| "the outbox could not be opened".into())),
                ..LinkReport::default()
            });
            let _keep_alive = process;
            return std::future::pending().await;
        };
        let local = Arc::new(std::sync::Mutex::new(process));
        let relaunch = Arc::new(relaunch);
        let client = queue.port().clone();
        let probe = move || {
            let (local, relaunch, client) = (local.clone(), relaunch.clone(), client.clone());
            async move {
                if let Some(options) = relaunch.as_ref() {
                    revive(&local, options).await?;
                }
                client.health().await.map_err(|e| e.to_string())
            }
        };
        reconnect::watch(&queue, probe, timing, report).await;
    }

    fn offline(reason: String) -> DataConnection {
        tracing::warn!("OFB is offline: {reason}");
        DataConnection {
            process: None,
            queue: None,
            offline: Some(reason),
            relaunch: None,
        }
    }

    /// Symphony's project in OFB: the one recorded in `DATA/ofb/project.json`, or one created
    /// now (which needs OFB).
    pub async fn project(&self, paths: &DataPaths) -> Result<LocalProject, String> {
        let queue = self.queue.as_ref().ok_or_else(|| self.why_not())?;
        LocalProject::ensure(
            queue.port(),
            &OfbFiles::new(paths).dir,
            &OfbSetting::from_env().origin(),
        )
        .await
        .map_err(|e| match &self.offline {
            Some(reason) => format!("{reason} (and Symphony has no OFB project yet)"),
            None => e.to_string(),
        })
    }

    /// Brings the installed extensions' approvals up to date with OFB (see
    /// [`Governor::sync`]); each problem is logged.
    pub async fn sync_extensions(&self, paths: &DataPaths, project: LocalProject) {
        let Some(queue) = &self.queue else { return };
        if self.offline.is_some() {
            return;
        }
        let registry = paths.extensions();
        let governor = Governor::new(queue.port().clone(), project, &registry);
        match governor.sync().await {
            Ok(synced) => {
                for s in synced {
                    if let Some(problem) = s.problem {
                        tracing::warn!("extension `{}` stays {:?}: {problem}", s.id, s.status);
                    }
                }
            }
            Err(e) => tracing::warn!("the extensions' approvals were not brought up to date: {e}"),
        }
    }

    /// The Conductor's run recorder into `project` over this connection, its calls run on
    /// `runtime` (the one this connection lives on).
    pub fn run_record(
        &self,
        project: LocalProject,
        runtime: tokio::runtime::Handle,
    ) -> Option<Arc<dyn RunRecordPort>> {
        let queue = self.queue.clone()?;
        Some(Arc::new(OfbRunRecord::new(queue, project, runtime)))
    }

    /// Syncs the extensions' approvals with OFB and puts the Conductor's run recorder in
    /// `slot`; without a project in OFB (never reached), runs are not recorded, and the slot
    /// and the error say why. Call on the runtime that owns this connection.
    pub async fn serve_conductor(
        &self,
        paths: &DataPaths,
        slot: &RecordSlot,
    ) -> Result<(), String> {
        if OfbSetting::from_env() == OfbSetting::Off {
            slot.turn_off();
            return Ok(());
        }
        let project = match self.project(paths).await {
            Ok(project) => project,
            Err(reason) => {
                slot.give_up(reason.clone());
                return Err(reason);
            }
        };
        self.sync_extensions(paths, project).await;
        match self.run_record(project, tokio::runtime::Handle::current()) {
            Some(port) => slot.fill(port),
            None => slot.give_up(self.why_not()),
        }
        Ok(())
    }

    fn why_not(&self) -> String {
        self.offline
            .clone()
            .unwrap_or_else(|| "the outbox could not be opened".into())
    }

    /// Operations waiting in the outbox.
    pub async fn pending(&self) -> usize {
        match &self.queue {
            Some(queue) => queue.pending().await,
            None => 0,
        }
    }

    /// Stops a local OFB (gracefully, 5 s at most).
    pub fn stop(&mut self) {
        if let Some(mut process) = self.process.take() {
            process.stop(Duration::from_secs(5));
        }
    }
}

/// Starts the local OFB and reads its admin token; returns the options it was started with.
async fn start_local(files: &OfbFiles) -> Result<(OfbProcess, LaunchOptions, BearerToken), String> {
    let mut options = LaunchOptions::new(venv_python(), files.db(), files.log());
    options.admin_token_file = Some(files.admin_token());
    let process = launch(options.clone()).await?;
    let token = read_token(&files.admin_token())?;
    Ok((process, options, token))
}

async fn launch(options: LaunchOptions) -> Result<OfbProcess, String> {
    tokio::task::spawn_blocking(move || OfbProcess::start(&options))
        .await
        .map_err(|e| format!("starting OFB: {e}"))?
        .map_err(|e| e.to_string())
}

/// Starts the local OFB again if it is not running.
async fn revive(
    local: &std::sync::Mutex<Option<OfbProcess>>,
    options: &LaunchOptions,
) -> Result<(), String> {
    let dead = {
        let mut process = local
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        process.as_mut().is_none_or(OfbProcess::exited)
    };
    if dead {
        tracing::warn!("the local OFB is not running; starting it again");
        let process = launch(options.clone()).await?;
        *local
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(process);
    }
    Ok(())
}

fn read_token(path: &Path) -> Result<BearerToken, String> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        format!(
            "cannot read the local admin's token {}: {e}; move the database {} away to start afresh",
            path.display(),
            path.with_file_name("ofb.db").display()
        )
    })?;
    Ok(BearerToken(text.trim().to_owned()))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_local_files_live_in_the_data_dir() {
        let paths = DataPaths {
            root: PathBuf::from("/data"),
        };
        let files = OfbFiles::new(&paths);
        assert_eq!(files.db(), Path::new("/data/ofb/ofb.db"));
        assert_eq!(files.admin_token(), Path::new("/data/ofb/admin.token"));
        assert_eq!(files.outbox(), Path::new("/data/ofb/outbox"));
    }
}
