"""Topic threads (`/cohort edit threads:on`): one public thread per topic in the cohort channel, opened
when the first member reaches the topic, reused, re-opened when archived, replaced when deleted, linked
from /join, /done, /skip, /goto, /topic, /cohort set-progress and the daily nudge."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import discord
from sqlalchemy import select

from bot.db.models import Cohort, CohortLink
from bot.discord_side.threads import THREAD_NAME_MAX, thread_name
from bot.roadmap import Roadmap
from tests.harness import allow_command
from tests.harness import database_dump as dump

THREAD_PERMISSIONS = discord.Permissions(create_public_threads=True, send_messages_in_threads=True)


def grant(h, permissions: discord.Permissions = THREAD_PERMISSIONS) -> None:
    """Give the bot's role `permissions` back (the README's invite asks for them), and refresh the bot's
    cache of the server as the gateway's GUILD_ROLE_UPDATE would."""
    role = next(r for r in h.guild.roles.values() if r.name == "studybot")
    role.permissions = discord.Permissions(role.permissions.value | permissions.value)
    world = h.fake.world
    h.bot._connection._add_guild_from_data(h.guild.payload(world.users, world.bot_user, voice=True))


def revoke(h, permissions: discord.Permissions = THREAD_PERMISSIONS) -> None:
    role = next(r for r in h.guild.roles.values() if r.name == "studybot")
    role.permissions = discord.Permissions(role.permissions.value & ~permissions.value)
    world = h.fake.world
    h.bot._connection._add_guild_from_data(h.guild.payload(world.users, world.bot_user, voice=True))


def threads(h) -> list:
    return h.fake.threads.in_channel(h.hall.id)


def thread_link(text: str) -> int:
    assert "Study thread: <#" in text, text
    return int(text.split("Study thread: <#")[1].split(">")[0])


async def rows(h) -> list[CohortLink]:
    async with h.bot.services.progress._sessions() as session:
        return list(await session.scalars(select(CohortLink).order_by(CohortLink.id)))


async def test_threads_are_off_until_a_moderator_turns_them_on(spring):
    h = spring
    done = await h.run(h.alice, "done")
    assert "Study thread" not in done.message.text()
    assert not [r for r in h.fake.requests if r.path.endswith("/threads")]
    info = await h.run(h.mod, "cohort info", cohort="spring")
    assert "Topic threads: off" in info.message.text()


async def test_turning_threads_on_without_the_permissions_says_which_and_changes_nothing(spring):
    h = spring
    revoke(h)  # invited with the permissions of an older version of the README
    before = await dump(h)
    refused = await h.run(h.mod, "cohort edit", cohort="spring", threads="on")
    text = refused.message.content
    assert refused.message.ephemeral and "I can't open topic threads in <#" in text, text
    assert "**Create Public Threads**" in text and "**Send Messages in Threads**" in text
    assert await dump(h) == before
    # A member with only the cohort's moderator role cannot turn them on either: the check comes first.
    allow_command(h, "cohort", h.guild.id)  # an admin opened /cohort to all: the bot refuses
    stranger = await h.run(h.alice, "cohort edit", cohort="spring", threads="on")
    assert "Manage Server" in stranger.message.content


async def test_the_first_member_to_reach_a_topic_opens_its_thread_and_the_next_reuses_it(spring):
    h = spring
    on = await h.run(h.mod, "cohort edit", cohort="spring", threads="on")
    assert "Topic threads: on: one per topic in <#" in on.message.text()

    first = await h.run(h.alice, "done")
    thread_id = thread_link(first.message.content)
    [thread] = threads(h)
    assert thread.id == thread_id and thread.name == "1.2 · HTTP and HTTPS" and thread.type == 11
    [intro] = [m for m in h.fake.channel_posts if m.payload["channel_id"] == str(thread_id)]
    assert "**spring**" in intro.content and "**HTTP and HTTPS**" in intro.content

    second = await h.run(h.bob, "done")
    assert thread_link(second.message.content) == thread_id
    assert len(threads(h)) == 1
    topic = await h.run(h.bob, "topic")
    assert f"Study thread: <#{thread_id}>" in topic.message.text()
    # Looking another topic up links nothing and opens nothing.
    other = await h.run(h.bob, "topic", topic="web-servers")
    assert "Study thread" not in other.message.text() and len(threads(h)) == 1


async def test_join_goto_skip_and_set_progress_link_the_thread_of_where_the_member_lands(spring):
    h = spring
    await h.run(h.mod, "cohort edit", cohort="spring", threads="on")
    joined = await h.run(h.carol, "join", cohort="spring")
    assert thread_link(joined.message.content)
    jumped = await h.run(h.alice, "goto", topic="web-servers")
    skipped = await h.run(h.bob, "skip")
    moved = await h.run(h.mod, "cohort set-progress", cohort="spring", member=h.carol, topic="web-servers")
    assert thread_link(jumped.message.content) == thread_link(moved.message.content)
    names = sorted(t.name for t in threads(h))
    assert names == ["1.1 · DNS", "1.2 · HTTP and HTTPS", "1.4 · Web servers"]
    assert thread_link(skipped.message.content) == next(t.id for t in threads(h) if t.name.startswith("1.2"))


