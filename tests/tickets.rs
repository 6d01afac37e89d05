//! Support tickets end to end, as the demo guild's people use them through agora-sim: an
//! admin sets up a category with questions and a panel; a member opens a ticket from the
//! panel (answering in a modal) and gets a private channel; staff claim it (one claim of
//! two), keep an internal note, and close it with a reason; the transcript is written,
//! posted and sent; staff reopen and delete it. Also: one ticket from a double click, the
//! opening limits, who may do what, and what staff read of a known history (response
//! times, the daily chart) and of the warnings admins give them.

use std::time::Duration;

use agora_actors::kernel::clock::{Clock, ManualClock, SharedClock};
use agora_actors::tickets::store::Ticket;
use agora_sim::actions::{CommandOption, ComponentUse, InteractionRecord, ModalSubmit};
use agora_testkit::{
    content, custom_ids, is_private, message_text, run_test, wait_until, Harness, Refusal, ANSWER,
};
use serde_json::{Map, Value};
use twilight_model::id::Id;

/// Discord's VIEW_CHANNEL bit.
const VIEW_CHANNEL: u64 = 1 << 10;

fn sub(group: &str, name: &str, options: Vec<CommandOption>) -> Vec<CommandOption> {
    vec![CommandOption::sub(
        group,
        vec![CommandOption::sub(name, options)],
    )]
}

/// `/tickets <group> <name> …` as the admin, in #general; what they were told.
async fn admin(harness: &Harness, group: &str, name: &str, options: Vec<CommandOption>) -> String {
    let record = harness
        .run(
            harness.demo.admin_id,
            harness.demo.general_id,
            "tickets",
            sub(group, name, options),
        )
        .await;
    assert!(is_private(&record), "admins' setup answers are private");
    content(&record)
}

/// `/config tickets <key> value:…` as the admin.
async fn configure_tickets(harness: &Harness, key: &str, value: impl Into<Value>) {
    let record = harness
        .run(
            harness.demo.admin_id,
            harness.demo.general_id,
            "config",
            sub("tickets", key, vec![CommandOption::value("value", value)]),
        )
        .await;
    assert!(
        content(&record).starts_with("Done"),
        "/config tickets {key}: {}",
        content(&record)
    );
}

/// `/ticket <name> …` as `user` in `channel`.
async fn ticket(
    harness: &Harness,
    user: u64,
    channel: u64,
    name: &str,
    options: Vec<CommandOption>,
) -> InteractionRecord {
    harness
        .run(
            user,
            channel,
            "ticket",
            vec![CommandOption::sub(name, options)],
        )
        .await
}

/// A guild with the moderator role set, a "Support" category (with `questions`), the log
/// and transcript channel, and panel 1 deployed in #tickets; the panel message's id.
async fn ticket_guild(questions: Option<&str>) -> (Harness, u64) {
    let harness = Harness::start().await;
    let demo = harness.demo.clone();
    harness
        .configure("moderator-role", "role", demo.moderator_role_id)
        .await;
    let mut options = vec![CommandOption::value("name", "Support")];
    if let Some(questions) = questions {
        options.push(CommandOption::value("questions", questions));
    }
    let saved = admin(&harness, "category", "upsert", options).await;
    assert!(saved.contains("Saved category **Support**"), "{saved}");
    configure_tickets(&harness, "log-channel", demo.admin_log_id.to_string()).await;
    configure_tickets(
        &harness,
        "transcript-channel",
        demo.admin_log_id.to_string(),
    )
    .await;
    let created = admin(
        &harness,
        "panel",
        "create",
        vec![
            CommandOption::value("title", "Need help?"),
            CommandOption::value(
                "description",
                "Open a ticket and staff will answer in private.",
            ),
            CommandOption::value("category", "Support"),
        ],
    )
    .await;
    assert!(created.contains("Created panel 1"), "{created}");
    let deployed = admin(
        &harness,
        "panel",
        "deploy",
        vec![
            CommandOption::value("panel", 1),
            CommandOption::value("channel", demo.tickets_id.to_string()),
        ],
    )
    .await;
    assert!(deployed.contains("Posted panel 1"), "{deployed}");
    let panel = harness
        .sim
        .channel_messages(demo.tickets_id)
        .into_iter()
        .find(|message| custom_ids(message).contains(&"tickets:1:open:1".to_owned()))
        .expect("the panel with its Open button");
    assert!(message_text(&panel).contains("Need help?"));
    let panel_id = panel["id"].as_str().unwrap().parse().unwrap();
    (harness, panel_id)
}

/// Clicks without waiting for the answer; the interaction's id.
fn click_now(harness: &Harness, user: u64, message: u64, custom_id: &str) -> u64 {
    harness
        .sim
        .use_component(ComponentUse {
            message_id: message,
            user_id: user,
            custom_id: custom_id.to_owned(),
            values: Vec::new(),
            unchecked: false,
        })
        .expect("the click")
}

async fn submit(
    harness: &Harness,
    user: u64,
    custom_id: &str,
    fields: &[(&str, &str)],
) -> InteractionRecord {
    let mut map = Map::new();
    for (key, value) in fields {
        map.insert((*key).to_owned(), Value::String((*value).to_owned()));
    }
    let id = harness
        .sim
        .submit_modal(ModalSubmit {
            guild_id: Some(harness.demo.guild_id),
            channel_id: None,
            user_id: user,
            custom_id: custom_id.to_owned(),
            fields: map,
            unchecked: false,
        })
        .expect("the modal submission");
    harness.sim.answer(id, ANSWER).await.expect("an answer")
}

/// The channel id in "Your ticket is open: <#…>".
fn opened_channel(text: &str) -> u64 {
    let start = text
        .find("<#")
        .unwrap_or_else(|| panic!("no channel in {text:?}"))
        + 2;
    let end = start + text[start..].find('>').unwrap();
    text[start..end].parse().unwrap()
}

/// (allow, deny) of the overwrite for `target` in `channel`.
fn overwrite(harness: &Harness, channel: u64, target: u64) -> Option<(u64, u64)> {
    let world = harness.sim.state().world.lock();
    world
        .channel(channel)?
        .permission_overwrites
        .iter()
        .find(|overwrite| overwrite.id == target)
        .map(|overwrite| (overwrite.allow, overwrite.deny))
}

fn channel_exists(harness: &Harness, channel: u64) -> bool {
    harness.sim.state().world.lock().channel(channel).is_some()
}

/// The ticket channel's message that carries `custom_id`.
fn message_with(harness: &Harness, channel: u64, custom_id: &str) -> Value {
    harness
        .sim
        .channel_messages(channel)
        .into_iter()
        .find(|message| custom_ids(message).iter().any(|id| id == custom_id))
        .unwrap_or_else(|| panic!("no message with {custom_id} in {channel}"))
}

