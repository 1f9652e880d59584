"""The settings of /cohort create and edit: option values as typed, checked, then applied all at once;
and what the bot must be allowed to do on Discord for the settings that need it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol

from bot.db.models import Cohort
from bot.i18n import Later, Text, permission_list
from bot.services import validation as v
from bot.services.errors import InvalidInput, NotAllowed
from bot.usertext import channel_mention


@dataclass(frozen=True, slots=True)
class ChannelChoice:
    """A channel picked in an option, with the permissions the bot lacks there and those the person
    picking it lacks there (as Discord names them)."""

    id: int
    missing: tuple[str, ...] = ()
    invoker_missing: tuple[str, ...] = ()
    public: bool = False  # @everyone can read it

    def postable(self) -> int:
        """The channel's id. NotAllowed when the person picking could not view and write there themselves
        (the bot posts for nobody where they may not); InvalidInput naming what the bot lacks there."""
        if self.invoker_missing:
            raise NotAllowed(
                Text(
                    "You can't post in {channel_mention} yourself (you lack {value} there), so I won't post "
                    "there for you. Pick a channel you can write in.",
                    channel_mention=channel_mention(self.id),
                    value=Later(permission_list, self.invoker_missing),
                )
            )
        if self.missing:
            raise InvalidInput(
                Text(
                    "I can't post in {channel_mention}: I need {value} there. Give me those "
                    "permissions in that channel, or pick another channel.",
                    channel_mention=channel_mention(self.id),
                    value=Later(permission_list, self.missing),
                )
            )
        return self.id

    def private_postable(self) -> int:
        """As `postable`, and only a channel @everyone cannot read: what goes there (the moderators'
        report) names quiet members and those who hide their progress."""
        channel_id = self.postable()
        if self.public:
            raise InvalidInput(
                Text(
                    "Everyone in the server can read {channel_mention}, and the weekly report names quiet "
                    "members and members who keep their progress private. Pick a channel only moderators "
                    "can read.",
                    channel_mention=channel_mention(self.id),
                )
            )
        return channel_id


@dataclass(frozen=True, slots=True)
class RoomChoice:
    """A voice channel picked as a cohort's study room, with what Discord says about it: whether it is
    the server's AFK channel, what the bot lacks there, what the person picking it lacks there."""

    id: int
    afk: bool = False
    missing: tuple[str, ...] = ()
    invoker_missing: tuple[str, ...] = ()

    def usable(self) -> int:
        """The room's id. NotAllowed when the person picking cannot see it themselves (who is in a room
        they cannot see is not theirs to learn); InvalidInput for the AFK channel, where nobody studies,
        or a room the bot cannot see."""
        if self.invoker_missing:
            raise NotAllowed(
                Text(
                    "You can't see {channel_mention} yourself (you lack {value} there), so I won't count "
                    "who is in it for you. Pick a voice channel you can see.",
                    channel_mention=channel_mention(self.id),
                    value=Later(permission_list, self.invoker_missing),
                )
            )
        if self.afk:
            raise InvalidInput(
                Text(
                    "{channel_mention} is the server's AFK channel: time there is idle, not study. "
                    "Pick another voice channel.",
                    channel_mention=channel_mention(self.id),
                )
            )
        if self.missing:
            raise InvalidInput(
                Text(
                    "I can't see {channel_mention}: I need {value} there to count study time in it. "
                    "Give me that permission in that channel, or pick another one.",
                    channel_mention=channel_mention(self.id),
                    value=Later(permission_list, self.missing),
                )
            )
        return self.id


@dataclass(frozen=True, slots=True)
class RoleFacts:
    """What the server says about a role, as the rules for stage roles need it."""

    role_id: int
    position: int
    everyone: bool  # @everyone itself
    managed: bool  # a bot's or an integration's: nobody hands it out
    # The permissions it grants beyond what @everyone already has (as Discord names them): a stage role
    # is a badge, so any of these makes it one the bot will not hand out.
    extra_permissions: tuple[str, ...] = ()


