//! Symphony: a terminal-first AI development environment.
