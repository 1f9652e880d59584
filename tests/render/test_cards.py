"""The PNG cards: real images of the right size, drawn from real service results, attached to messages."""

from __future__ import annotations

import asyncio
import io
from datetime import UTC, datetime

from PIL import Image

from bot.render import cards, typesetting


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
    assert card.format == "PNG" and card.width == typesetting.WIDTH and card.height > 300


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
    assert image(h.fake.files[int(card["id"])]).width == typesetting.WIDTH
    # Names on the card come from the server's member list.
    assert any(r.path == f"/guilds/{h.guild.id}/members/{h.bob.id}" for r in h.fake.requests)


def _progress_report():
    from datetime import date

    from bot.db.models import Cohort
    from bot.services.progress.pace import PaceStatus
    from bot.services.progress.views import ProgressReport, StageProgress
    from tests.harness import ROADMAP

    cohort = Cohort(id=1, guild_id=1, name="spring", name_key="spring", channel_id=1, start_date=date(2026, 11, 2))
    cohort.timezone, cohort.pace = "UTC", "standard"
    stages = [StageProgress(s, i % (len(s.topics) + 1), len(s.topics)) for i, s in enumerate(ROADMAP.stages)]
    return ProgressReport(
        cohort, ROADMAP, 1, ROADMAP.topics[7], 7, 31, stages, 3, 4.2, PaceStatus("behind", -2), 5, 9, 0.3, 0.25
    )


def test_cards_are_small_palette_pngs_with_anti_aliased_text():
    card = image(cards.progress_card(_progress_report(), "alice"))
    assert card.mode == "P" and card.width == typesetting.WIDTH
    title = card.convert("RGB").crop((32, 24, 300, 60))
    shades = {colour for _, colour in title.getcolors(10_000)}
    assert typesetting.BACKGROUND in shades and typesetting.TEXT in shades
    assert len(shades) > 6  # edges in between: anti-aliased, not jagged two-colour text


def test_a_members_own_texts_do_not_fill_the_cache_and_labels_follow_the_language():
    from bot import i18n

    report = _progress_report()
    cards.progress_card(report, "warm-up")
    before = typesetting._text_tiles.cache_info().currsize
    for n in range(40):
        cards.progress_card(report, f"member {n}")
    assert typesetting._text_tiles.cache_info().currsize == before  # names are drawn once, not kept
    english = image(cards.progress_card(report, "alice")).convert("RGB")
    with i18n.using("de"):
        german = image(cards.progress_card(report, "alice")).convert("RGB")
    label = (20, 380, 115, 440)  # "roadmap" / "Roadmap" at the calendar line
    assert english.crop(label).tobytes() != german.crop(label).tobytes()


def test_text_set_from_cached_glyphs_is_pillows_own_layout():
    for text, size in [("member name 12 · spring", 28), ("AVATAR Wolf, Tj", 18), ("7/31 topics (23%)", 17)]:
        ours, pillows = typesetting._set_in_glyphs(text, size), typesetting._set_by_pillow(text, size)
        assert ours.tobytes() == pillows.tobytes(), text  # the same pixels, kerning included
    # Marks that combine, right-to-left letters and format characters keep Pillow's own layout.
    for text in ("Zoë", "e\u0301", "مريم", "a\u200db"):
        assert typesetting._simple(text) is (text == "Zoë")
