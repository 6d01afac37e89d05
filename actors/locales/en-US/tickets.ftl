# TicketManager: /ticket, /tickets, panels, ticket channels, transcripts.

## Shared words (render.rs)
ticket-anonymous = Anonymous
ticket-priority-low = Low
ticket-priority-normal = Normal
ticket-priority-high = High
ticket-priority-urgent = Urgent
ticket-priority-critical = Critical
ticket-unclaimed-state = unclaimed
ticket-status-opening = opening
ticket-status-open = open
ticket-status-closed = closed
ticket-status-deleted = channel deleted
ticket-staff-default = the tickets staff role (else moderators)

## The ticket channel's messages (render.rs, lifecycle.rs)
ticket-welcome-title = { $label } · { $category }
ticket-welcome-body = Opened by { $opener }. Tell us what you need; staff will be with you soon.
ticket-field-priority = Priority
ticket-field-sla = First answer within
ticket-sla-minutes = { $minutes } min
ticket-field-reason = Reason
ticket-button-claim = Claim
ticket-button-close = Close
ticket-button-reopen = Reopen
ticket-button-delete = Delete channel
ticket-closed-title = { $label } is closed
ticket-closed-body = Closed by { $closer }. Staff can reopen it or delete this channel.
ticket-claimed-notice = <@{ $staff }> has taken this ticket on.
ticket-reopened-notice = <@{ $staff }> reopened this ticket.

## The log channel (lifecycle.rs)
ticket-log-footer = { $label } · ticket { $id }
ticket-log-opened = { $who } opened <#{ $channel }> ({ $category }).
ticket-log-claimed = Claimed by <@{ $staff }>.
ticket-log-closed = Closed by <@{ $staff }>.
ticket-log-closed-reason = Closed by <@{ $staff }>: { $reason }
ticket-log-reopened = Reopened by <@{ $staff }>.
ticket-log-deleted = Channel deleted by <@{ $staff }>.
ticket-log-channel-deleted = { $label }: its channel was deleted by hand; the ticket is closed.
ticket-channel-deleted-reason = The ticket's channel was deleted by hand.

## Transcripts (lifecycle.rs)
ticket-transcript-posted = Transcript of { $label } ({ $messages } messages), opened by <@{ $opener }>.
ticket-transcript-dm = Your ticket { $label } was closed. Here is its transcript.
ticket-transcript-written = Transcript of { $label }: { $messages } messages.
ticket-transcript-failed = I couldn't write the transcript (I couldn't read the channel's messages or save the file). Nothing else changed.

## Answers to the opener (lifecycle.rs)
ticket-opened = Your ticket is open: <#{ $channel }> ({ $label }).
ticket-being-opened = (being opened)
ticket-too-many-open = You already have { $count } open { $count ->
    [one] ticket
   *[other] tickets
  }, the most allowed here: { $tickets }. Close one before opening another.
ticket-cooldown = You opened a ticket moments ago. You can open another <t:{ $at }:R>.
ticket-hourly-cap = This server has had as many new tickets this hour as it takes. Please try again later.
ticket-answer-missing = Please answer “{ $question }”.
ticket-answer-too-long = Your answer to “{ $question }” is longer than { $max } characters.
ticket-category-gone = That kind of ticket no longer exists; ask the admins to update the panel.
ticket-missing-permissions = I can't make or change the ticket channel: I need **Manage Channels** and **Manage Roles** (Manage Permissions), and to see the ticket category. Please ask an admin to grant them.
ticket-channel-refused = Discord refused the ticket channel (is the ticket category full, at 50 channels?). Please tell an admin.
ticket-discord-trouble = Discord didn't answer in time. Nothing was opened; please try again in a moment.

