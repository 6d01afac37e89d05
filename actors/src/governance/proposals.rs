//! Proposals: `/propose channel|emoji` (members), `/proposal approve|reject|template`
//! (admins), and the approval panel's buttons and name modal.
//!
//! A channel idea is sanitized and the model asked for a name (no suggestion when it
//! cannot give one); an emoji is checked in memory. One open proposal per type per member
//! (a conditional insert), and a cap on channels in the proposed category. Approving
//! claims the proposal for one admin (a conditional update): only the winner creates the
//! channel or emoji, and a failure gives the proposal back to the queue. An approval cut
//! off by a stop is settled by the ticker from what Discord made.

use std::sync::Arc;

use twilight_model::channel::ChannelType;
use twilight_model::id::marker::{ChannelMarker, GuildMarker, UserMarker};
use twilight_model::id::Id;
use twilight_util::snowflake::Snowflake as _;

use super::commands::{ProposalCommand, ProposeChannel, ProposeCommand, ProposeEmoji};
use super::emoji::{self, EmojiProblem};
use super::naming::{self, IdeaProblem, Suggestion};
use super::settings::{GovernanceSettings, ANNOUNCE_TEMPLATE, FEATURE, TEMPLATE_MAX_CHARS};
use super::store::{NewProposal, Proposal, ProposalKind, ProposalStatus};
use super::{private, queue, render, Shared, TEXTS};
use crate::dispatcher::{InteractionRequest, RequestKind};
use crate::kernel::discord::{send_for_list, send_for_model, DiscordError};
use crate::kernel::i18n::Locale;
use crate::kernel::reply::{clip, Reply, ReplyMessage};
use crate::t;

/// `/propose …`.
pub async fn propose(
    shared: &Arc<Shared>,
    request: &InteractionRequest,
    guild: Id<GuildMarker>,
) -> Reply {
    match TEXTS.options::<ProposeCommand>(request) {
        Ok(ProposeCommand::Channel(options)) => {
            propose_channel(shared, request, guild, options).await
        }
        Ok(ProposeCommand::Emoji(options)) => propose_emoji(shared, request, guild, options).await,
        Err(reply) => reply,
    }
}

/// `/proposal …`.
pub async fn command(
    shared: &Arc<Shared>,
    request: &InteractionRequest,
    guild: Id<GuildMarker>,
) -> Reply {
    match TEXTS.options::<ProposalCommand>(request) {
        Ok(ProposalCommand::Approve(options)) => panel(shared, request, guild, options.id).await,
        Ok(ProposalCommand::Reject(options)) => {
            reject(shared, request, guild, options.id, &options.reason).await
        }
        Ok(ProposalCommand::Template(options)) => {
            template(shared, request, guild, options.text).await
        }
        Err(reply) => reply,
    }
}

/// The guild's channels: (how many are in `category`, every text channel's name).
async fn channels(
    shared: &Shared,
    guild: Id<GuildMarker>,
    category: Option<Id<ChannelMarker>>,
) -> Result<(usize, Vec<String>), DiscordError> {
    let channels = send_for_list(
        "GET /guilds/{id}/channels",
        shared.kernel.discord.client().guild_channels(guild),
    )
    .await?;
    let in_category = channels
        .iter()
        .filter(|channel| category.is_some() && channel.parent_id == category)
        .count();
    let names = channels
        .iter()
        .filter(|channel| channel.kind == ChannelType::GuildText)
        .filter_map(|channel| channel.name.clone())
        .take(100)
        .collect();
    Ok((in_category, names))
}

fn already_pending(locale: Locale, kind: ProposalKind, existing: i64) -> Reply {
    let kind = render::kind_label(locale, kind);
    private(t!(
        locale,
        "governance-already-pending",
        kind = kind,
        id = existing
    ))
}

