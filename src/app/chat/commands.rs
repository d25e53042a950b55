//! Slash commands: what the chat's input means when it starts with `/`, and their completion.

use crate::ports::conductor::PlannerChoice;

/// One slash command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// `/plan TEXT`: plan without running, whatever the auto-run setting.
    Plan(String),
    /// `/run`: run the plan awaiting confirmation.
    Run,
    /// `/cancel`: stop the call in flight.
    Cancel,
    /// `/retry`: plan or run again what failed last.
    Retry,
    /// `/board`: open the plan in the Harmony Board.
    Board,
    /// `/attach`: attach the active buffer, or its selection.
    Attach,
    /// `/detach`: drop the attachments.
    Detach,
    /// `/planner offline|llm|auto`.
    Planner(PlannerChoice),
    /// `/auto`: toggle running plans at once.
    Auto,
    /// `/open [N]`: open output N (default: the selected one) in an editor buffer.
    Open(Option<usize>),
    /// `/insert [N]`: insert output N at the cursor of the active buffer.
    Insert(Option<usize>),
    /// `/clear`: empty the transcript.
    Clear,
    /// `/help`: list the commands.
    Help,
}

/// What a submitted input is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A request for the Conductor.
    Message(String),
    /// A command.
    Command(Command),
    /// Something that is not a command, or a command with a wrong argument: what to tell.
    Invalid(String),
}

/// Every command: name, argument, what it does (the order `/help` lists them).
pub const COMMANDS: &[(&str, &str, &str)] = &[
    ("plan", "TEXT", "make a plan for TEXT without running it"),
    ("run", "", "run the plan awaiting confirmation"),
    ("cancel", "", "stop the planning or the run in flight"),
    (
        "retry",
        "",
        "plan or run again what failed last (a cancelled run resumes)",
    ),
    ("board", "", "open the plan in the Harmony Board"),
    (
        "attach",
        "",
        "attach the active buffer (or its selection) to the next request",
    ),
    ("detach", "", "drop the attachments"),
    ("planner", "offline|llm|auto", "choose the planner"),
    ("auto", "", "toggle auto-run: run plans without asking"),
    ("open", "[N]", "open output N in an editor buffer"),
    ("insert", "[N]", "insert output N at the editor's cursor"),
    ("clear", "", "empty the conversation"),
    ("help", "", "list these commands"),
];

/// Read a submitted input. `//text` sends `/text` as a message.
pub fn parse(text: &str) -> Input {
    let trimmed = text.trim();
    if let Some(literal) = trimmed.strip_prefix("//") {
        return Input::Message(format!("/{literal}"));
    }
    let Some(rest) = trimmed.strip_prefix('/') else {
        return Input::Message(trimmed.to_owned());
    };
    let (name, argument) = match rest.split_once(char::is_whitespace) {
        Some((name, argument)) => (name, argument.trim()),
        None => (rest, ""),
    };
    let no_argument = |command: Command| {
        if argument.is_empty() {
            Input::Command(command)
        } else {
            Input::Invalid(format!("`/{name}` takes no argument"))
        }
    };
    match name {
        "plan" if argument.is_empty() => {
            Input::Invalid("`/plan` needs a request: `/plan summarise this file`".to_owned())
        }
        "plan" => Input::Command(Command::Plan(argument.to_owned())),
        "run" => no_argument(Command::Run),
        "cancel" => no_argument(Command::Cancel),
        "retry" => no_argument(Command::Retry),
        "board" => no_argument(Command::Board),
        "attach" => no_argument(Command::Attach),
        "detach" => no_argument(Command::Detach),
        "auto" => no_argument(Command::Auto),
        "clear" => no_argument(Command::Clear),
        "help" => no_argument(Command::Help),
        "planner" => match argument {
            "offline" => Input::Command(Command::Planner(PlannerChoice::Offline)),
            "llm" => Input::Command(Command::Planner(PlannerChoice::Llm)),
            "auto" => Input::Command(Command::Planner(PlannerChoice::Auto)),
            other => Input::Invalid(format!(
                "`/planner` takes `offline`, `llm` or `auto`, not `{other}`"
            )),
        },
        "open" | "insert" => {
            let index = if argument.is_empty() {
                None
            } else {
                match argument.parse::<usize>() {
                    Ok(n) if n >= 1 => Some(n - 1),
                    _ => {
                        return Input::Invalid(format!(
                            "`/{name}` takes an output number (1, 2, …), not `{argument}`"
                        ));
                    }
                }
            };
            Input::Command(if name == "open" {
                Command::Open(index)
            } else {
                Command::Insert(index)
            })
        }
        "" => Input::Invalid("`/` alone is not a command: `/help` lists them".to_owned()),
        other => Input::Invalid(format!(
            "`/{other}` is not a command: `/help` lists them (start with `//` to send a `/`)"
        )),
    }
}

