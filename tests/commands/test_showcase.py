"""Project showcase (`/cohort edit showcase:on`, `/share url [stage] [note]`): one post per member and
stage in the cohort channel, a second replacing the first; only http(s) links up to 512 characters;
the week's shares in /cohort report; /forget-me takes the posts away."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import discord
import pytest
from sqlalchemy import select

from bot.db.models import ProjectShare
from tests.harness import database_dump as dump

LINK = "https://github.com/alice/tiny-http-server"


def share_posts(h) -> list:
    return [m for m in h.fake.channel_posts if m.embeds and m.embeds[0].get("url")]


def posts_made(h) -> int:
    """Posts the bot made in the cohort's channel (a share replacing another deletes the older post)."""
    return len(
        [r for r in h.fake.requests if r.method == "POST" and r.path.endswith(f"/channels/{h.hall.id}/messages")]
    )


async def shares(h) -> list[ProjectShare]:
    async with h.bot.services.progress._sessions() as session:
        return list(await session.scalars(select(ProjectShare).order_by(ProjectShare.id)))


async def test_sharing_is_off_until_a_moderator_turns_it_on(spring):
    h = spring
    before = await dump(h)
    off = await h.run(h.alice, "share", url=LINK)
    assert off.message.ephemeral and "Sharing projects is off in **spring**" in off.message.content
    assert "showcase:on" in off.message.content and await dump(h) == before and not share_posts(h)


async def test_a_share_is_posted_for_the_members_stage_and_a_second_replaces_it(spring):
    h = spring
    on = await h.run(h.mod, "cohort edit", cohort="spring", showcase="on")
    assert "Project showcase: on" in on.message.text()
    first = await h.run(h.alice, "share", url=LINK, note="**raw sockets**, no framework <@&1>")
    assert first.message.ephemeral and "Shared in <#" in first.message.content
    [post] = share_posts(h)
    embed = post.embeds[0]
    assert embed["url"] == LINK and embed["title"] == "🛠️ Project · stage 1: How the Web Works"
    assert embed["author"]["name"] == "alice" and embed["description"].startswith("\\*\\*raw sockets\\*\\*")
    assert post.content == f"<@{h.alice.id}> shared a project." and not post.pinged
    second = await h.run(h.alice, "share", url=LINK + "-v2", stage="1")
    assert "in place of the one you shared before" in second.message.content
    [post2] = share_posts(h)  # the first post is gone from the channel
    assert post2.embeds[0]["url"] == LINK + "-v2" and post.id in h.fake.deletions.deleted
    before = await dump(h)
    ahead = await h.run(h.alice, "share", url=LINK, stage="databases")  # alice is on stage 1
    assert ahead.message.ephemeral and "You have not reached **Databases** (stage 5) yet" in ahead.message.content
    assert await dump(h) == before and len(share_posts(h)) == 1
    await h.run(h.alice, "goto", topic="relational-databases")
    h.clock.set(h.clock.now() + timedelta(minutes=1))  # two shares a minute at most
    other = await h.run(h.alice, "share", url=LINK, stage="databases")
    assert "**Databases**" in other.message.content
    assert [(s.stage_id, s.url) for s in await shares(h)] == [
        ("how-the-web-works", LINK + "-v2"),
        ("databases", LINK),
    ]


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("javascript:alert(1)", "does not start with `https://`"),
        ("ftp://example.org/x", "does not start with `https://`"),
        ("https://", "does not start with `https://`"),
        ("https://exa mple.org", "spaces"),
        ("https://bücher.example/x", "characters a link cannot hold"),
        ("https://[::1", "does not start with `https://`"),
        ("https://discord.com@evil.example/nitro", "a name and `@` before its host"),
        ("https://user:pw@example.org/", "a name and `@` before its host"),
        ("https://ok.example>**x**/", "its host is not a name"),
    ],
)
async def test_only_http_links_up_to_512_characters(spring, url, why):
    h = spring
    await h.run(h.mod, "cohort edit", cohort="spring", showcase="on")
    before = await dump(h)
    refused = await h.run(h.alice, "share", url=url)
    assert refused.message.ephemeral and "is not a link I can share" in refused.message.content, refused.message.content
    assert why in refused.message.content and "up to 512 characters" in refused.message.content
    assert await dump(h) == before and not share_posts(h)


