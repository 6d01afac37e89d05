//! The message catalogue: every text a person reads comes from the Fluent files under
//! `actors/locales/<language>/<area>.ftl`, embedded in the binary and loaded once, in
//! the [`Locale`] chosen for the reader — the guild's `/config locale`, else the person's
//! own Discord language, else English.
//!
//! Code asks for a text with [`t!`](crate::t): `t!(locale, "shift-cancelled", id = 42)`.
//! A key missing from a language falls back to English (and a test fails first: every
//! key the code uses must exist, and every language must have the same keys with the
//! same variables). Fluent's Unicode isolation marks are off: Discord shows them as
//! stray characters and they would break mentions such as `<@123>` and `<t:…:F>`.

use std::sync::LazyLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

/// The stored guild setting for "each person in their own Discord language" (the default).
pub const AUTO: &str = "auto";

/// A language Agora speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Locale {
    English,
    German,
}

impl Locale {
    /// Every language with a complete catalogue; English first (the fallback).
    pub const ALL: [Locale; 2] = [Locale::English, Locale::German];

    /// The tag stored for a guild and the catalogue's folder name (`en-US`, `de`).
    pub fn tag(self) -> &'static str {
        match self {
            Locale::English => "en-US",
            Locale::German => "de",
        }
    }

    /// The language's own name, as people look for it in a list.
    pub fn name(self) -> &'static str {
        match self {
            Locale::English => "English",
            Locale::German => "Deutsch",
        }
    }

    /// The language we have for a locale tag as Discord spells them, by its primary
    /// language (`de`, `de-AT` → German; `en-GB` → English); `None` for one we lack.
    pub fn from_tag(tag: &str) -> Option<Locale> {
        let primary = tag.trim().split(['-', '_']).next().unwrap_or_default();
        Locale::ALL
            .into_iter()
            .find(|locale| locale.tag().split('-').next() == Some(&*primary.to_lowercase()))
    }

    /// Who reads this: the guild's chosen language if it chose one we have; else the
    /// person's Discord locale if we have it; else English.
    pub fn resolve(guild_setting: Option<&str>, person: Option<&str>) -> Locale {
        match guild_setting.map(GuildLocale::parse) {
            Some(GuildLocale::Fixed(locale)) => locale,
            _ => person.and_then(Locale::from_tag).unwrap_or(Locale::English),
        }
    }

    /// For texts not tied to one person (reminders by DM, pings, log entries, notices):
    /// the guild's chosen language, else English.
    pub fn for_guild(guild_setting: &str) -> Locale {
        Locale::resolve(Some(guild_setting), None)
    }

    /// A decimal number as this language writes it (`3.5` → `3,5` in German).
    pub fn decimal(self, text: &str) -> String {
        match self {
            Locale::English => text.to_owned(),
            Locale::German => text.replace('.', ","),
        }
    }
}

/// What a guild's stored `locale` setting means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GuildLocale {
    /// Never chose, or chose "auto": each person reads their own Discord language.
    Auto,
    /// Chose a language we have.
    Fixed(Locale),
    /// A language we do not have (stored before it was checked): read like `Auto`.
    Unsupported(String),
}

impl GuildLocale {
    pub fn parse(stored: &str) -> GuildLocale {
        if stored.is_empty() || stored.eq_ignore_ascii_case(AUTO) {
            return GuildLocale::Auto;
        }
        match Locale::from_tag(stored) {
            Some(locale) => GuildLocale::Fixed(locale),
            None => GuildLocale::Unsupported(stored.to_owned()),
        }
    }

    /// Checks a language an admin chose in `/config locale`: the value to store, or why
    /// not (say [`UnsupportedLocale::message`] and change nothing).
    pub fn choose(value: &str) -> Result<String, UnsupportedLocale> {
        match GuildLocale::parse(value) {
            GuildLocale::Auto => Ok(AUTO.to_owned()),
            GuildLocale::Fixed(_) => Ok(value.trim().to_owned()),
            GuildLocale::Unsupported(tag) => Err(UnsupportedLocale(tag)),
        }
    }
}

/// A language Agora has no catalogue for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no message catalogue for locale {0:?}")]
pub struct UnsupportedLocale(pub String);

