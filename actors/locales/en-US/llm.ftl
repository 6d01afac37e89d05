# LlmClient: /llm ask, its failures in plain words, its /status line.

help-category-llm-title = Language model
help-category-llm-blurb = Ask the configured language model; watch its answer being written

## What a person is told when the model gave no answer (mod.rs)
llm-failure-not-configured = No language model is set up for this bot (`[llm] base_url` is empty).
llm-failure-unavailable = The language model failed several times in a row, so it is left alone for a while. Try again in { $seconds } s.
llm-failure-timeout = The language model did not answer in time.
llm-failure-rate-limited = The language model is getting too many requests right now. Try again in a minute.
llm-failure-server = The language model's server is not working right now.
llm-failure-malformed = The language model answered with something unusable.
llm-failure-busy = The language model is busy with other requests. Try again in a moment.

## /llm ask (ask.rs)
llm-stale = This command is out of date. Run `/llm ask` again.
llm-unusable = Discord sent options this command cannot use ({ $error }).
llm-ask-empty = Ask a question of at least two characters.
llm-ask-thinking = Asking { $model }…
llm-ask-no-answer = The language model answered with nothing.

## /status (mod.rs)
llm-status-title = Language model
llm-status-off = not configured
llm-status-up = ✅ { $model }, answered in { $ms } ms
llm-status-down = ❌ { $model } is not answering: { $reason }
llm-status-breaker-open = ⚠️ { $model } failed repeatedly; not asked again for { $seconds } s
llm-status-busy = ⏳ { $model } is busy: every request place is taken