async def test_an_archived_thread_is_reopened_and_a_deleted_one_replaced(spring):
    h = spring
    await h.run(h.mod, "cohort edit", cohort="spring", threads="on")
    first = thread_link((await h.run(h.alice, "done")).message.content)
    [thread] = threads(h)
    await h.fake.threads.archive(thread)
    again = thread_link((await h.run(h.bob, "done")).message.content)
    assert again == first and not thread.archived and len(threads(h)) == 1

    del h.guild.channels[thread.id]  # a moderator deleted the thread, and Discord says so
    deleted = {"id": str(thread.id), "guild_id": str(h.guild.id), "parent_id": str(h.hall.id), "type": 11}
    await h.fake.gateway.dispatch("THREAD_DELETE", deleted, guild_id=h.guild.id)
    await h.run(h.carol, "join", cohort="spring")
    replaced = thread_link((await h.run(h.carol, "done")).message.content)
    assert replaced != first
    assert [(r.key, r.discord_id) for r in await rows(h) if r.key == "http-https"] == [("http-https", replaced)]


async def test_members_reaching_a_topic_at_once_open_one_thread(spring):
    h = spring
    await h.run(h.mod, "cohort edit", cohort="spring", threads="on")
    await h.run(h.carol, "join", cohort="spring")
    answers = await asyncio.gather(*(h.fake.invoke(u, h.guild, h.hall, "done") for u in (h.alice, h.bob, h.carol)))
    [opened] = [t for t in threads(h) if t.name == "1.2 · HTTP and HTTPS"]  # /join opened 1.1 · DNS
    linked = {thread_link(a.message.content) for a in answers if "Study thread" in a.message.content}
    assert linked == {opened.id}  # who found it being opened answers without a link, never another


async def test_a_refused_thread_costs_the_member_nothing_and_leaves_no_claim(spring):
    h = spring
    await h.run(h.mod, "cohort edit", cohort="spring", threads="on")
    revoke(h)  # an admin took the permission back later
    done = await h.run(h.alice, "done")
    assert "**DNS** done!" in done.message.content and "Study thread:" not in done.message.content
    # Said where a moderator will hear of it: the member can pass it on.
    assert "No study thread: I need **Create Public Threads**, **Send Messages in Threads** in <#" in (
        done.message.content
    )
    assert await rows(h) == []  # the claim was given back: the next member tries again
    topic = await h.run(h.alice, "topic")
    assert "No study thread: I need **Create Public Threads**" in topic.message.text()
    grant(h)
    assert thread_link((await h.run(h.bob, "done")).message.content)


async def test_a_thread_the_bot_could_open_but_not_post_in_is_still_the_only_one(spring):
    h = spring
    await h.run(h.mod, "cohort edit", cohort="spring", threads="on")
    revoke(h, discord.Permissions(send_messages_in_threads=True))  # taken away after threads went on
    first = thread_link((await h.run(h.alice, "done")).message.content)
    assert not [m for m in h.fake.channel_posts if m.payload["channel_id"] == str(first)]  # no introduction
    assert thread_link((await h.run(h.bob, "done")).message.content) == first
    assert len(threads(h)) == 1


async def test_the_nudge_links_the_thread_of_the_members_topic(spring):
    h = spring
    await h.run(h.mod, "cohort edit", cohort="spring", threads="on")
    thread_id = thread_link((await h.run(h.alice, "done")).message.content)
    h.clock.set(datetime(2026, 11, 25, 8, 0, 30, tzinfo=UTC))  # 09:00:30 in Berlin
    await h.bot.scheduler.tick()
    [dm] = h.fake.dms_to(h.alice)
    assert f"Study thread: <#{thread_id}>" in dm.text()
    [other] = h.fake.dms_to(h.bob)  # still on DNS, whose thread nobody opened: no link, none opened
    assert "Study thread" not in other.text() and len(threads(h)) == 1
    # The nudge's Done button is a /done too: the next topic's thread opens and is linked.
    done = await h.fake.click(h.alice, None, dm, "Done")
    assert "Next topic: **The client-server model**" in done.message.content
    assert thread_link(done.message.content) == next(t.id for t in threads(h) if t.name.startswith("1.3 · "))


