//! Governance end to end, as the demo guild's people use it through agora-sim: members
//! propose channels and emojis (emoji files of every kind checked by their content),
//! admins approve (by the suggested name, their own name, or a new suggestion) and reject,
//! two admins approving at once make one channel; members file confidential reports that
//! only staff read and handle; the queue's two messages are found again after a restart
//! and posted again when deleted by hand; an approval cut off by a restart finished (Discord
//! made it) or given back to the queue (it did not), and one the database did not take
//! recorded by the next check with the member told once; the LLM's good, malformed and
//! missing answers.

use std::io::Cursor;

use agora_actors::governance::store::ProposalStatus;
use agora_actors::kernel::clock::{ManualClock, SharedClock};
use agora_sim::actions::{CommandOption, InteractionRecord, ModalSubmit};
use agora_testkit::{
    content, custom_ids, is_private, message_id, message_text, run_test, wait_until, Harness,
    ANSWER,
};
use image::{ImageFormat, Rgba, RgbaImage};
use serde_json::{json, Map, Value};
use twilight_model::id::Id;

/// `/config governance <key> value:…` as the admin.
async fn configure(harness: &Harness, key: &str, value: impl Into<Value>) {
    let record = harness
        .run(
            harness.demo.admin_id,
            harness.demo.general_id,
            "config",
            vec![CommandOption::sub(
                "governance",
                vec![CommandOption::sub(
                    key,
                    vec![CommandOption::value("value", value)],
                )],
            )],
        )
        .await;
    assert!(
        content(&record).starts_with("Done"),
        "/config governance {key}: {}",
        content(&record)
    );
}

/// The stats feature's proposed category (its own `/config stats …` sets it; here the
/// store is written as that command would).
async fn set_proposed_category(harness: &Harness, category: Option<u64>) {
    let kernel = harness.agora().kernel();
    let guild = Id::new(harness.demo.guild_id);
    match category {
        Some(category) => kernel
            .store
            .set_feature_setting(guild, "stats", "proposed-category", &json!(category))
            .await
            .unwrap(),
        None => {
            kernel
                .store
                .delete_feature_setting(guild, "stats", "proposed-category")
                .await
                .unwrap();
        }
    }
    kernel.forget_guild_config(guild).await;
}

/// A guild with the moderator role, the log (#admin-log), queue (#tickets) and
/// announcement channels, and the proposed category set.
async fn governance_guild() -> Harness {
    let harness = Harness::start().await;
    setup(&harness).await;
    harness
}

/// [`governance_guild`] on a manual clock (tickers tick when the test says).
async fn governance_guild_on(clock: &std::sync::Arc<ManualClock>) -> Harness {
    let harness = Harness::start_with_clock(&[], Vec::new(), clock.clone() as SharedClock).await;
    setup(&harness).await;
    harness
}

async fn setup(harness: &Harness) {
    let demo = harness.demo.clone();
    harness
        .configure("moderator-role", "role", demo.moderator_role_id)
        .await;
    configure(harness, "log-channel", demo.admin_log_id.to_string()).await;
    configure(harness, "queue-channel", demo.tickets_id.to_string()).await;
    configure(
        harness,
        "announce-channel",
        demo.announcements_id.to_string(),
    )
    .await;
    set_proposed_category(harness, Some(demo.proposed_category_id)).await;
}

async fn propose_channel(harness: &Harness, user: u64, idea: &str) -> InteractionRecord {
    harness
        .run(
            user,
            harness.demo.general_id,
            "propose",
            vec![CommandOption::sub(
                "channel",
                vec![CommandOption::value("idea", idea)],
            )],
        )
        .await
}

/// A file as a command's attachment option.
fn file_option(name: &str, filename: &str, content_type: &str, bytes: &[u8]) -> CommandOption {
    use base64::Engine as _;
    CommandOption::value(
        name,
        json!({
            "filename": filename,
            "content_type": content_type,
            "data_base64": base64::engine::general_purpose::STANDARD.encode(bytes),
        }),
    )
}

async fn propose_emoji(
    harness: &Harness,
    user: u64,
    name: &str,
    filename: &str,
    bytes: &[u8],
) -> String {
    let record = harness
        .run(
            user,
            harness.demo.general_id,
            "propose",
            vec![CommandOption::sub(
                "emoji",
                vec![
                    CommandOption::value("name", name),
                    file_option("file", filename, "image/png", bytes),
                ],
            )],
        )
        .await;
    assert!(is_private(&record), "proposal answers are private");
    content(&record)
}

/// `/proposal <name> …` as `user`.
/// `/proposal approve id` as `admin`: the panel that asks for the name.
async fn approve_panel(harness: &Harness, admin: u64, id: u64) -> InteractionRecord {
    proposal(
        harness,
        admin,
        "approve",
        vec![CommandOption::value("id", id)],
    )
    .await
}

async fn proposal(
    harness: &Harness,
    user: u64,
    name: &str,
    options: Vec<CommandOption>,
) -> InteractionRecord {
    harness
        .run(
            user,
            harness.demo.general_id,
            "proposal",
            vec![CommandOption::sub(name, options)],
        )
        .await
}

