//! Ticket transcripts: a ticket channel's whole history written to a self-contained HTML file and a plain TXT file.
//!
//! A [`TranscriptWriter`] opens both files, writes the heading, then appends
//! each message as it arrives (oldest first) and finally a footer with the
//! message count. Nothing is accumulated: every message is rendered and
//! handed to a buffered file writer at once, so a channel of any length costs
//! the memory of one message (plus one page of 100 in [`write_channel`],
//! which reads the channel from Discord page by page). The HTML is rendered
//! with `minijinja` templates kept in this file, with HTML auto-escaping on,
//! so everything that comes from Discord is escaped; it carries its own CSS
//! and no scripts or external assets.

use std::future::Future;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use minijinja::{context, Environment, Value};
use tokio::fs::File;
use tokio::io::{AsyncWriteExt, BufWriter};
use twilight_model::channel::message::Embed;
use twilight_model::channel::{Attachment, Message};
use twilight_model::id::marker::{ChannelMarker, MessageMarker};
use twilight_model::id::Id;
use twilight_model::util::Timestamp;

/// How many messages Discord hands out per request (its maximum).
const PAGE_SIZE: u16 = 100;

/// What the transcript's heading says.
#[derive(Debug, Clone)]
pub struct TranscriptHeading {
    pub guild_name: String,
    pub channel_name: String,
    /// The ticket's per-guild number (shown as `ticket-0042`).
    pub ticket_number: i64,
    pub category: String,
    /// How the opener is shown (a display name, or "Anonymous" for anonymous tickets).
    pub opener: String,
    pub opened_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub close_reason: Option<String>,
}

