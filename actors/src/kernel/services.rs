//! What features offer one another without the kernel naming them: a typed registry of
//! values (a feature provides a handle of its type when it starts — the LLM client, say —
//! and any other feature gets it by that type), and the lines features add to `/status`.
//!
//! Features start in boot order, so a value is there for every feature that starts after
//! its provider; every clone of the [`Kernel`](super::Kernel) shares one registry, so a
//! value provided at start is seen by every clone made before or after, for as long as the
//! process runs.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::Arc;

use futures::future::BoxFuture;
use parking_lot::RwLock;

use super::i18n::Locale;

/// One line a feature adds to `/status`: a title (`LLM`) and what it says now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusLine {
    pub title: String,
    pub text: String,
}

/// Measures a feature's line for `/status` in the reader's language. It should answer
/// within a second or two; `/status` waits for it no longer than it waits for the database.
pub type StatusSource = Arc<dyn Fn(Locale) -> BoxFuture<'static, StatusLine> + Send + Sync>;

/// The registry; see the module documentation. Cheap to clone (all clones share it).
#[derive(Clone, Default)]
pub struct Services {
    values: Arc<RwLock<HashMap<TypeId, Arc<dyn Any + Send + Sync>>>>,
    status: Arc<RwLock<Vec<(&'static str, StatusSource)>>>,
}

impl std::fmt::Debug for Services {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Services")
            .field("values", &self.values.read().len())
            .field(
                "status",
                &self
                    .status
                    .read()
                    .iter()
                    .map(|(name, _)| *name)
                    .collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl Services {
    /// Offers `value` to every feature by its type; a second value of the same type
    /// replaces the first (a feature started again).
    pub fn provide<T: Clone + Send + Sync + 'static>(&self, value: T) {
        self.values
            .write()
            .insert(TypeId::of::<T>(), Arc::new(value));
    }

    /// The value of type `T` a feature provided, if one did.
    pub fn get<T: Clone + Send + Sync + 'static>(&self) -> Option<T> {
        self.values
            .read()
            .get(&TypeId::of::<T>())
            .and_then(|value| value.downcast_ref::<T>())
            .cloned()
    }

    /// Adds a line to `/status`, measured each time someone asks; `name` (the feature's)
    /// replaces an earlier line of the same name.
    pub fn add_status_line(&self, name: &'static str, source: StatusSource) {
        let mut status = self.status.write();
        status.retain(|(existing, _)| *existing != name);
        status.push((name, source));
    }

    /// The status lines' sources with their features' names, in the order they were added.
    pub fn status_sources(&self) -> Vec<(&'static str, StatusSource)> {
        self.status.read().clone()
    }
}

#[cfg(test)]
mod tests {
    use futures::FutureExt;

    use super::*;

    #[derive(Clone, Debug, PartialEq)]
    struct Handle(u32);

    #[test]
    fn a_value_provided_by_type_is_seen_by_every_clone() {
        let services = Services::default();
        let earlier_clone = services.clone();
        assert_eq!(services.get::<Handle>(), None);
        services.provide(Handle(7));
        assert_eq!(earlier_clone.get::<Handle>(), Some(Handle(7)));
        assert_eq!(services.clone().get::<Handle>(), Some(Handle(7)));
        assert_eq!(services.get::<u32>(), None, "by type, not by shape");
        services.provide(Handle(8));
        assert_eq!(earlier_clone.get::<Handle>(), Some(Handle(8)));
    }

    #[test]
    fn a_status_line_of_the_same_name_replaces_the_earlier_one() {
        let services = Services::default();
        let line = |text: &'static str| -> StatusSource {
            Arc::new(move |_| {
                async move {
                    StatusLine {
                        title: "T".into(),
                        text: text.into(),
                    }
                }
                .boxed()
            })
        };
        services.add_status_line("a", line("one"));
        services.add_status_line("b", line("two"));
        services.add_status_line("a", line("three"));
        let texts: Vec<String> = services
            .status_sources()
            .iter()
            .map(|(_, source)| futures::executor::block_on(source(Locale::English)).text)
            .collect();
        assert_eq!(texts, ["two", "three"]);
    }
}
