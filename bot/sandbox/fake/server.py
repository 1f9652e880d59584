"""The fake Discord's side: the REST API discord.py calls (aiohttp, loopback), checked against Discord's
rules. The person's side (a member's client) is bot.sandbox.fake.person."""

from __future__ import annotations

import asyncio
import itertools
import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from bot.sandbox.fake import openapi, rules
from bot.sandbox.fake.deletions import Deletions
from bot.sandbox.fake.events import ScheduledEvents
from bot.sandbox.fake.gateway import Gateway
from bot.sandbox.fake.global_limit import GlobalLimit
from bot.sandbox.fake.person import Deliver, People
from bot.sandbox.fake.posts import Posts
from bot.sandbox.fake.records import (
    BODY,
    EPHEMERAL,
    Fault,
    InteractionRecord,
    Message,
    RecordedRequest,
    Rejection,
    json_response,
)
from bot.sandbox.fake.roles import Roles
from bot.sandbox.fake.threads import Threads
from bot.sandbox.fake.world import TIMESTAMP, User, World, snowflake

API_PREFIX = "/api/v10"


class FakeDiscord(People):
    """REST endpoints discord.py calls, plus `invoke`/`autocomplete`/`click` that act as a user would."""

    def __init__(
        self, world: World | None = None, clock: Callable[[], datetime] | None = None, *, checks: bool = True
    ) -> None:
        self.world = world or World()
        # Check every request body against Discord's rules (off only where a benchmark times the bot,
        # not the fake: the checks cost ~2 ms a request).
        self.checks = checks
        # Interaction ids are snowflakes carrying their creation time, as Discord's are.
        self.clock = clock or (lambda: datetime.now(UTC))
        self.requests: list[RecordedRequest] = []
        self.commands: dict[int | None, list[dict]] = {}  # guild id (None: global) -> registered commands
        self.messages: dict[int, Message] = {}
        self.channel_posts: list[Message] = []
        self.interactions: dict[int, InteractionRecord] = {}
        self._by_token: dict[str, InteractionRecord] = {}
        self.deliver: Deliver | None = None
        self.faults: list[Fault] = []
        self.files: dict[int, bytes] = {}  # attachment id -> uploaded content
        # Requests refused for breaking Discord's rules (tests fail on any they did not expect).
        self.rejected: list[Rejection] = []
        # Discord drops an interaction whose first answer (a message or a deferral) comes later than this.
        self.interaction_deadline = 3.0
        self.dm_closed: set[int] = set()  # users whose DMs are closed (error 50007)
        self.dms: list[Message] = []
        # Discord's global limit: off until a test or benchmark sets `global_limit.per_second`.
        self.global_limit = GlobalLimit()
        self.threads = Threads(self)
        self.roles = Roles(self)
        self.posts = Posts(self)
        self.deletions = Deletions(self)
        self.events = ScheduledEvents(self)
        self.on_message: Callable[[Message], None] | None = None
        # Called when an edit adds files to a message (a picture drawn after the text answer).
        self.on_attach: Callable[[Message], None] | None = None
        self.gateway = Gateway(self)
        self.gateway_url = ""
        self.extra_routes: list[web.RouteDef] = []
        self._sequence = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    # --- server lifecycle ------------------------------------------------------------

    def _app(self) -> web.Application:
        app = web.Application(middlewares=[self._record])
        r = app.router
        p = API_PREFIX
        r.add_get(p + "/users/@me", self._me)
        r.add_get(p + "/oauth2/applications/@me", self._application)
        r.add_put(p + "/applications/{app}/commands", self._put_commands)
        r.add_put(p + "/applications/{app}/guilds/{guild}/commands", self._put_commands)
        r.add_post(p + "/interactions/{iid}/{token}/callback", self._callback)
        r.add_route("*", p + "/webhooks/{app}/{token}/messages/{mid}", self._webhook_message)
        r.add_post(p + "/webhooks/{app}/{token}", self._followup)
        r.add_get(p + "/guilds/{guild}/members/{user}", self.posts.member)
        r.add_post(p + "/channels/{channel}/messages", self.posts.create)
        r.add_post(p + "/channels/{channel}/threads", self.threads.create)
        r.add_get(p + "/channels/{channel}", self.threads.get)
        r.add_patch(p + "/channels/{channel}", self.threads.edit)
        r.add_post(p + "/guilds/{guild}/roles", self.roles.create)
        r.add_delete(p + "/guilds/{guild}/roles/{role}", self.roles.delete)
        r.add_delete(p + "/channels/{channel}/messages/{message}", self.deletions.delete)
        r.add_post(p + "/guilds/{guild}/scheduled-events", self.events.create)
        r.add_patch(p + "/guilds/{guild}/scheduled-events/{event}", self.events.edit)
        r.add_delete(p + "/guilds/{guild}/scheduled-events/{event}", self.events.delete)
        r.add_put(p + "/guilds/{guild}/members/{user}/roles/{role}", self.roles.give)
        r.add_delete(p + "/guilds/{guild}/members/{user}/roles/{role}", self.roles.take)
        r.add_post(p + "/users/@me/channels", self.posts.open_dm)
        app.add_routes(self.extra_routes)
        r.add_get("/gateway", self.gateway.handle)
        r.add_get("/gateway/", self.gateway.handle)
        r.add_route("*", p + "/{tail:.*}", self._unknown)
        return app

    async def start(self, port: int = 0) -> str:
        self._runner = web.AppRunner(self._app(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base_url = f"http://127.0.0.1:{port}{API_PREFIX}"
        self.gateway_url = f"ws://127.0.0.1:{port}/gateway"
        return self.base_url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def assert_accepted_all(self) -> None:
        """Fail when Discord would have refused anything the bot sent (tests call this as they end)."""
        if self.rejected:
            raise AssertionError("Discord would refuse: " + "; ".join(map(str, self.rejected)))

    # --- helpers ---------------------------------------------------------------------

    @web.middleware
    async def _record(self, request: web.Request, handler: Callable) -> web.StreamResponse:
        path = request.path.removeprefix(API_PREFIX)
        if self.global_limit.applies_to(path):
            # Per bot; a request without a token counts against its IP address, as Discord counts it.
            limited = self.global_limit.refuse(request.headers.get("Authorization") or str(request.remote))
            if limited is not None:
                return limited
        body = await self._body(request)
        request[BODY] = body
        self.requests.append(RecordedRequest(request.method, path, body))
        for fault in self.faults:
            if fault.times > 0 and fault.method == request.method and re.fullmatch(fault.path, path):
                fault.times -= 1
                return json_response({"message": f"injected {fault.status}", "code": fault.code}, status=fault.status)
        errors = self.check(request.method, path, body) if self.checks else []
        if errors:
            return self._refuse(Rejection(request.method, path, errors, body))
        return await handler(request)

    @staticmethod
    def check(method: str, path: str, body: Any) -> list[openapi.FieldError]:
        """What Discord would refuse in this request body: its OpenAPI description and its other limits."""
        # Uploaded files travel beside the JSON part; the description speaks of the JSON alone.
        described = {k: v for k, v in body.items() if k != "_files"} if isinstance(body, dict) else body
        errors = openapi.check_body(method, path, described) + rules.check_request(method, path, body)
        return list(dict.fromkeys(errors))  # both may name the same field for the same reason

    def _refuse(self, rejection: Rejection, *, code: int = 50035, message: str = "Invalid Form Body") -> web.Response:
        """Discord's 400 answer, its `errors` nested by field as Discord nests them."""
        self.rejected.append(rejection)
        tree: dict[str, Any] = {}
        for error in rejection.errors:
            node = tree
            for key in error.path:
                node = node.setdefault(str(key), {})
            node.setdefault("_errors", []).append({"code": error.code, "message": error.message})
        return json_response({"code": code, "message": message, "errors": tree}, status=400)

    @staticmethod
    async def _body(request: web.Request) -> Any:
        if not request.can_read_body:
            return None
        if request.content_type.startswith("multipart/"):
            data = await request.post()
            raw = data.get("payload_json")
            payload = json.loads(raw) if isinstance(raw, str) else {}
            # Uploaded files travel beside the JSON; keep them with the payload for the message.
            payload["_files"] = [(v.filename, v.file.read()) for v in data.values() if isinstance(v, web.FileField)]
            return payload
        text = await request.text()
        return json.loads(text) if text else None

    def _new_message(self, channel_id: int | None, data: dict, *, interaction: dict | None = None) -> Message:
        payload = {
            "id": str(snowflake()),
            "channel_id": str(channel_id) if channel_id else None,
            "author": self.world.bot_user.payload(),
            "content": data.get("content") or "",
            "embeds": data.get("embeds") or [],
            "components": data.get("components") or [],
            "flags": data.get("flags") or 0,
            "timestamp": TIMESTAMP,
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": self._pinged(data),
            "mention_roles": [],
            "attachments": [self._attach(name, content) for name, content in data.get("_files", [])],
            "pinned": False,
            "type": 0 if interaction is None else 20,
        }
        if interaction is not None:
            payload["interaction_metadata"] = {
                "id": interaction["id"],
                "type": interaction["type"],
                "user": (interaction.get("member") or {}).get("user") or interaction.get("user"),
                "authorizing_integration_owners": {},
            }
        message = Message(payload)
        self.messages[message.id] = message
        return message

    def _pinged(self, data: dict) -> list[dict]:
        """The users a message pings, as Discord decides: mentions in the content that
        `allowed_mentions` lets through (none given: every user mention pings)."""
        ids = [int(m) for m in re.findall(r"<@!?(\d+)>", data.get("content") or "")]
        allowed = data.get("allowed_mentions")
        if allowed is not None:
            listed = {int(u) for u in allowed.get("users") or []}
            ids = [i for i in ids if "users" in (allowed.get("parse") or []) or i in listed]
        users = [self.world.users[i] for i in dict.fromkeys(ids) if i in self.world.users]
        return [u.payload() for u in users]

    def _attach(self, filename: str, content: bytes) -> dict:
        attachment_id = snowflake()
        self.files[attachment_id] = content
        url = f"{self.base_url}/attachments/{attachment_id}/{filename}"
        return {"id": str(attachment_id), "filename": filename, "size": len(content), "url": url, "proxy_url": url}

    def _edit(self, message: Message, data: dict) -> None:
        for key in ("content", "embeds", "components"):
            if key in data:
                message.payload[key] = data[key] if data[key] is not None else ([] if key != "content" else "")
        if "attachments" in data:  # the edit lists what stays; uploads come with it
            kept = {a.get("id") for a in data["attachments"] or []}
            message.payload["attachments"] = [a for a in message.attachments if a["id"] in kept] + [
                self._attach(name, content) for name, content in data.get("_files", [])
            ]
        message.payload["edited_timestamp"] = TIMESTAMP
        if data.get("_files") and self.on_attach is not None:
            self.on_attach(message)

    # --- REST handlers ---------------------------------------------------------------

    async def _me(self, _request: web.Request) -> web.Response:
        return json_response(self.world.bot_user.payload())

    async def _application(self, _request: web.Request) -> web.Response:
        owner = self.world.bot_user.payload() | {"bot": False, "id": str(snowflake())}
        return json_response(
            {
                "id": str(self.world.application_id),
                "name": "studybot",
                "icon": None,
                "description": "",
                "rpc_origins": [],
                "bot_public": True,
                "bot_require_code_grant": False,
                "summary": "",
                "verify_key": "0" * 64,
                "flags": 0,
                "owner": owner,
                "team": None,
                "interactions_endpoint_url": None,
            }
        )

    async def _put_commands(self, request: web.Request) -> web.Response:
        guild = request.match_info.get("guild")
        registered = []
        for command in request[BODY] or []:
            entry = dict(command)
            entry.setdefault("id", str(snowflake()))
            entry["application_id"] = str(self.world.application_id)
            entry["version"] = str(snowflake())
            if guild:
                entry["guild_id"] = guild
            registered.append(entry)
        self.commands[int(guild) if guild else None] = registered
        return json_response(registered)

    async def _callback(self, request: web.Request) -> web.Response:
        record = self.interactions[int(request.match_info["iid"])]
        body = request[BODY] or {}
        late = asyncio.get_running_loop().time() - record.sent_at
        if record.callback_type is None and late > self.interaction_deadline:
            # Discord forgets an interaction not acknowledged in 3 s: the member saw "did not respond".
            path = request.path.removeprefix(API_PREFIX)
            error = openapi.FieldError((), "UNKNOWN_INTERACTION", f"Unknown interaction (answered after {late:.1f} s)")
            self.rejected.append(Rejection("POST", path, [error], body))
            return json_response({"message": "Unknown interaction", "code": 10062}, status=404)
        if record.callback_type is not None:
            error = openapi.FieldError((), "ALREADY_ACKNOWLEDGED", "Interaction has already been acknowledged.")
            path = request.path.removeprefix(API_PREFIX)
            return self._refuse(
                Rejection("POST", path, [error], body), code=40060, message="Interaction has already been acknowledged."
            )
        record.callback_type = body.get("type")
        record.callback_data = dict(body.get("data") or {})
        if body.get("_files"):  # files uploaded with the callback belong to its message
            record.callback_data["_files"] = body["_files"]
        message: Message | None = None
        if record.callback_type == 4:  # a message
            channel_id = record.payload.get("channel_id")
            message = self._new_message(
                int(channel_id) if channel_id else None, record.callback_data, interaction=record.payload
            )
            record.messages.append(message)
        elif record.callback_type == 7:  # update the message the button was on
            message = self.messages[int(record.payload["message"]["id"])]
            self._edit(message, record.callback_data)
            record.messages.append(message)
        if not record.answered_at:
            record.answered_at = asyncio.get_running_loop().time()
        if record.callback_type not in (5, 6):  # a deferral is answered later (6: the button's message edited)
            record.complete()
        result: dict[str, Any] = {
            "interaction": {
                "id": str(record.id),
                "type": record.payload["type"],
                "response_message_id": str(message.id) if message else None,
                "response_message_loading": record.callback_type == 5,
                "response_message_ephemeral": bool((record.callback_data or {}).get("flags", 0) & EPHEMERAL),
            },
            "resource": {"type": record.callback_type} | ({"message": message.payload} if message else {}),
        }
        return json_response(result)

    async def _webhook_message(self, request: web.Request) -> web.Response:
        record = self._by_token[request.match_info["token"]]
        mid = request.match_info["mid"]
        if mid == "@original" and record.callback_type == 6 and not record.messages:
            record.messages.append(self.messages[int(record.payload["message"]["id"])])  # the button's message
        if mid == "@original":
            if not record.messages:  # editing the response to a deferral creates it (private if the deferral was)
                channel_id = record.payload.get("channel_id")
                flags = {"flags": (record.callback_data or {}).get("flags", 0)}
                record.messages.append(
                    self._new_message(int(channel_id) if channel_id else None, flags, interaction=record.payload)
                )
            message = record.messages[0]
        else:
            message = self.messages[int(mid)]
        if request.method == "PATCH":
            self._edit(message, request[BODY] or {})
            record.complete()
        elif request.method == "DELETE":
            return web.Response(status=204)
        return json_response(message.payload)

    async def _followup(self, request: web.Request) -> web.Response:
        record = self._by_token[request.match_info["token"]]
        channel_id = record.payload.get("channel_id")
        message = self._new_message(
            int(channel_id) if channel_id else None, request[BODY] or {}, interaction=record.payload
        )
        record.messages.append(message)
        record.complete()
        return json_response(message.payload)

    def dms_to(self, user: User) -> list[Message]:
        """The direct messages the bot sent to `user`."""
        channel = self.world.dm_channels.get(user.id)
        return [m for m in self.dms if channel and m.payload["channel_id"] == str(channel.id)]

    async def _unknown(self, request: web.Request) -> web.Response:
        return json_response(
            {"message": f"fake Discord has no route {request.method} {request.path}", "code": 0}, status=404
        )
