# ShiftScheduler: /shift, /schedule, /timezone, the posted shift message, reminders.

## Units and days (render.rs, schedule.rs)
duration-minutes = { $minutes } min
duration-hours = { $hours } h
duration-hours-minutes = { $hours } h { $minutes } min
weekday-monday = Monday
weekday-tuesday = Tuesday
weekday-wednesday = Wednesday
weekday-thursday = Thursday
weekday-friday = Friday
weekday-saturday = Saturday
weekday-sunday = Sunday

## The posted shift message (render.rs)
shift-title = Shift #{ $id }: { $description }
shift-field-starts = Starts
shift-field-ends = Ends
shift-field-duration = Duration
shift-field-dropped-by = Dropped by
shift-field-scheduled-for = Scheduled for
shift-field-status = Status
shift-status-open = 🟢 Open — moderators can claim it
shift-status-claimed = ✅ Claimed by <@{ $user }>
shift-status-started = ▶️ Started — covered by <@{ $user }>
shift-status-started-unclaimed = ⚠️ Started without anyone claiming it
shift-status-done = 🏁 Done — covered by <@{ $user }>
shift-status-over = 🏁 Over — nobody claimed it
shift-status-cancelled = ❌ Cancelled by <@{ $user }>
shift-button-claim = Claim shift
shift-button-claimed = Claimed
shift-button-started = Started
shift-button-done = Done
shift-button-cancelled = Cancelled

## Dropping, editing, cancelling, claiming (shift.rs)
shift-duration-out-of-range = A shift lasts from 15 minutes to 24 hours; { $minutes } minutes is outside that. Nothing changed.
shift-doing-edited = edited
shift-doing-cancelled = cancelled
shift-doing-unclaimed = unclaimed
shift-doing-claimed = claimed
shift-refused-cancelled = Shift #{ $id } was cancelled; it can't be { $doing }.
shift-refused-done = Shift #{ $id } is over; it can't be { $doing }.
shift-refused-started = Shift #{ $id } has already started; it can't be { $doing }.
shift-refused-claimed = Shift #{ $id } is claimed by <@{ $user }>; it can't be { $doing }. Ask them to `/shift unclaim` it first.
shift-refused-open = Shift #{ $id } can't be { $doing }.
shift-not-found = There is no shift #{ $id } in this server.
shift-no-channel = No shift channel is set here yet: an admin can choose one with `/config shifts channel`.
shift-slot-taken = That slot ({ $when }) is already dropped; see the shift channel.
shift-posted = Shift #{ $id } is posted in <#{ $channel }>: starts { $when }, { $duration }.
shift-post-failed = I couldn't post in <#{ $channel }> ({ $error }), so the shift was not dropped. Give me Send Messages there and try again.
shift-post-failed-kept = I couldn't post in <#{ $channel }> ({ $error }), and the database did not let me take shift #{ $id } back, so it is saved without a message. Cancel it with `/shift cancel id:{ $id }` once the database answers again.
shift-start-past-drop = That start ({ $when }) is in the past; pick a time in the future. Nothing was dropped.
shift-no-description = Give the shift a description.
shift-drop-slot-admins-only = Only server admins can drop someone else's scheduled slot.
shift-no-slots-own = You have no weekly slots to drop; add one with `/schedule add`.
shift-no-slots-other = <@{ $user }> has no weekly slots to drop.
shift-slot-description = scheduled slot, { $weekday } { $time } ({ $zone })
shift-edit-not-allowed = Only the moderator who dropped shift #{ $id } or an admin can edit it.
shift-start-past-edit = That start ({ $when }) is in the past; nothing changed.
shift-edit-conflict = Shift #{ $id } changed meanwhile (claimed or cancelled); nothing was edited.
shift-edited = Shift #{ $id } now starts { $when } and lasts { $duration }.
shift-cancel-not-allowed = Only the moderator who dropped shift #{ $id } or an admin can cancel it.
shift-already-cancelled = Shift #{ $id } was already cancelled or is over.
shift-cancelled-note = Shift #{ $id } ({ $description }) that you claimed, starting { $when }, was cancelled by <@{ $user }>.
shift-cancelled = Shift #{ $id } is cancelled.
shift-not-your-claim = You haven't claimed shift #{ $id }.
shift-unclaim-too-late = Shift #{ $id } can no longer be unclaimed.
shift-unclaimed = You gave shift #{ $id } back; it is open for claims again.
shift-answered-elsewhere = That is answered elsewhere.
shift-claim-taken = Too late: <@{ $user }> has already claimed shift #{ $id }.
shift-own-claim = You dropped this shift yourself; another moderator has to claim it.
shift-claim-too-early = You've claimed { $hours } h in the last 7 days (the limit here is { $limit } h), so you can claim this shift only from { $from }, { $minutes } minutes before it starts.
shift-claimed = You claimed shift #{ $id }.

## Reminders by DM and pings in the shift channel (reminders.rs; the guild's language)
shift-reminder = ⏰ Your shift #{ $id } ({ $description }) starts { $when }.
shift-unclaimed-ping = { $mention }⚠️ Shift #{ $id } ({ $description }) is still unclaimed and starts { $when }.

