//! OFB's say over extensions from the command line: `ext install` registers the extension
//! with OFB (and, on a terminal or with `--grant`, the Admin decides at once), `ext approve`
//! and `ext revoke` are the Admin's decisions, `--local-grant` is the development escape that
//! needs no OFB. See `adapters::ofb::governance`.

use std::io::{BufRead, IsTerminal, Write};

use extensions::{Approval, ApprovalStatus, Authority, Installed, Registry};

use super::Exit;
use crate::adapters::ofb::governance::{GovernanceError, Governor, GrantChoice, LocalProject};
use crate::adapters::ofb::local::{OfbFiles, OfbSetting, URL_ENV};
use crate::adapters::ofb::{DataConnection, OfbClient};
use crate::paths::DataPaths;

/// What `ext install` does about permissions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InstallGrant {
    /// Register with OFB; ask on a terminal, else leave it pending.
    Ask,
    /// Register with OFB and grant this at once (the caller must be an Admin).
    Grant(GrantChoice),
    /// No OFB: grant everything requested, recorded as a local development grant.
    Local,
}

/// After `registry.install`: registers `installed` with OFB and settles its grant as asked.
pub fn after_install(
    registry: &Registry,
    installed: &Installed,
    grant: InstallGrant,
    paths: &DataPaths,
) -> Exit {
    let id = installed.manifest.id.to_string();
    if grant == InstallGrant::Local {
        let record = Approval::local(&installed.manifest);
        if let Err(e) = registry.set_approval(&installed.manifest.id, &record) {
            eprintln!("symphony: {e}");
            return Exit::CannotStart;
        }
        println!(
            "granted locally, without OFB (development): {}",
            list_or_nothing(&record.granted)
        );
        return Exit::Success;
    }
    let outcome = with_governor(registry, paths, |governor| async move {
        let record = governor.sync_one(installed).await?;
        match grant {
            InstallGrant::Grant(choice) => governor.approve(&id, &choice).await,
            InstallGrant::Ask if interactive() => match ask(&id, &record.requested) {
                Some(choice) => governor.approve(&id, &choice).await,
                None => Ok(record),
            },
            _ => Ok(record),
        }
    });
    match outcome {
        Ok(record) => {
            print_record(&installed.manifest.id.to_string(), &record);
            Exit::Success
        }
        Err(Unreached(reason)) => {
            println!(
                "OFB is out of reach ({reason}): `{}` may not run until OFB approves it; it is \
                 registered when Symphony next reaches OFB",
                installed.manifest.id
            );
            Exit::Success
        }
        Err(Failed(e)) => {
            eprintln!("symphony: {e}");
            Exit::CannotStart
        }
    }
}

/// Why `--local-grant` may not be used now (checked before anything is installed): a remote
/// OFB is configured, and it alone decides.
pub fn local_grant_refusal() -> Option<String> {
    matches!(OfbSetting::from_env(), OfbSetting::Remote(_)).then(|| {
        format!(
            "--local-grant is refused while {URL_ENV} names an OFB: that OFB decides (install \
             without it, then `symphony ext approve ID`)"
        )
    })
}

/// `ext approve ID [--grant …]`: an Admin's decision (asked on a terminal when not given).
pub fn approve(registry: &Registry, id: &str, grant: Option<String>, paths: &DataPaths) -> Exit {
    let choice = match grant {
        Some(text) => Some(GrantChoice::parse(&text)),
        None if interactive() => None,
        None => {
            eprintln!(
                "symphony: say what to grant: `--grant all`, `--grant none` or `--grant PERM,PERM` \
                 (`symphony ext list --json` shows what it requests)"
            );
            return Exit::BadWorkflow;
        }
    };
    let outcome = with_governor(registry, paths, |governor| async move {
        let choice = match choice {
            Some(choice) => choice,
            None => {
                let installed = registry.get(id)?;
                let record = governor.sync_one(&installed).await?;
                match ask(id, &record.requested) {
                    Some(choice) => choice,
                    None => return Ok(record),
                }
            }
        };
        governor.approve(id, &choice).await
    });
    settle(id, outcome)
}

/// `ext revoke ID`: the extension may not run any more.
pub fn revoke(registry: &Registry, id: &str, paths: &DataPaths) -> Exit {
    let outcome = with_governor(registry, paths, |governor| async move {
        governor.revoke(id).await
    });
    settle(id, outcome)
}

fn settle(id: &str, outcome: Result<Approval, Outcome>) -> Exit {
    match outcome {
        Ok(record) => {
            print_record(id, &record);
            Exit::Success
        }
        Err(Unreached(reason)) => {
            eprintln!("symphony: OFB decides, and it is out of reach: {reason}");
            Exit::CannotStart
        }
        Err(Failed(e)) => {
            eprintln!("symphony: {e}");
            match e {
                GovernanceError::NotRequested { .. } => Exit::BadWorkflow,
                _ => Exit::CannotStart,
            }
        }
    }
}

/// One line for `ext list`: where the extension stands.
pub fn status_label(record: &Approval) -> String {
    match (record.authority, record.status) {
        (Authority::Local, _) => "local grant".to_owned(),
        (_, ApprovalStatus::Approved) => {
            format!(
                "approved {}/{}",
                record.granted.len(),
                record.requested.len()
            )
        }
        (_, status) => status.label().to_owned(),
    }
}

