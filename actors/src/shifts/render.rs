//! How shifts look in Discord: the posted embed with its Claim button (disabled once the
//! shift is claimed, cancelled or started), and Discord timestamps (`<t:…:F>`, `<t:…:R>`)
//! so every reader sees their own time.

use chrono::{DateTime, Utc};
use twilight_model::channel::message::component::{ActionRow, Button, ButtonStyle, Component};
use twilight_util::builder::embed::{EmbedBuilder, EmbedFieldBuilder};

use super::store::{Shift, ShiftState};
use crate::kernel::custom_id::CustomId;
use crate::kernel::reply::ReplyMessage;

/// The custom_id action of the Claim button.
pub const CLAIM: &str = "claim";

/// `<t:…:F> (<t:…:R>)`
pub fn when(instant: DateTime<Utc>) -> String {
    let seconds = instant.timestamp();
    format!("<t:{seconds}:F> (<t:{seconds}:R>)")
}

/// `1 h 30 min`
pub fn duration_text(minutes: i64) -> String {
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

/// Hours with at most one decimal: `3`, `3.5`.
pub fn hours_text(minutes: i64) -> String {
    let hours = minutes as f64 / 60.0;
    if (hours - hours.round()).abs() < 0.05 {
        format!("{}", hours.round() as i64)
    } else {
        format!("{hours:.1}")
    }
}

pub fn claim_id(shift_id: i64) -> String {
    CustomId::new(super::SHIFTS, 1, CLAIM)
        .arg(shift_id)
        .encode()
        .unwrap_or_default()
}

/// The posted shift message, as it should look at `now`.
pub fn shift_message(shift: &Shift, now: DateTime<Utc>) -> ReplyMessage {
    let state = shift.state(now);
    let (status, color) = match state {
        ShiftState::Open => ("🟢 Open — moderators can claim it".to_owned(), 0x2e_cc_71),
        ShiftState::Claimed => (
            format!("✅ Claimed by <@{}>", shift.claimed_by.unwrap_or_default()),
            0x34_98_db,
        ),
        ShiftState::Started => (
            match shift.claimed_by {
                Some(user) => format!("▶️ Started — covered by <@{user}>"),
                None => "⚠️ Started without anyone claiming it".to_owned(),
            },
            0xf1_c4_0f,
        ),
        ShiftState::Done => (
            match shift.claimed_by {
                Some(user) => format!("🏁 Done — covered by <@{user}>"),
                None => "🏁 Over — nobody claimed it".to_owned(),
            },
            0x95_a5_a6,
        ),
        ShiftState::Cancelled => (
            format!(
                "❌ Cancelled by <@{}>",
                shift.cancelled_by.unwrap_or_default()
            ),
            0xe7_4c_3c,
        ),
    };
    let mut embed = EmbedBuilder::new()
        .title(format!("Shift #{}: {}", shift.id, shift.description))
        .color(color)
        .field(EmbedFieldBuilder::new("Starts", when(shift.start)))
        .field(EmbedFieldBuilder::new("Ends", when(shift.end)))
        .field(
            EmbedFieldBuilder::new("Duration", duration_text(shift.duration().num_minutes()))
                .inline(),
        )
        .field(EmbedFieldBuilder::new("Dropped by", format!("<@{}>", shift.dropped_by)).inline());
    if let Some(assigned) = shift.assigned_user_id {
        embed =
            embed.field(EmbedFieldBuilder::new("Scheduled for", format!("<@{assigned}>")).inline());
    }
    embed = embed.field(EmbedFieldBuilder::new("Status", status));
    let button = Component::Button(Button {
        id: None,
        custom_id: Some(claim_id(shift.id)),
        disabled: state != ShiftState::Open,
        emoji: None,
        label: Some(match state {
            ShiftState::Open => "Claim shift".to_owned(),
            ShiftState::Claimed => "Claimed".to_owned(),
            ShiftState::Started => "Started".to_owned(),
            ShiftState::Done => "Done".to_owned(),
            ShiftState::Cancelled => "Cancelled".to_owned(),
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
        assert_eq!(duration_text(15), "15 min");
        assert_eq!(duration_text(120), "2 h");
        assert_eq!(duration_text(90), "1 h 30 min");
        assert_eq!(hours_text(180), "3");
        assert_eq!(hours_text(210), "3.5");
        assert_eq!(claim_id(42), "shifts:1:claim:42");
    }
}