impl UnsupportedLocale {
    /// The answer for the admin who chose it: which languages exist, nothing changed.
    pub fn message(&self, locale: Locale) -> String {
        let available: Vec<String> = Locale::ALL
            .iter()
            .map(|l| format!("{} (`{}`)", l.name(), l.tag()))
            .collect();
        crate::t!(
            locale,
            "locale-unsupported",
            tag = self.0.as_str(),
            available = available.join(", ")
        )
    }
}

/// One variable's value for a message.
#[derive(Debug, Clone)]
pub struct Arg(FluentValue<'static>);

/// What can be put in a message: text, and whole numbers (which Fluent's plural rules
/// can select on). Numbers too large for an exact `f64` (Discord ids) go in as text.
pub trait IntoArg {
    fn into_arg(self) -> Arg;
}

impl IntoArg for String {
    fn into_arg(self) -> Arg {
        Arg(FluentValue::from(self))
    }
}

impl IntoArg for &str {
    fn into_arg(self) -> Arg {
        Arg(FluentValue::from(self.to_owned()))
    }
}

impl IntoArg for &String {
    fn into_arg(self) -> Arg {
        Arg(FluentValue::from(self.clone()))
    }
}

impl<T> IntoArg for twilight_model::id::Id<T> {
    fn into_arg(self) -> Arg {
        Arg(FluentValue::from(self.to_string()))
    }
}

/// The largest integer an `f64` holds exactly.
const EXACT: i64 = 1 << 53;

macro_rules! integer_args {
    ($($int:ty),*) => {$(
        impl IntoArg for $int {
            fn into_arg(self) -> Arg {
                match i64::try_from(self) {
                    Ok(n) if (-EXACT..=EXACT).contains(&n) => Arg(FluentValue::from(n)),
                    _ => Arg(FluentValue::from(self.to_string())),
                }
            }
        }
    )*};
}
integer_args!(i32, i64, u32, u64, usize);

/// A text from the catalogue: `t!(locale, "key")` or `t!(locale, "key", name = value, …)`.
#[macro_export]
macro_rules! t {
    ($locale:expr, $key:literal $(, $name:ident = $value:expr)* $(,)?) => {
        $crate::kernel::i18n::tr(
            $locale,
            $key,
            &[$((stringify!($name), $crate::kernel::i18n::IntoArg::into_arg($value))),*],
        )
    };
}

/// The text of `key` in `locale` (English when that language lacks it; the key itself,
/// logged, when no language has it). Prefer [`t!`](crate::t).
pub fn tr(locale: Locale, key: &str, args: &[(&str, Arg)]) -> String {
    let catalogue = &*CATALOGUE;
    let found = [locale, Locale::English].into_iter().find_map(|locale| {
        let bundle = catalogue.bundle(locale);
        let pattern = bundle.get_message(key)?.value()?;
        Some((bundle, pattern))
    });
    let Some((bundle, pattern)) = found else {
        tracing::warn!(
            key,
            locale = locale.tag(),
            "no such message in the catalogue"
        );
        return key.to_owned();
    };
    let mut fluent_args = FluentArgs::with_capacity(args.len());
    for (name, Arg(value)) in args {
        fluent_args.set(*name, value.clone());
    }
    let mut errors = Vec::new();
    let text = bundle.format_pattern(pattern, Some(&fluent_args), &mut errors);
    if !errors.is_empty() {
        tracing::warn!(
            key,
            locale = locale.tag(),
            ?errors,
            "a message did not format cleanly"
        );
    }
    text.into_owned()
}

/// The text of an optional `key` (one built at run time, such as a feature's
/// `help-category-<key>-title`) in `locale`, else in English; `None` when no language has
/// it, so the caller can fall back to what the feature declared.
pub fn lookup(locale: Locale, key: &str) -> Option<String> {
    let catalogue = &*CATALOGUE;
    [locale, Locale::English].into_iter().find_map(|locale| {
        let bundle = catalogue.bundle(locale);
        let pattern = bundle.get_message(key)?.value()?;
        let mut errors = Vec::new();
        Some(
            bundle
                .format_pattern(pattern, None, &mut errors)
                .into_owned(),
        )
    })
}

/// A feature's messages: one `.ftl` file per language, embedded from
/// `<crate>/locales/<language>/<area>.ftl`. A feature declares them in its own folder with
/// [`translations!`](crate::translations) and the catalogue gathers every declaration
/// linked into the binary (the kernel names no feature).
#[derive(Debug)]
pub struct Translations {
    pub area: &'static str,
    pub sources: &'static [(Locale, &'static str)],
}

