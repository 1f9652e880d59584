"""Stage roles, the domain side: which role a stage of a cohort hands out (a moderator's pick, or the
one the bot creates on first use: bot.discord_side.roles), and the rules for a moderator's pick."""

from __future__ import annotations

from dataclasses import dataclass

from bot.db.models import Cohort
from bot.i18n import Text
from bot.roadmap import RoadmapCatalog, Stage
from bot.services.authority import Authority
from bot.services.cohorts.links import STAGE_ROLE, CohortLinkService, Replaced
from bot.services.cohorts.registry import CohortService
from bot.services.cohorts.settings import RoleFacts, ServerAccess, check_roles_possible
from bot.services.errors import InvalidInput, NotAllowed
from bot.services.topics import cohort_roadmap, find_stage
from bot.usertext import role_mention


def badge_problem(facts: RoleFacts, moderator_roles: frozenset[int]) -> str | None:
    """Why a role may not be a stage role at all, for anyone: "everyone", "managed", "powerful" (grants
    more than @everyone has), "moderator" (a cohort's moderator role); None when it is a plain badge.
    Checked when a role is picked and again each time it is given, since roles change."""
    if facts.everyone:
        return "everyone"
    if facts.managed:
        return "managed"
    if facts.extra_permissions:
        return "powerful"
    if facts.role_id in moderator_roles:
        return "moderator"
    return None


@dataclass(frozen=True, slots=True)
class RoleGrant:
    """What an answer says about stage roles: the roles just given (`role_ids`), or why the bot could not
    give one (`problem`, as `ServerAccess.role_problem` or `badge_problem` names it, "manage": no Manage
    Roles, "full": the server has Discord's 250 roles, "private": the member hides their progress)."""

    role_ids: tuple[int, ...] = ()
    problem: str | None = None
    role_id: int | None = None  # the role the problem is about


NO_ROLES = RoleGrant()


def role_problem_text(problem: str, role_id: int | None) -> Text:
    """Why the bot cannot hand out a role, and what a moderator can do about it."""
    role = role_mention(role_id) if role_id else Text("that role")
    if problem == "private":
        return Text(
            "you keep your progress private, so I did not give you a public badge. "
            "`/settings stage_roles:on` gives you stage roles anyway."
        )
    if problem == "manage":
        return Text("I need **Manage Roles** in this server to hand out stage roles.")
    if problem == "full":
        return Text(
            "this server has 250 roles, the most Discord allows, so I could not create the stage's role. "
            "A moderator can delete roles nobody uses, or pick an existing one with `/cohort stage-role`."
        )
    if problem == "everyone":
        return Text("@everyone cannot be a stage role: every member has it already. Pick a role of its own.")
    if problem == "managed":
        return Text(
            "{role} belongs to a bot or an integration, so nobody can hand it out. Pick another role.", role=role
        )
    if problem == "powerful":
        return Text(
            "{role} grants permissions @everyone does not have, so I do not hand it out: a stage role is a "
            "badge, not a key. Pick a role without permissions of its own.",
            role=role,
        )
    if problem == "moderator":
        return Text(
            "{role} is a cohort's moderator role: finishing a stage must not make anyone a moderator. "
            "Pick another role.",
            role=role,
        )
    if problem == "above":
        return Text(
            "{role} is at or above my highest role, so Discord does not let me hand it out. Move my role "
            "above it (Server Settings → Roles).",
            role=role,
        )
    return Text("I can't see {role} in this server.", role=role)


class StageRoleService:
    """A moderator's choice of stage roles."""

    def __init__(self, cohorts: CohortService, links: CohortLinkService, roadmaps: RoadmapCatalog) -> None:
        self._cohorts = cohorts
        self._links = links
        self._roadmaps = roadmaps

    async def choose(
        self, guild_id: int, cohort_name: str, stage_query: str, role_id: int, by: Authority, access: ServerAccess
    ) -> tuple[Cohort, Stage, Replaced | None]:
        """`role_id` is what finishing the stage hands out from now on, in place of the bot's own role:
        refused unless `by` moderates the cohort and could hand the role out themselves (Manage Roles,
        below their highest role), the role is a plain badge (`badge_problem`) and the bot can hand it out.
        Returns also the role it replaced, for the caller to undo on Discord."""
        cohort = await self._cohorts.moderated(guild_id, cohort_name, by)
        stage = find_stage(cohort_roadmap(self._roadmaps, cohort), stage_query)
        facts = access.role_facts(role_id)
        if facts is None:
            raise InvalidInput(role_problem_text("unknown", role_id))
        if not by.manage_roles:
            raise NotAllowed(
                Text("Picking a stage role takes **Manage Roles**: I hand out only what you could hand out yourself.")
            )
        if not by.may_hand_out(facts.position) and not facts.everyone:
            raise NotAllowed(
                Text(
                    "{role} is at or above your highest role, so Discord would not let you hand it out "
                    "yourself, and I will not do it for you. Pick a role below your highest one.",
                    role=role_mention(role_id),
                )
            )
        problem = badge_problem(facts, await self._cohorts.moderator_role_ids(guild_id))
        if problem is not None:
            raise InvalidInput(role_problem_text(problem, role_id))
        check_roles_possible(access)
        problem = access.role_problem(role_id)
        if problem is not None:
            raise InvalidInput(role_problem_text(problem, role_id))
        replaced = await self._links.choose(cohort.id, STAGE_ROLE, stage.id, role_id)
        return cohort, stage, replaced