async def test_a_new_channel_gets_threads_of_its_own(spring):
    h = spring
    await h.run(h.mod, "cohort edit", cohort="spring", threads="on")
    old = thread_link((await h.run(h.alice, "done")).message.content)
    lounge = h.guild.add_channel("lounge")
    h.bot._connection._add_guild_from_data(h.guild.payload(h.fake.world.users, h.fake.world.bot_user))
    await h.run(h.mod, "cohort edit", cohort="spring", channel=lounge)
    new = thread_link((await h.run(h.bob, "done")).message.content)
    assert new != old and [t.name for t in h.fake.threads.in_channel(lounge.id)] == ["1.2 · HTTP and HTTPS"]
    assert [t.id for t in threads(h)] == [old]  # the old channel's thread stays where it was


async def test_deleting_the_cohort_forgets_its_threads(spring):
    h = spring
    await h.run(h.mod, "cohort edit", cohort="spring", threads="on")
    await h.run(h.alice, "done")
    await h.confirm(h.mod, "cohort delete", "Delete for good", cohort="spring")
    assert await rows(h) == []
    async with h.bot.services.progress._sessions() as session:
        assert await session.scalar(select(Cohort)) is None


def test_thread_names_number_the_topic_in_its_stage_and_fit_discord(h):
    roadmap: Roadmap = h.roadmap
    ref = roadmap.topics[1]
    assert thread_name(ref) == "1.2 · HTTP and HTTPS"
    long = ref.topic.model_copy(update={"title": "x" * 150})
    stage = ref.stage.model_copy(update={"topics": [ref.stage.topics[0], long]})
    named = thread_name(type(ref)(long, stage, ref.stage_index, ref.index, ref.stage_count))
    assert len(named) == THREAD_NAME_MAX and named.startswith("1.2 · x") and named.endswith("…")


async def test_the_thread_is_opened_in_the_servers_language_whoever_arrives_first(h):
    h.guild.preferred_locale = "de"  # the server's language; alice's own Discord is in English
    await h.create_cohort("spring")
    await h.run(h.mod, "cohort edit", cohort="spring", threads="on")
    joined = await h.run(h.alice, "join", cohort="spring")
    assert "Study thread: <#" in joined.message.content  # her own answer stays in her language
    [thread] = threads(h)
    [intro] = [m for m in h.fake.channel_posts if m.payload["channel_id"] == str(thread.id)]
    assert intro.content.startswith("Hier treffen sich alle aus **spring**, die an **DNS** arbeiten")


async def test_a_refusal_is_not_asked_again_until_something_changes(spring):
    """Issue 26, part 7: Discord bans a bot's address at 10,000 invalid requests in 10 minutes. What the
    cache says the bot lacks is never asked; a refusal the cache did not foresee is asked once."""
    h = spring
    await h.run(h.mod, "cohort edit", cohort="spring", threads="on")
    asked = lambda: len([r for r in h.fake.requests if r.method == "POST" and r.path.endswith("/threads")])  # noqa: E731
    before = asked()
    revoke(h)  # the gateway tells the bot
    for _ in range(20):
        topic = await h.run(h.alice, "topic")
        assert "No study thread: I need **Create Public Threads**" in topic.message.text()
    assert asked() == before

    grant(h)
    role = next(r for r in h.guild.roles.values() if r.name == "studybot")
    role.permissions = discord.Permissions(role.permissions.value & ~THREAD_PERMISSIONS.value)  # unseen
    for _ in range(20):
        await h.run(h.alice, "topic")
    assert asked() == before + 1  # refused once, then not asked again
    refused = h.bot.metrics.invalid_requests.labels("403")._value.get()
    assert refused >= 1

    # Something changed (a moderator gave the bot's role more): worth asking again.
    grant(h, THREAD_PERMISSIONS | discord.Permissions(manage_threads=True))
    assert thread_link((await h.run(h.alice, "topic")).message.text())
    assert asked() == before + 2


async def test_a_refusal_nothing_explains_is_asked_again_after_a_while(spring, monkeypatch):
    """A change the gateway never told of (the cache thinks the bot may): asked again once the hold ends."""
    from bot.discord_side import threads as topic_threads

    h = spring
    await h.run(h.mod, "cohort edit", cohort="spring", threads="on")
    role = next(r for r in h.guild.roles.values() if r.name == "studybot")
    role.permissions = discord.Permissions(role.permissions.value & ~THREAD_PERMISSIONS.value)  # unseen
    await h.run(h.alice, "topic")
    asked = len([r for r in h.fake.requests if r.path.endswith("/threads")])
    role.permissions = discord.Permissions(role.permissions.value | THREAD_PERMISSIONS.value)  # fixed, unseen too
    assert "No study thread" in (await h.run(h.alice, "topic")).message.text()  # held: not asked
    assert len([r for r in h.fake.requests if r.path.endswith("/threads")]) == asked
    monkeypatch.setattr(topic_threads, "REFUSAL_HOLD_SECONDS", 0.0)
    assert thread_link((await h.run(h.alice, "topic")).message.text())
