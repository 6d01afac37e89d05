//! TEMPORARY shim of the LLM client's public API (see /work/notes/llm-contract.md), so the
//! governance feature builds before the real client is merged; reverted then.

use std::time::Duration;

use serde_json::Value;

/// A handle to the process's LlmClient (the shim has none).
#[derive(Clone, Debug)]
pub struct LlmClient {
    _private: (),
}

impl LlmClient {
    /// The process's client: never one in the shim.
    pub fn of(_kernel: &crate::kernel::Kernel) -> Option<LlmClient> {
        None
    }

    /// Always `NotConfigured` in the shim.
    pub async fn call_tool(
        &self,
        _template: &str,
        _context: Value,
        _tool: ToolSpec,
        _deadline: Duration,
    ) -> Result<Value, LlmFailure> {
        Err(LlmFailure::NotConfigured)
    }

    /// Always `NotConfigured` in the shim.
    pub async fn stream_text(
        &self,
        _template: &str,
        _context: Value,
        _pieces: tokio::sync::mpsc::Sender<String>,
        _deadline: Duration,
    ) -> Result<String, LlmFailure> {
        Err(LlmFailure::NotConfigured)
    }
}

/// A tool the model is asked to call.
#[derive(Clone, Debug)]
pub struct ToolSpec {
    pub name: &'static str,
    pub description: &'static str,
    pub parameters: Value,
}

/// Why the model gave no answer.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum LlmFailure {
    #[error("no language model is configured")]
    NotConfigured,
    #[error("the language model is unavailable for {retry_after:?}")]
    Unavailable { retry_after: Duration },
    #[error("the language model took too long")]
    Timeout,
    #[error("the language model is rate-limited")]
    RateLimited,
    #[error("the language model failed: {0}")]
    Server(String),
    #[error("the language model answered something unusable: {0}")]
    Malformed(String),
    #[error("the language model is busy")]
    Busy,
}

impl LlmFailure {
    pub fn describe(&self, _locale: crate::kernel::i18n::Locale) -> String {
        self.to_string()
    }
}
