//! How shifts look in Discord: the posted embed with its Claim button (disabled once the
//! shift is claimed, cancelled or started), and Discord timestamps (`<t:…:F>`, `<t:…:R>`)
//! so every reader sees their own time.

use chrono::{DateTime, Utc};
use twilight_model::channel::message::component::{ActionRow, Button, ButtonStyle, Component};
use twilight_util::builder::embed::{EmbedBuilder, EmbedFieldBuilder};

use super::store::{Shift, ShiftState};
use crate::kernel::custom_id::CustomId;
use crate::kernel::i18n::Locale;
use crate::kernel::reply::ReplyMessage;
use crate::t;

/// The custom_id action of the Claim button.
pub const CLAIM: &str = "claim";

/// `<t:…:F> (<t:…:R>)`
pub fn when(instant: DateTime<Utc>) -> String {
    let seconds = instant.timestamp();
    format!("<t:{seconds}:F> (<t:{seconds}:R>)")
}

/// `1 h 30 min` (`1 Std. 30 Min.` in German)
pub fn duration_text(locale: Locale, minutes: i64) -> String {
    match (minutes / 60, minutes % 60) {
        (0, m) => t!(locale, "duration-minutes", minutes = m),
        (h, 0) => t!(locale, "duration-hours", hours = h),
        (h, m) => t!(locale, "duration-hours-minutes", hours = h, minutes = m),
    }
}

/// Hours with at most one decimal: `3`, `3.5` (`3,5` in German).
pub fn hours_text(locale: Locale, minutes: i64) -> String {
    let hours = minutes as f64 / 60.0;
    if (hours - hours.round()).abs() < 0.05 {
        format!("{}", hours.round() as i64)
    } else {
        locale.decimal(&format!("{hours:.1}"))
    }
}

pub fn claim_id(shift_id: i64) -> String {
    CustomId::new(super::SHIFTS, 1, CLAIM)
        .arg(shift_id)
        .encode()
        .unwrap_or_default()
}

/// The posted shift message in English, for callers that have not loaded the guild's
/// language yet; prefer [`shift_message_in`] with `Locale::for_guild`.
pub fn shift_message(shift: &Shift, now: DateTime<Utc>) -> ReplyMessage {
    shift_message_in(Locale::English, shift, now)
}

/// The posted shift message, as it should look at `now`, in the guild's language (the
/// channel reads it, not one person).
pub fn shift_message_in(locale: Locale, shift: &Shift, now: DateTime<Utc>) -> ReplyMessage {
    let state = shift.state(now);
    let (status, color) = match state {
        ShiftState::Open => (t!(locale, "shift-status-open"), 0x2e_cc_71),
        ShiftState::Claimed => (
            t!(
                locale,
                "shift-status-claimed",
                user = shift.claimed_by.map_or(0, |user| user.get())
            ),
            0x34_98_db,
        ),
        ShiftState::Started => (
            match shift.claimed_by {
                Some(user) => t!(locale, "shift-status-started", user = user),
                None => t!(locale, "shift-status-started-unclaimed"),
            },
            0xf1_c4_0f,
        ),
        ShiftState::Done => (
            match shift.claimed_by {
                Some(user) => t!(locale, "shift-status-done", user = user),
                None => t!(locale, "shift-status-over"),
            },
            0x95_a5_a6,
        ),
        ShiftState::Cancelled => (
            t!(
                locale,
                "shift-status-cancelled",
                user = shift.cancelled_by.map_or(0, |user| user.get())
            ),
            0xe7_4c_3c,
        ),
    };
    let field = |key: &str, value: String| EmbedFieldBuilder::new(key, value);
    let duration = duration_text(locale, shift.duration().num_minutes());
    let title = t!(
        locale,
        "shift-title",
        id = shift.id,
        description = shift.description.as_str()
    );
    let mut embed = EmbedBuilder::new()
        .title(title)
        .color(color)
        .field(field(&t!(locale, "shift-field-starts"), when(shift.start)))
        .field(field(&t!(locale, "shift-field-ends"), when(shift.end)))
        .field(field(&t!(locale, "shift-field-duration"), duration).inline())
        .field(
            field(
                &t!(locale, "shift-field-dropped-by"),
                format!("<@{}>", shift.dropped_by),
            )
            .inline(),
        );
    if let Some(assigned) = shift.assigned_user_id {
        let name = t!(locale, "shift-field-scheduled-for");
        embed = embed.field(field(&name, format!("<@{assigned}>")).inline());
    }
    embed = embed.field(field(&t!(locale, "shift-field-status"), status));
    let button = Component::Button(Button {
        id: None,
        custom_id: Some(claim_id(shift.id)),
        disabled: state != ShiftState::Open,
        emoji: None,
        label: Some(match state {
            ShiftState::Open => t!(locale, "shift-button-claim"),
            ShiftState::Claimed => t!(locale, "shift-button-claimed"),
            ShiftState::Started => t!(locale, "shift-button-started"),
            ShiftState::Done => t!(locale, "shift-button-done"),
            ShiftState::Cancelled => t!(locale, "shift-button-cancelled"),
        }),
        style: ButtonStyle::Success,
        url: None,
        sku_id: None,
    });
    let mut message = ReplyMessage::text(String::new())
        .with_embed(embed.build())
        .with_components(vec![Component::ActionRow(ActionRow {
            id: None,
            components: vec![button],
        })]);
    message.content = None;
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_hours_read_naturally() {
        assert_eq!(duration_text(Locale::English, 15), "15 min");
        assert_eq!(duration_text(Locale::English, 120), "2 h");
        assert_eq!(duration_text(Locale::English, 90), "1 h 30 min");
        assert_eq!(duration_text(Locale::German, 90), "1 Std. 30 Min.");
        assert_eq!(hours_text(Locale::English, 180), "3");
        assert_eq!(hours_text(Locale::English, 210), "3.5");
        assert_eq!(hours_text(Locale::German, 210), "3,5");
        assert_eq!(claim_id(42), "shifts:1:claim:42");
    }
}
