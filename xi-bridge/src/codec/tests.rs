//! Decoding garbage, huge lines and every envelope shape; a property test that decoding
//! never panics.
#![allow(clippy::unwrap_used)]
use proptest::prelude::*;
use serde_json::json;

use super::*;
use crate::protocol::{EditCommand, EditNotification, EditRequest, UpdateOp, ViewId};

#[test]
fn garbage_is_an_error_quoting_the_line() {
    let err = decode("this is not json").unwrap_err();
    assert!(matches!(err, BridgeError::InvalidJson { .. }), "{err:?}");
    assert!(err.to_string().contains("this is not json"), "{err}");
}

#[test]
fn truncated_json_is_an_error() {
    let err = decode(r#"{"method":"update","params":{"view_id":"view-"#).unwrap_err();
    assert!(matches!(err, BridgeError::InvalidJson { .. }), "{err:?}");
}

#[test]
fn non_objects_and_envelopes_without_method_or_id_are_errors() {
    assert!(matches!(
        decode("[1,2]"),
        Err(BridgeError::BadMessage { .. })
    ));
    assert!(matches!(decode("{}"), Err(BridgeError::BadMessage { .. })));
    assert!(matches!(
        decode(r#"{"id":-1,"result":0}"#),
        Err(BridgeError::BadMessage { .. })
    ));
    assert!(matches!(
        decode(r#"{"id":1,"result":0,"error":{}}"#),
        Err(BridgeError::BadMessage { .. })
    ));
    assert!(matches!(
        decode(r#"{"method":7}"#),
        Err(BridgeError::BadMessage { .. })
    ));
}

#[test]
fn unknown_methods_decode_to_unknown() {
    let line = r#"{"method":"brand_new","params":{"a":1}}"#;
    let Incoming::Notification(CoreNotificationFromCore::Unknown { method, params }) =
        decode(line).unwrap()
    else {
        panic!("expected Unknown");
    };
    assert_eq!((method.as_str(), params), ("brand_new", json!({"a": 1})));
    let request = decode(r#"{"id":4,"method":"collect_trace","params":{}}"#).unwrap();
    assert!(matches!(
        request,
        Incoming::Request {
            id: RequestId(4),
            request: CoreRequestFromCore::Unknown { .. }
        }
    ));
}

#[test]
fn a_known_method_with_wrong_params_names_the_method() {
    let err =
        decode(r#"{"method":"scroll_to","params":{"view_id":"view-id-1","line":"x","col":0}}"#)
            .unwrap_err();
    assert!(err.to_string().contains("`scroll_to` params"), "{err}");
}

#[test]
fn a_ten_megabyte_line_decodes_and_errors_quote_only_an_excerpt() {
    let text = "é".repeat(5 * 1024 * 1024);
    let update = json!({"method":"update","params":{"view_id":"view-id-1","update":{
        "ops":[{"op":"ins","n":1,"lines":[{"text":text,"ln":1,"styles":[]}]}],"pristine":true,"annotations":[]}}});
    let line = format!("{update}\n");
    assert!(line.len() > 10 * 1024 * 1024);
    let Incoming::Notification(CoreNotificationFromCore::Update { update, .. }) =
        decode(&line).unwrap()
    else {
        panic!("expected an update");
    };
    let UpdateOp::Ins { lines, .. } = &update.ops[0] else {
        panic!("expected ins")
    };
    assert_eq!(lines[0].text.as_deref().map(str::len), Some(text.len()));

    let broken = &line[..line.len() - 3];
    let message = decode(broken).unwrap_err().to_string();
    assert!(
        message.len() < 1024,
        "error message is {} bytes",
        message.len()
    );
    assert!(message.contains("bytes in all"), "{message}");
}

#[test]
fn lines_over_the_limit_are_refused_before_parsing() {
    let line = "x".repeat(MAX_LINE_BYTES + 1);
    let err = decode(&line).unwrap_err();
    assert!(
        matches!(err, BridgeError::LineTooLong { len, max: MAX_LINE_BYTES } if len == MAX_LINE_BYTES + 1)
    );
}

#[test]
fn responses_carry_results_or_errors() {
    assert_eq!(
        decode(r#"{"id":0,"result":"view-id-1"}"#).unwrap(),
        Incoming::Response {
            id: RequestId(0),
            result: Ok(json!("view-id-1"))
        }
    );
    assert_eq!(
        decode(r#"{"id":1,"result":null}"#).unwrap(),
        Incoming::Response {
            id: RequestId(1),
            result: Ok(Value::Null)
        }
    );
    let error = r#"{"error":{"code":-32600,"data":"unknown variant `bogus`","message":"Invalid request"},"id":3}"#;
    let expected = RemoteError {
        code: -32600,
        message: "Invalid request".into(),
        data: Some(json!("unknown variant `bogus`")),
    };
    assert_eq!(
        decode(error).unwrap(),
        Incoming::Response {
            id: RequestId(3),
            result: Err(expected)
        }
    );
    let odd = decode(r#"{"id":2,"error":"boom"}"#).unwrap();
    let Incoming::Response { result: Err(e), .. } = odd else {
        panic!("expected an error response")
    };
    assert_eq!(e.data, Some(json!("boom")));
}

#[test]
fn responses_round_trip() {
    for result in [
        Ok(json!([[5.0, 3.0]])),
        Ok(Value::Null),
        Err(RemoteError::method_not_found("x")),
    ] {
        let line = encode_response(RequestId(7), result.clone());
        assert!(line.ends_with('\n') && !line[..line.len() - 1].contains('\n'));
        assert_eq!(
            decode(&line).unwrap(),
            Incoming::Response {
                id: RequestId(7),
                result
            }
        );
    }
}

#[test]
fn requests_and_notifications_encode_as_xi_expects_and_parse_back() {
    let view = ViewId::new("view-id-1");
    let insert = CoreNotification::Edit(EditCommand::new(
        view.clone(),
        EditNotification::Insert {
            chars: "a\nb".into(),
        },
    ));
    let line = encode_notification(&insert).unwrap();
    assert_eq!(
        serde_json::from_str::<Value>(&line).unwrap(),
        json!({"method":"edit","params":{"view_id":"view-id-1","method":"insert","params":{"chars":"a\nb"}}})
    );
    assert_eq!(
        line.matches('\n').count(),
        1,
        "the text's newline must be escaped"
    );
    assert_eq!(
        serde_json::from_str::<CoreNotification>(&line).unwrap(),
        insert
    );

    let cut = CoreRequest::Edit(EditCommand::new(view, EditRequest::Cut));
    let line = encode_request(RequestId(9), &cut).unwrap();
    let value: Value = serde_json::from_str(&line).unwrap();
    assert_eq!(
        value,
        json!({"id":9,"method":"edit","params":{"view_id":"view-id-1","method":"cut"}})
    );
}

#[cfg(unix)]
#[test]
fn a_non_utf8_path_cannot_be_encoded() {
    use std::os::unix::ffi::OsStrExt;
    let path = std::path::PathBuf::from(std::ffi::OsStr::from_bytes(b"/tmp/\xff"));
    let started = CoreNotification::ClientStarted {
        config_dir: Some(path),
        client_extras_dir: None,
    };
    let err = encode_notification(&started).unwrap_err();
    assert!(err.to_string().contains("`client_started`"), "{err}");
}

#[test]
fn invalid_utf8_is_reported_not_panicked_on() {
    let err = decode_bytes(b"{\"method\":\"alert\",\"params\":{\"msg\":\"\xff\"}}").unwrap_err();
    assert!(matches!(err, BridgeError::NotUtf8 { .. }), "{err:?}");
}

#[test]
fn excerpts_cut_on_character_boundaries() {
    let long = "ü".repeat(1000);
    let cut = excerpt(&long);
    assert!(cut.starts_with(&"ü".repeat(EXCERPT_CHARS)));
    assert!(cut.ends_with("(2000 bytes in all)"));
    assert_eq!(excerpt("short"), "short");
}

fn json_ish() -> impl Strategy<Value = String> {
    let method = prop::sample::select(vec![
        "update",
        "scroll_to",
        "def_style",
        "measure_width",
        "alert",
        "find_status",
        "nope",
        "",
    ]);
    let leaf = prop_oneof![
        Just("null".to_owned()),
        any::<i64>().prop_map(|n| n.to_string()),
        "[a-z\"\\\\]{0,6}".prop_map(|s| format!("{s:?}")),
        Just("[]".to_owned()),
        Just("{}".to_owned()),
    ];
    let value = leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(|v| format!("[{}]", v.join(","))),
            prop::collection::vec(("[a-z_]{1,8}", inner), 0..4).prop_map(|kv| {
                let fields: Vec<String> =
                    kv.into_iter().map(|(k, v)| format!("{k:?}:{v}")).collect();
                format!("{{{}}}", fields.join(","))
            }),
        ]
    });
    (method, value, prop::option::of(any::<u32>())).prop_map(|(method, params, id)| match id {
        Some(id) => format!(r#"{{"id":{id},"method":"{method}","params":{params}}}"#),
        None => format!(r#"{{"method":"{method}","params":{params}}}"#),
    })
}

proptest! {
    #[test]
    fn decode_never_panics_on_arbitrary_text(line in "\\PC*") {
        let _ = decode(&line);
    }

    #[test]
    fn decode_never_panics_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let _ = decode_bytes(&bytes);
    }

    #[test]
    fn decode_never_panics_on_plausible_messages(line in json_ish()) {
        let _ = decode(&line);
    }
}
