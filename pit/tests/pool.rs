//! The Pool Manager against a scripted resource: warming once for many, the memory budget
//! and LRU eviction, failures with backoff, health checks, hits that outlive eviction,
//! timeouts and prewarming.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use pit::pool::{BoxFuture, Pool, PoolError, PoolPolicy, Resource};

/// A model whose value is its name; sizes, failures, delays and health are scripted.
#[derive(Debug, Default)]
struct Models {
    sizes: HashMap<&'static str, u64>,
    /// Warmings of each key that fail before one succeeds.
    fail_first: Mutex<HashMap<&'static str, u32>>,
    warm_delay: Duration,
    unhealthy: Mutex<Vec<String>>,
    log: Mutex<Vec<String>>,
    live: Arc<AtomicU64>,
}

/// A value that counts how many exist.
#[derive(Debug)]
struct Model {
    name: String,
    live: Arc<AtomicU64>,
}

impl Drop for Model {
    fn drop(&mut self) {
        self.live.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Models {
    fn log(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }
}

impl Resource for Models {
    type Key = &'static str;
    type Value = Model;

    fn warm(&self, key: &&'static str) -> BoxFuture<'_, Result<Model, String>> {
        let key = *key;
        Box::pin(async move {
            self.log.lock().unwrap().push(format!("warm {key}"));
            tokio::time::sleep(self.warm_delay).await;
            let mut fail = self.fail_first.lock().unwrap();
            if let Some(n) = fail.get_mut(key).filter(|n| **n > 0) {
                *n -= 1;
                return Err(format!("{key}: no GPU"));
            }
            self.live.fetch_add(1, Ordering::SeqCst);
            Ok(Model {
                name: key.to_owned(),
                live: self.live.clone(),
            })
        })
    }

    fn size(&self, value: &Model) -> u64 {
        self.sizes.get(value.name.as_str()).copied().unwrap_or(1)
    }

    fn check<'a>(
        &'a self,
        key: &'a &'static str,
        _: &'a Model,
    ) -> BoxFuture<'a, Result<(), String>> {
        Box::pin(async move {
            if self.unhealthy.lock().unwrap().iter().any(|k| k == key) {
                Err("no answer to ping".to_owned())
            } else {
                Ok(())
            }
        })
    }

    fn cool<'a>(&'a self, key: &'a &'static str, _: &'a Model) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            self.log.lock().unwrap().push(format!("cool {key}"));
        })
    }
}

fn policy(budget: u64) -> PoolPolicy {
    PoolPolicy {
        budget,
        warm_timeout: Duration::from_secs(5),
        retry_base: Duration::from_millis(30),
        retry_max: Duration::from_millis(200),
        max_attempts: 3,
    }
}

