"""Stage events on Discord (`/cohort edit events:on`): a scheduled event at the start of each stage still
ahead (its first study day, at the cohort's nudge time, for an hour), kept in step with the calendar
whenever a moderator changes it (start date, pace, timezone, nudge time, a break) and removed when events
go off or the cohort is archived. Past stages are left as they were: Discord keeps no event in the past.

The records are bot.services.cohorts.links (kind "stage-event"); the dates are the cohort calendar's, the
same as /cohort calendar's."""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import discord

from bot import i18n
from bot.db.models import Cohort
from bot.discord_side.deleting import deleted
from bot.i18n import t
from bot.roadmap import Roadmap
from bot.services.cohorts.links import STAGE_EVENT, CohortLinkService
from bot.services.cohorts.registry import keeps_stage_events
from bot.services.cohorts.schedule import local_instant
from bot.services.progress.pace import CohortCalendar
from bot.usertext import clip

log = logging.getLogger(__name__)

EVENT_LENGTH = timedelta(hours=1)
REASON = "studybot: stage events"
EXTERNAL, GUILD_ONLY = 3, 2  # Discord's entity type and privacy level
EVENTS_CAP = 30038  # Discord's code: the server has its maximum of 100 scheduled events


@dataclass(frozen=True, slots=True)
class EventSync:
    """What a sync did, for the moderator's answer: events created, moved, removed; `problem` when Discord
    refused part of it (the moderator's change itself is saved either way): "manage" (the bot lacks
    Manage Events), "limit" (the server has Discord's 100 scheduled events) or "discord" (anything else)."""

    created: int = 0
    moved: int = 0
    removed: int = 0
    problem: str | None = None


class StageEvents:
    """Keeps one cohort's scheduled events in step with its calendar."""

    def __init__(self, client: discord.Client, records: CohortLinkService) -> None:
        self._client = client
        self._records = records

    async def remove(self, guild_id: int, event_ids: list[int]) -> list[int]:
        """Delete events of a cohort that is gone; returns those left on Discord (the bot lacks Manage
        Events, or Discord refused), for bot.discord_side.leftovers to remove later. One already gone is fine."""
        guild = self._client.get_guild(guild_id)
        if guild is None or not guild.me.guild_permissions.manage_events:
            return list(event_ids)  # Discord would refuse: not asked
        left: list[int] = []
        for event_id in event_ids:
            request = self._client.http.delete_scheduled_event(guild_id, event_id, reason=REASON)
            if not await deleted(request, f"scheduled event {event_id}"):
                left.append(event_id)
        return left

    async def sync(self, cohort: Cohort, roadmap: Roadmap, paused: frozenset[date], now: datetime) -> EventSync:
        """Create, move or remove the cohort's stage events (all removed when it keeps none or is archived)."""
        http = self._client.http
        known = await self._records.known([cohort.id], STAGE_EVENT)
        keeping = keeps_stage_events(cohort)
        wanted, begun = self._wanted(cohort, roadmap, paused, now) if keeping else ({}, set())
        created = moved = removed = 0
        guild = self._client.get_guild(cohort.guild_id)
        if (known or wanted) and guild is not None and not guild.me.guild_permissions.manage_events:
            return EventSync(problem="manage")  # the cache knows Discord would refuse: not asked
        try:
            for (_, stage_id), event_id in known.items():
                if stage_id not in wanted and stage_id not in begun:
                    with contextlib.suppress(discord.NotFound):  # a moderator deleted it already
                        await http.delete_scheduled_event(cohort.guild_id, event_id, reason=REASON)
                    await self._records.drop(cohort.id, STAGE_EVENT, stage_id)
                    removed += 1
            for stage_id, payload in wanted.items():
                event_id = known.get((cohort.id, stage_id))
                if event_id is not None:
                    try:
                        await http.edit_scheduled_event(cohort.guild_id, event_id, reason=REASON, **payload)
                        moved += 1
                        continue
                    except discord.NotFound:  # deleted by a moderator: made again
                        await self._records.drop(cohort.id, STAGE_EVENT, stage_id)
                claim = await self._records.claim(cohort.id, STAGE_EVENT, stage_id)
                if not claim.mine:
                    continue
                try:
                    event = await http.create_guild_scheduled_event(cohort.guild_id, reason=REASON, **payload)
                except BaseException:
                    await self._records.release(cohort.id, STAGE_EVENT, stage_id)
                    raise
                await self._records.made(cohort.id, STAGE_EVENT, stage_id, int(event["id"]))
                created += 1
        except discord.HTTPException as exc:
            log.warning("could not keep the scheduled events of cohort %s: %s", cohort.id, exc)
            problem = (
                "manage" if isinstance(exc, discord.Forbidden) else "limit" if exc.code == EVENTS_CAP else "discord"
            )
            return EventSync(created, moved, removed, problem)
        return EventSync(created, moved, removed)

    def _wanted(
        self, cohort: Cohort, roadmap: Roadmap, paused: frozenset[date], now: datetime
    ) -> tuple[dict[str, dict], set[str]]:
        """The event each stage still ahead should have, by stage id, in the server's language; and the
        stages already begun (their events, if any, are left as they are)."""
        calendar = CohortCalendar.build(roadmap, cohort.start_date, cohort.pace, paused)
        channel = self._client.get_channel(cohort.channel_id)
        where = f"#{channel.name}" if isinstance(channel, discord.TextChannel) else cohort.name
        wanted: dict[str, dict] = {}
        begun: set[str] = set()
        with i18n.using(cohort.locale):
            for number, stage in enumerate(roadmap.stages, 1):
                first, _ = calendar.stage_days(stage.id)
                start = local_instant(first, cohort.nudge_time, cohort.timezone)
                if start <= now:
                    begun.add(stage.id)
                    continue
                topics = ", ".join(topic.title for topic in stage.topics)
                wanted[stage.id] = {
                    "name": clip(
                        t("{cohort} · stage {number}: {stage}", cohort=cohort.name, number=number, stage=stage.title),
                        100,
                    ),
                    "description": clip(t("Stage {number} begins: {topics}", number=number, topics=topics), 1000),
                    "scheduled_start_time": start.isoformat(),
                    "scheduled_end_time": (start + EVENT_LENGTH).isoformat(),
                    "privacy_level": GUILD_ONLY,
                    "entity_type": EXTERNAL,
                    "entity_metadata": {"location": clip(where, 100)},
                }
        return wanted, begun