/// The new proposal goes to the admin log in full and into the queue.
async fn publish(
    shared: &Arc<Shared>,
    settings: &GovernanceSettings,
    locale: Locale,
    guild: Id<GuildMarker>,
    proposal: i64,
) {
    let stored = match shared.kernel.store.proposal(guild, proposal).await {
        Ok(Some(stored)) => stored,
        Ok(None) => return,
        Err(error) => {
            tracing::warn!(%error, "could not read a new proposal back");
            return;
        }
    };
    if let Some(log) = settings.log_channel {
        let message = render::log_message(render::proposal_embed(locale, &stored));
        if let Err(error) = shared
            .kernel
            .discord
            .send_message(log, &message, None)
            .await
        {
            tracing::warn!(%error, guild = guild.get(), "could not log a proposal");
        }
    }
    queue::refresh(shared, guild).await;
}

async fn propose_channel(
    shared: &Arc<Shared>,
    request: &InteractionRequest,
    guild: Id<GuildMarker>,
    options: ProposeChannel,
) -> Reply {
    let locale = request.language();
    let store = &shared.kernel.store;
    let settings = Shared::settings(request);
    let idea = match naming::sanitize_idea(&options.idea) {
        Ok(idea) => idea,
        Err(IdeaProblem::TooShort) => return private(t!(locale, "governance-idea-too-short")),
    };
    match store
        .open_proposal_of(guild, request.user_id, ProposalKind::Channel)
        .await
    {
        Ok(Some(existing)) => return already_pending(locale, ProposalKind::Channel, existing.id),
        Ok(None) => {}
        Err(error) => return TEXTS.database_trouble(locale, &error),
    }
    let names = match channels(shared, guild, settings.proposed_category).await {
        Ok((count, _))
            if settings.proposed_category.is_some() && count >= settings.max_channels =>
        {
            return private(t!(
                locale,
                "governance-category-full",
                max = settings.max_channels as i64
            ));
        }
        Ok((_, names)) => names,
        Err(error) => {
            tracing::warn!(%error, "could not read the guild's channels; proposing without them");
            Vec::new()
        }
    };
    let suggestion = naming::suggest(&shared.kernel, &idea, &names).await;
    let new = NewProposal {
        idea: &idea,
        suggestion: suggestion.name(),
        suggestion_note: suggestion.note(),
        ..NewProposal::default()
    };
    let id = match store
        .insert_proposal(guild, request.user_id, ProposalKind::Channel, &new)
        .await
    {
        Ok(Some(id)) => id,
        Ok(None) => {
            // Another submission of this member's got in first.
            let existing = store
                .open_proposal_of(guild, request.user_id, ProposalKind::Channel)
                .await
                .ok()
                .flatten()
                .map_or(0, |p| p.id);
            return already_pending(locale, ProposalKind::Channel, existing);
        }
        Err(error) => return TEXTS.database_trouble(locale, &error),
    };
    publish(shared, &settings, locale, guild, id).await;
    private(t!(
        locale,
        "governance-proposal-received",
        id = id,
        kind = render::kind_label(locale, ProposalKind::Channel)
    ))
}