/// `/reports <name> …` as `user`.
async fn reports(
    harness: &Harness,
    user: u64,
    name: &str,
    options: Vec<CommandOption>,
) -> InteractionRecord {
    harness
        .run(
            user,
            harness.demo.general_id,
            "reports",
            vec![CommandOption::sub(name, options)],
        )
        .await
}

/// Opens the name modal on an approval panel and submits `name`; what the admin sees.
async fn approve_with_name(harness: &Harness, admin: u64, id: u64, name: &str) -> String {
    let panel = approve_panel(harness, admin, id).await;
    assert!(is_private(&panel));
    let asked = harness
        .click(
            admin,
            message_id(&panel),
            &format!("governance:1:override:{id}"),
            &[],
        )
        .await;
    assert_eq!(asked.callback.as_ref().unwrap().kind, 9, "a modal");
    content(&submit_name(harness, admin, id, name).await)
}

async fn submit_name(harness: &Harness, admin: u64, id: u64, name: &str) -> InteractionRecord {
    let answer = send_name(harness, admin, id, name);
    harness.sim.answer(answer, ANSWER).await.expect("an answer")
}

/// Submits the open name modal without waiting; the interaction's id.
fn send_name(harness: &Harness, admin: u64, id: u64, name: &str) -> u64 {
    let mut fields = Map::new();
    fields.insert("name".into(), Value::String(name.into()));
    harness
        .sim
        .submit_modal(ModalSubmit {
            guild_id: Some(harness.demo.guild_id),
            channel_id: None,
            user_id: admin,
            custom_id: format!("governance:1:override-name:{id}"),
            fields,
            unchecked: false,
        })
        .expect("the modal submission")
}

/// The text of every message in a channel.
fn texts(harness: &Harness, channel: u64) -> Vec<String> {
    harness
        .sim
        .channel_messages(channel)
        .iter()
        .map(message_text)
        .collect()
}

/// The queue message whose title is `title`: (its id, its text).
fn queue_message(harness: &Harness, title: &str) -> Option<(u64, String)> {
    harness
        .sim
        .channel_messages(harness.demo.tickets_id)
        .iter()
        .find(|message| message["embeds"][0]["title"] == title)
        .map(|message| {
            (
                message["id"].as_str().unwrap().parse().unwrap(),
                message_text(message),
            )
        })
}

fn dm_texts(harness: &Harness, user: u64) -> Vec<String> {
    harness.sim.dms(user).iter().map(message_text).collect()
}

/// The channel in "… <#id> …".
fn mentioned_channel(text: &str) -> u64 {
    let start = text.find("<#").expect("a channel mention") + 2;
    let end = start + text[start..].find('>').unwrap();
    text[start..end].parse().unwrap()
}

fn png(width: u32, height: u32) -> Vec<u8> {
    encoded(width, height, ImageFormat::Png)
}

fn encoded(width: u32, height: u32, format: ImageFormat) -> Vec<u8> {
    let image = image::DynamicImage::ImageRgba8(RgbaImage::from_pixel(
        width,
        height,
        Rgba([40, 120, 200, 255]),
    ));
    let image = if format == ImageFormat::Jpeg {
        image::DynamicImage::ImageRgb8(image.to_rgb8())
    } else {
        image
    };
    let mut bytes = Vec::new();
    image
        .write_to(&mut Cursor::new(&mut bytes), format)
        .unwrap();
    bytes
}

fn animated_gif(side: u32) -> Vec<u8> {
    use image::codecs::gif::{GifEncoder, Repeat};
    use image::{Delay, Frame};
    let mut bytes = Vec::new();
    {
        let mut encoder = GifEncoder::new(&mut bytes);
        encoder.set_repeat(Repeat::Infinite).unwrap();
        for shade in [0u8, 128, 255] {
            let frame = RgbaImage::from_pixel(side, side, Rgba([shade, 0, 255 - shade, 255]));
            encoder
                .encode_frame(Frame::from_parts(
                    frame,
                    0,
                    0,
                    Delay::from_numer_denom_ms(100, 1),
                ))
                .unwrap();
        }
    }
    bytes
}

