"""The fake gateway: HELLO, IDENTIFY -> READY + GUILD_CREATE, heartbeats, RESUME, zlib-stream frames."""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
import zlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

if TYPE_CHECKING:
    from bot.sandbox.fake.state import FakeState

log = logging.getLogger(__name__)

HEARTBEAT_INTERVAL_MS = 41_250
GUILD_VOICE_STATES = 1 << 7  # the intent without which Discord sends no voice state


@dataclass
class Session:
    """One gateway session; it outlives a dropped connection so the client can RESUME it."""

    id: str
    shard: tuple[int, int]
    intents: int = 0  # what the client identified with: Discord sends only the events they cover
    events: list[dict] = field(default_factory=list)  # every dispatch, for replay on RESUME
    ws: web.WebSocketResponse | None = None
    compressor: Any = None

    @property
    def sequence(self) -> int:
        return len(self.events)


class Gateway:
    """Serves `/gateway` for a FakeState; `dispatch` sends an event to the connected bot(s)."""

    def __init__(self, fake: FakeState) -> None:
        self.fake = fake
        self.sessions: dict[str, Session] = {}
        self.identified = asyncio.Event()
        self.resumed = asyncio.Event()
        self.identifies: list[dict] = []
        self.resumes: list[dict] = []
        self.heartbeats = 0
        self.compressions: list[str | None] = []  # the `compress` asked for by each connection
        self.refusing = False  # an outage: new connections fail until a test ends it
        self.refusals = 0  # connections refused during outages: how often the client tried again
        # A bot in this process fed directly, without a connection (the tests' harness): gets every event,
        # as FakeDiscord.deliver gets interactions.
        self.direct: Callable[[str, dict], Awaitable[None]] | None = None

    @property
    def connected(self) -> list[Session]:
        return [s for s in self.sessions.values() if s.ws is not None and not s.ws.closed]

    async def handle(self, request: web.Request) -> web.StreamResponse:
        if self.refusing:
            self.refusals += 1
            return web.Response(status=503, text="the gateway is down (a test's outage)")
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self.compressions.append(request.query.get("compress"))
        compressed = request.query.get("compress") == "zlib-stream"
        if request.query.get("compress") not in (None, "zlib-stream"):
            await ws.close(code=4000, message=b"this fake speaks zlib-stream only")
            return ws
        compressor = zlib.compressobj() if compressed else None
        session: Session | None = None

        async def send(payload: dict) -> None:
            data = json.dumps(payload)
            if compressor is not None:
                await ws.send_bytes(compressor.compress(data.encode()) + compressor.flush(zlib.Z_SYNC_FLUSH))
            else:
                await ws.send_str(data)

        await send({"op": 10, "d": {"heartbeat_interval": HEARTBEAT_INTERVAL_MS}, "s": None, "t": None})
        try:
            async for message in ws:
                if message.type != WSMsgType.TEXT and message.type != WSMsgType.BINARY:
                    break
                payload = json.loads(message.data)
                op = payload.get("op")
                if op == 1:
                    self.heartbeats += 1
                    await send({"op": 11, "d": None, "s": None, "t": None})
                elif op == 2:
                    session = await self._identify(payload["d"], ws, send)
                elif op == 6:
                    session = await self._resume(payload["d"], ws, send)
                    if session is None:
                        await send({"op": 9, "d": False, "s": None, "t": None})
        finally:
            if session is not None and session.ws is ws:
                session.ws = None
        return ws

    async def _identify(self, data: dict, ws: web.WebSocketResponse, send: Any) -> Session:
        self.identifies.append(data)
        shard = tuple(data.get("shard") or (0, 1))
        session = Session(uuid.uuid4().hex, (int(shard[0]), int(shard[1])), int(data.get("intents") or 0))
        session.ws, session.compressor = ws, send
        self.sessions[session.id] = session
        world = self.fake.world
        guilds = [g for g in world.guilds.values() if (g.id >> 22) % session.shard[1] == session.shard[0]]
        await self._dispatch_to(
            session,
            "READY",
            {
                "v": 10,
                "user": world.bot_user.payload(),
                "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
                "session_id": session.id,
                "session_type": "normal",
                "resume_gateway_url": self.fake.gateway_url,
                "shard": list(session.shard),
                "application": {"id": str(world.application_id), "flags": 0},
                "private_channels": [],
                "relationships": [],
                "presences": [],
                "guild_join_requests": [],
                "geo_ordered_rtc_regions": [],
                "user_settings": {},
            },
        )
        for guild in guilds:
            voice = bool(session.intents & GUILD_VOICE_STATES)
            await self._dispatch_to(session, "GUILD_CREATE", guild.payload(world.users, world.bot_user, voice=voice))
        self.identified.set()
        return session

    async def _resume(self, data: dict, ws: web.WebSocketResponse, send: Any) -> Session | None:
        self.resumes.append(data)
        session = self.sessions.get(data.get("session_id", ""))
        if session is None:
            return None
        session.ws, session.compressor = ws, send
        for event in session.events[int(data.get("seq") or 0) :]:
            await send(event)
        await self._dispatch_to(session, "RESUMED", {})
        self.resumed.set()
        return session

    async def _dispatch_to(self, session: Session, event: str, data: dict) -> None:
        payload = {"op": 0, "t": event, "s": session.sequence + 1, "d": data}
        session.events.append(payload)
        if session.ws is not None and not session.ws.closed:
            await session.compressor(payload)

    async def dispatch(self, event: str, data: dict, *, guild_id: int | None = None, intent: int = 0) -> None:
        """Send an event to the session whose shard owns `guild_id` (DMs go to shard 0), if it identified
        with the `intent` the event needs (0: none)."""
        if self.direct is not None:
            await self.direct(event, data)
        for session in list(self.sessions.values()):
            count = session.shard[1]
            owner = (guild_id >> 22) % count if guild_id else 0
            if session.shard[0] == owner and session.intents & intent == intent:
                await self._dispatch_to(session, event, data)

    async def outage(self) -> None:
        """Cut every connection and refuse new ones until `refusing` is set back to False."""
        self.refusing = True
        await self.drop()

    async def drop(self) -> None:
        """Cut every connection as a network failure would (the client should RESUME)."""
        for session in self.connected:
            assert session.ws is not None
            await session.ws.close(code=4000, message=b"dropped by the test")
