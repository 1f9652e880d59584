"""Who may moderate what: one rule, checked by the services on the cohort they loaded for the work."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.db.models import Cohort
from bot.i18n import Text
from bot.services.errors import InvalidInput, NotAllowed


@dataclass(frozen=True, slots=True)
class Authority:
    """What Discord says about the person running a command: their id, whether they hold Manage Server
    in this server, the ids of their roles there, whether they hold Manage Roles and how high their
    highest role stands (the bot never hands out for them what they could not hand out themselves)."""

    user_id: int
    manage_guild: bool
    role_ids: frozenset[int] = frozenset()
    manage_roles: bool = False
    # The position of their highest role; None for the server's owner, whom no role limits.
    top_role_position: int | None = 0

    def may_hand_out(self, role_position: int) -> bool:
        """Discord's own rule for people: a role is theirs to give with Manage Roles, below their highest role."""
        return self.manage_roles and (self.top_role_position is None or role_position < self.top_role_position)

    def moderates(self, cohort: Cohort | None) -> bool:
        """Manage Server moderates every cohort; a cohort's moderator role moderates that cohort only
        (`None`: no cohort in particular, which takes Manage Server)."""
        if self.manage_guild:
            return True
        # @everyone (the role whose id is the server's) never moderates, even where a stored cohort names it.
        return (
            cohort is not None
            and cohort.moderator_role_id is not None
            and cohort.moderator_role_id != cohort.guild_id
            and cohort.moderator_role_id in self.role_ids
        )

    def require(self, cohort: Cohort | None = None) -> None:
        """NotAllowed unless the caller moderates `cohort`, saying what it takes."""
        if self.moderates(cohort):
            return
        if cohort is not None and cohort.moderator_role_id:
            raise NotAllowed(
                Text("You need the **Manage Server** permission or this cohort's moderator role to do this.")
            )
        raise NotAllowed(Text("You need the **Manage Server** permission to do this."))

    def require_any(self, cohorts: Iterable[Cohort]) -> None:
        """NotAllowed unless the caller moderates at least one of `cohorts` (or holds Manage Server)."""
        if not any(self.moderates(cohort) for cohort in [None, *cohorts]):
            raise NotAllowed(Text("You need the **Manage Server** permission or a cohort's moderator role to do this."))

    def require_role_setting(self, guild_id: int, role_id: int | None) -> None:
        """Only Manage Server names a moderator role (its holders must not widen their own power),
        and never @everyone, which every member holds."""
        if role_id is None:
            return
        if not self.manage_guild:
            raise NotAllowed(Text("Only members with **Manage Server** can set a cohort's moderator role."))
        if role_id == guild_id:
            raise InvalidInput(
                Text("@everyone cannot be a moderator role: pick a role that only the cohort's moderators have.")
            )