/// Ticket 1 of the demo guild once `ready` holds for it (the watcher works behind the
/// gateway, so its effects land a moment after the message or event).
async fn first_ticket_when(harness: &Harness, ready: impl Fn(&Ticket) -> bool) -> Ticket {
    let store = &harness.agora().kernel().store;
    let guild = Id::new(harness.demo.guild_id);
    for _ in 0..100 {
        let ticket = store.ticket(guild, 1).await.unwrap().expect("ticket 1");
        if ready(&ticket) {
            return ticket;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("ticket 1 never got there");
}

/// A harness whose clock and tickers the test drives.
async fn manual_clock_harness() -> (Harness, std::sync::Arc<ManualClock>) {
    let clock = ManualClock::new(chrono::Utc::now());
    let shared: SharedClock = clock.clone();
    (
        Harness::start_with_clock(&[], Vec::new(), shared).await,
        clock,
    )
}

#[test]
fn a_ticket_lives_from_panel_to_transcript_with_each_role_doing_its_part() {
    run_test(async {
        let (harness, panel) = ticket_guild(Some("What happened?|Order number (optional)")).await;
        let demo = harness.demo.clone();
        let opener = demo.member_ids[0];
        let stranger = demo.member_ids[1];
        let (moderator, second_moderator) = (demo.moderator_ids[0], demo.moderator_ids[1]);

        // The panel's button asks the category's questions first.
        let asked = harness.click(opener, panel, "tickets:1:open:1", &[]).await;
        let callback = asked.callback.as_ref().expect("a callback");
        assert_eq!(callback.kind, 9, "a modal: {:?}", callback.data);
        assert_eq!(callback.data["custom_id"], "tickets:1:answers:1");
        let opened = submit(
            &harness,
            opener,
            "tickets:1:answers:1",
            &[("q0", "My order never came"), ("q1", "")],
        )
        .await;
        let told = content(&opened);
        assert!(
            is_private(&opened) && told.starts_with("Your ticket is open"),
            "{told}"
        );
        assert!(told.contains("ticket-0001"), "{told}");
        let channel = opened_channel(&told);

        // A private channel: hidden from @everyone, open to the opener, staff and the bot.
        {
            let world = harness.sim.state().world.lock();
            let made = world.channel(channel).expect("the ticket channel");
            assert_eq!(made.name.as_deref(), Some("ticket-0001"));
        }
        let everyone = overwrite(&harness, channel, demo.guild_id).expect("@everyone's overwrite");
        assert_ne!(everyone.1 & VIEW_CHANNEL, 0, "@everyone cannot see it");
        let opener_can = overwrite(&harness, channel, opener).expect("the opener's overwrite");
        assert_ne!(opener_can.0 & VIEW_CHANNEL, 0, "the opener sees it");
        let staff_can =
            overwrite(&harness, channel, demo.moderator_role_id).expect("staff's overwrite");
        assert_ne!(staff_can.0 & VIEW_CHANNEL, 0, "staff see it");
        assert!(overwrite(&harness, channel, harness.sim.bot_user_id()).is_some());
        assert!(overwrite(&harness, channel, stranger).is_none());

        // The welcome message holds the answers and the staff's buttons.
        let welcome = message_with(&harness, channel, "tickets:1:claim:1");
        let text = message_text(&welcome);
        assert!(
            text.contains("What happened?: My order never came"),
            "{text}"
        );
        assert!(custom_ids(&welcome).contains(&"tickets:1:close:1".to_owned()));
        let welcome_id: u64 = welcome["id"].as_str().unwrap().parse().unwrap();
        harness
            .sim
            .send_message(channel, opener, "Hello, my order #42 is missing")
            .unwrap();

        // The opener is not staff: their Claim is refused and nothing changes.
        let refused = harness
            .click(opener, welcome_id, "tickets:1:claim:1", &[])
            .await;
        assert_eq!(content(&refused), "Only this ticket's staff can do that.");
        // Two moderators claim at once: one claim.
        let first = click_now(&harness, moderator, welcome_id, "tickets:1:claim:1");
        let second = click_now(&harness, second_moderator, welcome_id, "tickets:1:claim:1");
        let answers = [
            content(&harness.sim.answer(first, ANSWER).await.unwrap()),
            content(&harness.sim.answer(second, ANSWER).await.unwrap()),
        ];
        let won = answers
            .iter()
            .filter(|a| a.starts_with("You claimed ticket-0001"))
            .count();
        let lost = answers
            .iter()
            .filter(|a| a.contains("already claimed this ticket"))
            .count();
        assert_eq!((won, lost), (1, 1), "{answers:?}");

        // The first staff message is the ticket's first response (the opener's was not).
        harness
            .sim
            .send_message(channel, moderator, "Looking into it now")
            .unwrap();
        first_ticket_when(&harness, |ticket| ticket.first_response_at.is_some()).await;
        // An internal note is in the timeline for staff, never in the channel.
        let noted = ticket(
            &harness,
            moderator,
            channel,
            "note",
            vec![CommandOption::value("text", "Refund approved by finance")],
        )
        .await;
        assert!(
            content(&noted).starts_with("Note added"),
            "{}",
            content(&noted)
        );
        let info = content(&ticket(&harness, second_moderator, channel, "info", Vec::new()).await);
        assert!(info.contains("note: Refund approved by finance"), "{info}");
        assert!(info.contains("First staff answer after 0 min."), "{info}");
        assert!(info.contains("claimed"), "{info}");
        assert!(harness
            .sim
            .channel_messages(channel)
            .iter()
            .all(|message| !message_text(message).contains("Refund approved")));
        let outsider_info = ticket(&harness, opener, channel, "info", Vec::new()).await;
        assert_eq!(
            content(&outsider_info),
            "Only this ticket's staff can do that."
        );

        // The opener closes it with a reason, through the Close button's modal.
        let asked = harness
            .click(opener, welcome_id, "tickets:1:close:1", &[])
            .await;
        assert_eq!(asked.callback.as_ref().unwrap().kind, 9);
        let closed = submit(
            &harness,
            opener,
            "tickets:1:close-reason:1",
            &[("reason", "Solved, thanks")],
        )
        .await;
        assert_eq!(
            content(&closed),
            "ticket-0001 is closed; the transcript is written."
        );
        let locked = overwrite(&harness, channel, opener).unwrap();
        assert_ne!(
            locked.1 & VIEW_CHANNEL,
            0,
            "the opener no longer sees the channel"
        );
        let again = ticket(&harness, moderator, channel, "close", Vec::new()).await;
        assert_eq!(content(&again), "This ticket isn't open.");

        // The transcript: on disk (HTML and TXT with every message), posted, and sent.
        let stored = harness
            .agora()
            .kernel()
            .store
            .ticket(Id::new(demo.guild_id), 1)
            .await
            .unwrap()
            .unwrap();
        let html_path = stored
            .transcript
            .clone()
            .expect("the transcript's file is remembered");
        let html = std::fs::read_to_string(&html_path).unwrap();
        assert!(html.contains("Hello, my order #42 is missing"), "{html}");
        assert!(html.contains("My order never came"));
        let txt = std::fs::read_to_string(html_path.replace(".html", ".txt")).unwrap();
        assert!(txt.contains("Hello, my order #42 is missing"), "{txt}");
        let posted = harness
            .sim
            .channel_messages(demo.admin_log_id)
            .into_iter()
            .find(|message| message_text(message).starts_with("Transcript of ticket-0001"))
            .expect("the transcript in the transcript channel");
        let files: Vec<&str> = posted["attachments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|file| file["filename"].as_str().unwrap())
            .collect();
        assert_eq!(files, ["ticket-0001-1.html", "ticket-0001-1.txt"]);
        assert!(harness
            .sim
            .dms(opener)
            .iter()
            .any(|dm| message_text(dm).contains("ticket-0001 was closed")));
        let logged = harness.sim.channel_messages(demo.admin_log_id);
        assert!(logged
            .iter()
            .any(|m| message_text(m).contains("Solved, thanks")));

        // Staff reopen it: the opener sees it again; then close and delete it.
        let notice = message_with(&harness, channel, "tickets:1:reopen:1");
        let notice_id: u64 = notice["id"].as_str().unwrap().parse().unwrap();
        // (The opener no longer sees the closed channel: only staff can press Reopen.)
        let reopened = harness
            .click(moderator, notice_id, "tickets:1:reopen:1", &[])
            .await;
        assert_eq!(content(&reopened), "ticket-0001 is open again.");
        let back = overwrite(&harness, channel, opener).unwrap();
        assert_ne!(back.0 & VIEW_CHANNEL, 0, "the opener sees it again");
        let closed = ticket(
            &harness,
            moderator,
            channel,
            "close",
            vec![CommandOption::value("reason", "Done")],
        )
        .await;
        assert!(
            content(&closed).starts_with("ticket-0001 is closed"),
            "{}",
            content(&closed)
        );
        let notices: Vec<Value> = harness
            .sim
            .channel_messages(channel)
            .into_iter()
            .filter(|message| custom_ids(message).contains(&"tickets:1:delete:1".to_owned()))
            .collect();
        let last_notice: u64 = notices.last().unwrap()["id"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        let deleting = harness
            .click(moderator, last_notice, "tickets:1:delete:1", &[])
            .await;
        assert!(
            content(&deleting).starts_with("Deleting the channel of ticket-0001"),
            "{}",
            content(&deleting)
        );
        wait_until(
            "the ticket channel is deleted",
            Duration::from_secs(10),
            || !channel_exists(&harness, channel),
        )
        .await;
        let events = harness
            .agora()
            .kernel()
            .store
            .ticket_events(1)
            .await
            .unwrap();
        let kinds: Vec<&str> = events.iter().map(|event| event.kind.as_str()).collect();
        assert_eq!(
            kinds,
            [
                "opened",
                "claimed",
                "first-response",
                "note",
                "closed",
                "reopened",
                "closed",
                "deleted"
            ]
        );
    });
}

#[test]
fn a_double_click_opens_one_ticket_and_the_limits_hold() {
    run_test(async {
        let (harness, panel) = ticket_guild(None).await;
        let demo = harness.demo.clone();
        let member = demo.member_ids[2];
        let first = click_now(&harness, member, panel, "tickets:1:open:1");
        let second = click_now(&harness, member, panel, "tickets:1:open:1");
        let answers = [
            content(&harness.sim.answer(first, ANSWER).await.unwrap()),
            content(&harness.sim.answer(second, ANSWER).await.unwrap()),
        ];
        let opened: Vec<&String> = answers
            .iter()
            .filter(|a| a.starts_with("Your ticket is open"))
            .collect();
        assert_eq!(opened.len(), 1, "{answers:?}");
        assert!(
            answers
                .iter()
                .any(|a| a.starts_with("You already have 1 open ticket")),
            "{answers:?}"
        );
        let tickets = harness
            .sim
            .state()
            .world
            .lock()
            .guild_channels(demo.guild_id)
            .iter()
            .filter(|channel| {
                channel
                    .name
                    .as_deref()
                    .is_some_and(|name| name.starts_with("ticket-"))
            })
            .count();
        assert_eq!(tickets, 1, "one ticket channel");

        // With room for two, the cooldown turns the next one away and says until when.
        configure_tickets(&harness, "max-open", 2).await;
        configure_tickets(&harness, "cooldown", 30).await;
        let refused = ticket(&harness, member, demo.general_id, "create", Vec::new()).await;
        assert!(
            content(&refused).starts_with("You opened a ticket moments ago"),
            "{}",
            content(&refused)
        );
        // Someone else is not held by this member's cooldown.
        let other = ticket(
            &harness,
            demo.member_ids[1],
            demo.general_id,
            "create",
            vec![CommandOption::value("category", "support")],
        )
        .await;
        assert!(
            content(&other).contains("ticket-0002"),
            "{}",
            content(&other)
        );

        // A barred member is told until when (and why); lifted, they may open again.
        let barred = demo.member_ids[0];
        let added = admin(
            &harness,
            "blacklist",
            "add",
            vec![
                CommandOption::value("user", barred.to_string()),
                CommandOption::value("days", 7),
                CommandOption::value("reason", "spam tickets"),
            ],
        )
        .await;
        assert!(added.contains("may not open tickets here until"), "{added}");
        let refused = ticket(&harness, barred, demo.general_id, "create", Vec::new()).await;
        let text = content(&refused);
        assert!(
            text.starts_with("You can't open tickets on this server until")
                && text.ends_with("Reason: spam tickets"),
            "{text}"
        );
        let lifted = admin(
            &harness,
            "blacklist",
            "remove",
            vec![CommandOption::value("user", barred.to_string())],
        )
        .await;
        assert!(lifted.contains("may open tickets again"), "{lifted}");
        // Bad input changes nothing.
        let unknown = ticket(
            &harness,
            demo.member_ids[0],
            demo.general_id,
            "create",
            vec![CommandOption::value("category", "Billing")],
        )
        .await;
        assert!(
            content(&unknown).starts_with("There's no ticket category called “Billing”"),
            "{}",
            content(&unknown)
        );
        let nowhere = ticket(
            &harness,
            demo.moderator_ids[0],
            demo.general_id,
            "claim",
            Vec::new(),
        )
        .await;
        assert_eq!(
            content(&nowhere),
            "This isn't a ticket channel. Run it in the ticket's channel."
        );
        let too_many = admin(
            &harness,
            "category",
            "upsert",
            vec![
                CommandOption::value("name", "Bugs"),
                CommandOption::value("questions", "a|b|c|d|e|f"),
            ],
        )
        .await;
        assert_eq!(too_many, "A category asks at most 5 questions.");
        let member_setup = harness
            .run(
                member,
                demo.general_id,
                "tickets",
                sub("category", "list", Vec::new()),
            )
            .await;
        assert!(
            content(&member_setup).contains("server admins"),
            "{}",
            content(&member_setup)
        );
        let listed = admin(&harness, "category", "list", Vec::new()).await;
        assert!(
            listed.contains("Support") && !listed.contains("Bugs"),
            "{listed}"
        );
        let count: usize = harness
            .agora()
            .kernel()
            .store
            .list_tickets(Id::new(demo.guild_id), Default::default(), 50)
            .await
            .unwrap()
            .len();
        assert_eq!(count, 2);

        // Staff see the figures; members may not.
        let dashboard = harness
            .run(
                demo.moderator_ids[0],
                demo.general_id,
                "analytics",
                vec![CommandOption::sub("dashboard", Vec::new())],
            )
            .await;
        let text = content(&dashboard);
        assert!(
            text.starts_with("**2** open · **0** closed · 2 in all")
                && text.contains("Support: 2 open, 0 closed"),
            "{text}"
        );
        let export = harness
            .run(
                demo.moderator_ids[0],
                demo.general_id,
                "analytics",
                vec![CommandOption::sub("export", Vec::new())],
            )
            .await;
        assert!(
            content(&export).starts_with("All 2 tickets as CSV"),
            "{}",
            content(&export)
        );
        let file = &export.payload["attachments"][0];
        assert_eq!(file["filename"], "tickets.csv");
        let refused = harness
            .run(
                member,
                demo.general_id,
                "analytics",
                vec![CommandOption::sub("leaderboard", Vec::new())],
            )
            .await;
        assert!(
            content(&refused).contains("moderators"),
            "{}",
            content(&refused)
        );
    });
}

#[test]
fn buttons_work_after_a_restart_and_a_channel_deleted_by_hand_closes_its_ticket() {
    run_test(async {
        let (mut harness, panel) = ticket_guild(None).await;
        let demo = harness.demo.clone();
        let opener = demo.member_ids[0];
        let opened = harness.click(opener, panel, "tickets:1:open:1", &[]).await;
        let channel = opened_channel(&content(&opened));
        let welcome = message_with(&harness, channel, "tickets:1:claim:1");
        let welcome_id: u64 = welcome["id"].as_str().unwrap().parse().unwrap();

        // A restart in the middle of the ticket's life: its buttons still work.
        harness.stop().await;
        harness.boot(Vec::new()).await;
        let claimed = harness
            .click(demo.moderator_ids[0], welcome_id, "tickets:1:claim:1", &[])
            .await;
        assert!(
            content(&claimed).starts_with("You claimed ticket-0001"),
            "{}",
            content(&claimed)
        );

        // Staff rename the channel and hand the ticket to another member.
        let moderator = demo.moderator_ids[0];
        let renamed = ticket(
            &harness,
            moderator,
            channel,
            "rename",
            vec![CommandOption::value("name", "refund order 42")],
        )
        .await;
        assert!(
            content(&renamed).starts_with("Renamed"),
            "{}",
            content(&renamed)
        );
        let name = harness
            .sim
            .state()
            .world
            .lock()
            .channel(channel)
            .unwrap()
            .name
            .clone();
        assert_eq!(name.as_deref(), Some("refund-order-42"));
        let heir = demo.member_ids[1];
        let moved = ticket(
            &harness,
            moderator,
            channel,
            "transfer",
            vec![CommandOption::value("user", heir.to_string())],
        )
        .await;
        assert!(
            content(&moved).contains("owns this ticket now"),
            "{}",
            content(&moved)
        );
        let heir_can = overwrite(&harness, channel, heir).expect("the new owner's overwrite");
        assert_ne!(heir_can.0 & VIEW_CHANNEL, 0);

        // Someone deletes the channel by hand: the ticket is closed, noted and logged, and
        // the opener may open a new one.
        harness.sim.state().mutate(|world, _| {
            let gone = world.channel(channel).cloned().expect("the ticket channel");
            let event = world.channel_event("CHANNEL_DELETE", &gone);
            world.channels.remove(&channel);
            ((), vec![event])
        });
        let store = harness.agora().kernel().store.clone();
        let ticket = first_ticket_when(&harness, |ticket| {
            ticket.status == agora_actors::tickets::store::Status::Deleted
        })
        .await;
        assert_eq!(
            ticket.close_reason.as_deref(),
            Some("The ticket's channel was deleted by hand.")
        );
        let kinds: Vec<String> = store
            .ticket_events(1)
            .await
            .unwrap()
            .into_iter()
            .map(|event| event.kind)
            .collect();
        assert_eq!(
            kinds,
            [
                "opened",
                "claimed",
                "renamed",
                "transferred",
                "channel-deleted"
            ]
        );
        assert!(harness
            .sim
            .channel_messages(demo.admin_log_id)
            .iter()
            .any(|message| message_text(message).contains("its channel was deleted by hand")));
        // The place is free: what holds the opener back now is only the double-click
        // guard of a few seconds (with the place still taken it would be "You already have").
        let again = harness.click(opener, panel, "tickets:1:open:1", &[]).await;
        assert!(
            content(&again).starts_with("You opened a ticket moments ago"),
            "{}",
            content(&again)
        );
    });
}

#[test]
fn an_opening_cut_short_by_a_stopped_process_is_undone_and_frees_the_opener() {
    run_test(async {
        let (harness, clock) = manual_clock_harness().await;
        let demo = harness.demo.clone();
        let saved = admin(
            &harness,
            "category",
            "upsert",
            vec![CommandOption::value("name", "Support")],
        )
        .await;
        assert!(saved.contains("Saved category"), "{saved}");
        // What a process that stopped mid-opening leaves: the opener admitted, the ticket
        // in "opening", no channel.
        let store = harness.agora().kernel().store.clone();
        let guild = Id::new(demo.guild_id);
        let member = Id::new(demo.member_ids[0]);
        let category = store.ticket_categories(guild).await.unwrap().remove(0);
        let now = chrono::Utc::now();
        store
            .admit_ticket_opener(guild, member, 1, chrono::Duration::seconds(5), now)
            .await
            .unwrap()
            .unwrap();
        let stuck = store
            .create_ticket(guild, &category, member, &[], now)
            .await
            .unwrap();
        let held = ticket(
            &harness,
            member.get(),
            demo.general_id,
            "create",
            Vec::new(),
        )
        .await;
        assert!(
            content(&held).starts_with("You already have 1 open ticket"),
            "{}",
            content(&held)
        );

        // Two minutes on, the leader's ticker undoes it; the member may open a ticket.
        clock.advance(chrono::Duration::minutes(3));
        harness.tick("tickets-ticker").await;
        assert!(store.ticket(guild, stuck.id).await.unwrap().is_none());
        let opened = ticket(
            &harness,
            member.get(),
            demo.general_id,
            "create",
            Vec::new(),
        )
        .await;
        assert!(
            content(&opened).contains("ticket-0002"),
            "{}",
            content(&opened)
        );
    });
}

#[test]
fn a_scheduled_close_happens_on_time_unless_someone_writes_first() {
    run_test(async {
        let (harness, clock) = manual_clock_harness().await;
        let demo = harness.demo.clone();
        harness
            .configure("moderator-role", "role", demo.moderator_role_id)
            .await;
        admin(
            &harness,
            "category",
            "upsert",
            vec![CommandOption::value("name", "Support")],
        )
        .await;
        let opener = demo.member_ids[0];
        let moderator = demo.moderator_ids[0];
        let opened = ticket(&harness, opener, demo.general_id, "create", Vec::new()).await;
        let channel = opened_channel(&content(&opened));
        let schedule = |minutes: i64| {
            let harness = &harness;
            async move {
                content(
                    &ticket(
                        harness,
                        moderator,
                        channel,
                        "schedule-close",
                        vec![CommandOption::value("minutes", minutes)],
                    )
                    .await,
                )
            }
        };
        let scheduled = schedule(10).await;
        assert!(
            scheduled.starts_with("This ticket closes <t:"),
            "{scheduled}"
        );
        let announced = |text: &'static str| {
            harness
                .sim
                .channel_messages(channel)
                .iter()
                .any(|message| message_text(message).contains(text))
        };
        assert!(announced("Write here if you still need help"));

        // The opener writes: the close is cancelled, and time passing closes nothing.
        harness
            .sim
            .send_message(channel, opener, "Wait, one more thing")
            .unwrap();
        wait_until("the close is cancelled", Duration::from_secs(5), || {
            announced("the scheduled close is cancelled")
        })
        .await;
        clock.advance(chrono::Duration::minutes(11));
        harness.tick("tickets-ticker").await;
        let store = harness.agora().kernel().store.clone();
        let guild = Id::new(demo.guild_id);
        let still = store.ticket(guild, 1).await.unwrap().unwrap();
        assert_eq!(still.status, agora_actors::tickets::store::Status::Open);

        // Scheduled again and left alone: closed on time, with its transcript.
        assert!(schedule(10).await.starts_with("This ticket closes"));
        clock.advance(chrono::Duration::minutes(9));
        harness.tick("tickets-ticker").await;
        assert_eq!(
            store.ticket(guild, 1).await.unwrap().unwrap().status,
            agora_actors::tickets::store::Status::Open,
            "not before its time"
        );
        clock.advance(chrono::Duration::minutes(2));
        harness.tick("tickets-ticker").await;
        let closed = store.ticket(guild, 1).await.unwrap().unwrap();
        assert_eq!(closed.status, agora_actors::tickets::store::Status::Closed);
        assert_eq!(closed.closed_by, Some(Id::new(moderator)));
        assert!(closed
            .close_reason
            .unwrap()
            .starts_with("Closed on schedule"));
        assert!(closed.transcript.is_some(), "the transcript is written");
        let locked = overwrite(&harness, channel, opener).unwrap();
        assert_ne!(
            locked.1 & VIEW_CHANNEL,
            0,
            "the opener no longer sees the channel"
        );
        // Nothing is left to cancel.
        assert_eq!(schedule(0).await, "This ticket isn't open.");
    });
}

/// Discord's SEND_MESSAGES bit.
const SEND_MESSAGES: u64 = 1 << 11;

/// A modal submitted in a DM (no guild), as the opener answers the feedback stars.
async fn submit_in_dm(
    harness: &Harness,
    user: u64,
    custom_id: &str,
    fields: &[(&str, &str)],
) -> InteractionRecord {
    let mut map = Map::new();
    for (key, value) in fields {
        map.insert((*key).to_owned(), Value::String((*value).to_owned()));
    }
    let id = harness
        .sim
        .submit_modal(ModalSubmit {
            guild_id: None,
            channel_id: None,
            user_id: user,
            custom_id: custom_id.to_owned(),
            fields: map,
            unchecked: false,
        })
        .expect("the modal submission");
    harness.sim.answer(id, ANSWER).await.expect("an answer")
}

#[test]
fn staff_lock_tag_escalate_and_delete_tickets_and_the_opener_rates_theirs_by_dm() {
    run_test(async {
        let (harness, _panel) = ticket_guild(None).await;
        let demo = harness.demo.clone();
        harness
            .configure("admin-role", "role", demo.admin_role_id)
            .await;
        let (opener, other) = (demo.member_ids[0], demo.member_ids[1]);
        let moderator = demo.moderator_ids[0];
        let store = harness.agora().kernel().store.clone();
        let guild = Id::new(demo.guild_id);
        let opened = ticket(&harness, opener, demo.general_id, "create", Vec::new()).await;
        let channel = opened_channel(&content(&opened));
        let staff = |name: &'static str, options: Vec<CommandOption>| {
            let harness = &harness;
            async move { content(&ticket(harness, moderator, channel, name, options).await) }
        };

        // Lock: the opener reads but cannot write; members cannot lock.
        let refused = ticket(&harness, opener, channel, "lock", Vec::new()).await;
        assert_eq!(content(&refused), "Only this ticket's staff can do that.");
        assert!(!store.ticket(guild, 1).await.unwrap().unwrap().locked);
        assert_eq!(
            staff("lock", Vec::new()).await,
            "ticket-0001 is locked: its opener can read but not write."
        );
        let (allow, deny) = overwrite(&harness, channel, opener).unwrap();
        assert_ne!(allow & VIEW_CHANNEL, 0, "still readable");
        assert_ne!(deny & SEND_MESSAGES, 0, "not writable");
        assert!(
            harness
                .sim
                .send_message(channel, opener, "let me in")
                .is_err(),
            "Discord refuses the opener's message"
        );
        assert_eq!(
            staff("lock", Vec::new()).await,
            "This ticket is locked already."
        );
        assert!(staff("unlock", Vec::new()).await.contains("unlocked"));
        harness
            .sim
            .send_message(channel, opener, "thanks, I can write again")
            .expect("the opener writes again");

        // Tags: tidied, added and removed; a bad one changes nothing.
        assert_eq!(
            staff(
                "tags",
                vec![CommandOption::value("add", "Billing, refund , billing")]
            )
            .await,
            "Tags: billing, refund"
        );
        let bad = staff("tags", vec![CommandOption::value("add", "no/slashes")]).await;
        assert!(bad.contains("can't be a tag"), "{bad}");
        assert_eq!(
            staff("tags", vec![CommandOption::value("remove", "refund")]).await,
            "Tags: billing"
        );
        assert_eq!(
            store.ticket(guild, 1).await.unwrap().unwrap().tags,
            vec!["billing".to_owned()]
        );

        // Department and escalation: level 1, then 2 brings the admin role in.
        assert_eq!(
            staff("department", vec![CommandOption::value("name", "Billing")]).await,
            "This ticket is now with Billing."
        );
        assert_eq!(staff("escalate", Vec::new()).await, "Escalated to level 1.");
        let lower = staff("escalate", vec![CommandOption::value("level", 1)]).await;
        assert!(lower.contains("at escalation level 1 already"), "{lower}");
        assert!(overwrite(&harness, channel, demo.admin_role_id).is_none());
        assert_eq!(
            staff(
                "escalate",
                vec![
                    CommandOption::value("level", 2),
                    CommandOption::value("reason", "VIP customer")
                ]
            )
            .await,
            "Escalated to level 2."
        );
        let (admins_allow, _) =
            overwrite(&harness, channel, demo.admin_role_id).expect("the admins are let in");
        assert_ne!(admins_allow & VIEW_CHANNEL, 0);
        let called = harness.sim.channel_messages(channel).into_iter().any(|m| {
            let text = message_text(&m);
            text.contains(&format!("<@&{}>", demo.admin_role_id)) && text.contains("VIP customer")
        });
        assert!(called, "the admins are called in the channel");
        let info = staff("info", Vec::new()).await;
        assert!(
            info.contains("Tags: billing · Department: Billing · Escalation: 2 · Locked: off"),
            "{info}"
        );

        // The list by category.
        let listed = staff("list", vec![CommandOption::value("category", "Support")]).await;
        assert!(listed.contains(&format!("<#{channel}>")), "{listed}");
        let unknown = staff("list", vec![CommandOption::value("category", "Nope")]).await;
        assert!(!unknown.contains(&format!("<#{channel}>")), "{unknown}");

        // Soft delete: closed with its transcript, the channel goes, the record stays.
        assert!(staff("soft-delete", Vec::new())
            .await
            .starts_with("Deleting the channel of ticket-0001"));
        wait_until("the channel is deleted", Duration::from_secs(10), || {
            !channel_exists(&harness, channel)
        })
        .await;
        let deleted = store.ticket(guild, 1).await.unwrap().unwrap();
        assert_eq!(
            deleted.status,
            agora_actors::tickets::store::Status::Deleted
        );
        let transcript = std::path::PathBuf::from(deleted.transcript.clone().unwrap());
        assert!(transcript.exists(), "the transcript stays");

        // The opener's DM has the stars; 4 stars, then words in the modal.
        let dm = harness
            .sim
            .dms(opener)
            .into_iter()
            .rev()
            .find(|m| !custom_ids(m).is_empty())
            .expect("a DM with the feedback stars");
        assert!(message_text(&dm).contains("How did we do?"));
        let four = format!("tickets:1:dm-rate:{}:1:4", demo.guild_id);
        assert!(custom_ids(&dm).contains(&four), "{:?}", custom_ids(&dm));
        let dm_id: u64 = dm["id"].as_str().unwrap().parse().unwrap();
        let asked = harness.click(opener, dm_id, &four, &[]).await;
        let callback = asked.callback.as_ref().expect("a callback");
        assert_eq!(callback.kind, 9, "a modal for words: {:?}", callback.data);
        let words_id = format!("tickets:1:dm-words:{}:1", demo.guild_id);
        assert_eq!(callback.data["custom_id"], words_id.as_str());
        let thanked =
            submit_in_dm(&harness, opener, &words_id, &[("words", "Quick and kind")]).await;
        assert_eq!(content(&thanked), "Thank you for your feedback!");
        let again = harness
            .click(
                opener,
                dm_id,
                &format!("tickets:1:dm-rate:{}:1:1", demo.guild_id),
                &[],
            )
            .await;
        assert_eq!(content(&again), "You have already rated this ticket.");
        let rated = store.ticket(guild, 1).await.unwrap().unwrap();
        assert_eq!(
            (rated.feedback_stars, rated.feedback_text.as_deref()),
            (Some(4), Some("Quick and kind"))
        );

        // Force close, from outside the channel, by an admin only.
        let second = ticket(&harness, other, demo.general_id, "create", Vec::new()).await;
        let second_channel = opened_channel(&content(&second));
        let force = |user: u64, number: i64| {
            let harness = &harness;
            async move {
                content(
                    &ticket(
                        harness,
                        user,
                        demo.general_id,
                        "force-close",
                        vec![CommandOption::value("number", number)],
                    )
                    .await,
                )
            }
        };
        assert_eq!(
            force(moderator, 2).await,
            "Only the server's admins can do that."
        );
        assert_eq!(
            force(demo.admin_id, 99).await,
            "There is no ticket number 99 on this server."
        );
        assert!(force(demo.admin_id, 2).await.contains("ticket-0002"));
        let forced = store.ticket(guild, 2).await.unwrap().unwrap();
        assert_eq!(forced.status, agora_actors::tickets::store::Status::Closed);
        assert_eq!(forced.close_reason.as_deref(), Some("Closed by an admin."));
        // The opener rates it with the command too (their DMs could be closed).
        let rated = ticket(
            &harness,
            other,
            demo.general_id,
            "feedback",
            vec![
                CommandOption::value("number", 2),
                CommandOption::value("stars", 5),
            ],
        )
        .await;
        assert_eq!(content(&rated), "Thank you for your feedback!");
        let not_theirs = ticket(
            &harness,
            opener,
            demo.general_id,
            "feedback",
            vec![
                CommandOption::value("number", 2),
                CommandOption::value("stars", 1),
            ],
        )
        .await;
        assert_eq!(
            content(&not_theirs),
            "Only the person who opened this ticket can rate it."
        );

        // Hard delete: a confirmation, then the record, timeline, files and channel go.
        let asked = ticket(
            &harness,
            demo.admin_id,
            demo.general_id,
            "hard-delete",
            vec![CommandOption::value("number", 2)],
        )
        .await;
        assert!(content(&asked).starts_with("Erase ticket-0002 for good?"));
        assert!(store.ticket(guild, 2).await.unwrap().is_some(), "not yet");
        let files = std::path::PathBuf::from(forced.transcript.clone().unwrap());
        assert!(files.exists());
        let erased = harness
            .click(
                demo.admin_id,
                agora_testkit::message_id(&asked),
                "tickets:1:purge:2",
                &[],
            )
            .await;
        assert_eq!(content(&erased), "ticket-0002 is erased.");
        assert!(store.ticket(guild, 2).await.unwrap().is_none());
        assert!(store.ticket_events(2).await.unwrap().is_empty());
        assert!(!files.exists() && !files.with_extension("txt").exists());
        wait_until("the channel is deleted", Duration::from_secs(10), || {
            !channel_exists(&harness, second_channel)
        })
        .await;
        // The next ticket does not take its number again.
        let third = ticket(
            &harness,
            demo.member_ids[2],
            demo.general_id,
            "create",
            Vec::new(),
        )
        .await;
        assert!(
            content(&third).contains("ticket-0003"),
            "{}",
            content(&third)
        );
    });
}

#[test]
fn a_captcha_keeps_bots_out_and_a_silent_ticket_closes_by_itself() {
    run_test(async {
        let (harness, clock) = manual_clock_harness().await;
        let demo = harness.demo.clone();
        harness
            .configure("moderator-role", "role", demo.moderator_role_id)
            .await;
        let saved = admin(
            &harness,
            "category",
            "upsert",
            vec![
                CommandOption::value("name", "Support"),
                CommandOption::value("captcha", true),
                CommandOption::value("inactive_close_minutes", 60),
                CommandOption::value("tags", "new"),
            ],
        )
        .await;
        assert!(saved.contains("Saved category"), "{saved}");
        let opener = demo.member_ids[0];
        let store = harness.agora().kernel().store.clone();
        let guild = Id::new(demo.guild_id);

        // The question and its four answers; a wrong one opens nothing.
        let sum = |text: &str| -> u64 {
            let question = text.split("what is ").nth(1).expect("a sum");
            let (a, b) = question.trim_end_matches('?').split_once(" + ").unwrap();
            a.trim().parse::<u64>().unwrap() + b.trim().parse::<u64>().unwrap()
        };
        let asked = ticket(&harness, opener, demo.general_id, "create", Vec::new()).await;
        assert!(is_private(&asked));
        let right = sum(&content(&asked));
        let shown = asked.original.clone().unwrap_or(asked.payload.clone());
        let ids = custom_ids(&shown);
        assert_eq!(ids.len(), 4, "{ids:?}");
        let wrong = ids
            .iter()
            .find(|id| !id.ends_with(&format!(":{right}")))
            .unwrap();
        let answered = harness
            .click(opener, agora_testkit::message_id(&asked), wrong, &[])
            .await;
        assert!(content(&answered).starts_with("That's not it"));
        assert!(store.ticket(guild, 1).await.unwrap().is_none());

        // Asked again and answered right: the ticket opens, with the category's tags.
        let asked = ticket(&harness, opener, demo.general_id, "create", Vec::new()).await;
        let right = format!("tickets:1:captcha:1:{}", sum(&content(&asked)));
        let opened = harness
            .click(opener, agora_testkit::message_id(&asked), &right, &[])
            .await;
        assert!(
            content(&opened).starts_with("Your ticket is open"),
            "{}",
            content(&opened)
        );
        let channel = opened_channel(&content(&opened));
        assert_eq!(
            store.ticket(guild, 1).await.unwrap().unwrap().tags,
            vec!["new".to_owned()]
        );

        // 40 minutes on someone writes; 40 more is not an hour of silence; 25 more is.
        clock.advance(chrono::Duration::minutes(40));
        harness
            .sim
            .send_message(channel, opener, "still there?")
            .unwrap();
        // (The store keeps microseconds; the manual clock has nanoseconds.)
        let written = clock.now() - chrono::Duration::seconds(1);
        first_ticket_when(&harness, |ticket| {
            ticket.last_activity_at.is_some_and(|at| at >= written)
        })
        .await;
        clock.advance(chrono::Duration::minutes(40));
        harness.tick("tickets-ticker").await;
        assert_eq!(
            store.ticket(guild, 1).await.unwrap().unwrap().status,
            agora_actors::tickets::store::Status::Open
        );
        clock.advance(chrono::Duration::minutes(25));
        harness.tick("tickets-ticker").await;
        let closed = store.ticket(guild, 1).await.unwrap().unwrap();
        assert_eq!(closed.status, agora_actors::tickets::store::Status::Closed);
        assert_eq!(
            closed.close_reason.as_deref(),
            Some("No messages for 60 minutes.")
        );
        assert!(closed.transcript.is_some(), "the transcript is written");
    });
}

/// A file as a command's attachment option.
fn file_option(name: &str, filename: &str, bytes: &[u8]) -> CommandOption {
    use base64::Engine as _;
    CommandOption::value(
        name,
        serde_json::json!({
            "filename": filename,
            "content_type": "application/json",
            "data_base64": base64::engine::general_purpose::STANDARD.encode(bytes),
        }),
    )
}

#[test]
fn an_admin_sets_tickets_up_with_the_wizard_and_restores_the_configuration_from_its_file() {
    run_test(async {
        let harness = Harness::start().await;
        let demo = harness.demo.clone();
        let store = harness.agora().kernel().store.clone();
        let guild = Id::new(demo.guild_id);
        let tickets_run = |user: u64, options: Vec<CommandOption>| {
            let harness = &harness;
            async move { harness.run(user, demo.general_id, "tickets", options).await }
        };

        // Members cannot open the wizard.
        let refused = tickets_run(
            demo.member_ids[0],
            vec![CommandOption::sub("setup", Vec::new())],
        )
        .await;
        assert!(
            !content(&refused).contains("Ticket setup"),
            "{}",
            content(&refused)
        );

        // The admin picks the log channel, the staff role and the panel's channel...
        let wizard =
            tickets_run(demo.admin_id, vec![CommandOption::sub("setup", Vec::new())]).await;
        assert!(is_private(&wizard));
        assert!(content(&wizard).starts_with("**Ticket setup**"));
        let wizard_id = agora_testkit::message_id(&wizard);
        let log = demo.admin_log_id.to_string();
        let picked = harness
            .click(demo.admin_id, wizard_id, "tickets:1:setup-log", &[&log])
            .await;
        assert!(
            content(&picked).contains(&format!("Log: <#{log}>")),
            "{}",
            content(&picked)
        );
        let role = demo.moderator_role_id.to_string();
        harness
            .click(demo.admin_id, wizard_id, "tickets:1:setup-staff", &[&role])
            .await;
        let place = demo.tickets_id.to_string();
        harness
            .click(
                demo.admin_id,
                wizard_id,
                "tickets:1:setup-panel-channel",
                &[&place],
            )
            .await;
        // ... and the last button's modal makes the category and posts its panel.
        let asked = harness
            .click(demo.admin_id, wizard_id, "tickets:1:setup-first", &[])
            .await;
        assert_eq!(asked.callback.as_ref().unwrap().kind, 9, "a modal");
        let done = submit(
            &harness,
            demo.admin_id,
            "tickets:1:setup-first-answers",
            &[
                ("category", "Support"),
                ("questions", "What happened?"),
                ("title", "Need help?"),
                ("description", "Open a ticket."),
            ],
        )
        .await;
        assert_eq!(
            content(&done),
            format!("Done: category **Support** and panel 1, posted in <#{place}>.")
        );
        let panel = message_with(&harness, demo.tickets_id, "tickets:1:open:1");
        assert!(message_text(&panel).contains("Need help?"));
        let settings =
            agora_actors::tickets::settings::TicketSettings::load(harness.agora().kernel(), guild)
                .await
                .unwrap();
        assert_eq!(settings.log_channel, Some(Id::new(demo.admin_log_id)));
        assert_eq!(settings.staff_role, Some(Id::new(demo.moderator_role_id)));

        // /tickets channels sets the transcript channel too.
        let channels = tickets_run(
            demo.admin_id,
            vec![CommandOption::sub(
                "channels",
                vec![CommandOption::value("transcripts", log.clone())],
            )],
        )
        .await;
        assert_eq!(
            content(&channels),
            format!("Ticket log: <#{log}> · Transcripts: <#{log}>")
        );

        // The backup file.
        let backup = tickets_run(
            demo.admin_id,
            vec![CommandOption::sub("backup", Vec::new())],
        )
        .await;
        assert!(
            content(&backup).contains("1 categories, 1 panels, 3 settings"),
            "{}",
            content(&backup)
        );
        let url = backup.payload["attachments"][0]["url"]
            .as_str()
            .expect("the file's address")
            .to_owned();
        let file = reqwest::get(&url).await.unwrap().bytes().await.unwrap();
        let parsed: Value = serde_json::from_slice(&file).unwrap();
        assert_eq!(parsed["format"], "agora-tickets-config");
        assert_eq!(parsed["categories"][0]["name"], "Support");

        // Things change after the backup.
        admin(
            &harness,
            "category",
            "upsert",
            vec![
                CommandOption::value("name", "Support"),
                CommandOption::value("sla_minutes", 99),
            ],
        )
        .await;
        configure_tickets(&harness, "max-open", 3).await;
        let restore = |bytes: Vec<u8>| {
            let tickets_run = &tickets_run;
            async move {
                content(
                    &tickets_run(
                        demo.admin_id,
                        vec![CommandOption::sub(
                            "restore",
                            vec![file_option("file", "tickets.json", &bytes)],
                        )],
                    )
                    .await,
                )
            }
        };
        let changed_state = || async {
            let category = store.ticket_categories(guild).await.unwrap().remove(0);
            let settings = agora_actors::tickets::settings::TicketSettings::load(
                harness.agora().kernel(),
                guild,
            )
            .await
            .unwrap();
            (
                category.sla_minutes,
                settings.max_open,
                category.questions.len(),
            )
        };
        assert_eq!(changed_state().await, (99, 3, 0));

        // A file with a role this server lacks, and one that is no configuration at all:
        // refused whole, nothing changes.
        let mut foreign = parsed.clone();
        foreign["categories"][0]["staff_role_id"] = Value::from("123456789");
        let told = restore(serde_json::to_vec(&foreign).unwrap()).await;
        assert!(told.starts_with("Nothing was changed"), "{told}");
        assert!(
            told.contains("role 123456789 is not on this server"),
            "{told}"
        );
        let told = restore(b"{\"hello\": 1}".to_vec()).await;
        assert!(told.contains("not a ticket configuration"), "{told}");
        assert_eq!(changed_state().await, (99, 3, 0), "nothing changed");

        // The real file: everything as it was at the backup.
        let told = restore(file.to_vec()).await;
        assert_eq!(
            told,
            "Restored 3 settings, 1 categories and 1 panels. Post restored panels again with /tickets panel deploy."
        );
        assert_eq!(changed_state().await, (0, 1, 1));
        assert_eq!(
            store.ticket_panels(guild).await.unwrap().len(),
            1,
            "matched by title"
        );
    });
}

/// `/analytics <name> …` as `user` in #general.
async fn analytics(
    harness: &Harness,
    user: u64,
    name: &str,
    options: Vec<CommandOption>,
) -> InteractionRecord {
    harness
        .run(
            user,
            harness.demo.general_id,
            "analytics",
            vec![CommandOption::sub(name, options)],
        )
        .await
}

/// `/tickets staff-warn member reason` as `user`; what they were told.
async fn warn(harness: &Harness, user: u64, member: u64, reason: &str, unchecked: bool) -> String {
    let options = vec![CommandOption::sub(
        "staff-warn",
        vec![
            CommandOption::value("member", member.to_string()),
            CommandOption::value("reason", reason),
        ],
    )];
    let channel = harness.demo.general_id;
    let record = if unchecked {
        harness
            .run_unchecked(user, channel, "tickets", options)
            .await
    } else {
        harness.run(user, channel, "tickets", options).await
    };
    assert!(is_private(&record), "staff-warn answers are private");
    content(&record)
}

#[test]
fn staff_read_response_times_and_the_daily_chart_and_admins_warn_staff() {
    run_test(async {
        let (harness, clock) = manual_clock_harness().await;
        let demo = harness.demo.clone();
        harness
            .configure("moderator-role", "role", demo.moderator_role_id)
            .await;
        let (moderator, other_moderator) = (demo.moderator_ids[0], demo.moderator_ids[1]);
        let member = demo.member_ids[0];
        let saved = admin(
            &harness,
            "category",
            "upsert",
            vec![
                CommandOption::value("name", "Support"),
                CommandOption::value("sla_minutes", 15),
            ],
        )
        .await;
        assert!(saved.contains("Saved category **Support**"), "{saved}");
        admin(
            &harness,
            "category",
            "upsert",
            vec![CommandOption::value("name", "Billing")],
        )
        .await;

        // A known history, written at known moments: Support tickets answered after 5, 10,
        // 20 and 40 minutes (the last one urgent), a Billing ticket after 60; each closed by
        // the moderator an hour after it opened.
        let store = harness.agora().kernel().store.clone();
        let guild = Id::new(demo.guild_id);
        let categories = store.ticket_categories(guild).await.unwrap();
        let (billing, support) = (&categories[0], &categories[1]);
        assert_eq!(
            (billing.name.as_str(), support.sla_minutes),
            ("Billing", 15)
        );
        let now = clock.now();
        let history = [
            (support, 30, 5, false),
            (support, 20, 10, false),
            (support, 10, 20, false),
            (support, 4, 40, true),
            (billing, 5, 60, false),
        ];
        for (index, (category, hours_ago, answered_after, urgent)) in
            history.into_iter().enumerate()
        {
            let created = now - chrono::Duration::hours(hours_ago);
            let ticket = store
                .create_ticket(guild, category, Id::new(member), &[], created)
                .await
                .unwrap();
            store
                .ticket_opened(ticket.id, Id::new(9_000_000 + index as u64))
                .await
                .unwrap();
            store
                .ticket_first_response(
                    ticket.id,
                    created + chrono::Duration::minutes(answered_after),
                )
                .await
                .unwrap();
            if urgent {
                store
                    .set_ticket_priority(
                        ticket.id,
                        agora_actors::tickets::store::Priority::Urgent,
                        created,
                    )
                    .await
                    .unwrap();
            }
            store
                .close_ticket(
                    ticket.id,
                    Id::new(moderator),
                    None,
                    created + chrono::Duration::hours(1),
                )
                .await
                .unwrap()
                .expect("the ticket closes");
        }

        // Staff read the first answers against the SLA, per category and per priority.
        let times = analytics(&harness, moderator, "response-times", Vec::new()).await;
        assert!(is_private(&times));
        let lines: Vec<String> = content(&times).lines().map(str::to_owned).collect();
        assert_eq!(
            lines,
            [
                "First staff answers on tickets opened in the last 30 days (median p50 and p95 by nearest rank):",
                "__By category__",
                "**Billing**: 1 answered · mean 60.0 min · p50 60.0 min · p95 60.0 min · no SLA",
                "**Support**: 4 answered · mean 18.8 min · p50 10.0 min · p95 40.0 min · 2 over the 15 min SLA",
                "__By priority__",
                "**Urgent**: 1 answered · mean 40.0 min · p50 40.0 min · p95 40.0 min · 1 over their category's SLA",
                "**Normal**: 4 answered · mean 23.8 min · p50 10.0 min · p95 60.0 min · 1 over their category's SLA",
            ]
        );

        // The daily chart: a PNG attached to a private answer that sums it up.
        let graph = analytics(&harness, moderator, "graph", Vec::new()).await;
        assert!(is_private(&graph));
        assert_eq!(
            content(&graph),
            "Tickets opened and closed per day over the last 14 days (UTC): 5 opened, 5 closed."
        );
        let file = &graph.payload["attachments"][0];
        assert_eq!(file["filename"], "tickets-per-day.png");
        assert_eq!(file["content_type"], "image/png");
        let message_id: u64 = graph.payload["id"].as_str().unwrap().parse().unwrap();
        let png = harness
            .sim
            .state()
            .world
            .lock()
            .message(demo.general_id, message_id)
            .expect("the answer's message")
            .attachments[0]
            .data
            .clone();
        let image = image::load_from_memory_with_format(&png, image::ImageFormat::Png)
            .expect("the attachment is a PNG");
        assert_eq!((image.width(), image.height()), (1000, 500));
        let week = analytics(
            &harness,
            moderator,
            "graph",
            vec![CommandOption::value("days", 7)],
        )
        .await;
        assert!(
            content(&week).starts_with("Tickets opened and closed per day over the last 7 days"),
            "{}",
            content(&week)
        );
        // The dashboard ends with the last week's daily volume.
        let dashboard = content(&analytics(&harness, moderator, "dashboard", Vec::new()).await);
        assert!(
            dashboard.starts_with("**0** open · **5** closed · 5 in all")
                && dashboard.contains("**Daily volume**, last 7 days (UTC):\n```\nDay "),
            "{dashboard}"
        );
        // A client that skips Discord's range check is told the range; a member may not look.
        let too_far = harness
            .run_unchecked(
                moderator,
                demo.general_id,
                "analytics",
                vec![CommandOption::sub(
                    "graph",
                    vec![CommandOption::value("days", 120)],
                )],
            )
            .await;
        assert_eq!(
            content(&too_far),
            "Pick from 1 to 90 days; 120 is out of range. Nothing was counted."
        );
        for name in ["graph", "response-times"] {
            let refused = analytics(&harness, member, name, Vec::new()).await;
            assert!(
                is_private(&refused) && content(&refused).contains("moderators"),
                "{name}: {}",
                content(&refused)
            );
            assert!(refused.payload["attachments"]
                .as_array()
                .is_none_or(|files| files.is_empty()));
        }

        // An admin warns a moderator: recorded, sent by DM, on the leaderboard.
        let reason = "Left a ticket unanswered for a day";
        let warned = warn(&harness, demo.admin_id, moderator, reason, false).await;
        assert_eq!(
            warned,
            format!("Warned <@{moderator}>, who now has 1 warning and got the reason by DM.")
        );
        let dm = harness
            .sim
            .dms(moderator)
            .into_iter()
            .map(|dm| message_text(&dm))
            .find(|text| text.contains("warned you"))
            .expect("the warning by DM");
        assert!(
            dm.ends_with(&format!(
                "warned you about your work on support tickets: {reason}"
            )),
            "{dm}"
        );
        let board = content(&analytics(&harness, moderator, "leaderboard", Vec::new()).await);
        assert!(
            board.contains(&format!(
                "<@{moderator}>: 0 claimed, 5 closed · first answer mean — min, p95 — min · 1 warning"
            )),
            "{board}"
        );

        // One who takes no DMs is warned all the same, and the admin is told to tell them.
        harness.sim.set_accepts_dms(other_moderator, false).unwrap();
        harness.expect_refusal(Refusal::code(50007));
        let undelivered = warn(
            &harness,
            demo.admin_id,
            other_moderator,
            "Rude to an opener",
            false,
        )
        .await;
        assert!(
            undelivered.starts_with(&format!(
                "Warned <@{other_moderator}>, who now has 1 warning."
            )) && undelivered.contains("couldn't send them the reason by DM"),
            "{undelivered}"
        );

        // Bad input is answered and stores nothing; only admins may warn.
        let bot = harness.sim.bot_user_id();
        assert_eq!(
            warn(&harness, demo.admin_id, bot, "Too slow", false).await,
            format!("<@{bot}> is a bot; only people on staff can be warned. Nothing was recorded.")
        );
        assert_eq!(
            warn(&harness, demo.admin_id, moderator, "   ", false).await,
            "A warning needs a reason (1 to 500 characters). Nothing was recorded."
        );
        assert_eq!(
            warn(&harness, demo.admin_id, moderator, &"x".repeat(501), true).await,
            "A warning's reason takes at most 500 characters. Nothing was recorded."
        );
        let not_admin = warn(&harness, moderator, other_moderator, "Payback", false).await;
        assert!(not_admin.contains("server admins"), "{not_admin}");
        let counts = store.ticket_staff_warning_counts(guild).await.unwrap();
        assert_eq!(
            counts,
            std::collections::BTreeMap::from([
                (Id::new(moderator), 1),
                (Id::new(other_moderator), 1)
            ])
        );
    });
}

#[test]
fn admins_type_the_ticket_commands_as_text_and_private_answers_go_by_dm() {
    run_test(async {
        let (harness, _panel) = ticket_guild(None).await;
        let demo = harness.demo.clone();
        let store = harness.agora().kernel().store.clone();
        let guild = Id::new(demo.guild_id);
        let replies_to = |asked: u64| {
            harness
                .sim
                .channel_messages(demo.general_id)
                .into_iter()
                .filter(|m| {
                    m["message_reference"]["message_id"].as_str() == Some(&asked.to_string())
                })
                .map(|m| message_text(&m))
                .collect::<Vec<_>>()
        };
        let dms_before = harness.sim.dms(demo.admin_id).len();

        // A member's text command is ignored: no reply, no change.
        harness
            .sim
            .send_message(
                demo.general_id,
                demo.member_ids[0],
                "!tickets category upsert name:Billing",
            )
            .unwrap();
        // The admin's runs the slash command's handler; its private answer comes by DM.
        harness
            .sim
            .send_message(
                demo.general_id,
                demo.admin_id,
                r#"!tickets category upsert name:"Billing Help" sla_minutes:45 priority:high"#,
            )
            .unwrap();
        wait_until("the DM answer", Duration::from_secs(10), || {
            harness.sim.dms(demo.admin_id).len() > dms_before
        })
        .await;
        let dm = harness.sim.dms(demo.admin_id).last().cloned().unwrap();
        assert!(
            message_text(&dm).contains("Saved category **Billing Help**"),
            "{dm}"
        );
        let categories = store.ticket_categories(guild).await.unwrap();
        let names: Vec<&str> = categories.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            ["Billing Help", "Support"],
            "the member's did nothing"
        );
        let billing = &categories[0];
        assert_eq!(
            (billing.sla_minutes, billing.default_priority),
            (45, agora_actors::tickets::store::Priority::High)
        );

        // What Discord would refuse is named in a reply, and changes nothing.
        let wrong = harness
            .sim
            .send_message(
                demo.general_id,
                demo.admin_id,
                "!tickets category upsert name:Billing sla_minutes:99999",
            )
            .unwrap();
        wait_until("the refusal", Duration::from_secs(10), || {
            !replies_to(wrong).is_empty()
        })
        .await;
        assert_eq!(
            replies_to(wrong),
            ["`tickets`: sla_minutes goes from 0 to 10080"]
        );
        assert_eq!(store.ticket_categories(guild).await.unwrap().len(), 2);

        // A panel's button takes a colour and an emoji; a word is no emoji.
        let panel = |emoji: &'static str| {
            let harness = &harness;
            async move {
                admin(
                    harness,
                    "panel",
                    "create",
                    vec![
                        CommandOption::value("title", "Billing"),
                        CommandOption::value("description", "Questions about invoices"),
                        CommandOption::value("category", "Billing Help"),
                        CommandOption::value("style", "success"),
                        CommandOption::value("emoji", emoji),
                    ],
                )
                .await
            }
        };
        let refused = panel("ticket").await;
        assert!(refused.contains("is not an emoji"), "{refused}");
        assert!(panel("🎫").await.contains("Created panel 2"));
        admin(
            &harness,
            "panel",
            "deploy",
            vec![
                CommandOption::value("panel", 2),
                CommandOption::value("channel", demo.tickets_id.to_string()),
            ],
        )
        .await;
        let posted = message_with(&harness, demo.tickets_id, "tickets:1:open:2");
        let button = &posted["components"][0]["components"][0];
        assert_eq!(button["style"], 3, "green");
        assert_eq!(button["emoji"]["name"], "🎫");
    });
}

