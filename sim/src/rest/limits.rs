//! STUB
use crate::error::FieldError;
pub fn check(_m: &str, _t: &str, _b: &serde_json::Value) -> Vec<FieldError> { Vec::new() }
pub fn empty_message(_b: &serde_json::Value) -> bool { false }
pub fn normalize_channel_name(_k: u8, n: &str) -> String { n.to_string() }
