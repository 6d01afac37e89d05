//! Detection, pure and fast: a guild's sliding join window (weighted by account age,
//! look-alike names and avatars), each member's recent messages against the spam rules,
//! and each person's recent destructive actions. Times are the events' own (a join's
//! `joined_at`, a message's snowflake), so a monitor that falls behind still judges what
//! happened when it happened. Nothing here touches the network or the store.

use std::collections::{HashMap, VecDeque};
use std::hash::{Hash, Hasher};

use super::settings::{GuardSettings, SpamRule};

/// Milliseconds since the Unix epoch.
pub type Millis = i64;

/// Discord's epoch (2015-01-01) in Unix milliseconds: a snowflake's time is
/// `(id >> 22) + DISCORD_EPOCH`.
pub const DISCORD_EPOCH: Millis = 1_420_070_400_000;

/// When a snowflake (a user's, a message's) was made.
pub fn snowflake_time(id: u64) -> Millis {
    (id >> 22) as Millis + DISCORD_EPOCH
}

/// One join, as the join window weighs it.
#[derive(Debug, Clone)]
pub struct Join {
    pub user: u64,
    pub at: Millis,
    /// When the account was made (its id's time).
    pub account_created: Millis,
    pub name: String,
    pub avatar: Option<String>,
}

#[derive(Debug, Clone)]
struct Joined {
    user: u64,
    at: Millis,
    weight: f64,
    name_key: u64,
    avatar_key: Option<u64>,
}

/// What a join means for the guild.
#[derive(Debug, Clone, PartialEq)]
pub enum JoinVerdict {
    /// Nothing to do.
    Calm,
    /// This join crossed the threshold: raid mode starts, and these accounts (the
    /// window's joiners, this one included) are handled.
    RaidStarts {
        accounts: Vec<u64>,
        score: f64,
        threshold: f64,
    },
    /// Raid mode is on: this joiner is handled like the raid's.
    DuringRaid,
}

/// A guild's recent joins and whether it is in raid mode.
#[derive(Debug, Default)]
pub struct JoinWindow {
    joins: VecDeque<Joined>,
    score: f64,
    names: HashMap<u64, u32>,
    avatars: HashMap<u64, u32>,
    /// Raid mode: when it started and when the last join came.
    pub raid: Option<RaidMode>,
    /// Extra weight of each join while one invite code brings most of the window's joins
    /// (the monitor learns it from the guild's invite uses).
    pub invite_bonus: f64,
}

/// Raid mode as the window knows it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RaidMode {
    pub started: Millis,
    pub last_join: Millis,
}

fn key_of(text: &str) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut hasher);
    hasher.finish()
}

/// A name reduced to what look-alike raid accounts share: lower-case letters only
/// (`Spammer_123`, `spammer456` and `SPAMMER` are one).
pub fn name_skeleton(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_alphabetic())
        .flat_map(char::to_lowercase)
        .collect()
}

/// How many joins with the same name or avatar make them look alike.
const LOOK_ALIKE: u32 = 3;

impl JoinWindow {
    /// Weighs a join and says what it means; `members` is the server's size now. Until the
    /// size is known (`judge` false) the join is only counted.
    pub fn join(
        &mut self,
        join: &Join,
        settings: &GuardSettings,
        members: u64,
        judge: bool,
    ) -> JoinVerdict {
        let window = i64::from(settings.raid_window_seconds) * 1000;
        self.evict(join.at - window);
        if let Some(raid) = self.raid.as_mut() {
            raid.last_join = raid.last_join.max(join.at);
            return JoinVerdict::DuringRaid;
        }
        let new_account =
            join.at - join.account_created < i64::from(settings.new_account_days) * 86_400_000;
        let skeleton = name_skeleton(&join.name);
        let name_key = key_of(&skeleton);
        let avatar_key = join.avatar.as_deref().map(key_of);
        let same_name = {
            let count = self.names.entry(name_key).or_default();
            *count += 1;
            *count
        };
        let same_avatar = avatar_key.map_or(0, |key| {
            let count = self.avatars.entry(key).or_default();
            *count += 1;
            *count
        });
        let mut weight = 1.0;
        if new_account {
            weight += 1.0;
        }
        if join.avatar.is_none() {
            weight += 0.25;
        }
        if skeleton.len() >= 3 && same_name >= LOOK_ALIKE {
            weight += 0.5;
        }
        if same_avatar >= LOOK_ALIKE {
            weight += 0.5;
        }
        weight += self.invite_bonus;
        self.score += weight;
        self.joins.push_back(Joined {
            user: join.user,
            at: join.at,
            weight,
            name_key,
            avatar_key,
        });
        let threshold = settings.raid_threshold(members);
        if judge && settings.raid_enabled && self.score >= threshold {
            self.raid = Some(RaidMode {
                started: join.at,
                last_join: join.at,
            });
            return JoinVerdict::RaidStarts {
                accounts: self.joins.iter().map(|j| j.user).collect(),
                score: self.score,
                threshold,
            };
        }
        JoinVerdict::Calm
    }

