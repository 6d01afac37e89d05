//! A feature is a unit: one [`Feature`] descriptor declares its name, its commands, its
//! `/help` categories, its `/config <feature> …` settings, its migrations for both
//! backends, its own table in config.toml, the gateway intents it needs, its tickers, and
//! how it starts its actors.
//! Boot walks one list of features (`core`, `shifts`, then a bot developer's own); the
//! kernel, the core and the dispatcher name none of them.

use std::sync::Arc;

use futures::FutureExt;

use diesel_migrations::EmbeddedMigrations;
use figment::Figment;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use twilight_gateway::Intents;

use crate::bus::EventBus;
use crate::dispatcher::{InteractionRequest, Routes};
use crate::kernel::catalogue::{CommandEntry, PrefixEntry};
use crate::kernel::custom_id::CustomId;
use crate::kernel::i18n::{self, Locale};
use crate::kernel::policy::AccessLevel;
use crate::kernel::reply::Reply;
use crate::kernel::supervision::{Concern, ConcernHandle, Limits};
use crate::kernel::ticker::{Ticker, TickerSpec};
use crate::kernel::Kernel;
use crate::t;

/// A group of commands in `/help`, as data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HelpCategory {
    /// The value the help menu carries (`shifts`); unique across features.
    pub key: &'static str,
    pub title: &'static str,
    pub blurb: &'static str,
}

impl HelpCategory {
    /// The title in `locale`: the catalogue's optional `help-category-<key>-title`, else
    /// the declared English (a feature without translations still shows its own).
    pub fn title_in(&self, locale: Locale) -> String {
        i18n::lookup(locale, &format!("help-category-{}-title", self.key))
            .unwrap_or_else(|| self.title.to_owned())
    }

    /// The blurb in `locale`: `help-category-<key>-blurb`, else the declared English.
    pub fn blurb_in(&self, locale: Locale) -> String {
        i18n::lookup(locale, &format!("help-category-{}-blurb", self.key))
            .unwrap_or_else(|| self.blurb.to_owned())
    }
}

/// What kind of value a setting holds; `/config <feature> <key> value:` takes it typed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SettingKind {
    /// A text or announcement channel of the guild.
    Channel,
    /// A category of the guild's channels.
    Category,
    /// A role of the guild.
    Role,
    Boolean,
    /// A whole number in `min..=max`, shown with `unit` ("minutes").
    Integer {
        min: i64,
        max: i64,
        unit: &'static str,
    },
    /// A number in `min..=max`, shown with `unit` ("hours").
    Number {
        min: f64,
        max: f64,
        unit: &'static str,
    },
}

/// One setting a feature lets a guild change, stored per guild as
/// (guild, feature, key) → JSON value.
#[derive(Debug, Clone, PartialEq)]
pub struct SettingSpec {
    /// The subcommand's name (`lock-window`) and the stored key.
    pub key: &'static str,
    /// What it does, in `/help` and in the command's description (≤ 100 characters).
    pub description: &'static str,
    pub kind: SettingKind,
    /// The value of a guild that changed nothing (`Value::Null`: not set).
    pub default: Value,
}

impl SettingSpec {
    /// Checks a value given for this setting (a modified client may send anything); the
    /// refusal in English. Prefer [`SettingSpec::validate_in`].
    pub fn validate(&self, value: &Value) -> Result<(), String> {
        self.validate_in(value, Locale::English)
    }

