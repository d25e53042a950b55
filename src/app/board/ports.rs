//! Ports as the board shows and checks them: the DAG Tracker's port types for the media
//! types an extension's manifest declares (its `artifacts.inputs` and `outputs`), and a
//! node's ports written in one short line.

use pit::dag::{PortSpec, PortType};

/// The port type for a media type: `text/*` is text, JSON media types (`application/json`,
/// `…+json`) are json, `application/octet-stream` is bytes, images, audio and video are the
/// named types `Image`, `Audio` and `Video`; anything else is an artifact reference.
pub fn of_media_type(media_type: &str) -> PortType {
    let media_type = media_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let (top, sub) = media_type.split_once('/').unwrap_or((&media_type, ""));
    match (top, sub) {
        (_, "json") => PortType::Json,
        (_, sub) if sub.ends_with("+json") => PortType::Json,
        ("text", _) => PortType::Text,
        ("application", "octet-stream") => PortType::Bytes,
        ("image", _) => PortType::Named("Image".into()),
        ("audio", _) => PortType::Named("Audio".into()),
        ("video", _) => PortType::Named("Video".into()),
        _ => PortType::Artifact,
    }
}

/// The one type for a list of media types: theirs when they agree, else `any` (also for
/// none).
pub fn common_type(media_types: &[String]) -> PortType {
    let mut types = media_types.iter().map(|m| of_media_type(m));
    match types.next() {
        Some(first) if types.all(|t| t == first) => first,
        _ => PortType::Any,
    }
}

/// `name: type` for each port, comma-separated (`none` for no port).
pub fn listed(ports: &[PortSpec]) -> String {
    if ports.is_empty() {
        return "none".to_owned();
    }
    ports
        .iter()
        .map(|p| format!("{}: {}", p.name, p.ty.name()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The ports in the short form a box's border has room for: the type of a node's one
/// port, else `name:type`, space-separated.
pub fn label(ports: &[PortSpec]) -> String {
    if let [one] = ports {
        return one.ty.name().to_owned();
    }
    ports
        .iter()
        .map(|p| format!("{}:{}", p.name, p.ty.name()))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_types_become_port_types() {
        assert_eq!(of_media_type("text/plain; charset=utf-8"), PortType::Text);
        assert_eq!(of_media_type("application/json"), PortType::Json);
        assert_eq!(
            of_media_type("application/vnd.symphony.styled-lines+json"),
            PortType::Json
        );
        assert_eq!(of_media_type("image/png"), PortType::Named("Image".into()));
        assert_eq!(of_media_type("application/pdf"), PortType::Artifact);
        assert_eq!(
            common_type(&["text/plain".into(), "text/markdown".into()]),
            PortType::Text
        );
        assert_eq!(
            common_type(&["text/plain".into(), "image/png".into()]),
            PortType::Any
        );
        assert_eq!(common_type(&[]), PortType::Any);
    }
}
