"""Stage roles, the domain side: which role a stage of a cohort hands out (a moderator's pick, or the
one the bot creates on first use: bot.stage_roles), and the rules for a moderator's pick."""

from __future__ import annotations

from dataclasses import dataclass

from bot.db.models import Cohort
from bot.i18n import t
from bot.roadmap import RoadmapCatalog, Stage
from bot.services.authority import Authority
from bot.services.cohort_links import STAGE_ROLE, CohortLinkService
from bot.services.cohort_settings import ServerAccess, check_roles_possible
from bot.services.cohorts import CohortService
from bot.services.errors import InvalidInput
from bot.services.topics import cohort_roadmap, find_stage


@dataclass(frozen=True, slots=True)
class RoleGrant:
    """What an answer says about stage roles: the roles just given (`role_ids`), or why the bot could not
    give one (`problem`, as `ServerAccess.role_problem` names it, or "manage": no Manage Roles)."""

    role_ids: tuple[int, ...] = ()
    problem: str | None = None
    role_id: int | None = None  # the role the problem is about


NO_ROLES = RoleGrant()


def role_problem_text(problem: str, role_id: int | None) -> str:
    """Why the bot cannot hand out a role, and what a moderator can do about it."""
    role = f"<@&{role_id}>" if role_id else t("that role")
    if problem == "manage":
        return t("I need **Manage Roles** in this server to hand out stage roles.")
    if problem == "everyone":
        return t("@everyone cannot be a stage role: every member has it already. Pick a role of its own.")
    if problem == "managed":
        return t("{role} belongs to a bot or an integration, so nobody can hand it out. Pick another role.", role=role)
    if problem == "above":
        return t(
            "{role} is at or above my highest role, so Discord does not let me hand it out. Move my role "
            "above it (Server Settings → Roles).",
            role=role,
        )
    return t("I can't see {role} in this server.", role=role)


class StageRoleService:
    """A moderator's choice of stage roles."""

    def __init__(self, cohorts: CohortService, links: CohortLinkService, roadmaps: RoadmapCatalog) -> None:
        self._cohorts = cohorts
        self._links = links
        self._roadmaps = roadmaps

    async def choose(
        self, guild_id: int, cohort_name: str, stage_query: str, role_id: int, by: Authority, access: ServerAccess
    ) -> tuple[Cohort, Stage]:
        """`role_id` is what finishing the stage hands out from now on, in place of the bot's own role:
        refused unless `by` moderates the cohort and the bot can hand the role out."""
        cohort = await self._cohorts.moderated(guild_id, cohort_name, by)
        stage = find_stage(cohort_roadmap(self._roadmaps, cohort), stage_query)
        check_roles_possible(access)
        problem = access.role_problem(role_id)
        if problem is not None:
            raise InvalidInput(role_problem_text(problem, role_id))
        await self._links.choose(cohort.id, STAGE_ROLE, stage.id, role_id)
        return cohort, stage