/// The files written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TranscriptFiles {
    pub html: PathBuf,
    pub txt: PathBuf,
    pub messages: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum TranscriptError {
    #[error("could not write the transcript: {0}")]
    Io(#[from] std::io::Error),
    #[error("could not read the channel's messages: {0}")]
    Discord(String),
    #[error("could not render the transcript: {0}")]
    Template(String),
}

impl From<minijinja::Error> for TranscriptError {
    fn from(error: minijinja::Error) -> Self {
        Self::Template(error.to_string())
    }
}

// Template names end in `.html`, which turns minijinja's HTML auto-escaping on.
const HEAD_TEMPLATE_NAME: &str = "head.html";
const MESSAGE_TEMPLATE_NAME: &str = "message.html";
const FOOT_TEMPLATE_NAME: &str = "foot.html";

const HEAD_TEMPLATE: &str = r##"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ ticket }} · #{{ channel }} · {{ guild }}</title>
<style>
:root { color-scheme: dark; }
* { box-sizing: border-box; }
body { margin: 0; background: #313338; color: #dbdee1; font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", sans-serif; font-size: 15px; line-height: 1.45; }
main { max-width: 52rem; margin: 0 auto; padding: 1.5rem 1rem 3rem; }
a { color: #00a8fc; text-decoration: none; }
a:hover { text-decoration: underline; }
header.ticket { background: #2b2d31; border-radius: 8px; padding: 1rem 1.25rem; margin-bottom: 1.5rem; }
header.ticket .guild { color: #949ba4; font-size: 0.85rem; text-transform: uppercase; letter-spacing: 0.04em; }
header.ticket h1 { margin: 0.2rem 0 0.75rem; font-size: 1.4rem; color: #f2f3f5; }
header.ticket dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.25rem 1rem; margin: 0; }
header.ticket dt { color: #949ba4; }
header.ticket dd { margin: 0; overflow-wrap: anywhere; white-space: pre-wrap; }
.message { padding: 0.5rem 0.75rem; border-radius: 4px; }
.message:hover { background: #2e3035; }
.message + .message { margin-top: 0.25rem; }
.meta { display: flex; flex-wrap: wrap; align-items: baseline; gap: 0.5rem; }
.author { font-weight: 600; color: #f2f3f5; }
.badge { background: #5865f2; color: #fff; font-size: 0.65rem; font-weight: 700; padding: 0.05rem 0.3rem; border-radius: 3px; align-self: center; }
time, .edited { color: #949ba4; font-size: 0.75rem; }
.content { white-space: pre-wrap; overflow-wrap: anywhere; margin-top: 0.15rem; }
.embed { background: #2b2d31; border: 1px solid #1e1f22; border-left: 4px solid #1e1f22; border-radius: 4px; padding: 0.5rem 0.75rem; margin-top: 0.4rem; max-width: 32rem; }
.embed-title { font-weight: 600; color: #f2f3f5; }
.embed-description, .field-value { white-space: pre-wrap; overflow-wrap: anywhere; font-size: 0.9rem; }
.field { margin-top: 0.4rem; }
.field-name { font-weight: 600; font-size: 0.85rem; color: #f2f3f5; }
.embed-footer { margin-top: 0.5rem; color: #949ba4; font-size: 0.75rem; }
.attachment { margin-top: 0.4rem; background: #2b2d31; border: 1px solid #1e1f22; border-radius: 4px; padding: 0.4rem 0.75rem; width: fit-content; max-width: 100%; overflow-wrap: anywhere; }
.attachment .size { color: #949ba4; font-size: 0.75rem; margin-left: 0.5rem; }
footer.count { margin-top: 2rem; padding-top: 0.75rem; border-top: 1px solid #3f4147; color: #949ba4; font-size: 0.85rem; text-align: center; }
</style>
</head>
<body>
<main>
<header class="ticket">
<div class="guild">{{ guild }}</div>
<h1>#{{ channel }}</h1>
<dl>
<dt>Ticket</dt><dd>{{ ticket }}</dd>
<dt>Category</dt><dd>{{ category }}</dd>
<dt>Opened by</dt><dd>{{ opener }}</dd>
<dt>Opened</dt><dd>{{ opened_at }}</dd>
<dt>Closed</dt><dd>{{ closed_at or "still open" }}</dd>
{% if close_reason %}
<dt>Close reason</dt><dd>{{ close_reason }}</dd>
{% endif %}
</dl>
</header>
<section class="messages">
"##;

const MESSAGE_TEMPLATE: &str = r#"<div class="message" id="m{{ id }}">
<div class="meta"><span class="author">{{ author }}</span>{% if bot %}<span class="badge">BOT</span>{% endif %}<time datetime="{{ iso_time }}">{{ time }}</time>{% if edited %}<span class="edited">(edited)</span>{% endif %}</div>
{% if content %}
<div class="content">{{ content }}</div>
{% endif %}
{% for embed in embeds %}
<div class="embed"{% if embed.color %} style="border-left-color: {{ embed.color }}"{% endif %}>
{% if embed.title %}
<div class="embed-title">{% if embed.url %}<a href="{{ embed.url }}">{{ embed.title }}</a>{% else %}{{ embed.title }}{% endif %}</div>
{% endif %}
{% if embed.description %}
<div class="embed-description">{{ embed.description }}</div>
{% endif %}
{% for field in embed.fields %}
<div class="field"><div class="field-name">{{ field.name }}</div><div class="field-value">{{ field.value }}</div></div>
{% endfor %}
{% if embed.footer %}
<div class="embed-footer">{{ embed.footer }}</div>
{% endif %}
</div>
{% endfor %}
{% for attachment in attachments %}
<div class="attachment">{% if attachment.url %}<a href="{{ attachment.url }}">{{ attachment.filename }}</a>{% else %}{{ attachment.filename }}{% endif %}<span class="size">{{ attachment.size }}</span></div>
{% endfor %}
</div>
"#;

const FOOT_TEMPLATE: &str = r#"</section>
<footer class="count">{{ count }}</footer>
</main>
</body>
</html>
"#;

/// Writes both files as messages arrive, oldest first.
///
/// Holds the two buffered files, the template environment and a counter —
/// never the messages themselves. Dropping it without calling
/// [`finish`](Self::finish) may lose the buffered tail of both files.
pub struct TranscriptWriter {
    env: Environment<'static>,
    html: BufWriter<File>,
    txt: BufWriter<File>,
    html_path: PathBuf,
    txt_path: PathBuf,
    messages: usize,
}

impl TranscriptWriter {
    /// Creates `<dir>/<stem>.html` and `<dir>/<stem>.txt` (creating `dir` if missing) and writes the heading.
    pub async fn create(
        dir: &Path,
        stem: &str,
        heading: &TranscriptHeading,
    ) -> Result<Self, TranscriptError> {
        let env = environment()?;
        tokio::fs::create_dir_all(dir).await?;
        let html_path = dir.join(format!("{stem}.html"));
        let txt_path = dir.join(format!("{stem}.txt"));
        let mut html = BufWriter::new(File::create(&html_path).await?);
        let mut txt = BufWriter::new(File::create(&txt_path).await?);

        let ticket = ticket_label(heading.ticket_number);
        let head = env.get_template(HEAD_TEMPLATE_NAME)?.render(context! {
            guild => heading.guild_name.as_str(),
            channel => heading.channel_name.as_str(),
            ticket => ticket.as_str(),
            category => heading.category.as_str(),
            opener => heading.opener.as_str(),
            opened_at => heading_time(heading.opened_at),
            closed_at => heading.closed_at.map(heading_time),
            close_reason => heading.close_reason.as_deref(),
        })?;
        html.write_all(head.as_bytes()).await?;
        txt.write_all(txt_heading(heading).as_bytes()).await?;

        tracing::debug!(html = %html_path.display(), txt = %txt_path.display(), "transcript started");
        Ok(Self {
            env,
            html,
            txt,
            html_path,
            txt_path,
            messages: 0,
        })
    }

    /// Appends one message (must be called oldest first).
    pub async fn write(&mut self, message: &Message) -> Result<(), TranscriptError> {
        let fragment = self
            .env
            .get_template(MESSAGE_TEMPLATE_NAME)?
            .render(message_context(message))?;
        self.html.write_all(fragment.as_bytes()).await?;
        self.txt.write_all(txt_message(message).as_bytes()).await?;
        self.messages += 1;
        Ok(())
    }

    /// Writes the footer (message count), flushes, and returns the paths.
    pub async fn finish(mut self) -> Result<TranscriptFiles, TranscriptError> {
        let count = count_label(self.messages);
        let foot = self
            .env
            .get_template(FOOT_TEMPLATE_NAME)?
            .render(context! { count => count.as_str() })?;
        self.html.write_all(foot.as_bytes()).await?;
        self.txt
            .write_all(format!("\n{count}\n").as_bytes())
            .await?;
        self.html.flush().await?;
        self.txt.flush().await?;
        self.html.get_mut().sync_all().await?;
        self.txt.get_mut().sync_all().await?;

        tracing::debug!(messages = self.messages, html = %self.html_path.display(), "transcript finished");
        Ok(TranscriptFiles {
            html: self.html_path,
            txt: self.txt_path,
            messages: self.messages,
        })
    }
}

/// Reads the whole channel oldest first, a page of 100 at a time through Discord's
/// `GET /channels/{id}/messages?after=…&limit=100` (twilight: `client.channel_messages(channel).after(id).limit(100)`),
/// writing each page before fetching the next. Starts with `after = 1` (snowflakes
/// cannot be 0, and no message has id 1), so the first page is the channel's oldest.
pub async fn write_channel(
    client: &twilight_http::Client,
    channel_id: Id<ChannelMarker>,
    dir: &Path,
    stem: &str,
    heading: &TranscriptHeading,
) -> Result<TranscriptFiles, TranscriptError> {
    let mut writer = TranscriptWriter::create(dir, stem, heading).await?;
    write_pages(&mut writer, |after| async move {
        client
            .channel_messages(channel_id)
            .after(after)
            .limit(PAGE_SIZE)
            .await
            .map_err(|error| TranscriptError::Discord(error.to_string()))?
            .models()
            .await
            .map_err(|error| TranscriptError::Discord(error.to_string()))
    })
    .await?;
    let files = writer.finish().await?;
    tracing::info!(%channel_id, messages = files.messages, "ticket transcript written");
    Ok(files)
}

/// The paging loop of [`write_channel`], apart from the HTTP client.
///
/// `fetch(after)` must behave like Discord: up to 100 messages with ids
/// greater than `after`, in any order (Discord sends them newest first).
async fn write_pages<F, Fut>(
    writer: &mut TranscriptWriter,
    mut fetch: F,
) -> Result<(), TranscriptError>
where
    F: FnMut(Id<MessageMarker>) -> Fut,
    Fut: Future<Output = Result<Vec<Message>, TranscriptError>>,
{
    let mut after = Id::new(1);
    loop {
        let mut page = fetch(after).await?;
        page.sort_unstable_by_key(|message| message.id);
        for message in &page {
            writer.write(message).await?;
        }
        let Some(last) = page.last().map(|message| message.id) else {
            break;
        };
        // A short page is the end; a page that does not move forward would loop forever.
        if page.len() < usize::from(PAGE_SIZE) || last <= after {
            break;
        }
        after = last;
        tracing::trace!(%after, written = writer.messages, "transcript page written");
    }
    Ok(())
}

fn environment() -> Result<Environment<'static>, TranscriptError> {
    let mut env = Environment::new();
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    env.set_keep_trailing_newline(true);
    env.add_template(HEAD_TEMPLATE_NAME, HEAD_TEMPLATE)?;
    env.add_template(MESSAGE_TEMPLATE_NAME, MESSAGE_TEMPLATE)?;
    env.add_template(FOOT_TEMPLATE_NAME, FOOT_TEMPLATE)?;
    Ok(env)
}

fn message_context(message: &Message) -> Value {
    let time = message_time(message.timestamp);
    let embeds: Vec<Value> = message.embeds.iter().map(embed_context).collect();
    let attachments: Vec<Value> = message.attachments.iter().map(attachment_context).collect();
    context! {
        id => message.id.get(),
        author => display_name(message),
        bot => message.author.bot,
        time => time.map(|time| time.format("%Y-%m-%d %H:%M:%S UTC").to_string()),
        iso_time => time.map(|time| time.to_rfc3339()),
        edited => message.edited_timestamp.is_some(),
        content => readable_content(message),
        embeds => embeds,
        attachments => attachments,
    }
}

fn embed_context(embed: &Embed) -> Value {
    let fields: Vec<Value> = embed
        .fields
        .iter()
        .map(|field| context! { name => field.name.as_str(), value => field.value.as_str() })
        .collect();
    context! {
        color => embed.color.map(|color| format!("#{color:06x}")),
        title => embed.title.as_deref(),
        url => embed.url.as_deref().and_then(web_url),
        description => embed.description.as_deref(),
        fields => fields,
        footer => embed.footer.as_ref().map(|footer| footer.text.as_str()),
    }
}

fn attachment_context(attachment: &Attachment) -> Value {
    context! {
        filename => attachment.filename.as_str(),
        url => web_url(&attachment.url),
        size => kib(attachment.size),
    }
}

/// Only `http(s)` links are made clickable, so no `javascript:` URL can reach an `href`.
fn web_url(url: &str) -> Option<&str> {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://")).then_some(url)
}

fn kib(bytes: u64) -> String {
    format!("{:.1} KiB", bytes as f64 / 1024.0)
}

fn ticket_label(number: i64) -> String {
    format!("ticket-{number:04}")
}

fn count_label(messages: usize) -> String {
    if messages == 1 {
        "1 message".to_owned()
    } else {
        format!("{messages} messages")
    }
}

fn heading_time(time: DateTime<Utc>) -> String {
    time.format("%Y-%m-%d %H:%M UTC").to_string()
}

fn message_time(timestamp: Timestamp) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp_micros(timestamp.as_micros())
}

/// The author's global display name, else their username.
fn display_name(message: &Message) -> &str {
    message
        .author
        .global_name
        .as_deref()
        .filter(|name| !name.trim().is_empty())
        .unwrap_or(&message.author.name)
}

/// The content with `<@id>` user mentions shown as `@name` for the users Discord listed as mentioned.
fn readable_content(message: &Message) -> String {
    let mut content = message.content.clone();
    for mention in &message.mentions {
        if !content.contains('<') {
            break;
        }
        // Discord's mention objects carry no global name; a guild nickname is the next best thing.
        let name = mention
            .member
            .as_ref()
            .and_then(|member| member.nick.as_deref())
            .filter(|name| !name.trim().is_empty())
            .unwrap_or(&mention.name);
        let shown = format!("@{name}");
        content = content
            .replace(&format!("<@{}>", mention.id), &shown)
            .replace(&format!("<@!{}>", mention.id), &shown);
    }
    content
}

fn txt_heading(heading: &TranscriptHeading) -> String {
    let mut out = format!(
        "Transcript of {} (#{}) in {}\n",
        ticket_label(heading.ticket_number),
        one_line(&heading.channel_name),
        one_line(&heading.guild_name),
    );
    out.push_str(&format!("Category: {}\n", one_line(&heading.category)));
    out.push_str(&format!("Opened by: {}\n", one_line(&heading.opener)));
    out.push_str(&format!("Opened: {}\n", heading_time(heading.opened_at)));
    match heading.closed_at {
        Some(closed_at) => out.push_str(&format!("Closed: {}\n", heading_time(closed_at))),
        None => out.push_str("Closed: still open\n"),
    }
    if let Some(reason) = &heading.close_reason {
        out.push_str(&format!("Close reason: {}\n", indent(reason, "  ")));
    }
    out.push_str(&"=".repeat(60));
    out.push_str("\n\n");
    out
}

fn txt_message(message: &Message) -> String {
    let time = message_time(message.timestamp)
        .map(|time| time.format("%Y-%m-%d %H:%M:%S UTC").to_string())
        .unwrap_or_else(|| "????-??-?? ??:??:?? UTC".to_owned());
    let mut out = format!("[{time}] {}:", one_line(display_name(message)));
    let content = readable_content(message);
    if !content.is_empty() {
        out.push(' ');
        out.push_str(&indent(&content, "  "));
    }
    out.push('\n');
    for embed in &message.embeds {
        let title = embed.title.as_deref().unwrap_or_default();
        let description = embed.description.as_deref().unwrap_or_default();
        let summary = match (title.is_empty(), description.is_empty()) {
            (false, false) => format!("{title} — {description}"),
            (false, true) => title.to_owned(),
            (true, false) => description.to_owned(),
            (true, true) => String::new(),
        };
        out.push_str("  [embed]");
        if !summary.is_empty() {
            out.push(' ');
            out.push_str(&indent(&summary, "    "));
        }
        out.push('\n');
        for field in &embed.fields {
            out.push_str(&format!(
                "  [field] {}: {}\n",
                one_line(&field.name),
                indent(&field.value, "    ")
            ));
        }
        if let Some(footer) = &embed.footer {
            out.push_str(&format!("  [footer] {}\n", indent(&footer.text, "    ")));
        }
    }
    for attachment in &message.attachments {
        out.push_str(&format!(
            "  [attachment] {} ({})\n",
            one_line(&attachment.filename),
            attachment.url
        ));
    }
    out
}

/// Continuation lines after the first get `prefix`; `\r\n` counts as one break.
fn indent(text: &str, prefix: &str) -> String {
    let text = text.trim_end_matches(['\n', '\r']);
    let mut out = String::with_capacity(text.len());
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
            out.push_str(prefix);
        }
        out.push_str(line.strip_suffix('\r').unwrap_or(line));
    }
    out
}

/// Keeps a value that belongs on one line from breaking the TXT layout.
fn one_line(text: &str) -> String {
    text.replace(['\r', '\n'], " ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use scraper::{Html, Selector};
    use serde_json::json;

    fn heading() -> TranscriptHeading {
        TranscriptHeading {
            guild_name: "Agora Test Guild".to_owned(),
            channel_name: "ticket-0042".to_owned(),
            ticket_number: 42,
            category: "Billing".to_owned(),
            opener: "Alice".to_owned(),
            opened_at: DateTime::parse_from_rfc3339("2024-03-01T09:30:00Z")
                .unwrap()
                .with_timezone(&Utc),
            closed_at: Some(
                DateTime::parse_from_rfc3339("2024-03-02T17:05:00Z")
                    .unwrap()
                    .with_timezone(&Utc),
            ),
            close_reason: Some("Refund issued".to_owned()),
        }
    }

    fn user(id: u64, username: &str, global_name: Option<&str>, bot: bool) -> serde_json::Value {
        json!({
            "id": id.to_string(),
            "username": username,
            "global_name": global_name,
            "avatar": null,
            "discriminator": "0",
            "bot": bot,
        })
    }

    fn message(
        id: u64,
        author: serde_json::Value,
        content: &str,
        attachments: serde_json::Value,
        embeds: serde_json::Value,
    ) -> Message {
        // Seconds since 2024-03-01T10:00:00Z, so ids and times rise together.
        let time = DateTime::from_timestamp(1_709_287_200 + id as i64, 0).unwrap();
        serde_json::from_value(json!({
            "id": id.to_string(),
            "channel_id": "500",
            "author": author,
            "content": content,
            "timestamp": time.to_rfc3339(),
            "edited_timestamp": null,
            "tts": false,
            "mention_everyone": false,
            "mentions": [],
            "mention_roles": [],
            "attachments": attachments,
            "embeds": embeds,
            "pinned": false,
            "type": 0,
            "flags": 0,
            "components": [],
        }))
        .expect("a valid Discord message")
    }

    fn attachment(id: u64, filename: &str, size: u64) -> serde_json::Value {
        json!({
            "id": id.to_string(),
            "filename": filename,
            "size": size,
            "url": format!("https://cdn.discordapp.com/attachments/500/{id}/{filename}"),
            "proxy_url": format!("https://media.discordapp.net/attachments/500/{id}/{filename}"),
        })
    }

    fn embed(title: &str, description: &str, color: u32) -> serde_json::Value {
        json!({
            "title": title,
            "description": description,
            "color": color,
            "type": "rich",
            "fields": [
                { "name": "Order", "value": "#1234", "inline": true },
                { "name": "Amount", "value": "€20", "inline": true },
            ],
            "footer": { "text": "Agora Billing" },
        })
    }

    /// Three messages: a user with an attachment, a bot with an embed, a user with multi-line text.
    fn conversation() -> Vec<Message> {
        vec![
            message(
                1001,
                user(1, "alice_w", Some("Alice"), false),
                "Hi, I was charged twice.",
                json!([attachment(9001, "receipt.pdf", 51_200)]),
                json!([]),
            ),
            message(
                1002,
                user(2, "agora", None, true),
                "",
                json!([]),
                json!([embed(
                    "Ticket opened",
                    "A moderator will be with you.",
                    0x5865f2
                )]),
            ),
            message(
                1003,
                user(3, "bob_mod", Some("Bob"), false),
                "Thanks Alice.\nRefund is on its way.",
                json!([]),
                json!([]),
            ),
        ]
    }

    async fn write_all(dir: &Path, messages: &[Message]) -> (TranscriptFiles, String, String) {
        let mut writer = TranscriptWriter::create(dir, "ticket-0042", &heading())
            .await
            .unwrap();
        for message in messages {
            writer.write(message).await.unwrap();
        }
        let files = writer.finish().await.unwrap();
        let html = tokio::fs::read_to_string(&files.html).await.unwrap();
        let txt = tokio::fs::read_to_string(&files.txt).await.unwrap();
        (files, html, txt)
    }

    fn assert_in_order(haystack: &str, needles: &[&str]) {
        let mut from = 0;
        for needle in needles {
            let at = haystack[from..]
                .find(needle)
                .unwrap_or_else(|| panic!("{needle:?} missing or out of order"));
            from += at + needle.len();
        }
    }

    #[tokio::test]
    async fn html_and_txt_hold_every_message_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("nested").join("transcripts");
        let (files, html, txt) = write_all(&out, &conversation()).await;

        assert_eq!(files.messages, 3);
        assert_eq!(files.html, out.join("ticket-0042.html"));
        assert_eq!(files.txt, out.join("ticket-0042.txt"));

        assert!(html.starts_with("<!DOCTYPE html>"));
        assert!(html.contains(r#"<meta charset="utf-8">"#));
        assert_in_order(
            &html,
            &[
                "<title>ticket-0042",
                "Agora Test Guild",
                "#ticket-0042",
                "Billing",
                "Alice",
                "2024-03-01 09:30 UTC",
                "2024-03-02 17:05 UTC",
                "Refund issued",
                r#"id="m1001""#,
                "Alice",
                "Hi, I was charged twice.",
                // minijinja escapes `/` too (`&#x2f;`); the parsed href is checked below.
                r#"<a href="https:&#x2f;&#x2f;cdn.discordapp.com&#x2f;attachments&#x2f;500&#x2f;9001&#x2f;receipt.pdf">receipt.pdf</a>"#,
                "50.0 KiB",
                r#"id="m1002""#,
                "agora",
                r#"<span class="badge">BOT</span>"#,
                "border-left-color: #5865f2",
                "Ticket opened",
                "A moderator will be with you.",
                "Order",
                "#1234",
                "Agora Billing",
                r#"id="m1003""#,
                "Bob",
                "Thanks Alice.\nRefund is on its way.",
                "3 messages",
            ],
        );
        assert!(!html.contains("<script"));

        assert_in_order(
            &txt,
            &[
                "Transcript of ticket-0042 (#ticket-0042) in Agora Test Guild\n",
                "Category: Billing\n",
                "Opened by: Alice\n",
                "Opened: 2024-03-01 09:30 UTC\n",
                "Closed: 2024-03-02 17:05 UTC\n",
                "Close reason: Refund issued\n",
                "[2024-03-01 10:16:41 UTC] Alice: Hi, I was charged twice.\n",
                "  [attachment] receipt.pdf (https://cdn.discordapp.com/attachments/500/9001/receipt.pdf)\n",
                "[2024-03-01 10:16:42 UTC] agora:\n",
                "  [embed] Ticket opened — A moderator will be with you.\n",
                "  [field] Order: #1234\n",
                "  [field] Amount: €20\n",
                "  [footer] Agora Billing\n",
                "[2024-03-01 10:16:43 UTC] Bob: Thanks Alice.\n  Refund is on its way.\n",
            ],
        );
        assert!(txt.ends_with("\n3 messages\n"));
    }

    #[tokio::test]
    async fn discord_text_is_escaped() {
        let dir = tempfile::tempdir().unwrap();
        let evil = message(
            2001,
            user(6, "<img src=x onerror=alert(1)>", None, false),
            "<script>alert(1)</script> & \"quotes\"",
            json!([{
                "id": "9100",
                "filename": "<b>x</b>.txt",
                "size": 10,
                "url": "javascript:alert(1)",
                "proxy_url": "javascript:alert(1)",
            }]),
            json!([{ "title": "</div><script>bad()</script>", "type": "rich", "fields": [] }]),
        );
        let mut heading = heading();
        heading.guild_name = "<script>guild()</script>".to_owned();
        heading.close_reason = Some("</dd><script>x()</script>".to_owned());
        let mut writer = TranscriptWriter::create(dir.path(), "evil", &heading)
            .await
            .unwrap();
        writer.write(&evil).await.unwrap();
        let files = writer.finish().await.unwrap();
        let html = tokio::fs::read_to_string(&files.html).await.unwrap();

        assert!(html.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;"));
        assert!(!html.contains("<script"));
        assert!(!html.contains("<img"));
        assert!(!html.contains("<b>"));
        assert!(!html.contains("javascript:"));

        // The parsed document has exactly the markup the templates wrote, and the text survived.
        let doc = Html::parse_document(&html);
        assert_eq!(doc.select(&Selector::parse("script").unwrap()).count(), 0);
        assert_eq!(doc.select(&Selector::parse("img").unwrap()).count(), 0);
        let content = doc
            .select(&Selector::parse("div.message .content").unwrap())
            .next()
            .unwrap();
        assert_eq!(
            content.text().collect::<String>(),
            "<script>alert(1)</script> & \"quotes\""
        );
        let attachment = doc
            .select(&Selector::parse("div.attachment").unwrap())
            .next()
            .unwrap();
        assert!(attachment.text().any(|text| text == "<b>x</b>.txt"));
        assert_eq!(attachment.select(&Selector::parse("a").unwrap()).count(), 0);
    }

    #[tokio::test]
    async fn html_parses_with_one_block_per_message() {
        let dir = tempfile::tempdir().unwrap();
        let (files, html, _) = write_all(dir.path(), &conversation()).await;
        let doc = Html::parse_document(&html);

        let blocks: Vec<_> = doc
            .select(&Selector::parse("div.message").unwrap())
            .map(|block| block.value().attr("id").unwrap().to_owned())
            .collect();
        assert_eq!(blocks.len(), files.messages);
        assert_eq!(blocks, ["m1001", "m1002", "m1003"]);

        let links: Vec<_> = doc
            .select(&Selector::parse("div.message a[href]").unwrap())
            .map(|a| {
                (
                    a.value().attr("href").unwrap(),
                    a.text().collect::<String>(),
                )
            })
            .collect();
        assert_eq!(
            links,
            [(
                "https://cdn.discordapp.com/attachments/500/9001/receipt.pdf",
                "receipt.pdf".to_owned()
            )]
        );

        let title = doc
            .select(&Selector::parse("title").unwrap())
            .next()
            .unwrap();
        assert!(title.text().collect::<String>().contains("ticket-0042"));
        let footer = doc
            .select(&Selector::parse("footer.count").unwrap())
            .next()
            .unwrap();
        assert_eq!(footer.text().collect::<String>(), "3 messages");
        // Self-contained: no external assets.
        assert_eq!(
            doc.select(&Selector::parse("link, script, img, iframe").unwrap())
                .count(),
            0
        );
    }

    #[tokio::test]
    async fn empty_channel_still_makes_both_files() {
        let dir = tempfile::tempdir().unwrap();
        let mut heading = heading();
        heading.closed_at = None;
        heading.close_reason = None;
        let writer = TranscriptWriter::create(dir.path(), "empty", &heading)
            .await
            .unwrap();
        let files = writer.finish().await.unwrap();
        let html = tokio::fs::read_to_string(&files.html).await.unwrap();
        let txt = tokio::fs::read_to_string(&files.txt).await.unwrap();
        assert_eq!(files.messages, 0);
        assert!(html.contains("still open") && html.contains("0 messages"));
        assert!(!html.contains("Close reason"));
        assert!(txt.contains("Closed: still open\n") && txt.ends_with("\n0 messages\n"));
    }

    /// Streaming: 10,000 messages go through the writer one at a time. The
    /// writer keeps only two `BufWriter`s, the template environment and a
    /// counter (see its fields) — no list of messages — so its memory does not
    /// grow with the count; each message here is built, written and dropped.
    #[tokio::test]
    async fn ten_thousand_messages_stream_through() {
        const COUNT: u64 = 10_000;
        let dir = tempfile::tempdir().unwrap();
        let mut writer = TranscriptWriter::create(dir.path(), "big", &heading())
            .await
            .unwrap();
        for i in 0..COUNT {
            let attachments = if i % 1000 == 0 {
                json!([attachment(50_000 + i, "log.txt", 2048)])
            } else {
                json!([])
            };
            let one = message(
                10_000 + i,
                user(1 + i % 7, "user", None, false),
                &format!("message number {i}"),
                attachments,
                json!([]),
            );
            writer.write(&one).await.unwrap();
        }
        let files = writer.finish().await.unwrap();
        assert_eq!(files.messages, COUNT as usize);

        let html = tokio::fs::read_to_string(&files.html).await.unwrap();
        assert_eq!(
            html.matches(r#"<div class="message" id="m"#).count(),
            COUNT as usize
        );
        assert!(html.contains("10000 messages"));
        assert_in_order(&html, &["message number 0<", "message number 9999<"]);

        let txt = tokio::fs::read_to_string(&files.txt).await.unwrap();
        assert_eq!(
            txt.lines().filter(|line| line.starts_with('[')).count(),
            10_000
        );
        assert_eq!(txt.matches("  [attachment] log.txt").count(), 10);
        assert!(txt.ends_with("\n10000 messages\n"));
    }

    /// The paging loop against a fake Discord: pages of 100, newest first, ids above `after`.
    #[tokio::test]
    async fn pages_are_read_oldest_first_until_a_short_page() {
        let dir = tempfile::tempdir().unwrap();
        let ids: Vec<u64> = (0..250).map(|i| 7_000 + i * 3).collect();
        let mut calls = Vec::new();
        let mut writer = TranscriptWriter::create(dir.path(), "paged", &heading())
            .await
            .unwrap();
        write_pages(&mut writer, |after| {
            calls.push(after.get());
            let mut page: Vec<Message> = ids
                .iter()
                .copied()
                .filter(|&id| id > after.get())
                .take(usize::from(PAGE_SIZE))
                .map(|id| {
                    message(
                        id,
                        user(1, "u", None, false),
                        &format!("#{id}"),
                        json!([]),
                        json!([]),
                    )
                })
                .collect();
            page.reverse();
            async move { Ok(page) }
        })
        .await
        .unwrap();
        let files = writer.finish().await.unwrap();

        assert_eq!(files.messages, 250);
        assert_eq!(calls, [1, ids[99], ids[199]]);
        let html = tokio::fs::read_to_string(&files.html).await.unwrap();
        let doc = Html::parse_document(&html);
        let written: Vec<u64> = doc
            .select(&Selector::parse("div.message").unwrap())
            .map(|block| block.value().attr("id").unwrap()[1..].parse().unwrap())
            .collect();
        assert_eq!(written, ids);
    }

    #[tokio::test]
    async fn a_full_last_page_ends_on_the_empty_page_after_it() {
        let dir = tempfile::tempdir().unwrap();
        let mut calls = 0;
        let mut writer = TranscriptWriter::create(dir.path(), "exact", &heading())
            .await
            .unwrap();
        write_pages(&mut writer, |after| {
            calls += 1;
            let page: Vec<Message> = (1u64..=100)
                .map(|i| i + 1)
                .filter(|&id| id > after.get())
                .map(|id| message(id, user(1, "u", None, false), "x", json!([]), json!([])))
                .collect();
            async move { Ok(page) }
        })
        .await
        .unwrap();
        assert_eq!(writer.finish().await.unwrap().messages, 100);
        assert_eq!(calls, 2);
    }

    #[test]
    fn helpers() {
        assert_eq!(ticket_label(42), "ticket-0042");
        assert_eq!(ticket_label(12345), "ticket-12345");
        assert_eq!(count_label(1), "1 message");
        assert_eq!(kib(1536), "1.5 KiB");
        assert_eq!(indent("a\r\nb\nc\n", "  "), "a\n  b\n  c");
        assert_eq!(web_url("HTTPS://x.y/z"), Some("HTTPS://x.y/z"));
        assert_eq!(web_url("javascript:alert(1)"), None);
        assert_eq!(web_url("ab"), None);
    }
}
