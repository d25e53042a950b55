//! The executor's control flow, one behaviour per test: conditional edges, the control kinds
//! it runs inline (`branch`, `merge`, `join`, `parallel`, `loop`), input nodes and
//! `RunControl::provide`, the values runners see through `NodeContext::inputs`, and retries
//! that evaluate a condition again. Time is tokio's paused clock, except where a real
//! process runs.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod control_support;

use control_support::*;

#[tokio::test(start_paused = true)]
async fn a_false_condition_skips_its_target_and_cascades_to_hard_dependents() {
    let file = wf(
        vec![
            emit("measure", json!({ "value": { "lines": 5 } })),
            emit("big", json!({})),
            emit("after-big", json!({})),
            emit("soft-after-big", json!({})),
            emit("small", json!({})),
        ],
        vec![
            when("measure", "big", "lines > 10"),
            edge("big", "after-big", "hard"),
            edge("big", "soft-after-big", "soft"),
            when("measure", "small", "lines <= 10"),
        ],
    );
    let run = start(file);
    let wf = run.wf.clone();
    let (report, events, emit) = run.finish().await;
    assert_eq!(
        report.state,
        WorkflowState::Completed,
        "a skip is no failure"
    );
    assert_eq!(
        states(
            &report,
            &wf,
            &["big", "after-big", "soft-after-big", "small"]
        ),
        [
            NodeState::Skipped,
            NodeState::Skipped,
            NodeState::Completed,
            NodeState::Completed
        ]
    );
    assert_eq!((emit.calls("big"), emit.calls("after-big")), (0, 0));
    let skipped = node_events(&wf, &events, "big");
    assert_eq!(skipped.len(), 1, "a skipped target is never queued");
    assert_eq!(skipped[0].1.error, None, "a false condition is no error");
}

