//! The Pit: pool, DAG tracker, artifact store, arbitration and stale manager.
