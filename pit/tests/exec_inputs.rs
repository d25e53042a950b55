//! Input nodes: a value given in the workflow, one provided while the run waits (and the
//! WaitingForInput state around it), one provided early, and what skips, pauses and dropped
//! handles do to a waiting run. Time is tokio's paused clock.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod control_support;

use control_support::*;

#[tokio::test(start_paused = true)]
async fn an_input_with_a_value_completes_at_once_with_it() {
    let file = wf(
        vec![
            json!({ "id": "limit", "kind": "input", "params": { "value": { "lines": 42 } } }),
            emit("big", json!({})),
            emit("small", json!({})),
            emit("reader", json!({})),
        ],
        vec![
            when("limit", "big", "lines > 10"),
            when("limit", "small", "lines <= 10"),
            edge("limit", "reader", "hard"),
        ],
    );
    let run = start(file);
    let wf = run.wf.clone();
    let (report, events, emit) = run.finish().await;
    assert_eq!(report.state, WorkflowState::Completed);
    assert_eq!(
        states(&report, &wf, &["limit", "big", "small", "reader"]),
        [
            NodeState::Completed,
            NodeState::Completed,
            NodeState::Skipped,
            NodeState::Completed
        ]
    );
    assert_eq!(
        first_at(&wf, &events, "limit", NodeState::Completed),
        Duration::ZERO
    );
    assert_eq!(
        emit.inputs("reader"),
        [("limit".to_owned(), json!({ "lines": 42 }))]
    );
    assert!(
        !workflow_states(&events)
            .iter()
            .any(|(s, _)| *s == WorkflowState::WaitingForInput)
    );
}

#[tokio::test(start_paused = true)]
async fn an_input_without_a_value_waits_until_nothing_else_can_run_and_provide_completes_it() {
    let file = wf(
        vec![
            json!({ "id": "answer", "kind": "input" }),
            emit("other", json!({ "ms": 100 })),
            emit("use", json!({})),
        ],
        vec![edge("answer", "use", "hard"), edge("other", "use", "hard")],
    );
    let mut run = start(file);
    let answer = run.ix("answer");
    let (at, reason) = run.until_workflow(WorkflowState::WaitingForInput).await;
    assert_eq!(
        at,
        Duration::from_millis(100),
        "`other` could still run before"
    );
    let reason = reason.expect("the wait says for what");
    assert!(reason.contains("`answer`"), "{reason}");
    // Time passes; the run waits rather than ends.
    tokio::time::sleep(Duration::from_secs(3600)).await;
    assert_eq!(run.emit.calls("use"), 0);
    run.handle.provide(answer, json!("forty-two")).unwrap();
    let (at, _) = run.until_workflow(WorkflowState::Running).await;
    assert_eq!(at, Duration::from_millis(100) + Duration::from_secs(3600));
    let wf = run.wf.clone();
    let (report, events, emit) = run.finish().await;
    assert_eq!(report.state, WorkflowState::Completed);
    assert_eq!(report.nodes, [NodeState::Completed; 3]);
    assert_eq!(
        emit.inputs("use"),
        [("answer".to_owned(), json!("forty-two"))]
    );
    assert_eq!(first_at(&wf, &events, "answer", NodeState::Completed), at);
}

#[tokio::test(start_paused = true)]
async fn a_value_provided_before_the_input_is_reached_is_used_when_it_is_reached() {
    let file = wf(
        vec![
            emit("slow", json!({ "ms": 500 })),
            json!({ "id": "answer", "kind": "input" }),
            emit("use", json!({})),
        ],
        vec![
            edge("slow", "answer", "hard"),
            edge("answer", "use", "hard"),
        ],
    );
    let run = start(file);
    let answer = run.ix("answer");
    run.handle
        .provide(answer, json!({ "early": true }))
        .unwrap();
    let wf = run.wf.clone();
    let (report, events, emit) = run.finish().await;
    assert_eq!(report.state, WorkflowState::Completed);
    assert_eq!(
        first_at(&wf, &events, "answer", NodeState::Completed),
        Duration::from_millis(500)
    );
    assert_eq!(
        emit.inputs("use"),
        [("answer".to_owned(), json!({ "early": true }))]
    );
    assert!(
        !workflow_states(&events)
            .iter()
            .any(|(s, _)| *s == WorkflowState::WaitingForInput),
        "a provided value means no wait"
    );
}

