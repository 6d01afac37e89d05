//! Discord's documented request limits that its OpenAPI spec does not carry (or carries wrong).
//!
//! [`check`] runs after schema validation (`crate::rest::validate`) on the same body and reports
//! violations as Discord field errors, with paths that point at the field as it sits in the body
//! that was sent (`["data", "components", "0", "components", "1", "custom_id"]` for an
//! interaction callback, `["3", "options", "0", "name"]` for a bulk command overwrite). Every
//! limit cites the page of Discord's docs (`/work/shared/discord-api/docs/…`) it comes from.
//!
//! Lengths are counted in Unicode scalar values (`str::chars`), never in bytes.

use std::collections::{HashMap, HashSet};

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine;
use serde_json::{Map, Value};

use crate::error::FieldError;

const CHANNEL: &str = "/channels/{channel_id}";
const CHANNEL_MESSAGES: &str = "/channels/{channel_id}/messages";
const CHANNEL_MESSAGE: &str = "/channels/{channel_id}/messages/{message_id}";
const CHANNEL_THREADS: &str = "/channels/{channel_id}/threads";
const BULK_DELETE: &str = "/channels/{channel_id}/messages/bulk-delete";
const GUILD_CHANNELS: &str = "/guilds/{guild_id}/channels";
const GUILD_EMOJIS: &str = "/guilds/{guild_id}/emojis";
const GUILD_EMOJI: &str = "/guilds/{guild_id}/emojis/{emoji_id}";
const APPLICATION_EMOJIS: &str = "/applications/{application_id}/emojis";
const APPLICATION_EMOJI: &str = "/applications/{application_id}/emojis/{emoji_id}";
const INTERACTION_CALLBACK: &str = "/interactions/{interaction_id}/{interaction_token}/callback";
const WEBHOOK: &str = "/webhooks/{webhook_id}/{webhook_token}";
const WEBHOOK_MESSAGE: &str = "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}";
const WEBHOOK_ORIGINAL: &str = "/webhooks/{webhook_id}/{webhook_token}/messages/@original";
const GLOBAL_COMMANDS: &str = "/applications/{application_id}/commands";
const GLOBAL_COMMAND: &str = "/applications/{application_id}/commands/{command_id}";
const GUILD_COMMANDS: &str = "/applications/{application_id}/guilds/{guild_id}/commands";
const GUILD_COMMAND: &str =
    "/applications/{application_id}/guilds/{guild_id}/commands/{command_id}";

/// Field errors for Discord's documented limits on this request (method + spec template), empty
/// when fine. Meant to run once the body passed schema validation; fields of the wrong JSON type
/// are left to the schema and skipped here.
pub fn check(method: &str, template: &str, body: &Value) -> Vec<FieldError> {
    let mut report = Report::default();
    let root = Path::root();
    match (method.to_ascii_uppercase().as_str(), template) {
        ("POST", CHANNEL_MESSAGES)
        | ("PATCH", CHANNEL_MESSAGE)
        | ("POST", WEBHOOK)
        | ("PATCH", WEBHOOK_MESSAGE)
        | ("PATCH", WEBHOOK_ORIGINAL) => check_message(body, &root, &mut report),
        // Starting a forum/media thread carries its first message under `message`.
        ("POST", CHANNEL_THREADS) => {
            if let Some(message) = body.get("message") {
                check_message(message, &root.key("message"), &mut report);
            }
        }
        ("POST", INTERACTION_CALLBACK) => check_interaction_callback(body, &mut report),
        ("POST", GLOBAL_COMMANDS) | ("POST", GUILD_COMMANDS) => {
            check_command(body, &root, CommandRequest::Create, &mut report);
        }
        ("PATCH", GLOBAL_COMMAND) | ("PATCH", GUILD_COMMAND) => {
            check_command(body, &root, CommandRequest::Edit, &mut report);
        }
        ("PUT", GLOBAL_COMMANDS) | ("PUT", GUILD_COMMANDS) => {
            check_command_overwrite(body, &mut report);
        }
        ("POST", GUILD_EMOJIS) | ("POST", APPLICATION_EMOJIS) => {
            check_emoji(body, EmojiRequest::Create, &mut report);
        }
        ("PATCH", GUILD_EMOJI) | ("PATCH", APPLICATION_EMOJI) => {
            check_emoji(body, EmojiRequest::Edit, &mut report);
        }
        ("POST", GUILD_CHANNELS) => check_channel(body, ChannelRequest::Create, &mut report),
        ("PATCH", CHANNEL) => check_channel(body, ChannelRequest::Modify, &mut report),
        ("POST", BULK_DELETE) => check_bulk_delete(body, &mut report),
        _ => {}
    }
    report.finish()
}

/// Whether a message body has nothing to show: Discord answers such a create with
/// `{"code": 50006, "message": "Cannot send an empty message"}`.
///
/// Per resources/message.mdx (Create Message, JSON/Form Params): at least one of `content`,
/// `embeds`, `sticker_ids`, `components`, `files[n]`, `poll` or `shared_client_theme` is
/// required; a forward (`message_reference.type` 1) needs only its `message_reference`.
/// Attachments stand for `files[n]` here: a multipart caller must also count its file parts.
/// Whitespace-only content counts as empty (Discord trims it).
pub fn empty_message(body: &Value) -> bool {
    let Some(message) = body.as_object() else {
        return true;
    };
    let has_content = message
        .get("content")
        .and_then(Value::as_str)
        .is_some_and(|content| !content.trim().is_empty());
    let has_items = |key: &str| {
        message
            .get(key)
            .and_then(Value::as_array)
            .is_some_and(|items| !items.is_empty())
    };
    let has_object = |key: &str| message.get(key).is_some_and(Value::is_object);
    let is_forward = message
        .get("message_reference")
        .and_then(|reference| reference.get("type"))
        .and_then(Value::as_u64)
        == Some(MESSAGE_REFERENCE_FORWARD);
    !(has_content
        || has_items("embeds")
        || has_items("sticker_ids")
        || has_items("components")
        || has_items("attachments")
        || has_object("poll")
        || has_object("shared_client_theme")
        || is_forward)
}

/// The name Discord stores for a channel of this type.
///
/// Text (0), announcement (5) and forum (15) channel names are lowercased and their whitespace
/// runs become single dashes (`"Shift Board"` → `"shift-board"`), with surrounding whitespace
/// trimmed; other channel types keep the name as given.
pub fn normalize_channel_name(kind: u8, name: &str) -> String {
    if !matches!(kind, CHANNEL_TEXT | CHANNEL_ANNOUNCEMENT | CHANNEL_FORUM) {
        return name.to_string();
    }
    name.split_whitespace()
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join("-")
}

/// The longest topic a channel of this type may have (resources/channel.mdx, Channel Structure:
/// "0-4096 characters for `GUILD_FORUM` and `GUILD_MEDIA` channels, 0-1024 characters for all
/// others").
pub fn topic_limit(kind: u8) -> usize {
    if matches!(kind, CHANNEL_FORUM | CHANNEL_MEDIA) {
        4096
    } else {
        1024
    }
}

// ---------------------------------------------------------------------------------------------
// Messages
// ---------------------------------------------------------------------------------------------

/// resources/message.mdx, Create Message: "Message contents (up to 2000 characters)".
const MESSAGE_CONTENT_MAX: usize = 2000;
/// resources/message.mdx, Create Message: "Up to 10 `rich` embeds".
const MESSAGE_EMBEDS_MAX: usize = 10;
/// resources/message.mdx, Embed Limits: title 256 characters.
const EMBED_TITLE_MAX: usize = 256;
/// resources/message.mdx, Embed Limits: description 4096 characters.
const EMBED_DESCRIPTION_MAX: usize = 4096;
/// resources/message.mdx, Embed Limits: up to 25 field objects.
const EMBED_FIELDS_MAX: usize = 25;
/// resources/message.mdx, Embed Limits: field.name 256 characters.
const EMBED_FIELD_NAME_MAX: usize = 256;
/// resources/message.mdx, Embed Limits: field.value 1024 characters.
const EMBED_FIELD_VALUE_MAX: usize = 1024;
/// resources/message.mdx, Embed Limits: footer.text 2048 characters.
const EMBED_FOOTER_TEXT_MAX: usize = 2048;
/// resources/message.mdx, Embed Limits: author.name 256 characters.
const EMBED_AUTHOR_NAME_MAX: usize = 256;
/// resources/message.mdx, Embed Limits: the combined title, description, field names and values,
/// footer text and author name of all embeds of a message must not exceed 6000 characters.
const EMBEDS_TOTAL_MAX: usize = 6000;
/// components/reference.mdx, Action Row: a message holds up to 5 action rows (legacy layout).
const MESSAGE_ACTION_ROWS_MAX: usize = 5;
/// components/reference.mdx: "Messages allow up to 40 total components" (`IS_COMPONENTS_V2`).
const MESSAGE_COMPONENTS_TOTAL_MAX: usize = 40;
/// resources/message.mdx, Message Flags: `IS_COMPONENTS_V2` (1 << 15).
const FLAG_IS_COMPONENTS_V2: u64 = 1 << 15;
/// resources/message.mdx, Message Reference Types: FORWARD.
const MESSAGE_REFERENCE_FORWARD: u64 = 1;

/// Checks a message body (create, edit, webhook execute/edit, callback data) found at `path`.
fn check_message(message: &Value, path: &Path, report: &mut Report) {
    let Some(fields) = message.as_object() else {
        return;
    };
    report.max_chars(
        fields.get("content"),
        &path.key("content"),
        MESSAGE_CONTENT_MAX,
    );
    if let Some(embeds) = fields.get("embeds").and_then(Value::as_array) {
        check_embeds(embeds, &path.key("embeds"), report);
    }
    let flags = fields.get("flags").and_then(Value::as_u64).unwrap_or(0);
    let components_v2 = flags & FLAG_IS_COMPONENTS_V2 != 0;
    if components_v2 {
        check_no_legacy_fields(fields, path, report);
    }
    if let Some(components) = fields.get("components").and_then(Value::as_array) {
        let components_path = path.key("components");
        if components_v2 {
            let total = count_components(components);
            if total > MESSAGE_COMPONENTS_TOTAL_MAX {
                report.push(
                    &components_path,
                    "BASE_TYPE_MAX_LENGTH",
                    format!("Must be {MESSAGE_COMPONENTS_TOTAL_MAX} or fewer in length."),
                );
            }
        } else {
            report.max_items(components, &components_path, MESSAGE_ACTION_ROWS_MAX);
        }
        let mut walk = ComponentWalk::new(Surface::Message);
        for (index, component) in components.iter().enumerate() {
            walk.visit(component, &components_path.index(index), report);
        }
    }
}

/// resources/message.mdx, Create Message: with `IS_COMPONENTS_V2` "the message can only contain
/// `components`. Providing `content`, `embeds`, `sticker_ids`, `poll` … will fail".
fn check_no_legacy_fields(fields: &Map<String, Value>, path: &Path, report: &mut Report) {
    for key in ["content", "embeds", "sticker_ids", "poll"] {
        let used = match fields.get(key) {
            None | Some(Value::Null) => false,
            Some(Value::String(text)) => !text.is_empty(),
            Some(Value::Array(items)) => !items.is_empty(),
            Some(_) => true,
        };
        if used {
            report.push(
                &path.key(key),
                "MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2",
                format!(
                    "The '{key}' field cannot be used when using MessageFlags.IS_COMPONENTS_V2"
                ),
            );
        }
    }
}

