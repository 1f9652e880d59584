"""Topic threads on Discord: one public thread per topic in a cohort's channel, opened the first time a
member reaches the topic, reused afterwards and re-opened when Discord archived it.

The records (which thread is whose, who may open one) are bot.services.cohorts.links; this module is the
Discord side. A thread that cannot be opened costs the member nothing: their progress is recorded and the
answer comes without a link (the claim is given back, so the next member to reach the topic tries again)."""

from __future__ import annotations

import logging
import time
from weakref import WeakKeyDictionary

import discord

from bot import i18n
from bot.db.models import Cohort
from bot.discord_side.access import THREAD_PERMISSIONS, lacking
from bot.i18n import t
from bot.roadmap import TopicRef
from bot.services.cohorts.links import THREAD, CohortLinkService
from bot.services.cohorts.topic_threads import ThreadLink
from bot.usertext import clip, md

log = logging.getLogger(__name__)

# What opening a thread takes (posting in it is asked of Discord after: a thread opened but not introduced
# is still the topic's thread).
OPENING = {"View Channel": "view_channel", "Create Public Threads": "create_public_threads"}
THREAD_NAME_MAX = 100  # Discord's limit for a channel or thread name
ARCHIVE_AFTER_MINUTES = 10080  # a week without a message: the longest Discord offers


def thread_name(ref: TopicRef) -> str:
    """`2.1 · Git basics`: the stage's number, the topic's number in it, the title (cut to Discord's 100)."""
    number = f"{ref.stage_index + 1}.{ref.stage.topics.index(ref.topic) + 1}"
    return clip(f"{number} · {ref.topic.title}", THREAD_NAME_MAX)


# Channels where Discord refused a thread, by bot, with the bot's permissions there at that moment and
# when: not asked again until those change, or for REFUSAL_HOLD_SECONDS (a change the gateway never told
# of). Each refusal counts toward Discord's ban at 10,000 invalid requests in 10 minutes.
_REFUSED: WeakKeyDictionary[discord.Client, dict[int, tuple[int, float]]] = WeakKeyDictionary()
REFUSAL_HOLD_SECONDS = 600.0


class NoChannel(Exception):
    """The cohort's channel is not in the bot's view (deleted, or hidden from it)."""