inventory::collect!(Translations);

#[doc(hidden)]
pub use inventory;

/// Declares a feature's translations, `translations!("shifts")`: its
/// `locales/en-US/shifts.ftl` and `locales/de/shifts.ftl`, from the declaring crate's
/// folder (so a bot developer's crate brings its own). A language Agora adds is added here
/// once, for every feature.
#[macro_export]
macro_rules! translations {
    ($area:literal) => {
        $crate::kernel::i18n::inventory::submit! {
            $crate::kernel::i18n::Translations {
                area: $area,
                sources: &[
                    (
                        $crate::kernel::i18n::Locale::English,
                        include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/locales/en-US/", $area, ".ftl")),
                    ),
                    (
                        $crate::kernel::i18n::Locale::German,
                        include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/locales/de/", $area, ".ftl")),
                    ),
                ],
            }
        }
    };
}

/// The `.ftl` sources of a language, (area, text): the kernel's own, then every feature's
/// declared [`Translations`] in the order of their names.
fn sources(locale: Locale) -> Vec<(&'static str, &'static str)> {
    let kernel = match locale {
        Locale::English => include_str!("../../locales/en-US/kernel.ftl"),
        Locale::German => include_str!("../../locales/de/kernel.ftl"),
    };
    let mut declared: Vec<&Translations> = inventory::iter::<Translations>.into_iter().collect();
    declared.sort_by_key(|translations| translations.area);
    std::iter::once(("kernel", kernel))
        .chain(declared.into_iter().flat_map(|translations| {
            translations
                .sources
                .iter()
                .filter(move |(language, _)| *language == locale)
                .map(move |(_, source)| (translations.area, *source))
        }))
        .collect()
}

struct Catalogue {
    bundles: Vec<(Locale, FluentBundle<FluentResource>)>,
}

impl Catalogue {
    fn load() -> Catalogue {
        let bundles = Locale::ALL
            .into_iter()
            .map(|locale| (locale, bundle_for(locale)))
            .collect();
        Catalogue { bundles }
    }

    fn bundle(&self, locale: Locale) -> &FluentBundle<FluentResource> {
        // `load` built one bundle for each of `Locale::ALL`, English first.
        &self
            .bundles
            .iter()
            .find(|(l, _)| *l == locale)
            .unwrap_or(&self.bundles[0])
            .1
    }
}

fn bundle_for(locale: Locale) -> FluentBundle<FluentResource> {
    let language: unic_langid::LanguageIdentifier = locale.tag().parse().unwrap_or_default();
    let mut bundle = FluentBundle::new_concurrent(vec![language]);
    bundle.set_use_isolating(false);
    for (area, source) in sources(locale) {
        // A syntax error skips only the broken entries (and the tests below fail on it).
        let resource =
            FluentResource::try_new(source.to_owned()).unwrap_or_else(|(resource, errors)| {
                tracing::error!(locale = locale.tag(), area, ?errors, "broken .ftl file");
                resource
            });
        if let Err(errors) = bundle.add_resource(resource) {
            tracing::error!(
                locale = locale.tag(),
                area,
                ?errors,
                "duplicate message ids"
            );
        }
    }
    bundle
}