/// A refusal of an emoji, in words that say exactly what is wrong.
fn emoji_refusal(locale: Locale, problem: &EmojiProblem, filename: &str) -> Reply {
    let file = clip(filename, 60);
    let text = match problem {
        EmojiProblem::NameLength { length } => {
            t!(
                locale,
                "governance-emoji-name-length",
                length = *length as i64
            )
        }
        EmojiProblem::NameCharacter { found } => t!(
            locale,
            "governance-emoji-name-character",
            found = if found.is_whitespace() {
                "space".to_owned()
            } else {
                found.to_string()
            }
        ),
        EmojiProblem::TooLarge { bytes } => t!(
            locale,
            "governance-emoji-too-large",
            size = (*bytes as i64 + 1023) / 1024,
            max = (emoji::MAX_BYTES / 1024) as i64
        ),
        EmojiProblem::NotAnImage => t!(locale, "governance-emoji-not-image", file = file),
        EmojiProblem::UnsupportedFormat { format } => {
            t!(
                locale,
                "governance-emoji-unsupported",
                file = file,
                format = *format
            )
        }
        EmojiProblem::WrongExtension { extension, actual } => t!(
            locale,
            "governance-emoji-wrong-extension",
            file = file,
            extension = extension.as_str(),
            actual = *actual
        ),
        EmojiProblem::UnknownExtension { extension } => t!(
            locale,
            "governance-emoji-unknown-extension",
            extension = extension.as_str()
        ),
        EmojiProblem::Damaged { format } => {
            t!(
                locale,
                "governance-emoji-damaged",
                file = file,
                format = *format
            )
        }
        EmojiProblem::TooSmall { width, height } => t!(
            locale,
            "governance-emoji-too-small",
            width = *width as i64,
            height = *height as i64,
            min = emoji::MIN_SIDE as i64
        ),
        EmojiProblem::TooBig { width, height } => t!(
            locale,
            "governance-emoji-too-big",
            width = *width as i64,
            height = *height as i64,
            max = emoji::MAX_SIDE as i64
        ),
        EmojiProblem::NotSquare { width, height } => t!(
            locale,
            "governance-emoji-not-square",
            width = *width as i64,
            height = *height as i64
        ),
    };
    private(text)
}

async fn propose_emoji(
    shared: &Arc<Shared>,
    request: &InteractionRequest,
    guild: Id<GuildMarker>,
    options: ProposeEmoji,
) -> Reply {
    let locale = request.language();
    let store = &shared.kernel.store;
    let settings = Shared::settings(request);
    let file = options.file;
    if let Err(problem) = emoji::check_name(&options.name) {
        return emoji_refusal(locale, &problem, &file.filename);
    }
    match store
        .open_proposal_of(guild, request.user_id, ProposalKind::Emoji)
        .await
    {
        Ok(Some(existing)) => return already_pending(locale, ProposalKind::Emoji, existing.id),
        Ok(None) => {}
        Err(error) => return TEXTS.database_trouble(locale, &error),
    }
    if file.size > emoji::MAX_BYTES as u64 {
        let problem = EmojiProblem::TooLarge {
            bytes: file.size as usize,
        };
        return emoji_refusal(locale, &problem, &file.filename);
    }
    let bytes = match crate::kernel::attachments::download(&file.url, emoji::MAX_BYTES).await {
        Ok(bytes) => bytes,
        Err(crate::kernel::attachments::DownloadError::TooLarge { .. }) => {
            let problem = EmojiProblem::TooLarge {
                bytes: emoji::MAX_BYTES + 1,
            };
            return emoji_refusal(locale, &problem, &file.filename);
        }
        Err(error) => {
            tracing::info!(%error, "could not fetch a proposed emoji");
            return private(t!(locale, "governance-emoji-unreachable"));
        }
    };
    let checked = match emoji::check_image(&file.filename, &bytes) {
        Ok(checked) => checked,
        Err(problem) => return emoji_refusal(locale, &problem, &file.filename),
    };
    let image = checked.data_uri(&bytes);
    let new = NewProposal {
        idea: &options.name,
        image: Some(&image),
        file_url: Some(&file.url),
        ..NewProposal::default()
    };
    let id = match store
        .insert_proposal(guild, request.user_id, ProposalKind::Emoji, &new)
        .await
    {
        Ok(Some(id)) => id,
        Ok(None) => return already_pending(locale, ProposalKind::Emoji, 0),
        Err(error) => return TEXTS.database_trouble(locale, &error),
    };
    publish(shared, &settings, locale, guild, id).await;
    private(t!(
        locale,
        "governance-proposal-received",
        id = id,
        kind = render::kind_label(locale, ProposalKind::Emoji)
    ))
}

