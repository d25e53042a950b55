//! `symphony fqg play`: a person plays a Function Quest puzzle with the keyboard. A screen of
//! its own, apart from the main application: its own state ([`PlayState`]), a key table
//! ([`KEYS`]), a pure [`update`] and a [`render`] that only reads.

use std::sync::Arc;

use conductor::fqg::{ActionId, Env, Outcome, Planner, Puzzle};
use crossterm::event::{Event, KeyCode, KeyEventKind};
use ratatui::Frame;
use ratatui::layout::{Constraint, Direction, Layout};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, List, ListItem, ListState, Paragraph, Wrap};

/// What a key does on the play screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlayAction {
    /// Select the previous call.
    Up,
    /// Select the next call.
    Down,
    /// Make the selected call.
    Call,
    /// Show the exact planner's next call.
    Hint,
    /// Start the puzzle again.
    Restart,
    /// Leave.
    Quit,
}

/// The play screen's keys.
pub const KEYS: &[(KeyCode, PlayAction)] = &[
    (KeyCode::Up, PlayAction::Up),
    (KeyCode::Char('k'), PlayAction::Up),
    (KeyCode::Down, PlayAction::Down),
    (KeyCode::Char('j'), PlayAction::Down),
    (KeyCode::Enter, PlayAction::Call),
    (KeyCode::Char(' '), PlayAction::Call),
    (KeyCode::Char('h'), PlayAction::Hint),
    (KeyCode::Char('r'), PlayAction::Restart),
    (KeyCode::Char('q'), PlayAction::Quit),
    (KeyCode::Esc, PlayAction::Quit),
];

/// The action bound to `code`, if any.
pub fn action_for(code: KeyCode) -> Option<PlayAction> {
    KEYS.iter().find(|(k, _)| *k == code).map(|(_, a)| *a)
}

/// Everything the play screen shows.
#[derive(Debug, Clone)]
pub struct PlayState {
    /// The game.
    pub env: Env,
    /// The seed of the current episode.
    pub seed: u64,
    /// The selected action (index into the puzzle's actions).
    pub selected: usize,
    /// The last message (a hint, the end of the game).
    pub message: String,
    /// Whether the player asked to leave.
    pub quit: bool,
}

impl PlayState {
    /// A new game of `puzzle`.
    pub fn new(puzzle: Arc<Puzzle>, seed: u64) -> Self {
        let mut env = Env::new(puzzle);
        env.reset(seed);
        PlayState {
            env,
            seed,
            selected: 0,
            message: "Choose a call with ↑/↓ and press Enter. h: hint, r: restart, q: quit."
                .to_owned(),
            quit: false,
        }
    }

    /// One line saying how the game ended (or stands).
    pub fn summary(&self) -> String {
        let env = &self.env;
        let status = if env.goal_reached() {
            "solved"
        } else if env.done() {
            "out of calls"
        } else {
            "unfinished"
        };
        let optimum = Planner::new(env.puzzle())
            .optimum(env.puzzle().start)
            .unwrap_or(f64::NAN);
        format!(
            "{}: {status} in {} calls (optimal {:.1}), score {}",
            env.puzzle().id,
            env.steps(),
            optimum,
            env.score()
        )
    }
}

/// Applies `action` to the play state (pure: no I/O).
pub fn update(state: &mut PlayState, action: PlayAction) {
    let count = state.env.puzzle().actions.len();
    match action {
        PlayAction::Up => state.selected = (state.selected + count - 1) % count.max(1),
        PlayAction::Down => state.selected = (state.selected + 1) % count.max(1),
        PlayAction::Quit => state.quit = true,
        PlayAction::Restart => {
            state.seed = state.seed.wrapping_add(1);
            state.env.reset(state.seed);
            state.message = "Restarted.".to_owned();
        }
        PlayAction::Hint => {
            state.message = match Planner::new(state.env.puzzle()).plan(state.env.state()) {
                Some(plan) if !plan.actions.is_empty() => {
                    let next = plan.actions[0];
                    state.selected = next.index();
                    format!(
                        "Hint: {} ({:.1} calls to go, expected)",
                        state.env.puzzle().action_label(next),
                        plan.cost
                    )
                }
                Some(_) => "The goal is reached.".to_owned(),
                None => {
                    "No sequence of calls reaches the goal from here: restart with r.".to_owned()
                }
            };
        }
        PlayAction::Call => {
            if state.env.done() {
                state.message = format!("The game is over: {}. r restarts.", state.summary());
                return;
            }
            let id = ActionId(state.selected as u16);
            state.env.step(id);
            if state.env.goal_reached() {
                state.message = format!("Goal reached! {}", state.summary());
            } else if state.env.done() {
                state.message = format!("Out of calls. {}", state.summary());
            } else {
                state.message.clear();
            }
        }
    }
}