## Staff workflow (lifecycle.rs)
ticket-not-here = This isn't a ticket channel. Run it in the ticket's channel.
ticket-staff-only = Only this ticket's staff can do that.
ticket-claimed = You claimed { $label }.
ticket-claimed-by-you = You already claimed this ticket.
ticket-claimed-by-other = <@{ $staff }> already claimed this ticket.
ticket-not-open = This ticket isn't open.
ticket-not-closed = This ticket isn't closed.
ticket-unclaimed = You gave { $label } back; anyone on staff can claim it now.
ticket-not-your-claim = This ticket isn't claimed by you.
ticket-close-title = Close { $label }
ticket-close-reason-label = Reason (optional)
ticket-reason-too-long = The reason is longer than { $max } characters.
ticket-closed = { $label } is closed; the transcript is written.
ticket-closed-no-transcript = { $label } is closed, but I couldn't write its transcript; try /ticket transcript.
ticket-reopened = { $label } is open again.
ticket-close-first = Close the ticket before deleting its channel.
ticket-deleted-already = This ticket's channel is already deleted.
ticket-deleting = Deleting the channel of { $label } in a few seconds; its record and transcript stay.
ticket-cannot-remove-opener = The opener can't be removed from their own ticket; close it instead.
ticket-participant-added = <@{ $user }> can now see this ticket.
ticket-participant-removed = <@{ $user }> no longer sees this ticket.
ticket-priority-set = Priority set to { $priority }.
ticket-note-empty = A note needs some text.
ticket-note-added = Note added to the ticket's timeline (staff only).
ticket-info = **{ $label }** · { $category } · { $status } · { $priority }
    Opened by { $opener } <t:{ $opened }:R> · claimed: { $claimed }
ticket-response-after = First staff answer after { $minutes } min.
ticket-response-late = First staff answer after { $minutes } min — later than the { $sla } min SLA.
ticket-response-due = No staff answer yet; due <t:{ $due }:R>.
ticket-response-overdue = No staff answer yet — overdue since <t:{ $due }:R>.
ticket-response-none = No staff answer yet.
ticket-barred = <@{ $user }> may not open tickets here until an admin lifts it.
ticket-barred-until = <@{ $user }> may not open tickets here until <t:{ $until }:f>.
ticket-unbarred = <@{ $user }> may open tickets again.
ticket-not-barred = <@{ $user }> wasn't barred from tickets.
ticket-you-are-barred = You can't open tickets on this server.{ $reason }
ticket-you-are-barred-until = You can't open tickets on this server until <t:{ $until }:f>.{ $reason }
ticket-bar-reason = { " " }Reason: { $reason }
ticket-rename-bad = Channel names take 1 to 90 characters.
ticket-renamed = Renamed <#{ $channel }>.
ticket-transfer-same = They already own this ticket.
ticket-transferred = <@{ $user }> owns this ticket now.
ticket-dashboard = **{ $open }** open · **{ $closed }** closed · { $total } in all
ticket-dashboard-line = { $name }: { $open } open, { $closed } closed
ticket-leaderboard-empty = Nobody on staff has claimed or closed a ticket yet.
ticket-leaderboard-line = <@{ $staff }>: { $claimed } claimed, { $closed } closed · first answer mean { $mean } min, p95 { $p95 } min · { $warnings ->
    [one] 1 warning
   *[other] { $warnings } warnings
  }
ticket-days-out-of-range = Pick from 1 to { $max } days; { $days } is out of range. Nothing was counted.
ticket-volume-title = **Daily volume**, last { $days } days (UTC):
ticket-volume-day = Day
ticket-volume-opened = Opened
ticket-volume-closed = Closed
ticket-graph-title = Tickets per day, last { $days } days (UTC)
ticket-graph = Tickets opened and closed per day over the last { $days } days (UTC): { $opened } opened, { $closed } closed.
ticket-graph-failed = I couldn't draw the chart. Nothing changed.
ticket-response-times = First staff answers on tickets opened in the last { $days } days (median p50 and p95 by nearest rank):
ticket-response-times-empty = No tickets were opened in the last { $days } days.
ticket-response-by-category = __By category__
ticket-response-by-priority = __By priority__
ticket-response-line = **{ $name }**: { $answered } answered · mean { $mean } min · p50 { $p50 } min · p95 { $p95 } min · { $sla }
ticket-response-sla = { $breached } over the { $sla } min SLA
ticket-response-no-sla = no SLA
ticket-response-sla-categories = { $breached } over their category's SLA
ticket-export = All { $count } tickets as CSV.
ticket-export-failed = I couldn't write the CSV file. Nothing changed.
ticket-scheduled-close-reason = Closed on schedule: nobody wrote after the close was announced.
ticket-close-scheduled = This ticket closes <t:{ $at }:R> unless someone writes in it first.
ticket-close-scheduled-notice = This ticket will close <t:{ $at }:R>. Write here if you still need help, and it stays open.
ticket-close-cancelled-notice = A new message arrived: the scheduled close is cancelled.
ticket-close-unscheduled = The scheduled close is cancelled.
ticket-close-not-scheduled = No close was scheduled for this ticket.
ticket-list-empty = No tickets match.

