//! Checking a tool call's arguments against the tool's JSON schema (the `jsonschema` crate,
//! the validator agora-sim already uses for Discord's payloads): what fails is said in a
//! line naming the place in the arguments.

use serde_json::Value;

/// `Ok` when `arguments` fit `schema`; else the first few reasons, one line.
pub fn check(schema: &Value, arguments: &Value) -> Result<(), String> {
    let validator = jsonschema::validator_for(schema)
        .map_err(|error| format!("the tool's schema is not valid: {error}"))?;
    let reasons: Vec<String> = validator
        .iter_errors(arguments)
        .take(3)
        .map(|error| {
            let place = error.instance_path().to_string();
            if place.is_empty() {
                error.to_string()
            } else {
                format!("{place}: {error}")
            }
        })
        .collect();
    if reasons.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "the arguments do not fit the schema: {}",
            reasons.join("; ")
        ))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn types_required_fields_lengths_and_choices_are_checked() {
        let schema = json!({
            "type": "object",
            "properties": {
                "name": {"type": "string", "minLength": 2, "maxLength": 32},
                "kind": {"enum": ["text", "voice"]},
            },
            "required": ["name"],
        });
        assert_eq!(
            check(&schema, &json!({"name": "games", "kind": "text"})),
            Ok(())
        );
        for bad in [
            json!({"kind": "text"}),
            json!({"name": 7}),
            json!({"name": "x"}),
            json!({"name": "games", "kind": "stage"}),
            json!("games"),
        ] {
            assert!(check(&schema, &bad).is_err(), "{bad}");
        }
        let reason = check(&schema, &json!({"name": "x"})).unwrap_err();
        assert!(reason.contains("/name"), "{reason}");
    }
}