    /// Checks a value given for this setting; the refusal in `locale`.
    pub fn validate_in(&self, value: &Value, locale: Locale) -> Result<(), String> {
        let key = self.key;
        match (self.kind, value) {
            (
                SettingKind::Channel | SettingKind::Category | SettingKind::Role,
                Value::Number(n),
            ) if n.as_u64().is_some() => Ok(()),
            (SettingKind::Boolean, Value::Bool(_)) => Ok(()),
            (SettingKind::Integer { min, max, unit }, value) => match value.as_i64() {
                Some(n) if (min..=max).contains(&n) => Ok(()),
                Some(n) => Err(t!(
                    locale,
                    "setting-out-of-range",
                    key = key,
                    min = min,
                    max = max,
                    unit = unit_in(unit, locale),
                    value = n
                )),
                None => Err(t!(
                    locale,
                    "setting-whole-number",
                    key = key,
                    unit = unit_in(unit, locale)
                )),
            },
            (SettingKind::Number { min, max, unit }, value) => match value.as_f64() {
                Some(n) if n.is_finite() && n >= min && n <= max => Ok(()),
                Some(n) => Err(t!(
                    locale,
                    "setting-out-of-range",
                    key = key,
                    min = locale.decimal(&min.to_string()),
                    max = locale.decimal(&max.to_string()),
                    unit = unit_in(unit, locale),
                    value = locale.decimal(&n.to_string())
                )),
                None => Err(t!(
                    locale,
                    "setting-number",
                    key = key,
                    unit = unit_in(unit, locale)
                )),
            },
            _ => Err(t!(locale, "setting-wrong-value", key = key)),
        }
    }

    /// A stored value as people read it (`<#123>`, `on`, `15 minutes`), in English.
    /// Prefer [`SettingSpec::display_in`].
    pub fn display(&self, value: &Value) -> String {
        self.display_in(value, Locale::English)
    }

    /// A stored value as people read it in `locale` (`15 minutes`, `15 Minuten`).
    pub fn display_in(&self, value: &Value, locale: Locale) -> String {
        match (self.kind, value) {
            (_, Value::Null) => t!(locale, "setting-not-set"),
            (SettingKind::Channel | SettingKind::Category, value) => {
                format!("<#{}>", value.as_u64().unwrap_or_default())
            }
            (SettingKind::Role, value) => format!("<@&{}>", value.as_u64().unwrap_or_default()),
            (SettingKind::Boolean, value) => {
                if value.as_bool().unwrap_or(false) {
                    t!(locale, "setting-on")
                } else {
                    t!(locale, "setting-off")
                }
            }
            (SettingKind::Integer { unit, .. } | SettingKind::Number { unit, .. }, value) => t!(
                locale,
                "setting-amount",
                value = locale.decimal(&value.to_string()),
                unit = unit_in(unit, locale)
            ),
        }
    }
}

/// A guild's stored value for one of a feature's settings, else the setting's declared
/// default (`Value::Null` for a key `specs` does not declare): how a feature reads its
/// settings typed.
pub fn setting_value(
    values: &crate::kernel::guild_config::FeatureValues,
    feature: &str,
    specs: &[SettingSpec],
    key: &str,
) -> Value {
    values.get(feature, key).cloned().unwrap_or_else(|| {
        specs
            .iter()
            .find(|spec| spec.key == key)
            .map_or(Value::Null, |spec| spec.default.clone())
    })
}

/// A declared unit in `locale`: its optional `setting-unit-<unit>` text, else as declared.
fn unit_in(unit: &str, locale: Locale) -> String {
    i18n::lookup(locale, &format!("setting-unit-{unit}")).unwrap_or_else(|| unit.to_owned())
}

/// A feature's migrations for each backend, embedded from its folder with
/// `diesel_migrations::embed_migrations!`. Versions are `YYYY-MM-DD-HHMMSS` and unique
/// across features: all features' migrations run together in version order.
#[derive(Clone, Copy, Default)]
pub struct Migrations {
    pub sqlite: Option<&'static EmbeddedMigrations>,
    pub postgres: Option<&'static EmbeddedMigrations>,
}

impl std::fmt::Debug for Migrations {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Migrations")
            .field("sqlite", &self.sqlite.is_some())
            .field("postgres", &self.postgres.is_some())
            .finish()
    }
}

/// Per concern, how much it takes on at once (`[runtime] max_in_flight`, its overrides,
/// and `mailbox_capacity`).
pub type LimitsFor = Arc<dyn Fn(&str) -> Limits + Send + Sync>;

