//! Filesystem grants: the glob syntax of `permissions.fs` and `fs_write`, checked before
//! anything runs, and the directory each glob grants (Landlock and WASI preopens work on
//! directories, so a glob grants the directory before its first wildcard).

use std::path::{Path, PathBuf};

/// Where a grant is rooted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GrantRoot {
    /// `/…`
    Absolute,
    /// `~/…`: the user's home directory.
    Home,
    /// `$PROJECT/…`: the project the extension is invoked on.
    Project,
    /// `$DATA/…`: the extension's own data directory.
    Data,
    /// `$TMP/…`: the extension's own temporary directory.
    Tmp,
}

/// A checked filesystem grant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FsGrant {
    /// The root it is relative to.
    pub root: GrantRoot,
    /// The literal directory below the root, before the first wildcard (may be empty).
    pub base: String,
    /// The glob as written.
    pub glob: String,
}

/// The places a grant's root expands to at run time.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GrantRoots {
    /// `~`.
    pub home: Option<PathBuf>,
    /// `$PROJECT`.
    pub project: Option<PathBuf>,
    /// `$DATA`.
    pub data: Option<PathBuf>,
    /// `$TMP`.
    pub tmp: Option<PathBuf>,
}

impl FsGrant {
    /// The directory this grant opens, or `None` when its root is not known in this run
    /// (no project, say): then nothing is granted.
    pub fn directory(&self, roots: &GrantRoots) -> Option<PathBuf> {
        let root: &Path = match self.root {
            GrantRoot::Absolute => Path::new("/"),
            GrantRoot::Home => roots.home.as_deref()?,
            GrantRoot::Project => roots.project.as_deref()?,
            GrantRoot::Data => roots.data.as_deref()?,
            GrantRoot::Tmp => roots.tmp.as_deref()?,
        };
        Some(if self.base.is_empty() {
            root.to_path_buf()
        } else {
            root.join(&self.base)
        })
    }
}

/// Check a glob's syntax and what it would grant. The error says why, in words a user acts on.
pub fn parse_grant(glob: &str) -> Result<FsGrant, String> {
    if glob.is_empty() {
        return Err("empty glob: give a path such as `$PROJECT/docs/**`".into());
    }
    let (root, rest) = if let Some(rest) = glob.strip_prefix("$PROJECT") {
        (GrantRoot::Project, rest)
    } else if let Some(rest) = glob.strip_prefix("$DATA") {
        (GrantRoot::Data, rest)
    } else if let Some(rest) = glob.strip_prefix("$TMP") {
        (GrantRoot::Tmp, rest)
    } else if let Some(rest) = glob.strip_prefix('~') {
        (GrantRoot::Home, rest)
    } else if glob.starts_with('/') {
        (GrantRoot::Absolute, glob)
    } else {
        return Err(format!(
            "`{glob}` is relative: start it with `/`, `~/`, `$PROJECT/`, `$DATA/` or `$TMP/`"
        ));
    };
    if !rest.is_empty() && !rest.starts_with('/') {
        return Err(format!(
            "`{glob}`: a root (`~`, `$PROJECT`, `$DATA`, `$TMP`) must be followed by `/`"
        ));
    }
    check_syntax(glob)?;
    let mut base = Vec::new();
    let mut wildcard_seen = false;
    for part in rest.split('/').filter(|p| !p.is_empty()) {
        if part == ".." || part == "." {
            return Err(format!("`{glob}`: `{part}` is not allowed in a grant"));
        }
        if part.contains(['*', '?', '[', '{']) {
            wildcard_seen = true;
        }
        if !wildcard_seen {
            base.push(part);
        }
    }
    if base.is_empty() {
        match root {
            GrantRoot::Absolute => {
                return Err(format!("`{glob}` would grant the whole disk"));
            }
            GrantRoot::Home => {
                return Err(format!("`{glob}` would grant your whole home directory"));
            }
            GrantRoot::Project | GrantRoot::Data | GrantRoot::Tmp => {}
        }
    }
    if root == GrantRoot::Absolute && base.len() == 1 && SYSTEM_DIRS.contains(&base[0]) {
        return Err(format!(
            "`{glob}` would grant all of /{}: name the files or a subdirectory",
            base[0]
        ));
    }
    Ok(FsGrant {
        root,
        base: base.join("/"),
        glob: glob.to_owned(),
    })
}

/// Top-level directories too broad to grant whole.
const SYSTEM_DIRS: &[&str] = &[
    "home", "root", "etc", "usr", "var", "proc", "sys", "dev", "boot", "run", "opt", "srv",
];