#[test]
fn members_propose_channels_and_admins_approve_override_and_reject() {
    run_test(async {
        let harness = governance_guild().await;
        let demo = harness.demo.clone();
        let (ada, bob, cat) = (demo.member_ids[0], demo.member_ids[1], demo.member_ids[2]);

        // A member proposes; the idea is cleaned; without a model there is no suggestion
        // and the proposal goes on.
        let record = propose_channel(&harness, ada, "A place for   retro games @everyone").await;
        assert!(is_private(&record));
        assert_eq!(
            content(&record),
            "Thank you! Your channel proposal #1 has been submitted for review."
        );
        let log = texts(&harness, demo.admin_log_id);
        let logged = log
            .iter()
            .find(|text| text.contains("Proposal #1 · channel"))
            .expect("the full record in the admin log");
        assert!(
            logged.contains("A place for retro games @\u{200B}everyone"),
            "{logged}"
        );
        assert!(logged.contains("Suggested name: no suggestion"), "{logged}");
        assert!(logged.contains(&format!("<@{ada}>")), "{logged}");
        let (_, queued) = queue_message(&harness, "Pending proposals").expect("the queue");
        assert!(
            queued.contains(&format!("**#1** · channel · <@{ada}>")),
            "{queued}"
        );
        let (_, reported) = queue_message(&harness, "Pending reports").expect("both queues");
        assert!(reported.contains("Nothing is waiting."), "{reported}");

        // One pending proposal per type per member; an idea without words is refused.
        let again = content(&propose_channel(&harness, ada, "Another idea entirely").await);
        assert!(
            again.starts_with("You already have a pending channel proposal (#1)"),
            "{again}"
        );
        let empty = content(&propose_channel(&harness, bob, "  !!  ").await);
        assert!(empty.contains("at least 3 letters or digits"), "{empty}");

        // Members cannot decide.
        let refused = approve_panel(&harness, ada, 1).await;
        assert_eq!(content(&refused), "Only server admins can do that here.");
        assert!(refused.payload["components"]
            .as_array()
            .is_none_or(|rows| rows.is_empty()));

        // The admin's panel: no suggested name, so "Override name" and "Re-run suggestion".
        let panel = approve_panel(&harness, demo.admin_id, 1).await;
        assert!(is_private(&panel));
        assert!(content(&panel).contains("Choose the name for proposal #1"));
        assert_eq!(
            custom_ids(&panel.payload),
            ["governance:1:override:1", "governance:1:rerun:1"]
        );

        // No proposed category: said plainly, nothing made, still pending.
        set_proposed_category(&harness, None).await;
        let told = approve_with_name(&harness, demo.admin_id, 1, "Retro Games").await;
        assert!(
            told.starts_with("No proposed-channels category is set"),
            "{told}"
        );
        set_proposed_category(&harness, Some(demo.proposed_category_id)).await;

        // The admin's own name: the channel is made in the proposed category.
        let told = approve_with_name(&harness, demo.admin_id, 1, "Retro Games!").await;
        assert!(
            told.starts_with("Approved proposal #1: the channel <#"),
            "{told}"
        );
        let channel = mentioned_channel(&told);
        {
            let world = harness.sim.state().world.lock();
            let made = world.channel(channel).expect("the channel exists");
            assert_eq!(made.name.as_deref(), Some("retro-games"));
            assert_eq!(made.parent_id, Some(demo.proposed_category_id));
        }
        assert!(dm_texts(&harness, ada)
            .iter()
            .any(|dm| dm.contains("Your channel proposal **retro-games**")
                && dm.contains("has been approved!")));
        let announced = texts(&harness, demo.announcements_id);
        assert!(
            announced.iter().any(|text| text.contains("New channel")
                && text.contains(&format!("<#{channel}> is open! Proposed by <@{ada}>"))),
            "{announced:?}"
        );
        let (_, queued) = queue_message(&harness, "Pending proposals").unwrap();
        assert!(queued.contains("Nothing is waiting."), "{queued}");

        // Decided is decided.
        let again = approve_panel(&harness, demo.admin_id, 1).await;
        assert_eq!(
            content(&again),
            format!(
                "Proposal #1 was already approved by <@{}> (as **retro-games**); nothing was done.",
                demo.admin_id
            )
        );
        let unknown = approve_panel(&harness, demo.admin_id, 99).await;
        assert_eq!(
            content(&unknown),
            "There is no proposal #99 on this server."
        );

        // Rejected with a reason the member reads by DM.
        propose_channel(&harness, bob, "Cooking recipes and kitchen disasters").await;
        let rejected = proposal(
            &harness,
            demo.admin_id,
            "reject",
            vec![
                CommandOption::value("id", 2),
                CommandOption::value("reason", "We already have #food"),
            ],
        )
        .await;
        assert_eq!(
            content(&rejected),
            "Rejected proposal #2; the member got the reason by DM."
        );
        assert!(dm_texts(&harness, bob)
            .iter()
            .any(|dm| dm.contains("proposal #2") && dm.contains("Reason: We already have #food")));
        let twice = proposal(
            &harness,
            demo.admin_id,
            "reject",
            vec![
                CommandOption::value("id", 2),
                CommandOption::value("reason", "x"),
            ],
        )
        .await;
        assert!(
            content(&twice).contains("was already rejected"),
            "{}",
            content(&twice)
        );

        // The guild's own announcement template.
        let set = proposal(
            &harness,
            demo.admin_id,
            "template",
            vec![CommandOption::value(
                "text",
                "Say hi in {mention}, thanks to {proposer}!",
            )],
        )
        .await;
        assert!(content(&set).starts_with("Approved proposals will be announced as:"));
        propose_channel(&harness, bob, "Board games night planning").await;
        let told = approve_with_name(&harness, demo.admin_id, 3, "board-games").await;
        let board = mentioned_channel(&told);
        assert!(texts(&harness, demo.announcements_id)
            .iter()
            .any(|text| text.contains(&format!("Say hi in <#{board}>, thanks to <@{bob}>!"))));

        // The cap on the proposed category: two channels there now, the cap is 2.
        configure(&harness, "max-proposed-channels", 2).await;
        let full = content(&propose_channel(&harness, cat, "Photography corner").await);
        assert_eq!(
            full,
            "We are at our limit for new channels (2). Please try again later."
        );
    });
}

