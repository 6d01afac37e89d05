//! Validates REST request bodies against Discord's official OpenAPI spec, answering like Discord.
//!
//! The vendored spec (`openapi/discord-openapi.json`) is parsed once per process and registered as
//! one JSON Schema resource. A validator for an operation is a tiny schema that `$ref`s the
//! operation's request body schema inside that resource; it is compiled the first time the
//! operation is used and cached. Validation errors are translated into Discord's field errors
//! (`BASE_TYPE_REQUIRED`, `BASE_TYPE_MAX_LENGTH`, …) under the path of the offending field.
//!
//! Unions (`oneOf`/`anyOf`, Discord's `x-discord-union`) are resolved the way a developer needs
//! them: instead of "matches none of the branches", the errors of the branch the body was meant
//! for (its `type` discriminator matched, or it failed least) are reported.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, OnceLock};

use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::{Draft, JsonType, Registry, ValidationError, Validator};
use parking_lot::Mutex;
use serde_json::{json, Value};

use crate::error::{ApiError, FieldError};

/// The URI under which the whole spec document is registered as a schema resource.
const SPEC_URI: &str = "urn:discord-openapi";

/// The vendored Discord OpenAPI 3.1 spec.
const DISCORD_SPEC_JSON: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/openapi/discord-openapi.json"
));

/// The spec, parsed once; validators compiled lazily per (method, template) and cached.
pub struct OpenApiSpec {
    /// The whole spec document, for looking up templates and the schemas behind errors.
    document: Arc<Value>,
    /// The spec registered as one resource under [`SPEC_URI`], so `$ref`s into it resolve.
    registry: Registry<'static>,
    /// Every path template of the spec, split into segments.
    routes: Vec<RouteTemplate>,
    /// Compiled request body validators, compiled on first use.
    validators: Mutex<HashMap<OperationKey, Option<Arc<Validator>>>>,
}

/// An operation: (lowercase method, path template). Its cached validator is `None` when the
/// operation has no JSON request body schema.
type OperationKey = (String, String);

/// A concrete path matched to one of the spec's path templates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteMatch {
    /// The spec's template, e.g. `/channels/{channel_id}/messages/{message_id}`.
    pub template: String,
    /// Values of the template's `{param}` segments in order, e.g. `[("channel_id", "123")]`.
    pub params: Vec<(String, String)>,
}

/// One path template of the spec, e.g. `/channels/{channel_id}/messages`.
struct RouteTemplate {
    template: String,
    segments: Vec<TemplateSegment>,
}

enum TemplateSegment {
    /// A segment that must appear as written, e.g. `messages` or `@me`.
    Literal(String),
    /// A `{name}` segment matching any one non-empty segment.
    Param(String),
}

/// Why the embedded spec could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum SpecError {
    #[error("the OpenAPI spec is not valid JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("the OpenAPI spec has no `paths` object")]
    NoPaths,
    #[error("the OpenAPI spec cannot be registered as a schema resource: {0}")]
    Registry(#[from] jsonschema::ReferencingError),
}