/// Per-embed limits and the 6000-character total (reported on `embeds`). Embed text is counted
/// after trimming surrounding whitespace, as the docs say Discord does.
fn check_embeds(embeds: &[Value], path: &Path, report: &mut Report) {
    report.max_items(embeds, path, MESSAGE_EMBEDS_MAX);
    let mut total = 0;
    for (index, embed) in embeds.iter().enumerate() {
        let embed_path = path.index(index);
        let mut text =
            |value: Option<&Value>, field_path: Path, max: usize, report: &mut Report| {
                if let Some(length) = value.and_then(Value::as_str).map(trimmed_chars) {
                    total += length;
                    if length > max {
                        report.push(
                            &field_path,
                            "BASE_TYPE_MAX_LENGTH",
                            format!("Must be {max} or fewer in length."),
                        );
                    }
                }
            };
        text(
            embed.get("title"),
            embed_path.key("title"),
            EMBED_TITLE_MAX,
            report,
        );
        text(
            embed.get("description"),
            embed_path.key("description"),
            EMBED_DESCRIPTION_MAX,
            report,
        );
        text(
            embed.pointer("/footer/text"),
            embed_path.key("footer").key("text"),
            EMBED_FOOTER_TEXT_MAX,
            report,
        );
        text(
            embed.pointer("/author/name"),
            embed_path.key("author").key("name"),
            EMBED_AUTHOR_NAME_MAX,
            report,
        );
        if let Some(fields) = embed.get("fields").and_then(Value::as_array) {
            let fields_path = embed_path.key("fields");
            report.max_items(fields, &fields_path, EMBED_FIELDS_MAX);
            for (field_index, field) in fields.iter().enumerate() {
                let field_path = fields_path.index(field_index);
                text(
                    field.get("name"),
                    field_path.key("name"),
                    EMBED_FIELD_NAME_MAX,
                    report,
                );
                text(
                    field.get("value"),
                    field_path.key("value"),
                    EMBED_FIELD_VALUE_MAX,
                    report,
                );
            }
        }
    }
    if total > EMBEDS_TOTAL_MAX {
        report.push(
            path,
            "BASE_TYPE_MAX_LENGTH",
            format!("Embed size exceeds maximum size of {EMBEDS_TOTAL_MAX}"),
        );
    }
}

/// Counts every component object, nested ones included (rows, their children, container and
/// section children, section accessories, label children).
fn count_components(components: &[Value]) -> usize {
    components
        .iter()
        .map(|component| {
            let nested = component
                .get("components")
                .and_then(Value::as_array)
                .map_or(0, |children| count_components(children));
            let single = ["accessory", "component"]
                .iter()
                .filter_map(|key| component.get(*key))
                .filter(|child| child.is_object())
                .map(|child| count_components(std::slice::from_ref(child)))
                .sum::<usize>();
            1 + nested + single
        })
        .sum()
}

// ---------------------------------------------------------------------------------------------
// Components (components/reference.mdx)
// ---------------------------------------------------------------------------------------------

const COMPONENT_ACTION_ROW: u64 = 1;
const COMPONENT_BUTTON: u64 = 2;
const COMPONENT_STRING_SELECT: u64 = 3;
const COMPONENT_TEXT_INPUT: u64 = 4;
const COMPONENT_USER_SELECT: u64 = 5;
const COMPONENT_ROLE_SELECT: u64 = 6;
const COMPONENT_MENTIONABLE_SELECT: u64 = 7;
const COMPONENT_CHANNEL_SELECT: u64 = 8;
const COMPONENT_TEXT_DISPLAY: u64 = 10;
const COMPONENT_LABEL: u64 = 18;
const COMPONENT_FILE_UPLOAD: u64 = 19;

const BUTTON_STYLE_LINK: u64 = 5;
const BUTTON_STYLE_PREMIUM: u64 = 6;

/// components/reference.mdx, Custom ID: "a string of 1 to 100 characters".
const CUSTOM_ID_MAX: usize = 100;
/// components/reference.mdx, Action Row: "Up to 5 interactive button components or a single
/// select component".
const ACTION_ROW_BUTTONS_MAX: usize = 5;
/// components/reference.mdx, Button: "label; max 80 characters".
const BUTTON_LABEL_MAX: usize = 80;
/// components/reference.mdx, String Select: "options; max 25".
const SELECT_OPTIONS_MAX: usize = 25;
/// components/reference.mdx, Select Option: label, value and description "max 100 characters".
const SELECT_OPTION_TEXT_MAX: usize = 100;
/// components/reference.mdx, selects: "placeholder; max 150 characters".
const SELECT_PLACEHOLDER_MAX: usize = 150;
/// components/reference.mdx, selects: min_values "min 0, max 25", max_values "max 25".
const SELECT_VALUES_MAX: i64 = 25;
/// components/reference.mdx, File Upload: min_values/max_values between 0 and 10.
const FILE_UPLOAD_VALUES_MAX: i64 = 10;
/// components/reference.mdx, Text Input: min_length "min 0, max 4000", max_length "min 1, max
/// 4000", value "max 4000 characters".
const TEXT_INPUT_LENGTH_MAX: i64 = 4000;
/// components/reference.mdx, Text Input: placeholder "max 100 characters".
const TEXT_INPUT_PLACEHOLDER_MAX: usize = 100;
/// components/reference.mdx, Text Input styles: 1 short, 2 paragraph.
const TEXT_INPUT_STYLES: [u64; 2] = [1, 2];
/// components/reference.mdx, Label: "label; max 45 characters" (and the deprecated text input
/// `label`, interactions/receiving-and-responding.mdx); Label description "max 100 characters".
const LABEL_TEXT_MAX: usize = 45;
const LABEL_DESCRIPTION_MAX: usize = 100;

/// Where components are being sent: limits differ between messages and modals.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Surface {
    Message,
    Modal,
}

/// One walk over the components of one message or modal; custom ids must be unique across it.
struct ComponentWalk {
    surface: Surface,
    custom_ids: HashSet<String>,
}

impl ComponentWalk {
    fn new(surface: Surface) -> Self {
        Self {
            surface,
            custom_ids: HashSet::new(),
        }
    }

    fn visit(&mut self, component: &Value, path: &Path, report: &mut Report) {
        let Some(fields) = component.as_object() else {
            return;
        };
        self.check_custom_id(fields, path, report);
        match fields.get("type").and_then(Value::as_u64) {
            Some(COMPONENT_ACTION_ROW) => self.visit_action_row(fields, path, report),
            Some(COMPONENT_BUTTON) => check_button(fields, path, report),
            Some(
                COMPONENT_STRING_SELECT
                | COMPONENT_USER_SELECT
                | COMPONENT_ROLE_SELECT
                | COMPONENT_MENTIONABLE_SELECT
                | COMPONENT_CHANNEL_SELECT,
            ) => check_select(fields, path, report),
            Some(COMPONENT_TEXT_INPUT) => check_text_input(fields, path, false, report),
            Some(COMPONENT_LABEL) => {
                report.bounded_chars(fields.get("label"), &path.key("label"), 1, LABEL_TEXT_MAX);
                report.max_chars(
                    fields.get("description"),
                    &path.key("description"),
                    LABEL_DESCRIPTION_MAX,
                );
                if let Some(child) = fields.get("component") {
                    let child_path = path.key("component");
                    if child.get("type").and_then(Value::as_u64) == Some(COMPONENT_TEXT_INPUT) {
                        self.check_custom_id_of(child, &child_path, report);
                        if let Some(input) = child.as_object() {
                            check_text_input(input, &child_path, true, report);
                        }
                    } else {
                        self.visit(child, &child_path, report);
                    }
                }
            }
            Some(COMPONENT_FILE_UPLOAD) => {
                report.int_range(
                    fields.get("min_values"),
                    &path.key("min_values"),
                    0,
                    FILE_UPLOAD_VALUES_MAX,
                );
                report.int_range(
                    fields.get("max_values"),
                    &path.key("max_values"),
                    1,
                    FILE_UPLOAD_VALUES_MAX,
                );
            }
            // Containers (17), sections (9) and the like only nest other components.
            _ => {
                if let Some(children) = fields.get("components").and_then(Value::as_array) {
                    let children_path = path.key("components");
                    for (index, child) in children.iter().enumerate() {
                        self.visit(child, &children_path.index(index), report);
                    }
                }
                if let Some(accessory) = fields.get("accessory") {
                    self.visit(accessory, &path.key("accessory"), report);
                }
            }
        }
    }

    fn visit_action_row(&mut self, row: &Map<String, Value>, path: &Path, report: &mut Report) {
        let Some(children) = row.get("components").and_then(Value::as_array) else {
            return;
        };
        let children_path = path.key("components");
        match self.surface {
            // interactions/receiving-and-responding.mdx + components/reference.mdx, Text Input:
            // a modal action row (the legacy layout) holds exactly one text input.
            Surface::Modal => {
                if children.len() != 1 {
                    report.push(
                        &children_path,
                        "BASE_TYPE_BAD_LENGTH",
                        "Must be between 1 and 1 in length.",
                    );
                }
                for (index, child) in children.iter().enumerate() {
                    let child_path = children_path.index(index);
                    if child.get("type").and_then(Value::as_u64) != Some(COMPONENT_TEXT_INPUT) {
                        report.push(
                            &child_path.key("type"),
                            "BASE_TYPE_CHOICES",
                            "Value must be one of {4}.",
                        );
                        continue;
                    }
                    self.check_custom_id_of(child, &child_path, report);
                    if let Some(input) = child.as_object() {
                        check_text_input(input, &child_path, false, report);
                    }
                }
                return;
            }
            Surface::Message => {
                let selects = children.iter().filter(|child| is_select(child)).count();
                if selects > 0 && children.len() > 1 {
                    report.push(
                        &children_path,
                        "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
                        "The specified component exceeds the maximum width",
                    );
                } else if children.len() > ACTION_ROW_BUTTONS_MAX {
                    report.push(
                        &children_path,
                        "BASE_TYPE_BAD_LENGTH",
                        format!("Must be between 1 and {ACTION_ROW_BUTTONS_MAX} in length."),
                    );
                }
            }
        }
        for (index, child) in children.iter().enumerate() {
            self.visit(child, &children_path.index(index), report);
        }
    }

    /// Length and uniqueness of a component's `custom_id` (components/reference.mdx, Custom ID:
    /// "Multiple components on the same message must not share the same `custom_id`").
    fn check_custom_id(&mut self, fields: &Map<String, Value>, path: &Path, report: &mut Report) {
        let Some(custom_id) = fields.get("custom_id").and_then(Value::as_str) else {
            return;
        };
        let custom_id_path = path.key("custom_id");
        report.bounded_chars(fields.get("custom_id"), &custom_id_path, 1, CUSTOM_ID_MAX);
        if !self.custom_ids.insert(custom_id.to_string()) {
            report.push(
                &custom_id_path,
                "COMPONENT_CUSTOM_ID_DUPLICATED",
                "Component custom id was already specified",
            );
        }
    }

    /// [`Self::check_custom_id`] for a child that is checked outside [`Self::visit`].
    fn check_custom_id_of(&mut self, component: &Value, path: &Path, report: &mut Report) {
        if let Some(fields) = component.as_object() {
            self.check_custom_id(fields, path, report);
        }
    }
}

fn is_select(component: &Value) -> bool {
    matches!(
        component.get("type").and_then(Value::as_u64),
        Some(
            COMPONENT_STRING_SELECT
                | COMPONENT_USER_SELECT
                | COMPONENT_ROLE_SELECT
                | COMPONENT_MENTIONABLE_SELECT
                | COMPONENT_CHANNEL_SELECT
        )
    )
}

/// components/reference.mdx, Button: label max 80; "Non-link and non-premium buttons **must**
/// have a `custom_id`, and cannot have a `url` or a `sku_id`"; "Link buttons **must** have a
/// `url`, and cannot have a `custom_id`"; "Premium buttons **must** contain a `sku_id`, and
/// cannot have a `custom_id`, `label`, `url`, or `emoji`".
fn check_button(button: &Map<String, Value>, path: &Path, report: &mut Report) {
    report.max_chars(button.get("label"), &path.key("label"), BUTTON_LABEL_MAX);
    let present = |key: &str| button.get(key).is_some_and(|value| !value.is_null());
    let forbid = |key: &str, message: &str, report: &mut Report| {
        if present(key) {
            report.push(
                &path.key(key),
                "COMPONENT_INVALID_FIELD",
                message.to_string(),
            );
        }
    };
    match button.get("style").and_then(Value::as_u64) {
        Some(BUTTON_STYLE_LINK) => {
            if !present("url") {
                report.push(&path.key("url"), "BASE_TYPE_REQUIRED", "A url is required");
            }
            forbid("custom_id", "A link button cannot have a custom id", report);
            forbid("sku_id", "A link button cannot have a sku id", report);
        }
        Some(BUTTON_STYLE_PREMIUM) => {
            if !present("sku_id") {
                report.push(
                    &path.key("sku_id"),
                    "BASE_TYPE_REQUIRED",
                    "A sku id is required",
                );
            }
            for key in ["custom_id", "label", "url", "emoji"] {
                forbid(
                    key,
                    &format!("A premium button cannot have a {key}"),
                    report,
                );
            }
        }
        Some(_) => {
            if !present("custom_id") {
                report.push(
                    &path.key("custom_id"),
                    "BASE_TYPE_REQUIRED",
                    "A custom id is required",
                );
            }
            forbid("url", "Only link buttons can have a url", report);
            forbid("sku_id", "Only premium buttons can have a sku id", report);
        }
        None => {}
    }
}