/// A proposal of this guild, or the answer why there is none to act on.
async fn pending(
    shared: &Shared,
    locale: Locale,
    guild: Id<GuildMarker>,
    id: i64,
) -> Result<Proposal, Reply> {
    match shared.kernel.store.proposal(guild, id).await {
        Ok(Some(proposal)) if proposal.status == ProposalStatus::Pending => Ok(proposal),
        Ok(Some(proposal)) => Err(decided(locale, &proposal)),
        Ok(None) => Err(private(t!(locale, "governance-proposal-unknown", id = id))),
        Err(error) => Err(TEXTS.database_trouble(locale, &error)),
    }
}

/// What an admin is told about a proposal already decided (or being decided).
fn decided(locale: Locale, proposal: &Proposal) -> Reply {
    let by = proposal
        .decided_by
        .map_or_else(String::new, |admin| format!("<@{admin}>"));
    private(match proposal.status {
        ProposalStatus::Approving => t!(
            locale,
            "governance-proposal-being-approved",
            id = proposal.id,
            by = by
        ),
        ProposalStatus::Approved => t!(
            locale,
            "governance-proposal-already-approved",
            id = proposal.id,
            by = by,
            name = proposal.final_name.clone().unwrap_or_default()
        ),
        ProposalStatus::Rejected => t!(
            locale,
            "governance-proposal-already-rejected",
            id = proposal.id,
            by = by
        ),
        ProposalStatus::Pending => t!(locale, "governance-stale"),
    })
}

/// `/proposal approve id`: the approval panel.
async fn panel(
    shared: &Arc<Shared>,
    request: &InteractionRequest,
    guild: Id<GuildMarker>,
    id: i64,
) -> Reply {
    let locale = request.language();
    match pending(shared, locale, guild, id).await {
        Ok(proposal) => Reply::Message(render::approval_panel(locale, &proposal, None)),
        Err(reply) => reply,
    }
}

/// "Override name": the modal.
pub async fn ask_name(
    shared: &Arc<Shared>,
    request: &InteractionRequest,
    guild: Id<GuildMarker>,
    id: i64,
) -> Reply {
    let locale = request.language();
    match pending(shared, locale, guild, id).await {
        Ok(proposal) => render::name_modal(locale, &proposal),
        Err(reply) => reply,
    }
}

/// "Re-run suggestion": the model is asked again and the panel shows its answer.
pub async fn rerun(
    shared: &Arc<Shared>,
    request: &InteractionRequest,
    guild: Id<GuildMarker>,
    id: i64,
) -> Reply {
    let locale = request.language();
    let proposal = match pending(shared, locale, guild, id).await {
        Ok(proposal) if proposal.kind == ProposalKind::Channel => proposal,
        Ok(_) => return private(t!(locale, "governance-stale")),
        Err(reply) => return reply,
    };
    let names = channels(shared, guild, None)
        .await
        .map(|(_, names)| names)
        .unwrap_or_default();
    let suggestion = naming::suggest(&shared.kernel, &proposal.idea, &names).await;
    let store = &shared.kernel.store;
    match store
        .set_proposal_suggestion(guild, id, suggestion.name(), suggestion.note())
        .await
    {
        Ok(true) => {}
        Ok(false) => {
            return pending(shared, locale, guild, id)
                .await
                .err()
                .unwrap_or_else(|| private(t!(locale, "governance-stale")))
        }
        Err(error) => return TEXTS.database_trouble(locale, &error),
    }
    let proposal = match pending(shared, locale, guild, id).await {
        Ok(proposal) => proposal,
        Err(reply) => return reply,
    };
    let note = match &suggestion {
        Suggestion::Name(name) => t!(locale, "governance-rerun-new", name = name.as_str()),
        Suggestion::None(reason) => t!(locale, "governance-rerun-none", reason = clip(reason, 200)),
    };
    queue::refresh(shared, guild).await;
    Reply::Update(render::approval_panel(locale, &proposal, Some(note)))
}

/// The answer to a button (replacing the panel) or to the modal (a new private message).
fn finished(request: &InteractionRequest, text: String) -> Reply {
    let message = ReplyMessage::private(text);
    match request.kind {
        RequestKind::Component { .. } => Reply::Update(message),
        _ => Reply::Message(message),
    }
}

