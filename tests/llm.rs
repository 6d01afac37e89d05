//! The LLM client end to end through agora-sim and its LLM: a moderator asks `/llm ask`
//! and watches the private reply grow as the model writes (edits a second or more apart,
//! each a longer start of the answer), ending with the whole answer; a member may not
//! ask; a failing model is answered in plain words; `/status` shows the model and that it
//! answers. Other features find the one client through the kernel's services.

use std::time::Duration;

use agora_actors::llm::LlmClient;
use agora_sim::actions::CommandOption;
use agora_sim::llm::ScriptedReply;
use agora_testkit::{content, is_private, run_test, wait_until, Harness};

const ANSWER_PIECES: [&str; 6] = [
    "The rules ",
    "are pinned ",
    "in #rules; ",
    "read them ",
    "before ",
    "posting.",
];

fn ask(question: &str) -> Vec<CommandOption> {
    vec![CommandOption::sub(
        "ask",
        vec![CommandOption::value("question", question)],
    )]
}

/// The interaction's reply as it is now, and every edit made to it (when, and its text).
fn reply_now(harness: &Harness, id: u64) -> (String, Vec<(f64, String)>) {
    let state = harness
        .sim
        .state()
        .interactions
        .get(id)
        .expect("the interaction")
        .state();
    let edits = state
        .edits
        .iter()
        .filter(|edit| edit.target == "@original")
        .map(|edit| {
            (
                edit.after_ms,
                edit.data["content"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    let now = state
        .original_message_id
        .and_then(|message| harness.sim.message(message))
        .and_then(|message| message["content"].as_str().map(str::to_owned))
        .unwrap_or_default();
    (now, edits)
}

#[test]
fn a_moderator_watches_the_answer_being_written_and_status_shows_the_model() {
    run_test(async {
        let harness = Harness::start().await;
        let demo = harness.demo.clone();
        harness
            .configure("moderator-role", "role", demo.moderator_role_id)
            .await;
        assert!(
            LlmClient::of(harness.agora().kernel()).is_some_and(|client| client.configured()),
            "other features find the client"
        );
        harness.sim.llm().push(ScriptedReply::Trickle {
            pieces: ANSWER_PIECES
                .iter()
                .map(|piece| (*piece).to_owned())
                .collect(),
            interval_ms: 500,
        });
        let moderator = demo.moderator_ids[0];
        let record = harness
            .run(
                moderator,
                demo.general_id,
                "llm",
                ask("Where are the rules?"),
            )
            .await;
        assert!(is_private(&record), "the answer is for the one who asked");
        assert_eq!(content(&record), "Asking sim-small…");
        let id: u64 = record.id.parse().expect("an interaction id");
        let whole = ANSWER_PIECES.concat();
        let mut last = (String::new(), Vec::new());
        wait_until("the whole answer", Duration::from_secs(15), || {
            let now = reply_now(&harness, id);
            let done = now.0 == whole;
            last = now;
            done
        })
        .await;
        let (_, edits) = last;
        assert!(edits.len() >= 3, "edits as it was written: {edits:?}");
        let (writing, finished) = edits.split_at(edits.len() - 1);
        assert_eq!(finished[0].1, whole);
        for (_, text) in writing {
            let shown = text.strip_suffix(" ▌").expect("still being written");
            assert!(whole.starts_with(shown), "{text:?}");
        }
        assert!(
            writing[0].1.len() < whole.len(),
            "the first edit showed a part: {edits:?}"
        );
        for pair in edits.windows(2) {
            let apart = pair[1].0 - pair[0].0;
            assert!(apart >= 950.0, "edits {apart} ms apart: {edits:?}");
        }
        let asked = &harness.sim.llm().requests()[0];
        assert_eq!(asked.body["stream"], true);
        let messages = asked.body["messages"].as_array().expect("messages");
        assert_eq!(
            messages.last().and_then(|m| m["content"].as_str()),
            Some("Where are the rules?")
        );

        // /status: the model and that it answers.
        let status = content(
            &harness
                .run(demo.admin_id, demo.general_id, "status", vec![])
                .await,
        );
        assert!(
            status.contains("Language model: ✅ sim-small, answered in"),
            "{status}"
        );
    });
}

#[test]
fn members_may_not_ask_and_a_failing_model_is_answered_in_plain_words() {
    run_test(async {
        let harness = Harness::start_with(&[("AGORA_LLM__RETRIES", "0")], Vec::new()).await;
        let demo = harness.demo.clone();
        harness
            .configure("moderator-role", "role", demo.moderator_role_id)
            .await;
        let member = demo.member_ids[0];
        let refused = content(
            &harness
                .run(member, demo.general_id, "llm", ask("Can I ask?"))
                .await,
        );
        assert!(refused.contains("moderator"), "{refused}");
        assert!(
            harness.sim.llm().requests().is_empty(),
            "the model was not asked"
        );

        harness.sim.llm().push(ScriptedReply::Error {
            status: 503,
            message: None,
        });
        let record = harness
            .run(demo.admin_id, demo.general_id, "llm", ask("Are you there?"))
            .await;
        let id: u64 = record.id.parse().expect("an interaction id");
        let told = "The language model's server is not working right now.";
        wait_until(
            "the failure in plain words",
            Duration::from_secs(10),
            || reply_now(&harness, id).0 == told,
        )
        .await;
        // German readers get German.
        harness
            .sim
            .set_user_locale(demo.admin_id, "de")
            .expect("set");
        let status = content(
            &harness
                .run(demo.admin_id, demo.general_id, "status", vec![])
                .await,
        );
        assert!(status.contains("Sprachmodell: ✅ sim-small"), "{status}");
    });
}