async def test_a_link_over_512_characters_is_refused_at_the_option(spring):
    h = spring
    await h.run(h.mod, "cohort edit", cohort="spring", showcase="on")
    longest = "https://example.org/" + "x" * 492
    assert "Shared in" in (await h.run(h.alice, "share", url=longest)).message.content  # 512: accepted
    before = await dump(h)
    refused = await h.run(h.bob, "share", url=longest + "x", unchecked=True)  # a client that ignores max_length
    assert refused.message.ephemeral and "513 characters long; this option takes at most 512" in refused.message.content
    assert await dump(h) == before


async def test_the_report_lists_the_weeks_shares_and_forget_me_takes_the_posts_away(spring):
    h = spring
    await h.run(h.mod, "cohort edit", cohort="spring", showcase="on")
    await h.run(h.alice, "share", url=LINK)
    await h.run(h.bob, "share", url="https://example.org/bob", note="my first API")
    report = await h.run(h.mod, "cohort report", cohort="spring")
    text = report.message.text()
    assert "Projects shared this week (2)" in text
    assert f"<@{h.alice.id}> · How the Web Works: <{LINK}>" in text
    await h.confirm(h.alice, "forget-me", "Delete my data")
    assert [p.embeds[0]["url"] for p in share_posts(h)] == ["https://example.org/bob"]
    assert [s.url for s in await shares(h)] == ["https://example.org/bob"]


async def test_deleting_the_cohort_deletes_its_shares(spring):
    h = spring
    await h.run(h.mod, "cohort edit", cohort="spring", showcase="on")
    await h.run(h.alice, "share", url=LINK)
    await h.confirm(h.mod, "cohort delete", "Delete for good", cohort="spring")
    assert await shares(h) == []


async def test_the_cohort_export_holds_the_shares_and_who_wants_a_study_buddy(spring):
    h = spring
    await h.run(h.mod, "cohort edit", cohort="spring", showcase="on", buddies="on")
    await h.run(h.alice, "share", url=LINK, note='=HYPERLINK("https://evil.example")')
    await h.run(h.bob, "buddy on")
    reply = await h.run(h.mod, "cohort export", cohort="spring")
    assert "2 members, 0 done/skip records, 0 check-ins and 1 project share" in reply.message.content
    [attachment] = reply.message.attachments
    rows = list(csv.DictReader(io.StringIO(h.fake.files[int(attachment["id"])].decode())))
    [share] = [r for r in rows if r["record"] == "share"]
    assert share["user_id"] == f"<@{h.alice.id}>" and share["stage_id"] == "how-the-web-works"
    assert share["url"] == LINK and share["note"].startswith("'=HYPERLINK")  # kept as text, never run
    members = {r["user_id"]: r["buddy_opt_in"] for r in rows if r["record"] == "member"}
    assert members == {f"<@{h.alice.id}>": "no", f"<@{h.bob.id}>": "yes"}


async def test_a_share_without_stage_goes_to_the_stage_just_finished_until_the_next_one_has_a_done_topic(spring):
    h = spring
    await h.run(h.mod, "cohort edit", cohort="spring", showcase="on")
    for _ in h.roadmap.stages[0].topics:
        await h.run(h.alice, "done")  # stage 1 finished: alice is on stage 2's first topic
    first = await h.run(h.alice, "share", url=LINK)
    assert "your project for **How the Web Works**." in first.message.content
    await h.run(h.alice, "done")  # a topic of stage 2 done: its project is the one to show now
    second = await h.run(h.alice, "share", url=LINK + "-v2")
    assert f"your project for **{h.roadmap.stages[1].title}**." in second.message.content
    assert [s.stage_id for s in await shares(h)] == [h.roadmap.stages[0].id, h.roadmap.stages[1].id]