#[tokio::test(start_paused = true)]
async fn value_and_output_name_the_whole_value_and_other_names_its_fields() {
    let file = wf(
        vec![
            emit("n", json!({ "value": 7 })),
            emit("value-is-7", json!({})),
            emit("output-over-100", json!({})),
            emit("obj", json!({ "value": { "tag": "x", "items": [1, 2] } })),
            emit("tag-is-x", json!({})),
            emit("second-item-is-1", json!({})),
        ],
        vec![
            when("n", "value-is-7", "value == 7"),
            when("n", "output-over-100", "output > 100"),
            when("obj", "tag-is-x", "tag == 'x' && value.tag == \"x\""),
            when("obj", "second-item-is-1", "items[1] == 1"),
        ],
    );
    let run = start(file);
    let wf = run.wf.clone();
    let (report, _, _) = run.finish().await;
    assert_eq!(
        states(
            &report,
            &wf,
            &[
                "value-is-7",
                "output-over-100",
                "tag-is-x",
                "second-item-is-1"
            ]
        ),
        [
            NodeState::Completed,
            NodeState::Skipped,
            NodeState::Completed,
            NodeState::Skipped
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn a_condition_that_cannot_be_evaluated_skips_its_target_and_says_why() {
    let file = wf(
        vec![
            emit("measure", json!({ "value": { "lines": null } })),
            emit("big", json!({})),
            emit("after", json!({})),
        ],
        vec![
            when("measure", "big", "lines > 10"),
            edge("big", "after", "hard"),
        ],
    );
    let run = start(file);
    let wf = run.wf.clone();
    let (report, events, _) = run.finish().await;
    assert_eq!(
        states(&report, &wf, &["measure", "big", "after"]),
        [NodeState::Completed, NodeState::Skipped, NodeState::Skipped]
    );
    let big = node_events(&wf, &events, "big");
    assert_eq!(big.len(), 1);
    let error = big[0].1.error.clone().expect("the skip says why").message;
    assert!(
        error.contains("`lines > 10`") && error.contains("`measure`") && error.contains("null"),
        "{error}"
    );
    // Only the node whose condition failed carries the error.
    assert_eq!(node_events(&wf, &events, "after")[0].1.error, None);
}

#[tokio::test(start_paused = true)]
async fn a_branch_passes_its_input_to_its_conditional_edges_and_a_merge_joins_them() {
    let file = wf(
        vec![
            emit("measure", json!({ "value": { "lines": 5 } })),
            control("decide", "branch"),
            emit("big", json!({ "value": "split" })),
            emit("small", json!({ "value": "kept whole" })),
            control("either", "merge"),
            emit("after", json!({})),
        ],
        vec![
            edge("measure", "decide", "hard"),
            when("decide", "big", "lines > 10"),
            when("decide", "small", "lines <= 10"),
            edge("big", "either", "hard"),
            edge("small", "either", "hard"),
            edge("either", "after", "hard"),
        ],
    );
    let run = start(file);
    let wf = run.wf.clone();
    let (report, _, emit) = run.finish().await;
    assert_eq!(report.state, WorkflowState::Completed);
    assert_eq!(
        states(&report, &wf, &["decide", "big", "small", "either", "after"]),
        [
            NodeState::Completed,
            NodeState::Skipped,
            NodeState::Completed,
            NodeState::Completed,
            NodeState::Completed
        ]
    );
    assert_eq!(
        emit.inputs("small"),
        [("decide".to_owned(), json!({ "lines": 5 }))],
        "the branch passes its one input's value on"
    );
    assert_eq!(
        emit.inputs("after"),
        [("either".to_owned(), json!("kept whole"))],
        "the merge passes on the value of the branch taken"
    );
}

#[tokio::test(flavor = "current_thread")]
async fn the_shell_runners_json_stdout_feeds_a_branch() {
    let file = wf(
        vec![
            json!({ "id": "measure", "kind": "operator", "runner": "shell",
                    "params": { "command": "echo '{\"lines\":5}'" } }),
            control("decide", "branch"),
            json!({ "id": "big", "kind": "operator" }),
            json!({ "id": "small", "kind": "operator", "runner": "shell",
                    "params": { "command": "printf '%s' \"$SYMPHONY_INPUTS\"" } }),
            control("either", "merge"),
            emit("after", json!({})),
        ],
        vec![
            edge("measure", "decide", "hard"),
            when("decide", "big", "lines > 10"),
            when("decide", "small", "lines <= 10"),
            edge("big", "either", "hard"),
            edge("small", "either", "hard"),
            edge("either", "after", "hard"),
        ],
    );
    let run = start(file);
    let wf = run.wf.clone();
    let (report, _, emit) = run.finish().await;
    assert_eq!(report.state, WorkflowState::Completed);
    assert_eq!(
        states(&report, &wf, &["big", "small", "either", "after"]),
        [
            NodeState::Skipped,
            NodeState::Completed,
            NodeState::Completed,
            NodeState::Completed
        ]
    );
    // `small` printed its inputs, JSON, so its value is that JSON: the branch's value.
    assert_eq!(
        emit.inputs("after"),
        [("either".to_owned(), json!({ "decide": { "lines": 5 } }))]
    );
}

#[tokio::test(start_paused = true)]
async fn parallel_passes_one_value_on_and_join_passes_several_as_an_object_by_id() {
    let file = wf(
        vec![
            emit("source", json!({ "value": [1, 2, 3] })),
            control("fan-out", "parallel"),
            emit("x", json!({ "value": "ex" })),
            emit("y", json!({ "value": { "why": true } })),
            emit("z", json!({})),
            control("all", "join"),
            emit("sink", json!({})),
        ],
        vec![
            edge("source", "fan-out", "hard"),
            edge("fan-out", "x", "hard"),
            edge("fan-out", "y", "hard"),
            edge("fan-out", "z", "hard"),
            edge("x", "all", "hard"),
            edge("y", "all", "hard"),
            edge("z", "all", "hard"),
            edge("all", "sink", "hard"),
        ],
    );
    let run = start(file);
    let (report, _, emit) = run.finish().await;
    assert_eq!(report.state, WorkflowState::Completed);
    assert_eq!(emit.inputs("x"), [("fan-out".to_owned(), json!([1, 2, 3]))]);
    // `z` produced no value, so the join's object has no `z`.
    assert_eq!(
        emit.inputs("sink"),
        [("all".to_owned(), json!({ "x": "ex", "y": { "why": true } }))]
    );
}

#[tokio::test(start_paused = true)]
async fn a_join_waits_for_every_incoming_edge() {
    let file = wf(
        vec![
            emit("fast", json!({ "ms": 10 })),
            emit("slow", json!({ "ms": 1000 })),
            control("all", "join"),
            emit("after", json!({})),
        ],
        vec![
            edge("fast", "all", "hard"),
            edge("slow", "all", "hard"),
            edge("all", "after", "hard"),
        ],
    );
    let run = start(file);
    let wf = run.wf.clone();
    let (report, events, _) = run.finish().await;
    assert_eq!(report.state, WorkflowState::Completed);
    assert_eq!(
        first_at(&wf, &events, "all", NodeState::Running),
        Duration::from_millis(1000)
    );
}

#[tokio::test(start_paused = true)]
async fn a_merge_starts_at_its_first_taken_edge_without_waiting_for_the_slower_branch() {
    let file = wf(
        vec![
            emit("fast", json!({ "ms": 10, "value": "fast" })),
            emit("slow", json!({ "ms": 1000, "value": "slow" })),
            control("first", "merge"),
            emit("after", json!({})),
        ],
        vec![
            edge("fast", "first", "hard"),
            edge("slow", "first", "hard"),
            edge("first", "after", "hard"),
        ],
    );
    let run = start(file);
    let wf = run.wf.clone();
    let (report, events, emit) = run.finish().await;
    assert_eq!(report.state, WorkflowState::Completed);
    assert_eq!(report.nodes, [NodeState::Completed; 4]);
    let merged = first_at(&wf, &events, "first", NodeState::Running);
    let slow_done = first_at(&wf, &events, "slow", NodeState::Completed);
    assert_eq!(merged, Duration::from_millis(10));
    assert_eq!(slow_done, Duration::from_millis(1000));
    assert!(first_at(&wf, &events, "after", NodeState::Completed) < slow_done);
    assert_eq!(emit.inputs("after"), [("first".to_owned(), json!("fast"))]);
    // The slower branch completing later does not run the merge again.
    let runs = node_events(&wf, &events, "first")
        .iter()
        .filter(|(_, n)| n.state == NodeState::Running)
        .count();
    assert_eq!(runs, 1);
}

#[tokio::test(start_paused = true)]
async fn a_merge_none_of_whose_edges_is_taken_is_skipped() {
    let file = wf(
        vec![
            emit("measure", json!({ "value": { "lines": 5 } })),
            emit("a", json!({})),
            emit("b", json!({ "fatal": true })),
            control("either", "merge"),
            emit("after", json!({})),
        ],
        vec![
            when("measure", "a", "lines > 10"),
            edge("measure", "b", "hard"),
            edge("a", "either", "hard"),
            edge("b", "either", "soft"),
            edge("either", "after", "hard"),
        ],
    );
    let run = start(file);
    let wf = run.wf.clone();
    let (report, _, _) = run.finish().await;
    // `b` failed, so the run fails; the merge took neither edge.
    assert_eq!(report.state, WorkflowState::Failed);
    assert_eq!(
        states(&report, &wf, &["a", "b", "either", "after"]),
        [
            NodeState::Skipped,
            NodeState::Failed,
            NodeState::Skipped,
            NodeState::Skipped
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn a_loop_node_fails_fatally_until_loops_run() {
    let file = wf(
        vec![
            emit("before", json!({})),
            json!({ "id": "again", "kind": "loop", "retries": 3 }),
            emit("after", json!({})),
        ],
        vec![
            edge("before", "again", "hard"),
            when("again", "after", "value < 3"),
        ],
    );
    let mut run = start(file);
    let again = run.ix("again");
    let failed = run
        .until(|e| e.node == again && e.state == NodeState::Failed)
        .await;
    assert_eq!(failed.attempt, 1, "a fatal error uses no retry");
    let message = failed.error.unwrap().message;
    assert!(
        message.contains("`loop` nodes do not run yet") && message.contains("`again`"),
        "{message}"
    );
    let (report, _, emit) = run.finish().await;
    assert_eq!(report.state, WorkflowState::Failed);
    assert_eq!(report.nodes[2], NodeState::Skipped);
    assert_eq!(emit.calls("after"), 0);
}

#[tokio::test(start_paused = true)]
async fn retrying_the_source_of_a_conditional_edge_evaluates_the_condition_again() {
    let file = wf(
        vec![
            emit(
                "measure",
                json!({ "values": [{ "lines": 5 }, { "lines": 50 }] }),
            ),
            emit("big", json!({})),
            emit("other", json!({ "ms": 1000 })),
            control("end", "join"),
        ],
        vec![
            when("measure", "big", "lines > 10"),
            edge("big", "end", "soft"),
            edge("other", "end", "hard"),
        ],
    );
    let mut run = start(file);
    let (measure, big) = (run.ix("measure"), run.ix("big"));
    run.until(|e| e.node == big && e.state == NodeState::Skipped)
        .await;
    run.handle.retry(measure).unwrap();
    let (report, _, emit) = run.finish().await;
    assert_eq!(report.state, WorkflowState::Completed);
    assert_eq!(report.nodes, [NodeState::Completed; 4]);
    assert_eq!((emit.calls("measure"), emit.calls("big")), (2, 1));
}

#[tokio::test(start_paused = true)]
async fn retrying_a_source_whose_other_conditional_target_completed_runs_the_newly_taken_one() {
    let file = wf(
        vec![
            emit(
                "measure",
                json!({ "values": [{ "lines": 5 }, { "lines": 50 }] }),
            ),
            emit("big", json!({})),
            emit("small", json!({})),
            emit("other", json!({ "ms": 1000 })),
            control("end", "join"),
        ],
        vec![
            when("measure", "big", "lines > 10"),
            when("measure", "small", "lines <= 10"),
            edge("big", "end", "soft"),
            edge("small", "end", "soft"),
            edge("other", "end", "hard"),
        ],
    );
    let mut run = start(file);
    let (measure, big, small) = (run.ix("measure"), run.ix("big"), run.ix("small"));
    run.until(|e| e.node == small && e.state == NodeState::Completed)
        .await;
    run.handle.retry(measure).unwrap();
    run.until(|e| e.node == big && e.state == NodeState::Completed)
        .await;
    let (report, _, emit) = run.finish().await;
    assert_eq!(report.state, WorkflowState::Completed);
    assert_eq!((emit.calls("measure"), emit.calls("big")), (2, 1));
    // `small` ran on the first value; a retry upstream does not undo what completed.
    assert_eq!(report.node(small), NodeState::Completed);
    assert_eq!(emit.calls("small"), 1);
}

#[tokio::test(start_paused = true)]
async fn retrying_a_failed_node_whose_soft_dependent_completed_runs_it_again() {
    let file = wf(
        vec![
            emit("flaky", json!({ "fail": 1 })),
            emit("soft", json!({})),
            emit("other", json!({ "ms": 1000 })),
            control("end", "join"),
        ],
        vec![
            edge("flaky", "soft", "soft"),
            edge("soft", "end", "hard"),
            edge("other", "end", "hard"),
        ],
    );
    let mut run = start(file);
    let (flaky, soft) = (run.ix("flaky"), run.ix("soft"));
    run.until(|e| e.node == soft && e.state == NodeState::Completed)
        .await;
    run.handle.retry(flaky).unwrap();
    run.until(|e| e.node == flaky && e.state == NodeState::Completed)
        .await;
    let (report, _, emit) = run.finish().await;
    assert_eq!(report.state, WorkflowState::Completed);
    assert_eq!((emit.calls("flaky"), emit.calls("soft")), (2, 1));
}

#[tokio::test(start_paused = true)]
async fn a_branch_fed_by_a_data_edge_decides_on_the_value() {
    let file = wf(
        vec![
            json!({ "id": "measure", "kind": "operator", "runner": "emit",
                    "params": { "value": { "lines": 50 } },
                    "outputs": [{ "name": "lines", "type": "number" }] }),
            json!({ "id": "decide", "kind": "branch",
                    "inputs": [{ "name": "lines", "type": "json" }] }),
            emit("big", json!({})),
            emit("small", json!({})),
        ],
        vec![
            json!({ "from": "measure", "to": "decide" }),
            when("decide", "big", "lines > 10"),
            when("decide", "small", "lines <= 10"),
        ],
    );
    let run = start(file);
    let wf = run.wf.clone();
    let (report, _, _) = run.finish().await;
    assert_eq!(
        states(&report, &wf, &["big", "small"]),
        [NodeState::Completed, NodeState::Skipped]
    );
}

#[tokio::test(start_paused = true)]
async fn a_branch_with_two_edges_from_one_node_passes_that_nodes_value_on() {
    let file = wf(
        vec![
            json!({ "id": "measure", "kind": "operator", "runner": "emit",
                    "params": { "value": { "lines": 50 } },
                    "outputs": [{ "name": "lines", "type": "number" }] }),
            json!({ "id": "decide", "kind": "branch",
                    "inputs": [{ "name": "lines", "type": "json" }] }),
            emit("big", json!({})),
        ],
        vec![
            json!({ "from": "measure", "to": "decide" }),
            edge("measure", "decide", "hard"),
            when("decide", "big", "lines > 10"),
        ],
    );
    let run = start(file);
    let wf = run.wf.clone();
    let (report, _, emit) = run.finish().await;
    assert_eq!(states(&report, &wf, &["big"]), [NodeState::Completed]);
    assert_eq!(
        emit.inputs("big"),
        [("decide".to_owned(), json!({ "lines": 50 }))]
    );
}

#[tokio::test(start_paused = true)]

async fn node_context_inputs_lists_a_predecessor_once_however_many_edges_join_them() {
    let file = wf(
        vec![
            json!({ "id": "a", "kind": "operator", "runner": "emit", "params": { "value": 1 },
                    "outputs": [{ "name": "n", "type": "number" }] }),
            json!({ "id": "sink", "kind": "operator", "runner": "emit",
                    "inputs": [{ "name": "n", "type": "number" }] }),
        ],
        vec![
            json!({ "from": "a", "to": "sink" }),
            edge("a", "sink", "hard"),
        ],
    );
    let run = start(file);
    let (_, _, emit) = run.finish().await;
    assert_eq!(emit.inputs("sink"), [("a".to_owned(), json!(1))]);
}