/// A feature's own process-level table in config.toml, `[name]`, and its environment
/// variables `AGORA_<NAME>__<KEY>`: declared in the feature's folder with
/// [`ConfigSection::of`], checked at load with every other key (unknown keys get a "did
/// you mean", values of the wrong type a plain message, all reported at once), and handed
/// to the feature when it starts ([`FeatureStart::config`]).
#[derive(Clone, Copy)]
pub struct ConfigSection {
    /// The table's name: the feature's name.
    pub name: &'static str,
    /// The table's keys with their defaults (the type's `Default`, serialized).
    pub defaults: fn() -> Value,
    /// Reads a written table as the feature's type; figment's errors name the keys.
    pub extract: fn(&Figment) -> Result<(), Box<figment::Error>>,
}

impl ConfigSection {
    /// The table `[name]`, read as `T`; `T::default()` gives its keys and their defaults.
    pub fn of<T: Serialize + DeserializeOwned + Default>(name: &'static str) -> Self {
        ConfigSection {
            name,
            defaults: || serde_json::to_value(T::default()).unwrap_or(Value::Null),
            extract: |figment| figment.extract_lossy::<T>().map(drop).map_err(Box::new),
        }
    }
}

/// Work a feature asks to run at a clean stop: after the shards stopped and in-flight
/// interactions finished, before the store closes (a flush of what is counted in memory).
pub type ShutdownHook = Box<dyn FnOnce() -> futures::future::BoxFuture<'static, ()> + Send>;

/// What a feature gets when it starts.
pub struct FeatureStart<'a> {
    /// The feature starting (components it routes are checked against its on/off switch).
    pub feature: &'static str,
    pub kernel: &'a Kernel,
    pub routes: &'a mut Routes,
    pub bus: &'a EventBus,
    pub limits: LimitsFor,
    /// The admins' text-command prefix (`discord.prefix`, `!` by default): a feature offers
    /// the text forms of its commands with [`crate::dispatcher::text_form::subscribe`].
    pub prefix: &'a str,
    /// Its own config table as written (empty when it declares none or none is written);
    /// read it with [`FeatureStart::config`].
    pub section: Figment,
    /// What runs at a clean stop; add to it with [`FeatureStart::on_shutdown`].
    pub shutdown: &'a mut Vec<ShutdownHook>,
}

impl FeatureStart<'_> {
    /// Its own config table as `T` (the type of its [`ConfigSection`]): what is written,
    /// over the declared defaults. Boot checked the table at load, so this cannot fail for
    /// the declared type; read as another type it falls back to `T::default()`, and logs.
    pub fn config<T: DeserializeOwned + Default>(&self) -> T {
        self.section.extract_lossy::<T>().unwrap_or_else(|error| {
            tracing::error!(feature = self.feature, %error, "the feature's config table does not fit the type read; using its defaults");
            T::default()
        })
    }

    /// Runs `hook` at a clean stop (see [`ShutdownHook`]); boot gives each hook 5 s.
    pub fn on_shutdown<F>(&mut self, hook: impl FnOnce() -> F + Send + 'static)
    where
        F: std::future::Future<Output = ()> + Send + 'static,
    {
        self.shutdown.push(Box::new(move || hook().boxed()));
    }

    /// Starts a concern under a supervisor on its own arbiter, with its configured limits,
    /// and routes its commands, components and modals to it.
    pub fn concern<C>(
        &mut self,
        make: impl Fn() -> C + Send + Sync + 'static,
        component_access: fn(&CustomId) -> AccessLevel,
    ) -> ConcernHandle<C>
    where
        C: Concern,
        C::Request: From<InteractionRequest>,
        C::Response: Into<Reply>,
    {
        let handle = ConcernHandle::start(make, (self.limits)(C::NAME), &self.kernel.health);
        self.routes
            .add(self.feature, handle.clone(), component_access);
        handle
    }

    /// Offers admins the text forms of `commands` (`!ticket …`), run by `concern`'s
    /// handlers like the slash commands (see [`crate::dispatcher::text_form`]).
    pub fn text_forms<C>(&self, commands: &'static [&'static str], concern: ConcernHandle<C>)
    where
        C: Concern,
        C::Request: From<InteractionRequest>,
        C::Response: Into<Reply>,
    {
        let handler: crate::dispatcher::text_form::Handler = Arc::new(move |request| {
            let answer = concern.try_call(request.into());
            async move {
                match answer {
                    Ok(answer) => answer.await.ok().map(Into::into),
                    Err(_) => None,
                }
            }
            .boxed()
        });
        crate::dispatcher::text_form::subscribe(
            self.bus,
            self.kernel.clone(),
            self.prefix.to_owned(),
            commands,
            handler,
        );
    }
}