#[test]
fn emoji_files_are_judged_by_their_content_and_approved_emojis_are_made() {
    run_test(async {
        let harness = governance_guild().await;
        let demo = harness.demo.clone();
        let (ada, bob, cat) = (demo.member_ids[0], demo.member_ids[1], demo.member_ids[2]);

        // Every way a file can be wrong, each said specifically; nothing is stored.
        let cases: Vec<(&str, &str, Vec<u8>, &str)> = vec![
            ("party", "party.png", b"just a text file, no picture at all".to_vec(),
             "\u{201c}party.png\u{201d} is not an image: its content is not PNG, JPEG or GIF."),
            ("party", "party.gif", png(64, 64),
             "\u{201c}party.gif\u{201d} is named .gif but its content is PNG."),
            ("party", "party.png", vec![b'x'; 300 * 1024],
             "The file is 300 KB; Discord takes emojis of at most 256 KB."),
            ("party", "party.png", png(64, 32),
             "The image is 64×32 px; emojis must be square (as wide as they are high)."),
            ("party", "party.png", png(16, 16),
             "The image is 16×16 px; emojis must be at least 32×32 px."),
            ("party", "party.png", png(300, 300),
             "The image is 300×300 px; emojis may be at most 256×256 px."),
            ("party time", "party.png", png(64, 64),
             "An emoji name may only contain letters, digits and underscores; yours contains \u{201c}space\u{201d}."),
            ("p", "party.png", png(64, 64),
             "An emoji name must be 2 to 32 characters long; yours has 1."),
        ];
        for (name, filename, bytes, expected) in &cases {
            let told = propose_emoji(&harness, ada, name, filename, bytes).await;
            assert!(told.starts_with(expected), "{filename}: {told}");
        }
        let store = harness.agora().kernel().store.clone();
        let guild = Id::new(demo.guild_id);
        assert!(store.pending_proposals(guild).await.unwrap().is_empty());

        // A PNG, an animated GIF and a JPEG pass.
        let told = propose_emoji(&harness, ada, "party", "party.png", &png(64, 64)).await;
        assert_eq!(
            told,
            "Thank you! Your emoji proposal #1 has been submitted for review."
        );
        let told = propose_emoji(&harness, bob, "dance", "dance.gif", &animated_gif(48)).await;
        assert_eq!(
            told,
            "Thank you! Your emoji proposal #2 has been submitted for review."
        );
        let told = propose_emoji(
            &harness,
            cat,
            "photo",
            "photo.jpeg",
            &encoded(128, 128, ImageFormat::Jpeg),
        )
        .await;
        assert_eq!(
            told,
            "Thank you! Your emoji proposal #3 has been submitted for review."
        );
        let again = propose_emoji(&harness, ada, "party2", "party.png", &png(64, 64)).await;
        assert!(
            again.starts_with("You already have a pending emoji proposal (#1)"),
            "{again}"
        );
        let (_, queued) = queue_message(&harness, "Pending proposals").unwrap();
        assert!(
            queued.contains("**#2** · emoji") && queued.contains(":dance:"),
            "{queued}"
        );
        assert!(texts(&harness, demo.admin_log_id)
            .iter()
            .any(|text| text.contains("Proposal #1 · emoji") && text.contains(":party:")));

        // Approved as proposed: the emojis exist on the server, the animated one animated.
        for (id, name) in [(1, "party"), (2, "dance")] {
            let panel = approve_panel(&harness, demo.admin_id, id).await;
            let approve = format!("governance:1:approve:{id}:{name}");
            assert_eq!(
                custom_ids(&panel.payload),
                [approve.clone(), format!("governance:1:override:{id}")]
            );
            let done = harness
                .click(demo.admin_id, message_id(&panel), &approve, &[])
                .await;
            assert!(
                content(&done).starts_with(&format!("Approved proposal #{id}: the emoji <")),
                "{}",
                content(&done)
            );
        }
        {
            let world = harness.sim.state().world.lock();
            let emojis: Vec<(String, bool)> = world.guilds[&demo.guild_id]
                .emojis
                .values()
                .map(|emoji| (emoji.name.clone(), emoji.animated))
                .collect();
            assert_eq!(
                emojis,
                [("party".to_owned(), false), ("dance".to_owned(), true)]
            );
        }
        assert!(dm_texts(&harness, bob)
            .iter()
            .any(|dm| dm.contains("Your emoji proposal **dance**")));
        assert!(texts(&harness, demo.announcements_id)
            .iter()
            .any(|text| text.contains("New emoji") && text.contains("`:party:`")));
    });
}

