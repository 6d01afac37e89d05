//! What a server-protection bot (anti-raid, anti-spam, anti-nuke, lockdown) needs from the
//! sim, end to end: account age and avatars, invites, incident actions, audit log entries
//! for the bot's and people's moderation, channel webhooks, mentions, bulk deletes,
//! timeouts, bans that delete messages and permission overwrites read back exactly.

mod common;

use std::time::Duration;

use agora_sim::actions::{Moderation, ModerationKind, UserSpec};
use agora_sim::{Sim, SimConfig};
use common::{Answer, Control, RawGateway, Received, Rest, ALL_INTENTS};
use serde_json::{json, Value};

const KICK_MEMBERS: u64 = 1 << 1;
const BAN_MEMBERS: u64 = 1 << 2;
const ADMINISTRATOR: u64 = 1 << 3;
const MANAGE_CHANNELS: u64 = 1 << 4;
const MANAGE_GUILD: u64 = 1 << 5;
const VIEW_AUDIT_LOG: u64 = 1 << 7;
const VIEW_CHANNEL: u64 = 1 << 10;
const SEND_MESSAGES: u64 = 1 << 11;
const MANAGE_MESSAGES: u64 = 1 << 13;
const MENTION_EVERYONE: u64 = 1 << 17;
const MANAGE_ROLES: u64 = 1 << 28;
const MODERATE_MEMBERS: u64 = 1 << 40;
const DISCORD_EPOCH_MS: u64 = 1_420_070_400_000;

/// A sim with rate limits off and no IDENTIFY window.
async fn sim() -> Sim {
    let mut config = common::many_identifies(SimConfig::empty());
    config.rate_limits.enabled = false;
    common::sim_with(config).await
}

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

fn id(value: &Value) -> u64 {
    value
        .as_str()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("expected a snowflake string, got {value}"))
}

fn assert_error(answer: &Answer, status: u16, code: u64) {
    assert_eq!(answer.status, status, "{:?}", answer.body);
    assert_eq!(answer.body["code"], code, "{:?}", answer.body);
}