/// One feature: see the module documentation. Every method but [`Feature::name`] and
/// [`Feature::start`] has an empty default.
pub trait Feature: Send + 'static {
    /// Its name: `features.enabled`, `/config features`, `/config <name> …`, the stored
    /// settings' namespace. Lower case, letters, digits and `-`.
    fn name(&self) -> &'static str;

    /// Its `/help` categories, in the order they are shown.
    fn help_categories(&self) -> Vec<HelpCategory> {
        Vec::new()
    }

    /// Its slash commands; each entry's `category` is one of the help categories' keys.
    fn commands(&self) -> Vec<CommandEntry> {
        Vec::new()
    }

    /// Its text commands (`!ping`).
    fn prefix_commands(&self) -> Vec<PrefixEntry> {
        Vec::new()
    }

    /// The settings `/config <name> …` offers.
    fn settings(&self) -> Vec<SettingSpec> {
        Vec::new()
    }

    fn migrations(&self) -> Migrations {
        Migrations::default()
    }

    /// Its own table in config.toml, if it has process-level settings (a token, a URL, a
    /// size limit: what is the same for every guild of this process).
    fn config_section(&self) -> Option<ConfigSection> {
        None
    }

    /// The gateway intents its event subscriptions need.
    fn intents(&self) -> Intents {
        Intents::empty()
    }

    /// Its periodic jobs; each runs as an actor of its own.
    fn tickers(&self) -> Vec<TickerSpec> {
        Vec::new()
    }

    /// Whether an admin may turn it off in a guild (`core` may not).
    fn can_be_disabled(&self) -> bool {
        true
    }

    /// Starts its actors and subscriptions.
    fn start(self: Box<Self>, start: &mut FeatureStart<'_>);
}

/// Starts a feature's tickers (boot does this after [`Feature::start`]); their addresses,
/// by name, for [`TickNow`](crate::kernel::ticker::TickNow). Unless `automatic` (tests on
/// a manual clock), they tick only when told to.
pub fn start_tickers(
    tickers: Vec<TickerSpec>,
    kernel: &Kernel,
    automatic: bool,
) -> Vec<(&'static str, actix::Addr<Ticker>)> {
    tickers
        .into_iter()
        .map(|ticker| (ticker.name, Ticker::start(ticker, kernel, automatic)))
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn minutes() -> SettingSpec {
        SettingSpec {
            key: "lock-window",
            description: "d",
            kind: SettingKind::Integer {
                min: 0,
                max: 1440,
                unit: "minutes",
            },
            default: json!(60),
        }
    }

    #[test]
    fn values_are_checked_against_the_declared_kind_and_range() {
        let spec = minutes();
        assert!(spec.validate(&json!(30)).is_ok());
        let error = spec.validate(&json!(5000)).unwrap_err();
        assert!(error.contains("from 0 to 1440 minutes"), "{error}");
        assert!(spec.validate(&json!("soon")).is_err());
        assert!(spec.validate(&json!(1.5)).is_err());
        let flag = SettingSpec {
            kind: SettingKind::Boolean,
            ..minutes()
        };
        assert!(flag.validate(&json!(true)).is_ok());
        assert!(flag.validate(&json!(1)).is_err());
        assert_eq!(flag.display(&json!(true)), "on");
        assert_eq!(spec.display(&json!(15)), "15 minutes");
        assert_eq!(spec.display(&Value::Null), "not set");
    }
}