    /// The weighted joins in the window now.
    pub fn score(&self) -> f64 {
        self.score
    }

    /// Joins in the window now.
    pub fn recent_joins(&self) -> usize {
        self.joins.len()
    }

    fn evict(&mut self, before: Millis) {
        while self.joins.front().is_some_and(|j| j.at < before) {
            let Some(old) = self.joins.pop_front() else {
                break;
            };
            self.score -= old.weight;
            decrement(&mut self.names, old.name_key);
            if let Some(key) = old.avatar_key {
                decrement(&mut self.avatars, key);
            }
        }
        if self.joins.is_empty() {
            self.score = 0.0;
        }
    }

    /// Raid mode is over (by staff, or quiet): the window starts afresh.
    pub fn end_raid(&mut self) {
        self.raid = None;
        self.invite_bonus = 0.0;
        self.joins.clear();
        self.names.clear();
        self.avatars.clear();
        self.score = 0.0;
    }
}

fn decrement(counts: &mut HashMap<u64, u32>, key: u64) {
    if let Some(count) = counts.get_mut(&key) {
        *count -= 1;
        if *count == 0 {
            counts.remove(&key);
        }
    }
}

/// One message as the spam rules read it.
#[derive(Debug, Clone)]
pub struct Posted<'a> {
    pub message: u64,
    pub channel: u64,
    pub author: u64,
    pub content: &'a str,
    /// Members and roles mentioned.
    pub mentions: usize,
}

#[derive(Debug, Clone, Copy)]
struct Recent {
    at: Millis,
    message: u64,
    channel: u64,
    text: u64,
    links: u16,
}

/// One member's recent messages.
#[derive(Debug, Default)]
struct Track {
    recent: VecDeque<Recent>,
    /// Until when this member's rule hits are already being handled (no second action).
    handled_until: Millis,
}

/// What a message means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SpamVerdict {
    Clean,
    /// A rule caught it: act on the author and remove these messages `(channel, id)`.
    Caught {
        rule: SpamRule,
        messages: Vec<(u64, u64)>,
    },
    /// The author was just handled: only remove this message.
    Sweep {
        message: (u64, u64),
    },
}

/// How long the rate and duplicate rules look back at most.
const SPAM_MEMORY_MS: Millis = 30_000;
/// Messages kept per member (enough for every rule's window).
const KEPT: usize = 50;
/// After an action, the member's new messages are only removed for this long.
const HANDLED_MS: Millis = 30_000;

/// Every member's recent messages in one guild.
#[derive(Debug, Default)]
pub struct SpamWatch {
    tracks: HashMap<u64, Track>,
}

/// Links in a text (`http://`, `https://`).
fn count_links(text: &str) -> usize {
    text.matches("http://").count() + text.matches("https://").count()
}

/// Whether a text carries a Discord invite.
pub fn has_invite(text: &str) -> bool {
    const INVITES: [&str; 3] = [
        "discord.gg/",
        "discord.com/invite/",
        "discordapp.com/invite/",
    ];
    // Read on every message: no copy, and most texts have no slash at all.
    if !text.contains('/') {
        return false;
    }
    let bytes = text.as_bytes();
    INVITES.iter().any(|needle| {
        bytes
            .windows(needle.len())
            .any(|window| window.eq_ignore_ascii_case(needle.as_bytes()))
    })
}