async fn settle() {
    for _ in 0..10 {
        tokio::task::yield_now().await;
    }
    tokio::time::sleep(Duration::from_millis(5)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_acquirers_of_a_cold_entry_warm_it_once() {
    let models = Models {
        warm_delay: Duration::from_millis(50),
        ..Models::default()
    };
    let pool = Pool::new(models, policy(100));
    assert!(pool.get(&"llm").is_none());
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let pool = pool.clone();
        tasks.push(tokio::spawn(async move {
            pool.acquire(&"llm").await.unwrap().name.clone()
        }));
    }
    for task in tasks {
        assert_eq!(task.await.unwrap(), "llm");
    }
    assert_eq!(pool.get(&"llm").unwrap().name, "llm");
    assert_eq!(pool.stats().warms.load(Ordering::Relaxed), 1);
    assert_eq!(pool.states(), vec![("llm", "hot")]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_least_recently_used_are_cooled_to_stay_within_the_budget() {
    let models = Models {
        sizes: HashMap::from([("a", 40), ("b", 40), ("c", 40)]),
        ..Models::default()
    };
    let live = models.live.clone();
    let pool = Pool::new(models, policy(100));
    pool.acquire(&"a").await.unwrap();
    pool.acquire(&"b").await.unwrap();
    // Recency counts in pool events (here, warming `x`): `a` is used after it, `b` is not,
    // so `b` is the least recently used when `c` needs room.
    pool.acquire(&"x").await.unwrap();
    drop(pool.get(&"a").unwrap());
    pool.acquire(&"c").await.unwrap();
    assert!(
        pool.get(&"b").is_none(),
        "{:?} used {}",
        pool.states(),
        pool.used()
    );
    assert!(pool.get(&"a").is_some() && pool.get(&"c").is_some());
    assert_eq!(pool.used(), 81);
    settle().await;
    assert_eq!(
        live.load(Ordering::SeqCst),
        3,
        "b was shut down and dropped"
    );
    assert!(
        pool.states().iter().all(|(k, _)| *k != "b"),
        "b is cold again"
    );
    assert_eq!(pool.stats().evictions.load(Ordering::Relaxed), 1);
    // And it warms again on demand.
    pool.acquire(&"b").await.unwrap();
    assert_eq!(pool.get(&"b").unwrap().name, "b");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hit_keeps_its_value_alive_through_eviction() {
    let models = Models {
        sizes: HashMap::from([("a", 60), ("b", 60)]),
        ..Models::default()
    };
    let live = models.live.clone();
    let pool = Pool::new(models, policy(100));
    let hit = pool.acquire(&"a").await.unwrap();
    pool.acquire(&"b").await.unwrap();
    settle().await;
    assert!(pool.get(&"a").is_none(), "a was evicted");
    assert_eq!(hit.name, "a", "the hit still reads it");
    assert_eq!(live.load(Ordering::SeqCst), 2);
    drop(hit);
    assert_eq!(live.load(Ordering::SeqCst), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_entry_is_retried_after_its_backoff_and_given_up_after_max_attempts() {
    let models = Models::default();
    models.fail_first.lock().unwrap().insert("ocr", 1);
    models.fail_first.lock().unwrap().insert("bad", 99);
    let pool = Pool::new(models, policy(100));
    let error = pool.acquire(&"ocr").await.unwrap_err();
    assert!(
        matches!(error, PoolError::Failed { attempts: 1, .. }),
        "{error}"
    );
    assert!(error.to_string().contains("no GPU"), "{error}");
    assert!(
        pool.get(&"ocr").is_none(),
        "a failed entry is never handed out"
    );
    assert!(
        matches!(pool.acquire(&"ocr").await, Err(PoolError::Failed { .. })),
        "not yet due"
    );
    tokio::time::sleep(Duration::from_millis(40)).await;
    assert_eq!(pool.acquire(&"ocr").await.unwrap().name, "ocr");

    for _ in 0..3 {
        let _ = pool.acquire(&"bad").await;
        tokio::time::sleep(Duration::from_millis(210)).await;
    }
    let error = pool.acquire(&"bad").await.unwrap_err();
    assert!(
        matches!(error, PoolError::GaveUp { attempts: 3, .. }),
        "{error}"
    );
    pool.forget(&"bad");
    assert!(matches!(
        pool.acquire(&"bad").await,
        Err(PoolError::Failed { attempts: 1, .. })
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_entry_larger_than_the_budget_is_refused() {
    let models = Models {
        sizes: HashMap::from([("huge", 1000)]),
        ..Models::default()
    };
    let pool = Pool::new(models, policy(100));
    let error = pool.acquire(&"huge").await.unwrap_err();
    assert!(
        matches!(error, PoolError::TooLarge { size: 1000, .. }),
        "{error}"
    );
    assert_eq!(pool.used(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_health_check_failure_takes_the_entry_out_and_shuts_it_down() {
    let models = Models::default();
    let pool = Pool::new(models, policy(100));
    pool.acquire(&"a").await.unwrap();
    pool.acquire(&"b").await.unwrap();
    assert!(pool.check_health().await.is_empty());
    set_unhealthy(&pool, "b");
    assert_eq!(pool.check_health().await, vec!["b"]);
    assert!(pool.get(&"b").is_none());
    settle().await;
    assert!(pool.states().contains(&("b", "failed")));
    assert_eq!(pool.used(), 1);
}

fn set_unhealthy(pool: &Pool<Models>, key: &str) {
    pool.resource()
        .unhealthy
        .lock()
        .unwrap()
        .push(key.to_owned());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn warming_that_hangs_times_out() {
    let models = Models {
        warm_delay: Duration::from_secs(10),
        ..Models::default()
    };
    let pool = Pool::new(
        models,
        PoolPolicy {
            warm_timeout: Duration::from_millis(50),
            ..policy(100)
        },
    );
    let error = pool.acquire(&"slow").await.unwrap_err();
    assert!(error.to_string().contains("longer than"), "{error}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prewarming_warms_in_the_given_order() {
    let pool = Pool::new(Models::default(), policy(100));
    pool.prewarm(vec!["parse", "embed", "summarise"])
        .await
        .unwrap();
    assert_eq!(
        pool.resource().log(),
        vec!["warm parse", "warm embed", "warm summarise"]
    );
    assert!(pool.get(&"embed").is_some());
}
