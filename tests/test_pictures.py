"""The PNG cards: real images of the right size, drawn from real service results, attached to messages."""

from __future__ import annotations

import asyncio
import io
from datetime import UTC, datetime

from PIL import Image

from bot import pictures


def image(data: bytes) -> Image.Image:
    picture = Image.open(io.BytesIO(data))
    picture.load()
    return picture


async def test_progress_answers_with_text_then_adds_its_card(h):
    await h.create_cohort()
    await h.run(h.alice, "join", cohort="spring")
    await h.run(h.alice, "done")
    reply = await h.run(h.alice, "progress")
    assert "1/31 topics" in reply.message.text() and "_files" not in reply.callback_data  # the text comes first
    for _ in range(100):  # then the picture is added to the same message
        if reply.message.attachments:
            break
        await asyncio.sleep(0.02)
    [attachment] = reply.message.attachments
    assert attachment["filename"] == "progress.png"
    assert reply.message.embeds[0]["image"]["url"] == "attachment://progress.png"
    assert "1/31 topics" in reply.message.text()  # the text stays, for screen readers
    card = image(h.fake.files[int(attachment["id"])])
    assert card.format == "PNG" and card.width == pictures.WIDTH and card.height > 300


async def test_report_chart_and_weekly_leaderboard_card(h):
    await h.create_cohort()
    for user in (h.alice, h.bob):
        await h.run(user, "join", cohort="spring")
    await h.run(h.bob, "done")
    report = await h.run(h.mod, "cohort report", cohort="spring")
    [chart] = report.message.attachments
    assert chart["filename"] == "stages.png" and image(h.fake.files[int(chart["id"])]).format == "PNG"
    h.clock.set(datetime(2026, 11, 30, 17, 0, 5, tzinfo=UTC))
    await h.bot.scheduler.tick()
    [post] = h.fake.channel_posts
    [card] = post.attachments
    assert card["filename"] == "leaderboard.png" and post.embeds[0]["image"]["url"] == "attachment://leaderboard.png"
    assert image(h.fake.files[int(card["id"])]).width == pictures.WIDTH
    # Names on the card come from the server's member list.
    assert any(r.path == f"/guilds/{h.guild.id}/members/{h.bob.id}" for r in h.fake.requests)