/// Approves proposal `id` under `name` (from a button or the modal).
pub async fn approve(
    shared: &Arc<Shared>,
    request: &InteractionRequest,
    guild: Id<GuildMarker>,
    id: i64,
    name: &str,
) -> Reply {
    let locale = request.language();
    let kernel = &shared.kernel;
    let settings = Shared::settings(request);
    let proposal = match pending(shared, locale, guild, id).await {
        Ok(proposal) => proposal,
        Err(reply) => return reply,
    };
    let name = match proposal.kind {
        ProposalKind::Channel => match naming::channel_name(name) {
            Some(name) => name,
            None => return private(t!(locale, "governance-name-unusable")),
        },
        ProposalKind::Emoji => match emoji::check_name(name) {
            Ok(()) => name.to_owned(),
            Err(problem) => return emoji_refusal(locale, &problem, ""),
        },
    };
    let category = match (proposal.kind, settings.proposed_category) {
        (ProposalKind::Channel, None) => return private(t!(locale, "governance-no-category")),
        (ProposalKind::Channel, Some(category)) => {
            if let Ok((count, _)) = channels(shared, guild, Some(category)).await {
                if count >= settings.max_channels {
                    return private(t!(
                        locale,
                        "governance-category-full",
                        max = settings.max_channels as i64
                    ));
                }
            }
            Some(category)
        }
        (ProposalKind::Emoji, _) => None,
    };
    // One admin wins; the other is told who.
    match kernel
        .store
        .claim_proposal(guild, id, request.user_id, &name)
        .await
    {
        Ok(true) => {}
        Ok(false) => {
            return match kernel.store.proposal(guild, id).await {
                Ok(Some(now)) => decided(locale, &now),
                _ => private(t!(locale, "governance-stale")),
            }
        }
        Err(error) => return TEXTS.database_trouble(locale, &error),
    }
    let created = create(shared, guild, &proposal, &name, category).await;
    let (created_id, mention) = match created {
        Ok(made) => made,
        Err(error) => {
            if let Err(error) = kernel.store.release_proposal(guild, id).await {
                tracing::error!(%error, proposal = id, "could not give a failed approval back to the queue");
            }
            queue::refresh(shared, guild).await;
            tracing::warn!(%error, proposal = id, "Discord refused an approved proposal");
            let reason = match &error {
                DiscordError::Refused { message, .. } => clip(message, 300),
                DiscordError::Unreachable { reason, .. } => clip(reason, 300),
            };
            return private(t!(locale, "governance-create-failed", reason = reason));
        }
    };
    let kind = render::kind_label(locale, proposal.kind);
    if let Err(error) = kernel
        .store
        .complete_approval(guild, id, &name, created_id)
        .await
    {
        // Still claimed: the ticker finishes it with what Discord made and tells everyone
        // then (telling them now too would tell them twice).
        tracing::error!(%error, proposal = id, "made, but the approval could not be recorded");
        return finished(
            request,
            t!(
                locale,
                "governance-approved-unrecorded",
                id = id,
                kind = kind,
                mention = mention.as_str()
            ),
        );
    }
    let told = tell_approved(
        shared,
        &settings,
        &proposal,
        &name,
        &mention,
        request.user_id,
    )
    .await;
    queue::refresh(shared, guild).await;
    let mut text = t!(
        locale,
        "governance-approved",
        id = id,
        kind = kind,
        mention = mention.as_str()
    );
    if !told {
        text.push('\n');
        text.push_str(&t!(locale, "governance-dm-failed"));
    }
    if settings.announce_channel.is_none() {
        text.push('\n');
        text.push_str(&t!(locale, "governance-no-announce-channel"));
    }
    finished(request, text)
}