static CATALOGUE: LazyLock<Catalogue> = LazyLock::new(Catalogue::load);

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};
    use std::path::{Path, PathBuf};

    use fluent_syntax::ast;

    use super::*;

    /// Each message of a language: its key and the variables it uses.
    fn messages(locale: Locale) -> BTreeMap<String, BTreeSet<String>> {
        let mut messages = BTreeMap::new();
        for (area, source) in sources(locale) {
            let resource = fluent_syntax::parser::parse(source).unwrap_or_else(|(_, errors)| {
                panic!("{}/{area}.ftl does not parse: {errors:?}", locale.tag())
            });
            for entry in resource.body {
                if let ast::Entry::Message(message) = entry {
                    let mut variables = BTreeSet::new();
                    if let Some(value) = &message.value {
                        pattern_variables(value, &mut variables);
                    }
                    let key = message.id.name.to_owned();
                    assert!(
                        messages.insert(key.clone(), variables).is_none(),
                        "{}: `{key}` is defined twice",
                        locale.tag()
                    );
                }
            }
        }
        messages
    }

    fn pattern_variables(pattern: &ast::Pattern<&str>, out: &mut BTreeSet<String>) {
        for element in &pattern.elements {
            if let ast::PatternElement::Placeable { expression } = element {
                expression_variables(expression, out);
            }
        }
    }

    fn expression_variables(expression: &ast::Expression<&str>, out: &mut BTreeSet<String>) {
        match expression {
            ast::Expression::Select { selector, variants } => {
                inline_variables(selector, out);
                for variant in variants {
                    pattern_variables(&variant.value, out);
                }
            }
            ast::Expression::Inline(inline) => inline_variables(inline, out),
        }
    }

    fn inline_variables(inline: &ast::InlineExpression<&str>, out: &mut BTreeSet<String>) {
        match inline {
            ast::InlineExpression::VariableReference { id } => {
                out.insert(id.name.to_owned());
            }
            ast::InlineExpression::Placeable { expression } => {
                expression_variables(expression, out)
            }
            _ => {}
        }
    }

    #[test]
    fn every_language_has_every_key_with_the_same_variables() {
        let english = messages(Locale::English);
        for locale in Locale::ALL.into_iter().skip(1) {
            let other = messages(locale);
            let missing: Vec<_> = english.keys().filter(|k| !other.contains_key(*k)).collect();
            let extra: Vec<_> = other.keys().filter(|k| !english.contains_key(*k)).collect();
            assert!(
                missing.is_empty(),
                "missing in {}: {missing:?}",
                locale.tag()
            );
            assert!(extra.is_empty(), "only in {}: {extra:?}", locale.tag());
            for (key, variables) in &english {
                assert_eq!(
                    &other[key],
                    variables,
                    "`{key}` uses other variables in {} than in en-US",
                    locale.tag()
                );
            }
        }
    }

    /// Every `t!(locale, "key", name = …)` in the crate's sources: (file, key, names).
    fn uses_in_code() -> Vec<(PathBuf, String, BTreeSet<String>)> {
        fn walk(dir: &Path, files: &mut Vec<PathBuf>) {
            for entry in std::fs::read_dir(dir).expect("a readable source folder") {
                let path = entry.expect("a folder entry").path();
                if path.is_dir() {
                    walk(&path, files);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    files.push(path);
                }
            }
        }
        let mut files = Vec::new();
        let actors = Path::new(env!("CARGO_MANIFEST_DIR"));
        walk(&actors.join("src"), &mut files);
        // The binary's boot notices use the catalogue too.
        let binary = actors.join("../src");
        if binary.is_dir() {
            walk(&binary, &mut files);
        }
        let mut uses = Vec::new();
        for file in files {
            let text = std::fs::read_to_string(&file).expect("a readable source file");
            let code: String = text
                .lines()
                .filter(|line| !line.trim_start().starts_with("//"))
                .collect::<Vec<_>>()
                .join("\n");
            let mut rest = code.as_str();
            while let Some(at) = rest.find("t!(") {
                let before = rest[..at].chars().next_back();
                let call = &rest[at + 3..];
                rest = call;
                if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                    continue; // format!(, assert!( …
                }
                let arguments = top_level_arguments(call);
                let Some(key) = arguments.get(1).map(|a| a.trim()) else {
                    continue;
                };
                let key = key.trim_matches('"').to_owned();
                let names = arguments[2..]
                    .iter()
                    .filter_map(|a| a.split_once('=').map(|(name, _)| name.trim().to_owned()))
                    .filter(|name| !name.is_empty())
                    .collect();
                uses.push((file.clone(), key, names));
            }
        }
        uses
    }

    /// The comma-separated arguments of a call, up to its closing parenthesis.
    fn top_level_arguments(call: &str) -> Vec<String> {
        let mut arguments = vec![String::new()];
        let mut depth = 0;
        let mut chars = call.chars();
        let mut in_string = false;
        while let Some(c) = chars.next() {
            if in_string {
                arguments.last_mut().unwrap().push(c);
                match c {
                    '\\' => arguments.last_mut().unwrap().extend(chars.next()),
                    '"' => in_string = false,
                    _ => {}
                }
                continue;
            }
            match c {
                '"' => in_string = true,
                '(' | '[' | '{' => depth += 1,
                ')' | ']' | '}' if depth == 0 => break,
                ')' | ']' | '}' => depth -= 1,
                ',' if depth == 0 => {
                    arguments.push(String::new());
                    continue;
                }
                _ => {}
            }
            arguments.last_mut().unwrap().push(c);
        }
        arguments.retain(|a| !a.trim().is_empty());
        arguments
    }

    #[test]
    fn every_key_the_code_uses_exists_with_the_variables_it_passes() {
        let english = messages(Locale::English);
        let uses = uses_in_code();
        assert!(uses.len() > 50, "the scan found only {} uses", uses.len());
        for (file, key, names) in uses {
            let Some(variables) = english.get(&key) else {
                panic!("{}: `{key}` is not in en-US", file.display());
            };
            assert_eq!(
                &names,
                variables,
                "{}: `{key}` is given other variables than it uses",
                file.display()
            );
        }
    }

    #[test]
    fn the_guild_choice_wins_then_the_person_then_english() {
        assert_eq!(Locale::resolve(Some("de"), Some("en-US")), Locale::German);
        assert_eq!(Locale::resolve(Some("en-US"), Some("de")), Locale::English);
        assert_eq!(Locale::resolve(Some(AUTO), Some("de")), Locale::German);
        assert_eq!(Locale::resolve(Some(AUTO), Some("fr")), Locale::English);
        assert_eq!(Locale::resolve(Some(AUTO), None), Locale::English);
        assert_eq!(Locale::resolve(None, Some("de-AT")), Locale::German);
        // A language we do not have, stored before it was checked: like "auto".
        assert_eq!(Locale::resolve(Some("fr"), Some("de")), Locale::German);
        assert_eq!(Locale::resolve(Some("ja"), Some("pt-BR")), Locale::English);
        assert_eq!(Locale::for_guild("de"), Locale::German);
        assert_eq!(Locale::for_guild(AUTO), Locale::English);
        assert_eq!(Locale::for_guild("es-ES"), Locale::English);
        assert_eq!(Locale::from_tag("en-GB"), Some(Locale::English));
        assert_eq!(Locale::from_tag("DE"), Some(Locale::German));
        assert_eq!(Locale::from_tag(""), None);
    }

    #[test]
    fn only_languages_we_have_can_be_chosen() {
        assert_eq!(GuildLocale::choose("de"), Ok("de".to_owned()));
        assert_eq!(GuildLocale::choose("auto"), Ok(AUTO.to_owned()));
        let refused = GuildLocale::choose("fr").unwrap_err();
        let answer = refused.message(Locale::English);
        assert!(
            answer.contains("`fr`") && answer.contains("Deutsch (`de`)"),
            "{answer}"
        );
    }

    #[test]
    fn messages_have_no_isolation_marks_and_keep_mentions_intact() {
        let text = t!(Locale::German, "shift-status-claimed", user = 123_i64);
        assert_eq!(text, "✅ Übernommen von <@123>");
        let text = t!(
            Locale::English,
            "shift-status-claimed",
            user = 1_234_567_890_123_456_789_i64
        );
        assert_eq!(text, "✅ Claimed by <@1234567890123456789>");
        assert!(!text.contains(['\u{2068}', '\u{2069}']));
    }

    #[test]
    fn an_optional_key_is_found_in_the_language_else_english_else_none() {
        assert_eq!(
            lookup(Locale::German, "help-category-shifts-title").as_deref(),
            Some("Moderationsschichten")
        );
        assert_eq!(lookup(Locale::German, "setting-unit-kudos"), None);
    }

    #[test]
    fn a_missing_key_falls_back_to_the_key() {
        assert_eq!(tr(Locale::German, "no-such-key", &[]), "no-such-key");
    }
}