/// Emoji in a text: custom ones (`<:name:id>`, `<a:name:id>`) and pictographs.
fn count_emoji(text: &str) -> usize {
    let custom = text.matches("<:").count() + text.matches("<a:").count();
    let pictographs = text
        .chars()
        .filter(|c| {
            let c = *c as u32;
            (0x1F300..=0x1FAFF).contains(&c) || (0x2600..=0x27BF).contains(&c)
        })
        .count();
    custom + pictographs
}

impl SpamWatch {
    /// Reads a message against the guild's rules (the caller has already left out the
    /// exempt: staff, allow-listed roles and channels, bots).
    pub fn read(&mut self, posted: &Posted<'_>, settings: &GuardSettings) -> SpamVerdict {
        let at = snowflake_time(posted.message);
        let track = self.tracks.entry(posted.author).or_default();
        while track
            .recent
            .front()
            .is_some_and(|r| r.at < at - SPAM_MEMORY_MS)
            || track.recent.len() >= KEPT
        {
            track.recent.pop_front();
        }
        let links = count_links(posted.content);
        let text = key_of(posted.content.trim());
        track.recent.push_back(Recent {
            at,
            message: posted.message,
            channel: posted.channel,
            text,
            links: links.min(usize::from(u16::MAX)) as u16,
        });
        let this = (posted.channel, posted.message);
        if at < track.handled_until {
            return SpamVerdict::Sweep { message: this };
        }
        let single = |rule: SpamRule| SpamVerdict::Caught {
            rule,
            messages: vec![this],
        };
        let rule = if settings.spam_rule_on(SpamRule::Mentions)
            && posted.mentions >= settings.spam_mentions as usize
        {
            Some(single(SpamRule::Mentions))
        } else if settings.spam_rule_on(SpamRule::Invites) && has_invite(posted.content) {
            Some(single(SpamRule::Invites))
        } else if settings.spam_rule_on(SpamRule::Walls)
            && (posted.content.matches('\n').count() + 1 >= settings.spam_wall as usize
                || count_emoji(posted.content) >= settings.spam_wall as usize)
        {
            Some(single(SpamRule::Walls))
        } else {
            None
        };
        let verdict = rule.or_else(|| {
            let rate_from = at - i64::from(settings.spam_rate_seconds) * 1000;
            // Counted without allocating (a clean message, nearly all of them, builds no
            // list); the messages are listed only for a verdict.
            let in_rate = |r: &&Recent| r.at >= rate_from;
            if settings.spam_rule_on(SpamRule::Rate)
                && track.recent.iter().filter(in_rate).count() >= settings.spam_rate as usize
            {
                return Some(SpamVerdict::Caught {
                    rule: SpamRule::Rate,
                    messages: track
                        .recent
                        .iter()
                        .filter(in_rate)
                        .map(|r| (r.channel, r.message))
                        .collect(),
                });
            }
            let same = |r: &&Recent| r.text == text;
            let mut channels = [0u64; KEPT];
            let (mut copies, mut distinct) = (0, 0);
            for recent in track.recent.iter().filter(same) {
                copies += 1;
                if !channels[..distinct].contains(&recent.channel) && distinct < KEPT {
                    channels[distinct] = recent.channel;
                    distinct += 1;
                }
            }
            if settings.spam_rule_on(SpamRule::Duplicates)
                && !posted.content.trim().is_empty()
                && (copies >= settings.spam_duplicates as usize || distinct >= 3)
            {
                return Some(SpamVerdict::Caught {
                    rule: SpamRule::Duplicates,
                    messages: track
                        .recent
                        .iter()
                        .filter(same)
                        .map(|r| (r.channel, r.message))
                        .collect(),
                });
            }
            let links_recent: usize = track.recent.iter().map(|r| usize::from(r.links)).sum();
            if settings.spam_rule_on(SpamRule::Links)
                && links > 0
                && links_recent >= settings.spam_links as usize
            {
                return Some(SpamVerdict::Caught {
                    rule: SpamRule::Links,
                    messages: track
                        .recent
                        .iter()
                        .filter(|r| r.links > 0)
                        .map(|r| (r.channel, r.message))
                        .collect(),
                });
            }
            None
        });
        match verdict {
            Some(verdict) => {
                track.handled_until = at + HANDLED_MS;
                verdict
            }
            None => SpamVerdict::Clean,
        }
    }

