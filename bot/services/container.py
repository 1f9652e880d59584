"""The services one bot process uses, built together from the same session factory and clock."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.roadmap import Roadmap
from bot.services.clock import Clock
from bot.services.cohorts import CohortService
from bot.services.progress import ProgressService


@dataclass(frozen=True, slots=True)
class Services:
    roadmap: Roadmap
    clock: Clock
    cohorts: CohortService
    progress: ProgressService

    @classmethod
    def build(cls, sessions: async_sessionmaker[AsyncSession], roadmap: Roadmap, clock: Clock) -> Services:
        """Wire the services to one database, roadmap and clock."""
        cohorts = CohortService(sessions, clock)
        return cls(roadmap, clock, cohorts, ProgressService(sessions, roadmap, clock, cohorts))