/// What Tab does to an input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Completion {
    /// Not a command name being typed, or nothing matches.
    None,
    /// The completed input.
    Complete(String),
    /// Several commands match: the input extended to their common prefix, and their names.
    Several(String, Vec<&'static str>),
}

/// Complete the command name of an input like `/pl`.
pub fn complete(text: &str) -> Completion {
    let Some(prefix) = text.strip_prefix('/') else {
        return Completion::None;
    };
    if prefix.contains(char::is_whitespace) {
        return Completion::None;
    }
    let matches: Vec<&'static str> = COMMANDS
        .iter()
        .map(|(name, _, _)| *name)
        .filter(|name| name.starts_with(prefix))
        .collect();
    match matches.as_slice() {
        [] => Completion::None,
        [only] => Completion::Complete(format!("/{only} ")),
        several => {
            let common = several[1..].iter().fold(several[0], |common, name| {
                let len = common
                    .chars()
                    .zip(name.chars())
                    .take_while(|(a, b)| a == b)
                    .count();
                &common[..len]
            });
            Completion::Several(format!("/{common}"), matches)
        }
    }
}

/// The `/help` text, in Markdown.
pub fn help_markdown() -> String {
    let mut text = String::from("**Commands** (Tab completes them)\n\n");
    for (name, argument, description) in COMMANDS {
        let usage = if argument.is_empty() {
            format!("/{name}")
        } else {
            format!("/{name} {argument}")
        };
        text.push_str(&format!("- `{usage}`: {description}\n"));
    }
    text.push_str(
        "\nA plain message asks for a plan (and runs it at once with `/auto`). While a plan \
         awaits confirmation and the input is empty: `Enter` or `y` runs it, `n` or `Esc` \
         discards it, `e` opens it in the board.",
    );
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_and_commands() {
        assert_eq!(parse("  tidy this  "), Input::Message("tidy this".into()));
        assert_eq!(parse("//etc/hosts"), Input::Message("/etc/hosts".into()));
        assert_eq!(
            parse("/plan sort the lines"),
            Input::Command(Command::Plan("sort the lines".into()))
        );
        assert_eq!(parse("/run"), Input::Command(Command::Run));
        assert_eq!(
            parse("/planner llm"),
            Input::Command(Command::Planner(PlannerChoice::Llm))
        );
        assert_eq!(parse("/open 2"), Input::Command(Command::Open(Some(1))));
        assert_eq!(parse("/insert"), Input::Command(Command::Insert(None)));
    }

    #[test]
    fn mistakes_are_explained() {
        for (input, says) in [
            ("/frobnicate", "`/frobnicate` is not a command"),
            ("/plan", "needs a request"),
            ("/run now", "takes no argument"),
            ("/planner gpt", "not `gpt`"),
            ("/open 0", "output number"),
        ] {
            match parse(input) {
                Input::Invalid(message) => assert!(message.contains(says), "{input}: {message}"),
                other => panic!("{input} parsed as {other:?}"),
            }
        }
    }

    #[test]
    fn tab_completes_unique_and_common_prefixes() {
        assert_eq!(complete("/ru"), Completion::Complete("/run ".into()));
        assert_eq!(
            complete("/pla"),
            Completion::Several("/plan".into(), vec!["plan", "planner"])
        );
        assert_eq!(complete("/x"), Completion::None);
        assert_eq!(complete("hello"), Completion::None);
        assert_eq!(complete("/plan x"), Completion::None);
    }

    #[test]
    fn help_lists_every_command() {
        let help = help_markdown();
        for (name, _, _) in COMMANDS {
            assert!(help.contains(&format!("`/{name}")), "{name}");
        }
    }
}