#[test]
fn an_anonymous_ticket_relays_both_ways_without_the_name_and_a_late_answer_is_called_out() {
    run_test(async {
        let (harness, clock) = manual_clock_harness().await;
        let demo = harness.demo.clone();
        harness
            .configure("moderator-role", "role", demo.moderator_role_id)
            .await;
        admin(
            &harness,
            "category",
            "upsert",
            vec![
                CommandOption::value("name", "Whistleblowing"),
                CommandOption::value("anonymous", true),
                CommandOption::value("sla_minutes", 30),
            ],
        )
        .await;
        let (opener, moderator) = (demo.member_ids[0], demo.moderator_ids[0]);
        let store = harness.agora().kernel().store.clone();
        let guild = Id::new(demo.guild_id);
        let opened = ticket(&harness, opener, demo.general_id, "create", Vec::new()).await;
        assert!(
            content(&opened).starts_with(
                "Your anonymous ticket ticket-0001 is open. I sent you a direct message"
            ),
            "{}",
            content(&opened)
        );
        let channel = store
            .ticket(guild, 1)
            .await
            .unwrap()
            .unwrap()
            .channel_id
            .unwrap()
            .get();
        assert!(
            overwrite(&harness, channel, opener).is_none(),
            "the opener is not in the channel, where their name would show"
        );
        let welcome = harness.sim.dms(opener).last().cloned().unwrap();
        assert!(message_text(&welcome).contains("Write your messages here"));
        let dm_channel: u64 = welcome["channel_id"].as_str().unwrap().parse().unwrap();

        // Nobody answers within the SLA: staff are called, once.
        clock.advance(chrono::Duration::minutes(31));
        harness.tick("tickets-ticker").await;
        harness.tick("tickets-ticker").await;
        let alerts: Vec<String> = harness
            .sim
            .channel_messages(channel)
            .iter()
            .map(message_text)
            .filter(|text| text.contains("has waited"))
            .collect();
        assert_eq!(
            alerts,
            [format!(
                "<@&{}> ticket-0001 has waited 31 minutes for a first answer (the goal is 30).",
                demo.moderator_role_id
            )]
        );

        // The opener writes to the bot; the channel gets it without their name.
        harness
            .sim
            .send_message(dm_channel, opener, "My manager takes credit for my work")
            .unwrap();
        wait_until(
            "the relay into the channel",
            Duration::from_secs(10),
            || {
                harness.sim.channel_messages(channel).iter().any(|m| {
                    message_text(m) == "**Anonymous:** My manager takes credit for my work"
                })
            },
        )
        .await;
        let named = harness
            .sim
            .channel_messages(channel)
            .iter()
            .any(|m| m.to_string().contains(&opener.to_string()));
        assert!(!named, "the opener's id appears nowhere in the channel");

        // Staff answer in the channel; the opener gets it by DM.
        harness
            .sim
            .send_message(channel, moderator, "Thank you, we are on it")
            .unwrap();
        wait_until("the relay to the opener", Duration::from_secs(10), || {
            harness
                .sim
                .dms(opener)
                .iter()
                .any(|m| message_text(m) == "**ticket-0001**, staff: Thank you, we are on it")
        })
        .await;

        // Staff never see who it is; admins can reveal.
        let staff_info = ticket(&harness, moderator, channel, "info", Vec::new()).await;
        assert!(!content(&staff_info).contains(&opener.to_string()));
        let admin_info = ticket(&harness, demo.admin_id, channel, "info", Vec::new()).await;
        assert!(content(&admin_info).contains(&format!("<@{opener}>")));
    });
}