    /// Forgets members silent for longer than every rule looks back.
    pub fn sweep(&mut self, now: Millis) {
        self.tracks.retain(|_, track| {
            track
                .recent
                .back()
                .is_some_and(|r| r.at >= now - SPAM_MEMORY_MS)
                || track.handled_until > now
        });
    }

    /// Members followed now.
    pub fn tracked(&self) -> usize {
        self.tracks.len()
    }
}

/// What a destructive action means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NukeVerdict {
    Fine,
    /// Over the limit: strip this person's dangerous roles; `actions` is how many in the
    /// window.
    Nuking {
        actions: usize,
    },
}

/// Each person's recent destructive actions in one guild.
#[derive(Debug, Default)]
pub struct NukeWatch {
    actors: HashMap<u64, (VecDeque<Millis>, Millis)>,
}

impl NukeWatch {
    /// Counts one destructive action by `actor` at `at`.
    pub fn record(&mut self, actor: u64, at: Millis, settings: &GuardSettings) -> NukeVerdict {
        let window = i64::from(settings.nuke_window_seconds) * 1000;
        let (times, handled_until) = self.actors.entry(actor).or_default();
        times.push_back(at);
        while times.front().is_some_and(|t| *t < at - window) {
            times.pop_front();
        }
        if settings.nuke_enabled
            && times.len() > settings.nuke_limit as usize
            && at >= *handled_until
        {
            *handled_until = at + window;
            return NukeVerdict::Nuking {
                actions: times.len(),
            };
        }
        NukeVerdict::Fine
    }