#[test]
fn two_admins_approving_at_once_make_one_channel() {
    run_test(async {
        let harness = governance_guild().await;
        let demo = harness.demo.clone();
        let ada = demo.member_ids[0];
        propose_channel(&harness, ada, "Speedrunning tips and routes").await;
        let admins = [demo.admin_id, demo.owner_id];
        for admin in admins {
            let panel = approve_panel(&harness, admin, 1).await;
            harness
                .click(admin, message_id(&panel), "governance:1:override:1", &[])
                .await;
        }
        let sent: Vec<u64> = admins
            .iter()
            .zip(["speedrunning", "speedruns"])
            .map(|(admin, name)| send_name(&harness, *admin, 1, name))
            .collect();
        let answers =
            futures::future::join_all(sent.iter().map(|id| harness.sim.answer(*id, ANSWER))).await;
        let told: Vec<String> = answers
            .into_iter()
            .map(|answer| content(&answer.expect("an answer")))
            .collect();
        let won = told
            .iter()
            .filter(|text| text.starts_with("Approved proposal #1"))
            .count();
        assert_eq!(won, 1, "{told:?}");
        assert!(
            told.iter()
                .any(|text| text.contains("is being approved right now by")
                    || text.contains("was already approved by")),
            "{told:?}"
        );
        let made = harness
            .sim
            .state()
            .world
            .lock()
            .guild_channels(demo.guild_id)
            .iter()
            .filter(|channel| channel.parent_id == Some(demo.proposed_category_id))
            .count();
        assert_eq!(made, 1, "one channel");
        assert_eq!(
            dm_texts(&harness, ada)
                .iter()
                .filter(|dm| dm.contains("has been approved"))
                .count(),
            1
        );
    });
}

/// The state a process leaves when it stops in the middle of an approval: the proposal
/// claimed (as `approve` claims it) and, when `made`, the channel Discord made for it,
/// asked for by the bot's own client as `approve` asks.
async fn cut_off_approval(harness: &Harness, admin: u64, name: &str, made: bool) -> Option<u64> {
    let kernel = harness.agora().kernel();
    let guild = Id::new(harness.demo.guild_id);
    assert!(kernel
        .store
        .claim_proposal(guild, 1, Id::new(admin), name)
        .await
        .unwrap());
    if !made {
        return None;
    }
    let channel = kernel
        .discord
        .client()
        .create_guild_channel(guild, name)
        .kind(twilight_model::channel::ChannelType::GuildText)
        .parent_id(Id::new(harness.demo.proposed_category_id))
        .await
        .expect("Discord makes the channel")
        .model()
        .await
        .unwrap();
    Some(channel.id.get())
}

/// A governance guild on `clock` where the first demo member proposed a channel (#1).
async fn retro_games_proposed(clock: &std::sync::Arc<ManualClock>) -> Harness {
    let harness = governance_guild_on(clock).await;
    propose_channel(&harness, harness.demo.member_ids[0], "Retro games corner").await;
    harness
}

/// Proposal `id` of the demo guild as the store holds it.
async fn stored_proposal(harness: &Harness, id: i64) -> agora_actors::governance::store::Proposal {
    harness
        .agora()
        .kernel()
        .store
        .proposal(Id::new(harness.demo.guild_id), id)
        .await
        .unwrap()
        .expect("the proposal")
}

fn channels_named(harness: &Harness, name: &str) -> Vec<u64> {
    harness
        .sim
        .state()
        .world
        .lock()
        .guild_channels(harness.demo.guild_id)
        .iter()
        .filter(|channel| channel.name.as_deref() == Some(name))
        .map(|channel| channel.id)
        .collect()
}

#[test]
fn an_approval_cut_off_by_a_restart_is_finished_when_discord_made_it() {
    run_test(async {
        let clock = ManualClock::new(chrono::Utc::now());
        let mut harness = retro_games_proposed(&clock).await;
        let demo = harness.demo.clone();
        let ada = demo.member_ids[0];
        let made = cut_off_approval(&harness, demo.admin_id, "retro-games", true)
            .await
            .unwrap();
        harness.stop().await;
        harness.boot(Vec::new()).await;

        // Another process may still be making it: a young claim is left alone.
        clock.advance(chrono::Duration::minutes(9));
        harness.tick("governance-ticker").await;
        let waiting = stored_proposal(&harness, 1).await;
        assert_eq!(waiting.status, ProposalStatus::Approving);
        let (_, queued) = queue_message(&harness, "Pending proposals").unwrap();
        assert!(queued.contains("being approved"), "{queued}");

        // Cut off for longer than an approval takes: Discord has the channel, so the
        // approval is finished with it and made known as `approve` would have.
        clock.advance(chrono::Duration::minutes(2));
        harness.tick("governance-ticker").await;
        let approved = stored_proposal(&harness, 1).await;
        assert_eq!(
            (
                approved.status,
                approved.final_name.as_deref(),
                approved.created_id,
                approved.decided_by
            ),
            (
                ProposalStatus::Approved,
                Some("retro-games"),
                Some(made),
                Some(Id::new(demo.admin_id))
            )
        );
        assert_eq!(
            channels_named(&harness, "retro-games"),
            vec![made],
            "made once"
        );
        assert!(dm_texts(&harness, ada)
            .iter()
            .any(|dm| dm.contains("**retro-games**") && dm.contains("has been approved")));
        assert!(texts(&harness, demo.announcements_id)
            .iter()
            .any(|text| text.contains(&format!("<#{made}>"))));
        assert!(texts(&harness, demo.admin_log_id)
            .iter()
            .any(|text| text.contains(&format!(
                "Proposal #1 (channel) approved as **retro-games** by <@{}>: <#{made}>",
                demo.admin_id
            ))));
        let (_, queued) = queue_message(&harness, "Pending proposals").unwrap();
        assert!(queued.contains("Nothing is waiting."), "{queued}");

        // Settled once: the next tick changes nothing.
        let dms = dm_texts(&harness, ada).len();
        clock.advance(chrono::Duration::minutes(5));
        harness.tick("governance-ticker").await;
        assert_eq!(dm_texts(&harness, ada).len(), dms);
    });
}

