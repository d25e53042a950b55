//! The Orchestra Kit: extension manifests, sandboxed host and protocol.