    pub fn sweep(&mut self, now: Millis) {
        self.actors.retain(|_, (times, until)| {
            times.back().is_some_and(|t| *t >= now - 3_600_000) || *until > now
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn join(user: u64, at: Millis, age_days: i64, name: &str) -> Join {
        Join {
            user,
            at,
            account_created: at - age_days * 86_400_000,
            name: name.to_owned(),
            avatar: Some(format!("avatar{user}")),
        }
    }

    #[test]
    fn sixty_new_accounts_in_twenty_seconds_raid_a_small_server_not_a_large_one() {
        let settings = GuardSettings::protecting();
        let start = 1_800_000_000_000;
        let mut small = JoinWindow::default();
        let mut large = JoinWindow::default();
        let mut raid_at = None;
        for n in 0..60u64 {
            let joiner = join(n + 1, start + (n as i64) * 333, 1, &format!("user{n}"));
            if let JoinVerdict::RaidStarts { accounts, .. } =
                small.join(&joiner, &settings, 500, true)
            {
                raid_at.get_or_insert((n, accounts.len()));
            }
            assert_eq!(
                large.join(&joiner, &settings, 50_000, true),
                JoinVerdict::Calm
            );
        }
        // New accounts weigh two: the fifth crosses a threshold of 10.
        assert_eq!(raid_at, Some((4, 5)));
    }

    #[test]
    fn joins_spread_over_an_hour_are_calm() {
        let settings = GuardSettings::protecting();
        let mut window = JoinWindow::default();
        for n in 0..60u64 {
            let joiner = join(n + 1, 1_800_000_000_000 + n as i64 * 60_000, 1, "newbie");
            assert_eq!(
                window.join(&joiner, &settings, 500, true),
                JoinVerdict::Calm
            );
        }
    }

    #[test]
    fn look_alike_names_weigh_more_than_old_distinct_accounts() {
        let settings = GuardSettings::protecting();
        let at = 1_800_000_000_000;
        let mut distinct = JoinWindow::default();
        let mut alike = JoinWindow::default();
        for n in 0..4u64 {
            distinct.join(
                &join(n, at, 400, ["ann", "bob", "cy", "dee"][n as usize]),
                &settings,
                50,
                true,
            );
            alike.join(
                &join(n, at, 400, &format!("raider{n}")),
                &settings,
                50,
                true,
            );
        }
        assert!(alike.score() > distinct.score());
    }

    fn message(id_ms: Millis, seq: u64) -> u64 {
        (((id_ms - DISCORD_EPOCH) as u64) << 22) | seq
    }

    #[test]
    fn a_flood_is_caught_once_and_then_swept() {
        let settings = GuardSettings::protecting();
        let mut watch = SpamWatch::default();
        let at = 1_800_000_000_000;
        let mut verdicts = Vec::new();
        for n in 0..10 {
            let posted = Posted {
                message: message(at + n * 200, n as u64),
                channel: 7,
                author: 1,
                content: &format!("message {n}"),
                mentions: 0,
            };
            verdicts.push(watch.read(&posted, &settings));
        }
        let caught = verdicts
            .iter()
            .filter(|v| matches!(v, SpamVerdict::Caught { .. }))
            .count();
        assert_eq!(caught, 1);
        assert!(matches!(
            &verdicts[6],
            SpamVerdict::Caught { rule: SpamRule::Rate, messages } if messages.len() == 7
        ));
        assert!(matches!(verdicts[9], SpamVerdict::Sweep { .. }));
    }

    #[test]
    fn chat_at_a_human_pace_is_clean() {
        let settings = GuardSettings::protecting();
        let mut watch = SpamWatch::default();
        let at = 1_800_000_000_000;
        for n in 0..100 {
            let posted = Posted {
                message: message(at + n * 4_000, n as u64),
                channel: 7 + (n as u64 % 3),
                author: 1,
                content: &if n % 3 == 0 {
                    format!("hello there, number {n} https://example.com")
                } else {
                    format!("hello there, number {n}")
                },
                mentions: 1,
            };
            assert_eq!(watch.read(&posted, &settings), SpamVerdict::Clean, "{n}");
        }
    }

    #[test]
    fn the_same_text_in_three_channels_is_caught() {
        let settings = GuardSettings::protecting();
        let mut watch = SpamWatch::default();
        let at = 1_800_000_000_000;
        let verdicts: Vec<_> = (0..3)
            .map(|n| {
                watch.read(
                    &Posted {
                        message: message(at + n * 2_000, n as u64),
                        channel: 10 + n as u64,
                        author: 2,
                        content: "free nitro here",
                        mentions: 0,
                    },
                    &settings,
                )
            })
            .collect();
        assert!(matches!(
            &verdicts[2],
            SpamVerdict::Caught { rule: SpamRule::Duplicates, messages } if messages.len() == 3
        ));
    }

    #[test]
    fn single_message_rules() {
        let settings = GuardSettings::protecting();
        let mut watch = SpamWatch::default();
        let at = 1_800_000_000_000;
        let mut read = |n: u64, content: &str, mentions: usize| {
            watch.read(
                &Posted {
                    message: message(at, n),
                    channel: 1,
                    author: 100 + n,
                    content,
                    mentions,
                },
                &settings,
            )
        };
        assert!(matches!(
            read(1, "hi all", 9),
            SpamVerdict::Caught {
                rule: SpamRule::Mentions,
                ..
            }
        ));
        assert!(matches!(
            read(2, "join discord.gg/abc", 0),
            SpamVerdict::Caught {
                rule: SpamRule::Invites,
                ..
            }
        ));
        let wall = "a\n".repeat(40);
        assert!(matches!(
            read(3, &wall, 0),
            SpamVerdict::Caught {
                rule: SpamRule::Walls,
                ..
            }
        ));
        assert_eq!(read(4, "a normal line", 2), SpamVerdict::Clean);
    }

    #[test]
    fn deleting_five_channels_in_ten_seconds_is_a_nuke_once() {
        let settings = GuardSettings::protecting();
        let mut watch = NukeWatch::default();
        let at = 1_800_000_000_000;
        let verdicts: Vec<_> = (0..5)
            .map(|n| watch.record(9, at + n * 2_000, &settings))
            .collect();
        assert_eq!(
            verdicts[..3],
            [NukeVerdict::Fine, NukeVerdict::Fine, NukeVerdict::Fine]
        );
        assert_eq!(verdicts[3], NukeVerdict::Nuking { actions: 4 });
        assert_eq!(verdicts[4], NukeVerdict::Fine);
    }
}