impl OpenApiSpec {
    /// The embedded Discord spec (parsed once, process-wide).
    pub fn discord() -> &'static OpenApiSpec {
        static DISCORD: OnceLock<OpenApiSpec> = OnceLock::new();
        DISCORD.get_or_init(|| match OpenApiSpec::from_json(DISCORD_SPEC_JSON) {
            Ok(spec) => spec,
            // The spec is vendored into the binary and covered by tests: failing here means the
            // build itself is broken, there is nothing a caller could do about it.
            Err(error) => panic!("the embedded Discord OpenAPI spec cannot be loaded: {error}"),
        })
    }

    /// Parses an OpenAPI 3.1 document and registers it for `$ref` resolution.
    pub fn from_json(text: &str) -> Result<OpenApiSpec, SpecError> {
        let mut document: Value = serde_json::from_str(text)?;
        apply_spec_exceptions(&mut document);
        let routes = document
            .get("paths")
            .and_then(Value::as_object)
            .ok_or(SpecError::NoPaths)?
            .keys()
            .map(|template| RouteTemplate::parse(template))
            .collect();
        let document = Arc::new(document);
        let registry = Registry::new()
            .draft(Draft::Draft202012)
            .add(SPEC_URI, Arc::clone(&document))?
            .prepare()?;
        Ok(OpenApiSpec {
            document,
            registry,
            routes,
            validators: Mutex::new(HashMap::new()),
        })
    }

    /// Match a concrete path (already stripped of `/api/v10` and of the query string, e.g.
    /// `/channels/123/messages/456`) to the spec's template
    /// (`/channels/{channel_id}/messages/{message_id}`).
    ///
    /// Literal segments win over `{param}` segments, the earliest segment deciding: `/users/@me`
    /// matches `/users/@me`, not `/users/{user_id}`. Returns `None` when no template matches.
    pub fn match_route(&self, path: &str) -> Option<RouteMatch> {
        let trimmed = path.strip_suffix('/').filter(|rest| !rest.is_empty());
        let segments: Vec<&str> = trimmed
            .unwrap_or(path)
            .strip_prefix('/')?
            .split('/')
            .collect();
        if segments.iter().any(|segment| segment.is_empty()) {
            return None;
        }
        let mut best: Option<(&RouteTemplate, Vec<bool>)> = None;
        for route in &self.routes {
            let Some(literal_flags) = route.literal_flags_if_matches(&segments) else {
                continue;
            };
            // Vec<bool> compares lexicographically: a literal (`true`) at the first position where
            // two candidates differ wins.
            if best
                .as_ref()
                .is_none_or(|(_, best_flags)| literal_flags > *best_flags)
            {
                best = Some((route, literal_flags));
            }
        }
        let (route, _) = best?;
        let params = route
            .segments
            .iter()
            .zip(&segments)
            .filter_map(|(template_segment, segment)| match template_segment {
                TemplateSegment::Param(name) => Some((name.clone(), (*segment).to_string())),
                TemplateSegment::Literal(_) => None,
            })
            .collect();
        Some(RouteMatch {
            template: route.template.clone(),
            params,
        })
    }

    /// Validate a JSON body for this method + concrete path. `Ok(())` if the operation has no JSON
    /// request body schema (or the path matches no template: routing is not this module's job).
    /// `Err(ApiError::invalid_form_body(fields))` naming each failing field the way Discord does.
    ///
    /// For `multipart/form-data` requests pass the parsed `payload_json` part.
    pub fn validate_json(&self, method: &str, path: &str, body: &Value) -> Result<(), ApiError> {
        let Some(route) = self.match_route(path) else {
            return Ok(());
        };
        let Some(validator) = self.validator_for(method, &route.template) else {
            return Ok(());
        };
        let mut fields = Vec::new();
        for error in validator.iter_errors(body) {
            self.push_field_errors(&error, &mut fields);
        }
        if fields.is_empty() {
            return Ok(());
        }
        Err(ApiError::invalid_form_body(sorted_unique(fields)))
    }

    /// The cached validator for an operation's request body, compiling it on first use.
    fn validator_for(&self, method: &str, template: &str) -> Option<Arc<Validator>> {
        let key = (method.to_ascii_lowercase(), template.to_string());
        if let Some(cached) = self.validators.lock().get(&key) {
            return cached.clone();
        }
        // Compiled outside the lock so a slow first compile does not stall other routes; two
        // threads racing on the same operation compile it twice and keep one.
        let compiled = self.compile_body_validator(&key.0, template).map(Arc::new);
        self.validators
            .lock()
            .entry(key)
            .or_insert(compiled)
            .clone()
    }

    /// Compiles the request body validator of one operation, `None` when it has no JSON body.
    fn compile_body_validator(&self, method: &str, template: &str) -> Option<Validator> {
        let pointer = self.body_schema_pointer(method, template)?;
        let reference = format!("{SPEC_URI}#{}", percent_encode_fragment(&pointer));
        jsonschema::options()
            .with_draft(Draft::Draft202012)
            .with_registry(&self.registry)
            .should_validate_formats(false)
            .build(&json!({ "$ref": reference }))
            .ok()
    }

    /// JSON pointer (unencoded) to the schema a JSON body of this operation must match: the
    /// `application/json` schema, else the first `allOf` member of the `multipart/form-data`
    /// schema (the part that describes `payload_json`).
    fn body_schema_pointer(&self, method: &str, template: &str) -> Option<String> {
        let operation_pointer = format!("/paths/{}/{method}", escape_pointer_token(template));
        let content = self
            .document
            .pointer(&format!("{operation_pointer}/requestBody/content"))?;
        if content
            .get("application/json")
            .and_then(|media| media.get("schema"))
            .is_some()
        {
            return Some(format!(
                "{operation_pointer}/requestBody/content/application~1json/schema"
            ));
        }
        // A multipart body without an `allOf` is plain form fields and files (sticker upload),
        // with no `payload_json` part to hold to a schema.
        content
            .get("multipart/form-data")?
            .get("schema")?
            .pointer("/allOf/0")?;
        Some(format!(
            "{operation_pointer}/requestBody/content/multipart~1form-data/schema/allOf/0"
        ))
    }

    /// The schema object holding the keyword an error was raised for, if it lives in the spec.
    fn schema_of(&self, error: &ValidationError<'_>) -> Option<&Value> {
        let location = error.absolute_keyword_location()?;
        let location = location.as_str();
        let fragment = location.strip_prefix(SPEC_URI)?.strip_prefix('#')?;
        let pointer = percent_decode(fragment);
        // Drop the last token (the keyword itself) to get the schema object holding it.
        let (parent, _keyword) = pointer.rsplit_once('/')?;
        self.document.pointer(parent)
    }

    /// Translates one jsonschema error into Discord field errors, appending them to `out`.
    fn push_field_errors(&self, error: &ValidationError<'_>, out: &mut Vec<FieldError>) {
        let path = instance_path(error);
        let mut push = |path: Vec<String>, code: &str, message: String| {
            out.push(FieldError {
                path,
                code: code.to_string(),
                message,
            });
        };
        match error.kind() {
            ValidationErrorKind::Required { property } => {
                let mut field = path;
                field.push(plain_text(property));
                push(
                    field,
                    "BASE_TYPE_REQUIRED",
                    "This field is required".to_string(),
                );
            }
            ValidationErrorKind::MaxLength { .. }
            | ValidationErrorKind::MinLength { .. }
            | ValidationErrorKind::MaxItems { .. }
            | ValidationErrorKind::MinItems { .. } => {
                let (code, message) = self.length_error(error);
                push(path, code, message);
            }
            ValidationErrorKind::Maximum { limit }
            | ValidationErrorKind::ExclusiveMaximum { limit } => {
                push(
                    path,
                    "NUMBER_TYPE_MAX",
                    format!("int value should be less than or equal to {limit}."),
                );
            }
            ValidationErrorKind::Minimum { limit }
            | ValidationErrorKind::ExclusiveMinimum { limit } => {
                push(
                    path,
                    "NUMBER_TYPE_MIN",
                    format!("int value should be greater than or equal to {limit}."),
                );
            }
            ValidationErrorKind::Enum { options } => {
                let choices = options.as_array().map(Vec::as_slice).unwrap_or_default();
                push(path, "BASE_TYPE_CHOICES", choices_message(choices));
            }
            ValidationErrorKind::Constant { expected_value } => {
                push(
                    path,
                    "BASE_TYPE_CHOICES",
                    choices_message(std::slice::from_ref(expected_value.as_ref())),
                );
            }
            ValidationErrorKind::Type { kind } => {
                let (code, type_name) = type_error_code(kind);
                let value = plain_text(error.instance());
                push(
                    path,
                    code,
                    format!("Could not interpret \"{value}\" as {type_name}."),
                );
            }
            ValidationErrorKind::Pattern { pattern } => {
                if pattern == SNOWFLAKE_PATTERN {
                    let value = plain_text(error.instance());
                    push(
                        path,
                        "NUMBER_TYPE_COERCE",
                        format!("Value \"{value}\" is not snowflake."),
                    );
                } else if pattern == DIGITS_PATTERN {
                    let value = plain_text(error.instance());
                    push(
                        path,
                        "NUMBER_TYPE_COERCE",
                        format!("Could not interpret \"{value}\" as integer."),
                    );
                } else {
                    push(
                        path,
                        "STRING_TYPE_REGEX",
                        format!("String value did not match validation regex ({pattern})."),
                    );
                }
            }
            ValidationErrorKind::AdditionalProperties { unexpected }
            | ValidationErrorKind::UnevaluatedProperties { unexpected } => {
                for key in unexpected {
                    let mut field = path.clone();
                    field.push(key.clone());
                    push(field, "UNKNOWN_FIELD", "Unknown field.".to_string());
                }
            }
            ValidationErrorKind::AnyOf { context }
            | ValidationErrorKind::OneOfNotValid { context } => {
                out.extend(self.best_branch_errors(&path, context));
            }
            // Several branches of a `oneOf` accepting the body means the spec's branches overlap,
            // never that the request is wrong: accept it.
            ValidationErrorKind::OneOfMultipleValid { .. } => {}
            ValidationErrorKind::UniqueItems => {
                push(
                    path,
                    "LIST_ITEM_VALUE_DUPLICATE",
                    "List items must be unique.".to_string(),
                );
            }
            other => {
                push(
                    path,
                    "BASE_TYPE_INVALID",
                    format!("Invalid value ({} check failed).", other.keyword()),
                );
            }
        }
    }

    /// Code and message for a string or array length error. Discord answers
    /// `BASE_TYPE_BAD_LENGTH` "Must be between A and B in length." when the field has both bounds.
    fn length_error(&self, error: &ValidationError<'_>) -> (&'static str, String) {
        let (lower_keyword, upper_keyword) = match error.kind() {
            ValidationErrorKind::MaxItems { .. } | ValidationErrorKind::MinItems { .. } => {
                ("minItems", "maxItems")
            }
            _ => ("minLength", "maxLength"),
        };
        let schema = self.schema_of(error);
        let bound = |keyword: &str| schema.and_then(|s| s.get(keyword)).and_then(Value::as_u64);
        let (kind_lower, kind_upper) =
            match error.kind() {
                ValidationErrorKind::MaxLength { limit }
                | ValidationErrorKind::MaxItems { limit } => (bound(lower_keyword), Some(*limit)),
                ValidationErrorKind::MinLength { limit }
                | ValidationErrorKind::MinItems { limit } => (Some(*limit), bound(upper_keyword)),
                _ => (None, None),
            };
        let is_max = matches!(
            error.kind(),
            ValidationErrorKind::MaxLength { .. } | ValidationErrorKind::MaxItems { .. }
        );
        match (kind_lower, kind_upper) {
            // `minLength: 0` is no bound at all; Discord reports such fields by their maximum.
            (Some(lower), Some(upper)) if lower > 0 => (
                "BASE_TYPE_BAD_LENGTH",
                format!("Must be between {lower} and {upper} in length."),
            ),
            (_, Some(upper)) if is_max => (
                "BASE_TYPE_MAX_LENGTH",
                format!("Must be {upper} or fewer in length."),
            ),
            (Some(lower), _) => (
                "BASE_TYPE_MIN_LENGTH",
                format!("Must be {lower} or more in length."),
            ),
            _ => ("BASE_TYPE_BAD_LENGTH", "Invalid length.".to_string()),
        }
    }

    /// The field errors of the union branch the body was most likely meant for.
    ///
    /// Branches are ranked by, in order: whether the branch's `type` discriminator rejected the
    /// value (a different kind of object), whether the value's JSON type or another direct
    /// property's fixed choice rejected it, how many errors it has, and how deep they sit (a
    /// branch that got further into the body is the better guess). When every branch was rejected
    /// by its `type` discriminator (a `null` branch aside), one `BASE_TYPE_CHOICES` error lists all
    /// accepted values.
    fn best_branch_errors(
        &self,
        union_path: &[String],
        branches: &[Vec<ValidationError<'static>>],
    ) -> Vec<FieldError> {
        struct Candidate {
            mismatch: BranchMismatch,
            fields: Vec<FieldError>,
            deepest: usize,
        }
        let mut candidates = Vec::with_capacity(branches.len());
        for branch in branches {
            let mut fields = Vec::new();
            for error in branch {
                self.push_field_errors(error, &mut fields);
            }
            if fields.is_empty() {
                // A branch accepted the value (its only errors were harmless): no error at all.
                return Vec::new();
            }
            let fields = sorted_unique(fields);
            let deepest = fields
                .iter()
                .map(|field| field.path.len())
                .max()
                .unwrap_or(0);
            candidates.push(Candidate {
                mismatch: branch_mismatch(union_path, branch),
                fields,
                deepest,
            });
        }
        let mut object_branches = candidates
            .iter()
            .filter(|candidate| candidate.mismatch != BranchMismatch::NullOnly)
            .peekable();
        if object_branches.peek().is_some()
            && object_branches.all(|candidate| candidate.mismatch == BranchMismatch::Discriminator)
        {
            let mut accepted = Vec::new();
            for branch in branches {
                collect_discriminator_choices(union_path, branch, &mut accepted);
            }
            // Numbers ascending, then everything else in its JSON text order.
            accepted.sort_by(|left, right| match (left.as_f64(), right.as_f64()) {
                (Some(left), Some(right)) => left.total_cmp(&right),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => left.to_string().cmp(&right.to_string()),
            });
            let mut field = union_path.to_vec();
            field.push(DISCRIMINATOR_KEY.to_string());
            return vec![FieldError {
                path: field,
                code: "BASE_TYPE_CHOICES".to_string(),
                message: choices_message(&accepted),
            }];
        }
        candidates
            .into_iter()
            .min_by_key(|candidate| {
                (
                    candidate.mismatch,
                    candidate.fields.len(),
                    std::cmp::Reverse(candidate.deepest),
                )
            })
            .map(|candidate| candidate.fields)
            .unwrap_or_default()
    }
}