class ServerAccess(Protocol):
    """What Discord lets the bot do in the server, asked by a service while it decides (after it checked
    that the caller may make the change at all)."""

    async def missing_for_threads(self, channel_id: int) -> tuple[str, ...]:
        """The permissions the bot lacks to open and post in threads there (as Discord names them)."""
        ...

    def missing_for_roles(self) -> tuple[str, ...]:
        """The permissions the bot lacks to create roles and hand them out (as Discord names them)."""
        ...

    def missing_for_events(self) -> tuple[str, ...]:
        """The permissions the bot lacks to create and edit scheduled events (as Discord names them)."""
        ...

    def role_problem(self, role_id: int) -> str | None:
        """Why the bot cannot hand out this role: "everyone", "managed" (an integration's), "above" (at
        or above the bot's highest role), "unknown"; None when it can."""
        ...

    def role_facts(self, role_id: int) -> RoleFacts | None:
        """What the server says about this role (None: no such role here)."""
        ...

    async def study_room(self, channel_id: int) -> RoomChoice | None:
        """The voice channel as a study room (what the bot and the person asking lack there); None when
        it is no longer a voice channel of the server."""
        ...

    async def caller_lacks(self, toggle: str, channel_id: int) -> tuple[str, ...]:
        """The permissions the person asking lacks to do themselves what turning `toggle` on has the bot
        do (as Discord names them): open threads in the channel, post there, create roles, keep events."""
        ...


# The on/off settings of /cohort edit (each a CohortOptions field and a Cohort column of that name).
TOGGLES = ("threads", "stage_roles", "showcase", "events", "buddies", "study_time", "focus")


@dataclass(frozen=True, slots=True)
class CohortOptions:
    """Raw option values as typed; None means "not given" (defaults on create, unchanged on edit)."""

    name: str | None = None
    channel: ChannelChoice | None = None
    start_date: str | None = None
    timezone: str | None = None
    nudge_time: str | None = None
    leaderboard_day: str | None = None
    leaderboard_time: str | None = None
    pace: str | None = None
    moderator_role_id: int | None = None
    report_channel: ChannelChoice | None = None
    roadmap: str | None = None  # only at creation: a cohort keeps its roadmap
    locale: str | None = None  # the server's language (bot.i18n code), for posts to its channels
    status: str | None = None  # only on edit: "active" reopens an archived cohort
    threads: str | None = None  # only on edit: "on" opens a public thread per topic in the cohort channel
    stage_roles: str | None = None  # only on edit: "on" gives a role for each stage a member finishes
    showcase: str | None = None  # only on edit: "on" lets members post their projects with /share
    events: str | None = None  # only on edit: "on" keeps a Discord scheduled event at each stage's start
    buddies: str | None = None  # only on edit: "on" pairs members who opt in (/buddy on) each week
    study_room: RoomChoice | None = None  # only on edit: the voice channel whose time counts as study
    study_time: str | None = None  # only on edit: "on" counts time in the study room (a room turns it on)
    leaderboard_metric: str | None = None  # only on edit: what the weekly post ranks by, "topics" or "minutes"
    focus: str | None = None  # only on edit: "on" lets members run focus timers with /focus start


def apply_options(cohort: Cohort, options: CohortOptions, today: date) -> None:
    """Validate every given option, then set them: one bad value changes nothing."""
    changes: dict[str, object] = {}
    if options.name is not None:
        changes["name"] = v.parse_cohort_name(options.name)
        changes["name_key"] = v.name_key(changes["name"])  # type: ignore[arg-type]
    if options.channel is not None:
        changes["channel_id"] = options.channel.postable()
    if options.start_date is not None:
        changes["start_date"] = v.parse_calendar_date(options.start_date, Text("start date"), today)
    if options.timezone is not None:
        changes["timezone"] = v.parse_timezone(options.timezone)
    if options.nudge_time is not None:
        changes["nudge_time"] = v.parse_hhmm(options.nudge_time, Text("nudge time"))
    if options.leaderboard_day is not None:
        changes["leaderboard_weekday"] = v.parse_weekday(options.leaderboard_day)
    if options.leaderboard_time is not None:
        changes["leaderboard_time"] = v.parse_hhmm(options.leaderboard_time, Text("leaderboard time"))
    if options.pace is not None:
        changes["pace"] = v.parse_pace(options.pace)
    if options.moderator_role_id is not None:
        changes["moderator_role_id"] = options.moderator_role_id
    if options.report_channel is not None:
        changes["report_channel_id"] = options.report_channel.private_postable()
    if options.locale is not None:
        changes["locale"] = options.locale
    if options.leaderboard_metric is not None:
        changes["leaderboard_metric"] = v.parse_metric(options.leaderboard_metric)
    if options.study_room is not None:
        changes["study_room_id"] = options.study_room.usable()
        changes["study_time"] = True  # picking a room means counting in it, unless `study_time:off` says not
    for toggle in TOGGLES:
        if getattr(options, toggle) is not None:
            changes[toggle] = v.parse_on_off(getattr(options, toggle), toggle)
    if changes.get("study_time") and not changes.get("study_room_id", cohort.study_room_id):
        raise InvalidInput(
            Text("Study time needs a room: pick the voice channel with `study_room:`, and it turns on with it.")
        )
    for key, value in changes.items():
        setattr(cohort, key, value)


