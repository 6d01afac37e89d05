//! Translations end to end: what the demo guild's people read through agora-sim when the
//! guild chose a language with `/config locale`, and when it left it on "auto" (each
//! person reads their own Discord language, English when Agora does not have it).

use agora_sim::actions::CommandOption;
use agora_testkit::{content, run_test, Harness};
use twilight_model::id::Id;

/// No Fluent isolation marks may reach Discord: they would break mentions and timestamps.
fn assert_clean(text: &str) {
    assert!(
        !text.contains(['\u{2068}', '\u{2069}']),
        "isolation marks in {text:?}"
    );
}

#[test]
fn a_german_guild_reads_german_whatever_the_members_client_language() {
    run_test(async {
        let harness = Harness::start().await;
        let demo = harness.demo.clone();
        let record = harness
            .run(
                demo.admin_id,
                demo.general_id,
                "config",
                vec![CommandOption::sub(
                    "locale",
                    vec![CommandOption::value("locale", "de")],
                )],
            )
            .await;
        assert!(content(&record).starts_with("Done"), "{}", content(&record));

        // A member whose Discord is in English still reads the guild's German.
        let member = demo.member_ids[0];
        let record = harness
            .run(
                member,
                demo.general_id,
                "timezone",
                vec![CommandOption::sub("show", vec![])],
            )
            .await;
        let text = content(&record);
        assert_eq!(
            text,
            "Du hast keine Zeitzone festgelegt, deshalb wird UTC verwendet. Leg deine mit `/timezone set` fest."
        );
        assert_clean(&text);

        // The dispatcher's refusals are German too.
        let record = harness
            .run(
                member,
                demo.general_id,
                "config",
                vec![CommandOption::sub("show", vec![])],
            )
            .await;
        let text = content(&record);
        assert_eq!(text, "Das dürfen hier nur Server-Admins.");

        // A zone typed wrong is answered in German, the name kept as typed.
        let record = harness
            .run(
                demo.member_ids[1],
                demo.general_id,
                "timezone",
                vec![CommandOption::sub(
                    "set",
                    vec![CommandOption::value("zone", "Mars/Olympus")],
                )],
            )
            .await;
        let text = content(&record);
        assert!(
            text.starts_with("„Mars/Olympus“ ist keine Zeitzone, die ich kenne."),
            "{text}"
        );
        assert_clean(&text);

        // /config, /help and /status speak German too, the features' own names kept.
        let show = || vec![CommandOption::sub("show", vec![])];
        let text = content(
            &harness
                .run(demo.admin_id, demo.general_id, "config", show())
                .await,
        );
        assert!(text.contains("Agora-Einstellungen"), "{text}");
        assert!(text.contains("Sprache: de"), "{text}");
        assert_clean(&text);
        let text = content(&harness.run(member, demo.general_id, "help", vec![]).await);
        assert!(text.contains("Agora-Hilfe"), "{text}");
        assert!(text.contains("**Moderationsschichten**"), "{text}");
        assert!(text.contains("als **Mitglied**"), "{text}");
        let text = content(&harness.run(member, demo.general_id, "status", vec![]).await);
        assert!(text.contains("Agora läuft einwandfrei"), "{text}");
        let record = harness
            .run(
                demo.admin_id,
                demo.general_id,
                "config",
                vec![CommandOption::sub(
                    "features",
                    vec![CommandOption::sub(
                        "disable",
                        vec![CommandOption::value("feature", "shifts")],
                    )],
                )],
            )
            .await;
        assert_eq!(
            content(&record),
            "Erledigt: Moderationsschichten (`shifts`) ausgeschaltet."
        );
    });
}

#[test]
fn an_auto_guild_answers_each_person_in_their_own_language_else_english() {
    run_test(async {
        let harness = Harness::start().await;
        let demo = harness.demo.clone();
        let german = demo.member_ids[0];
        let french = demo.member_ids[1];
        harness.sim.set_user_locale(german, "de").expect("a user");
        harness.sim.set_user_locale(french, "fr").expect("a user");
        let show = || vec![CommandOption::sub("show", vec![])];

        let text = content(
            &harness
                .run(german, demo.general_id, "timezone", show())
                .await,
        );
        assert_eq!(
            text,
            "Du hast keine Zeitzone festgelegt, deshalb wird UTC verwendet. Leg deine mit `/timezone set` fest."
        );

        // Agora has no French yet: English.
        let text = content(
            &harness
                .run(french, demo.general_id, "timezone", show())
                .await,
        );
        assert_eq!(
            text,
            "You have not set a time zone, so UTC is used. Set yours with `/timezone set`."
        );

        // A guild that chose English overrides the person's German.
        let record = harness
            .run(
                demo.admin_id,
                demo.general_id,
                "config",
                vec![CommandOption::sub(
                    "locale",
                    vec![CommandOption::value("locale", "en-US")],
                )],
            )
            .await;
        assert!(content(&record).starts_with("Done"), "{}", content(&record));
        let text = content(&harness.run(german, demo.general_id, "config", show()).await);
        assert_eq!(text, "Only server admins can do that here.");
    });
}

#[test]
fn a_language_agora_does_not_speak_is_refused_and_changes_nothing() {
    run_test(async {
        let harness = Harness::start().await;
        let demo = harness.demo.clone();
        // Only a modified client can send it: the command offers auto, English, Deutsch.
        let french = vec![CommandOption::sub(
            "locale",
            vec![CommandOption::value("locale", "fr")],
        )];
        let record = harness
            .run_unchecked(demo.admin_id, demo.general_id, "config", french)
            .await;
        let text = content(&record);
        assert!(
            text.contains("I don't speak `fr` yet, so nothing changed."),
            "{text}"
        );
        let stored = harness
            .agora()
            .kernel()
            .store
            .guild_settings(Id::new(demo.guild_id))
            .await
            .unwrap();
        assert!(
            stored.is_none_or(|settings| settings.locale != "fr"),
            "nothing stored"
        );
    });
}