/// Why a governed step did not happen.
enum Outcome {
    /// OFB could not be reached.
    Unreached(String),
    /// OFB, or the local records, said no.
    Failed(GovernanceError),
}
use Outcome::{Failed, Unreached};

impl From<GovernanceError> for Outcome {
    fn from(e: GovernanceError) -> Outcome {
        match e {
            GovernanceError::Data(d) if d.is_offline() => Unreached(d.to_string()),
            other => Failed(other),
        }
    }
}

/// Connects to OFB as Symphony does (its own local OFB, or `SYMPHONY_OFB_URL`), finds the
/// project, and runs `act` with a governor; stops a local OFB afterwards.
fn with_governor<'a, F, Fut>(
    registry: &'a Registry,
    paths: &DataPaths,
    act: F,
) -> Result<Approval, Outcome>
where
    F: FnOnce(Governor<'a, OfbClient>) -> Fut,
    Fut: Future<Output = Result<Approval, GovernanceError>>,
{
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Unreached(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(async {
        let mut connection = DataConnection::start(paths).await;
        let result = async {
            if let Some(reason) = &connection.offline {
                return Err(Unreached(reason.clone()));
            }
            let Some(queue) = &connection.queue else {
                return Err(Unreached("the outbox could not be opened".into()));
            };
            let port = queue.port().clone();
            let dir = OfbFiles::new(paths).dir;
            let project =
                LocalProject::ensure(&port, &dir, &OfbSetting::from_env().origin()).await?;
            act(Governor::new(port, project, registry))
                .await
                .map_err(Outcome::from)
        }
        .await;
        connection.stop();
        result
    })
}

/// Both ends are a terminal: a person can answer.
fn interactive() -> bool {
    std::io::stdin().is_terminal() && std::io::stdout().is_terminal()
}

/// Asks the Admin at the terminal which of `requested` to grant; `None` leaves it undecided.
fn ask(id: &str, requested: &[String]) -> Option<GrantChoice> {
    println!("`{id}` asks for:");
    if requested.is_empty() {
        println!("  nothing (no files, network, system facilities, models or IPC)");
    }
    for (i, permission) in requested.iter().enumerate() {
        println!("  {}. {permission}", i + 1);
    }
    let stdin = std::io::stdin();
    loop {
        print!("Grant [a]ll, [n]one, numbers (1,3), or [l]ater? ");
        let _ = std::io::stdout().flush();
        let mut line = String::new();
        if stdin.lock().read_line(&mut line).ok()? == 0 {
            return None;
        }
        match parse_answer(line.trim(), requested) {
            Ok(answer) => return answer,
            Err(why) => println!("{why}"),
        }
    }
}

/// An answer to [`ask`]: `Ok(None)` is "later".
fn parse_answer(answer: &str, requested: &[String]) -> Result<Option<GrantChoice>, String> {
    match answer {
        "a" | "all" | "" => Ok(Some(GrantChoice::All)),
        "n" | "none" => Ok(Some(GrantChoice::Nothing)),
        "l" | "later" => Ok(None),
        numbers => numbers
            .split([',', ' '])
            .filter(|n| !n.is_empty())
            .map(|n| {
                n.parse::<usize>()
                    .ok()
                    .and_then(|i| requested.get(i.checked_sub(1)?))
                    .cloned()
                    .ok_or_else(|| format!("`{n}` is not one of 1 to {}", requested.len()))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(|list| Some(GrantChoice::Only(list))),
    }
}

fn print_record(id: &str, record: &Approval) {
    match record.status {
        ApprovalStatus::Approved => println!(
            "`{id}` is approved by OFB with: {}",
            list_or_nothing(&record.granted)
        ),
        ApprovalStatus::Pending => println!(
            "`{id}` is registered with OFB and waits for an Admin: `symphony ext approve {id} \
             --grant all|none|PERM,…` (it asks for: {})",
            list_or_nothing(&record.requested)
        ),
        ApprovalStatus::Revoked => println!("`{id}` is revoked in OFB: it may not run"),
        ApprovalStatus::Unregistered => println!("`{id}` is not registered with OFB yet"),
    }
}

fn list_or_nothing(list: &[String]) -> String {
    if list.is_empty() {
        "nothing".to_owned()
    } else {
        list.join(", ")
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_is_all_none_later_or_numbers_from_the_list() {
        let requested = ["fs:$DATA/**".to_owned(), "system:env".to_owned()];
        assert_eq!(parse_answer("", &requested), Ok(Some(GrantChoice::All)));
        assert_eq!(
            parse_answer("n", &requested),
            Ok(Some(GrantChoice::Nothing))
        );
        assert_eq!(parse_answer("later", &requested), Ok(None));
        assert_eq!(
            parse_answer("2", &requested),
            Ok(Some(GrantChoice::Only(vec!["system:env".into()])))
        );
        assert_eq!(
            parse_answer("1, 3", &requested),
            Err("`3` is not one of 1 to 2".into())
        );
    }

    #[test]
    fn the_list_says_where_each_extension_stands() {
        let mut record = Approval {
            status: ApprovalStatus::Approved,
            authority: Authority::Ofb,
            ofb_id: Some(1),
            project: Some(1),
            requested: vec!["a:1".into(), "b:2".into()],
            granted: vec!["a:1".into()],
            note: None,
        };
        assert_eq!(status_label(&record), "approved 1/2");
        record.status = ApprovalStatus::Pending;
        assert_eq!(status_label(&record), "pending");
        record.authority = Authority::Local;
        assert_eq!(status_label(&record), "local grant");
    }
}
