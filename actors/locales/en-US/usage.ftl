# UsageRecorder: /usage overview, /usage errors.

help-category-usage-title = Usage statistics
help-category-usage-blurb = Uptime, servers, members, commands run and how they went

## Shared answers (mod.rs)
usage-stale = This command is out of date. Run it again from the command list.
usage-unusable = Discord sent options this command cannot use ({ $error }).
usage-database-trouble = The database did not answer, so the usage could not be read. Try again in a moment.
usage-days-out-of-range = Usage is kept for { $keep } days: ask for 1 to { $keep } days, not { $days }.

## /usage overview (mod.rs)
usage-overview-title = 📊 **Usage**
usage-overview-bot = Up for { $uptime } · { $guilds } servers · { $members } members
usage-overview-guild = **This server:** { $today } commands today · { $total } in all
usage-overview-top = **Top commands, last { $days } days**
usage-overview-line = { $place }. `/{ $command }` — { $runs } runs · p50 { $p50 } · p95 { $p95 }
usage-overview-none = No commands run in these days.

## /usage errors (mod.rs)
usage-errors-title = 🚨 **Errors in all servers, last { $days } days** ({ $runs } commands run)
usage-errors-line = `/{ $command }` — { $failed } failed · { $busy } busy of { $runs } runs ({ $refused } refused) · p50 { $p50 } · p95 { $p95 }
usage-errors-none = No command failed or was turned away busy.
