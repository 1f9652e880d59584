"""The services one bot process uses, built together from the same session factory and clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.group_commit import group_commit_for
from bot.roadmap import Roadmap, RoadmapCatalog
from bot.services.clock import Clock
from bot.services.cohorts.breaks import BreakService
from bot.services.cohorts.deletion import CohortDeletion
from bot.services.cohorts.insight import InsightService
from bot.services.cohorts.leftovers import Leftovers
from bot.services.cohorts.links import CohortLinkService
from bot.services.cohorts.registry import CohortService
from bot.services.cohorts.role_grants import GivenRoles
from bot.services.cohorts.stage_roles import StageRoleService
from bot.services.delivery.dm_state import ClosedDms
from bot.services.delivery.due import DeliveryService
from bot.services.delivery.send_budget import SendBudgetService
from bot.services.member_data.export import ExportService
from bot.services.pages.access import PageAccess
from bot.services.pages.content import PageContent
from bot.services.progress.actions import ProgressService
from bot.services.progress.history import HistoryService
from bot.services.progress.leaderboard import LeaderboardService
from bot.services.progress.members import MemberService
from bot.services.progress.memberships import Memberships
from bot.services.progress.views import ProgressViews
from bot.services.study.focus import FocusService
from bot.services.study.goals import GoalService
from bot.services.study.rooms import StudyRooms
from bot.services.together.buddies import BuddyService
from bot.services.together.post_limits import PostLimits
from bot.services.together.showcase import ShowcaseService


@dataclass(frozen=True, slots=True)
class Services:
    roadmaps: RoadmapCatalog
    clock: Clock
    cohorts: CohortService
    memberships: Memberships
    progress: ProgressService
    progress_views: ProgressViews
    members: MemberService
    leaderboards: LeaderboardService
    deliveries: DeliveryService
    exports: ExportService
    insight: InsightService
    deletion: CohortDeletion
    send_budget: SendBudgetService
    links: CohortLinkService
    stage_roles: StageRoleService
    showcase: ShowcaseService
    buddies: BuddyService
    breaks: BreakService
    given_roles: GivenRoles
    leftovers: Leftovers
    study_rooms: StudyRooms
    goals: GoalService
    focus: FocusService
    history: HistoryService
    pages: PageAccess
    page_content: PageContent

    @classmethod
    def build(
        cls,
        sessions: async_sessionmaker[AsyncSession],
        roadmaps: RoadmapCatalog | Roadmap,
        clock: Clock,
        *,
        nudge_grace: timedelta = timedelta(hours=6),
        leaderboard_grace: timedelta = timedelta(hours=24),
        shards: tuple[int, list[int]] = (1, [0]),
    ) -> Services:
        """Wire the services to one database, roadmap catalog and clock (a lone Roadmap is the default one)."""
        if isinstance(roadmaps, Roadmap):
            roadmaps = RoadmapCatalog.single(roadmaps)
        cohorts = CohortService(sessions, clock, roadmaps)
        memberships = Memberships(roadmaps, cohorts)
        progress = ProgressService(sessions, memberships, clock, cohorts, group_commit_for(sessions.kw["bind"]))
        progress_views = ProgressViews(sessions, memberships, roadmaps, clock, cohorts)
        leaderboards = LeaderboardService(sessions, roadmaps, clock, cohorts, memberships)
        closed_dms = ClosedDms(sessions)
        insight = InsightService(sessions, roadmaps, clock, cohorts)
        buddies = BuddyService(sessions, memberships, clock)
        deliveries = DeliveryService(
            sessions,
            roadmaps,
            clock,
            leaderboards,
            closed_dms,
            insight,
            buddies,
            nudge_grace=nudge_grace,
            leaderboard_grace=leaderboard_grace,
            shards=shards,
        )
        members = MemberService(sessions, clock, memberships, closed_dms)
        links = CohortLinkService(sessions, clock)
        history = HistoryService(sessions, memberships, clock)
        return cls(
            roadmaps,
            clock,
            cohorts,
            memberships,
            progress,
            progress_views,
            members,
            leaderboards,
            deliveries,
            ExportService(sessions, cohorts, roadmaps),
            insight,
            CohortDeletion(sessions, cohorts),
            SendBudgetService(sessions),
            links,
            StageRoleService(cohorts, links, roadmaps),
            ShowcaseService(sessions, memberships, clock, PostLimits(clock)),
            buddies,
            BreakService(sessions, roadmaps, clock, cohorts),
            GivenRoles(sessions, clock),
            Leftovers(sessions, clock),
            StudyRooms(sessions, clock),
            GoalService(sessions, memberships, clock),
            FocusService(sessions, memberships, clock),
            history,
            PageAccess(sessions, cohorts, memberships),
            PageContent(sessions, roadmaps, clock, insight, leaderboards, progress_views, history),
        )
