# LlmClient: /llm ask, seine Fehler in einfachen Worten, seine Zeile in /status.

help-category-llm-title = Sprachmodell
help-category-llm-blurb = Frag das eingerichtete Sprachmodell und sieh zu, wie es antwortet

## Was jemand erfährt, wenn das Modell keine Antwort gab (mod.rs)
llm-failure-not-configured = Für diesen Bot ist kein Sprachmodell eingerichtet (`[llm] base_url` ist leer).
llm-failure-unavailable = Das Sprachmodell ist mehrmals hintereinander ausgefallen und wird eine Weile nicht gefragt. Versuch es in { $seconds } s noch einmal.
llm-failure-timeout = Das Sprachmodell hat nicht rechtzeitig geantwortet.
llm-failure-rate-limited = Das Sprachmodell bekommt gerade zu viele Anfragen. Versuch es in einer Minute noch einmal.
llm-failure-server = Der Server des Sprachmodells funktioniert gerade nicht.
llm-failure-malformed = Das Sprachmodell hat etwas Unbrauchbares geantwortet.
llm-failure-busy = Das Sprachmodell ist mit anderen Anfragen beschäftigt. Versuch es gleich noch einmal.

## /llm ask (ask.rs)
llm-stale = Dieser Befehl ist veraltet. Führ `/llm ask` noch einmal aus.
llm-unusable = Discord hat Optionen geschickt, mit denen dieser Befehl nichts anfangen kann ({ $error }).
llm-ask-empty = Stell eine Frage mit mindestens zwei Zeichen.
llm-ask-thinking = { $model } wird gefragt…
llm-ask-no-answer = Das Sprachmodell hat nichts geantwortet.

## /status (mod.rs)
llm-status-title = Sprachmodell
llm-status-off = nicht eingerichtet
llm-status-up = ✅ { $model }, Antwort in { $ms } ms
llm-status-down = ❌ { $model } antwortet nicht: { $reason }
llm-status-breaker-open = ⚠️ { $model } ist wiederholt ausgefallen und wird { $seconds } s lang nicht gefragt
llm-status-busy = ⏳ { $model } ist ausgelastet: alle Anfrageplätze sind belegt