/// components/reference.mdx, String/User/Role/Mentionable/Channel Select.
fn check_select(select: &Map<String, Value>, path: &Path, report: &mut Report) {
    report.max_chars(
        select.get("placeholder"),
        &path.key("placeholder"),
        SELECT_PLACEHOLDER_MAX,
    );
    report.int_range(
        select.get("min_values"),
        &path.key("min_values"),
        0,
        SELECT_VALUES_MAX,
    );
    report.int_range(
        select.get("max_values"),
        &path.key("max_values"),
        1,
        SELECT_VALUES_MAX,
    );
    if let Some(options) = select.get("options").and_then(Value::as_array) {
        let options_path = path.key("options");
        report.bounded_items(options, &options_path, 1, SELECT_OPTIONS_MAX);
        for (index, option) in options.iter().enumerate() {
            let option_path = options_path.index(index);
            for key in ["label", "value"] {
                report.bounded_chars(
                    option.get(key),
                    &option_path.key(key),
                    1,
                    SELECT_OPTION_TEXT_MAX,
                );
            }
            report.max_chars(
                option.get("description"),
                &option_path.key("description"),
                SELECT_OPTION_TEXT_MAX,
            );
        }
    }
}

/// components/reference.mdx, Text Input. `in_label`: inside a Label component, where the text
/// input's own `label` is deprecated and optional; in a modal action row it is required.
fn check_text_input(input: &Map<String, Value>, path: &Path, in_label: bool, report: &mut Report) {
    match input.get("label") {
        None | Some(Value::Null) if !in_label => {
            report.push(
                &path.key("label"),
                "BASE_TYPE_REQUIRED",
                "This field is required",
            );
        }
        label => report.bounded_chars(label, &path.key("label"), 1, LABEL_TEXT_MAX),
    }
    if let Some(style) = input.get("style").filter(|style| !style.is_null()) {
        if !style
            .as_u64()
            .is_some_and(|style| TEXT_INPUT_STYLES.contains(&style))
        {
            report.push(
                &path.key("style"),
                "BASE_TYPE_CHOICES",
                "Value must be one of {1, 2}.",
            );
        }
    }
    report.int_range(
        input.get("min_length"),
        &path.key("min_length"),
        0,
        TEXT_INPUT_LENGTH_MAX,
    );
    report.int_range(
        input.get("max_length"),
        &path.key("max_length"),
        1,
        TEXT_INPUT_LENGTH_MAX,
    );
    report.max_chars(
        input.get("value"),
        &path.key("value"),
        TEXT_INPUT_LENGTH_MAX as usize,
    );
    report.max_chars(
        input.get("placeholder"),
        &path.key("placeholder"),
        TEXT_INPUT_PLACEHOLDER_MAX,
    );
}

// ---------------------------------------------------------------------------------------------
// Interaction callbacks (interactions/receiving-and-responding.mdx)
// ---------------------------------------------------------------------------------------------

const CALLBACK_CHANNEL_MESSAGE_WITH_SOURCE: u64 = 4;
const CALLBACK_UPDATE_MESSAGE: u64 = 7;
const CALLBACK_AUTOCOMPLETE_RESULT: u64 = 8;
const CALLBACK_MODAL: u64 = 9;

/// Interaction Response, Modal: "custom_id … 1-100 characters", "title … max 45 characters"
/// (and required), "Between 1 and 5 (inclusive) components".
const MODAL_TITLE_MAX: usize = 45;
const MODAL_COMPONENTS_MAX: usize = 5;
/// Interaction Response, Autocomplete: "autocomplete choices (max of 25 choices)"; choice names
/// 1-100, string values up to 100 (interactions/application-commands.mdx, Option Choice).
const AUTOCOMPLETE_CHOICES_MAX: usize = 25;

fn check_interaction_callback(body: &Value, report: &mut Report) {
    let Some(data) = body.get("data").filter(|data| data.is_object()) else {
        return;
    };
    let data_path = Path::root().key("data");
    match body.get("type").and_then(Value::as_u64) {
        Some(CALLBACK_CHANNEL_MESSAGE_WITH_SOURCE | CALLBACK_UPDATE_MESSAGE) => {
            check_message(data, &data_path, report);
        }
        Some(CALLBACK_AUTOCOMPLETE_RESULT) => {
            if let Some(choices) = data.get("choices").and_then(Value::as_array) {
                check_choices(
                    choices,
                    &data_path.key("choices"),
                    AUTOCOMPLETE_CHOICES_MAX,
                    report,
                );
            }
        }
        Some(CALLBACK_MODAL) => check_modal(data, &data_path, report),
        _ => {}
    }
}