/// Brackets and braces balance, `**` stands alone as a path segment, no NUL.
fn check_syntax(glob: &str) -> Result<(), String> {
    let mut brace_depth = 0usize;
    let mut in_class = false;
    for (i, c) in glob.char_indices() {
        match c {
            '\0' => return Err(format!("`{glob}` contains a NUL byte")),
            '[' if !in_class => in_class = true,
            ']' if in_class => in_class = false,
            '{' if !in_class => brace_depth += 1,
            '}' if !in_class => {
                brace_depth = brace_depth
                    .checked_sub(1)
                    .ok_or_else(|| format!("`{glob}`: `}}` at byte {i} closes no `{{`"))?;
            }
            _ => {}
        }
    }
    if in_class {
        return Err(format!("`{glob}`: `[` is never closed by `]`"));
    }
    if brace_depth > 0 {
        return Err(format!("`{glob}`: `{{` is never closed by `}}`"));
    }
    for segment in glob.split('/') {
        if segment.contains("**") && segment != "**" {
            return Err(format!(
                "`{glob}`: `**` must be a whole path segment (`a/**/b`), not part of `{segment}`"
            ));
        }
    }
    Ok(())
}

/// Check a network grant: `host`, `host:port` or `*.domain[:port]`.
pub fn check_host(grant: &str) -> Result<(), String> {
    let (host, port) = match grant.rsplit_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (grant, None),
    };
    if let Some(port) = port {
        match port.parse::<u16>() {
            Ok(p) if p > 0 => {}
            _ => {
                return Err(format!(
                    "`{grant}`: the port `{port}` is not a number 1–65535"
                ));
            }
        }
    }
    if host == "*" || host.is_empty() {
        return Err(format!(
            "`{grant}` would grant every host: name the hosts (`api.example.com`, `*.example.com`)"
        ));
    }
    let name = host.strip_prefix("*.").unwrap_or(host);
    if name.contains('*') {
        return Err(format!(
            "`{grant}`: a wildcard is allowed only as the first label (`*.example.com`)"
        ));
    }
    let valid_label = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    if name.len() > 253 || !name.split('.').all(valid_label) {
        return Err(format!(
            "`{grant}`: `{host}` is not a valid host name or address"
        ));
    }
    if host.starts_with("*.") && !name.contains('.') {
        return Err(format!(
            "`{grant}` would grant a whole top-level domain: use `*.example.{name}`"
        ));
    }
    Ok(())
}

/// An `http://` or `https://` URL, split: what an `api` runtime's `endpoint` names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// `https`.
    pub tls: bool,
    /// The host name or IPv4 address, lowercase.
    pub host: String,
    /// The port (80 or 443 when the URL gives none).
    pub port: u16,
    /// The path, without a trailing `/` (may be empty).
    pub path: String,
}

impl Endpoint {
    /// Parse `url`; the error says what is wrong with it.
    pub fn parse(url: &str) -> Result<Endpoint, String> {
        let (tls, rest) = if let Some(rest) = url.strip_prefix("https://") {
            (true, rest)
        } else if let Some(rest) = url.strip_prefix("http://") {
            (false, rest)
        } else {
            return Err(format!("`{url}` is not an http:// or https:// URL"));
        };
        let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        if authority.contains('@') || authority.starts_with('[') {
            return Err(format!(
                "`{url}`: name the host plainly (no user info, no IPv6 literal)"
            ));
        }
        let (host, port) = match authority.rsplit_once(':') {
            Some((host, port)) => (
                host,
                port.parse::<u16>()
                    .ok()
                    .filter(|p| *p > 0)
                    .ok_or_else(|| format!("`{url}`: the port `{port}` is not a number 1–65535"))?,
            ),
            None => (authority, if tls { 443 } else { 80 }),
        };
        if host.contains('*') {
            return Err(format!(
                "`{url}`: an endpoint names one host, not a wildcard"
            ));
        }
        check_host(host).map_err(|e| format!("`{url}`: {e}"))?;
        if path.contains(['?', '#', ' ']) {
            return Err(format!(
                "`{url}`: give a path without query, fragment or spaces"
            ));
        }
        Ok(Endpoint {
            tls,
            host: host.to_ascii_lowercase(),
            port,
            path: path.trim_end_matches('/').to_owned(),
        })
    }