## Admin (admin.rs)
ticket-category-name-short = A category's name needs at least 2 characters.
ticket-parent-not-category = <#{ $channel }> isn't a channel category; choose a category for ticket channels to go under.
ticket-question-empty = One of the questions is empty.
ticket-question-too-long = The question “{ $question }” is longer than { $max } characters (Discord's limit for a form field).
ticket-too-many-questions = A category asks at most { $max } questions.
ticket-category-saved = Saved category **{ $name }** (number { $id }, { $questions } questions).
ticket-category-line = **{ $id }. { $name }** · staff: { $staff } · questions: { $questions } · anonymous: { $anonymous }
ticket-no-categories = This server has no ticket categories yet. An admin creates one with /tickets category upsert.
ticket-unknown-category = There's no ticket category called “{ $name }”. /tickets category list shows them.
ticket-panel-default-label = Open a ticket
ticket-panel-created = Created panel { $id }. Post it with /tickets panel deploy panel:{ $id }.
ticket-unknown-panel = There's no panel { $id } here. /tickets panel list shows them.
ticket-panel-deployed = Posted panel { $id } in <#{ $channel }>.
ticket-panel-not-posted = I couldn't post in <#{ $channel }>: I need to see it and send messages there.
ticket-no-panels = No panels yet. Create one with /tickets panel create.
ticket-panel-line = **{ $id }.** { $title } · { $place }
ticket-panel-not-deployed = not posted yet
ticket-warn-reason-empty = A warning needs a reason (1 to 500 characters). Nothing was recorded.
ticket-warn-reason-too-long = A warning's reason takes at most { $max } characters. Nothing was recorded.
ticket-warn-bot = <@{ $user }> is a bot; only people on staff can be warned. Nothing was recorded.
ticket-warn-dm = An admin of **{ $guild }** warned you about your work on support tickets: { $reason }
ticket-warned = Warned <@{ $user }>, who now has { $count ->
    [one] 1 warning
   *[other] { $count } warnings
  } and got the reason by DM.
ticket-warned-no-dm = Warned <@{ $user }>, who now has { $count ->
    [one] 1 warning
   *[other] { $count } warnings
  }. I couldn't send them the reason by DM (they don't accept DMs from me), so please tell them yourself.

## Errors (mod.rs)
ticket-stale = This button or form is out of date. Please run the command again.
ticket-unusable = I couldn't use those options: { $error }
ticket-database-trouble = I couldn't reach the database just now. Nothing changed; please try again in a moment.

