//! Confidential reports: `/report description [file]` (any member; only staff ever see
//! it, the reporter gets a private receipt), `/reports view id` (staff: marked as being
//! investigated, the reporter told by DM, the full record and a link to it in the admin
//! log) and `/reports resolve id explanation` (staff: the reporter gets the explanation,
//! the report leaves the queue).

use std::sync::Arc;

use twilight_model::id::marker::GuildMarker;
use twilight_model::id::Id;

use super::commands::{ReportCommand, ReportsCommand};
use super::proposals::guild_name;
use super::store::{Report, ReportStatus};
use super::{private, queue, render, Shared, TEXTS};
use crate::dispatcher::InteractionRequest;
use crate::kernel::i18n::Locale;
use crate::kernel::reply::{clip, Reply, ReplyMessage};
use crate::t;

/// The longest report kept.
const DESCRIPTION_MAX_CHARS: usize = 1500;

/// `/report description [file]`.
pub async fn report(
    shared: &Arc<Shared>,
    request: &InteractionRequest,
    guild: Id<GuildMarker>,
) -> Reply {
    let locale = request.language();
    let options = match TEXTS.options::<ReportCommand>(request) {
        Ok(options) => options,
        Err(reply) => return reply,
    };
    let description: String = options
        .description
        .trim()
        .chars()
        .filter(|c| *c == '\n' || !c.is_control())
        .take(DESCRIPTION_MAX_CHARS)
        .collect();
    if description.chars().filter(|c| c.is_alphanumeric()).count() < 3 {
        return private(t!(locale, "governance-report-too-short"));
    }
    let file_url = options.file.as_ref().map(|file| file.url.clone());
    let kernel = &shared.kernel;
    let id = match kernel
        .store
        .insert_report(guild, request.user_id, &description, file_url.as_deref())
        .await
    {
        Ok(id) => id,
        Err(error) => return TEXTS.database_trouble(locale, &error),
    };
    let settings = Shared::settings(request);
    if let Some(log) = settings.log_channel {
        if let Ok(Some(stored)) = kernel.store.report(guild, id).await {
            let staff_locale = kernel.guild_locale(guild).await;
            let message = render::log_message(render::report_embed(staff_locale, &stored));
            match kernel.discord.send_message(log, &message, None).await {
                Ok(posted) => {
                    if let Err(error) = kernel.store.set_report_log_message(id, log, posted).await {
                        tracing::warn!(%error, "could not remember where a report is logged");
                    }
                }
                Err(error) => tracing::warn!(%error, guild = guild.get(), "could not log a report"),
            }
        }
    }
    queue::refresh(shared, guild).await;
    private(t!(locale, "governance-report-received", id = id))
}

/// `/reports …`.
pub async fn command(
    shared: &Arc<Shared>,
    request: &InteractionRequest,
    guild: Id<GuildMarker>,
) -> Reply {
    match TEXTS.options::<ReportsCommand>(request) {
        Ok(ReportsCommand::View(options)) => view(shared, request, guild, options.id).await,
        Ok(ReportsCommand::Resolve(options)) => {
            resolve(shared, request, guild, options.id, &options.explanation).await
        }
        Err(reply) => reply,
    }
}

async fn find(
    shared: &Shared,
    locale: Locale,
    guild: Id<GuildMarker>,
    id: i64,
) -> Result<Report, Reply> {
    match shared.kernel.store.report(guild, id).await {
        Ok(Some(report)) => Ok(report),
        Ok(None) => Err(private(t!(locale, "governance-report-unknown", id = id))),
        Err(error) => Err(TEXTS.database_trouble(locale, &error)),
    }
}

/// `/reports view id`.
async fn view(
    shared: &Arc<Shared>,
    request: &InteractionRequest,
    guild: Id<GuildMarker>,
    id: i64,
) -> Reply {
    let locale = request.language();
    let kernel = &shared.kernel;
    let report = match find(shared, locale, guild, id).await {
        Ok(report) => report,
        Err(reply) => return reply,
    };
    let mut notes = Vec::new();
    if report.status == ReportStatus::Pending {
        match kernel
            .store
            .investigate_report(guild, id, request.user_id)
            .await
        {
            // This call moved it: the reporter hears once.
            Ok(true) => {
                let member_locale = kernel.guild_locale(guild).await;
                let dm = render::dm(t!(
                    member_locale,
                    "governance-dm-investigating",
                    id = id,
                    guild = guild_name(shared, guild).as_str()
                ));
                if kernel.discord.send_dm(report.user, &dm).await.is_err() {
                    notes.push(t!(locale, "governance-dm-failed"));
                }
                queue::refresh(shared, guild).await;
            }
            Ok(false) => {}
            Err(error) => return TEXTS.database_trouble(locale, &error),
        }
    }
    let report = match find(shared, locale, guild, id).await {
        Ok(report) => report,
        Err(reply) => return reply,
    };
    let link = match report.log_message {
        Some((channel, message)) => t!(
            locale,
            "governance-report-link",
            link = format!("https://discord.com/channels/{guild}/{channel}/{message}")
        ),
        None => t!(locale, "governance-report-no-link"),
    };
    notes.insert(0, link);
    Reply::Message(
        ReplyMessage::private(notes.join("\n")).with_embed(render::report_embed(locale, &report)),
    )
}

/// `/reports resolve id explanation`.
async fn resolve(
    shared: &Arc<Shared>,
    request: &InteractionRequest,
    guild: Id<GuildMarker>,
    id: i64,
    explanation: &str,
) -> Reply {
    let locale = request.language();
    let kernel = &shared.kernel;
    let explanation = clip(explanation.trim(), 1000);
    if explanation.is_empty() {
        return private(t!(locale, "governance-explanation-needed"));
    }
    let report = match find(shared, locale, guild, id).await {
        Ok(report) => report,
        Err(reply) => return reply,
    };
    match kernel
        .store
        .resolve_report(guild, id, request.user_id, &explanation)
        .await
    {
        Ok(true) => {}
        Ok(false) => return private(t!(locale, "governance-report-already-resolved", id = id)),
        Err(error) => return TEXTS.database_trouble(locale, &error),
    }
    let member_locale = kernel.guild_locale(guild).await;
    let dm = render::dm(t!(
        member_locale,
        "governance-dm-resolved",
        id = id,
        guild = guild_name(shared, guild).as_str(),
        explanation = explanation.as_str()
    ));
    let told = kernel.discord.send_dm(report.user, &dm).await.is_ok();
    let settings = Shared::settings(request);
    if let Some(log) = settings.log_channel {
        let text = t!(
            member_locale,
            "governance-log-resolved",
            id = id,
            staff = format!("<@{}>", request.user_id),
            explanation = explanation.as_str()
        );
        let _ = kernel
            .discord
            .send_message(log, &render::decision_message(member_locale, text), None)
            .await;
    }
    queue::refresh(shared, guild).await;
    let mut text = t!(locale, "governance-report-resolved", id = id);
    if !told {
        text.push('\n');
        text.push_str(&t!(locale, "governance-dm-failed"));
    }
    private(text)
}
