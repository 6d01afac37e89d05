//! The .ics export of shifts: an iCalendar (RFC 5545) document people can subscribe to or import.

use chrono::{DateTime, Utc};

/// One shift in a calendar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarShift {
    /// The shift's id, which makes its event's UID (`shift-<id>@agora`).
    pub id: i64,
    /// The event's title.
    pub summary: String,
    /// The event's longer text; may span several lines.
    pub description: String,
    /// When the shift starts.
    pub start: DateTime<Utc>,
    /// When the shift ends.
    pub end: DateTime<Utc>,
}

/// The longest a content line may be, in octets, not counting its CRLF (RFC 5545 §3.1).
const MAX_LINE_OCTETS: usize = 75;

/// The line ending iCalendar requires.
const CRLF: &str = "\r\n";

/// An iCalendar (RFC 5545) document: a VCALENDAR (VERSION:2.0, PRODID:-//Agora//Shifts//EN,
/// CALSCALE:GREGORIAN, METHOD:PUBLISH, X-WR-CALNAME:`calendar_name`) with one VEVENT per shift:
/// UID `shift-<id>@agora`, DTSTAMP `now`, DTSTART and DTEND in UTC (`20261123T093000Z`),
/// SUMMARY and DESCRIPTION.
///
/// Lines end in CRLF, text is escaped (`\` `;` `,` and line breaks), other control characters
/// are dropped, and lines are folded at 75 octets without splitting a UTF-8 character.
pub fn ics(calendar_name: &str, shifts: &[CalendarShift], now: DateTime<Utc>) -> String {
    let mut document = String::new();
    let mut line = |content: &str| push_folded(&mut document, content);
    line("BEGIN:VCALENDAR");
    line("VERSION:2.0");
    line("PRODID:-//Agora//Shifts//EN");
    line("CALSCALE:GREGORIAN");
    line("METHOD:PUBLISH");
    line(&format!("X-WR-CALNAME:{}", escape_text(calendar_name)));
    let stamp = utc_stamp(now);
    for shift in shifts {
        line("BEGIN:VEVENT");
        line(&format!("UID:shift-{}@agora", shift.id));
        line(&format!("DTSTAMP:{stamp}"));
        line(&format!("DTSTART:{}", utc_stamp(shift.start)));
        line(&format!("DTEND:{}", utc_stamp(shift.end)));
        line(&format!("SUMMARY:{}", escape_text(&shift.summary)));
        line(&format!("DESCRIPTION:{}", escape_text(&shift.description)));
        line("END:VEVENT");
    }
    line("END:VCALENDAR");
    document
}

/// An instant as an iCalendar UTC date-time, e.g. `20261123T093000Z` (seconds truncated).
fn utc_stamp(instant: DateTime<Utc>) -> String {
    instant.format("%Y%m%dT%H%M%SZ").to_string()
}

/// Text as an iCalendar TEXT value: `\` `;` `,` escaped with a backslash, line breaks (CRLF, LF
/// or a lone CR) as `\n`, other control characters except tab dropped.
fn escape_text(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    let mut characters = text.chars().peekable();
    while let Some(character) = characters.next() {
        match character {
            '\\' => escaped.push_str("\\\\"),
            ';' => escaped.push_str("\\;"),
            ',' => escaped.push_str("\\,"),
            '\r' => {
                characters.next_if_eq(&'\n');
                escaped.push_str("\\n");
            }
            '\n' => escaped.push_str("\\n"),
            '\t' => escaped.push('\t'),
            control if control.is_control() => {}
            other => escaped.push(other),
        }
    }
    escaped
}

