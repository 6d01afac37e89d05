//! The log of every REST request the sim answered: method, path, route, status, body
//! and time, for tests that assert what the bot called and for `GET /_sim/requests`.

use std::collections::VecDeque;

use parking_lot::Mutex;
use serde::Serialize;
use serde_json::Value;

/// Entries kept; older ones are dropped (the count of all requests is kept).
const CAPACITY: usize = 50_000;

#[derive(Debug, Clone, Serialize)]
pub struct RequestRecord {
    /// 1 for the first request the sim answered, then up by one.
    pub seq: u64,
    pub method: String,
    /// Path under `/api/v10`, without the query.
    pub path: String,
    pub query: Option<String>,
    /// The spec's route template, e.g. `/channels/{channel_id}/messages`.
    pub route: Option<String>,
    pub status: u16,
    /// The JSON body (for multipart, `payload_json` plus `files: [{name, filename, size}]`).
    pub body: Value,
    /// The JSON error the sim answered with, if any.
    pub error: Option<Value>,
    /// Unix milliseconds when the request arrived.
    pub at_ms: u64,
    pub duration_ms: f64,
}

#[derive(Debug, Default)]
pub struct RequestLog {
    inner: Mutex<RequestLogInner>,
}

#[derive(Debug, Default)]
struct RequestLogInner {
    total: u64,
    entries: VecDeque<RequestRecord>,
}

impl RequestLog {
    /// Adds a record, giving it the next sequence number.
    pub fn push(&self, mut record: RequestRecord) {
        let mut inner = self.inner.lock();
        inner.total += 1;
        record.seq = inner.total;
        inner.entries.push_back(record);
        if inner.entries.len() > CAPACITY {
            inner.entries.pop_front();
        }
    }

    /// Records with `seq > since`, optionally only those whose path starts with a prefix
    /// or whose method matches.
    pub fn since(
        &self,
        since: u64,
        path_prefix: Option<&str>,
        method: Option<&str>,
    ) -> Vec<RequestRecord> {
        self.inner
            .lock()
            .entries
            .iter()
            .filter(|r| r.seq > since)
            .filter(|r| path_prefix.is_none_or(|p| r.path.starts_with(p)))
            .filter(|r| method.is_none_or(|m| r.method.eq_ignore_ascii_case(m)))
            .cloned()
            .collect()
    }

    pub fn total(&self) -> u64 {
        self.inner.lock().total
    }

    pub fn clear(&self) {
        self.inner.lock().entries.clear();
    }
}
