//! Unit tests per op, and a model-based property test against a deliberately naive cache.
#![allow(clippy::unwrap_used)]

use proptest::prelude::*;

use super::*;
use crate::protocol::Annotation;

fn line(text: &str, ln: Option<usize>) -> Line {
    Line {
        text: Some(text.to_owned()),
        ln,
        ..Line::default()
    }
}

fn update(ops: Vec<UpdateOp>) -> Update {
    Update {
        ops,
        pristine: false,
        annotations: Vec::new(),
    }
}

fn ins(texts: &[&str]) -> UpdateOp {
    let lines: Vec<Line> = texts
        .iter()
        .enumerate()
        .map(|(i, t)| line(t, Some(i + 1)))
        .collect();
    UpdateOp::Ins {
        n: lines.len(),
        lines,
    }
}

fn cache_of(texts: &[&str]) -> LineCache {
    let mut cache = LineCache::new();
    cache.apply(&update(vec![ins(texts)])).unwrap();
    cache
}

#[test]
fn ins_fills_an_empty_cache() {
    let cache = cache_of(&["a\n", "b"]);
    assert_eq!(cache.height(), 2);
    assert_eq!(cache.text().as_deref(), Some("a\nb"));
    assert_eq!(cache.line_number(1), Some(2));
    assert!(cache.get(2).is_none());
}

#[test]
fn copy_keeps_old_lines_and_renumbers_from_ln() {
    let mut cache = cache_of(&["a\n", "b\n", "c"]);
    cache
        .apply(&update(vec![
            ins(&["new\n"]),
            UpdateOp::Copy { n: 3, ln: Some(2) },
        ]))
        .unwrap();
    assert_eq!(cache.text().as_deref(), Some("new\na\nb\nc"));
    let numbers: Vec<Option<usize>> = (0..4).map(|i| cache.line_number(i)).collect();
    assert_eq!(numbers, vec![Some(1), Some(2), Some(3), Some(4)]);
}

#[test]
fn copy_without_ln_shares_the_old_lines() {
    let mut cache = cache_of(&["a\n", "b"]);
    let before = cache.lines()[0].clone().unwrap();
    cache
        .apply(&update(vec![UpdateOp::Copy { n: 2, ln: None }]))
        .unwrap();
    assert!(Arc::ptr_eq(&before, cache.lines()[0].as_ref().unwrap()));
}

#[test]
fn renumbering_skips_wrapped_continuations() {
    let mut cache = LineCache::new();
    let lines = vec![
        line("long ", Some(1)),
        line("tail\n", None),
        line("x", Some(2)),
    ];
    cache
        .apply(&update(vec![UpdateOp::Ins { n: 3, lines }]))
        .unwrap();
    cache
        .apply(&update(vec![UpdateOp::Copy { n: 3, ln: Some(10) }]))
        .unwrap();
    let numbers: Vec<Option<usize>> = (0..3).map(|i| cache.line_number(i)).collect();
    assert_eq!(numbers, vec![Some(10), None, Some(11)]);
}

#[test]
fn skip_drops_old_lines_and_unreached_old_lines_are_dropped_too() {
    let mut cache = cache_of(&["a\n", "b\n", "c\n", "d"]);
    cache
        .apply(&update(vec![
            UpdateOp::Skip { n: 1 },
            UpdateOp::Copy { n: 2, ln: Some(1) },
        ]))
        .unwrap();
    assert_eq!(cache.text().as_deref(), Some("b\nc\n"));
}

#[test]
fn invalidate_adds_unknown_lines() {
    let mut cache = cache_of(&["a\n"]);
    cache
        .apply(&update(vec![
            UpdateOp::Copy { n: 1, ln: None },
            UpdateOp::Invalidate { n: 3 },
        ]))
        .unwrap();
    assert_eq!(cache.height(), 4);
    assert_eq!(cache.invalid_count(), 3);
    assert_eq!(cache.text(), None);
    assert!(cache.get(2).is_none());
}

#[test]
fn update_keeps_text_and_replaces_cursor_and_styles() {
    let mut cache = cache_of(&["hello\n", "x"]);
    let fresh = Line {
        text: None,
        ln: None,
        cursor: vec![2],
        styles: vec![0, 2, 0],
    };
    cache
        .apply(&update(vec![
            UpdateOp::Update {
                n: 1,
                lines: vec![fresh],
            },
            UpdateOp::Copy { n: 1, ln: None },
        ]))
        .unwrap();
    let first = cache.get(0).unwrap();
    assert_eq!(
        (first.text.as_deref(), cache.line_number(0)),
        (Some("hello\n"), Some(1))
    );
    assert_eq!(
        (first.cursor.clone(), first.styles.clone()),
        (vec![2], vec![0, 2, 0])
    );
}