impl RouteTemplate {
    fn parse(template: &str) -> RouteTemplate {
        let segments = template
            .trim_start_matches('/')
            .split('/')
            .map(|segment| {
                match segment
                    .strip_prefix('{')
                    .and_then(|rest| rest.strip_suffix('}'))
                {
                    Some(name) => TemplateSegment::Param(name.to_string()),
                    None => TemplateSegment::Literal(segment.to_string()),
                }
            })
            .collect();
        RouteTemplate {
            template: template.to_string(),
            segments,
        }
    }

    /// For each segment whether it is literal, if the template matches the concrete segments.
    fn literal_flags_if_matches(&self, segments: &[&str]) -> Option<Vec<bool>> {
        if self.segments.len() != segments.len() {
            return None;
        }
        self.segments
            .iter()
            .zip(segments)
            .map(|(template_segment, segment)| match template_segment {
                TemplateSegment::Literal(literal) => (literal == segment).then_some(true),
                TemplateSegment::Param(_) => Some(false),
            })
            .collect()
    }
}

/// Request fields holding a permission bitset. The spec types them `integer`, but Discord's docs
/// serialize permissions as strings ("Permissions are serialized as strings") and clients such as
/// twilight-http send `"allow": "3072"`; Discord accepts both.
const PERMISSION_FIELDS: [&str; 4] = ["allow", "deny", "permissions", "default_member_permissions"];

