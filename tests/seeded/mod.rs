//! Randomness for fault tests that can be replayed: a splitmix64 generator seeded from the
//! clock, or from `SYMPHONY_TEST_SEED` to reproduce a failure (the seed is printed).
#![allow(dead_code)]

/// splitmix64.
pub struct Rng {
    state: u64,
    seed: u64,
}

impl Rng {
    /// Seeded from `SYMPHONY_TEST_SEED`, else from the clock; prints the seed.
    pub fn from_env() -> Rng {
        let seed = std::env::var("SYMPHONY_TEST_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_nanos() as u64)
            });
        eprintln!("SYMPHONY_TEST_SEED={seed}");
        Rng { state: seed, seed }
    }

    /// Seeded with `seed`, for tests that replay the same values every run.
    pub fn with_seed(seed: u64) -> Rng {
        Rng { state: seed, seed }
    }

    /// A number below `n` (which must not be 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// The seed, to name in failure messages.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The next number.
    pub fn next(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}
