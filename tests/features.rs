//! Features as units, end to end: a bot developer's feature (kudos, in its own folder)
//! joins with one line — its command, help category, table and `/config kudos` setting —
//! and admins turn features on and off per guild, with `/help` and every command
//! following, while another guild keeps using them.

mod kudos;

use agora_sim::actions::CommandOption;
use agora_testkit::{content, message_id, run_test, Harness};
use kudos::KudosFeature;

fn config(group: &str, sub: &str, options: Vec<CommandOption>) -> Vec<CommandOption> {
    vec![CommandOption::sub(
        group,
        vec![CommandOption::sub(sub, options)],
    )]
}

#[test]
fn a_developers_feature_joins_with_one_line() {
    run_test(async {
        let harness = Harness::start_with(&[], vec![Box::new(KudosFeature)]).await;
        let demo = harness.demo.clone();
        let (pat, sam) = (demo.member_ids[0], demo.member_ids[1]);
        // Registered with the others, and in /help under its own category.
        let names: Vec<String> = harness
            .sim
            .commands()
            .iter()
            .filter_map(|c| c["name"].as_str().map(str::to_owned))
            .collect();
        assert!(names.contains(&"kudos".to_owned()), "{names:?}");
        let help = harness.run(pat, demo.general_id, "help", vec![]).await;
        assert!(content(&help).contains("**Kudos** — Thank the people who help"));

        // Its table was migrated with the rest: the tally counts up, publicly.
        let give = |user: u64| {
            vec![CommandOption::sub(
                "give",
                vec![CommandOption::value("user", user.to_string())],
            )]
        };
        let first = harness.run(pat, demo.general_id, "kudos", give(sam)).await;
        assert_eq!(content(&first), format!("🎉 <@{sam}> now has 1 kudos."));
        assert!(!agora_testkit::is_private(&first));

        // Its setting, declared once, is offered by /config, checked and stored.
        let goal = |value: i64| config("kudos", "goal", vec![CommandOption::value("value", value)]);
        let set = harness
            .run(demo.admin_id, demo.general_id, "config", goal(2))
            .await;
        assert_eq!(content(&set), "Done: set kudos goal to 2 kudos.");
        let second = harness.run(pat, demo.general_id, "kudos", give(sam)).await;
        assert_eq!(content(&second), format!("🎉 <@{sam}> now has 2 kudos. 🏆"));
        // Out of range from a modified client: refused in plain words, nothing stored.
        let refused = content(
            &harness
                .run_unchecked(demo.admin_id, demo.general_id, "config", goal(5000))
                .await,
        );
        assert_eq!(
            refused,
            "`goal` must be from 1 to 1000 kudos; 5000 is out of range. Nothing changed."
        );
        let show = harness
            .run(
                demo.admin_id,
                demo.general_id,
                "config",
                vec![CommandOption::sub("show", vec![])],
            )
            .await;
        assert!(
            content(&show).contains("`goal`: 2 kudos"),
            "{}",
            content(&show)
        );
        // Members can't change it.
        let member = harness.run(pat, demo.general_id, "config", goal(3)).await;
        assert_eq!(content(&member), "Only server admins can do that here.");
        let count = harness
            .run(
                sam,
                demo.general_id,
                "kudos",
                vec![CommandOption::sub("count", vec![])],
            )
            .await;
        assert_eq!(content(&count), format!("<@{sam}> has 2 kudos."));
    });
}