def _asked(access: ServerAccess | None) -> ServerAccess:
    if access is None:
        raise ValueError("turning this setting on needs a ServerAccess to check what Discord lets the bot do")
    return access


# What turning a toggle on has the bot do on Discord, and so what the person turning it on must be able
# to do themselves ("channel": in the cohort's channel; "server": anywhere in it). Buddies only send DMs.
CALLER_DOES = {
    "threads": "channel",
    "showcase": "channel",
    "stage_roles": "server",
    "events": "server",
}


async def check_caller_may(cohort: Cohort, options: CohortOptions, access: ServerAccess | None) -> None:
    """NotAllowed when a toggle turned on here (or the channel moved under one that is on) would have the
    bot do what the person asking could not do themselves: open threads or post in the cohort's channel,
    create and hand out roles, create events. Turning anything off is always allowed."""
    moved = options.channel is not None
    for toggle, where in CALLER_DOES.items():
        if not getattr(cohort, toggle) or not (getattr(options, toggle) is not None or (moved and where == "channel")):
            continue
        missing = await _asked(access).caller_lacks(toggle, cohort.channel_id)
        if missing:
            raise NotAllowed(
                Text(
                    "With `{toggle}` on I would do for you what you cannot do yourself: you lack {value} "
                    "{where}. Someone who has it can turn it on.",
                    toggle=toggle,
                    value=Later(permission_list, missing),
                    where=Text("in {channel_mention}", channel_mention=channel_mention(cohort.channel_id))
                    if where == "channel"
                    else Text("in this server"),
                )
            )


async def check_room_possible(cohort: Cohort, options: CohortOptions, access: ServerAccess | None) -> None:
    """Turning study time on again in the room picked before: the room must still be one the bot and the
    person asking can see (a room picked now was checked as it was applied)."""
    if not cohort.study_time or options.study_time is None or options.study_room is not None:
        return
    assert cohort.study_room_id is not None
    room = await _asked(access).study_room(cohort.study_room_id)
    if room is None:
        raise InvalidInput(
            Text(
                "The study room picked before is gone. Pick a voice channel with `study_room:`.",
            )
        )
    room.usable()


async def check_threads_possible(cohort: Cohort, access: ServerAccess | None) -> None:
    """InvalidInput naming what the bot lacks to open topic threads in the cohort's channel."""
    if missing := await _asked(access).missing_for_threads(cohort.channel_id):
        raise InvalidInput(
            Text(
                "I can't open topic threads in {channel_mention}: I need {value} there. Give me those "
                "permissions in that channel, then turn `threads` on again.",
                channel_mention=channel_mention(cohort.channel_id),
                value=Later(permission_list, missing),
            )
        )


def check_roles_possible(access: ServerAccess | None) -> None:
    """InvalidInput naming what the bot lacks to create and hand out stage roles."""
    if missing := _asked(access).missing_for_roles():
        raise InvalidInput(
            Text(
                "I can't hand out stage roles: I need {value} in this server. Give my role that "
                "permission, then turn `stage_roles` on again.",
                value=Later(permission_list, missing),
            )
        )


def check_events_possible(access: ServerAccess | None) -> None:
    """InvalidInput naming what the bot lacks to keep the cohort's scheduled events."""
    if missing := _asked(access).missing_for_events():
        raise InvalidInput(
            Text(
                "I can't keep scheduled events: I need {value} in this server. Give my role that "
                "permission, then turn `events` on again.",
                value=Later(permission_list, missing),
            )
        )