#[test]
fn an_approval_cut_off_before_discord_made_it_goes_back_to_the_queue() {
    run_test(async {
        // The bot's clock 5 minutes on: the channel the sim makes below, at its own now,
        // is older than the claim, as a channel made by hand before it would be.
        let clock = ManualClock::new(chrono::Utc::now() + chrono::Duration::minutes(5));
        let mut harness = retro_games_proposed(&clock).await;
        let demo = harness.demo.clone();
        let ada = demo.member_ids[0];
        // A channel of that name made before the claim is not the one the claim made.
        harness
            .sim
            .create_channel(
                demo.guild_id,
                "retro-games",
                0,
                Some(demo.proposed_category_id),
            )
            .unwrap();
        assert!(
            cut_off_approval(&harness, demo.admin_id, "retro-games", false)
                .await
                .is_none()
        );
        harness.stop().await;
        harness.boot(Vec::new()).await;

        // Meanwhile a second admin is told it is being approved.
        let told = approve_panel(&harness, demo.owner_id, 1).await;
        assert!(
            content(&told).contains("is being approved right now by"),
            "{}",
            content(&told)
        );

        clock.advance(chrono::Duration::minutes(11));
        harness.tick("governance-ticker").await;
        let back = stored_proposal(&harness, 1).await;
        assert_eq!(
            (
                back.status,
                back.final_name,
                back.decided_by,
                back.created_id
            ),
            (ProposalStatus::Pending, None, None, None)
        );
        assert!(texts(&harness, demo.admin_log_id).iter().any(|text| text.contains(&format!(
            "Proposal #1 (channel): the approval by <@{}> as **retro-games** was cut off by a restart before Discord made it; the proposal is back in the queue.",
            demo.admin_id
        ))));
        let (_, queued) = queue_message(&harness, "Pending proposals").unwrap();
        assert!(
            queued.contains(&format!("**#1** · channel · <@{ada}>"))
                && !queued.contains("being approved"),
            "{queued}"
        );
        assert!(dm_texts(&harness, ada)
            .iter()
            .all(|dm| !dm.contains("has been approved")));

        // And an admin approves it as usual: one new channel.
        let answer = approve_with_name(&harness, demo.owner_id, 1, "retro-games-2").await;
        assert!(answer.starts_with("Approved proposal #1"), "{answer}");
        assert_eq!(channels_named(&harness, "retro-games-2").len(), 1);
        assert_eq!(
            channels_named(&harness, "retro-games").len(),
            1,
            "the old one only"
        );
    });
}

#[test]
fn an_approval_the_database_did_not_take_is_recorded_by_the_next_check_and_told_once() {
    run_test(async {
        let clock = ManualClock::new(chrono::Utc::now());
        let mut harness = retro_games_proposed(&clock).await;
        let demo = harness.demo.clone();
        let ada = demo.member_ids[0];
        let panel = approve_panel(&harness, demo.admin_id, 1).await;
        harness
            .click(
                demo.admin_id,
                message_id(&panel),
                "governance:1:override:1",
                &[],
            )
            .await;
        // Discord takes 3 s to make the channel; the database goes away meanwhile.
        let route = format!("POST /guilds/{}/channels", demo.guild_id);
        harness
            .sim
            .faults()
            .set_route_latency(&route, std::time::Duration::from_secs(3));
        let sent = send_name(&harness, demo.admin_id, 1, "retro-games");
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
        harness.agora().kernel().store.close();
        let answer = harness
            .sim
            .answer(sent, std::time::Duration::from_secs(15))
            .await
            .expect("an answer");
        let told = content(&answer);
        let made = mentioned_channel(&told);
        assert_eq!(
            told,
            format!(
                "The channel <#{made}> is created, but the database did not take the approval of proposal #1. \
                 It is recorded, and the member told, by the next check within 15 minutes."
            )
        );
        harness
            .sim
            .faults()
            .set_route_latency(&route, std::time::Duration::ZERO);
        assert!(dm_texts(&harness, ada)
            .iter()
            .all(|dm| !dm.contains("has been approved")));

        // The database back (a restart), the next check records it and tells the member once.
        harness.stop().await;
        harness.boot(Vec::new()).await;
        clock.advance(chrono::Duration::minutes(11));
        harness.tick("governance-ticker").await;
        let approved = stored_proposal(&harness, 1).await;
        assert_eq!(
            (approved.status, approved.created_id),
            (ProposalStatus::Approved, Some(made))
        );
        assert_eq!(
            dm_texts(&harness, ada)
                .iter()
                .filter(|dm| dm.contains("has been approved"))
                .count(),
            1
        );
        assert_eq!(channels_named(&harness, "retro-games"), vec![made]);
    });
}