#[test]
fn a_feature_turned_off_in_one_guild_is_refused_and_hidden_there_only() {
    run_test(async {
        let harness = Harness::start().await;
        let demo = harness.demo.clone();
        let member = demo.member_ids[0];
        let upcoming = || vec![CommandOption::sub("upcoming", vec![])];
        let off = harness
            .run(
                demo.admin_id,
                demo.general_id,
                "config",
                config(
                    "features",
                    "disable",
                    vec![CommandOption::value("feature", "shifts")],
                ),
            )
            .await;
        assert_eq!(
            content(&off),
            "Done: turned off Moderator shifts (`shifts`)."
        );
        let refused = harness
            .run(member, demo.general_id, "shift", upcoming())
            .await;
        assert!(agora_testkit::is_private(&refused));
        assert_eq!(
            content(&refused),
            "Moderator shifts is turned off in this server. An admin can turn it on with `/config features enable shifts`."
        );
        let help = harness.run(member, demo.general_id, "help", vec![]).await;
        assert!(
            !content(&help).contains("Moderator shifts"),
            "{}",
            content(&help)
        );
        // A modified client asking for the category gets the overview instead.
        let forced = harness
            .sim
            .use_component(agora_sim::actions::ComponentUse {
                message_id: message_id(&help),
                user_id: member,
                custom_id: format!("core:1:help:@{member}"),
                values: vec!["shifts".into()],
                unchecked: true,
            })
            .unwrap();
        let page = harness
            .sim
            .answer(forced, agora_testkit::ANSWER)
            .await
            .unwrap();
        assert!(content(&page).contains("Agora help"), "{}", content(&page));
        assert!(!content(&page).contains("/shift"), "{}", content(&page));

        // Another guild still has shifts.
        let (second, owner) =
            harness
                .sim
                .create_guild("Second", "sam", agora_sim::scenario::DEMO_BOT_PERMISSIONS);
        let lobby = harness
            .sim
            .create_channel(second, "lobby", 0, None)
            .unwrap();
        let kernel = harness.agora().kernel();
        kernel
            .discord
            .register_commands(
                Some(twilight_model::id::Id::new(second)),
                &kernel.catalogue.slash_commands(),
            )
            .await
            .unwrap();
        let there = content(
            &harness
                .run_in(second, owner, lobby, "shift", upcoming())
                .await,
        );
        assert!(!there.contains("turned off"), "{there}");
        assert!(there.contains("next 7 days"), "{there}");
        let help_there = content(&harness.run_in(second, owner, lobby, "help", vec![]).await);
        assert!(help_there.contains("Moderator shifts"), "{help_there}");

        // The list says so; turning it on again brings it back.
        let list = harness
            .run(
                demo.admin_id,
                demo.general_id,
                "config",
                config("features", "list", vec![]),
            )
            .await;
        assert!(content(&list).contains("`shifts` — Moderator shifts: ⏸️ off"));
        assert!(content(&list).contains("`core` — General: ✅ on (always)"));
        let on = harness
            .run(
                demo.admin_id,
                demo.general_id,
                "config",
                config(
                    "features",
                    "enable",
                    vec![CommandOption::value("feature", "shifts")],
                ),
            )
            .await;
        assert_eq!(content(&on), "Done: turned on Moderator shifts (`shifts`).");
        let back = harness
            .run(member, demo.general_id, "shift", upcoming())
            .await;
        assert!(content(&back).contains("next 7 days"), "{}", content(&back));
    });
}

#[test]
fn bad_feature_switches_get_clear_answers_and_change_nothing() {
    run_test(async {
        let harness = Harness::start().await;
        let demo = harness.demo.clone();
        let switch = |verb: &str, name: &str| {
            let options = config(
                "features",
                verb,
                vec![CommandOption::value("feature", name)],
            );
            let harness = &harness;
            let admin = demo.admin_id;
            let channel = demo.general_id;
            async move {
                content(
                    &harness
                        .run_unchecked(admin, channel, "config", options)
                        .await,
                )
            }
        };
        assert_eq!(
            switch("enable", "community").await,
            "This Agora has no feature called `community` running (it runs: core, shifts, tickets, security, llm, stats, governance, usage, presence). Nothing changed."
        );
        assert_eq!(
            switch("disable", "core").await,
            "`core` is always on. Nothing changed."
        );
        assert_eq!(
            switch("enable", "shifts").await,
            "Moderator shifts is already on here."
        );
        // Members can't switch anything.
        let member = harness
            .run(
                demo.member_ids[0],
                demo.general_id,
                "config",
                config(
                    "features",
                    "disable",
                    vec![CommandOption::value("feature", "shifts")],
                ),
            )
            .await;
        assert_eq!(content(&member), "Only server admins can do that here.");
        // Reset says what it covers, and turns features back on.
        switch("disable", "shifts").await;
        let reset = harness
            .run(
                demo.admin_id,
                demo.general_id,
                "config",
                vec![CommandOption::sub("reset", vec![])],
            )
            .await;
        assert!(
            content(&reset).contains(
                "for each feature (`shifts`, `tickets`, `security`, `llm`, `stats`, `governance`, `usage`) whether it is on and its settings"
            ),
            "{}",
            content(&reset)
        );
        assert_eq!(
            switch("enable", "shifts").await,
            "Moderator shifts is already on here."
        );
    });
}