## The rest of the workflow: lock, tags, department, escalation, deletes, captcha, feedback
ticket-field-tags = Tags
ticket-admins-only = Only the server's admins can do that.
ticket-no-such-number = There is no ticket number { $number } on this server.
ticket-locked = { $label } is locked: its opener can read but not write.
ticket-unlocked = { $label } is unlocked: its opener can write again.
ticket-locked-already = This ticket is locked already.
ticket-unlocked-already = This ticket is not locked.
ticket-locked-notice = <@{ $staff }> locked this ticket: only staff can write here for now.
ticket-unlocked-notice = <@{ $staff }> unlocked this ticket.
ticket-tag-invalid = "{ $tag }" can't be a tag: use letters, digits and dashes, at most { $max } characters.
ticket-too-many-tags = A ticket has at most { $max } tags.
ticket-tags-none = This ticket has no tags.
ticket-tags-now = Tags: { $tags }
ticket-department-too-long = A department's name has at most { $max } characters.
ticket-department-set = This ticket is now with { $department }.
ticket-department-cleared = This ticket is with no department now.
ticket-department-notice = This ticket was handed to { $department }.
ticket-escalation-top = Escalation goes up to level { $max }; this ticket is there already.
ticket-escalation-not-higher = This ticket is at escalation level { $level } already; choose a higher level.
ticket-escalated = Escalated to level { $level }.
ticket-escalated-notice = Escalated to level { $level } by <@{ $staff }>: { $reason }
ticket-force-close-reason = Closed by an admin.
ticket-hard-delete-confirm = Erase { $label } for good? Its record, timeline, transcript files and channel go, and cannot come back.
ticket-button-purge = Erase { $label }
ticket-purged = { $label } is erased.
ticket-purged-already = That ticket is erased already.
ticket-log-purged = Erased for good by <@{ $staff }> (record, timeline and transcript).
ticket-inactive-reason = No messages for { $minutes } minutes.
ticket-captcha-question = Before your ticket opens: what is { $a } + { $b }?
ticket-captcha-wrong = That's not it. Start again from the panel or /ticket create.
ticket-captcha-expired = That question has expired. Start again from the panel or /ticket create.
ticket-closed-dm = Your ticket { $label } was closed.
ticket-feedback-ask = How did we do? Choose 1 to 5 stars.
ticket-feedback-title = Anything to add?
ticket-feedback-words-label = Your words (optional)
ticket-feedback-thanks = Thank you for your feedback!
ticket-feedback-given = You have already rated this ticket.
ticket-feedback-not-yours = Only the person who opened this ticket can rate it.
ticket-feedback-still-open = This ticket is still open; rate it once it is closed.
ticket-log-feedback = Feedback from the opener: { $stars }
ticket-info-workflow = Tags: { $tags } · Department: { $department } · Escalation: { $escalation } · Locked: { $locked }
ticket-info-feedback = Feedback: { $stars } { $words }

## Channels, setup wizard, backup and restore
ticket-channel-unset = not set
ticket-channels-now = Ticket log: { $log } · Transcripts: { $transcripts }
ticket-backup-taken = This server's ticket configuration: { $categories } categories, { $panels } panels, { $settings } settings. Keep the file; /tickets restore reads it back.
ticket-restore-too-large = That file is larger than { $max } KiB; a ticket configuration is much smaller.
ticket-restore-unreadable = I could not read that file from Discord. Try again in a moment.
ticket-restore-not-config = That is not a ticket configuration from /tickets backup ({ $problem }). Nothing was changed.
ticket-restore-refused = Nothing was changed: the file has { $count } problem(s) on this server:
    { $problems }
ticket-restored = Restored { $settings } settings, { $categories } categories and { $panels } panels. Post restored panels again with /tickets panel deploy.
ticket-setup-body = **Ticket setup** — each choice is saved at once.
    Log: { $log } · Transcripts: { $transcripts } · Staff: { $staff } · First panel goes to: { $panel }
ticket-setup-pick-log = Log channel
ticket-setup-pick-transcripts = Transcript channel
ticket-setup-pick-staff = Staff role
ticket-setup-pick-panel = Where the first panel goes
ticket-setup-first-button = Create the first category and panel
ticket-setup-first-title = First category and panel
ticket-setup-field-category = Category name (for instance Support)
ticket-setup-field-questions = Questions, separated by | (optional)
ticket-setup-field-title = Panel title
ticket-setup-field-description = Panel text
ticket-setup-panel-empty = A panel needs a title and a text.
ticket-setup-done = Done: category **{ $category }** and panel { $panel }, posted in <#{ $channel }>.

## Anonymous tickets and SLA alerts
ticket-anonymous-dm = Your anonymous ticket { $label } is open. Write your messages here: staff read them without your name, and their answers come here.
ticket-opened-anonymous = Your anonymous ticket { $label } is open. I sent you a direct message: write there, and staff will not see your name.
ticket-opened-anonymous-no-dm = Your anonymous ticket { $label } is open, but I could not send you a direct message. Allow direct messages from this server's members, then write to me: staff will not see your name.
ticket-relay-from-opener = **Anonymous:** { $text }
ticket-relay-to-opener = **{ $label }**, staff: { $text }
ticket-relay-locked = { $label } is locked: staff are not taking messages in it right now.
ticket-sla-alert = { $label } has waited { $waited } minutes for a first answer (the goal is { $sla }).
ticket-panel-emoji-invalid = "{ $emoji }" is not an emoji I can put on a button: use one like 🎫, or one of this server's (<:name:id>).