#[test]
fn reports_are_read_and_handled_by_staff_only() {
    run_test(async {
        let harness = governance_guild().await;
        let demo = harness.demo.clone();
        let (ada, bob) = (demo.member_ids[0], demo.member_ids[1]);
        let moderator = demo.moderator_ids[0];

        let record = harness
            .run(
                ada,
                demo.general_id,
                "report",
                vec![
                    CommandOption::value(
                        "description",
                        "Someone DMs members a fake Nitro scam link",
                    ),
                    file_option("file", "scam.png", "image/png", &png(40, 40)),
                ],
            )
            .await;
        assert!(is_private(&record), "only the reporter sees the receipt");
        assert_eq!(
            content(&record),
            "Thank you for your report (#1). Only the staff can read it; you will hear from them by DM."
        );
        // Nothing of it where members read.
        assert!(!texts(&harness, demo.general_id)
            .iter()
            .any(|text| text.contains("Nitro")));
        let log = harness.sim.channel_messages(demo.admin_log_id);
        let logged = log
            .iter()
            .find(|message| message_text(message).contains("Report #1"))
            .expect("the full record in the admin log");
        assert!(message_text(logged).contains("fake Nitro scam link"));
        assert!(
            logged["embeds"][0]["image"]["url"].as_str().is_some(),
            "the screenshot"
        );
        let logged_id = logged["id"].as_str().unwrap().to_owned();
        let (_, queued) = queue_message(&harness, "Pending reports").unwrap();
        assert!(
            queued.contains(&format!("**#1** · <@{ada}> · new · Someone DMs")),
            "{queued}"
        );

        // Members cannot read reports.
        let refused = reports(&harness, bob, "view", vec![CommandOption::value("id", 1)]).await;
        assert_eq!(content(&refused), "Only moderators can do that here.");

        // A moderator reads it: investigating, the reporter told once, the link to the record.
        let viewed = reports(
            &harness,
            moderator,
            "view",
            vec![CommandOption::value("id", 1)],
        )
        .await;
        assert!(is_private(&viewed));
        let text = content(&viewed);
        assert!(
            text.contains(&format!(
                "https://discord.com/channels/{}/{}/{logged_id}",
                demo.guild_id, demo.admin_log_id
            )),
            "{text}"
        );
        assert!(text.contains("Status: investigating"), "{text}");
        reports(
            &harness,
            moderator,
            "view",
            vec![CommandOption::value("id", 1)],
        )
        .await;
        let investigating = |harness: &Harness| {
            dm_texts(harness, ada)
                .iter()
                .filter(|dm| dm.contains("is being investigated"))
                .count()
        };
        assert_eq!(investigating(&harness), 1, "told once");
        let (_, queued) = queue_message(&harness, "Pending reports").unwrap();
        assert!(queued.contains("investigating"), "{queued}");

        // Resolved: the explanation by DM, gone from the queue, not twice.
        let resolved = reports(
            &harness,
            moderator,
            "resolve",
            vec![
                CommandOption::value("id", 1),
                CommandOption::value("explanation", "The account was banned. Thanks!"),
            ],
        )
        .await;
        assert!(
            content(&resolved).starts_with("Resolved report #1"),
            "{}",
            content(&resolved)
        );
        assert!(dm_texts(&harness, ada)
            .iter()
            .any(|dm| dm.contains("has been resolved. The account was banned. Thanks!")));
        let (_, queued) = queue_message(&harness, "Pending reports").unwrap();
        assert!(queued.contains("Nothing is waiting."), "{queued}");
        let twice = reports(
            &harness,
            moderator,
            "resolve",
            vec![
                CommandOption::value("id", 1),
                CommandOption::value("explanation", "again"),
            ],
        )
        .await;
        assert_eq!(
            content(&twice),
            "Report #1 was already resolved; nothing was sent."
        );
        let unknown = reports(
            &harness,
            moderator,
            "view",
            vec![CommandOption::value("id", 7)],
        )
        .await;
        assert_eq!(content(&unknown), "There is no report #7 on this server.");
    });
}

#[test]
fn the_queue_is_found_again_after_a_restart_and_posted_again_when_deleted_by_hand() {
    run_test(async {
        let mut harness = governance_guild().await;
        let demo = harness.demo.clone();
        propose_channel(&harness, demo.member_ids[0], "Retro games corner").await;
        let (proposals, _) = queue_message(&harness, "Pending proposals").unwrap();
        let (reports, _) = queue_message(&harness, "Pending reports").unwrap();
        let posted = harness.sim.channel_messages(demo.tickets_id).len();
        assert_eq!(posted, 2, "two queue messages");

        // After a restart the same messages are edited, not new ones posted.
        harness.stop().await;
        harness.boot(Vec::new()).await;
        propose_channel(&harness, demo.member_ids[1], "Synthesizer music makers").await;
        let (after, text) = queue_message(&harness, "Pending proposals").unwrap();
        assert_eq!(after, proposals, "found again");
        assert!(text.contains("**#1**") && text.contains("**#2**"), "{text}");
        assert_eq!(harness.sim.channel_messages(demo.tickets_id).len(), 2);

        // Someone deletes the proposals message by hand: it is posted again at once.
        harness.sim.state().mutate(|world, _| {
            let event = world
                .delete_message(demo.tickets_id, proposals)
                .expect("the queue message");
            ((), vec![event])
        });
        wait_until("the queue posted again", ANSWER, || {
            queue_message(&harness, "Pending proposals").is_some_and(|(id, _)| id != proposals)
        })
        .await;
        let (reposted, text) = queue_message(&harness, "Pending proposals").unwrap();
        assert!(text.contains("**#2**"), "{text}");
        assert_eq!(
            queue_message(&harness, "Pending reports").unwrap().0,
            reports
        );
        // And that one is found again too.
        harness.tick("governance-ticker").await;
        assert_eq!(
            queue_message(&harness, "Pending proposals").unwrap().0,
            reposted
        );
        assert_eq!(harness.sim.channel_messages(demo.tickets_id).len(), 2);
    });
}