#[tokio::test(start_paused = true)]
async fn dropping_every_handle_while_waiting_for_input_cancels_the_run() {
    let file = wf(
        vec![
            json!({ "id": "answer", "kind": "input" }),
            emit("use", json!({})),
        ],
        vec![edge("answer", "use", "hard")],
    );
    let mut run = start(file);
    let answer = run.ix("answer");
    run.until_workflow(WorkflowState::WaitingForInput).await;
    let Run {
        handle, mut events, ..
    } = run;
    drop(handle);
    let mut answer_failed = false;
    let reason = loop {
        match events.recv().await.unwrap().kind {
            EventKind::Node(n) if n.node == answer && n.state == NodeState::Failed => {
                answer_failed = true;
            }
            EventKind::Workflow { state, reason } if state.is_final() => {
                assert_eq!(state, WorkflowState::Cancelled);
                break reason.unwrap();
            }
            _ => {}
        }
    };
    assert!(reason.contains("every handle"), "{reason}");
    assert!(answer_failed, "the input that never came fails");
}

#[tokio::test(start_paused = true)]
async fn skipping_the_awaited_input_lets_a_later_input_announce_its_own_wait() {
    let file = wf(
        vec![
            json!({ "id": "first", "kind": "input" }),
            json!({ "id": "second", "kind": "input" }),
            emit("use", json!({})),
        ],
        vec![
            edge("first", "second", "soft"),
            edge("second", "use", "hard"),
        ],
    );
    let mut run = start(file);
    let (first, second) = (run.ix("first"), run.ix("second"));
    let (_, reason) = run.until_workflow(WorkflowState::WaitingForInput).await;
    assert!(reason.unwrap().contains("`first`"));
    run.handle.skip(first).unwrap();
    run.until(|e| e.node == first && e.state == NodeState::Skipped)
        .await;
    // Whatever the run says next about the workflow must be a wait for `second`.
    let next = tokio::time::timeout(Duration::from_secs(60), async {
        loop {
            if let EventKind::Workflow { state, reason } = run.events.recv().await.unwrap().kind {
                break (state, reason);
            }
        }
    })
    .await;
    let (state, reason) =
        next.expect("no workflow event after the skip: nobody is asked for `second`");
    assert_eq!(state, WorkflowState::WaitingForInput);
    assert!(reason.unwrap().contains("`second`"));
    run.handle.provide(second, json!(2)).unwrap();
    let (report, _, _) = run.finish().await;
    assert_eq!(report.state, WorkflowState::Completed);
}

#[tokio::test(start_paused = true)]
async fn resuming_a_run_that_waits_for_input_says_it_still_waits() {
    let file = wf(
        vec![
            json!({ "id": "answer", "kind": "input" }),
            emit("use", json!({})),
        ],
        vec![edge("answer", "use", "hard")],
    );
    let mut run = start(file);
    let answer = run.ix("answer");
    run.until_workflow(WorkflowState::WaitingForInput).await;
    run.handle.pause().unwrap();
    run.until_workflow(WorkflowState::Paused).await;
    run.handle.resume().unwrap();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let mut last = None;
    while let Ok(event) = run.events.try_recv() {
        if let EventKind::Workflow { state, .. } = event.kind {
            last = Some(state);
        }
    }
    assert_eq!(last, Some(WorkflowState::WaitingForInput));
    run.handle.provide(answer, json!(1)).unwrap();
    let (report, _, _) = run.finish().await;
    assert_eq!(report.state, WorkflowState::Completed);
}

#[tokio::test(start_paused = true)]
async fn node_context_inputs_lists_the_predecessors_values_by_id() {
    let file = wf(
        vec![
            emit("a", json!({ "value": 1 })),
            emit("b", json!({ "value": "two" })),
            emit("c", json!({})),
            emit("d", json!({ "value": "never", "fatal": true })),
            emit("unrelated", json!({ "value": "not mine" })),
            emit("sink", json!({})),
            emit("other-sink", json!({})),
        ],
        vec![
            edge("a", "sink", "hard"),
            edge("b", "sink", "soft"),
            edge("c", "sink", "hard"),
            edge("d", "sink", "optional"),
            edge("unrelated", "other-sink", "hard"),
        ],
    );
    let run = start(file);
    let (_, _, emit) = run.finish().await;
    // `c` produced no value, `d` failed: neither is listed; `unrelated` is not a predecessor.
    assert_eq!(
        emit.inputs("sink"),
        [("a".to_owned(), json!(1)), ("b".to_owned(), json!("two"))]
    );
    assert_eq!(emit.inputs("a"), [], "a root has no inputs");
}
