//! agora-actors: Agora's actor system — the kernel every actor shares (store, cache,
//! Discord I/O, clock, command catalogue, permission policy, custom_id codec), the
//! gateway session, the interaction dispatcher and the feature actors.
//!
//! What it is for: running Agora's concerns as supervised actix actors that speak typed
//! messages. What it is not: a general Discord framework (twilight is that) or the binary
//! (the `agora` crate wires this crate to configuration, ops and the command line).

pub mod bus;
pub mod cluster;
pub mod core;
pub mod dispatcher;
pub mod feature;
pub mod gateway;
pub mod governance;
pub mod identify;
pub mod kernel;
pub mod llm;
pub mod presence;
pub mod security;
pub mod shifts;
pub mod stats;
pub mod tickets;
pub mod usage;

/// The built-in features after `core`, in boot order. Adding a feature is a folder and one
/// line here.
pub fn built_in_features() -> Vec<Box<dyn feature::Feature>> {
    vec![
        Box::new(shifts::ShiftsFeature),
        Box::new(tickets::TicketsFeature::default()),
        Box::new(security::SecurityFeature::default()),
        // Before the features that ask the model: they find its client at their start.
        Box::new(llm::LlmFeature),
        Box::new(stats::StatsFeature::default()),
        Box::new(governance::GovernanceFeature::default()),
        Box::new(usage::UsageFeature::default()),
        // After usage: `{commands}` reads its totals.
        Box::new(presence::PresenceFeature),
    ]
}

/// Every built-in feature's migrations (for `agora migrate` and the store tests).
pub fn built_in_migrations() -> Vec<feature::Migrations> {
    built_in_features()
        .iter()
        .map(|feature| feature.migrations())
        .collect()
}