fn iso_in(duration: chrono::Duration) -> String {
    (chrono::Utc::now() + duration).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// A REST call as the bot with an `X-Audit-Log-Reason` header.
async fn call_with_reason(
    rest: &Rest,
    method: &str,
    path: &str,
    body: Option<Value>,
    reason: &str,
) -> Answer {
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut request = rest
        .client
        .request(method, format!("{}{}", rest.base, path))
        .header("Authorization", format!("Bot {}", rest.token))
        .header("X-Audit-Log-Reason", reason);
    if let Some(body) = body {
        request = request.json(&body);
    }
    Rest::answer(request.send().await.unwrap()).await
}

/// Reads dispatches for a while and returns the names seen (to check what did not come).
async fn dispatch_names(gateway: &mut RawGateway, wait: Duration) -> Vec<String> {
    let mut names = Vec::new();
    while let Some(Received::Payload(payload)) = gateway.next_within(wait).await {
        if let Some(name) = payload["t"].as_str() {
            names.push(name.to_string());
        }
    }
    names
}

#[tokio::test]
async fn users_have_an_account_age_and_an_avatar() {
    let sim = sim().await;
    let control = Control::new(&sim);
    let (guild, _owner) = sim.create_guild("g", "owner", ADMINISTRATOR);
    let (mut gateway, _) = RawGateway::ready(&sim, ALL_INTENTS).await;
    gateway.expect_dispatch("GUILD_CREATE").await;

    let three_days_ago = now_ms() - 3 * 24 * 3600 * 1000;
    let spec = UserSpec {
        username: "fresh".into(),
        created_at_ms: Some(three_days_ago),
        avatar: Some("a_0123456789abcdef0123456789abcdef".into()),
        accepts_dms: true,
    };
    let first = sim.create_user_with(&spec).unwrap();
    let twin = sim.create_user_with(&spec).unwrap();
    assert_ne!(first, twin, "same creation time, still unique ids");
    for user in [first, twin] {
        assert_eq!((user >> 22) + DISCORD_EPOCH_MS, three_days_ago);
    }
    assert!(sim
        .create_user_with(&UserSpec {
            created_at_ms: Some(now_ms() + 60_000),
            ..UserSpec::named("future")
        })
        .is_err());
    let plain = sim.create_user("plain");
    assert!((plain >> 22) + DISCORD_EPOCH_MS + 60_000 > now_ms());

    sim.join_guild(guild, first, &[]).unwrap();
    let added = gateway.expect_dispatch("GUILD_MEMBER_ADD").await;
    assert_eq!(
        added["d"]["user"]["avatar"],
        "a_0123456789abcdef0123456789abcdef"
    );
    assert_eq!(id(&added["d"]["user"]["id"]), first);

    let (status, made) = control
        .post(
            "/users",
            json!({"username": "old", "created_at_ms": DISCORD_EPOCH_MS + 1000, "avatar": "fedcba9876543210fedcba9876543210"}),
        )
        .await;
    assert_eq!(status, 200, "{made}");
    let old = id(&made["id"]);
    assert_eq!((old >> 22) + DISCORD_EPOCH_MS, DISCORD_EPOCH_MS + 1000);
    sim.join_guild(guild, old, &[]).unwrap();
    let rest = Rest::new(&sim);
    let member = rest
        .call("GET", &format!("/guilds/{guild}/members/{old}"), None)
        .await;
    assert_eq!(
        member.body["user"]["avatar"],
        "fedcba9876543210fedcba9876543210"
    );
    let channel = sim.create_channel(guild, "talk", 0, None).unwrap();
    let message = sim.send_message(channel, old, "hi").unwrap();
    let author = &sim.message(message).unwrap()["author"];
    assert_eq!(author["avatar"], "fedcba9876543210fedcba9876543210");
    let parsed: twilight_model::user::User =
        serde_json::from_value(author.clone()).expect("twilight reads the avatar hash");
    assert!(parsed.avatar.is_some());
    assert!(
        sim.create_user_with(&UserSpec {
            avatar: Some("not-a-hash".into()),
            ..UserSpec::named("odd")
        })
        .is_err(),
        "Discord's avatar hashes are 32 hex digits"
    );
    let plain_user = rest.call("GET", &format!("/users/{plain}"), None).await;
    assert_eq!(plain_user.body["avatar"], Value::Null, "default avatar");
}

#[tokio::test]
async fn invites_count_their_uses_and_list_with_metadata() {
    let sim = sim().await;
    let control = Control::new(&sim);
    let rest = Rest::new(&sim);
    let (guild, owner) = sim.create_guild("g", "owner", VIEW_CHANNEL | SEND_MESSAGES);
    let channel = sim.create_channel(guild, "welcome", 0, None).unwrap();
    let code = sim.create_invite(guild, channel, None).unwrap();
    let (status, made) = control
        .post(
            &format!("/guilds/{guild}/invites"),
            json!({"channel_id": channel.to_string(), "max_uses": 5}),
        )
        .await;
    assert_eq!(status, 200, "{made}");
    let second = made["code"].as_str().unwrap().to_string();
    assert_ne!(code, second);

    let (a, b) = (sim.create_user("a"), sim.create_user("b"));
    sim.join_guild_with_invite(guild, a, &code).unwrap();
    let (status, _) = control
        .post(
            &format!("/guilds/{guild}/members"),
            json!({"user_id": b.to_string(), "invite": code}),
        )
        .await;
    assert_eq!(status, 200);
    let c = sim.create_user("c");
    assert!(
        sim.join_guild_with_invite(guild, c, "nope").is_err(),
        "an unknown code"
    );
    let (other_guild, _) = sim.create_guild("other", "o2", ADMINISTRATOR);
    assert!(
        sim.join_guild_with_invite(other_guild, c, &code).is_err(),
        "another guild's code"
    );
    let listed = sim.invites(guild).unwrap();
    let first = listed.iter().find(|i| i["code"] == code.as_str()).unwrap();
    assert_eq!(first["uses"], 2);
    assert_eq!(id(&first["inviter_id"]), owner);

    // Listing over REST needs MANAGE_GUILD (with metadata) or VIEW_AUDIT_LOG (without).
    let path = format!("/guilds/{guild}/invites");
    assert_error(&rest.call("GET", &path, None).await, 403, 50013);
    let (auditing, _) = sim.create_guild("auditing", "owner", VIEW_AUDIT_LOG);
    let auditing_channel = sim.create_channel(auditing, "welcome", 0, None).unwrap();
    sim.create_invite(auditing, auditing_channel, None).unwrap();
    let plain = rest
        .call("GET", &format!("/guilds/{auditing}/invites"), None)
        .await;
    assert_eq!(plain.status, 200, "{:?}", plain.body);
    assert!(plain.body[0]["code"].is_string() && plain.body[0].get("uses").is_none());
    let (guild, _) = sim.create_guild("managed", "owner", MANAGE_GUILD | VIEW_CHANNEL | 1);
    let channel = sim.create_channel(guild, "welcome", 0, None).unwrap();
    let code = sim.create_invite(guild, channel, None).unwrap();
    sim.join_guild_with_invite(guild, a, &code).unwrap();
    let path = format!("/guilds/{guild}/invites");
    let answer = rest.call("GET", &path, None).await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    let invite = &answer.body[0];
    assert_eq!(invite["code"], code.as_str());
    assert_eq!(invite["uses"], 1);
    assert_eq!(invite["max_uses"], 0);
    assert_eq!(invite["max_age"], 604_800);
    assert_eq!(id(&invite["channel"]["id"]), channel);
    assert_eq!(invite["channel"]["name"], "welcome");
    assert_eq!(invite["channel"]["type"], 0);
    assert_eq!(id(&invite["guild"]["id"]), guild);
    assert!(invite["inviter"]["username"].is_string());
    assert!(invite["created_at"].is_string());
    let parsed: Vec<twilight_model::guild::invite::Invite> =
        serde_json::from_value(answer.body.clone()).expect("twilight reads the invites");
    assert_eq!(parsed[0].uses, Some(1));

    // The bot makes one (CREATE_INSTANT_INVITE); without `unique` the same one again.
    let made = rest
        .call(
            "POST",
            &format!("/channels/{channel}/invites"),
            Some(json!({"max_age": 3600})),
        )
        .await;
    assert_eq!(made.status, 200, "{:?}", made.body);
    assert_eq!(made.body["max_age"], 3600);
    assert_eq!(id(&made.body["inviter"]["id"]), sim.bot_user_id());
    let again = rest
        .call(
            "POST",
            &format!("/channels/{channel}/invites"),
            Some(json!({"max_age": 3600})),
        )
        .await;
    assert_eq!(again.body["code"], made.body["code"]);
    let no_body = rest
        .call("POST", &format!("/channels/{channel}/invites"), None)
        .await;
    assert_error(&no_body, 400, 50109);
}

#[tokio::test]
async fn incident_actions_pause_invites_and_show_in_the_guild() {
    let sim = sim().await;
    let rest = Rest::new(&sim);
    let control = Control::new(&sim);
    let (guild, _) = sim.create_guild("g", "owner", MANAGE_GUILD | VIEW_CHANNEL);
    let channel = sim.create_channel(guild, "welcome", 0, None).unwrap();
    let code = sim.create_invite(guild, channel, None).unwrap();
    let (mut gateway, _) = RawGateway::ready(&sim, ALL_INTENTS).await;
    gateway.expect_dispatch("GUILD_CREATE").await;
    assert_eq!(sim.incidents(guild).unwrap(), Default::default());

    let path = format!("/guilds/{guild}/incident-actions");
    let until = iso_in(chrono::Duration::hours(2));
    let paused = rest
        .call(
            "PUT",
            &path,
            Some(json!({"invites_disabled_until": until, "dms_disabled_until": null})),
        )
        .await;
    assert_eq!(paused.status, 200, "{:?}", paused.body);
    let until = paused.body["invites_disabled_until"]
        .as_str()
        .expect("paused")
        .to_string();
    assert!(
        until.ends_with("+00:00"),
        "as Discord writes times: {until}"
    );
    assert_eq!(paused.body["dms_disabled_until"], Value::Null);
    let update = gateway.expect_dispatch("GUILD_UPDATE").await;
    assert_eq!(
        update["d"]["incidents_data"]["invites_disabled_until"],
        until.as_str()
    );
    let incidents = sim.incidents(guild).unwrap();
    assert!(incidents.invites_paused() && !incidents.dms_paused());
    let fetched = rest.call("GET", &format!("/guilds/{guild}"), None).await;
    assert_eq!(
        fetched.body["incidents_data"]["invites_disabled_until"],
        until.as_str()
    );
    let (status, state) = control.get(&format!("/guilds/{guild}/incidents")).await;
    assert_eq!((status, &state["invites_paused"]), (200, &json!(true)));

    // Joining through an invite is refused while paused.
    let person = sim.create_user("raider");
    assert!(sim.join_guild_with_invite(guild, person, &code).is_err());
    let (status, _) = control
        .post(
            &format!("/guilds/{guild}/members"),
            json!({"user_id": person.to_string(), "invite": code}),
        )
        .await;
    assert_eq!(status, 403);
    assert_eq!(sim.invites(guild).unwrap()[0]["uses"], 0);

    // At most 24 hours ahead.
    let too_far = rest
        .call(
            "PUT",
            &path,
            Some(json!({"invites_disabled_until": iso_in(chrono::Duration::hours(25))})),
        )
        .await;
    assert_error(&too_far, 400, 50035);
    assert!(too_far.field_error(&["invites_disabled_until"]).is_some());

    // null lifts it.
    let lifted = rest
        .call(
            "PUT",
            &path,
            Some(json!({"invites_disabled_until": null, "dms_disabled_until": null})),
        )
        .await;
    assert_eq!(lifted.status, 200, "{:?}", lifted.body);
    sim.join_guild_with_invite(guild, person, &code).unwrap();

    // MANAGE_GUILD is needed.
    let (plain, _) = sim.create_guild("plain", "owner", VIEW_CHANNEL);
    let refused = rest
        .call(
            "PUT",
            &format!("/guilds/{plain}/incident-actions"),
            Some(json!({"invites_disabled_until": null})),
        )
        .await;
    assert_error(&refused, 403, 50013);
}

/// A guild where the bot holds `bot_permissions`, a moderator role (kick, ban, manage
/// channels and roles) held by `moderator`, and a plain member.
struct ModGuild {
    guild: u64,
    owner: u64,
    moderator: u64,
    member: u64,
    moderator_role: u64,
}

fn mod_guild(sim: &Sim, bot_permissions: u64) -> ModGuild {
    let (guild, owner) = sim.create_guild("g", "owner", bot_permissions);
    let moderator_role = sim
        .create_role(
            guild,
            "mods",
            KICK_MEMBERS | BAN_MEMBERS | MANAGE_CHANNELS | MANAGE_ROLES | VIEW_AUDIT_LOG,
        )
        .unwrap();
    let moderator = sim.create_user("moderator");
    sim.join_guild(guild, moderator, &[moderator_role]).unwrap();
    let member = sim.create_user("member");
    sim.join_guild(guild, member, &[]).unwrap();
    ModGuild {
        guild,
        owner,
        moderator,
        member,
        moderator_role,
    }
}

fn action(actor: u64, kind: ModerationKind, target: u64) -> Moderation {
    Moderation {
        actor_id: actor,
        action: kind,
        target_id: target,
        reason: Some("nuke".into()),
        delete_message_seconds: 0,
    }
}

#[tokio::test]
async fn people_moderating_leave_audit_entries_the_bot_sees() {
    let sim = sim().await;
    let g = mod_guild(&sim, VIEW_AUDIT_LOG | VIEW_CHANNEL | BAN_MEMBERS);
    let channel = sim.create_channel(g.guild, "doomed", 0, None).unwrap();
    let role = sim.create_role(g.guild, "low", 0).unwrap();
    let (mut gateway, _) = RawGateway::ready(&sim, ALL_INTENTS).await;
    gateway.expect_dispatch("GUILD_CREATE").await;

    // The plain member may do none of it; nobody may kick the owner or a peer above.
    for kind in [ModerationKind::Kick, ModerationKind::Ban] {
        assert!(sim
            .moderate(g.guild, &action(g.member, kind, g.moderator))
            .is_err());
        assert!(sim
            .moderate(g.guild, &action(g.moderator, kind, g.owner))
            .is_err());
    }
    assert!(sim
        .moderate(
            g.guild,
            &action(g.member, ModerationKind::DeleteChannel, channel)
        )
        .is_err());
    assert!(
        sim.moderate(
            g.guild,
            &action(g.moderator, ModerationKind::DeleteRole, g.moderator_role)
        )
        .is_err(),
        "a role at the actor's own height"
    );
    let peer = sim.create_user("peer");
    sim.join_guild(g.guild, peer, &[g.moderator_role]).unwrap();
    assert!(sim
        .moderate(g.guild, &action(g.moderator, ModerationKind::Kick, peer))
        .is_err());

    let expect_entry = |entry: &Value, kind: u64, target: u64| {
        let d = &entry["d"];
        assert_eq!(d["action_type"], kind, "{d}");
        assert_eq!(id(&d["user_id"]), g.moderator);
        assert_eq!(id(&d["target_id"]), target);
        assert_eq!(id(&d["guild_id"]), g.guild);
        assert_eq!(d["reason"], "nuke");
        let parsed: twilight_model::gateway::payload::incoming::GuildAuditLogEntryCreate =
            serde_json::from_value(d.clone())
                .unwrap_or_else(|e| panic!("twilight reads the entry: {e}: {d}"));
        assert_eq!(u16::from(parsed.action_type), kind as u16);
    };

    sim.moderate(
        g.guild,
        &action(g.moderator, ModerationKind::Kick, g.member),
    )
    .unwrap();
    gateway.expect_dispatch("GUILD_MEMBER_REMOVE").await;
    let entry = gateway
        .expect_dispatch("GUILD_AUDIT_LOG_ENTRY_CREATE")
        .await;
    expect_entry(&entry, 20, g.member);

    let banned = sim.create_user("banned");
    sim.join_guild(g.guild, banned, &[]).unwrap();
    sim.moderate(g.guild, &action(g.moderator, ModerationKind::Ban, banned))
        .unwrap();
    gateway.expect_dispatch("GUILD_MEMBER_REMOVE").await;
    gateway.expect_dispatch("GUILD_BAN_ADD").await;
    let entry = gateway
        .expect_dispatch("GUILD_AUDIT_LOG_ENTRY_CREATE")
        .await;
    expect_entry(&entry, 22, banned);
    assert!(sim.join_guild(g.guild, banned, &[]).is_err(), "banned");

    sim.moderate(
        g.guild,
        &action(g.moderator, ModerationKind::DeleteChannel, channel),
    )
    .unwrap();
    let deleted = gateway.expect_dispatch("CHANNEL_DELETE").await;
    assert_eq!(id(&deleted["d"]["id"]), channel);
    let entry = gateway
        .expect_dispatch("GUILD_AUDIT_LOG_ENTRY_CREATE")
        .await;
    expect_entry(&entry, 12, channel);
    assert!(entry["d"]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["key"] == "name" && c["old_value"] == "doomed"));

    sim.moderate(
        g.guild,
        &action(g.moderator, ModerationKind::DeleteRole, role),
    )
    .unwrap();
    gateway.expect_dispatch("GUILD_ROLE_DELETE").await;
    let entry = gateway
        .expect_dispatch("GUILD_AUDIT_LOG_ENTRY_CREATE")
        .await;
    expect_entry(&entry, 32, role);

    let (status, log) = Control::new(&sim)
        .get(&format!("/guilds/{}/audit-log", g.guild))
        .await;
    assert_eq!(status, 200);
    let kinds: Vec<u64> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action_type"].as_u64().unwrap())
        .collect();
    assert_eq!(kinds, vec![32, 12, 22, 20], "newest first");

    // The control route does the same.
    let victim = sim.create_user("victim");
    sim.join_guild(g.guild, victim, &[]).unwrap();
    let (status, body) = Control::new(&sim)
        .post(
            &format!("/guilds/{}/moderation", g.guild),
            json!({"actor_id": g.owner.to_string(), "action": "kick", "target_id": victim.to_string()}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let entry = gateway
        .expect_dispatch("GUILD_AUDIT_LOG_ENTRY_CREATE")
        .await;
    assert_eq!(id(&entry["d"]["user_id"]), g.owner);
    assert!(entry["d"].get("reason").is_none());
}

#[tokio::test]
async fn audit_entries_need_view_audit_log() {
    let sim = sim().await;
    let g = mod_guild(&sim, VIEW_CHANNEL);
    let (mut gateway, _) = RawGateway::ready(&sim, ALL_INTENTS).await;
    gateway.expect_dispatch("GUILD_CREATE").await;
    sim.moderate(g.guild, &action(g.moderator, ModerationKind::Ban, g.member))
        .unwrap();
    let names = dispatch_names(&mut gateway, Duration::from_millis(300)).await;
    assert!(
        names.contains(&"GUILD_MEMBER_REMOVE".to_string()),
        "{names:?}"
    );
    assert!(
        !names.contains(&"GUILD_AUDIT_LOG_ENTRY_CREATE".to_string())
            && !names.contains(&"GUILD_BAN_ADD".to_string()),
        "{names:?}"
    );
    assert_eq!(sim.audit_log(g.guild).unwrap().len(), 1, "still recorded");
    let rest = Rest::new(&sim);
    let answer = rest
        .call("GET", &format!("/guilds/{}/audit-logs", g.guild), None)
        .await;
    assert_error(&answer, 403, 50013);
}

#[tokio::test]
async fn the_bots_moderation_leaves_audit_entries_with_its_reason() {
    let sim = sim().await;
    let rest = Rest::new(&sim);
    let everything = VIEW_AUDIT_LOG
        | VIEW_CHANNEL
        | KICK_MEMBERS
        | BAN_MEMBERS
        | MANAGE_CHANNELS
        | MANAGE_ROLES
        | MODERATE_MEMBERS;
    let (guild, _) = sim.create_guild("g", "owner", everything);
    let bot = sim.bot_user_id();
    let role = sim.create_role(guild, "muted", 0).unwrap();
    let (a, b, c) = (
        sim.create_user("a"),
        sim.create_user("b"),
        sim.create_user("c"),
    );
    for user in [a, b, c] {
        sim.join_guild(guild, user, &[]).unwrap();
    }
    let channel = sim.create_channel(guild, "spam", 0, None).unwrap();
    let (mut gateway, _) = RawGateway::ready(&sim, ALL_INTENTS).await;
    gateway.expect_dispatch("GUILD_CREATE").await;

    let reason = "anti-raid%3A%20join%20flood";
    let added = call_with_reason(
        &rest,
        "PUT",
        &format!("/guilds/{guild}/members/{a}/roles/{role}"),
        None,
        reason,
    )
    .await;
    assert_eq!(added.status, 204, "{:?}", added.body);
    let entry = gateway
        .expect_dispatch("GUILD_AUDIT_LOG_ENTRY_CREATE")
        .await;
    let d = &entry["d"];
    assert_eq!(
        (d["action_type"].as_u64(), id(&d["user_id"])),
        (Some(25), bot)
    );
    assert_eq!(d["reason"], "anti-raid: join flood");
    assert_eq!(d["changes"][0]["key"], "$add");
    assert_eq!(id(&d["changes"][0]["new_value"][0]["id"]), role);
    assert_eq!(d["changes"][0]["new_value"][0]["name"], "muted");

    let until = iso_in(chrono::Duration::hours(1));
    let timed_out = call_with_reason(
        &rest,
        "PATCH",
        &format!("/guilds/{guild}/members/{b}"),
        Some(json!({"communication_disabled_until": until})),
        "spam",
    )
    .await;
    assert_eq!(timed_out.status, 200, "{:?}", timed_out.body);
    let entry = gateway
        .expect_dispatch("GUILD_AUDIT_LOG_ENTRY_CREATE")
        .await;
    assert_eq!(entry["d"]["action_type"], 24);
    assert_eq!(
        entry["d"]["changes"][0]["key"],
        "communication_disabled_until"
    );
    let new_value = entry["d"]["changes"][0]["new_value"].as_str().unwrap();
    assert_eq!(
        chrono::DateTime::parse_from_rfc3339(new_value).unwrap(),
        chrono::DateTime::parse_from_rfc3339(&until).unwrap()
    );

    let kicked = call_with_reason(
        &rest,
        "DELETE",
        &format!("/guilds/{guild}/members/{c}"),
        None,
        "bye",
    )
    .await;
    assert_eq!(kicked.status, 204);
    let entry = gateway
        .expect_dispatch("GUILD_AUDIT_LOG_ENTRY_CREATE")
        .await;
    assert_eq!(
        (
            entry["d"]["action_type"].as_u64(),
            id(&entry["d"]["target_id"])
        ),
        (Some(20), c)
    );
    let banned = rest
        .call("PUT", &format!("/guilds/{guild}/bans/{a}"), Some(json!({})))
        .await;
    assert_eq!(banned.status, 204);
    let entry = gateway
        .expect_dispatch("GUILD_AUDIT_LOG_ENTRY_CREATE")
        .await;
    assert_eq!(entry["d"]["action_type"], 22);
    assert!(entry["d"].get("reason").is_none(), "no header, no reason");
    let gone = rest
        .call("DELETE", &format!("/channels/{channel}"), None)
        .await;
    assert_eq!(gone.status, 200);
    gateway
        .expect_dispatch("GUILD_AUDIT_LOG_ENTRY_CREATE")
        .await;
    let gone = rest
        .call("DELETE", &format!("/guilds/{guild}/roles/{role}"), None)
        .await;
    assert_eq!(gone.status, 204);
    gateway
        .expect_dispatch("GUILD_AUDIT_LOG_ENTRY_CREATE")
        .await;

    // The REST audit log: newest first, filters, limit, and what twilight reads.
    let path = format!("/guilds/{guild}/audit-logs");
    let log = rest.call("GET", &path, None).await;
    assert_eq!(log.status, 200, "{:?}", log.body);
    let kinds: Vec<u64> = log.body["audit_log_entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action_type"].as_u64().unwrap())
        .collect();
    assert_eq!(kinds, vec![32, 12, 22, 20, 24, 25]);
    let parsed: twilight_model::guild::audit_log::AuditLog =
        serde_json::from_value(log.body.clone()).expect("twilight reads the audit log");
    assert_eq!(parsed.entries.len(), 6);
    assert!(parsed.users.iter().any(|u| u.id.get() == bot));
    let bans = rest
        .call("GET", &format!("{path}?action_type=22"), None)
        .await;
    assert_eq!(bans.body["audit_log_entries"].as_array().unwrap().len(), 1);
    let two = rest.call("GET", &format!("{path}?limit=2"), None).await;
    let two_entries = two.body["audit_log_entries"].as_array().unwrap().clone();
    assert_eq!(two_entries.len(), 2);
    let older = rest
        .call(
            "GET",
            &format!("{path}?before={}", two_entries[1]["id"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(older.body["audit_log_entries"][0]["action_type"], 22);
    let by_owner = rest.call("GET", &format!("{path}?user_id={a}"), None).await;
    assert_eq!(by_owner.body["audit_log_entries"], json!([]));
    assert_error(
        &rest.call("GET", &format!("{path}?limit=0"), None).await,
        400,
        50035,
    );
    assert_error(
        &rest.call("GET", &format!("{path}?limit=101"), None).await,
        400,
        50035,
    );
}

#[tokio::test]
async fn channel_webhooks_post_messages_as_the_webhook() {
    let sim = sim().await;
    let rest = Rest::new(&sim);
    let (guild, _) = sim.create_guild("g", "owner", ADMINISTRATOR);
    let channel = sim.create_channel(guild, "hooks", 0, None).unwrap();
    let hook = sim.create_webhook(channel, "Spammer").unwrap();
    assert_eq!(
        hook.url,
        format!(
            "https://discord.com/api/webhooks/{}/{}",
            hook.id, hook.token
        )
    );
    let (status, made) = Control::new(&sim)
        .post(
            &format!("/channels/{channel}/webhooks"),
            json!({"name": "Other"}),
        )
        .await;
    assert_eq!(status, 200);
    assert!(made["url"]
        .as_str()
        .unwrap()
        .starts_with("https://discord.com/api/webhooks/"));
    let (mut gateway, _) = RawGateway::ready(&sim, ALL_INTENTS).await;
    gateway.expect_dispatch("GUILD_CREATE").await;

    let path = format!("/webhooks/{}/{}", hook.id, hook.token);
    let posted = rest
        .call_with_token(
            "POST",
            &format!("{path}?wait=true"),
            Some(json!({"content": "free nitro @everyone"})),
            None,
        )
        .await;
    assert_eq!(posted.status, 200, "{:?}", posted.body);
    assert_eq!(posted.body["webhook_id"], hook.id.as_str());
    assert_eq!(posted.body["author"]["id"], hook.id.as_str());
    assert_eq!(posted.body["author"]["username"], "Spammer");
    assert_eq!(posted.body["author"]["bot"], true);
    assert_eq!(posted.body["mention_everyone"], true);
    let created = gateway.expect_dispatch("MESSAGE_CREATE").await;
    assert_eq!(created["d"]["webhook_id"], hook.id.as_str());
    assert_eq!(id(&created["d"]["channel_id"]), channel);

    let renamed = rest
        .call_with_token(
            "POST",
            &format!("{path}?wait=true"),
            Some(json!({"content": "hi", "username": "Official Support"})),
            None,
        )
        .await;
    assert_eq!(renamed.body["author"]["username"], "Official Support");
    let quiet = rest
        .call_with_token(
            "POST",
            &path,
            Some(json!({"embeds": [{"title": "x"}]})),
            None,
        )
        .await;
    assert_eq!(quiet.status, 204);
    assert_eq!(sim.channel_messages(channel).len(), 3);

    let too_long = rest
        .call_with_token(
            "POST",
            &path,
            Some(json!({"content": "x".repeat(2001)})),
            None,
        )
        .await;
    assert_error(&too_long, 400, 50035);
    let empty = rest
        .call_with_token("POST", &path, Some(json!({"content": ""})), None)
        .await;
    assert_error(&empty, 400, 50006);
    let wrong = rest
        .call_with_token(
            "POST",
            &format!("/webhooks/{}/wrong", hook.id),
            Some(json!({"content": "x"})),
            None,
        )
        .await;
    assert_error(&wrong, 404, 10015);
    let unknown = rest
        .call_with_token(
            "POST",
            "/webhooks/123456/abc",
            Some(json!({"content": "x"})),
            None,
        )
        .await;
    assert_error(&unknown, 404, 10015);
    assert_eq!(unknown.body["message"], "Unknown Webhook");
}

#[tokio::test]
async fn messages_carry_mentions_and_mention_everyone_only_when_allowed() {
    let sim = sim().await;
    let (guild, owner) = sim.create_guild("g", "owner", ADMINISTRATOR);
    let channel = sim.create_channel(guild, "talk", 0, None).unwrap();
    let role = sim.create_role(guild, "team", 0).unwrap();
    let (a, b) = (sim.create_user("a"), sim.create_user("b"));
    sim.join_guild(guild, a, &[]).unwrap();
    let (mut gateway, _) = RawGateway::ready(&sim, ALL_INTENTS).await;
    gateway.expect_dispatch("GUILD_CREATE").await;

    let content = format!("<@{b}> <@!{owner}> <@{b}> <@999> <@&{role}> @everyone");
    sim.send_message(channel, a, &content).unwrap();
    let created = gateway.expect_dispatch("MESSAGE_CREATE").await;
    let d = &created["d"];
    let mentioned: Vec<u64> = d["mentions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| id(&u["id"]))
        .collect();
    let mut expected = vec![b, owner];
    expected.sort_unstable();
    assert_eq!(mentioned, expected, "existing users, once each");
    assert_eq!(d["mention_roles"], json!([role.to_string()]));
    assert_eq!(
        d["mention_everyone"], false,
        "@everyone lacks MENTION_EVERYONE"
    );

    sim.send_message(channel, owner, "@here look").unwrap();
    let created = gateway.expect_dispatch("MESSAGE_CREATE").await;
    assert_eq!(created["d"]["mention_everyone"], true, "the owner may");
    let pinger = sim.create_role(guild, "pinger", MENTION_EVERYONE).unwrap();
    sim.set_member_roles(guild, a, &[pinger]).unwrap();
    sim.send_message(channel, a, "@everyone").unwrap();
    let created = gateway.expect_dispatch("MESSAGE_CREATE").await;
    assert_eq!(created["d"]["mention_everyone"], true);
}

#[tokio::test]
async fn bulk_delete_timeouts_hierarchy_ban_purge_and_overwrites() {
    let sim = sim().await;
    let rest = Rest::new(&sim);
    let bot_permissions = VIEW_CHANNEL
        | SEND_MESSAGES
        | MANAGE_MESSAGES
        | MODERATE_MEMBERS
        | MANAGE_ROLES
        | MANAGE_CHANNELS
        | BAN_MEMBERS;
    let (guild, owner) = sim.create_guild("g", "owner", bot_permissions);
    let channel = sim.create_channel(guild, "talk", 0, None).unwrap();
    let spammer = sim.create_user("spammer");
    sim.join_guild(guild, spammer, &[]).unwrap();
    let (mut gateway, _) = RawGateway::ready(&sim, ALL_INTENTS).await;
    gateway.expect_dispatch("GUILD_CREATE").await;

    // Bulk delete: one MESSAGE_DELETE_BULK; too old → 50034; too few → 50035.
    let mut sent = Vec::new();
    for n in 0..3 {
        sent.push(
            sim.send_message(channel, spammer, &format!("spam {n}"))
                .unwrap(),
        );
    }
    let bulk = format!("/channels/{channel}/messages/bulk-delete");
    let ids: Vec<String> = sent[..2].iter().map(u64::to_string).collect();
    let deleted = rest
        .call("POST", &bulk, Some(json!({ "messages": ids })))
        .await;
    assert_eq!(deleted.status, 204, "{:?}", deleted.body);
    let event = gateway.expect_dispatch("MESSAGE_DELETE_BULK").await;
    assert_eq!(event["d"]["ids"], json!(ids));
    let old = ((now_ms() - 15 * 24 * 3600 * 1000 - DISCORD_EPOCH_MS) << 22).to_string();
    let too_old = rest
        .call(
            "POST",
            &bulk,
            Some(json!({"messages": [old, sent[2].to_string()]})),
        )
        .await;
    assert_error(&too_old, 400, 50034);
    let one = rest
        .call(
            "POST",
            &bulk,
            Some(json!({"messages": [sent[2].to_string()]})),
        )
        .await;
    assert_error(&one, 400, 50035);

    // Timeouts: not the owner, not an Administrator, not above 28 days, not above the bot.
    let member = |user: u64| format!("/guilds/{guild}/members/{user}");
    let timeout =
        |days: i64| json!({"communication_disabled_until": iso_in(chrono::Duration::days(days))});
    assert_error(
        &rest.call("PATCH", &member(owner), Some(timeout(1))).await,
        403,
        50013,
    );
    let admin_role = sim.create_role(guild, "admins", ADMINISTRATOR).unwrap();
    let admin = sim.create_user("admin");
    sim.join_guild(guild, admin, &[admin_role]).unwrap();
    assert_error(
        &rest.call("PATCH", &member(admin), Some(timeout(1))).await,
        403,
        50013,
    );
    let too_long = rest
        .call("PATCH", &member(spammer), Some(timeout(29)))
        .await;
    assert_error(&too_long, 400, 50035);
    assert!(too_long
        .field_error(&["communication_disabled_until"])
        .is_some());
    let timed_out = rest.call("PATCH", &member(spammer), Some(timeout(1))).await;
    assert_eq!(timed_out.status, 200, "{:?}", timed_out.body);
    assert!(
        sim.send_message(channel, spammer, "still here").is_err(),
        "timed out"
    );

    // A role above the bot's highest cannot be given.
    let high = sim.create_role(guild, "high", 0).unwrap();
    let bot_role_position = {
        let roles = rest
            .call("GET", &format!("/guilds/{guild}/roles"), None)
            .await;
        roles
            .body
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["managed"] == true)
            .unwrap()["position"]
            .as_i64()
            .unwrap()
    };
    let moved = rest
        .call(
            "PATCH",
            &format!("/guilds/{guild}/roles/{high}"),
            Some(json!({"name": "still high"})),
        )
        .await;
    assert!(bot_role_position > 1, "new roles sit under the bot's");
    assert_eq!(moved.status, 200);
    // Put `high` above the bot's role as an admin would in the client.
    sim.state()
        .world
        .lock()
        .guilds
        .get_mut(&guild)
        .unwrap()
        .roles
        .get_mut(&high)
        .unwrap()
        .position = 100;
    let refused = rest
        .call(
            "PUT",
            &format!("/guilds/{guild}/members/{spammer}/roles/{high}"),
            None,
        )
        .await;
    assert_error(&refused, 403, 50013);

    // A ban with delete_message_seconds purges the member's recent messages in one bulk.
    let lifted = rest
        .call(
            "PATCH",
            &member(spammer),
            Some(json!({"communication_disabled_until": null})),
        )
        .await;
    assert_eq!(lifted.status, 200);
    let recent = sim.send_message(channel, spammer, "more spam").unwrap();
    let bystander = sim.create_user("bystander");
    sim.join_guild(guild, bystander, &[]).unwrap();
    let kept = sim.send_message(channel, bystander, "hello").unwrap();
    let too_many = rest
        .call(
            "PUT",
            &format!("/guilds/{guild}/bans/{spammer}"),
            Some(json!({"delete_message_seconds": 604_801})),
        )
        .await;
    assert_error(&too_many, 400, 50035);
    let banned = rest
        .call(
            "PUT",
            &format!("/guilds/{guild}/bans/{spammer}"),
            Some(json!({"delete_message_seconds": 3600})),
        )
        .await;
    assert_eq!(banned.status, 204, "{:?}", banned.body);
    let purge = gateway.expect_dispatch("MESSAGE_DELETE_BULK").await;
    let mut purged: Vec<u64> = purge["d"]["ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(id)
        .collect();
    purged.sort_unstable();
    assert_eq!(purged, vec![sent[2], recent]);
    let left: Vec<u64> = sim
        .channel_messages(channel)
        .iter()
        .map(|m| id(&m["id"]))
        .collect();
    assert_eq!(left, vec![kept]);

    // Overwrites read back byte for byte after a lockdown and its undo.
    let role = sim.create_role(guild, "verified", 0).unwrap();
    let put = |target: u64, kind: u8, allow: u64, deny: u64| {
        let rest = &rest;
        async move {
            rest.call(
                "PUT",
                &format!("/channels/{channel}/permissions/{target}"),
                Some(json!({"type": kind, "allow": allow.to_string(), "deny": deny.to_string()})),
            )
            .await
        }
    };
    assert_eq!(put(role, 0, VIEW_CHANNEL, 0).await.status, 204);
    assert_eq!(put(guild, 0, 0, 0).await.status, 204);
    let before = sim.channel_overwrites(channel).unwrap().to_string();
    assert_eq!(
        put(guild, 0, 0, SEND_MESSAGES).await.status,
        204,
        "lockdown"
    );
    let locked = sim.channel_overwrites(channel).unwrap();
    assert_eq!(locked[1]["deny"], SEND_MESSAGES.to_string());
    assert_eq!(put(guild, 0, 0, 0).await.status, 204, "undo");
    assert_eq!(sim.channel_overwrites(channel).unwrap().to_string(), before);
    let (status, read) = Control::new(&sim)
        .get(&format!("/channels/{channel}/overwrites"))
        .await;
    assert_eq!((status, read.to_string()), (200, before));
}