/// Narrow, documented corrections of spec bugs that would reject bodies Discord accepts:
///
/// 1. Permission bitsets ([`PERMISSION_FIELDS`]) typed `integer` also accept a string of decimal
///    digits (what Discord's docs and real clients send).
/// 2. `SnowflakeType` (a digit string) also accepts a non-negative integer: Discord parses
///    snowflakes sent as JSON numbers, and some clients send ids that way.
fn apply_spec_exceptions(document: &mut Value) {
    fn allow_type(schema: &mut Value, extra: &str) {
        if let Some(Value::String(single)) = schema.get("type").cloned() {
            schema["type"] = json!([single]);
        }
        if let Some(Value::Array(types)) = schema.get_mut("type") {
            if !types.iter().any(|ty| ty == extra) {
                types.push(json!(extra));
            }
        }
    }
    fn types_include(schema: &Value, wanted: &str) -> bool {
        match schema.get("type") {
            Some(Value::String(single)) => single == wanted,
            Some(Value::Array(types)) => types.iter().any(|ty| ty == wanted),
            _ => false,
        }
    }
    fn patch_permission_fields(node: &mut Value) {
        match node {
            Value::Object(map) => {
                if let Some(Value::Object(properties)) = map.get_mut("properties") {
                    for (name, schema) in properties.iter_mut() {
                        if PERMISSION_FIELDS.contains(&name.as_str())
                            && types_include(schema, "integer")
                        {
                            allow_type(schema, "string");
                            // `pattern` only constrains strings, `minimum`/`maximum` only numbers.
                            schema["pattern"] = json!(DIGITS_PATTERN);
                        }
                    }
                }
                map.values_mut().for_each(patch_permission_fields);
            }
            Value::Array(items) => items.iter_mut().for_each(patch_permission_fields),
            _ => {}
        }
    }
    patch_permission_fields(document);
    if let Some(snowflake) = document.pointer_mut("/components/schemas/SnowflakeType") {
        allow_type(snowflake, "integer");
        // `minimum` only constrains numbers: the string form keeps its digit pattern.
        snowflake["minimum"] = json!(0);
    }
}

/// A non-negative decimal integer written as a string.
const DIGITS_PATTERN: &str = "^[0-9]+$";

/// The property Discord's unions discriminate on (`type` of components, callbacks, commands…).
const DISCRIMINATOR_KEY: &str = "type";

/// The spec's pattern for snowflakes (`SnowflakeType`).
const SNOWFLAKE_PATTERN: &str = "^(0|[1-9][0-9]*)$";

/// How badly a union branch failed to describe a value, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum BranchMismatch {
    /// The branch fits the value's kind; its errors are real problems of the value.
    None,
    /// The value has the wrong JSON type for the branch, or a direct property's fixed choice
    /// (other than `type`) rejected it.
    Shape,
    /// The branch only accepts `null` (the "absent" half of a nullable union) and the value is
    /// not null: the value was meant for one of the other branches.
    NullOnly,
    /// The branch's `type` discriminator rejected the value: it describes another kind of object.
    Discriminator,
}

