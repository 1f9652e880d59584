"""What the sandbox server's admin does in Discord's settings, so a script can build the situations the
bot must get right: give and take roles (`role give NAME ROLE`), let a role use a command the bot
declares for Manage Server only (`allow /cohort ROLE`, Server Settings -> Integrations), and list the
roles (`roles`). The roles and channels themselves are those of a real server (bot.sandbox.people)."""

from __future__ import annotations

import discord

from bot.sandbox.errors import SandboxError
from bot.sandbox.fake import Guild, World
from bot.sandbox.fake.world import Role

ROLE_HELP = """\
  roles            the server's roles, highest first, with what each grants
  role give|take NAME ROLE
                   give a person a role, or take it (as a server admin does)
  allow /COMMAND ROLE
                   let ROLE use a command Discord offers only to Manage Server by default
                   (Server Settings -> Integrations; ROLE `everyone` opens it to all)"""


def _role(guild: Guild, name: str) -> Role:
    wanted = name.lstrip("@").strip()
    if wanted.casefold() == "everyone":
        return guild.everyone
    role = next((r for r in guild.roles.values() if r.name.casefold() == wanted.casefold()), None)
    if role is None:
        raise SandboxError(f"no role called {wanted!r}: `roles` lists them")
    return role


def _granted(role: Role) -> str:
    names = [name.replace("_", " ") for name, on in role.permissions if on]
    if role.permissions.administrator:
        return "Administrator"
    return ", ".join(names) if names else "no permissions"


def roles_text(guild: Guild) -> str:
    """`roles`: every role, highest first, with what it grants."""
    ordered = sorted(guild.roles.values(), key=lambda r: -r.position)
    return "roles: " + "; ".join(
        f"@{r.name if r.id != guild.id else 'everyone'} ({_granted(r)}{', the bot' if r.name == 'studybot' else ''})"
        for r in ordered
    )


def users_text(world: World, guild: Guild) -> str:
    """`users`: the people in the server and the roles each holds."""
    people = sorted((u for uid, u in world.users.items() if uid in guild.members and not u.bot), key=lambda u: u.name)

    def held(user_id: int) -> str:
        names = [f"@{guild.roles[r].name}" for r in guild.members[user_id] if r in guild.roles]
        return f" ({', '.join(names)})" if names else ""

    return "users: " + ", ".join(f"{u.name}{held(u.id)}" for u in people)


def admin_line(world: World, guild: Guild, word: str, rest: str) -> str:
    """Run `role ...` or `allow ...`; the line to show."""
    if word == "allow":
        command, _, role_name = rest.partition(" ")
        if not command.startswith("/") or not role_name.strip():
            raise SandboxError("use `allow /cohort ROLE`")
        role = _role(guild, role_name)
        guild.command_access.setdefault(command.lstrip("/"), set()).add(role.id)
        return f"{command} is now offered to @{role.name if role.id != guild.id else 'everyone'} too"
    action, _, names = rest.partition(" ")
    person, _, role_name = names.strip().partition(" ")
    if action not in ("give", "take") or not person or not role_name.strip():
        raise SandboxError("use `role give NAME ROLE` or `role take NAME ROLE`")
    user = next((u for u in world.users.values() if u.name == person.lstrip("@")), None)
    if user is None or user.id not in guild.members:
        raise SandboxError(f"nobody called {person!r} here: `as {person.lstrip('@')}` brings them in")
    role = _role(guild, role_name)
    if role.id == guild.id:
        raise SandboxError("everyone holds @everyone already")
    held = guild.members[user.id]
    if action == "give" and role.id not in held:
        held.append(role.id)
    elif action == "take" and role.id in held:
        held.remove(role.id)
    return f"@{user.name} {'now holds' if action == 'give' else 'no longer holds'} @{role.name}"


def real_server(guild: Guild, bot_user_id: int, role_id_for, channel_id_for) -> dict:  # noqa: ANN001
    """Give the sandbox server what real ones have: an Administrator role, a cohort leads' role with no
    permissions, a cosmetic role, a read-only #announcements and a moderators-only #mods (the bot may
    post in both). Returns the new channels by name."""
    admin = guild.add_role("Admin", discord.Permissions(administrator=True), role_id_for("Admin"))
    leads = guild.add_role("Leads", discord.Permissions.none(), role_id_for("Leads"))
    verified = guild.add_role("Verified", discord.Permissions.none(), role_id_for("Verified"))
    admin.position, leads.position, verified.position = 9, 3, 2
    moderators = next(r for r in guild.roles.values() if r.name == "Moderators")
    moderators.position = 8
    announcements = guild.add_channel("announcements", channel_id_for("announcements"))
    read_only = discord.Permissions(send_messages=True)
    announcements.overwrites.append({"id": str(guild.id), "type": 0, "allow": "0", "deny": str(read_only.value)})
    posting = discord.Permissions(view_channel=True, send_messages=True, embed_links=True)
    for target, kind in ((moderators.id, 0), (bot_user_id, 1)):
        announcements.overwrites.append({"id": str(target), "type": kind, "allow": str(posting.value), "deny": "0"})
    mods = guild.add_channel("mods", channel_id_for("mods"), only=(moderators.id, bot_user_id))
    return {"announcements": announcements, "mods": mods}
