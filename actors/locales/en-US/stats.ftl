# StatsAggregator: /channels, /stats, the ranking messages.

help-category-stats-title = Channel activity
help-category-stats-blurb = Activity rankings, channel promotion, charts and recalculation

## Shared answers (mod.rs)
stats-stale = This command is out of date. Run it again from the command list.
stats-unusable = Discord sent options this command cannot use ({ $error }).
stats-database-trouble = The database did not answer, so nothing was changed. Try again in a moment.
stats-cache-trouble = The activity counts could not be read just now. Try again in a moment.
stats-discord-trouble = Discord did not do it ({ $problem }). Nothing was changed.
stats-no-categories = No categories are set: an admin sets them with `/config stats proposed-category` and `/config stats permanent-category`.

## /channels refresh (mod.rs)
stats-refreshed = Rescanned: { $proposed } proposed and { $permanent } permanent channel(s) are counted.
stats-rescan-failed = The categories could not be read from Discord ({ $problem }). Nothing was changed.
stats-rankings-refreshed = The rankings are up to date.
stats-no-rankings-channel = No rankings channel is set (`/config stats rankings-channel`), so no ranking was posted.
stats-rankings-failed = The rankings could not be updated ({ $problem }).

## The ranking messages (rankings.rs)
stats-proposed-title = 📈 Proposed channels by activity
stats-proposed-line = **{ $place }.** { $channel } — score { $score } ({ $total } messages, { $week } this week)
stats-proposed-empty = No proposed channels yet.
stats-permanent-title = 🕒 Permanent channels by last activity
stats-permanent-line = **{ $place }.** { $channel } — last message <t:{ $last }:R> ({ $total } messages)
stats-permanent-line-quiet = **{ $place }.** { $channel } — no messages yet
stats-permanent-empty = No permanent channels yet.
stats-rankings-updated = Updated <t:{ $at }:R>. Score = 0.4 × all messages + 0.6 × messages of the last 7 days.

## /channels promote (promote.rs)
stats-promote-no-categories = Both categories must be set before a channel can be promoted: `/config stats proposed-category` and `/config stats permanent-category`.
stats-promote-not-proposed = { $channel } is not in the proposed category, so it cannot be promoted.
stats-promote-already = { $channel } is already a permanent channel.
stats-promote-no-permission = I may not move { $channel }: I need Manage Channels there and in the permanent category.
stats-promoted = { $channel } is now a permanent channel.
stats-promoted-announced = It was announced in { $announce }.
stats-promoted-no-announce = No announcement channel is set (`/config stats announce-channel`), so it was not announced.
stats-promoted-announce-failed = It could not be announced in { $announce } (check my permissions there).
stats-announce-title = 🎉 A channel is here to stay
stats-announce = { $channel } was busy enough to become a permanent channel. Promoted by { $by }.

## /stats channel (chart.rs)
stats-chart-not-tracked = { $channel } is not counted: only the text channels of the proposed and permanent categories are.
stats-chart = { $channel }: { $period } messages in the last { $days } days, { $week } in the last 7, { $total } in all. Score { $score }.
stats-chart-title = Messages per day, last { $days } days
stats-chart-failed = The chart could not be drawn. Try again in a moment.

## /stats recalculate (recalculate.rs)
stats-months-out-of-range = { $months } months is not possible: choose from 1 to { $max }.
stats-recalculate-nothing = No channels are counted here yet: set the categories and run `/channels refresh` first.
stats-recalculate-running = A recalculation is already running here (started by { $by }). { $progress }
stats-recalculate-running-unknown = A recalculation is already running here.
stats-recalculate-started = Recalculating { $channels } channel(s) from the last { $months } month(s) of history.
stats-recalculate-progress = Channels done: { $done } of { $total } · messages read: { $messages } · { $eta }
stats-eta-seconds = about { $seconds } s left
stats-eta-minutes = about { $minutes } min left
stats-eta-unknown = estimating the time left…
stats-recalculate-done = ✅ Recalculation finished: { $channels } channel(s), { $messages } messages read in { $seconds } s.
stats-recalculate-failed = ❌ The recalculation stopped: { $problem }. Run it again to start over.
