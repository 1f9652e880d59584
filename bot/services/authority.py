"""Who may moderate what: one rule, checked by the services on the cohort they loaded for the work."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.db.models import Cohort
from bot.i18n import t
from bot.services.errors import InvalidInput, NotAllowed


@dataclass(frozen=True, slots=True)
class Authority:
    """What Discord says about the person running a command: their id, whether they hold Manage Server
    in this server, and the ids of their roles there."""

    user_id: int
    manage_guild: bool
    role_ids: frozenset[int] = frozenset()

    def moderates(self, cohort: Cohort | None) -> bool:
        """Manage Server moderates every cohort; a cohort's moderator role moderates that cohort only
        (`None`: no cohort in particular, which takes Manage Server)."""
        if self.manage_guild:
            return True
        # @everyone (the role whose id is the server's) never moderates, even where an older version stored it.
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
            raise NotAllowed(t("You need the **Manage Server** permission or this cohort's moderator role to do this."))
        raise NotAllowed(t("You need the **Manage Server** permission to do this."))

    def require_any(self, cohorts: Iterable[Cohort]) -> None:
        """NotAllowed unless the caller moderates at least one of `cohorts` (or holds Manage Server)."""
        if not any(self.moderates(cohort) for cohort in [None, *cohorts]):
            raise NotAllowed(t("You need the **Manage Server** permission or a cohort's moderator role to do this."))

    def require_role_setting(self, guild_id: int, role_id: int | None) -> None:
        """Only Manage Server names a moderator role (its holders must not widen their own power),
        and never @everyone, which every member holds."""
        if role_id is None:
            return
        if not self.manage_guild:
            raise NotAllowed(t("Only members with **Manage Server** can set a cohort's moderator role."))
        if role_id == guild_id:
            raise InvalidInput(
                t("@everyone cannot be a moderator role: pick a role that only the cohort's moderators have.")
            )
