//! The xi-editor protocol, line cache, async client and supervisor.
