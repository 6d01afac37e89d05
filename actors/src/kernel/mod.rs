//! What every actor shares: the clock, the store, the cache, Discord I/O, the command
//! catalogue, the permission policy and the custom_id codec.

pub mod cache;
pub mod clock;
pub mod custom_id;
pub mod policy;
pub mod reply;
pub mod store;
pub mod supervision;