class TopicThreads:
    """Opens and finds topic threads for the commands of one bot."""

    def __init__(self, client: discord.Client, records: CohortLinkService) -> None:
        self._client = client
        self._records = records

    async def thread_for(self, cohort: Cohort, ref: TopicRef | None) -> ThreadLink:
        """The topic's thread, opened or re-opened as needed. No thread when the cohort has none, the
        member finished the roadmap, or another member is opening it right now; when Discord refuses,
        what the bot lacks (the member's answer says it, so a moderator hears of it)."""
        if not cohort.threads or ref is None:
            return ThreadLink()
        claim = await self._records.claim(cohort.id, THREAD, ref.id)
        if claim.discord_id is not None:
            if await self._still_there(claim.discord_id):
                return ThreadLink(claim.discord_id)
            claim = await self._records.gone(cohort.id, THREAD, ref.id, claim.discord_id)
        if not claim.mine:
            return ThreadLink()
        if self._known_refused(cohort.channel_id):
            # What the bot's cache says it lacks, or a refusal nothing changed since: no request at all.
            await self._records.release(cohort.id, THREAD, ref.id)
            return ThreadLink(missing=self._missing(cohort.channel_id), channel_id=cohort.channel_id)
        try:
            thread = await self._open(cohort, ref)
        except (discord.HTTPException, NoChannel) as exc:
            await self._records.release(cohort.id, THREAD, ref.id)
            log.warning("could not open the thread of %s in cohort %s: %s", ref.id, cohort.id, exc)
            if isinstance(exc, discord.HTTPException) and not isinstance(exc, discord.Forbidden):
                return ThreadLink()  # Discord's trouble, not the server's settings: the next member retries
            self._remember_refusal(cohort.channel_id)
            return ThreadLink(missing=self._missing(cohort.channel_id), channel_id=cohort.channel_id)
        except BaseException:
            await self._records.release(cohort.id, THREAD, ref.id)
            raise
        await self._records.made(cohort.id, THREAD, ref.id, thread.id)
        await self._introduce(cohort, ref, thread)
        return ThreadLink(thread.id)

    def _permissions(self, channel_id: int) -> discord.Permissions | None:
        channel = self._client.get_channel(channel_id)
        if not isinstance(channel, discord.TextChannel):
            return None
        return channel.permissions_for(channel.guild.me)

    def _known_refused(self, channel_id: int) -> bool:
        """Whether asking Discord for a thread there would be refused, as far as the bot can tell without
        asking: its cached permissions lack one, or Discord refused with the permissions it has now."""
        permissions = self._permissions(channel_id)
        if permissions is None:
            return False  # not in the cache: _open says so without asking either
        if lacking(permissions, OPENING):
            return True
        refused = _REFUSED.get(self._client, {}).get(channel_id)
        return (
            refused is not None
            and refused[0] == permissions.value
            and time.monotonic() - refused[1] < REFUSAL_HOLD_SECONDS
        )

    def _remember_refusal(self, channel_id: int) -> None:
        permissions = self._permissions(channel_id)
        if permissions is not None:
            _REFUSED.setdefault(self._client, {})[channel_id] = (permissions.value, time.monotonic())

    def _missing(self, channel_id: int) -> tuple[str, ...]:
        """What the bot's cache says it lacks for threads in the channel (all of it, when it cannot tell)."""
        channel = self._client.get_channel(channel_id)
        if not isinstance(channel, discord.TextChannel):
            return ("View Channel",)
        return lacking(channel.permissions_for(channel.guild.me), THREAD_PERMISSIONS) or tuple(THREAD_PERMISSIONS)

    async def _open(self, cohort: Cohort, ref: TopicRef) -> discord.Thread:
        channel = self._client.get_channel(cohort.channel_id)
        if not isinstance(channel, discord.TextChannel):
            raise NoChannel(f"channel {cohort.channel_id} is gone or not a text channel")
        return await channel.create_thread(
            name=thread_name(ref),
            type=discord.ChannelType.public_thread,
            auto_archive_duration=ARCHIVE_AFTER_MINUTES,
        )

    async def _introduce(self, cohort: Cohort, ref: TopicRef, thread: discord.Thread) -> None:
        """The thread's first message. The thread is recorded before it: a thread that exists but could
        not be introduced is still the topic's one thread, never opened a second time."""
        with i18n.using(cohort.locale):  # a post in the cohort's channel: the server's language
            intro = t(
                "Members of **{cohort}** working on **{topic}** meet here: questions, links, what helped.",
                cohort=md(cohort.name),
                topic=ref.topic.title,
            )
        try:
            await thread.send(intro, allowed_mentions=discord.AllowedMentions.none())
        except discord.HTTPException as exc:
            log.warning("could not introduce thread %s: %s", thread.id, exc)

    async def _still_there(self, thread_id: int) -> bool:
        """Whether the thread exists (re-opened when archived). An open thread is in the gateway's cache
        and costs no request; an archived one (not cached) is fetched and re-opened."""
        if isinstance(self._client.get_channel(thread_id), discord.Thread):
            return True
        try:
            thread = await self._client.fetch_channel(thread_id)
        except discord.NotFound:
            return False
        except discord.HTTPException:
            return True  # cannot tell now: keep the link rather than open a second thread
        if isinstance(thread, discord.Thread) and thread.archived:
            try:
                await thread.edit(archived=False)
            except discord.HTTPException as exc:
                log.warning("could not re-open thread %s: %s", thread_id, exc)
        return True