/// Appends one content line, folded so no physical line exceeds [`MAX_LINE_OCTETS`]: each
/// continuation line starts with a single space, and breaks fall between characters.
fn push_folded(document: &mut String, content: &str) {
    let mut room = MAX_LINE_OCTETS;
    let mut used = 0;
    for character in content.chars() {
        let width = character.len_utf8();
        if used + width > room {
            document.push_str(CRLF);
            document.push(' ');
            // The leading space counts towards the continuation line's length.
            room = MAX_LINE_OCTETS - 1;
            used = 0;
        }
        document.push(character);
        used += width;
    }
    document.push_str(CRLF);
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .expect("a valid RFC 3339 instant")
            .with_timezone(&Utc)
    }

    fn shift(id: i64, summary: &str, description: &str) -> CalendarShift {
        CalendarShift {
            id,
            summary: summary.to_owned(),
            description: description.to_owned(),
            start: utc("2026-11-23T09:30:00Z"),
            end: utc("2026-11-23T13:00:00Z"),
        }
    }

    /// The physical lines of a document, checking each ends in CRLF and fits in 75 octets.
    fn physical_lines(document: &str) -> Vec<&str> {
        assert!(document.ends_with(CRLF), "the document must end with CRLF");
        let lines: Vec<&str> = document[..document.len() - CRLF.len()]
            .split(CRLF)
            .collect();
        for line in &lines {
            assert!(
                !line.contains('\r') && !line.contains('\n'),
                "bare line break in {line:?}"
            );
            assert!(
                line.len() <= MAX_LINE_OCTETS,
                "{} octets: {line:?}",
                line.len()
            );
        }
        lines
    }

    /// Logical content lines: continuation lines (starting with a space) joined back on.
    fn unfold(document: &str) -> Vec<String> {
        let mut logical: Vec<String> = Vec::new();
        for line in physical_lines(document) {
            match (line.strip_prefix(' '), logical.last_mut()) {
                (Some(continuation), Some(previous)) => previous.push_str(continuation),
                _ => logical.push(line.to_owned()),
            }
        }
        logical
    }

    /// The inverse of `escape_text`.
    fn unescape(value: &str) -> String {
        let mut text = String::new();
        let mut characters = value.chars();
        while let Some(character) = characters.next() {
            if character == '\\' {
                match characters.next() {
                    Some('n') | Some('N') => text.push('\n'),
                    Some(other) => text.push(other),
                    None => panic!("dangling backslash in {value:?}"),
                }
            } else {
                text.push(character);
            }
        }
        text
    }

    /// The values of every property named `name`, unfolded and unescaped.
    fn values(document: &str, name: &str) -> Vec<String> {
        let prefix = format!("{name}:");
        unfold(document)
            .iter()
            .filter_map(|line| line.strip_prefix(&prefix).map(unescape))
            .collect()
    }

    #[test]
    fn document_structure() {
        let document = ics(
            "Mods, EU",
            &[
                shift(7, "Morning", "Watch #general"),
                shift(-3, "Night", ""),
            ],
            utc("2026-11-20T08:00:05Z"),
        );
        assert_eq!(
            unfold(&document),
            [
                "BEGIN:VCALENDAR",
                "VERSION:2.0",
                "PRODID:-//Agora//Shifts//EN",
                "CALSCALE:GREGORIAN",
                "METHOD:PUBLISH",
                "X-WR-CALNAME:Mods\\, EU",
                "BEGIN:VEVENT",
                "UID:shift-7@agora",
                "DTSTAMP:20261120T080005Z",
                "DTSTART:20261123T093000Z",
                "DTEND:20261123T130000Z",
                "SUMMARY:Morning",
                "DESCRIPTION:Watch #general",
                "END:VEVENT",
                "BEGIN:VEVENT",
                "UID:shift--3@agora",
                "DTSTAMP:20261120T080005Z",
                "DTSTART:20261123T093000Z",
                "DTEND:20261123T130000Z",
                "SUMMARY:Night",
                "DESCRIPTION:",
                "END:VEVENT",
                "END:VCALENDAR",
            ]
        );
    }

    #[test]
    fn empty_calendar_is_still_a_calendar() {
        let document = ics("Nobody", &[], utc("2026-01-01T00:00:00Z"));
        assert!(document.starts_with("BEGIN:VCALENDAR\r\n"));
        assert!(document.ends_with("END:VCALENDAR\r\n"));
        assert!(!document.contains("VEVENT"));
    }

    #[test]
    fn text_is_escaped() {
        let description = "a;b,c\\d\nnext line\r\nthird\rfourth\u{7}bell\ttab";
        let document = ics(
            "Cal",
            &[shift(1, "x;y,z\\", description)],
            utc("2026-01-01T00:00:00Z"),
        );
        let lines = unfold(&document);
        assert!(lines.contains(&"SUMMARY:x\\;y\\,z\\\\".to_owned()));
        assert!(lines.contains(
            &"DESCRIPTION:a\\;b\\,c\\\\d\\nnext line\\nthird\\nfourthbell\ttab".to_owned()
        ));
        assert_eq!(
            values(&document, "DESCRIPTION"),
            ["a;b,c\\d\nnext line\nthird\nfourthbell\ttab"]
        );
    }

    #[test]
    fn long_lines_fold_and_round_trip() {
        let description = "Cover the ticket queue, answer appeals; escalate anything about \
                           safety to the leads.\nThen: ✅ check #reports — 日本語のチャンネルも確認してください。 🎉🎉🎉"
            .repeat(4);
        let summary = "é".repeat(100);
        let document = ics(
            "Shifts",
            &[shift(42, &summary, &description)],
            utc("2026-01-01T00:00:00Z"),
        );
        let physical = physical_lines(&document);
        assert!(
            physical.iter().any(|line| line.starts_with(' ')),
            "nothing was folded"
        );
        assert!(physical.iter().any(|line| line.len() == MAX_LINE_OCTETS));
        assert_eq!(values(&document, "DESCRIPTION"), [description]);
        assert_eq!(values(&document, "SUMMARY"), [summary]);
        assert_eq!(values(&document, "UID"), ["shift-42@agora"]);
    }

    #[test]
    fn a_line_of_exactly_75_octets_is_not_folded() {
        let summary = "s".repeat(MAX_LINE_OCTETS - "SUMMARY:".len());
        let document = ics(
            "Cal",
            &[shift(1, &summary, "")],
            utc("2026-01-01T00:00:00Z"),
        );
        assert!(document.contains(&format!("\r\nSUMMARY:{summary}\r\nDESCRIPTION:")));
        let one_more = format!("{summary}s");
        let document = ics(
            "Cal",
            &[shift(1, &one_more, "")],
            utc("2026-01-01T00:00:00Z"),
        );
        assert!(document.contains(&format!("\r\nSUMMARY:{summary}\r\n s\r\nDESCRIPTION:")));
    }

    proptest! {
        #[test]
        fn any_text_round_trips(
            name in "\\PC{0,60}",
            summary in any::<String>(),
            description in "(\\PC|\n|;|,|\\\\){0,300}",
            id in any::<i64>(),
        ) {
            let document = ics(&name, &[shift(id, &summary, &description)], utc("2026-01-01T00:00:00Z"));
            let without_controls = |text: &str| -> String {
                text.replace("\r\n", "\n")
                    .replace('\r', "\n")
                    .chars()
                    .filter(|character| !character.is_control() || matches!(character, '\n' | '\t'))
                    .collect()
            };
            prop_assert_eq!(values(&document, "X-WR-CALNAME"), [without_controls(&name)]);
            prop_assert_eq!(values(&document, "SUMMARY"), [without_controls(&summary)]);
            prop_assert_eq!(values(&document, "DESCRIPTION"), [without_controls(&description)]);
            prop_assert_eq!(values(&document, "UID"), [format!("shift-{id}@agora")]);
        }
    }
}
