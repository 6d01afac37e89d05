//! How many guilds and members the bot has, for `/usage` (and the presence's
//! placeholders): guilds from the kernel's guild directory; members from each guild's
//! GUILD_CREATE `member_count`, kept current by joins and leaves when the members intent
//! is on (another feature's), and fetched once over REST (`with_counts`) for a guild a
//! resumed session brought no GUILD_CREATE for.

use std::collections::HashMap;
use std::sync::Arc;

use parking_lot::Mutex;
use twilight_gateway::{Event, EventTypeFlags};
use twilight_model::gateway::payload::incoming::GuildCreate;
use twilight_model::id::marker::GuildMarker;
use twilight_model::id::Id;

use crate::bus::{delivered, Deliver, EventBus};
use crate::kernel::Kernel;

const EVENTS: EventTypeFlags = EventTypeFlags::GUILD_CREATE
    .union(EventTypeFlags::GUILD_DELETE)
    .union(EventTypeFlags::MEMBER_ADD)
    .union(EventTypeFlags::MEMBER_REMOVE);

/// The bot's guilds and their member counts; cheap to clone.
#[derive(Debug, Clone)]
pub struct Census {
    kernel: Kernel,
    members: Arc<Mutex<HashMap<Id<GuildMarker>, u64>>>,
}

/// What the census counts now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub guilds: u64,
    pub members: u64,
}

impl Census {
    /// A census following the gateway under `name` (each feature has its own).
    pub fn follow(kernel: &Kernel, bus: &EventBus, name: &'static str) -> Census {
        let census = Census {
            kernel: kernel.clone(),
            members: Arc::default(),
        };
        let members = census.members.clone();
        let deliver: Deliver = Arc::new(move |event| {
            let mut members = members.lock();
            match event.event.as_ref() {
                Event::GuildCreate(create) => {
                    if let GuildCreate::Available(guild) = create.as_ref() {
                        if let Some(count) = guild.member_count {
                            members.insert(guild.id, count);
                        }
                    }
                }
                Event::GuildDelete(delete) => {
                    members.remove(&delete.id);
                }
                Event::MemberAdd(add) => {
                    if let Some(count) = members.get_mut(&add.guild_id) {
                        *count += 1;
                    }
                }
                Event::MemberRemove(remove) => {
                    if let Some(count) = members.get_mut(&remove.guild_id) {
                        *count = count.saturating_sub(1);
                    }
                }
                _ => {}
            }
            delivered()
        });
        bus.subscribe(name, EVENTS, deliver);
        census
    }

    /// The guilds and members now; a guild whose count the gateway did not bring is asked
    /// of Discord once (a failure leaves it uncounted until next time).
    pub async fn counts(&self) -> Counts {
        let guilds: Vec<Id<GuildMarker>> = self
            .kernel
            .guilds
            .guilds()
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        let missing: Vec<Id<GuildMarker>> = {
            let members = self.members.lock();
            guilds
                .iter()
                .filter(|id| !members.contains_key(id))
                .copied()
                .collect()
        };
        for guild in missing {
            // A guild fetched at start (a resumed session) came with its count.
            if let Some(count) = self.kernel.guilds.member_count(guild) {
                self.members.lock().entry(guild).or_insert(count);
                continue;
            }
            let fetched = self
                .kernel
                .discord
                .client()
                .guild(guild)
                .with_counts(true)
                .await;
            let count = match fetched {
                Ok(response) => response
                    .model()
                    .await
                    .ok()
                    .and_then(|guild| guild.approximate_member_count),
                Err(error) => {
                    tracing::warn!(guild = guild.get(), %error, "could not read the guild's member count");
                    None
                }
            };
            if let Some(count) = count {
                self.members.lock().entry(guild).or_insert(count);
            }
        }
        let members = self.members.lock();
        Counts {
            guilds: guilds.len() as u64,
            members: guilds.iter().filter_map(|id| members.get(id)).sum(),
        }
    }
}