/// An approved proposal made known: the member's DM, the announcement (when a channel is
/// set) and the admin log. Returns whether the member could be told.
async fn tell_approved(
    shared: &Shared,
    settings: &GovernanceSettings,
    proposal: &Proposal,
    name: &str,
    mention: &str,
    admin: Id<UserMarker>,
) -> bool {
    let kernel = &shared.kernel;
    let guild = proposal.guild;
    // The member hears first, then everyone, then the log.
    let guild_name = guild_name(shared, guild);
    let member_locale = kernel.guild_locale(guild).await;
    let dm = render::dm(t!(
        member_locale,
        "governance-dm-approved",
        kind = render::kind_label(member_locale, proposal.kind),
        name = name,
        guild = guild_name.as_str(),
        mention = mention
    ));
    let told = kernel.discord.send_dm(proposal.user, &dm).await.is_ok();
    if let Some(channel) = settings.announce_channel {
        let message = render::announcement(
            member_locale,
            settings.announce_template.as_deref(),
            proposal,
            name,
            mention,
        );
        if let Err(error) = kernel.discord.send_message(channel, &message, None).await {
            tracing::warn!(%error, "could not announce an approved proposal");
        }
    }
    if let Some(log) = settings.log_channel {
        let text = t!(
            member_locale,
            "governance-log-approved",
            id = proposal.id,
            kind = render::kind_label(member_locale, proposal.kind),
            name = name,
            admin = format!("<@{admin}>"),
            mention = mention
        );
        let _ = kernel
            .discord
            .send_message(log, &render::decision_message(member_locale, text), None)
            .await;
    }
    told
}

/// How long an approval may take before it counts as cut off: making a channel or an
/// emoji is one request (twilight gives up on one after 10 s), so a claim this old belongs
/// to a process that stopped while making it.
pub const APPROVAL_CUT_OFF_AFTER: chrono::Duration = chrono::Duration::minutes(10);

/// Slack for the clocks of Discord and of this process when a made channel or emoji is
/// matched to the claim (its id says when Discord made it).
const MADE_AFTER_CLAIM_SLACK: chrono::Duration = chrono::Duration::minutes(1);

/// What became of approvals cut off by a stop (the ticker's job, on the leader): where
/// Discord has the channel or emoji the claim was making (its name, made after the claim),
/// the approval is finished and made known as usual; where it has none, the proposal goes
/// back to the queue and the log says so. While Discord cannot be asked, it waits for the
/// next tick. Returns how many were settled.
pub async fn settle_cut_off_approvals(shared: &Arc<Shared>) -> usize {
    let kernel = &shared.kernel;
    let claimed_before = kernel.clock.now() - APPROVAL_CUT_OFF_AFTER;
    let unfinished = match kernel.store.unfinished_approvals(claimed_before).await {
        Ok(unfinished) => unfinished,
        Err(error) => {
            tracing::warn!(%error, "could not read the unfinished approvals");
            return 0;
        }
    };
    let mut settled = 0;
    for proposal in unfinished {
        let guild = proposal.guild;
        match settle_cut_off(shared, &proposal).await {
            Ok(()) => {
                settled += 1;
                queue::refresh(shared, guild).await;
            }
            Err(error) => tracing::warn!(
                %error,
                guild = guild.get(),
                proposal = proposal.id,
                "could not settle an approval cut off by a stop; trying again at the next tick"
            ),
        }
    }
    settled
}

