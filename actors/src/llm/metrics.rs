//! What the LLM client reports to `/metrics`: calls by kind and outcome with their
//! latency, HTTP attempts by status and the retries among them, prompt and completion
//! tokens, and the circuit breaker's state.

use std::time::Duration;

use super::breaker::BreakerState;
use super::LlmFailure;

/// Calls by `kind` (`tool`, `stream`) and `outcome` (`ok` or the failure's label).
pub const REQUESTS: &str = "agora_llm_requests_total";
/// A call's time from the caller's ask to its answer, by `kind`.
pub const REQUEST_SECONDS: &str = "agora_llm_request_seconds";
/// HTTP attempts by `status` (`200`, `429`, `503`, `error` for no answer).
pub const ATTEMPTS: &str = "agora_llm_attempts_total";
/// Attempts that were retries.
pub const RETRIES: &str = "agora_llm_retries_total";
pub const PROMPT_TOKENS: &str = "agora_llm_prompt_tokens_total";
pub const COMPLETION_TOKENS: &str = "agora_llm_completion_tokens_total";
/// 0 closed, 1 open, 2 half-open (one trial call out).
pub const BREAKER_STATE: &str = "agora_llm_breaker_state";

/// One call answered.
pub fn request<T>(kind: &'static str, result: &Result<T, LlmFailure>, elapsed: Duration) {
    let outcome = match result {
        Ok(_) => "ok",
        Err(failure) => failure.label(),
    };
    metrics::counter!(REQUESTS, "kind" => kind, "outcome" => outcome).increment(1);
    metrics::histogram!(REQUEST_SECONDS, "kind" => kind).record(elapsed.as_secs_f64());
}

pub fn attempt(status: &str) {
    metrics::counter!(ATTEMPTS, "status" => status.to_owned()).increment(1);
}

pub fn retry() {
    metrics::counter!(RETRIES).increment(1);
}

pub fn tokens(prompt: u64, completion: u64) {
    metrics::counter!(PROMPT_TOKENS).increment(prompt);
    metrics::counter!(COMPLETION_TOKENS).increment(completion);
}

pub fn breaker(state: BreakerState) {
    metrics::gauge!(BREAKER_STATE).set(state.gauge());
}
