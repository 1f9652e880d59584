"""Ringing focus timers' bells: the service claims each bell once (bot.services.study.focus), this sends
what it says, to the room's chat for a group timer (pinging only who joined) or by DM.

`BellClock` looks for a due bell every few seconds, so a bell rings within POLL_SECONDS of its time, not
at the next scheduler tick; the tick rings too, in case the clock is behind."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

import discord

from bot import i18n
from bot.render import focus as texts
from bot.services.container import Services
from bot.services.study.focus import BellJob

log = logging.getLogger(__name__)

T = TypeVar("T")
Retrying = Callable[[Callable[[], Awaitable[T]]], Awaitable[tuple[T, int]]]
POLL_SECONDS = 5.0


class FocusBells:
    """Sends the bells of focus timers."""

    def __init__(self, client: discord.Client, services: Services, retrying: Retrying) -> None:
        self._client = client
        self._services = services
        self._retrying = retrying

    async def due_now(self) -> bool:
        """Whether a bell is due (one indexed query: cheap enough to ask every few seconds)."""
        due = await self._services.focus.next_due()
        return due is not None and due <= self._services.clock.now()

    async def ring(self) -> int:
        """Ring every due bell; how many were announced."""
        jobs = await self._services.focus.ring_due()
        for job in jobs:
            with i18n.using(job.language):
                text = texts.bell_text(job)
            try:
                await self._send(job, text)
            except Exception as error:  # rung is rung: a bell is never sent twice, and the others still go
                log.warning("focus bell of timer %d not delivered: %s", job.timer_id, error)
        return len(jobs)

    async def _send(self, job: BellJob, text: str) -> None:
        if job.room_id is not None:
            channel = self._client.get_partial_messageable(job.room_id)
            mentions = discord.AllowedMentions(users=[discord.Object(uid) for uid in job.user_ids])
            await self._retrying(lambda: channel.send(text, allowed_mentions=mentions))
            return
        assert job.membership_id is not None
        channel_id = job.dm_channel_id
        if channel_id is None:
            data, _ = await self._retrying(lambda: self._client.http.start_private_message(job.user_ids[0]))
            channel_id = int(data["id"])
            await self._services.deliveries.remember_dm_channel(job.membership_id, channel_id)
        dm = self._client.get_partial_messageable(channel_id, type=discord.ChannelType.private)
        await self._retrying(lambda: dm.send(text, allowed_mentions=discord.AllowedMentions.none()))


class BellClock:
    """Rings bells as they fall due, between scheduler ticks."""

    def __init__(self, bells: FocusBells) -> None:
        self._bells = bells
        self._task: asyncio.Task | None = None
        self._stopping = asyncio.Event()

    def start(self) -> None:
        self._stopping.clear()
        self._task = asyncio.create_task(self._run(), name="studybot-focus-bells")

    async def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                if await self._bells.due_now():
                    await self._bells.ring()
            except Exception:
                log.exception("ringing focus bells failed; trying again")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), POLL_SECONDS)

    async def stop(self, deadline: float) -> None:
        """Stop looking; a ring in progress finishes (what it claimed is sent) within `deadline` seconds."""
        self._stopping.set()
        task, self._task = self._task, None
        if task is None:
            return
        try:
            await asyncio.wait_for(asyncio.shield(task), deadline)
        except TimeoutError:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
