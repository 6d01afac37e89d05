//! Prompt templates: minijinja files, built in (`actors/src/llm/templates/<name>.j2`) and
//! overridden by a file of the same name in `[llm] templates_dir`, read once at start.
//!
//! A template renders the whole prompt. A line that is exactly `---` splits it: what comes
//! before is the system message, what follows the user message; without it, all of it is
//! the user message. Values from people (a proposal's text) come in through the context,
//! never pasted into the template.

use std::path::Path;

use minijinja::Environment;
use serde_json::Value;

/// The built-in templates: (name, source).
const BUILT_IN: &[(&str, &str)] = &[
    (
        "suggest_channel_name",
        include_str!("templates/suggest_channel_name.j2"),
    ),
    ("ask", include_str!("templates/ask.j2")),
];

/// A rendered prompt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prompt {
    pub system: Option<String>,
    pub user: String,
}

impl Prompt {
    /// OpenAI's `messages`.
    pub fn messages(&self) -> Value {
        let mut messages = Vec::new();
        if let Some(system) = &self.system {
            messages.push(serde_json::json!({"role": "system", "content": system}));
        }
        messages.push(serde_json::json!({"role": "user", "content": self.user}));
        Value::Array(messages)
    }
}

/// The templates the client renders.
#[derive(Debug)]
pub struct Templates {
    env: Environment<'static>,
    /// Names overridden from the folder (for the log and `/status`).
    pub overridden: Vec<String>,
}

impl Templates {
    /// The built-in templates, each replaced by `<name>.j2` in `dir` where it exists; more
    /// `.j2` files there become templates of their own. A file that does not parse is
    /// reported and the built-in one kept.
    pub fn load(dir: Option<&Path>) -> Templates {
        let mut env = Environment::new();
        env.set_trim_blocks(true);
        for &(name, source) in BUILT_IN {
            if let Err(error) = env.add_template(name, source) {
                // A test renders every built-in template; this cannot happen in a release.
                tracing::error!(template = name, %error, "a built-in prompt template does not parse");
            }
        }
        let mut overridden = Vec::new();
        if let Some(dir) = dir {
            match std::fs::read_dir(dir) {
                Ok(entries) => {
                    for path in entries.flatten().map(|entry| entry.path()) {
                        let Some(name) = path
                            .extension()
                            .filter(|extension| *extension == "j2")
                            .and_then(|_| path.file_stem())
                            .and_then(|stem| stem.to_str())
                        else {
                            continue;
                        };
                        let source = match std::fs::read_to_string(&path) {
                            Ok(source) => source,
                            Err(error) => {
                                tracing::error!(path = %path.display(), %error, "cannot read a prompt template");
                                continue;
                            }
                        };
                        match env.add_template_owned(name.to_owned(), source) {
                            Ok(()) => overridden.push(name.to_owned()),
                            Err(error) => {
                                tracing::error!(path = %path.display(), %error, "a prompt template does not parse; the built-in one is used")
                            }
                        }
                    }
                }
                Err(error) => {
                    tracing::error!(dir = %dir.display(), %error, "cannot read the prompt templates folder")
                }
            }
        }
        overridden.sort();
        Templates { env, overridden }
    }

    /// Renders `name` with `context` and splits it into messages.
    pub fn render(&self, name: &str, context: &Value) -> Result<Prompt, String> {
        let template = self
            .env
            .get_template(name)
            .map_err(|_| format!("there is no prompt template `{name}`"))?;
        let text = template
            .render(context)
            .map_err(|error| format!("the prompt template `{name}` does not render: {error}"))?;
        Ok(split(&text))
    }
}

fn split(text: &str) -> Prompt {
    let mut system = Vec::new();
    let mut lines = text.lines();
    for line in lines.by_ref() {
        if line.trim_end() == "---" {
            let user: Vec<&str> = lines.collect();
            let system = system.join("\n").trim().to_owned();
            return Prompt {
                system: (!system.is_empty()).then_some(system),
                user: user.join("\n").trim().to_owned(),
            };
        }
        system.push(line);
    }
    Prompt {
        system: None,
        user: text.trim().to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_built_in_templates_render_into_system_and_user() {
        let templates = Templates::load(None);
        let prompt = templates
            .render(
                "suggest_channel_name",
                &json!({"idea": "a place for board games", "existing": ["general", "memes"]}),
            )
            .expect("renders");
        assert!(prompt
            .system
            .as_deref()
            .unwrap()
            .contains("suggest_channel_name"));
        assert!(prompt.user.contains("a place for board games"));
        assert!(prompt.user.contains("general, memes"));
        let prompt = templates
            .render("ask", &json!({"question": "Wie geht's?"}))
            .expect("renders");
        assert_eq!(prompt.user, "Wie geht's?");
        assert!(templates.render("nothing", &json!({})).is_err());
    }

    #[test]
    fn a_file_in_the_folder_overrides_the_built_in_template() {
        let dir = tempfile::tempdir().expect("a temp dir");
        std::fs::write(dir.path().join("ask.j2"), "Q: {{ question | upper }}").unwrap();
        std::fs::write(dir.path().join("broken.j2"), "{% if %}").unwrap();
        std::fs::write(dir.path().join("notes.txt"), "not a template").unwrap();
        let templates = Templates::load(Some(dir.path()));
        assert_eq!(templates.overridden, ["ask"]);
        let prompt = templates.render("ask", &json!({"question": "hi"})).unwrap();
        assert_eq!(
            prompt,
            Prompt {
                system: None,
                user: "Q: HI".into()
            }
        );
        assert!(templates
            .render("suggest_channel_name", &json!({"idea": "x"}))
            .is_ok());
    }
}