## /timezone and /schedule (schedule.rs)
timezone-set = Your time zone is now **{ $zone }** (it is { $time } on { $weekday } there now). Commands use it whenever you leave the zone out.
timezone-show = Your time zone is **{ $zone }**.
timezone-unset = You have not set a time zone, so UTC is used. Set yours with `/timezone set`.
timezone-saved-unknown = Your saved time zone `{ $zone }` is no longer known to me, so I can't read your times. Set it again with `/timezone set`, or give a zone with this command.
schedule-admins-only = Only server admins can change someone else's schedule.
schedule-slot-line = **{ $weekday } { $time }** { $zone } — next { $when }
schedule-added = Added to { $whose ->
        [own] your
       *[other] <@{ $user }>'s
    } schedule: { $line }
schedule-slot-exists = { $whose ->
        [own] Your
       *[other] <@{ $user }>'s
    } schedule already has a slot on { $weekday } at { $time }.
schedule-removed = Removed { $weekday } { $time } from { $whose ->
        [own] your
       *[other] <@{ $user }>'s
    } schedule.
schedule-no-such-slot = There is no slot on { $weekday } at { $time } in { $whose ->
        [own] your
       *[other] <@{ $user }>'s
    } schedule; nothing changed.
schedule-empty = { $whose ->
        [own] Your
       *[other] <@{ $user }>'s
    } schedule has no weekly slots yet.
schedule-view = { $whose ->
        [own] Your
       *[other] <@{ $user }>'s
    } weekly schedule:
schedule-already-empty = { $whose ->
        [own] Your
       *[other] <@{ $user }>'s
    } schedule was already empty.
schedule-cleared = Removed { $count } { $count ->
        [one] slot
       *[other] slots
    } from { $whose ->
        [own] your
       *[other] <@{ $user }>'s
    } schedule.

## Times people type (time.rs)
zone-unknown = "{ $zone }" is not a time zone I know. Pick one from the list as you type, e.g. Europe/London or America/New_York.
clock-malformed = `{ $text }` is not a time: write it as HH:MM, e.g. 09:30 or 21:00.
clock-hour = { $hour } is not an hour: hours go from 0 to 23.
clock-minute = { $minute } is not a minute: minutes go from 0 to 59.
start-malformed = `{ $text }` is not a date and time: write it as YYYY-MM-DD HH:MM, e.g. 2026-12-24 18:00.
start-no-such-day = { $text } is not a day on the calendar.

## /shift stats, leaderboard, upcoming, export (insight.rs)
stats-title = Shift stats
stats-line = { $shifts } shifts, { $hours } h
stats-claimed-week = Claimed, last 7 days
stats-claimed-month = Claimed, last 30 days
stats-claimed-ever = Claimed, all time
stats-dropped = Dropped
stats-cancelled = Of those cancelled
leaderboard-week = last 7 days
leaderboard-month = last 30 days
leaderboard-ever = all time
leaderboard-title = Shift leaderboard — { $period }
leaderboard-empty = Nobody has claimed a shift in this period yet.
leaderboard-line = { $rank }. <@{ $user }> — { $hours } h ({ $shifts } { $shifts ->
        [one] shift
       *[other] shifts
    })
upcoming-covered-by = covered by <@{ $user }>
upcoming-open = **open**
upcoming-line = #{ $id } <t:{ $start }:f>, { $duration } — { $description } — { $who }
upcoming-more = … and { $count } more
upcoming-none = No shifts in the next 7 days.
upcoming-gap = <t:{ $start }:f> → <t:{ $end }:f> ({ $duration })
upcoming-no-gaps = None: the next 7 days are covered.
upcoming-title = Coverage, next 7 days
upcoming-gaps = Gaps (covered { $hours } of 168 h)
upcoming-undelivered = Not delivered
upcoming-undelivered-line = #{ $id }: { $what } — { $reason }
notice-kind-reminder = reminder to <@{ $user }>
notice-kind-unclaimed = unclaimed ping in <#{ $channel }>
notice-failed-dms-closed = they do not accept direct messages from me
notice-failed-no-permission = I may not post there
notice-failed-unknown-channel = the channel no longer exists
notice-failed-other = Discord kept refusing ({ $error })
export-nothing = You have not claimed any shifts here yet, so there is nothing to export.
export-calendar-name = Agora moderator shifts
export-event = Moderator shift #{ $id }
export-done = Your { $count } claimed { $count ->
        [one] shift
       *[other] shifts
    } as a calendar file: open it or import it into your calendar app.

## Answers of the shift actor itself (mod.rs)
shift-guild-only = Shifts belong to a server; run this in one.
shift-not-a-command = That is not a command I can read.
shift-unusable = I could not use that: { $error }. Nothing changed.
shift-database-trouble = The database is not answering right now; nothing was changed. Please try again in a minute.
shift-stale-button = This button is from an older message and no longer works.
shift-stale = This button or form is from an older message and no longer works.
shift-channel-only = Shift commands work only in <#{ $channel }> here.
shift-not-mine = That is not a shift command.
