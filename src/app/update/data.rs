//! OFB's link in the state: the status bar's `offline · N pending`, kept current as the
//! reconnection task reports, and a notice when OFB refuses a queued change.

use crate::app::state::{AppState, DataStatus, Severity, StatusMessage};
use crate::data::link::LinkReport;

/// Where the user finds what OFB refused.
pub const REFUSED_HINT: &str = "see `symphony outbox`";

/// Applies a report of the reconnection task.
pub fn link_changed(state: &mut AppState, report: LinkReport) {
    let before = state.data.clone();
    state.data = DataStatus {
        offline: report.offline,
        pending: report.pending,
        refused: report.refused,
    };
    let newly_refused = state.data.refused.saturating_sub(before.refused);
    if newly_refused > 0 {
        let changes = if newly_refused == 1 {
            "change"
        } else {
            "changes"
        };
        state.status = Some(StatusMessage {
            severity: Severity::Warning,
            text: format!("{newly_refused} {changes} refused by OFB — {REFUSED_HINT}"),
        });
    } else if let (Some(reason), None) = (&state.data.offline, &before.offline) {
        state.status = Some(StatusMessage {
            severity: Severity::Warning,
            text: format!("OFB offline, changes wait in the outbox: {reason}"),
        });
    } else if before.offline.is_some() && state.data.offline.is_none() {
        let text = match state.data.pending {
            0 => "OFB is back".to_owned(),
            n => format!("OFB is back; replaying {n} waiting changes"),
        };
        state.status = Some(StatusMessage {
            severity: Severity::Info,
            text,
        });
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::app::{Action, update};
    use crate::theme::{ColorDepth, Theme};

    fn state() -> AppState {
        let theme = Theme::load(
            None,
            std::path::Path::new("/nonexistent"),
            ColorDepth::TrueColor,
        )
        .unwrap();
        AppState::new((80, 24), theme)
    }

    fn report(offline: Option<&str>, pending: usize, refused: usize) -> Action {
        Action::Data(LinkReport {
            offline: offline.map(str::to_owned),
            pending,
            refused,
        })
    }

    fn message(state: &AppState) -> String {
        state
            .status
            .as_ref()
            .map(|m| m.text.clone())
            .unwrap_or_default()
    }

    #[test]
    fn the_link_goes_offline_counts_down_and_comes_back_with_a_refusal() {
        let mut state = state();
        assert!(update(&mut state, report(Some("connection refused"), 2, 0)).is_empty());
        assert_eq!(state.data.offline.as_deref(), Some("connection refused"));
        assert_eq!(state.data.pending, 2);
        assert!(
            message(&state).starts_with("OFB offline"),
            "{}",
            message(&state)
        );

        update(&mut state, report(None, 1, 0));
        assert_eq!((state.data.offline.as_ref(), state.data.pending), (None, 1));
        assert_eq!(message(&state), "OFB is back; replaying 1 waiting changes");

        update(&mut state, report(None, 0, 1));
        assert_eq!(
            state.data,
            DataStatus {
                offline: None,
                pending: 0,
                refused: 1
            }
        );
        assert_eq!(
            message(&state),
            "1 change refused by OFB — see `symphony outbox`"
        );

        // The same count again is no news.
        state.status = None;
        update(&mut state, report(None, 0, 1));
        assert!(state.status.is_none());
    }

    #[test]
    fn a_report_is_not_user_input_and_keeps_the_message_line() {
        let mut state = state();
        state.status = Some(StatusMessage {
            severity: Severity::Info,
            text: "saved".into(),
        });
        update(&mut state, report(None, 0, 0));
        assert_eq!(message(&state), "saved");
    }
}