#[test]
fn a_process_runs_only_the_features_its_configuration_names() {
    run_test(async {
        let harness = Harness::start_with(&[("AGORA_FEATURES__ENABLED", "core")], Vec::new()).await;
        let demo = harness.demo.clone();
        let names: Vec<String> = harness
            .sim
            .commands()
            .iter()
            .filter_map(|c| c["name"].as_str().map(str::to_owned))
            .collect();
        assert!(names.contains(&"config".to_owned()), "{names:?}");
        assert!(!names.contains(&"shift".to_owned()), "{names:?}");
        let enable = config(
            "features",
            "enable",
            vec![CommandOption::value("feature", "shifts")],
        );
        let text = content(
            &harness
                .run_unchecked(demo.admin_id, demo.general_id, "config", enable)
                .await,
        );
        assert_eq!(
            text,
            "This Agora has no feature called `shifts` running (it runs: core, presence). Nothing changed."
        );
    });
}

#[test]
fn naming_a_feature_this_agora_lacks_stops_it_at_start() {
    run_test(async {
        let sim = agora_sim::Sim::start(agora_sim::SimConfig::demo())
            .await
            .unwrap();
        let scratch = agora_testkit::Scratch::new("agora-features");
        let config = agora_testkit::config_for(
            &sim,
            &scratch.sqlite_url("agora.db"),
            &[("AGORA_FEATURES__ENABLED", "core,shifts,tickts")],
        );
        let started = agora::boot::Agora::start(&config, agora::boot::BootOptions::default()).await;
        let error = format!("{:#}", started.err().expect("Agora refuses to start"));
        assert!(
            error.contains("features.enabled names `tickts`, which this Agora does not have (it has: core, shifts, tickets, security, llm, stats, governance, usage, presence)"),
            "{error}"
        );
    });
}

#[test]
fn a_feature_s_own_config_table_is_read_and_checked() {
    run_test(async {
        // Written in the environment as in production: `[kudos] emoji`.
        let harness = Harness::start_with(
            &[("AGORA_KUDOS__EMOJI", "⭐")],
            vec![Box::new(KudosFeature)],
        )
        .await;
        let demo = harness.demo.clone();
        let give = vec![CommandOption::sub(
            "give",
            vec![CommandOption::value("user", demo.member_ids[1].to_string())],
        )];
        let thanks = harness
            .run(demo.member_ids[0], demo.general_id, "kudos", give)
            .await;
        assert_eq!(
            content(&thanks),
            format!("⭐ <@{}> now has 1 kudos.", demo.member_ids[1])
        );

        // A key the feature does not have is reported at load, with the key it meant.
        let scratch = agora_testkit::Scratch::new("agora-kudos-config");
        let file = scratch.path().join("config.toml");
        std::fs::write(
            &file,
            "[kudos]
emoij = \"⭐\"\n",
        )
        .unwrap();
        let env = std::collections::HashMap::new();
        let extensions: Vec<agora::boot::Extension> = vec![Box::new(KudosFeature)];
        let sections = agora::boot::config_sections(&extensions);
        let problems = agora::config::Config::load_with_sections(
            agora::config::ConfigSource::File(&file),
            &env,
            &sections,
        )
        .expect_err("an unknown key is refused")
        .to_string();
        assert!(
            problems.contains("unknown key `kudos.emoij`")
                && problems.contains("did you mean `emoji`?"),
            "{problems}"
        );
        // Without the feature, its table is unknown.
        let without = agora::config::Config::load_with_sections(
            agora::config::ConfigSource::File(&file),
            &std::collections::HashMap::new(),
            &agora::boot::config_sections(&[]),
        )
        .expect_err("a table no feature declares is refused")
        .to_string();
        assert!(without.contains("unknown table `[kudos]`"), "{without}");
    });
}