/// Classifies a branch by its own (not nested) errors, relative to the union's location.
fn branch_mismatch(union_path: &[String], branch: &[ValidationError<'_>]) -> BranchMismatch {
    let only_null_type_errors = !branch.is_empty()
        && branch.iter().all(|error| {
            matches!(
                error.kind(),
                ValidationErrorKind::Type {
                    kind: TypeKind::Single(JsonType::Null)
                }
            )
        });
    if only_null_type_errors {
        return BranchMismatch::NullOnly;
    }
    let mut worst = BranchMismatch::None;
    for error in branch {
        let path = instance_path(error);
        let is_choice = matches!(
            error.kind(),
            ValidationErrorKind::Constant { .. } | ValidationErrorKind::Enum { .. }
        );
        let is_direct_property = path.len() == union_path.len() + 1 && path.starts_with(union_path);
        let mismatch = if is_choice
            && is_direct_property
            && path.last().map(String::as_str) == Some(DISCRIMINATOR_KEY)
        {
            BranchMismatch::Discriminator
        } else if (is_choice && is_direct_property)
            || (matches!(error.kind(), ValidationErrorKind::Type { .. }) && path == union_path)
        {
            BranchMismatch::Shape
        } else {
            BranchMismatch::None
        };
        worst = worst.max(mismatch);
    }
    worst
}

/// Appends the values a branch's `type` discriminator accepts.
fn collect_discriminator_choices(
    union_path: &[String],
    branch: &[ValidationError<'_>],
    accepted: &mut Vec<Value>,
) {
    for error in branch {
        let path = instance_path(error);
        if path.len() != union_path.len() + 1
            || !path.starts_with(union_path)
            || path.last().map(String::as_str) != Some(DISCRIMINATOR_KEY)
        {
            continue;
        }
        let values: &[Value] = match error.kind() {
            ValidationErrorKind::Constant { expected_value } => {
                std::slice::from_ref(expected_value.as_ref())
            }
            ValidationErrorKind::Enum { options } => {
                options.as_array().map(Vec::as_slice).unwrap_or_default()
            }
            _ => &[],
        };
        for value in values {
            if !accepted.contains(value) {
                accepted.push(value.clone());
            }
        }
    }
}

/// The error's instance path as object keys and array indices.
fn instance_path(error: &ValidationError<'_>) -> Vec<String> {
    error
        .instance_path()
        .segments()
        .map(|segment| segment.to_string())
        .collect()
}

/// Discord's code and type name for a value of the wrong JSON type.
fn type_error_code(kind: &TypeKind) -> (&'static str, &'static str) {
    let expected = match kind {
        TypeKind::Single(single) => Some(*single),
        // `["string", "null"]` and the like: name the non-null type.
        TypeKind::Multiple(set) => set
            .iter()
            .find(|ty| *ty != JsonType::Null)
            .or_else(|| set.iter().next()),
    };
    match expected {
        Some(JsonType::Integer) => ("NUMBER_TYPE_COERCE", "integer"),
        Some(JsonType::Number) => ("NUMBER_TYPE_COERCE", "number"),
        Some(JsonType::String) => ("STRING_TYPE_CONVERT", "string"),
        Some(JsonType::Boolean) => ("BASE_TYPE_BOOLEAN", "boolean"),
        Some(JsonType::Object) => ("DICT_TYPE_CONVERT", "object"),
        Some(JsonType::Array) => ("LIST_TYPE_CONVERT", "array"),
        Some(JsonType::Null) | None => ("BASE_TYPE_INVALID", "null"),
    }
}

/// Discord's "Value must be one of {…}." for a list of accepted values.
fn choices_message(choices: &[Value]) -> String {
    let listed: Vec<String> = choices
        .iter()
        .map(|choice| match choice {
            Value::String(text) => format!("'{text}'"),
            other => other.to_string(),
        })
        .collect();
    format!("Value must be one of {{{}}}.", listed.join(", "))
}

/// A value as a developer would write it in a message: strings bare, the rest as JSON.
fn plain_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// Field errors without duplicates, ordered by path (then code and message).
fn sorted_unique(fields: Vec<FieldError>) -> Vec<FieldError> {
    let unique: BTreeSet<(Vec<String>, String, String)> = fields
        .into_iter()
        .map(|field| (field.path, field.code, field.message))
        .collect();
    unique
        .into_iter()
        .map(|(path, code, message)| FieldError {
            path,
            code,
            message,
        })
        .collect()
}

/// Escapes one JSON pointer token (RFC 6901): `~` → `~0`, `/` → `~1`.
fn escape_pointer_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Percent-encodes the characters of a JSON pointer that are not allowed in a URI fragment.
fn percent_encode_fragment(pointer: &str) -> String {
    let mut encoded = String::with_capacity(pointer.len());
    for byte in pointer.bytes() {
        let allowed = byte.is_ascii_alphanumeric()
            || matches!(
                byte,
                b'/' | b'~'
                    | b'-'
                    | b'_'
                    | b'.'
                    | b'@'
                    | b'!'
                    | b'$'
                    | b'&'
                    | b'\''
                    | b'('
                    | b')'
                    | b'*'
                    | b'+'
                    | b','
                    | b';'
                    | b'='
                    | b':'
            );
        if allowed {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

/// Decodes `%XX` escapes (as found in keyword locations); malformed escapes are kept as written.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let escaped = (bytes[index] == b'%')
            .then(|| text.get(index + 1..index + 3))
            .flatten()
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escaped {
            Some(byte) => {
                decoded.push(byte);
                index += 3;
            }
            None => {
                decoded.push(bytes[index]);
                index += 1;
            }
        }
    }
    String::from_utf8_lossy(&decoded).into_owned()
}

/// All (method, template) operations of the spec, for exhaustive tests.
#[cfg(test)]
fn all_operations(spec: &OpenApiSpec) -> Vec<(String, String)> {
    /// HTTP methods that an OpenAPI path item may describe (lowercase, as the spec spells them).
    const OPERATION_METHODS: [&str; 8] = [
        "get", "put", "post", "delete", "options", "head", "patch", "trace",
    ];
    let mut operations = Vec::new();
    if let Some(paths) = spec.document.get("paths").and_then(Value::as_object) {
        for (template, item) in paths {
            for method in OPERATION_METHODS {
                if item.get(method).is_some() {
                    operations.push((method.to_string(), template.clone()));
                }
            }
        }
    }
    operations
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> &'static OpenApiSpec {
        OpenApiSpec::discord()
    }

    fn fields_of(method: &str, path: &str, body: Value) -> Vec<FieldError> {
        match spec().validate_json(method, path, &body) {
            Ok(()) => Vec::new(),
            Err(error) => {
                assert_eq!(error.code, 50035);
                error.fields
            }
        }
    }

    #[track_caller]
    fn assert_accepted(method: &str, path: &str, body: Value) {
        let fields = fields_of(method, path, body);
        assert!(fields.is_empty(), "{method} {path} rejected: {fields:#?}");
    }

    #[track_caller]
    fn assert_only_error(
        method: &str,
        path: &str,
        body: Value,
        field: &[&str],
        code: &str,
    ) -> String {
        let fields = fields_of(method, path, body);
        assert_eq!(fields.len(), 1, "{method} {path}: {fields:#?}");
        assert_eq!(fields[0].path, field, "{fields:#?}");
        assert_eq!(fields[0].code, code, "{fields:#?}");
        fields[0].message.clone()
    }

    /// Components as twilight-model 0.18 serializes them (a button row, a link, a string select).
    fn twilight_components() -> Value {
        json!([
            {"components": [
                {"custom_id": "shift:claim:1", "label": "Claim", "style": 1, "type": 2},
                {"label": "Docs", "style": 5, "type": 2, "url": "https://example.com"}
            ], "type": 1},
            {"components": [
                {"custom_id": "pick", "disabled": false, "max_values": 1, "min_values": 1,
                 "options": [{"default": false, "description": "d", "label": "A", "value": "a"}],
                 "placeholder": "Pick", "type": 3}
            ], "type": 1}
        ])
    }

    /// An embed as twilight-model 0.18 serializes it.
    fn twilight_embed() -> Value {
        json!({"author": {"name": "me"}, "color": 123, "description": "d",
               "fields": [{"inline": true, "name": "a", "value": "b"}], "footer": {"text": "foot"},
               "timestamp": "2023-11-14T22:13:20.000000+00:00", "title": "t", "type": "rich"})
    }

    /// A command tree as twilight-model 0.18 serializes it: subcommands, a group, choices,
    /// autocomplete, min/max values and lengths, channel types, localizations.
    fn twilight_command() -> Value {
        json!({
            "application_id": "1", "default_member_permissions": "32", "description": "Manage shifts",
            "dm_permission": false, "name": "shift", "name_localizations": {"de": "schicht"},
            "nsfw": false, "type": 1, "version": "1",
            "options": [
                {"description": "Create a shift", "name": "create", "type": 1, "options": [
                    {"autocomplete": true, "description": "Your timezone", "name": "timezone", "required": true, "type": 3},
                    {"choices": [{"name": "Cook", "value": "cook"}, {"name": "Server", "value": "server"}],
                     "description": "Role", "name": "role", "type": 3},
                    {"choices": [{"name": "One", "value": 1}], "description": "Hours", "max_value": 12,
                     "min_value": 1, "name": "hours", "type": 4},
                    {"description": "Ratio", "min_value": 0.5, "name": "ratio", "type": 10},
                    {"description": "A note", "max_length": 200, "min_length": 1, "name": "note", "type": 3},
                    {"channel_types": [0], "description": "Channel", "name": "channel", "type": 7},
                    {"description": "User", "name": "user", "type": 6},
                    {"description": "Public?", "name": "public", "type": 5}
                ]},
                {"description": "List shifts", "name": "list", "options": [], "type": 1},
                {"description": "Admin tools", "name": "admin", "type": 2, "options": [
                    {"description": "Purge", "name": "purge", "type": 1, "options": [
                        {"description": "File", "name": "file", "type": 11}
                    ]}
                ]}
            ]
        })
    }

    #[test]
    fn matches_templates_with_literals_winning() {
        let route = spec()
            .match_route("/channels/123/messages/456")
            .expect("matches");
        assert_eq!(
            route.template,
            "/channels/{channel_id}/messages/{message_id}"
        );
        assert_eq!(
            route.params,
            vec![
                ("channel_id".to_string(), "123".to_string()),
                ("message_id".to_string(), "456".to_string())
            ]
        );
        assert_eq!(
            spec().match_route("/users/@me").expect("matches").template,
            "/users/@me"
        );
        assert_eq!(
            spec().match_route("/users/42").expect("matches").template,
            "/users/{user_id}"
        );
        let original = spec()
            .match_route("/webhooks/1/tok/messages/@original")
            .expect("matches");
        assert_eq!(
            original.template,
            "/webhooks/{webhook_id}/{webhook_token}/messages/@original"
        );
        assert_eq!(original.params.len(), 2);
        assert_eq!(
            spec()
                .match_route("/channels/1/messages/bulk-delete")
                .expect("matches")
                .template,
            "/channels/{channel_id}/messages/bulk-delete"
        );
        assert_eq!(
            spec()
                .match_route("/interactions/1/tok/callback")
                .expect("matches")
                .template,
            "/interactions/{interaction_id}/{interaction_token}/callback"
        );
        assert_eq!(
            spec()
                .match_route("/channels/1/")
                .expect("trailing slash")
                .template,
            "/channels/{channel_id}"
        );
        assert_eq!(spec().match_route("/nope/1"), None);
        assert_eq!(spec().match_route("/channels//messages"), None);
        assert_eq!(spec().match_route(""), None);
    }

    #[test]
    fn accepts_message_create_as_twilight_sends_it() {
        assert_accepted(
            "POST",
            "/channels/1/messages",
            json!({"content":"hi","embeds":[{"title":"t","description":"d","color":123,"fields":[{"name":"a","value":"b","inline":true}]}],"components":[{"type":1,"components":[{"type":2,"style":1,"label":"Claim","custom_id":"shift:claim:1"}]}]}),
        );
        assert_accepted(
            "POST",
            "/channels/1/messages",
            json!({"content": "hi", "embeds": [twilight_embed()], "components": twilight_components(),
                   "nonce": 12345678901234u64, "tts": false,
                   "allowed_mentions": {"parse": ["users"], "replied_user": true},
                   "message_reference": {"channel_id": "2", "message_id": "3", "type": 0, "fail_if_not_exists": false}}),
        );
        assert_accepted(
            "PATCH",
            "/channels/1/messages/2",
            json!({"content": "edited", "embeds": [], "components": []}),
        );
    }

    #[test]
    fn accepts_every_interaction_callback_twilight_sends() {
        let callbacks = [
            json!({"type": 1}),
            json!({"type": 4, "data": {"content": "x", "flags": 64}}),
            json!({"type": 4, "data": {"content": "x", "flags": 64, "embeds": [twilight_embed()],
                                       "components": twilight_components()}}),
            json!({"type": 5}),
            json!({"type": 5, "data": {"flags": 64}}),
            json!({"type": 6}),
            json!({"type": 7, "data": {"components": [], "content": "updated"}}),
            json!({"type": 8, "data": {"choices": [{"name": "Europe/London", "value": "Europe/London"}]}}),
            json!({"type": 9, "data": {"custom_id": "m", "title": "T", "components": [
                {"type": 1, "components": [{"type": 4, "custom_id": "a", "style": 1, "label": "L"}]}]}}),
            json!({"type": 9, "data": {"custom_id": "m", "title": "T", "components": [
                {"components": [{"custom_id": "a", "label": "L", "max_length": 100, "min_length": 1,
                                 "placeholder": "p", "required": true, "style": 1, "type": 4}], "type": 1},
                {"components": [{"custom_id": "b", "label": "Long", "style": 2, "type": 4, "value": "v"}], "type": 1}]}}),
        ];
        for callback in callbacks {
            assert_accepted("POST", "/interactions/1/tok/callback", callback);
        }
    }

    #[test]
    fn accepts_command_bodies() {
        let commands = json!([
            twilight_command(),
            {"application_id": "1", "default_member_permissions": null, "description": "Pong!",
             "name": "ping", "options": [], "type": 1, "version": "1"},
            {"application_id": "1", "default_member_permissions": null, "description": "",
             "name": "Show Shifts", "options": [], "type": 2, "version": "1"},
            {"application_id": "1", "default_member_permissions": null, "description": "",
             "name": "Report Message", "options": [], "type": 3, "version": "1"}
        ]);
        assert_accepted("PUT", "/applications/1/commands", commands.clone());
        assert_accepted("PUT", "/applications/1/guilds/2/commands", commands);
        assert_accepted("POST", "/applications/1/commands", twilight_command());
        assert_accepted(
            "POST",
            "/applications/1/guilds/2/commands",
            twilight_command(),
        );
        assert_accepted(
            "PATCH",
            "/applications/1/guilds/2/commands/3",
            json!({"description": "New"}),
        );
    }

    #[test]
    fn accepts_guild_and_channel_bodies() {
        let overwrite = json!({"allow": "3072", "deny": "0", "id": "5", "type": 0});
        assert_accepted(
            "POST",
            "/guilds/1/channels",
            json!({"name": "shifts", "type": 0, "permission_overwrites": [overwrite], "parent_id": "7",
                   "topic": "Shift board", "rate_limit_per_user": 5, "nsfw": false, "position": 3}),
        );
        assert_accepted("PATCH", "/channels/1", json!({"parent_id": "7"}));
        assert_accepted(
            "PATCH",
            "/channels/1",
            json!({"parent_id": null, "name": "x", "position": 2}),
        );
        assert_accepted(
            "PATCH",
            "/guilds/1/members/2",
            json!({"roles": ["3", "4"], "nick": "Nick",
                   "communication_disabled_until": "2023-11-14T22:13:20.000000+00:00"}),
        );
        assert_accepted(
            "PATCH",
            "/guilds/1/members/2",
            json!({"communication_disabled_until": null, "nick": null}),
        );
        assert_accepted(
            "POST",
            "/guilds/1/roles",
            json!({"color": 0, "hoist": false, "mentionable": true, "name": "Staff", "permissions": "8"}),
        );
        assert_accepted(
            "POST",
            "/guilds/1/emojis",
            json!({"name": "party_time", "image": "data:image/png;base64,iVBORw0KGgo=", "roles": ["3"]}),
        );
        assert_accepted("POST", "/users/@me/channels", json!({"recipient_id": "1"}));
        assert_accepted(
            "POST",
            "/channels/1/messages/bulk-delete",
            json!({"messages": ["1", "2"]}),
        );
    }

    #[test]
    fn accepts_webhook_follow_ups_and_edits() {
        assert_accepted(
            "POST",
            "/webhooks/1/tok",
            json!({"content": "follow-up", "flags": 64, "embeds": [twilight_embed()],
                   "components": twilight_components()}),
        );
        assert_accepted(
            "PATCH",
            "/webhooks/1/tok/messages/@original",
            json!({"content": "done", "components": [], "embeds": []}),
        );
        assert_accepted(
            "PATCH",
            "/webhooks/1/tok/messages/@original",
            json!({"content": null, "components": null, "embeds": null}),
        );
        assert_accepted(
            "PATCH",
            "/webhooks/1/tok/messages/9",
            json!({"content": "edited", "allowed_mentions": {"parse": []}}),
        );
    }

    #[test]
    fn accepts_payload_json_of_uploads_and_nulls_of_edits() {
        // twilight-http sends attachment ids as JSON numbers.
        assert_accepted(
            "POST",
            "/channels/1/messages",
            json!({"content": "file", "attachments": [{"filename": "a.png", "id": 0, "description": "alt"}]}),
        );
        assert_accepted(
            "POST",
            "/webhooks/1/tok",
            json!({"attachments": [{"filename": "a.png", "id": 0}]}),
        );
        assert_accepted(
            "PATCH",
            "/channels/1/messages/2",
            json!({"content": null, "embeds": null, "components": null, "attachments": [], "flags": 4}),
        );
    }

    #[test]
    fn operations_without_json_body_accept_anything() {
        assert_accepted("GET", "/channels/1/messages", json!({"whatever": 1}));
        // Multipart-only form uploads have no `payload_json` schema.
        assert_accepted("POST", "/guilds/1/stickers", json!({}));
        assert_accepted("DELETE", "/channels/1/messages/2", json!(null));
        assert_accepted("POST", "/not/a/route", json!({"content": 5}));
    }

    #[test]
    fn names_a_missing_required_field() {
        let message = assert_only_error(
            "POST",
            "/guilds/1/channels",
            json!({"type": 0}),
            &["name"],
            "BASE_TYPE_REQUIRED",
        );
        assert_eq!(message, "This field is required");
        assert_only_error(
            "POST",
            "/interactions/1/tok/callback",
            json!({"type": 9, "data": {"custom_id": "m", "components": [
                {"type": 1, "components": [{"type": 4, "custom_id": "a", "style": 1, "label": "L"}]}]}}),
            &["data", "title"],
            "BASE_TYPE_REQUIRED",
        );
        assert_only_error(
            "POST",
            "/channels/1/messages",
            json!({"embeds": [{"fields": [{"name": "a"}]}]}),
            &["embeds", "0", "fields", "0", "value"],
            "BASE_TYPE_REQUIRED",
        );
    }

    #[test]
    fn names_a_wrong_type() {
        let message = assert_only_error(
            "POST",
            "/channels/1/messages",
            json!({"content": 5}),
            &["content"],
            "STRING_TYPE_CONVERT",
        );
        assert_eq!(message, "Could not interpret \"5\" as string.");
        let message = assert_only_error(
            "POST",
            "/guilds/1/channels",
            json!({"name": "x", "rate_limit_per_user": "slow"}),
            &["rate_limit_per_user"],
            "NUMBER_TYPE_COERCE",
        );
        assert_eq!(message, "Could not interpret \"slow\" as integer.");
        assert_only_error(
            "POST",
            "/channels/1/messages",
            json!({"tts": "yes"}),
            &["tts"],
            "BASE_TYPE_BOOLEAN",
        );
        assert_only_error(
            "POST",
            "/channels/1/messages",
            json!({"embeds": {"title": "t"}}),
            &["embeds"],
            "LIST_TYPE_CONVERT",
        );
        assert_only_error(
            "POST",
            "/channels/1/messages/bulk-delete",
            json!({"messages": ["1", "abc"]}),
            &["messages", "1"],
            "NUMBER_TYPE_COERCE",
        );
    }

    #[test]
    fn names_a_too_long_button_label_inside_a_callback() {
        let body = json!({"type": 4, "data": {"content": "x", "components": [{"type": 1, "components": [
            {"type": 2, "style": 1, "label": "ok", "custom_id": "a"},
            {"type": 2, "style": 1, "label": "x".repeat(300), "custom_id": "b"}]}]}});
        let message = assert_only_error(
            "POST",
            "/interactions/1/tok/callback",
            body,
            &["data", "components", "0", "components", "1", "label"],
            "BASE_TYPE_MAX_LENGTH",
        );
        assert_eq!(message, "Must be 80 or fewer in length.");
    }

    #[test]
    fn reports_bad_length_when_both_bounds_exist() {
        let message = assert_only_error(
            "POST",
            "/channels/1/messages",
            json!({"components": [{"type": 1, "components": [
                {"type": 2, "style": 1, "label": "L", "custom_id": "x".repeat(101)}]}]}),
            &["components", "0", "components", "0", "custom_id"],
            "BASE_TYPE_BAD_LENGTH",
        );
        assert_eq!(message, "Must be between 1 and 100 in length.");
        let message = assert_only_error(
            "POST",
            "/channels/1/messages",
            json!({"components": [{"type": 1, "components": []}]}),
            &["components", "0", "components"],
            "BASE_TYPE_BAD_LENGTH",
        );
        assert_eq!(message, "Must be between 1 and 5 in length.");
    }

    #[test]
    fn reports_array_and_number_limits() {
        let embeds: Vec<Value> = (0..11).map(|_| json!({"title": "t"})).collect();
        let message = assert_only_error(
            "POST",
            "/channels/1/messages",
            json!({ "embeds": embeds }),
            &["embeds"],
            "BASE_TYPE_MAX_LENGTH",
        );
        assert_eq!(message, "Must be 10 or fewer in length.");
        let message = assert_only_error(
            "POST",
            "/guilds/1/channels",
            json!({"name": "x", "rate_limit_per_user": 999_999}),
            &["rate_limit_per_user"],
            "NUMBER_TYPE_MAX",
        );
        assert_eq!(message, "int value should be less than or equal to 21600.");
        let message = assert_only_error(
            "POST",
            "/guilds/1/channels",
            json!({"name": "x", "rate_limit_per_user": -1}),
            &["rate_limit_per_user"],
            "NUMBER_TYPE_MIN",
        );
        assert_eq!(message, "int value should be greater than or equal to 0.");
    }

    #[test]
    fn resolves_unions_to_the_meant_branch() {
        // A select with a bad option label: the select branch, not "matches no component".
        assert_only_error(
            "POST",
            "/channels/1/messages",
            json!({"components": [{"type": 1, "components": [{"type": 3, "custom_id": "s",
                "options": [{"label": "x".repeat(101), "value": "v"}]}]}]}),
            &[
                "components",
                "0",
                "components",
                "0",
                "options",
                "0",
                "label",
            ],
            "BASE_TYPE_BAD_LENGTH",
        );
        // An unknown callback type lists the accepted ones.
        let message = assert_only_error(
            "POST",
            "/interactions/1/tok/callback",
            json!({"type": 99}),
            &["type"],
            "BASE_TYPE_CHOICES",
        );
        assert_eq!(
            message,
            "Value must be one of {1, 4, 5, 6, 7, 8, 9, 12, 13}."
        );
        // An unknown component type inside a row lists the component types a row accepts.
        let message = assert_only_error(
            "POST",
            "/channels/1/messages",
            json!({"components": [{"type": 1, "components": [{"type": 42, "custom_id": "x"}]}]}),
            &["components", "0", "components", "0", "type"],
            "BASE_TYPE_CHOICES",
        );
        assert_eq!(message, "Value must be one of {2, 3, 5, 6, 7, 8}.");
        // A nullable object given a string is reported as not an object, not as not null.
        assert_only_error(
            "POST",
            "/channels/1/messages",
            json!({"content": "x", "poll": "nope"}),
            &["poll"],
            "DICT_TYPE_CONVERT",
        );
        // Nullable unions (`oneOf [null, X]`) report X's errors.
        assert_only_error(
            "POST",
            "/channels/1/messages",
            json!({"content": "x", "allowed_mentions": {"parse": ["everyone", "nobody"]}}),
            &["allowed_mentions", "parse", "1"],
            "BASE_TYPE_CHOICES",
        );
    }

    #[test]
    fn spec_exceptions_accept_what_discord_accepts() {
        // Permission bitsets as strings (the spec says integer).
        assert_accepted("PATCH", "/guilds/1/roles/2", json!({"permissions": "1024"}));
        assert_accepted("PATCH", "/guilds/1/roles/2", json!({"permissions": 1024}));
        assert_accepted(
            "PUT",
            "/channels/1/permissions/2",
            json!({"allow": "1024", "deny": "0", "type": 1}),
        );
        let message = assert_only_error(
            "PATCH",
            "/guilds/1/roles/2",
            json!({"permissions": "lots"}),
            &["permissions"],
            "NUMBER_TYPE_COERCE",
        );
        assert_eq!(message, "Could not interpret \"lots\" as integer.");
        // Snowflakes as JSON numbers.
        assert_accepted(
            "POST",
            "/users/@me/channels",
            json!({"recipient_id": 80351110224678912u64}),
        );
        let message = assert_only_error(
            "POST",
            "/users/@me/channels",
            json!({"recipient_id": "me"}),
            &["recipient_id"],
            "NUMBER_TYPE_COERCE",
        );
        assert_eq!(message, "Value \"me\" is not snowflake.");
        assert_only_error(
            "POST",
            "/users/@me/channels",
            json!({"recipient_id": -4}),
            &["recipient_id"],
            "NUMBER_TYPE_MIN",
        );
    }

    #[test]
    fn accepts_unknown_fields() {
        assert_accepted(
            "POST",
            "/channels/1/messages",
            json!({"content": "hi", "not_a_discord_field": true}),
        );
    }

    #[test]
    fn error_list_is_sorted_and_deduplicated() {
        let fields = fields_of(
            "POST",
            "/guilds/1/channels",
            json!({"name": 5, "rate_limit_per_user": "x", "topic": 7}),
        );
        let paths: Vec<&str> = fields.iter().map(|field| field.path[0].as_str()).collect();
        assert_eq!(paths, ["name", "rate_limit_per_user", "topic"]);
    }

    #[test]
    fn pointer_escaping_and_percent_coding_round_trip() {
        assert_eq!(escape_pointer_token("/a~b/{c}"), "~1a~0b~1{c}");
        assert_eq!(
            percent_encode_fragment("/paths/~1a~1{b}"),
            "/paths/~1a~1%7Bb%7D"
        );
        assert_eq!(percent_decode("/paths/~1a~1%7Bb%7D"), "/paths/~1a~1{b}");
        assert_eq!(percent_decode("100%"), "100%");
    }

    #[test]
    fn every_operation_with_a_body_compiles() {
        let spec = OpenApiSpec::from_json(DISCORD_SPEC_JSON).expect("spec loads");
        let mut with_body = 0;
        for (method, template) in all_operations(&spec) {
            if spec.body_schema_pointer(&method, &template).is_none() {
                continue;
            }
            with_body += 1;
            assert!(
                spec.compile_body_validator(&method, &template).is_some(),
                "{method} {template} does not compile"
            );
        }
        assert!(with_body >= 85, "only {with_body} operations with a body");
    }

    /// A validator is compiled once per operation and then shared (how fast it compiles
    /// is a figure for a benchmark, not a test).
    #[test]
    fn a_validator_is_compiled_once_and_reused() {
        let spec = OpenApiSpec::from_json(DISCORD_SPEC_JSON).expect("spec loads");
        for (method, template) in [
            ("POST", "/channels/{channel_id}/messages"),
            (
                "POST",
                "/interactions/{interaction_id}/{interaction_token}/callback",
            ),
            ("PUT", "/applications/{application_id}/commands"),
        ] {
            let first = spec.validator_for(method, template);
            let first = first.unwrap_or_else(|| panic!("{method} {template}"));
            let again = spec.validator_for(method, template).expect("cached");
            assert!(
                Arc::ptr_eq(&first, &again),
                "{method} {template} was compiled twice"
            );
        }
    }
}