#[test]
fn the_model_suggests_names_and_any_failure_is_no_suggestion() {
    use agora_sim::llm::{ScriptedReply, ScriptedToolCall};
    run_test(async {
        let harness = governance_guild().await;
        let demo = harness.demo.clone();
        let (ada, bob, cat) = (demo.member_ids[0], demo.member_ids[1], demo.member_ids[2]);
        let llm = harness.sim.llm().clone();
        let store = harness.agora().kernel().store.clone();
        let guild = Id::new(demo.guild_id);
        let suggest = |name: &str| ScriptedReply::ToolCalls {
            calls: vec![ScriptedToolCall {
                name: "suggest_channel_name".into(),
                arguments: json!({"name": name, "reason": "short and clear"}),
            }],
            content: None,
            delay_ms: 0,
        };

        // A good answer: the name, made to Discord's rules, is the suggestion.
        llm.push(suggest("Retro Games Corner"));
        let told = content(&propose_channel(&harness, ada, "A corner for retro games").await);
        assert_eq!(
            told,
            "Thank you! Your channel proposal #1 has been submitted for review."
        );
        let asked = llm.requests();
        let body = &asked.last().expect("the model was asked").body;
        assert_eq!(body["tools"][0]["function"]["name"], "suggest_channel_name");
        assert!(
            body.to_string().contains("A corner for retro games"),
            "{body}"
        );
        let (_, queued) = queue_message(&harness, "Pending proposals").unwrap();
        assert!(queued.contains("#retro-games-corner"), "{queued}");
        let panel = approve_panel(&harness, demo.admin_id, 1).await;
        assert_eq!(
            custom_ids(&panel.payload),
            [
                "governance:1:approve:1:retro-games-corner",
                "governance:1:override:1",
                "governance:1:rerun:1"
            ]
        );
        let done = harness
            .click(
                demo.admin_id,
                message_id(&panel),
                "governance:1:approve:1:retro-games-corner",
                &[],
            )
            .await;
        let channel = mentioned_channel(&content(&done));
        assert_eq!(
            harness
                .sim
                .state()
                .world
                .lock()
                .channel(channel)
                .unwrap()
                .name
                .as_deref(),
            Some("retro-games-corner")
        );

        // Malformed output: no suggestion, the proposal goes on.
        llm.push(ScriptedReply::Malformed);
        let told = content(&propose_channel(&harness, bob, "Synthesizer music makers").await);
        assert!(told.starts_with("Thank you!"), "{told}");
        let stored = store.proposal(guild, 2).await.unwrap().unwrap();
        assert_eq!(stored.suggestion, None);
        assert!(stored.suggestion_note.is_some());
        assert!(texts(&harness, demo.admin_log_id)
            .iter()
            .any(|text| text.contains("Proposal #2")
                && text.contains("Suggested name: no suggestion (")));

        // Re-run: the model answers this time; the panel offers its name.
        llm.push(suggest("Synth Makers"));
        let panel = approve_panel(&harness, demo.admin_id, 2).await;
        let rerun = harness
            .click(
                demo.admin_id,
                message_id(&panel),
                "governance:1:rerun:2",
                &[],
            )
            .await;
        assert!(
            content(&rerun).starts_with("New suggestion: **synth-makers**"),
            "{}",
            content(&rerun)
        );
        assert_eq!(
            custom_ids(&rerun.payload)[0],
            "governance:1:approve:2:synth-makers"
        );

        // Slower than the deadline: no suggestion, the member still gets the receipt.
        llm.push(ScriptedReply::Slow {
            delay_ms: 8_000,
            content: "too late".into(),
        });
        let told = content(&propose_channel(&harness, cat, "Photography corner").await);
        assert!(told.starts_with("Thank you!"), "{told}");
        assert_eq!(
            store.proposal(guild, 3).await.unwrap().unwrap().suggestion,
            None
        );

        // Down (5xx on every try): the same.
        for _ in 0..6 {
            llm.push(ScriptedReply::Error {
                status: 503,
                message: Some("overloaded".into()),
            });
        }
        let told = content(&propose_channel(&harness, ada, "Tabletop role-playing").await);
        assert!(told.starts_with("Thank you!"), "{told}");
        assert_eq!(
            store.proposal(guild, 4).await.unwrap().unwrap().suggestion,
            None
        );
        llm.clear_script();
    });
}