/// One cut-off approval: finished (made) or given back (not made).
async fn settle_cut_off(shared: &Shared, proposal: &Proposal) -> Result<(), SettleError> {
    let kernel = &shared.kernel;
    let guild = proposal.guild;
    let (Some(name), Some(admin), Some(claimed_at)) = (
        proposal.final_name.as_deref(),
        proposal.decided_by,
        proposal.decided_at,
    ) else {
        // Claimed before names were kept with the claim: nothing to look for.
        kernel.store.release_proposal(guild, proposal.id).await?;
        return Ok(());
    };
    let made = made_after(shared, proposal, name, claimed_at - MADE_AFTER_CLAIM_SLACK).await?;
    let settings = GovernanceSettings::from_values(&kernel.guild_config(guild).await?.features);
    match made {
        Some((created_id, mention)) => {
            if kernel
                .store
                .complete_approval(guild, proposal.id, name, created_id)
                .await?
            {
                tell_approved(shared, &settings, proposal, name, &mention, admin).await;
            }
        }
        None => {
            kernel.store.release_proposal(guild, proposal.id).await?;
            if let Some(log) = settings.log_channel {
                let locale = kernel.guild_locale(guild).await;
                let text = t!(
                    locale,
                    "governance-log-approval-cut-off",
                    id = proposal.id,
                    kind = render::kind_label(locale, proposal.kind),
                    admin = format!("<@{admin}>"),
                    name = name
                );
                let _ = kernel
                    .discord
                    .send_message(log, &render::decision_message(locale, text), None)
                    .await;
            }
        }
    }
    Ok(())
}