async def test_a_link_cannot_carry_a_hidden_link_or_formatting(spring):
    """`>` would end `<link>` in the report, `[text](url)` make a masked link in the post: both are
    percent-encoded (the link still leads to the same page)."""
    h = spring
    await h.run(h.mod, "cohort edit", cohort="spring", showcase="on")
    sneaky = "https://ok.example/>**[Verify_your_account](https://evil.example/login)**<"
    await h.run(h.alice, "share", url=sneaky)
    encoded = "https://ok.example/%3E%2A%2A%5BVerify_your_account%5D%28https://evil.example/login%29%2A%2A%3C"
    [post] = share_posts(h)
    assert post.embeds[0]["url"] == encoded and post.embeds[0]["fields"][0]["value"] == encoded
    report = (await h.run(h.mod, "cohort report", cohort="spring")).message.text()
    assert f"<{encoded}>" in report and "](" not in report


async def test_a_note_under_a_public_post_has_a_few_lines_at_most(spring):
    h = spring
    await h.run(h.mod, "cohort edit", cohort="spring", showcase="on")
    before = await dump(h)
    tall = await h.run(h.alice, "share", url=LINK, note="\n".join("x" * 4 for _ in range(100)))
    assert tall.message.ephemeral and "Your note has 100 lines; a note under a public post can have at most 5" in (
        tall.message.content
    )
    separators = await h.run(h.alice, "share", url=LINK, note="\u2028".join("line" for _ in range(6)))
    assert "6 lines" in separators.message.content
    assert await dump(h) == before and not share_posts(h)
    assert "Shared in" in (await h.run(h.alice, "share", url=LINK, note="a\nb\nc\nd\ne")).message.content


async def test_shares_are_limited_per_member_and_per_channel(spring):
    """60 /share in a few seconds must not make 60 posts: two a minute per member, ten per channel."""
    h = spring
    await h.run(h.mod, "cohort edit", cohort="spring", showcase="on")
    answers = [await h.run(h.alice, "share", url=f"{LINK}-{i}") for i in range(3)]
    assert ["Shared in" in a.message.content for a in answers] == [True, True, False]
    assert answers[2].message.ephemeral and "You shared 2 projects within 1 minute" in answers[2].message.content
    assert re.search(r"try again in ([1-9]|[1-5][0-9]|60) seconds?\.", answers[2].message.content)
    assert posts_made(h) == 2
    h.clock.set(h.clock.now() + timedelta(seconds=61))
    assert "Shared in" in (await h.run(h.alice, "share", url=f"{LINK}-again")).message.content
    assert posts_made(h) == 3

    h.clock.set(h.clock.now() + timedelta(seconds=61))
    crowd = []
    for i in range(11):
        user = h.fake.world.add_user(f"sharer{i}")
        h.guild.add_member(user)
        await h.run(user, "join", cohort="spring")
        crowd.append(await h.run(user, "share", url=f"https://example.org/{i}"))
    assert sum("Shared in" in a.message.content for a in crowd) == 10 and posts_made(h) == 13
    assert "Many projects were just shared in" in crowd[-1].message.content


async def test_a_member_muted_in_the_channel_cannot_post_there_through_the_bot(spring):
    """Issue 26: the bot posts for nobody where they may not post themselves (a member denied Send
    Messages in the cohort's channel, as a mute is set up)."""
    from tests.commands.test_stage_roles import refresh

    h = spring
    await h.run(h.mod, "cohort edit", cohort="spring", showcase="on")
    h.hall.deny_for(h.alice.id, discord.Permissions(send_messages=True))
    refresh(h)
    before = await dump(h)
    muted = await h.run(h.alice, "share", url=LINK)
    assert muted.message.ephemeral and f"You can't post in <#{h.hall.id}> yourself (you lack **Send Messages**" in (
        muted.message.content
    )
    assert await dump(h) == before and not share_posts(h)
    assert "Shared in" in (await h.run(h.bob, "share", url=LINK)).message.content