    /// Whether network grant `grant` (`host`, `host:port`, `*.domain[:port]`) covers it.
    pub fn granted_by(&self, grant: &str) -> bool {
        let (host, port) = match grant.rsplit_once(':') {
            Some((h, p)) => (h, p.parse::<u16>().ok()),
            None => (grant, None),
        };
        if port.is_some_and(|p| p != self.port) {
            return false;
        }
        let host = host.to_ascii_lowercase();
        match host.strip_prefix("*.") {
            Some(domain) => self.host.ends_with(&format!(".{domain}")),
            None => host == self.host,
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #[test]
        fn literal_paths_grant_exactly_their_directory(parts in proptest::collection::vec("[a-z0-9_.-]{1,8}", 1..5)) {
            prop_assume!(parts.iter().all(|p| p != "." && p != ".."));
            let glob = format!("$PROJECT/{}/**", parts.join("/"));
            let grant = parse_grant(&glob).expect("a literal directory under $PROJECT is valid");
            let roots = GrantRoots { project: Some(PathBuf::from("/p")), ..GrantRoots::default() };
            prop_assert_eq!(grant.directory(&roots), Some(PathBuf::from("/p").join(parts.join("/"))));
        }

        #[test]
        fn wildcards_at_the_root_are_always_refused(segments in proptest::collection::vec(prop_oneof!["\\*", "\\*\\*", "\\?", "\\*\\.rs", "\\{a,b\\}"], 0..4)) {
            let glob = format!("/{}", segments.join("/"));
            let refused = parse_grant(&glob).expect_err("nothing literal at the root");
            prop_assert!(refused.contains("whole disk"), "{}", refused);
        }
    }

    #[test]
    fn whole_disk_and_home_are_refused_with_the_reason() {
        for g in ["/**", "/", "/*", "/**/*.rs"] {
            let e = parse_grant(g).expect_err(g);
            assert!(e.contains("whole disk"), "{g}: {e}");
        }
        for g in ["~/**", "~", "~/*"] {
            let e = parse_grant(g).expect_err(g);
            assert!(e.contains("home directory"), "{g}: {e}");
        }
        assert!(parse_grant("/etc/**").expect_err("etc").contains("/etc"));
    }

    #[test]
    fn grants_open_the_directory_before_the_first_wildcard() {
        let g = parse_grant("$PROJECT/docs/**/*.md").expect("valid");
        assert_eq!((g.root, g.base.as_str()), (GrantRoot::Project, "docs"));
        let roots = GrantRoots {
            project: Some(PathBuf::from("/w")),
            ..GrantRoots::default()
        };
        assert_eq!(g.directory(&roots), Some(PathBuf::from("/w/docs")));
        let g = parse_grant("/srv/data/in.csv").expect("valid");
        assert_eq!(g.base, "srv/data/in.csv");
        assert_eq!(
            parse_grant("$DATA/**").expect("valid").directory(&roots),
            None
        );
    }

    #[test]
    fn bad_syntax_is_named() {
        assert!(
            parse_grant("docs/**")
                .expect_err("relative")
                .contains("relative")
        );
        assert!(
            parse_grant("/a/[bc")
                .expect_err("class")
                .contains("never closed")
        );
        assert!(
            parse_grant("/a/{b,c")
                .expect_err("brace")
                .contains("never closed")
        );
        assert!(
            parse_grant("/a/b}")
                .expect_err("brace")
                .contains("closes no")
        );
        assert!(
            parse_grant("/a/x**")
                .expect_err("star")
                .contains("whole path segment")
        );
        assert!(parse_grant("/a/../etc").expect_err("dots").contains(".."));
        assert!(
            parse_grant("$PROJECTX/a")
                .expect_err("root")
                .contains("followed by")
        );
    }

    #[test]
    fn endpoints_parse_and_match_their_grants() {
        let e = Endpoint::parse("http://127.0.0.1:8080/v1/").expect("valid");
        assert_eq!(
            (e.tls, e.host.as_str(), e.port, e.path.as_str()),
            (false, "127.0.0.1", 8080, "/v1")
        );
        assert!(e.granted_by("127.0.0.1") && e.granted_by("127.0.0.1:8080"));
        assert!(!e.granted_by("127.0.0.1:80") && !e.granted_by("localhost"));
        let e = Endpoint::parse("https://API.Example.com").expect("valid");
        assert_eq!((e.port, e.path.as_str()), (443, ""));
        assert!(e.granted_by("*.example.com") && e.granted_by("api.example.com:443"));
        assert!(!e.granted_by("*.other.com") && !e.granted_by("example.com"));
        assert!(Endpoint::parse("ftp://x.com").is_err());
        assert!(Endpoint::parse("http://x.com:0").is_err());
        assert!(Endpoint::parse("http://u:p@x.com").is_err());
        assert!(Endpoint::parse("http://*.x.com").is_err());
    }

    #[test]
    fn hosts() {
        for ok in [
            "api.openai.com",
            "localhost:8080",
            "*.example.com:443",
            "127.0.0.1",
        ] {
            check_host(ok).expect(ok);
        }
        assert!(check_host("*").expect_err("*").contains("every host"));
        assert!(check_host("*.com").expect_err("tld").contains("top-level"));
        assert!(check_host("a.com:0").expect_err("port").contains("port"));
        assert!(
            check_host("a*b.com")
                .expect_err("mid")
                .contains("first label")
        );
        assert!(check_host("-a.com").is_err());
    }
}
