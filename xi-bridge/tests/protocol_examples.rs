//! Holds the JSON examples in the protocol's doc comments to the types: every variant has
//! one, it parses to that variant, and what we send serialises back to exactly the example.

mod support;

use serde_json::Value;
use support::doc_examples::examples_of;
use xi_bridge::codec::{self, Incoming};
use xi_bridge::protocol::{CoreNotification, CoreRequest, EditCommand, UpdateOp};
use xi_bridge::{CoreNotificationFromCore, CoreRequestFromCore, RequestId};

const FRONTEND: &str = include_str!("../src/protocol/frontend.rs");
const EDIT: &str = include_str!("../src/protocol/edit.rs");
const CORE: &str = include_str!("../src/protocol/core.rs");
const UPDATE: &str = include_str!("../src/protocol/update.rs");

fn to_value<T: serde::Serialize>(t: &T) -> Value {
    serde_json::to_value(t).expect("our messages serialise")
}

fn without_id(mut value: Value) -> (u64, Value) {
    let id = value
        .as_object_mut()
        .and_then(|o| o.remove("id"))
        .and_then(|id| id.as_u64())
        .expect("requests have an id");
    (id, value)
}

#[test]
fn core_notification_examples_are_exact() {
    for (example, json) in examples_of(FRONTEND, "CoreNotification") {
        let parsed: CoreNotification = serde_json::from_value(json.clone())
            .unwrap_or_else(|e| panic!("{}: {e}", example.variant));
        assert_eq!(
            parsed.method(),
            example.snake_name(),
            "{} example has the wrong method",
            example.variant
        );
        assert_eq!(
            to_value(&parsed),
            json,
            "{} does not serialise to its example",
            example.variant
        );
        let line = codec::encode_notification(&parsed).expect("encodes");
        assert_eq!(
            serde_json::from_str::<Value>(&line).expect("a JSON line"),
            json
        );
    }
}

#[test]
fn core_request_examples_are_exact() {
    for (example, json) in examples_of(FRONTEND, "CoreRequest") {
        let (id, body) = without_id(json.clone());
        let parsed: CoreRequest = serde_json::from_value(body.clone())
            .unwrap_or_else(|e| panic!("{}: {e}", example.variant));
        assert_eq!(
            to_value(&parsed),
            body,
            "{} does not serialise to its example",
            example.variant
        );
        let line = codec::encode_request(RequestId(id), &parsed).expect("encodes");
        assert_eq!(
            serde_json::from_str::<Value>(&line).expect("a JSON line"),
            json
        );
        let method = if example.variant == "Edit" {
            "edit".to_owned()
        } else {
            parsed.method().to_owned()
        };
        assert_eq!(method, example.snake_name());
    }
}

#[test]
fn edit_request_examples_are_exact() {
    for (example, json) in examples_of(FRONTEND, "EditRequest") {
        let (_, body) = without_id(json);
        let parsed: CoreRequest = serde_json::from_value(body.clone())
            .unwrap_or_else(|e| panic!("{}: {e}", example.variant));
        assert!(
            matches!(parsed, CoreRequest::Edit(_)),
            "{} is not an edit request",
            example.variant
        );
        assert_eq!(parsed.method(), example.snake_name());
        assert_eq!(to_value(&parsed), body);
    }
}

#[test]
fn edit_notification_examples_are_exact() {
    let examples = examples_of(EDIT, "EditNotification");
    assert!(
        examples.len() >= 80,
        "only {} edit commands documented",
        examples.len()
    );
    for (example, json) in examples {
        let parsed: CoreNotification = serde_json::from_value(json.clone())
            .unwrap_or_else(|e| panic!("{}: {e}", example.variant));
        let CoreNotification::Edit(EditCommand { cmd, .. }) = &parsed else {
            panic!("{} example is not an edit", example.variant);
        };
        let inner = to_value(cmd);
        assert_eq!(
            inner["method"],
            example.snake_name().as_str(),
            "{} example has the wrong method",
            example.variant
        );
        assert_eq!(
            to_value(&parsed),
            json,
            "{} does not serialise to its example",
            example.variant
        );
    }
}

#[test]
fn core_to_frontend_examples_decode_to_their_variant() {
    for (example, json) in examples_of(CORE, "CoreNotificationFromCore") {
        let decoded =
            codec::decode(&json.to_string()).unwrap_or_else(|e| panic!("{}: {e}", example.variant));
        let Incoming::Notification(notification) = decoded else {
            panic!("{} did not decode as a notification", example.variant);
        };
        assert!(
            !matches!(notification, CoreNotificationFromCore::Unknown { .. }),
            "{} decoded as Unknown: is it missing from METHODS?",
            example.variant
        );
        assert_eq!(notification.method(), example.snake_name());
        let again: CoreNotificationFromCore =
            serde_json::from_value(to_value(&notification)).expect("re-parses");
        assert_eq!(
            again, notification,
            "{} does not survive a round trip",
            example.variant
        );
    }
    for (example, json) in examples_of(CORE, "CoreRequestFromCore") {
        let decoded =
            codec::decode(&json.to_string()).unwrap_or_else(|e| panic!("{}: {e}", example.variant));
        let Incoming::Request { request, .. } = decoded else {
            panic!("{} did not decode as a request", example.variant);
        };
        assert!(
            !matches!(request, CoreRequestFromCore::Unknown { .. }),
            "{} decoded as Unknown",
            example.variant
        );
        assert_eq!(request.method(), example.snake_name());
    }
}

#[test]
fn update_op_examples_parse_to_their_variant() {
    for (example, json) in examples_of(UPDATE, "UpdateOp") {
        let op: UpdateOp = serde_json::from_value(json.clone())
            .unwrap_or_else(|e| panic!("{}: {e}", example.variant));
        assert_eq!(op.name(), example.snake_name());
        assert_eq!(
            to_value(&op),
            json,
            "{} does not serialise to its example",
            example.variant
        );
    }
}