#[test]
fn update_of_an_invalid_line_leaves_it_invalid() {
    let mut cache = LineCache::new();
    cache
        .apply(&update(vec![UpdateOp::Invalidate { n: 1 }]))
        .unwrap();
    cache
        .apply(&update(vec![UpdateOp::Update {
            n: 1,
            lines: vec![Line::default()],
        }]))
        .unwrap();
    assert_eq!(cache.invalid_count(), 1);
}

#[test]
fn malformed_updates_are_errors_and_change_nothing() {
    let mut cache = cache_of(&["a\n", "b"]);
    let bad = [
        vec![UpdateOp::Copy { n: 3, ln: None }],
        vec![UpdateOp::Skip { n: 1 }, UpdateOp::Copy { n: 2, ln: None }],
        vec![UpdateOp::Copy {
            n: usize::MAX,
            ln: None,
        }],
        vec![UpdateOp::Ins {
            n: 2,
            lines: vec![line("x", None)],
        }],
        vec![UpdateOp::Ins {
            n: 1,
            lines: vec![Line::default()],
        }],
        vec![UpdateOp::Update {
            n: 3,
            lines: vec![Line::default(); 3],
        }],
        vec![UpdateOp::Update {
            n: 1,
            lines: vec![],
        }],
        vec![UpdateOp::Invalidate { n: usize::MAX }],
        vec![UpdateOp::Copy {
            n: 2,
            ln: Some(usize::MAX),
        }],
    ];
    for ops in bad {
        let err = cache.apply(&update(ops.clone())).unwrap_err();
        assert!(
            matches!(err, BridgeError::MalformedUpdate { .. }),
            "{ops:?}: {err:?}"
        );
        assert_eq!(
            cache.text().as_deref(),
            Some("a\nb"),
            "{ops:?} changed the cache"
        );
    }
}

#[test]
fn pristine_and_annotations_come_from_the_last_update() {
    let mut cache = cache_of(&["ab"]);
    let selection = Annotation {
        kind: "selection".into(),
        ranges: vec![[0, 0, 0, 2]],
        payloads: None,
        n: 1,
    };
    let find = Annotation {
        kind: "find".into(),
        ranges: vec![[0, 1, 0, 2]],
        payloads: None,
        n: 1,
    };
    let u = Update {
        ops: vec![UpdateOp::Copy { n: 1, ln: None }],
        pristine: true,
        annotations: vec![find, selection],
    };
    cache.apply(&u).unwrap();
    assert!(cache.pristine());
    assert_eq!(cache.selections(), vec![(0, 0, 0, 2)]);
    assert_eq!(cache.annotations().len(), 2);
}

fn with_caret(text: &str, ln: usize, caret: Option<usize>) -> Line {
    Line {
        text: Some(text.into()),
        ln: Some(ln),
        cursor: caret.into_iter().collect(),
        styles: vec![],
    }
}

#[test]
fn the_caret_is_whichever_end_the_lines_mark() {
    // "hello\nworld" with "d" selected backwards: the caret is at the start, as xi shows it.
    let lines = vec![
        with_caret("hello\n", 1, None),
        with_caret("world", 2, Some(4)),
    ];
    let selection = Annotation {
        kind: "selection".into(),
        ranges: vec![[1, 4, 1, 5]],
        payloads: None,
        n: 1,
    };
    let mut cache = LineCache::new();
    cache
        .apply(&Update {
            ops: vec![UpdateOp::Ins { n: 2, lines }],
            pristine: false,
            annotations: vec![selection],
        })
        .unwrap();
    assert_eq!(cache.cursor(), Some((1, 4)));

    // Forwards, or when the lines say nothing, the end.
    let lines = vec![
        with_caret("hello\n", 1, None),
        with_caret("world", 2, Some(5)),
    ];
    let selection = Annotation {
        kind: "selection".into(),
        ranges: vec![[1, 4, 1, 5]],
        payloads: None,
        n: 1,
    };
    cache
        .apply(&Update {
            ops: vec![UpdateOp::Ins { n: 2, lines }],
            pristine: false,
            annotations: vec![selection],
        })
        .unwrap();
    assert_eq!(cache.cursor(), Some((1, 5)));
    assert_eq!(cache.cursors(), vec![(1, 5)]);
}

