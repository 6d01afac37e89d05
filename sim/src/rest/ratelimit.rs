//! STUB
use std::time::{Duration, Instant, SystemTime};
use axum::http::HeaderMap;
use axum::response::Response;
#[derive(Debug, Clone, Default)]
pub struct RateLimitConfig { pub enabled: bool, pub global_per_second: u32, pub overrides: Vec<BucketOverride> }
#[derive(Debug, Clone)]
pub struct BucketOverride { pub route: String, pub limit: u32, pub window: Duration }
#[derive(Debug)]
pub struct RateLimiter;
pub struct RouteCall<'a> { pub method: &'a str, pub template: &'a str, pub params: &'a [(String, String)] }
pub struct RateHeaders;
pub enum RateScope { User, Global, Shared }
pub enum RateDecision { Allowed(RateHeaders), Limited { headers: RateHeaders, retry_after: f64, global: bool, scope: RateScope } }
impl RateLimiter {
    pub fn new(_c: RateLimitConfig) -> Self { RateLimiter }
    pub fn check(&self, _c: &RouteCall<'_>, _n: Instant, _w: SystemTime) -> RateDecision { RateDecision::Allowed(RateHeaders) }
    pub fn shrink(&self, _r: &str, _l: u32, _w: Duration) {}
    pub fn force_429(&self, _r: &str, _c: u32, _s: RateScope) {}
    pub fn set_enabled(&self, _on: bool) {}
}
impl RateHeaders { pub fn apply(&self, _h: &mut HeaderMap) {} }
impl RateDecision { pub fn into_429_response(self) -> Option<Response> { None } }