/// Why a cut-off approval could not be settled now.
#[derive(Debug, thiserror::Error)]
enum SettleError {
    #[error(transparent)]
    Store(#[from] crate::kernel::store::StoreError),
    #[error(transparent)]
    Discord(#[from] DiscordError),
}

/// The channel or emoji named `name` that Discord made at or after `since`, if any: (its
/// id, its mention).
async fn made_after(
    shared: &Shared,
    proposal: &Proposal,
    name: &str,
    since: chrono::DateTime<chrono::Utc>,
) -> Result<Option<(u64, String)>, DiscordError> {
    let client = shared.kernel.discord.client();
    let guild = proposal.guild;
    let made_since = |made_at_ms: i64| made_at_ms >= since.timestamp_millis();
    match proposal.kind {
        ProposalKind::Channel => {
            let channels =
                send_for_list("GET /guilds/{id}/channels", client.guild_channels(guild)).await?;
            Ok(channels
                .iter()
                .filter(|channel| channel.kind == ChannelType::GuildText)
                .filter(|channel| channel.name.as_deref() == Some(name))
                .filter(|channel| made_since(channel.id.timestamp()))
                .min_by_key(|channel| channel.id)
                .map(|channel| (channel.id.get(), format!("<#{}>", channel.id))))
        }
        ProposalKind::Emoji => {
            let emojis = send_for_list("GET /guilds/{id}/emojis", client.emojis(guild)).await?;
            Ok(emojis
                .iter()
                .filter(|emoji| emoji.name == name)
                .filter(|emoji| made_since(emoji.id.timestamp()))
                .min_by_key(|emoji| emoji.id)
                .map(|emoji| (emoji.id.get(), emoji_mention(emoji))))
        }
    }
}

/// Makes the channel (in the proposed category) or the emoji; (its id, its mention).
async fn create(
    shared: &Shared,
    guild: Id<GuildMarker>,
    proposal: &Proposal,
    name: &str,
    category: Option<Id<ChannelMarker>>,
) -> Result<(u64, String), DiscordError> {
    let client = shared.kernel.discord.client();
    match proposal.kind {
        ProposalKind::Channel => {
            let topic = clip(&proposal.idea.replace('\n', " "), 1024);
            let mut request = client
                .create_guild_channel(guild, name)
                .kind(ChannelType::GuildText)
                .topic(&topic);
            if let Some(category) = category {
                request = request.parent_id(category);
            }
            let channel = send_for_model("POST /guilds/{id}/channels", request).await?;
            Ok((channel.id.get(), format!("<#{}>", channel.id)))
        }
        ProposalKind::Emoji => {
            let image = proposal.image.clone().unwrap_or_default();
            let emoji = send_for_model(
                "POST /guilds/{id}/emojis",
                client.create_emoji(guild, name, &image),
            )
            .await?;
            Ok((emoji.id.get(), emoji_mention(&emoji)))
        }
    }
}

/// How a message shows an emoji (`<:name:id>`, `<a:name:id>` when animated).
fn emoji_mention(emoji: &twilight_model::guild::Emoji) -> String {
    let prefix = if emoji.animated { "a" } else { "" };
    format!("<{prefix}:{}:{}>", emoji.name, emoji.id)
}

/// `/proposal reject id reason`.
async fn reject(
    shared: &Arc<Shared>,
    request: &InteractionRequest,
    guild: Id<GuildMarker>,
    id: i64,
    reason: &str,
) -> Reply {
    let locale = request.language();
    let kernel = &shared.kernel;
    let settings = Shared::settings(request);
    let reason = clip(reason.trim(), 500);
    if reason.is_empty() {
        return private(t!(locale, "governance-reason-needed"));
    }
    let proposal = match pending(shared, locale, guild, id).await {
        Ok(proposal) => proposal,
        Err(reply) => return reply,
    };
    match kernel
        .store
        .reject_proposal(guild, id, request.user_id, &reason)
        .await
    {
        Ok(true) => {}
        Ok(false) => {
            return match kernel.store.proposal(guild, id).await {
                Ok(Some(now)) => decided(locale, &now),
                _ => private(t!(locale, "governance-stale")),
            }
        }
        Err(error) => return TEXTS.database_trouble(locale, &error),
    }
    let member_locale = kernel.guild_locale(guild).await;
    let dm = render::dm(t!(
        member_locale,
        "governance-dm-rejected",
        kind = render::kind_label(member_locale, proposal.kind),
        id = id,
        guild = guild_name(shared, guild).as_str(),
        reason = reason.as_str()
    ));
    let told = kernel.discord.send_dm(proposal.user, &dm).await.is_ok();
    if let Some(log) = settings.log_channel {
        let text = t!(
            member_locale,
            "governance-log-rejected",
            id = id,
            admin = format!("<@{}>", request.user_id),
            reason = reason.as_str()
        );
        let _ = kernel
            .discord
            .send_message(log, &render::decision_message(member_locale, text), None)
            .await;
    }
    queue::refresh(shared, guild).await;
    let mut text = t!(locale, "governance-rejected", id = id);
    if !told {
        text.push('\n');
        text.push_str(&t!(locale, "governance-dm-failed"));
    }
    private(text)
}

/// `/proposal template [text]`.
async fn template(
    shared: &Arc<Shared>,
    request: &InteractionRequest,
    guild: Id<GuildMarker>,
    text: Option<String>,
) -> Reply {
    let locale = request.language();
    let kernel = &shared.kernel;
    let text = text
        .map(|text| text.trim().to_owned())
        .filter(|text| !text.is_empty());
    let stored = match &text {
        Some(text) if text.chars().count() > TEMPLATE_MAX_CHARS => {
            return private(t!(
                locale,
                "governance-template-too-long",
                max = TEMPLATE_MAX_CHARS as i64
            ))
        }
        Some(text) => {
            kernel
                .store
                .set_feature_setting(
                    guild,
                    FEATURE,
                    ANNOUNCE_TEMPLATE,
                    &serde_json::Value::from(text.as_str()),
                )
                .await
        }
        None => kernel
            .store
            .delete_feature_setting(guild, FEATURE, ANNOUNCE_TEMPLATE)
            .await
            .map(drop),
    };
    if let Err(error) = stored {
        return TEXTS.database_trouble(locale, &error);
    }
    kernel.forget_guild_config(guild).await;
    match text {
        Some(text) => private(t!(
            locale,
            "governance-template-set",
            text = clip(&text, 1500)
        )),
        None => private(t!(locale, "governance-template-reset")),
    }
}

/// The guild's name as the gateway last told it (its id when it never did).
pub fn guild_name(shared: &Shared, guild: Id<GuildMarker>) -> String {
    shared
        .kernel
        .guilds
        .guilds()
        .into_iter()
        .find(|(id, _)| *id == guild)
        .map_or_else(|| guild.to_string(), |(_, name)| name)
}