#[test]
fn without_annotations_carets_come_from_the_lines() {
    let lines = vec![with_caret("a\n", 1, Some(1)), with_caret("b", 2, Some(0))];
    let mut cache = LineCache::new();
    cache
        .apply(&update(vec![UpdateOp::Ins { n: 2, lines }]))
        .unwrap();
    assert_eq!(cache.cursor(), Some((0, 1)));
    assert_eq!(cache.cursors(), vec![(0, 1), (1, 0)]);
    assert_eq!(LineCache::new().cursor(), None);
}

// ---- model-based property test ----

/// The simplest cache that could work: plain clones, one line at a time.
fn model_apply(old: &[Option<Line>], ops: &[UpdateOp]) -> Option<Vec<Option<Line>>> {
    let mut new = Vec::new();
    let mut i = 0;
    for op in ops {
        match op {
            UpdateOp::Copy { n, ln } => {
                let mut next = *ln;
                for _ in 0..*n {
                    let mut line = old.get(i)?.clone();
                    i += 1;
                    if let (Some(number), Some(l)) = (next, line.as_mut())
                        && l.ln.is_some()
                    {
                        l.ln = Some(number);
                        next = Some(number.checked_add(1)?);
                    }
                    new.push(line);
                }
            }
            UpdateOp::Skip { n } => {
                for _ in 0..*n {
                    old.get(i)?;
                    i += 1;
                }
            }
            UpdateOp::Invalidate { n } => {
                for _ in 0..*n {
                    new.push(None);
                }
            }
            UpdateOp::Ins { n, lines } => {
                if *n != lines.len() || lines.iter().any(|l| l.text.is_none()) {
                    return None;
                }
                for l in lines {
                    new.push(Some(l.clone()));
                }
            }
            UpdateOp::Update { n, lines } => {
                if *n != lines.len() {
                    return None;
                }
                for fresh in lines {
                    let old_line = old.get(i)?.clone();
                    i += 1;
                    new.push(old_line.map(|o| Line {
                        text: o.text,
                        ln: fresh.ln.or(o.ln),
                        cursor: fresh.cursor.clone(),
                        styles: fresh.styles.clone(),
                    }));
                }
            }
        }
    }
    Some(new)
}

fn arb_line(with_text: bool) -> impl Strategy<Value = Line> {
    (
        "[a-c]{0,3}\n?",
        prop::option::of(1usize..50),
        prop::collection::vec(0usize..5, 0..2),
        prop::collection::vec(-3i64..5, 0..4),
    )
        .prop_map(move |(text, ln, cursor, styles)| Line {
            text: with_text.then_some(text),
            ln,
            cursor,
            styles,
        })
}

fn arb_op() -> impl Strategy<Value = UpdateOp> {
    // Counts mostly fit small caches, sometimes overrun them, and `n` sometimes lies.
    prop_oneof![
        3 => (0usize..5, prop::option::of(0usize..30)).prop_map(|(n, ln)| UpdateOp::Copy { n, ln }),
        2 => (0usize..4).prop_map(|n| UpdateOp::Skip { n }),
        2 => (0usize..4).prop_map(|n| UpdateOp::Invalidate { n }),
        3 => (prop::collection::vec(arb_line(true), 0..4), prop_oneof![9 => Just(0usize), 1 => 1usize..3])
            .prop_map(|(lines, lie)| UpdateOp::Ins { n: lines.len() + lie, lines }),
        1 => prop::collection::vec(arb_line(false), 0..3).prop_map(|lines| UpdateOp::Ins { n: lines.len(), lines }),
        2 => (prop::collection::vec(arb_line(false), 0..3), prop_oneof![9 => Just(0usize), 1 => 1usize..3])
            .prop_map(|(lines, lie)| UpdateOp::Update { n: lines.len() + lie, lines }),
    ]
}

fn snapshot(cache: &LineCache) -> Vec<Option<Line>> {
    cache.to_lines()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn line_cache_matches_the_naive_model(updates in prop::collection::vec(prop::collection::vec(arb_op(), 0..6), 1..8)) {
        let mut cache = LineCache::new();
        let mut model: Vec<Option<Line>> = Vec::new();
        for ops in updates {
            let expected = model_apply(&model, &ops);
            let result = cache.apply(&update(ops.clone()));
            match expected {
                Some(lines) => {
                    prop_assert!(result.is_ok(), "model accepted {:?} but the cache said {:?}", ops, result);
                    model = lines;
                }
                None => prop_assert!(result.is_err(), "model refused {:?} but the cache accepted it", ops),
            }
            prop_assert_eq!(snapshot(&cache), model.clone());
            let model_text: Option<String> = model.iter().map(|l| l.as_ref()?.text.clone()).collect();
            prop_assert_eq!(cache.text(), model_text);
            prop_assert_eq!(cache.invalid_count(), model.iter().filter(|l| l.is_none()).count());
        }
    }
}
