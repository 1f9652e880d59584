"""Project showcase (`/cohort edit showcase:on`): a member shares the project they built for a stage with
/share; the bot posts it in the cohort's channel (bot.cogs), one post per member and stage, a second
replacing the first; the week's shares go into /cohort report and the weekly digest."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import Cohort, Membership, ProgressEvent, ProjectShare
from bot.i18n import Later, Text, span_of, wait_time
from bot.roadmap import Roadmap, Stage, TopicRef
from bot.services import caller
from bot.services import validation as v
from bot.services.clock import Clock
from bot.services.errors import Conflict, InvalidInput
from bot.services.progress.advance import ensure_open
from bot.services.progress.memberships import Memberships
from bot.services.together.post_limits import PostLimits
from bot.services.topics import find_stage
from bot.usertext import channel_mention, md

SHARES_WEEK = timedelta(days=7)
# A note under a public post: a few lines, so one share cannot fill the channel's screen.
SHARE_NOTE_LINES = 5


@dataclass(frozen=True, slots=True)
class ShareDraft:
    """A share checked and ready to post: nothing is recorded until its post exists (`record`)."""

    cohort: Cohort
    membership_id: int
    user_id: int
    stage: Stage
    stage_number: int
    url: str
    note: str | None


@dataclass(frozen=True, slots=True)
class SharedProject:
    """A share as the reports list it."""

    user_id: int
    stage_title: str
    url: str


class ShowcaseService:
    """Checks and records project shares."""

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], memberships: Memberships, clock: Clock, limits: PostLimits
    ) -> None:
        self._sessions = sessions
        self._memberships = memberships
        self._clock = clock
        self._limits = limits

    def reserve(self, draft: ShareDraft, channel_id: int) -> None:
        """Count the share's post against the member's and the channel's limits (`give_back` when it
        could not be posted); Conflict saying how long to wait when a limit is reached."""
        refusal = self._limits.take(draft.user_id, channel_id)
        if refusal is None:
            return
        wait = Later(wait_time, refusal.wait.total_seconds())
        if refusal.who == "member":
            raise Conflict(
                Text(
                    "You shared {count} projects within {span}: that is as many as I post for one member, so "
                    "the channel stays readable for everyone. Nothing was shared; try again in {wait}.",
                    count=refusal.window.count,
                    span=Later(span_of, refusal.window.span.total_seconds()),
                    wait=wait,
                )
            )
        raise Conflict(
            Text(
                "Many projects were just shared in {channel}, so I wait a moment before posting more. "
                "Nothing was shared; try again in {wait}.",
                channel=channel_mention(channel_id),
                wait=wait,
            )
        )

    def give_back(self, draft: ShareDraft, channel_id: int) -> None:
        """The reserved post was not made: it does not count."""
        self._limits.give_back(draft.user_id, channel_id)

    async def prepare(
        self, guild_id: int, user_id: int, cohort_name: str | None, url: str, stage_query: str | None, note: str | None
    ) -> ShareDraft:
        """Check a /share: the member's cohort shows projects and is open, the link and note are
        acceptable; the stage is the one named, else `default_share_stage`."""
        async with self._sessions() as session:
            cohort, membership = await self._memberships.membership_in(session, guild_id, user_id, cohort_name)
            caller.remember(session, membership)
            done = set(
                await session.scalars(
                    select(ProgressEvent.topic_id).where(
                        ProgressEvent.membership_id == membership.id, ProgressEvent.kind == "done"
                    )
                )
            )
            await caller.commit_noted(session)
        ensure_open(cohort)
        if not cohort.showcase:
            raise Conflict(
                Text(
                    "Sharing projects is off in **{cohort}**. A moderator can turn it on with "
                    "`/cohort edit cohort:{cohort} showcase:on`.",
                    cohort=md(cohort.name),
                )
            )
        clean_url = v.parse_project_url(url)
        clean_note = v.validate_note(note, max_lines=SHARE_NOTE_LINES)
        roadmap = self._memberships.roadmap_of(cohort)
        current = self._memberships.topic_or_first(cohort, membership.current_topic_id)
        stage = find_stage(roadmap, stage_query) if stage_query else default_share_stage(roadmap, current, done)
        number = next(i for i, s in enumerate(roadmap.stages, 1) if s.id == stage.id)
        if current is not None and number > current.stage_index + 1:
            raise InvalidInput(
                Text(
                    "You have not reached **{stage}** (stage {number}) yet: you are on stage {current}. Share "
                    "the project of a stage you have reached.",
                    stage=stage.title,
                    number=number,
                    current=current.stage_index + 1,
                )
            )
        return ShareDraft(cohort, membership.id, user_id, stage, number, clean_url, clean_note)

    async def record(self, draft: ShareDraft, channel_id: int, message_id: int) -> tuple[int, int] | None:
        """Keep the share whose post now exists, in place of the member's earlier one for the stage:
        returns that earlier post (channel id, message id) to delete, if there was one."""
        async with self._sessions() as session:
            earlier = await session.scalar(
                select(ProjectShare).where(
                    ProjectShare.membership_id == draft.membership_id, ProjectShare.stage_id == draft.stage.id
                )
            )
            replaced = (earlier.channel_id, earlier.message_id) if earlier is not None else None
            share = earlier or ProjectShare(membership_id=draft.membership_id, stage_id=draft.stage.id)
            share.cohort_id = draft.cohort.id
            share.url, share.note = draft.url, draft.note
            share.channel_id, share.message_id = channel_id, message_id
            share.shared_at = self._clock.now()
            session.add(share)
            await session.commit()
        return replaced


def default_share_stage(roadmap: Roadmap, current: TopicRef | None, done: set[str]) -> Stage:
    """The stage a /share without `stage` is for: the member's current stage once they have done one of
    its topics; before that the stage they just left (its project is what they have to show), and the
    last stage when they finished the roadmap."""
    if current is None:
        return roadmap.stages[-1]
    if current.stage_index > 0 and not any(topic.id in done for topic in current.stage.topics):
        return roadmap.stages[current.stage_index - 1]
    return current.stage


async def shares_in(
    session: AsyncSession, cohort: Cohort, start: datetime, end: datetime, roadmap: Roadmap
) -> list[SharedProject]:
    """The cohort's shares in [start, end), newest first (in a caller's session: the report reads it in its own)."""
    rows = await session.execute(
        select(Membership.user_id, ProjectShare.stage_id, ProjectShare.url)
        .join(Membership, Membership.id == ProjectShare.membership_id)
        .where(ProjectShare.cohort_id == cohort.id, ProjectShare.shared_at >= start, ProjectShare.shared_at < end)
        .order_by(ProjectShare.shared_at.desc())
    )
    titles = {stage.id: stage.title for stage in roadmap.stages}
    return [SharedProject(user_id, titles.get(stage_id, stage_id), url) for user_id, stage_id, url in rows]
