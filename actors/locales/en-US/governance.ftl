# Governance: /propose, /proposal, /report, /reports, the queue and the admin log.

## Optional: the help category and the setting unit
help-category-governance-title = Proposals and reports
help-category-governance-blurb = Propose channels and emojis, report problems to staff in confidence
setting-unit-channels = channels

## Shared answers (mod.rs)
governance-stale = This button or command is out of date. Run `/proposal approve` again to see where things stand.
governance-unusable = Discord sent options this command cannot use ({ $error }).
governance-database-trouble = The database did not answer, so nothing was changed. Try again in a moment.
governance-kind-channel = channel
governance-kind-emoji = emoji

## Proposing (proposals.rs)
governance-idea-too-short = Please describe your channel idea in a few words (at least 3 letters or digits).
governance-already-pending = You already have a pending { $kind } proposal (#{ $id }). Wait until the admins have decided on it.
governance-category-full = We are at our limit for new channels ({ $max }). Please try again later.
governance-proposal-received = Thank you! Your { $kind } proposal #{ $id } has been submitted for review.
governance-emoji-name-length = An emoji name must be 2 to 32 characters long; yours has { $length }.
governance-emoji-name-character = An emoji name may only contain letters, digits and underscores; yours contains “{ $found }”.
governance-emoji-too-large = The file is { $size } KB; Discord takes emojis of at most { $max } KB.
governance-emoji-not-image = “{ $file }” is not an image: its content is not PNG, JPEG or GIF.
governance-emoji-unsupported = “{ $file }” is a { $format } image; emojis must be PNG, JPEG or GIF.
governance-emoji-wrong-extension = “{ $file }” is named .{ $extension } but its content is { $actual }. Rename it to match what it is, or export it as the type its name says.
governance-emoji-unknown-extension = Files ending in .{ $extension } are not taken; use a .png, .jpg, .jpeg or .gif file.
governance-emoji-damaged = “{ $file }” starts like a { $format } image but cannot be read (damaged or cut off).
governance-emoji-too-small = The image is { $width }×{ $height } px; emojis must be at least { $min }×{ $min } px.
governance-emoji-too-big = The image is { $width }×{ $height } px; emojis may be at most { $max }×{ $max } px.
governance-emoji-not-square = The image is { $width }×{ $height } px; emojis must be square (as wide as they are high).
governance-emoji-unreachable = The file could not be fetched from Discord. Try attaching it again.

## Deciding (proposals.rs)
governance-proposal-unknown = There is no proposal #{ $id } on this server.
governance-proposal-being-approved = Proposal #{ $id } is being approved right now by { $by }; nothing was done twice.
governance-proposal-already-approved = Proposal #{ $id } was already approved by { $by } (as **{ $name }**); nothing was done.
governance-proposal-already-rejected = Proposal #{ $id } was already rejected by { $by }; nothing was done.
governance-approve-choose = Choose the name for proposal #{ $id }:
governance-button-approve-as = Approve as { $name }
governance-button-override = Override name
governance-button-rerun = Re-run suggestion
governance-modal-title = Name for proposal #{ $id }
governance-modal-name = Name
governance-rerun-new = New suggestion: **{ $name }**. Choose the name for this proposal:
governance-rerun-none = Still no suggestion ({ $reason }). Enter a name with “Override name”.
governance-name-unusable = That name has nothing a channel name can use (letters, digits, - or _). Choose another.
governance-no-category = No proposed-channels category is set, so no channel was created. An admin sets it with `/config stats proposed-category`.
governance-create-failed = Discord refused to create it ({ $reason }). The proposal is back in the queue; nothing was created.
governance-approved = Approved proposal #{ $id }: the { $kind } { $mention } is created and the member was told.
governance-no-announce-channel = No announcement channel is set (`/config governance announce-channel`), so nothing was announced.
governance-approved-unrecorded = The { $kind } { $mention } is created, but the database did not take the approval of proposal #{ $id }. It is recorded, and the member told, by the next check within 15 minutes.
governance-dm-failed = The member does not accept direct messages from the bot, so they were not told.
governance-reason-needed = Please give a reason: it is sent to the member.
governance-rejected = Rejected proposal #{ $id }; the member got the reason by DM.
governance-template-too-long = An announcement may be at most { $max } characters.
governance-template-set = Approved proposals will be announced as:
    { $text }
governance-template-reset = Approved proposals will be announced with the built-in text again.

## Direct messages and announcements
governance-dm-approved = Your { $kind } proposal **{ $name }** on { $guild } has been approved! { $mention }
governance-dm-rejected = Your { $kind } proposal #{ $id } on { $guild } was not accepted. Reason: { $reason }
governance-dm-investigating = Your report #{ $id } on { $guild } is being investigated. Thank you for telling us.
governance-dm-resolved = Your report #{ $id } on { $guild } has been resolved. { $explanation }
governance-announce-channel-title = New channel
governance-announce-emoji-title = New emoji
governance-announce-channel = { $mention } is open! Proposed by { $proposer }: { $idea }
governance-announce-emoji = { $mention } `:{ $name }:` is here, proposed by { $proposer }.

## The admin log and the queue (render.rs)
governance-proposal-title = Proposal #{ $id } · { $kind }
governance-report-title = Report #{ $id }
governance-field-member = Member
governance-field-reporter = Reporter
governance-field-submitted = Submitted
governance-field-suggestion = Suggested name
governance-field-file = File
governance-field-status = Status
governance-no-suggestion = no suggestion
governance-no-suggestion-because = no suggestion ({ $reason })
governance-decision-title = Decision
governance-log-approved = Proposal #{ $id } ({ $kind }) approved as **{ $name }** by { $admin }: { $mention }
governance-log-approval-cut-off = Proposal #{ $id } ({ $kind }): the approval by { $admin } as **{ $name }** was cut off by a restart before Discord made it; the proposal is back in the queue.
governance-log-rejected = Proposal #{ $id } rejected by { $admin }. Reason: { $reason }
governance-log-resolved = Report #{ $id } resolved by { $staff }: { $explanation }
governance-queue-proposals-title = Pending proposals
governance-queue-reports-title = Pending reports
governance-queue-empty = Nothing is waiting.
governance-queue-more = … and { $count } more
governance-queue-approving = being approved
governance-report-status-pending = new
governance-report-status-investigating = investigating
governance-report-status-resolved = resolved

## Reports (reports.rs)
governance-report-too-short = Please describe what happened in a few words.
governance-report-received = Thank you for your report (#{ $id }). Only the staff can read it; you will hear from them by DM.
governance-report-unknown = There is no report #{ $id } on this server.
governance-report-link = The full record in the admin log: { $link }
governance-report-no-link = This report has no record in the admin log (no log channel was set when it came in); it is shown here in full.
governance-explanation-needed = Please give an explanation: it is sent to the reporter.
governance-report-already-resolved = Report #{ $id } was already resolved; nothing was sent.
governance-report-resolved = Resolved report #{ $id }; the reporter got your explanation by DM and it left the queue.