fn check_modal(modal: &Value, path: &Path, report: &mut Report) {
    match modal.get("title") {
        None | Some(Value::Null) => {
            report.push(
                &path.key("title"),
                "BASE_TYPE_REQUIRED",
                "This field is required",
            );
        }
        title => report.bounded_chars(title, &path.key("title"), 1, MODAL_TITLE_MAX),
    }
    report.bounded_chars(
        modal.get("custom_id"),
        &path.key("custom_id"),
        1,
        CUSTOM_ID_MAX,
    );
    let Some(components) = modal.get("components").and_then(Value::as_array) else {
        return;
    };
    let components_path = path.key("components");
    report.bounded_items(components, &components_path, 1, MODAL_COMPONENTS_MAX);
    let mut walk = ComponentWalk::new(Surface::Modal);
    for (index, component) in components.iter().enumerate() {
        let component_path = components_path.index(index);
        // components/reference.mdx: modals take labels (the current layout), text displays, and
        // action rows holding one text input (the legacy layout).
        match component.get("type").and_then(Value::as_u64) {
            Some(COMPONENT_ACTION_ROW | COMPONENT_LABEL | COMPONENT_TEXT_DISPLAY) => {
                walk.visit(component, &component_path, report);
            }
            Some(_) => report.push(
                &component_path.key("type"),
                "BASE_TYPE_CHOICES",
                "Value must be one of {1, 10, 18}.",
            ),
            None => {}
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Application commands (interactions/application-commands.mdx)
// ---------------------------------------------------------------------------------------------

const COMMAND_CHAT_INPUT: u64 = 1;
const COMMAND_USER: u64 = 2;
const COMMAND_MESSAGE: u64 = 3;
const COMMAND_PRIMARY_ENTRY_POINT: u64 = 4;

const OPTION_SUB_COMMAND: u64 = 1;
const OPTION_SUB_COMMAND_GROUP: u64 = 2;

/// Application Command Structure: name "1-32 characters".
const COMMAND_NAME_MAX: usize = 32;
/// Application Command Structure: description "1-100 characters" (chat input).
const COMMAND_DESCRIPTION_MAX: usize = 100;
/// Application Command Structure: "options … max of 25"; Option Structure: "choices … max 25",
/// nested "options … up to 25".
const COMMAND_OPTIONS_MAX: usize = 25;
const OPTION_CHOICES_MAX: usize = 25;
/// Option Choice Structure: "1-100 character choice name", value "up to 100 characters if string".
const CHOICE_NAME_MAX: usize = 100;
const CHOICE_STRING_VALUE_MAX: usize = 100;
/// Option Structure: min_length "minimum of 0, maximum of 6000", max_length "minimum of 1,
/// maximum of 6000".
const OPTION_LENGTH_MAX: i64 = 6000;
/// Slash Commands: "a maximum of 8000 characters for combined name, description, and value
/// properties for each command, its options (including subcommands and groups), and choices",
/// counting the longest localization of each field.
const COMMAND_TOTAL_CHARS_MAX: usize = 8000;
/// Registering a Command: 100 global `CHAT_INPUT`, 15 `USER`, 15 `MESSAGE` and 1
/// `PRIMARY_ENTRY_POINT` command per scope.
const COMMANDS_PER_TYPE_MAX: [(u64, usize); 4] = [
    (COMMAND_CHAT_INPUT, 100),
    (COMMAND_USER, 15),
    (COMMAND_MESSAGE, 15),
    (COMMAND_PRIMARY_ENTRY_POINT, 1),
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum CommandRequest {
    /// Create or bulk overwrite: the body is a whole command.
    Create,
    /// Edit: only the fields sent change; the command's type may be unknown.
    Edit,
}

/// Where an option array sits in a command tree: it decides which option types it may hold.
#[derive(Clone, Copy, PartialEq, Eq)]
enum OptionLevel {
    /// The command's own options: subcommands and groups, or plain options, never both.
    Command,
    /// A subcommand group's options: subcommands only.
    Group,
    /// A subcommand's options: plain options only.
    SubCommand,
}

fn check_command_overwrite(body: &Value, report: &mut Report) {
    let Some(commands) = body.as_array() else {
        return;
    };
    let mut per_type: HashMap<u64, usize> = HashMap::new();
    let mut names_seen: HashSet<(u64, String)> = HashSet::new();
    for (index, command) in commands.iter().enumerate() {
        let path = Path::root().index(index);
        check_command(command, &path, CommandRequest::Create, report);
        let kind = command_type(command).unwrap_or(COMMAND_CHAT_INPUT);
        *per_type.entry(kind).or_default() += 1;
        // Registering a Command: "command names must be unique per application, per type, and
        // within each scope". Discord names the duplicate command, not its name field.
        if let Some(name) = command.get("name").and_then(Value::as_str) {
            if !names_seen.insert((kind, name.to_string())) {
                report.push(
                    &path,
                    "APPLICATION_COMMANDS_DUPLICATE_NAME",
                    "Application command names must be unique",
                );
            }
        }
    }
    for (kind, max) in COMMANDS_PER_TYPE_MAX {
        if per_type.get(&kind).copied().unwrap_or(0) > max {
            report.push(
                &Path::root(),
                "BASE_TYPE_MAX_LENGTH",
                format!("Must be {max} or fewer in length."),
            );
        }
    }
}

fn command_type(command: &Value) -> Option<u64> {
    command.get("type").and_then(Value::as_u64)
}

fn check_command(command: &Value, path: &Path, request: CommandRequest, report: &mut Report) {
    let Some(fields) = command.as_object() else {
        return;
    };
    // An edit that does not name the type is judged by the rules every type shares.
    let kind = match (command_type(command), request) {
        (Some(kind), _) => Some(kind),
        (None, CommandRequest::Create) => Some(COMMAND_CHAT_INPUT),
        (None, CommandRequest::Edit) => None,
    };
    let chat_input = kind == Some(COMMAND_CHAT_INPUT);
    for (name, name_path) in localized(fields, "name", path) {
        if chat_input {
            check_chat_input_name(name, &name_path, report);
        } else {
            report.bounded_chars(name, &name_path, 1, COMMAND_NAME_MAX);
        }
    }
    match kind {
        Some(COMMAND_CHAT_INPUT) => {
            if request == CommandRequest::Create
                && fields.get("description").is_none_or(Value::is_null)
            {
                report.push(
                    &path.key("description"),
                    "BASE_TYPE_REQUIRED",
                    "This field is required",
                );
            }
            for (description, description_path) in localized(fields, "description", path) {
                report.bounded_chars(description, &description_path, 1, COMMAND_DESCRIPTION_MAX);
            }
        }
        // "Empty string for `USER` and `MESSAGE` commands".
        Some(COMMAND_USER | COMMAND_MESSAGE) => {
            report.max_chars(fields.get("description"), &path.key("description"), 0);
        }
        _ => {
            report.max_chars(
                fields.get("description"),
                &path.key("description"),
                COMMAND_DESCRIPTION_MAX,
            );
        }
    }
    if let Some(options) = fields.get("options").and_then(Value::as_array) {
        check_options(options, &path.key("options"), OptionLevel::Command, report);
    }
    if chat_input {
        let total = command_chars(command);
        if total > COMMAND_TOTAL_CHARS_MAX {
            report.push(
                path,
                "APPLICATION_COMMAND_TOO_LARGE",
                format!("Command exceeds maximum size ({COMMAND_TOTAL_CHARS_MAX})"),
            );
        }
    }
}

/// The value of `key` and of each of its `{key}_localizations`, with their paths.
fn localized<'a>(
    fields: &'a Map<String, Value>,
    key: &str,
    path: &Path,
) -> Vec<(Option<&'a Value>, Path)> {
    let mut values = Vec::new();
    if let Some(value) = fields.get(key) {
        values.push((Some(value), path.key(key)));
    }
    if let Some(localizations) = fields
        .get(&format!("{key}_localizations"))
        .and_then(Value::as_object)
    {
        let localizations_path = path.key(&format!("{key}_localizations"));
        for (locale, value) in localizations {
            values.push((Some(value), localizations_path.key(locale)));
        }
    }
    values
}

/// Application Command Naming: `CHAT_INPUT` command and option names must match
/// `^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$`, using the lowercase variant of any letter
/// that has one.
///
/// Without a regex engine the character class is approximated: `char::is_alphanumeric` stands
/// for `\p{L}\p{N}` (it also admits the few `Other_Alphabetic` marks and letter-like numbers
/// Unicode lists as alphabetic), and the Devanagari (U+0900–U+097F, U+A8E0–U+A8FF) and Thai
/// (U+0E00–U+0E7F) blocks stand for the two scripts, their combining marks included.
fn check_chat_input_name(name: Option<&Value>, path: &Path, report: &mut Report) {
    let Some(text) = name.and_then(Value::as_str) else {
        return;
    };
    let length = text.chars().count();
    if length == 0 || length > COMMAND_NAME_MAX {
        report.push(
            path,
            "BASE_TYPE_BAD_LENGTH",
            format!("Must be between 1 and {COMMAND_NAME_MAX} in length."),
        );
        return;
    }
    let valid = text
        .chars()
        .all(|c| is_command_name_char(c) && !c.is_uppercase());
    if !valid {
        report.push(
            path,
            "APPLICATION_COMMAND_INVALID_NAME",
            "Command name is invalid",
        );
    }
}

fn is_command_name_char(c: char) -> bool {
    matches!(c, '-' | '_' | '\'')
        || c.is_alphanumeric()
        || ('\u{0900}'..='\u{097F}').contains(&c)
        || ('\u{A8E0}'..='\u{A8FF}').contains(&c)
        || ('\u{0E00}'..='\u{0E7F}').contains(&c)
}

fn check_options(options: &[Value], path: &Path, level: OptionLevel, report: &mut Report) {
    report.max_items(options, path, COMMAND_OPTIONS_MAX);
    let is_sub = |option: &Value| {
        matches!(
            option.get("type").and_then(Value::as_u64),
            Some(OPTION_SUB_COMMAND | OPTION_SUB_COMMAND_GROUP)
        )
    };
    // Subcommands and Subcommand Groups: "nesting one level deep within a group … That is the
    // only kind of nesting supported."
    match level {
        OptionLevel::Command => {
            let subs = options.iter().filter(|option| is_sub(option)).count();
            if subs > 0 && subs < options.len() {
                report.push(
                    path,
                    "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID",
                    "Sub-command and sub-command group option types are mutually exclusive to all other types",
                );
            }
        }
        OptionLevel::Group => {
            for (index, option) in options.iter().enumerate() {
                if option.get("type").and_then(Value::as_u64) != Some(OPTION_SUB_COMMAND) {
                    report.push(
                        &path.index(index).key("type"),
                        "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID",
                        "Sub-command groups can only contain sub-commands",
                    );
                }
            }
        }
        OptionLevel::SubCommand => {
            for (index, option) in options.iter().enumerate() {
                if is_sub(option) {
                    report.push(
                        &path.index(index).key("type"),
                        "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID",
                        "Sub-commands cannot contain sub-commands or sub-command groups",
                    );
                }
            }
        }
    }
    let mut names_seen = HashSet::new();
    let mut optional_seen = false;
    for (index, option) in options.iter().enumerate() {
        let Some(fields) = option.as_object() else {
            continue;
        };
        let option_path = path.index(index);
        for (name, name_path) in localized(fields, "name", &option_path) {
            check_chat_input_name(name, &name_path, report);
        }
        // Option Structure: "`name` must be unique within an array of application command
        // options".
        if let Some(name) = fields.get("name").and_then(Value::as_str) {
            if !names_seen.insert(name) {
                report.push(
                    &option_path.key("name"),
                    "APPLICATION_COMMAND_OPTIONS_DUPLICATE_NAME",
                    "Option names must be unique",
                );
            }
        }
        match fields.get("description") {
            None | Some(Value::Null) => report.push(
                &option_path.key("description"),
                "BASE_TYPE_REQUIRED",
                "This field is required",
            ),
            _ => {
                for (description, description_path) in
                    localized(fields, "description", &option_path)
                {
                    report.bounded_chars(
                        description,
                        &description_path,
                        1,
                        COMMAND_DESCRIPTION_MAX,
                    );
                }
            }
        }
        let option_type = fields.get("type").and_then(Value::as_u64);
        let nested_level = match option_type {
            Some(OPTION_SUB_COMMAND) => Some(OptionLevel::SubCommand),
            Some(OPTION_SUB_COMMAND_GROUP) => Some(OptionLevel::Group),
            _ => None,
        };
        if let Some(nested_level) = nested_level {
            if let Some(nested) = fields.get("options").and_then(Value::as_array) {
                check_options(nested, &option_path.key("options"), nested_level, report);
            }
            continue;
        }
        // Option Structure: "Required `options` must be listed before optional options".
        let required = fields
            .get("required")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        if required && optional_seen {
            report.push(
                &option_path.key("required"),
                "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                "Required options must be placed before non-required options",
            );
        }
        optional_seen |= !required;
        let choices = fields.get("choices").and_then(Value::as_array);
        if let Some(choices) = choices {
            check_choices(
                choices,
                &option_path.key("choices"),
                OPTION_CHOICES_MAX,
                report,
            );
        }
        // Option Structure: "`autocomplete` may not be set to true if `choices` are present".
        let autocomplete = fields.get("autocomplete").and_then(Value::as_bool) == Some(true);
        if autocomplete && choices.is_some_and(|choices| !choices.is_empty()) {
            report.push(
                &option_path.key("autocomplete"),
                "APPLICATION_COMMAND_OPTION_AUTOCOMPLETE_WITH_CHOICES",
                "Autocomplete cannot be enabled on an option that has choices",
            );
        }
        report.int_range(
            fields.get("min_length"),
            &option_path.key("min_length"),
            0,
            OPTION_LENGTH_MAX,
        );
        report.int_range(
            fields.get("max_length"),
            &option_path.key("max_length"),
            1,
            OPTION_LENGTH_MAX,
        );
    }
}

/// Option choices, in commands and in autocomplete results: count, names (and their
/// localizations) 1-100, string values up to 100.
fn check_choices(choices: &[Value], path: &Path, max: usize, report: &mut Report) {
    report.max_items(choices, path, max);
    for (index, choice) in choices.iter().enumerate() {
        let Some(fields) = choice.as_object() else {
            continue;
        };
        let choice_path = path.index(index);
        for (name, name_path) in localized(fields, "name", &choice_path) {
            report.bounded_chars(name, &name_path, 1, CHOICE_NAME_MAX);
        }
        report.max_chars(
            fields.get("value"),
            &choice_path.key("value"),
            CHOICE_STRING_VALUE_MAX,
        );
    }
}

/// The characters a chat input command counts towards its 8000-character limit: the name and
/// description of the command and of every option, and each choice's name and value, taking for
/// each field its longest localization. Numeric choice values count as their JSON text.
fn command_chars(command: &Value) -> usize {
    fn longest(fields: &Map<String, Value>, key: &str) -> usize {
        let base = fields.get(key).and_then(Value::as_str).map_or(0, chars);
        let localized = fields
            .get(&format!("{key}_localizations"))
            .and_then(Value::as_object)
            .into_iter()
            .flat_map(|map| map.values())
            .filter_map(Value::as_str)
            .map(chars)
            .max()
            .unwrap_or(0);
        base.max(localized)
    }
    fn node(value: &Value) -> usize {
        let Some(fields) = value.as_object() else {
            return 0;
        };
        let mut total = longest(fields, "name") + longest(fields, "description");
        if let Some(choices) = fields.get("choices").and_then(Value::as_array) {
            for choice in choices.iter().filter_map(Value::as_object) {
                total += longest(choice, "name");
                total += match choice.get("value") {
                    Some(Value::String(text)) => chars(text),
                    Some(Value::Number(number)) => number.to_string().len(),
                    _ => 0,
                };
            }
        }
        if let Some(options) = fields.get("options").and_then(Value::as_array) {
            total += options.iter().map(node).sum::<usize>();
        }
        total
    }
    node(command)
}

// ---------------------------------------------------------------------------------------------
// Emoji (resources/emoji.mdx)
// ---------------------------------------------------------------------------------------------

/// Emoji names are 2-32 characters of `[A-Za-z0-9_]` (Discord's emoji name rule).
const EMOJI_NAME_MIN: usize = 2;
const EMOJI_NAME_MAX: usize = 32;
/// Create Guild Emoji: "Emojis and animated emojis have a maximum file size of 256 KiB".
const EMOJI_IMAGE_MAX_BYTES: usize = 256 * 1024;
/// Emoji Object: "Emoji can be uploaded as JPEG, PNG, GIF, WebP, and AVIF formats".
const EMOJI_IMAGE_TYPES: [&str; 5] = ["png", "jpeg", "gif", "webp", "avif"];

#[derive(Clone, Copy, PartialEq, Eq)]
enum EmojiRequest {
    Create,
    Edit,
}

fn check_emoji(body: &Value, request: EmojiRequest, report: &mut Report) {
    let name_path = Path::root().key("name");
    if let Some(name) = body.get("name").and_then(Value::as_str) {
        let length = name.chars().count();
        if !(EMOJI_NAME_MIN..=EMOJI_NAME_MAX).contains(&length) {
            report.push(
                &name_path,
                "BASE_TYPE_BAD_LENGTH",
                format!("Must be between {EMOJI_NAME_MIN} and {EMOJI_NAME_MAX} in length."),
            );
        } else if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            report.push(
                &name_path,
                "STRING_TYPE_REGEX",
                "String value did not match validation regex.",
            );
        }
    }
    if request == EmojiRequest::Create {
        if let Some(image) = body.get("image").and_then(Value::as_str) {
            check_emoji_image(image, &Path::root().key("image"), report);
        }
    }
}

/// The image must be a data URI (`data:image/png;base64,…`) of an accepted type whose decoded
/// size is at most 256 KiB.
fn check_emoji_image(image: &str, path: &Path, report: &mut Report) {
    match decode_image_data_uri(image) {
        None => report.push(path, "IMAGE_INVALID", "Invalid image data"),
        Some(bytes) if bytes.len() > EMOJI_IMAGE_MAX_BYTES => report.push(
            path,
            "BINARY_TYPE_MAX_SIZE",
            "File cannot be larger than 256.0 kb.",
        ),
        Some(_) => {}
    }
}

/// The decoded bytes of `data:image/<type>;base64,<data>`, `None` when malformed or of a type
/// emoji cannot be uploaded as.
fn decode_image_data_uri(uri: &str) -> Option<Vec<u8>> {
    let (media, data) = uri.strip_prefix("data:")?.split_once(',')?;
    let image_type = media.strip_suffix(";base64")?.strip_prefix("image/")?;
    if !EMOJI_IMAGE_TYPES.contains(&image_type.to_ascii_lowercase().as_str()) {
        return None;
    }
    let engine = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
    );
    let bytes = engine.decode(data.trim()).ok()?;
    (!bytes.is_empty()).then_some(bytes)
}

// ---------------------------------------------------------------------------------------------
// Channels (resources/channel.mdx, resources/guild.mdx)
// ---------------------------------------------------------------------------------------------

const CHANNEL_TEXT: u8 = 0;
const CHANNEL_ANNOUNCEMENT: u8 = 5;
const CHANNEL_FORUM: u8 = 15;
const CHANNEL_MEDIA: u8 = 16;

/// Create Guild Channel / Modify Channel: "1-100 character channel name".
const CHANNEL_NAME_MAX: usize = 100;
/// Create Guild Channel / Modify Channel: `rate_limit_per_user` "(0-21600)".
const RATE_LIMIT_PER_USER_MAX: i64 = 21600;

#[derive(Clone, Copy, PartialEq, Eq)]
enum ChannelRequest {
    Create,
    Modify,
}

fn check_channel(body: &Value, request: ChannelRequest, report: &mut Report) {
    let root = Path::root();
    report.bounded_chars(body.get("name"), &root.key("name"), 1, CHANNEL_NAME_MAX);
    let kind = body
        .get("type")
        .and_then(Value::as_u64)
        .and_then(|kind| u8::try_from(kind).ok());
    // A create without a type makes a text channel. A modify that does not restate the type could
    // be editing a forum or media channel, so the larger limit applies; the caller, who knows the
    // channel, can hold it to `topic_limit` exactly.
    let topic_max = match (kind, request) {
        (Some(kind), _) => topic_limit(kind),
        (None, ChannelRequest::Create) => topic_limit(CHANNEL_TEXT),
        (None, ChannelRequest::Modify) => topic_limit(CHANNEL_FORUM),
    };
    report.max_chars(body.get("topic"), &root.key("topic"), topic_max);
    report.int_range(
        body.get("rate_limit_per_user"),
        &root.key("rate_limit_per_user"),
        0,
        RATE_LIMIT_PER_USER_MAX,
    );
}

// ---------------------------------------------------------------------------------------------
// Bulk delete (resources/message.mdx)
// ---------------------------------------------------------------------------------------------

/// Bulk Delete Messages: "an array of message ids to delete (2-100)"; "will fail … if any
/// duplicate message IDs are provided".
const BULK_DELETE_MIN: usize = 2;
const BULK_DELETE_MAX: usize = 100;

fn check_bulk_delete(body: &Value, report: &mut Report) {
    let Some(messages) = body.get("messages").and_then(Value::as_array) else {
        return;
    };
    let path = Path::root().key("messages");
    report.bounded_items(messages, &path, BULK_DELETE_MIN, BULK_DELETE_MAX);
    let mut seen = HashSet::new();
    for (index, id) in messages.iter().enumerate() {
        let key = match id {
            Value::String(text) => text.clone(),
            other => other.to_string(),
        };
        if !seen.insert(key) {
            report.push(
                &path.index(index),
                "LIST_ITEM_VALUE_DUPLICATE",
                "Duplicate message ids are not allowed",
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Plumbing
// ---------------------------------------------------------------------------------------------

/// Where a field sits in the body: object keys and array indices.
#[derive(Clone, Default)]
struct Path(Vec<String>);

impl Path {
    fn root() -> Self {
        Self::default()
    }

    fn key(&self, key: &str) -> Self {
        let mut segments = self.0.clone();
        segments.push(key.to_string());
        Self(segments)
    }

    fn index(&self, index: usize) -> Self {
        let mut segments = self.0.clone();
        segments.push(index.to_string());
        Self(segments)
    }
}

/// Collects field errors; answers with them sorted by path and without duplicates.
#[derive(Default)]
struct Report {
    fields: Vec<FieldError>,
}

impl Report {
    fn push(&mut self, path: &Path, code: &str, message: impl Into<String>) {
        self.fields.push(FieldError {
            path: path.0.clone(),
            code: code.to_string(),
            message: message.into(),
        });
    }

    /// A string of at most `max` characters (`BASE_TYPE_MAX_LENGTH`); non-strings are skipped.
    fn max_chars(&mut self, value: Option<&Value>, path: &Path, max: usize) {
        if let Some(length) = value.and_then(Value::as_str).map(chars) {
            if length > max {
                self.push(
                    path,
                    "BASE_TYPE_MAX_LENGTH",
                    format!("Must be {max} or fewer in length."),
                );
            }
        }
    }

    /// A string of `min..=max` characters (`BASE_TYPE_BAD_LENGTH`, as Discord reports fields
    /// with both bounds); non-strings are skipped.
    fn bounded_chars(&mut self, value: Option<&Value>, path: &Path, min: usize, max: usize) {
        if let Some(length) = value.and_then(Value::as_str).map(chars) {
            if !(min..=max).contains(&length) {
                self.push(
                    path,
                    "BASE_TYPE_BAD_LENGTH",
                    format!("Must be between {min} and {max} in length."),
                );
            }
        }
    }

    /// An array of at most `max` items.
    fn max_items(&mut self, items: &[Value], path: &Path, max: usize) {
        if items.len() > max {
            self.push(
                path,
                "BASE_TYPE_MAX_LENGTH",
                format!("Must be {max} or fewer in length."),
            );
        }
    }

    /// An array of `min..=max` items.
    fn bounded_items(&mut self, items: &[Value], path: &Path, min: usize, max: usize) {
        if !(min..=max).contains(&items.len()) {
            self.push(
                path,
                "BASE_TYPE_BAD_LENGTH",
                format!("Must be between {min} and {max} in length."),
            );
        }
    }

    /// An integer within `min..=max`; non-integers are skipped.
    fn int_range(&mut self, value: Option<&Value>, path: &Path, min: i64, max: i64) {
        let Some(number) = value.and_then(Value::as_i64) else {
            return;
        };
        if number > max {
            self.push(
                path,
                "NUMBER_TYPE_MAX",
                format!("int value should be less than or equal to {max}."),
            );
        } else if number < min {
            self.push(
                path,
                "NUMBER_TYPE_MIN",
                format!("int value should be greater than or equal to {min}."),
            );
        }
    }

    fn finish(mut self) -> Vec<FieldError> {
        self.fields.sort_by(|left, right| {
            (&left.path, &left.code, &left.message).cmp(&(&right.path, &right.code, &right.message))
        });
        self.fields.dedup();
        self.fields
    }
}

fn chars(text: &str) -> usize {
    text.chars().count()
}

fn trimmed_chars(text: &str) -> usize {
    text.trim().chars().count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const MESSAGES: &str = CHANNEL_MESSAGES;
    const CALLBACK: &str = INTERACTION_CALLBACK;

    /// The single error `check` reports, asserting there is exactly one at `path` with `code`.
    #[track_caller]
    fn only_error(method: &str, template: &str, body: &Value, path: &[&str], code: &str) -> String {
        let fields = check(method, template, body);
        assert_eq!(fields.len(), 1, "{fields:#?}");
        assert_eq!(fields[0].path, path, "{fields:#?}");
        assert_eq!(fields[0].code, code, "{fields:#?}");
        fields[0].message.clone()
    }

    #[track_caller]
    fn accepted(method: &str, template: &str, body: &Value) {
        let fields = check(method, template, body);
        assert!(fields.is_empty(), "{method} {template}: {fields:#?}");
    }

    fn text(length: usize) -> String {
        "x".repeat(length)
    }

    fn button(custom_id: &str) -> Value {
        json!({"type": 2, "style": 1, "label": "L", "custom_id": custom_id})
    }

    fn row(components: Vec<Value>) -> Value {
        json!({"type": 1, "components": components})
    }

    fn string_select(custom_id: &str, options: usize) -> Value {
        let options: Vec<Value> = (0..options)
            .map(|index| json!({"label": format!("L{index}"), "value": format!("v{index}")}))
            .collect();
        json!({"type": 3, "custom_id": custom_id, "options": options})
    }

    /// A message at its limits: 2000 characters of content, 10 embeds, 5 full action rows.
    fn full_message() -> Value {
        let mut embeds = vec![json!({
            "title": text(256), "description": text(4096),
            "fields": [{"name": text(256), "value": text(1024), "inline": true}],
            "footer": {"text": text(112)}, "author": {"name": text(256)}
        })];
        embeds.extend((0..9).map(|_| json!({"color": 1})));
        json!({
            "content": "é".repeat(2000),
            "embeds": embeds,
            "components": [
                row(vec![button("a"), button("b"), button("c"), button("d"),
                         json!({"type": 2, "style": 5, "label": text(80), "url": "https://example.com"})]),
                row(vec![string_select("s", 25)]),
                row(vec![json!({"type": 5, "custom_id": "u", "min_values": 0, "max_values": 25,
                                "placeholder": text(150)})]),
                row(vec![button(&text(100))]),
                row(vec![json!({"type": 2, "style": 6, "sku_id": "1"})])
            ]
        })
    }

    #[test]
    fn a_message_at_every_limit_is_accepted() {
        let message = full_message();
        // 256 + 4096 + 256 + 1024 + 112 + 256: exactly the 6000-character total.
        for (method, template) in [
            ("POST", MESSAGES),
            ("PATCH", CHANNEL_MESSAGE),
            ("POST", WEBHOOK),
            ("PATCH", WEBHOOK_MESSAGE),
            ("PATCH", WEBHOOK_ORIGINAL),
        ] {
            accepted(method, template, &message);
        }
        accepted(
            "POST",
            CALLBACK,
            &json!({"type": 4, "data": message.clone()}),
        );
        accepted(
            "POST",
            CALLBACK,
            &json!({"type": 7, "data": message.clone()}),
        );
        let mut over = message;
        over["embeds"][0]["footer"]["text"] = json!(text(113));
        only_error("POST", MESSAGES, &over, &["embeds"], "BASE_TYPE_MAX_LENGTH");
    }

    #[test]
    fn content_counts_characters_not_bytes() {
        accepted("POST", MESSAGES, &json!({"content": "🦀".repeat(2000)}));
        let message = only_error(
            "POST",
            MESSAGES,
            &json!({"content": "🦀".repeat(2001)}),
            &["content"],
            "BASE_TYPE_MAX_LENGTH",
        );
        assert_eq!(message, "Must be 2000 or fewer in length.");
    }

    #[test]
    fn message_limits_apply_on_every_message_route() {
        let too_long = json!({"content": text(2001)});
        for (method, template) in [
            ("POST", MESSAGES),
            ("PATCH", CHANNEL_MESSAGE),
            ("POST", WEBHOOK),
            ("PATCH", WEBHOOK_MESSAGE),
            ("PATCH", WEBHOOK_ORIGINAL),
        ] {
            only_error(
                method,
                template,
                &too_long,
                &["content"],
                "BASE_TYPE_MAX_LENGTH",
            );
        }
        for kind in [4, 7] {
            only_error(
                "POST",
                CALLBACK,
                &json!({"type": kind, "data": too_long.clone()}),
                &["data", "content"],
                "BASE_TYPE_MAX_LENGTH",
            );
        }
        only_error(
            "POST",
            CHANNEL_THREADS,
            &json!({"name": "t", "message": too_long.clone()}),
            &["message", "content"],
            "BASE_TYPE_MAX_LENGTH",
        );
        // Other routes and other callback types are not messages.
        accepted(
            "POST",
            CALLBACK,
            &json!({"type": 5, "data": too_long.clone()}),
        );
        accepted("PATCH", WEBHOOK, &too_long);
        accepted("GET", MESSAGES, &too_long);
    }

    #[test]
    fn embed_count_and_per_embed_limits() {
        let embeds: Vec<Value> = (0..11).map(|_| json!({"title": "t"})).collect();
        let message = only_error(
            "POST",
            MESSAGES,
            &json!({ "embeds": embeds }),
            &["embeds"],
            "BASE_TYPE_MAX_LENGTH",
        );
        assert_eq!(message, "Must be 10 or fewer in length.");
        let cases: [(Value, &[&str], &str); 6] = [
            (
                json!({"title": text(257)}),
                &["embeds", "0", "title"],
                "Must be 256 or fewer in length.",
            ),
            (
                json!({"description": text(4097)}),
                &["embeds", "0", "description"],
                "Must be 4096 or fewer in length.",
            ),
            (
                json!({"fields": [{"name": text(257), "value": "v"}]}),
                &["embeds", "0", "fields", "0", "name"],
                "Must be 256 or fewer in length.",
            ),
            (
                json!({"fields": [{"name": "n", "value": text(1025)}]}),
                &["embeds", "0", "fields", "0", "value"],
                "Must be 1024 or fewer in length.",
            ),
            (
                json!({"footer": {"text": text(2049)}}),
                &["embeds", "0", "footer", "text"],
                "Must be 2048 or fewer in length.",
            ),
            (
                json!({"author": {"name": text(257)}}),
                &["embeds", "0", "author", "name"],
                "Must be 256 or fewer in length.",
            ),
        ];
        for (embed, path, expected) in cases {
            let message = only_error(
                "POST",
                MESSAGES,
                &json!({"embeds": [embed]}),
                path,
                "BASE_TYPE_MAX_LENGTH",
            );
            assert_eq!(message, expected);
        }
        let fields: Vec<Value> = (0..26)
            .map(|_| json!({"name": "n", "value": "v"}))
            .collect();
        only_error(
            "POST",
            MESSAGES,
            &json!({"embeds": [{"fields": fields}]}),
            &["embeds", "0", "fields"],
            "BASE_TYPE_MAX_LENGTH",
        );
    }

    #[test]
    fn embed_text_is_trimmed_before_counting() {
        let padded = format!("  {}  ", text(256));
        accepted("POST", MESSAGES, &json!({"embeds": [{"title": padded}]}));
    }

    #[test]
    fn embeds_share_6000_characters() {
        let at_limit: Vec<Value> = (0..6).map(|_| json!({"description": text(1000)})).collect();
        accepted("POST", MESSAGES, &json!({ "embeds": at_limit }));
        let mut over = at_limit_plus_one();
        let message = only_error("POST", MESSAGES, &over, &["embeds"], "BASE_TYPE_MAX_LENGTH");
        assert_eq!(message, "Embed size exceeds maximum size of 6000");
        over["embeds"][0]["title"] = json!(null);
        only_error("POST", MESSAGES, &over, &["embeds"], "BASE_TYPE_MAX_LENGTH");
    }

    fn at_limit_plus_one() -> Value {
        let mut embeds: Vec<Value> = (0..6).map(|_| json!({"description": text(1000)})).collect();
        embeds[5]["footer"] = json!({"text": "x"});
        json!({ "embeds": embeds })
    }

    #[test]
    fn at_most_five_action_rows() {
        let rows: Vec<Value> = (0..6)
            .map(|index| row(vec![button(&format!("b{index}"))]))
            .collect();
        let message = only_error(
            "POST",
            MESSAGES,
            &json!({ "components": rows }),
            &["components"],
            "BASE_TYPE_MAX_LENGTH",
        );
        assert_eq!(message, "Must be 5 or fewer in length.");
    }

    #[test]
    fn rows_hold_five_buttons_or_one_select() {
        let six: Vec<Value> = (0..6).map(|index| button(&format!("b{index}"))).collect();
        only_error(
            "POST",
            MESSAGES,
            &json!({"components": [row(six)]}),
            &["components", "0", "components"],
            "BASE_TYPE_BAD_LENGTH",
        );
        only_error(
            "POST",
            MESSAGES,
            &json!({"components": [row(vec![string_select("s", 1), button("b")])]}),
            &["components", "0", "components"],
            "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
        );
    }

    #[test]
    fn custom_ids_are_1_to_100_and_unique() {
        let message = only_error(
            "POST",
            MESSAGES,
            &json!({"components": [row(vec![button(&text(101))])]}),
            &["components", "0", "components", "0", "custom_id"],
            "BASE_TYPE_BAD_LENGTH",
        );
        assert_eq!(message, "Must be between 1 and 100 in length.");
        only_error(
            "POST",
            MESSAGES,
            &json!({"components": [row(vec![button("")])]}),
            &["components", "0", "components", "0", "custom_id"],
            "BASE_TYPE_BAD_LENGTH",
        );
        // The second use is named, across rows, inside a callback.
        only_error(
            "POST",
            CALLBACK,
            &json!({"type": 4, "data": {"components": [
                row(vec![button("same")]),
                row(vec![button("other"), button("same")])]}}),
            &["data", "components", "1", "components", "1", "custom_id"],
            "COMPONENT_CUSTOM_ID_DUPLICATED",
        );
    }

    #[test]
    fn button_labels_and_kinds() {
        let mut long = button("b");
        long["label"] = json!(text(81));
        let message = only_error(
            "POST",
            MESSAGES,
            &json!({"components": [row(vec![long])]}),
            &["components", "0", "components", "0", "label"],
            "BASE_TYPE_MAX_LENGTH",
        );
        assert_eq!(message, "Must be 80 or fewer in length.");
        let at = |button: Value| json!({"components": [row(vec![button])]});
        let base = ["components", "0", "components", "0"];
        let path = |key: &'static str| [&base[..], &[key]].concat();
        only_error(
            "POST",
            MESSAGES,
            &at(json!({"type": 2, "style": 1, "label": "L"})),
            &path("custom_id"),
            "BASE_TYPE_REQUIRED",
        );
        only_error(
            "POST",
            MESSAGES,
            &at(json!({"type": 2, "style": 5, "label": "L"})),
            &path("url"),
            "BASE_TYPE_REQUIRED",
        );
        only_error(
            "POST",
            MESSAGES,
            &at(
                json!({"type": 2, "style": 5, "label": "L", "url": "https://x.y", "custom_id": "c"}),
            ),
            &path("custom_id"),
            "COMPONENT_INVALID_FIELD",
        );
        only_error(
            "POST",
            MESSAGES,
            &at(
                json!({"type": 2, "style": 2, "label": "L", "custom_id": "c", "url": "https://x.y"}),
            ),
            &path("url"),
            "COMPONENT_INVALID_FIELD",
        );
        only_error(
            "POST",
            MESSAGES,
            &at(json!({"type": 2, "style": 6})),
            &path("sku_id"),
            "BASE_TYPE_REQUIRED",
        );
        only_error(
            "POST",
            MESSAGES,
            &at(json!({"type": 2, "style": 6, "sku_id": "1", "label": "Buy"})),
            &path("label"),
            "COMPONENT_INVALID_FIELD",
        );
        // Nulls count as absent, as twilight-style clients send them.
        accepted(
            "POST",
            MESSAGES,
            &at(
                json!({"type": 2, "style": 5, "label": "L", "url": "https://x.y", "custom_id": null}),
            ),
        );
    }

    #[test]
    fn select_limits() {
        let at = |select: Value| json!({"components": [row(vec![select])]});
        let base = ["components", "0", "components", "0"];
        only_error(
            "POST",
            MESSAGES,
            &at(string_select("s", 26)),
            &[&base[..], &["options"]].concat(),
            "BASE_TYPE_BAD_LENGTH",
        );
        let cases: [(&str, Value, &str); 3] = [
            ("label", json!(text(101)), "BASE_TYPE_BAD_LENGTH"),
            ("value", json!(text(101)), "BASE_TYPE_BAD_LENGTH"),
            ("description", json!(text(101)), "BASE_TYPE_MAX_LENGTH"),
        ];
        for (key, value, code) in cases {
            let mut select = string_select("s", 2);
            select["options"][1][key] = value;
            only_error(
                "POST",
                MESSAGES,
                &at(select),
                &[&base[..], &["options", "1", key]].concat(),
                code,
            );
        }
        let mut select = string_select("s", 2);
        select["placeholder"] = json!(text(151));
        only_error(
            "POST",
            MESSAGES,
            &at(select),
            &[&base[..], &["placeholder"]].concat(),
            "BASE_TYPE_MAX_LENGTH",
        );
        let mut select = string_select("s", 2);
        select["max_values"] = json!(26);
        let message = only_error(
            "POST",
            MESSAGES,
            &at(select),
            &[&base[..], &["max_values"]].concat(),
            "NUMBER_TYPE_MAX",
        );
        assert_eq!(message, "int value should be less than or equal to 25.");
        let mut select = string_select("s", 2);
        select["min_values"] = json!(-1);
        only_error(
            "POST",
            MESSAGES,
            &at(select),
            &[&base[..], &["min_values"]].concat(),
            "NUMBER_TYPE_MIN",
        );
        let mut select = json!({"type": 6, "custom_id": "r"});
        select["max_values"] = json!(0);
        only_error(
            "POST",
            MESSAGES,
            &at(select),
            &[&base[..], &["max_values"]].concat(),
            "NUMBER_TYPE_MIN",
        );
    }

    #[test]
    fn components_v2_messages() {
        let v2 = 1 << 15;
        let container = json!({"type": 17, "components": [
            {"type": 10, "content": "hello"},
            {"type": 9, "components": [{"type": 10, "content": "s"}], "accessory": button("acc")},
            row(vec![button("a"), button("acc")])
        ]});
        let fields = check(
            "POST",
            MESSAGES,
            &json!({"flags": v2, "components": [container.clone()]}),
        );
        assert_eq!(fields.len(), 1, "{fields:#?}");
        assert_eq!(
            fields[0].path,
            [
                "components",
                "0",
                "components",
                "2",
                "components",
                "1",
                "custom_id"
            ]
        );
        assert_eq!(fields[0].code, "COMPONENT_CUSTOM_ID_DUPLICATED");
        // Up to 40 components in all, more than 5 top-level ones allowed.
        let texts: Vec<Value> = (0..40)
            .map(|_| json!({"type": 10, "content": "t"}))
            .collect();
        accepted("POST", MESSAGES, &json!({"flags": v2, "components": texts}));
        let texts: Vec<Value> = (0..41)
            .map(|_| json!({"type": 10, "content": "t"}))
            .collect();
        only_error(
            "POST",
            MESSAGES,
            &json!({"flags": v2, "components": texts}),
            &["components"],
            "BASE_TYPE_MAX_LENGTH",
        );
        only_error(
            "POST",
            MESSAGES,
            &json!({"flags": v2, "content": "hi", "components": [{"type": 10, "content": "t"}]}),
            &["content"],
            "MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2",
        );
    }

    #[test]
    fn empty_messages() {
        for empty in [
            json!({}),
            json!({"content": ""}),
            json!({"content": "   "}),
            json!({"embeds": [], "components": [], "tts": true}),
            json!({"poll": null, "message_reference": {"message_id": "1", "type": 0}}),
            json!(null),
        ] {
            assert!(empty_message(&empty), "{empty}");
        }
        for not_empty in [
            json!({"content": "hi"}),
            json!({"embeds": [{"title": "t"}]}),
            json!({"components": [row(vec![button("b")])]}),
            json!({"sticker_ids": ["1"]}),
            json!({"attachments": [{"id": "0", "filename": "a.png"}]}),
            json!({"poll": {"question": {"text": "?"}, "answers": []}}),
            json!({"message_reference": {"message_id": "1", "channel_id": "2", "type": 1}}),
        ] {
            assert!(!empty_message(&not_empty), "{not_empty}");
        }
    }

    fn modal(components: Vec<Value>) -> Value {
        json!({"type": 9, "data": {"custom_id": "m", "title": "T", "components": components}})
    }

    fn text_input(custom_id: &str) -> Value {
        json!({"type": 4, "custom_id": custom_id, "style": 1, "label": "L"})
    }

    #[test]
    fn a_modal_at_its_limits_is_accepted() {
        let mut input = text_input(&text(100));
        input["label"] = json!(text(45));
        input["min_length"] = json!(0);
        input["max_length"] = json!(4000);
        input["value"] = json!(text(4000));
        input["placeholder"] = json!(text(100));
        let mut body = modal(vec![
            row(vec![input]),
            row(vec![text_input("b")]),
            row(vec![text_input("c")]),
            json!({"type": 18, "label": text(45), "description": text(100), "component":
                {"type": 4, "custom_id": "d", "style": 2}}),
            json!({"type": 10, "content": "Read me"}),
        ]);
        body["data"]["title"] = json!(text(45));
        body["data"]["custom_id"] = json!(text(100));
        accepted("POST", CALLBACK, &body);
    }

    #[test]
    fn modal_limits() {
        let mut body = modal(vec![row(vec![text_input("a")])]);
        body["data"]["title"] = json!(text(46));
        let message = only_error(
            "POST",
            CALLBACK,
            &body,
            &["data", "title"],
            "BASE_TYPE_BAD_LENGTH",
        );
        assert_eq!(message, "Must be between 1 and 45 in length.");
        body["data"]["title"] = json!("");
        only_error(
            "POST",
            CALLBACK,
            &body,
            &["data", "title"],
            "BASE_TYPE_BAD_LENGTH",
        );
        body["data"]["title"] = json!(null);
        only_error(
            "POST",
            CALLBACK,
            &body,
            &["data", "title"],
            "BASE_TYPE_REQUIRED",
        );
        let mut body = modal(vec![row(vec![text_input("a")])]);
        body["data"]["custom_id"] = json!(text(101));
        only_error(
            "POST",
            CALLBACK,
            &body,
            &["data", "custom_id"],
            "BASE_TYPE_BAD_LENGTH",
        );
        let rows: Vec<Value> = (0..6)
            .map(|index| row(vec![text_input(&format!("i{index}"))]))
            .collect();
        only_error(
            "POST",
            CALLBACK,
            &modal(rows),
            &["data", "components"],
            "BASE_TYPE_BAD_LENGTH",
        );
        only_error(
            "POST",
            CALLBACK,
            &modal(vec![]),
            &["data", "components"],
            "BASE_TYPE_BAD_LENGTH",
        );
        only_error(
            "POST",
            CALLBACK,
            &modal(vec![row(vec![text_input("a"), text_input("b")])]),
            &["data", "components", "0", "components"],
            "BASE_TYPE_BAD_LENGTH",
        );
        only_error(
            "POST",
            CALLBACK,
            &modal(vec![row(vec![button("a")])]),
            &["data", "components", "0", "components", "0", "type"],
            "BASE_TYPE_CHOICES",
        );
        only_error(
            "POST",
            CALLBACK,
            &modal(vec![row(vec![text_input("a")]), row(vec![text_input("a")])]),
            &["data", "components", "1", "components", "0", "custom_id"],
            "COMPONENT_CUSTOM_ID_DUPLICATED",
        );
    }

    #[test]
    fn text_input_limits() {
        let input_path = ["data", "components", "0", "components", "0"];
        let cases: [(&str, Value, &str); 8] = [
            ("label", json!(text(46)), "BASE_TYPE_BAD_LENGTH"),
            ("label", json!(null), "BASE_TYPE_REQUIRED"),
            ("custom_id", json!(text(101)), "BASE_TYPE_BAD_LENGTH"),
            ("style", json!(3), "BASE_TYPE_CHOICES"),
            ("min_length", json!(4001), "NUMBER_TYPE_MAX"),
            ("max_length", json!(0), "NUMBER_TYPE_MIN"),
            ("value", json!(text(4001)), "BASE_TYPE_MAX_LENGTH"),
            ("placeholder", json!(text(101)), "BASE_TYPE_MAX_LENGTH"),
        ];
        for (key, value, code) in cases {
            let mut input = text_input("a");
            input[key] = value;
            only_error(
                "POST",
                CALLBACK,
                &modal(vec![row(vec![input])]),
                &[&input_path[..], &[key]].concat(),
                code,
            );
        }
        // Inside a Label the text input's own label is optional, the Label's is not.
        only_error(
            "POST",
            CALLBACK,
            &modal(vec![
                json!({"type": 18, "label": text(46), "component": {"type": 4, "custom_id": "a", "style": 1}}),
            ]),
            &["data", "components", "0", "label"],
            "BASE_TYPE_BAD_LENGTH",
        );
    }

    fn autocomplete(choices: Vec<Value>) -> Value {
        json!({"type": 8, "data": {"choices": choices}})
    }

    #[test]
    fn autocomplete_limits() {
        let choices: Vec<Value> = (0..25)
            .map(|index| json!({"name": text(100), "value": format!("{index}{}", text(98))}))
            .collect();
        accepted("POST", CALLBACK, &autocomplete(choices.clone()));
        let mut too_many = choices;
        too_many.push(json!({"name": "n", "value": 1}));
        let message = only_error(
            "POST",
            CALLBACK,
            &autocomplete(too_many),
            &["data", "choices"],
            "BASE_TYPE_MAX_LENGTH",
        );
        assert_eq!(message, "Must be 25 or fewer in length.");
        only_error(
            "POST",
            CALLBACK,
            &autocomplete(vec![json!({"name": "", "value": "v"})]),
            &["data", "choices", "0", "name"],
            "BASE_TYPE_BAD_LENGTH",
        );
        only_error(
            "POST",
            CALLBACK,
            &autocomplete(vec![json!({"name": "n", "value": text(101)})]),
            &["data", "choices", "0", "value"],
            "BASE_TYPE_MAX_LENGTH",
        );
        // Numeric values have no length.
        accepted(
            "POST",
            CALLBACK,
            &autocomplete(vec![json!({"name": "n", "value": 12345})]),
        );
    }

    fn chat_command() -> Value {
        json!({
            "name": "shift", "description": "Manage shifts", "type": 1,
            "name_localizations": {"de": "schicht"},
            "options": [
                {"type": 1, "name": "create", "description": "Create a shift", "options": [
                    {"type": 3, "name": "timezone", "description": "Your timezone", "required": true, "autocomplete": true},
                    {"type": 3, "name": "role", "description": "Role", "choices": [
                        {"name": "Cook", "value": "cook"}, {"name": "Server", "value": "server"}]},
                    {"type": 4, "name": "hours", "description": "Hours", "min_value": 1, "max_value": 12},
                    {"type": 3, "name": "note", "description": "Note", "min_length": 0, "max_length": 6000}
                ]},
                {"type": 2, "name": "admin", "description": "Admin tools", "options": [
                    {"type": 1, "name": "purge", "description": "Purge", "options": [
                        {"type": 11, "name": "file", "description": "File"}]}
                ]}
            ]
        })
    }

    #[test]
    fn valid_commands_are_accepted() {
        for template in [GLOBAL_COMMANDS, GUILD_COMMANDS] {
            accepted("POST", template, &chat_command());
        }
        accepted(
            "PATCH",
            GLOBAL_COMMAND,
            &json!({"description": "New words"}),
        );
        accepted("PATCH", GUILD_COMMAND, &json!({"name": "Any Name"}));
        let unicode = json!({"name": "ñandú-_'ü२๑", "description": "d"});
        accepted("POST", GLOBAL_COMMANDS, &unicode);
        let overwrite = json!([
            chat_command(),
            {"name": "ping", "description": "Pong!", "type": 1, "options": []},
            {"name": "Show Shifts", "description": "", "type": 2},
            {"name": "Show Shifts", "description": "", "type": 3},
            {"name": "ping", "description": "", "type": 2}
        ]);
        accepted("PUT", GLOBAL_COMMANDS, &overwrite);
        accepted("PUT", GUILD_COMMANDS, &overwrite);
    }

    #[test]
    fn chat_input_names_follow_the_naming_rule() {
        for (name, code) in [
            ("Shift", "APPLICATION_COMMAND_INVALID_NAME"),
            ("two words", "APPLICATION_COMMAND_INVALID_NAME"),
            ("semi;colon", "APPLICATION_COMMAND_INVALID_NAME"),
            ("", "BASE_TYPE_BAD_LENGTH"),
        ] {
            only_error(
                "POST",
                GLOBAL_COMMANDS,
                &json!({"name": name, "description": "d"}),
                &["name"],
                code,
            );
        }
        let message = only_error(
            "POST",
            GUILD_COMMANDS,
            &json!({"name": text(33), "description": "d"}),
            &["name"],
            "BASE_TYPE_BAD_LENGTH",
        );
        assert_eq!(message, "Must be between 1 and 32 in length.");
        only_error(
            "POST",
            GLOBAL_COMMANDS,
            &json!({"name": "ok", "description": "d", "name_localizations": {"fr": "Pas Bon"}}),
            &["name_localizations", "fr"],
            "APPLICATION_COMMAND_INVALID_NAME",
        );
        // User and message commands: any characters, 1-32 of them.
        accepted(
            "POST",
            GLOBAL_COMMANDS,
            &json!({"name": "Report This!", "type": 3}),
        );
        only_error(
            "POST",
            GLOBAL_COMMANDS,
            &json!({"name": text(33), "type": 2}),
            &["name"],
            "BASE_TYPE_BAD_LENGTH",
        );
    }

    #[test]
    fn command_descriptions() {
        only_error(
            "POST",
            GLOBAL_COMMANDS,
            &json!({"name": "a", "description": ""}),
            &["description"],
            "BASE_TYPE_BAD_LENGTH",
        );
        only_error(
            "POST",
            GLOBAL_COMMANDS,
            &json!({"name": "a", "description": text(101)}),
            &["description"],
            "BASE_TYPE_BAD_LENGTH",
        );
        only_error(
            "POST",
            GLOBAL_COMMANDS,
            &json!({"name": "a"}),
            &["description"],
            "BASE_TYPE_REQUIRED",
        );
        only_error(
            "POST",
            GLOBAL_COMMANDS,
            &json!({"name": "a", "description": "d", "description_localizations": {"de": text(101)}}),
            &["description_localizations", "de"],
            "BASE_TYPE_BAD_LENGTH",
        );
        only_error(
            "POST",
            GLOBAL_COMMANDS,
            &json!({"name": "A", "description": "not allowed", "type": 2}),
            &["description"],
            "BASE_TYPE_MAX_LENGTH",
        );
    }

    #[test]
    fn option_limits() {
        let options: Vec<Value> = (0..26)
            .map(|index| json!({"type": 3, "name": format!("o{index}"), "description": "d"}))
            .collect();
        only_error(
            "POST",
            GLOBAL_COMMANDS,
            &json!({"name": "a", "description": "d", "options": options}),
            &["options"],
            "BASE_TYPE_MAX_LENGTH",
        );
        let with_option =
            |option: Value| json!({"name": "a", "description": "d", "options": [option]});
        let cases: [(Value, &[&str], &str); 6] = [
            (
                json!({"type": 3, "name": "Bad", "description": "d"}),
                &["options", "0", "name"],
                "APPLICATION_COMMAND_INVALID_NAME",
            ),
            (
                json!({"type": 3, "name": "o", "description": ""}),
                &["options", "0", "description"],
                "BASE_TYPE_BAD_LENGTH",
            ),
            (
                json!({"type": 3, "name": "o"}),
                &["options", "0", "description"],
                "BASE_TYPE_REQUIRED",
            ),
            (
                json!({"type": 3, "name": "o", "description": "d", "min_length": 6001}),
                &["options", "0", "min_length"],
                "NUMBER_TYPE_MAX",
            ),
            (
                json!({"type": 3, "name": "o", "description": "d", "max_length": 0}),
                &["options", "0", "max_length"],
                "NUMBER_TYPE_MIN",
            ),
            (
                json!({"type": 3, "name": "o", "description": "d", "autocomplete": true, "choices": [{"name": "a", "value": "a"}]}),
                &["options", "0", "autocomplete"],
                "APPLICATION_COMMAND_OPTION_AUTOCOMPLETE_WITH_CHOICES",
            ),
        ];
        for (option, path, code) in cases {
            only_error("POST", GLOBAL_COMMANDS, &with_option(option), path, code);
        }
        let choices: Vec<Value> = (0..26)
            .map(|index| json!({"name": format!("c{index}"), "value": index}))
            .collect();
        only_error(
            "POST",
            GLOBAL_COMMANDS,
            &with_option(json!({"type": 4, "name": "o", "description": "d", "choices": choices})),
            &["options", "0", "choices"],
            "BASE_TYPE_MAX_LENGTH",
        );
        only_error(
            "POST",
            GLOBAL_COMMANDS,
            &with_option(
                json!({"type": 3, "name": "o", "description": "d", "choices": [{"name": text(101), "value": "v"}]}),
            ),
            &["options", "0", "choices", "0", "name"],
            "BASE_TYPE_BAD_LENGTH",
        );
        only_error(
            "POST",
            GLOBAL_COMMANDS,
            &with_option(
                json!({"type": 3, "name": "o", "description": "d", "choices": [{"name": "n", "value": text(101)}]}),
            ),
            &["options", "0", "choices", "0", "value"],
            "BASE_TYPE_MAX_LENGTH",
        );
        only_error(
            "POST",
            GLOBAL_COMMANDS,
            &json!({"name": "a", "description": "d", "options": [
                {"type": 3, "name": "o", "description": "d"},
                {"type": 4, "name": "o", "description": "d"}]}),
            &["options", "1", "name"],
            "APPLICATION_COMMAND_OPTIONS_DUPLICATE_NAME",
        );
    }

    #[test]
    fn required_options_come_first() {
        let message = only_error(
            "POST",
            GLOBAL_COMMANDS,
            &json!({"name": "a", "description": "d", "options": [
                {"type": 3, "name": "x", "description": "d", "required": true},
                {"type": 3, "name": "y", "description": "d"},
                {"type": 3, "name": "z", "description": "d", "required": true}]}),
            &["options", "2", "required"],
            "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
        );
        assert_eq!(
            message,
            "Required options must be placed before non-required options"
        );
    }

    #[test]
    fn subcommand_nesting() {
        let sub = |name: &str| json!({"type": 1, "name": name, "description": "d"});
        let plain = json!({"type": 3, "name": "p", "description": "d"});
        only_error(
            "POST",
            GLOBAL_COMMANDS,
            &json!({"name": "a", "description": "d", "options": [sub("s"), plain.clone()]}),
            &["options"],
            "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID",
        );
        only_error(
            "POST",
            GLOBAL_COMMANDS,
            &json!({"name": "a", "description": "d", "options": [
                {"type": 2, "name": "g", "description": "d", "options": [sub("s"), plain.clone()]}]}),
            &["options", "0", "options", "1", "type"],
            "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID",
        );
        only_error(
            "POST",
            GLOBAL_COMMANDS,
            &json!({"name": "a", "description": "d", "options": [
                {"type": 2, "name": "g", "description": "d", "options": [
                    {"type": 2, "name": "h", "description": "d", "options": [sub("s")]}]}]}),
            &["options", "0", "options", "0", "type"],
            "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID",
        );
        only_error(
            "POST",
            GLOBAL_COMMANDS,
            &json!({"name": "a", "description": "d", "options": [
                {"type": 1, "name": "s", "description": "d", "options": [sub("t")]}]}),
            &["options", "0", "options", "0", "type"],
            "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID",
        );
        // Groups and subcommands may sit side by side at the top.
        accepted(
            "POST",
            GLOBAL_COMMANDS,
            &json!({"name": "a", "description": "d", "options": [
                sub("s"), {"type": 2, "name": "g", "description": "d", "options": [sub("t")]}]}),
        );
    }

    #[test]
    fn commands_have_at_most_8000_characters() {
        let option = |index: usize| {
            let choices: Vec<Value> = (0..25)
                .map(|choice| json!({"name": text(100), "value": format!("{choice}")}))
                .collect();
            json!({"type": 3, "name": format!("o{index}"), "description": text(100), "choices": choices})
        };
        // Each option: name 2 + description 100 + 25 choice names of 100 + values "0".."24" (40).
        let mut body =
            json!({"name": "a", "description": "d", "options": [option(0), option(1), option(2)]});
        assert_eq!(command_chars(&body), 1 + 1 + 3 * (2 + 100 + 2500 + 40));
        accepted("POST", GLOBAL_COMMANDS, &body);
        // The longest localization of a field counts: 99 more characters cross the limit.
        body["description_localizations"] = json!({"de": text(100)});
        assert_eq!(command_chars(&body), 8027);
        let message = only_error(
            "POST",
            GLOBAL_COMMANDS,
            &body,
            &[],
            "APPLICATION_COMMAND_TOO_LARGE",
        );
        assert_eq!(message, "Command exceeds maximum size (8000)");
        // In a bulk overwrite the command is named by its index.
        only_error(
            "PUT",
            GUILD_COMMANDS,
            &json!([{"name": "b", "description": "d"}, body]),
            &["1"],
            "APPLICATION_COMMAND_TOO_LARGE",
        );
        // User and message commands have no such total.
        accepted(
            "POST",
            GLOBAL_COMMANDS,
            &json!({"name": "U", "type": 2, "name_localizations": {"de": text(32)}}),
        );
    }

    #[test]
    fn command_chars_counts_longest_localization_once() {
        let body = json!({"name": "abc", "name_localizations": {"de": "abcdef", "fr": "ab"},
                          "description": "1234", "options": [
                              {"name": "o", "description": "dd", "choices": [{"name": "n", "value": 10}]}]});
        assert_eq!(command_chars(&body), 6 + 4 + 1 + 2 + 1 + 2);
    }

    #[test]
    fn bulk_overwrite_limits() {
        let commands: Vec<Value> = (0..101)
            .map(|index| json!({"name": format!("c{index}"), "description": "d"}))
            .collect();
        let message = only_error(
            "PUT",
            GLOBAL_COMMANDS,
            &json!(commands),
            &[],
            "BASE_TYPE_MAX_LENGTH",
        );
        assert_eq!(message, "Must be 100 or fewer in length.");
        let users: Vec<Value> = (0..16)
            .map(|index| json!({"name": format!("U{index}"), "type": 2}))
            .collect();
        only_error(
            "PUT",
            GUILD_COMMANDS,
            &json!(users),
            &[],
            "BASE_TYPE_MAX_LENGTH",
        );
        let message = only_error(
            "PUT",
            GUILD_COMMANDS,
            &json!([{"name": "a", "description": "d"}, {"name": "b", "description": "d"}, {"name": "a", "description": "e", "type": 1}]),
            &["2"],
            "APPLICATION_COMMANDS_DUPLICATE_NAME",
        );
        assert_eq!(message, "Application command names must be unique");
        only_error(
            "PUT",
            GLOBAL_COMMANDS,
            &json!([{"name": "a", "description": "d"}, {"name": "Bad Name", "description": "d"}]),
            &["1", "name"],
            "APPLICATION_COMMAND_INVALID_NAME",
        );
        only_error(
            "PUT",
            GLOBAL_COMMANDS,
            &json!([{"name": "a", "description": "d", "options": [{"type": 3, "name": "o", "description": ""}]}]),
            &["0", "options", "0", "description"],
            "BASE_TYPE_BAD_LENGTH",
        );
    }

    fn png_data_uri(bytes: usize) -> String {
        let engine = base64::engine::general_purpose::STANDARD;
        format!("data:image/png;base64,{}", engine.encode(vec![7u8; bytes]))
    }

    #[test]
    fn emoji_limits() {
        for template in [GUILD_EMOJIS, APPLICATION_EMOJIS] {
            accepted(
                "POST",
                template,
                &json!({"name": "ok_2", "image": png_data_uri(EMOJI_IMAGE_MAX_BYTES)}),
            );
        }
        accepted(
            "POST",
            GUILD_EMOJIS,
            &json!({"name": "ab", "image": "data:image/webp;base64,UklGRg"}),
        );
        for name in ["a", &text(33)] {
            let message = only_error(
                "POST",
                GUILD_EMOJIS,
                &json!({"name": name, "image": png_data_uri(8)}),
                &["name"],
                "BASE_TYPE_BAD_LENGTH",
            );
            assert_eq!(message, "Must be between 2 and 32 in length.");
        }
        for name in ["no-dash", "spa ce", "émoji"] {
            only_error(
                "POST",
                GUILD_EMOJIS,
                &json!({"name": name, "image": png_data_uri(8)}),
                &["name"],
                "STRING_TYPE_REGEX",
            );
        }
        only_error(
            "PATCH",
            GUILD_EMOJI,
            &json!({"name": "x"}),
            &["name"],
            "BASE_TYPE_BAD_LENGTH",
        );
        let message = only_error(
            "POST",
            GUILD_EMOJIS,
            &json!({"name": "big", "image": png_data_uri(EMOJI_IMAGE_MAX_BYTES + 1)}),
            &["image"],
            "BINARY_TYPE_MAX_SIZE",
        );
        assert_eq!(message, "File cannot be larger than 256.0 kb.");
        for image in [
            "iVBORw0KGgo=",
            "data:image/png,iVBORw0KGgo=",
            "data:image/bmp;base64,iVBORw0KGgo=",
            "data:text/plain;base64,aGk=",
            "data:image/png;base64,***",
            "data:image/png;base64,",
        ] {
            only_error(
                "POST",
                GUILD_EMOJIS,
                &json!({"name": "bad", "image": image}),
                &["image"],
                "IMAGE_INVALID",
            );
        }
    }

    #[test]
    fn channel_limits() {
        accepted(
            "POST",
            GUILD_CHANNELS,
            &json!({"name": text(100), "topic": text(1024), "rate_limit_per_user": 21600}),
        );
        accepted(
            "POST",
            GUILD_CHANNELS,
            &json!({"name": "f", "type": 15, "topic": text(4096)}),
        );
        accepted("PATCH", CHANNEL, &json!({"topic": text(4096)}));
        let message = only_error(
            "POST",
            GUILD_CHANNELS,
            &json!({"name": text(101)}),
            &["name"],
            "BASE_TYPE_BAD_LENGTH",
        );
        assert_eq!(message, "Must be between 1 and 100 in length.");
        only_error(
            "PATCH",
            CHANNEL,
            &json!({"name": ""}),
            &["name"],
            "BASE_TYPE_BAD_LENGTH",
        );
        only_error(
            "POST",
            GUILD_CHANNELS,
            &json!({"name": "n", "topic": text(1025)}),
            &["topic"],
            "BASE_TYPE_MAX_LENGTH",
        );
        only_error(
            "PATCH",
            CHANNEL,
            &json!({"type": 0, "topic": text(1025)}),
            &["topic"],
            "BASE_TYPE_MAX_LENGTH",
        );
        only_error(
            "POST",
            GUILD_CHANNELS,
            &json!({"name": "f", "type": 16, "topic": text(4097)}),
            &["topic"],
            "BASE_TYPE_MAX_LENGTH",
        );
        let message = only_error(
            "PATCH",
            CHANNEL,
            &json!({"rate_limit_per_user": 21601}),
            &["rate_limit_per_user"],
            "NUMBER_TYPE_MAX",
        );
        assert_eq!(message, "int value should be less than or equal to 21600.");
        only_error(
            "POST",
            GUILD_CHANNELS,
            &json!({"name": "n", "rate_limit_per_user": -1}),
            &["rate_limit_per_user"],
            "NUMBER_TYPE_MIN",
        );
        assert_eq!(topic_limit(0), 1024);
        assert_eq!(topic_limit(15), 4096);
    }

    #[test]
    fn channel_names_are_normalized_for_text_like_channels() {
        assert_eq!(normalize_channel_name(0, "Shift Board"), "shift-board");
        assert_eq!(normalize_channel_name(5, "  News   Feed "), "news-feed");
        assert_eq!(normalize_channel_name(15, "Ideas"), "ideas");
        assert_eq!(normalize_channel_name(2, "Voice Chat"), "Voice Chat");
        assert_eq!(normalize_channel_name(4, "Category A"), "Category A");
    }

    #[test]
    fn bulk_delete_limits() {
        let ids = |count: usize| json!({"messages": (0..count).map(|index| index.to_string()).collect::<Vec<_>>()});
        accepted("POST", BULK_DELETE, &ids(2));
        accepted("POST", BULK_DELETE, &ids(100));
        let message = only_error(
            "POST",
            BULK_DELETE,
            &ids(1),
            &["messages"],
            "BASE_TYPE_BAD_LENGTH",
        );
        assert_eq!(message, "Must be between 2 and 100 in length.");
        only_error(
            "POST",
            BULK_DELETE,
            &ids(101),
            &["messages"],
            "BASE_TYPE_BAD_LENGTH",
        );
        only_error(
            "POST",
            BULK_DELETE,
            &json!({"messages": ["1", "2", "1"]}),
            &["messages", "2"],
            "LIST_ITEM_VALUE_DUPLICATE",
        );
    }

    #[test]
    fn errors_are_sorted_and_deduplicated() {
        let fields = check(
            "POST",
            MESSAGES,
            &json!({"content": text(2001), "embeds": [{"title": text(300)}]}),
        );
        let paths: Vec<Vec<String>> = fields.iter().map(|field| field.path.clone()).collect();
        assert_eq!(
            paths,
            [
                vec!["content".to_string()],
                vec!["embeds".into(), "0".into(), "title".into()]
            ]
        );
    }

    /// Every template this module keys on is spelled exactly as in the spec.
    #[test]
    fn templates_are_the_specs() {
        let spec = crate::rest::validate::OpenApiSpec::discord();
        for template in [
            CHANNEL,
            CHANNEL_MESSAGES,
            CHANNEL_MESSAGE,
            CHANNEL_THREADS,
            BULK_DELETE,
            GUILD_CHANNELS,
            GUILD_EMOJIS,
            GUILD_EMOJI,
            APPLICATION_EMOJIS,
            APPLICATION_EMOJI,
            INTERACTION_CALLBACK,
            WEBHOOK,
            WEBHOOK_MESSAGE,
            WEBHOOK_ORIGINAL,
            GLOBAL_COMMANDS,
            GLOBAL_COMMAND,
            GUILD_COMMANDS,
            GUILD_COMMAND,
        ] {
            let concrete: Vec<&str> = template
                .split('/')
                .map(|segment| {
                    if segment.starts_with('{') {
                        "1"
                    } else {
                        segment
                    }
                })
                .collect();
            let route = spec.match_route(&concrete.join("/"));
            assert_eq!(route.map(|route| route.template).as_deref(), Some(template));
        }
    }

    /// The bodies these tests call valid must also pass the spec, or they prove nothing.
    #[test]
    fn valid_bodies_here_also_pass_the_spec() {
        let spec = crate::rest::validate::OpenApiSpec::discord();
        let mut long_input = text_input(&text(100));
        long_input["value"] = json!(text(4000));
        let bodies = [
            ("POST", "/channels/1/messages", full_message()),
            (
                "POST",
                "/interactions/1/t/callback",
                json!({"type": 4, "data": full_message()}),
            ),
            (
                "POST",
                "/interactions/1/t/callback",
                modal(vec![row(vec![long_input]), row(vec![text_input("b")])]),
            ),
            ("POST", "/applications/1/commands", chat_command()),
            (
                "POST",
                "/guilds/1/emojis",
                json!({"name": "ok_2", "image": png_data_uri(64)}),
            ),
            (
                "POST",
                "/guilds/1/channels",
                json!({"name": text(100), "topic": text(1024), "rate_limit_per_user": 21600}),
            ),
            (
                "POST",
                "/channels/1/messages/bulk-delete",
                json!({"messages": ["1", "2"]}),
            ),
        ];
        for (method, path, body) in bodies {
            if let Err(error) = spec.validate_json(method, path, &body) {
                panic!("{method} {path}: {:#?}", error.fields);
            }
        }
    }

    #[test]
    fn unknown_routes_and_methods_have_no_limits() {
        accepted("DELETE", MESSAGES, &json!({"content": text(5000)}));
        accepted(
            "POST",
            "/guilds/{guild_id}/roles",
            &json!({"name": text(5000)}),
        );
    }
}
