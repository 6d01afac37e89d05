# AntiRaidMonitor: /security, raid buttons, the verification gate.

## Shared answers (mod.rs)
security-stale = This button or command is out of date. Run `/security status` to see where things stand.
security-unusable = Discord sent options this command cannot use ({ $error }).
security-database-trouble = The database did not answer, so nothing was changed. Try again in a moment.

## Raids (monitor.rs)
security-raid-banned = Banned { $count } raid account(s){ $failed ->
    [0] .
   *[other] ; { $failed } could not be banned (see the security log).
}
security-raid-released = Released { $count } raid account(s){ $failed ->
    [0] .
   *[other] ; { $failed } could not be released.
}
security-raid-ended = Raid mode is over. New members are treated normally again.
security-raid-already-ended = Raid mode had already ended.
security-raid-none = There is no raid going on here.

## /security status (admin.rs)
security-status-title = Server protection
security-status-raid = Raid mode
security-status-raid-on = 🚨 On (raid #{ $raid }, since <t:{ $since }:R>)
security-status-raid-off = Off
security-status-lockdown = Lockdown
security-status-unlocked = None
security-status-locked = 🔒 { $channels } channel(s) locked{ $invites ->
    [true] , invites paused
   *[other] {""}
}
security-status-protection = Protection
security-status-limits = Thresholds
security-status-thresholds = Raid: { $threshold } weighted joins per { $window } s for { $members } members (now { $score }) · Spam: { $rate } messages per { $rate_seconds } s · Nuke: more than { $nuke } destructive actions per { $nuke_window } s
security-status-hot-invite = ⚠️ The invite `{ $code }` brought { $uses } of the recent joins: each further join weighs more.
security-status-last = Last events
security-events-none = No security events.
security-events-title = Security events ({ $count })
security-bad-since = “{ $given }” is not a time I can read. Use 30m, 6h, 2d, 1w or a date like 2026-12-01.
security-bad-duration = “{ $given }” is not a duration I can read. Use 30m, 2h or 1d (at most 30 days).

## Lockdown (admin.rs, lockdown.rs)
security-lockdown-no-reason = no reason given
security-lockdown-already = That is locked down already; its permissions from before stay stored for the unlockdown.
security-lockdown-done = 🔒 Locked { $channels } channel(s){ $invites ->
    [true] {" "}and paused invites
   *[other] {""}
}. @everyone cannot send there until `/security unlockdown`{ $until ->
    [0] .
   *[other] {" "}or <t:{ $until }:f>.
}
security-lockdown-refused = Nothing was locked: { $why }.
security-unlockdown-nothing = Nothing is locked down here.
security-unlockdown-done = 🔓 { $channels } channel(s) have exactly the permissions they had before.
security-unlockdown-partly = 🔓 { $channels } channel(s) restored. These could not be and stay stored for another try:
    { $failed }

## /security config (admin.rs)
security-config-title = Protection settings
security-config-refused = Nothing was changed:
    { $problems }
security-out-of-range = • `{ $name }` must be from { $min } to { $max } (you gave { $given }).
security-standing-unknown = • The bot's roles could not be read to check what it may do: { $why }
security-missing-permission = • To { $action } members the bot needs the **{ $permission }** permission.
security-unknown-role = • <@&{ $role }> is not a role of this server.
security-role-unusable = • <@&{ $role }> cannot be given by a bot (it is @everyone or managed by an integration).
security-role-above-bot = • <@&{ $role }> is not below the bot's highest role, so the bot cannot give it. Move the bot's role above it.
security-raid-delete = • Raiders cannot only have messages deleted: choose quarantine, timeout, kick or ban.
security-spam-action-needs-rule = • Say which `rule` the action is for.
security-exempt-nothing = • Give a `role` or a `channel`.
security-exempt-full = • At most 50 exempt roles and channels together.
security-webhook-invalid = • That is not a Discord webhook URL (https://discord.com/api/webhooks/<id>/<token>).
security-webhook-missing = • Give the webhook's `url`, or `remove:True` to stop posting there.
security-verify-needs-role-and-channel = • The gate needs a `role` and a `channel`.
security-verify-post-failed = Saved, but the Verify button could not be posted: { $why }

## The verification gate (verify.rs)
security-verify-question = What is { $a } + { $b }?
security-verify-wrong = Not quite. Press **Verify** to get a new question.
security-verify-passed = ✅ Welcome in!
security-verify-already = You are verified already.
security-verify-failed = The bot could not let you in just now. Try again in a moment, or ask a moderator.
