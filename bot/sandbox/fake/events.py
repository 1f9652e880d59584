"""Scheduled events as Discord runs them: created, edited and deleted by someone with Manage Events (or
Create Events for one's own), an external event needs a location and an end after its start, and no
event may start in the past."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.sandbox.fake.records import BODY, json_response
from bot.sandbox.fake.world import snowflake

if TYPE_CHECKING:
    from bot.sandbox.fake.state import FakeState

MISSING_PERMISSIONS = {"message": "Missing Permissions", "code": 50013}
UNKNOWN_EVENT = {"message": "Unknown Guild Scheduled Event", "code": 10070}


@dataclass
class ScheduledEvent:
    id: int
    guild_id: int
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def start(self) -> datetime:
        return datetime.fromisoformat(self.data["scheduled_start_time"])

    def payload(self, creator_id: int) -> dict:
        return {
            "id": str(self.id),
            "guild_id": str(self.guild_id),
            "channel_id": None,
            "creator_id": str(creator_id),
            "status": 1,
            "entity_id": None,
            "user_count": 0,
            **self.data,
        }


MAX_EVENTS = 100  # Discord's cap of scheduled events per server (error 30038)


class ScheduledEvents:
    """`POST /guilds/{id}/scheduled-events`, `PATCH` and `DELETE .../{event}`; `by_guild` holds them."""

    def __init__(self, fake: FakeState) -> None:
        self._fake = fake
        self.by_guild: dict[int, dict[int, ScheduledEvent]] = {}

    def _allowed(self, guild_id: int) -> bool:
        guild = self._fake.world.guilds.get(guild_id)
        return guild is not None and guild.permissions_of(self._fake.world.bot_user.id).manage_events

    def _invalid(self, data: dict[str, Any]) -> str | None:
        """What Discord refuses in an external event (beyond the schema the fake checks already)."""
        now = self._fake.clock()
        if data.get("entity_type") != 3:
            return "studybot creates external events only (entity_type 3)"
        if not (data.get("entity_metadata") or {}).get("location"):
            return "entity_metadata.location is required for an external event"
        start = datetime.fromisoformat(data["scheduled_start_time"])
        end = data.get("scheduled_end_time")
        if end is None or datetime.fromisoformat(end) <= start:
            return "scheduled_end_time is required, after scheduled_start_time"
        if start <= now:
            return "Cannot schedule event in the past."
        return None

    def _refuse(self, why: str) -> web.Response:
        return json_response({"message": "Invalid Form Body", "code": 50035, "errors": {"_errors": [why]}}, 400)

    async def create(self, request: web.Request) -> web.StreamResponse:
        guild_id, body = int(request.match_info["guild"]), dict(request[BODY] or {})
        if not self._allowed(guild_id):
            return json_response(MISSING_PERMISSIONS, status=403)
        if (why := self._invalid(body)) is not None:
            return self._refuse(why)
        if len(self.by_guild.get(guild_id, {})) >= MAX_EVENTS:
            return json_response(
                {"message": f"Maximum number of guild scheduled events reached ({MAX_EVENTS})", "code": 30038}, 400
            )
        event = ScheduledEvent(snowflake(), guild_id, body)
        self.by_guild.setdefault(guild_id, {})[event.id] = event
        return json_response(event.payload(self._fake.world.bot_user.id))

    async def edit(self, request: web.Request) -> web.StreamResponse:
        guild_id, event_id = int(request.match_info["guild"]), int(request.match_info["event"])
        event = self.by_guild.get(guild_id, {}).get(event_id)
        if event is None:
            return json_response(UNKNOWN_EVENT, status=404)
        if not self._allowed(guild_id):
            return json_response(MISSING_PERMISSIONS, status=403)
        merged = event.data | dict(request[BODY] or {})
        if (why := self._invalid(merged)) is not None:
            return self._refuse(why)
        event.data = merged
        return json_response(event.payload(self._fake.world.bot_user.id))

    async def delete(self, request: web.Request) -> web.StreamResponse:
        guild_id, event_id = int(request.match_info["guild"]), int(request.match_info["event"])
        if event_id not in self.by_guild.get(guild_id, {}):
            return json_response(UNKNOWN_EVENT, status=404)
        if not self._allowed(guild_id):
            return json_response(MISSING_PERMISSIONS, status=403)
        del self.by_guild[guild_id][event_id]
        return web.Response(status=204)

    def of(self, guild_id: int) -> list[ScheduledEvent]:
        """A server's events, soonest first."""
        return sorted(self.by_guild.get(guild_id, {}).values(), key=lambda e: e.start)