fn outcome_word(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Success => "ok",
        Outcome::Redundant => "redundant",
        Outcome::Failed => "FAILED",
        Outcome::Invalid => "invalid",
    }
}

/// Draws the play screen.
pub fn render(state: &PlayState, frame: &mut Frame) {
    let env = &state.env;
    let puzzle = env.puzzle();
    let rows = Layout::default()
        .direction(Direction::Vertical)
        .constraints([
            Constraint::Length(5),
            Constraint::Min(6),
            Constraint::Length(3),
        ])
        .split(frame.area());
    let goal: Vec<String> = puzzle
        .goal
        .alternatives
        .iter()
        .map(|alt| puzzle.describe(*alt).join(" + "))
        .collect();
    let header = Paragraph::new(vec![
        Line::from(Span::styled(
            puzzle.title.clone(),
            Style::default().add_modifier(Modifier::BOLD),
        )),
        Line::from(puzzle.story.clone()),
        Line::from(format!("Goal: {}", goal.join("  or  "))),
    ])
    .wrap(Wrap { trim: true })
    .block(
        Block::default()
            .borders(Borders::ALL)
            .title(" Function Quest "),
    );
    frame.render_widget(header, rows[0]);

    let middle = Layout::default()
        .direction(Direction::Horizontal)
        .constraints([Constraint::Percentage(55), Constraint::Percentage(45)])
        .split(rows[1]);
    let items: Vec<ListItem> = puzzle
        .action_ids()
        .map(|id| {
            let valid = puzzle.action(id).applicable(env.state());
            let label = puzzle.action_label(id);
            let description = &puzzle.function(puzzle.action(id).function).description;
            let style = if valid {
                Style::default()
            } else {
                Style::default().add_modifier(Modifier::DIM)
            };
            ListItem::new(Line::from(vec![
                Span::styled(format!("{}{label}", if valid { "  " } else { "✗ " }), style),
                Span::styled(
                    format!("  {description}"),
                    Style::default().add_modifier(Modifier::DIM),
                ),
            ]))
        })
        .collect();
    let mut list_state = ListState::default().with_selected(Some(state.selected));
    let list = List::new(items)
        .block(
            Block::default()
                .borders(Borders::ALL)
                .title(" Functions (✗: preconditions unmet) "),
        )
        .highlight_style(Style::default().add_modifier(Modifier::REVERSED))
        .highlight_symbol("▶");
    frame.render_stateful_widget(list, middle[0], &mut list_state);

    let inventory: Vec<&str> = env
        .state()
        .facts()
        .filter(|f| puzzle.is_inventory(*f))
        .map(|f| puzzle.fact_name(f))
        .collect();
    let flags: Vec<&str> = env
        .state()
        .facts()
        .filter(|f| !puzzle.is_inventory(*f))
        .map(|f| puzzle.fact_name(f))
        .collect();
    let mut lines = vec![
        Line::from(format!(
            "Inventory: {}",
            if inventory.is_empty() {
                "—".to_owned()
            } else {
                inventory.join(", ")
            }
        )),
        Line::from(format!(
            "World: {}",
            if flags.is_empty() {
                "—".to_owned()
            } else {
                flags.join(", ")
            }
        )),
        Line::from(format!(
            "Calls: {}/{}   Score: {}",
            env.steps(),
            puzzle.step_limit,
            env.score()
        )),
        Line::from(""),
    ];
    for call in env.history().iter().rev().take(12) {
        lines.push(Line::from(format!(
            "{} → {} [{}{}]",
            puzzle.action_label(call.action),
            call.returned,
            outcome_word(call.outcome),
            if call.score != 0 {
                format!(", {:+}", call.score)
            } else {
                String::new()
            }
        )));
    }
    let side = Paragraph::new(lines).wrap(Wrap { trim: true }).block(
        Block::default()
            .borders(Borders::ALL)
            .title(" State and calls (newest first) "),
    );
    frame.render_widget(side, middle[1]);

    let footer = Paragraph::new(state.message.clone())
        .wrap(Wrap { trim: true })
        .block(Block::default().borders(Borders::ALL));
    frame.render_widget(footer, rows[2]);
}

