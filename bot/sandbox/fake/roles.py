"""Roles as Discord hands them out: created by someone with Manage Roles (at the bottom of the list, just
above @everyone), given and taken only below the giver's highest role, announced on the gateway
(GUILD_ROLE_CREATE) as Discord announces them."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from aiohttp import web

from bot.sandbox.fake.records import BODY, json_response
from bot.sandbox.fake.world import Guild, Role, snowflake

if TYPE_CHECKING:
    from bot.sandbox.fake.state import FakeState

MISSING_PERMISSIONS = {"message": "Missing Permissions", "code": 50013}
MAX_ROLES = 250  # Discord's cap of roles per server (error 30005)


class Roles:
    """The role routes of the fake: `POST /guilds/{id}/roles`, `DELETE /guilds/{id}/roles/{role}`, `PUT`
    and `DELETE /guilds/{id}/members/{user}/roles/{role}` (what studybot calls)."""

    def __init__(self, fake: FakeState) -> None:
        self._fake = fake

    def _guild(self, request: web.Request) -> Guild | None:
        return self._fake.world.guilds.get(int(request.match_info["guild"]))

    def _top_position(self, guild: Guild, user_id: int) -> int:
        """The position of a member's highest role (the owner outranks everyone)."""
        if user_id == guild.owner_id:
            return 1 << 30
        return max((guild.roles[r].position for r in guild.members.get(user_id, [])), default=0)

    async def create(self, request: web.Request) -> web.StreamResponse:
        fake, body = self._fake, request[BODY] or {}
        guild = self._guild(request)
        if guild is None:
            return json_response({"message": "Unknown Guild", "code": 10004}, status=404)
        if not guild.permissions_of(fake.world.bot_user.id).manage_roles:
            return json_response(MISSING_PERMISSIONS, status=403)
        if len(guild.roles) >= MAX_ROLES:
            return json_response(
                {"message": f"Maximum number of guild roles reached ({MAX_ROLES})", "code": 30005}, 400
            )
        for role in guild.roles.values():  # the new role goes to the bottom: everyone else moves up one
            if role.id != guild.id:
                role.position += 1
        permissions = discord.Permissions(int(body.get("permissions") or 0))
        role = Role(snowflake(), body.get("name") or "new role", permissions)
        guild.roles[role.id] = role
        await fake.gateway.dispatch(
            "GUILD_ROLE_CREATE", {"guild_id": str(guild.id), "role": role.payload()}, guild_id=guild.id
        )
        return json_response(role.payload())

    async def give(self, request: web.Request) -> web.StreamResponse:
        return await self._member_role(request, give=True)

    async def take(self, request: web.Request) -> web.StreamResponse:
        return await self._member_role(request, give=False)

    async def _member_role(self, request: web.Request, *, give: bool) -> web.StreamResponse:
        fake = self._fake
        guild = self._guild(request)
        if guild is None:
            return json_response({"message": "Unknown Guild", "code": 10004}, status=404)
        user_id, role_id = int(request.match_info["user"]), int(request.match_info["role"])
        if user_id not in guild.members:
            return json_response({"message": "Unknown Member", "code": 10007}, status=404)
        role = guild.roles.get(role_id)
        if role is None:
            return json_response({"message": "Unknown Role", "code": 10011}, status=404)
        bot_id = fake.world.bot_user.id
        if not guild.permissions_of(bot_id).manage_roles or role.position >= self._top_position(guild, bot_id):
            return json_response(MISSING_PERMISSIONS, status=403)
        if role.managed:  # an integration's role: Discord alone gives it
            return json_response(MISSING_PERMISSIONS, status=403)
        roles = guild.members[user_id]
        if give and role_id not in roles:
            roles.append(role_id)
        elif not give and role_id in roles:
            roles.remove(role_id)
        return web.Response(status=204)

    async def delete(self, request: web.Request) -> web.StreamResponse:
        """`DELETE /guilds/{id}/roles/{role}`: only below the bot's highest role, and never @everyone."""
        fake = self._fake
        guild = self._guild(request)
        if guild is None:
            return json_response({"message": "Unknown Guild", "code": 10004}, status=404)
        role_id = int(request.match_info["role"])
        role = guild.roles.get(role_id)
        if role is None or role_id == guild.id:
            return json_response({"message": "Unknown Role", "code": 10011}, status=404)
        bot_id = fake.world.bot_user.id
        if not guild.permissions_of(bot_id).manage_roles or role.position >= self._top_position(guild, bot_id):
            return json_response(MISSING_PERMISSIONS, status=403)
        if role.managed:
            return json_response({"message": "Cannot delete a managed role", "code": 50013}, status=403)
        del guild.roles[role_id]
        for roles in guild.members.values():
            if role_id in roles:
                roles.remove(role_id)
        await fake.gateway.dispatch(
            "GUILD_ROLE_DELETE", {"guild_id": str(guild.id), "role_id": str(role_id)}, guild_id=guild.id
        )
        return web.Response(status=204)

    def holders(self, guild: Guild, role_id: int) -> list[int]:
        """The members who have a role."""
        return [user_id for user_id, roles in guild.members.items() if role_id in roles]