/// Plays `puzzle` in the terminal until the player quits; returns the summary line.
pub fn run(puzzle: Arc<Puzzle>, seed: u64) -> std::io::Result<String> {
    let mut state = PlayState::new(puzzle, seed);
    let mut terminal = ratatui::try_init()?;
    let result = (|| -> std::io::Result<()> {
        while !state.quit {
            terminal.draw(|frame| render(&state, frame))?;
            if let Event::Key(key) = crossterm::event::read()?
                && key.kind == KeyEventKind::Press
                && let Some(action) = action_for(key.code)
            {
                update(&mut state, action);
            }
        }
        Ok(())
    })();
    ratatui::restore();
    result.map(|()| state.summary())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    fn milk() -> Arc<Puzzle> {
        let path = conductor::fqg::bundled_dir().join("01_glass_of_milk.toml");
        Arc::new(conductor::fqg::load_puzzle(&path).expect("the milk puzzle loads"))
    }

    fn select(state: &mut PlayState, label: &str) {
        for _ in 0..state.env.puzzle().actions.len() {
            if state
                .env
                .puzzle()
                .action_label(ActionId(state.selected as u16))
                == label
            {
                return;
            }
            update(state, PlayAction::Down);
        }
        panic!("no action {label}");
    }

    #[test]
    fn keys_play_the_milk_puzzle_to_the_goal() {
        let mut state = PlayState::new(milk(), 0);
        for label in [
            "open_fridge()",
            "grab_item(milk)",
            "pour_into_glass()",
            "drink_from_glass()",
        ] {
            select(&mut state, label);
            update(
                &mut state,
                action_for(KeyCode::Enter).expect("Enter is bound"),
            );
        }
        assert!(state.env.goal_reached());
        assert!(
            state.message.starts_with("Goal reached!"),
            "{}",
            state.message
        );
        update(&mut state, PlayAction::Restart);
        assert_eq!(state.env.steps(), 0);
        update(
            &mut state,
            action_for(KeyCode::Char('q')).expect("q is bound"),
        );
        assert!(state.quit);
    }

    #[test]
    fn a_hint_selects_the_planners_next_call() {
        let mut state = PlayState::new(milk(), 0);
        update(&mut state, PlayAction::Hint);
        assert_eq!(
            state
                .env
                .puzzle()
                .action_label(ActionId(state.selected as u16)),
            "open_fridge()"
        );
        assert!(state.message.contains("open_fridge()"), "{}", state.message);
    }

    #[test]
    fn the_screen_shows_story_goal_functions_and_calls() {
        let mut state = PlayState::new(milk(), 0);
        select(&mut state, "open_fridge()");
        update(&mut state, PlayAction::Call);
        let mut terminal = Terminal::new(TestBackend::new(120, 30)).expect("test terminal");
        terminal.draw(|f| render(&state, f)).expect("draws");
        let text: String = terminal
            .backend()
            .buffer()
            .content()
            .iter()
            .map(|c| c.symbol())
            .collect();
        for needle in [
            "A glass of milk",
            "Goal: drank(milk)",
            "grab_item(milk)",
            "fridge_open",
            "Calls: 1/30",
        ] {
            assert!(text.contains(needle), "the screen lacks {needle}");
        }
    }

    /// The whole screen after two calls, as a person sees it (reviewed snapshot).
    #[test]
    fn screen_snapshot() {
        let mut state = PlayState::new(milk(), 0);
        for label in ["open_fridge()", "grab_item(milk)"] {
            select(&mut state, label);
            update(&mut state, PlayAction::Call);
        }
        update(&mut state, PlayAction::Hint);
        let mut terminal = Terminal::new(TestBackend::new(100, 24)).expect("test terminal");
        terminal.draw(|f| render(&state, f)).expect("draws");
        let buffer = terminal.backend().buffer();
        let lines: Vec<String> = (0..buffer.area.height)
            .map(|y| {
                (0..buffer.area.width)
                    .map(|x| buffer[(x, y)].symbol())
                    .collect::<String>()
                    .trim_end()
                    .to_owned()
            })
            .collect();
        insta::assert_snapshot!(lines.join("\n"));
    }
}
