"""Study buddies (`/cohort edit buddies:on`, `/buddy on|off|show`): each week at the leaderboard time the
members who opted in are grouped (pairs, a trio when odd) and each gets one DM introducing the others
and where everyone stands; nobody who opted in is left out, nobody meets the same buddy twice within
four weeks while another choice exists, and members who left or closed their DMs are skipped."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import combinations

from sqlalchemy import select

from bot.db.models import BuddyMatch, Delivery, Membership
from tests.harness import database_dump as dump
from tests.harness import restart

# The cohort's first weekly leaderboard (Monday 18:00 in Berlin) and the weeks after it.
FIRST_PAIRING = datetime(2026, 11, 30, 17, 0, 5, tzinfo=UTC)


def week(n: int) -> datetime:
    return FIRST_PAIRING + timedelta(weeks=n)


async def pairing(h, at: datetime):
    """Move the clock to a weekly leaderboard time and run the scheduler once."""
    h.clock.set(at)
    return await h.bot.scheduler.tick()


def buddy_dms(h, user) -> list:
    return [m for m in h.fake.dms_to(user) if m.embeds and "study budd" in m.embeds[0]["title"]]


def mentioned(message) -> set[int]:
    description = message.embeds[0]["description"]
    return {int(part.split(">")[0]) for part in description.split("<@")[1:]}


async def groups_of(h, period: str) -> list[set[int]]:
    """The week's groups, as sets of user ids."""
    async with h.bot.services.progress._sessions() as session:
        rows = (
            await session.execute(
                select(BuddyMatch.group_no, Membership.user_id)
                .join(Membership, Membership.id == BuddyMatch.membership_id)
                .where(BuddyMatch.period == period)
            )
        ).all()
    groups: dict[int, set[int]] = {}
    for group_no, user_id in rows:
        groups.setdefault(group_no, set()).add(user_id)
    return list(groups.values())


async def members(h, count: int) -> list:
    users = [h.alice, h.bob, h.carol]
    for i in range(count - len(users)):
        user = h.fake.world.add_user(f"member{i}")
        h.guild.add_member(user)
        users.append(user)
    return users[:count]


async def opted_in(h, count: int) -> list:
    await h.create_cohort()
    await h.run(h.mod, "cohort edit", cohort="spring", buddies="on")
    users = await members(h, count)
    for user in users:
        await h.run(user, "join", cohort="spring")
        reply = await h.run(user, "buddy on")
        assert reply.message.ephemeral and "You're in." in reply.message.embeds[0]["description"]
    return users


async def test_buddies_are_off_until_a_moderator_turns_them_on(spring):
    h = spring
    before = await dump(h)
    refused = await h.run(h.alice, "buddy on")
    assert refused.message.ephemeral and "Study buddies are off in **spring**" in refused.message.content
    assert "buddies:on" in refused.message.content and await dump(h) == before
    shown = await h.run(h.alice, "buddy show")
    assert "Study buddies are off in this cohort" in shown.message.embeds[0]["description"]
    on = await h.run(h.mod, "cohort edit", cohort="spring", buddies="on")
    assert "Study buddies: on: 0 opted in, paired weekly" in on.message.text()
    stranger = h.fake.world.add_user("stranger")
    h.guild.add_member(stranger)
    not_member = await h.run(stranger, "buddy on")
    assert not_member.message.ephemeral and "not in any cohort" in not_member.message.content


async def test_on_off_and_show_say_where_the_member_stands(spring):
    h = spring
    await h.run(h.mod, "cohort edit", cohort="spring", buddies="on")
    on = await h.run(h.alice, "buddy on")
    embed = on.message.embeds[0]
    assert on.message.ephemeral and embed["title"] == "Study buddies · spring"
    assert embed["description"].startswith("You're in. Each week at the leaderboard time")
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert fields["Next pairing"].startswith(f"<t:{int(FIRST_PAIRING.replace(second=0).timestamp())}:F>")
    assert "Europe/Berlin" in fields["Next pairing"] and fields["Opted in"] == "1"
    assert fields["You"] == "**DNS** (stage 1: How the Web Works)"
    again = await h.run(h.alice, "buddy on")
    assert again.message.embeds[0]["description"].startswith("You're in: each week")
    off = await h.run(h.alice, "buddy off")
    assert off.message.embeds[0]["description"].startswith("You're out: from the next pairing on")
    shown = await h.run(h.alice, "buddy show")
    assert shown.message.embeds[0]["description"].startswith("You're not in the weekly pairing")
    info = await h.run(h.mod, "cohort info", cohort="spring")
    assert "Study buddies: on: 0 opted in" in info.message.text()


async def test_a_trio_when_odd_each_gets_one_dm_and_those_not_in_get_none(h):
    alice, bob, carol = await opted_in(h, 3)
    dave = (await members(h, 4))[3]
    await h.run(dave, "join", cohort="spring")
    await h.run(bob, "done")
    report = await pairing(h, FIRST_PAIRING)
    assert report.leaderboards == 1 and report.buddies == 3
    assert await groups_of(h, "2026-11-30") == [{alice.id, bob.id, carol.id}]
    for user in (alice, bob, carol):
        [dm] = buddy_dms(h, user)
        assert dm.embeds[0]["title"] == "🤝 Your study buddies this week · spring"
        assert mentioned(dm) == {alice.id, bob.id, carol.id} - {user.id} and not dm.pinged
    [to_alice] = buddy_dms(h, alice)
    assert f"<@{bob.id}>: **HTTP and HTTPS** (stage 1: How the Web Works)" in to_alice.embeds[0]["description"]
    assert "You: **DNS**" in to_alice.embeds[0]["description"]
    assert buddy_dms(h, dave) == []
    shown = await h.run(bob, "buddy show")
    this_week = {f["name"]: f["value"] for f in shown.message.embeds[0]["fields"]}["This week (2026-11-30)"]
    assert f"<@{alice.id}>" in this_week and f"<@{carol.id}>" in this_week
    # The same week again, after a restart: nothing is paired or sent twice.
    await restart(h)
    await pairing(h, FIRST_PAIRING + timedelta(minutes=5))
    assert [len(buddy_dms(h, u)) for u in (alice, bob, carol)] == [1, 1, 1]
    async with h.bot.services.progress._sessions() as session:
        rows = list(await session.scalars(select(Delivery).where(Delivery.kind.like("budd%"))))
    assert sorted(d.kind for d in rows) == ["buddies", "buddy", "buddy", "buddy"]
    # Every row ends in a status docs/operating.md lists: the pairing is `sent` once its groups are kept.
    assert {(d.kind, d.status) for d in rows} == {("buddies", "sent"), ("buddy", "sent")}
    assert all(d.finished_at is not None for d in rows)


async def test_nobody_meets_the_same_buddy_twice_within_four_weeks_while_another_is_free(h):
    users = await opted_in(h, 6)
    met: list[set[frozenset[int]]] = []
    for n in range(5):
        await pairing(h, week(n))
        period = (week(n).date()).isoformat()
        groups = await groups_of(h, period)
        assert sorted(len(g) for g in groups) == [2, 2, 2]
        assert set().union(*groups) == {u.id for u in users}  # nobody left out
        pairs = {frozenset(p) for g in groups for p in combinations(sorted(g), 2)}
        for earlier in met[-4:]:  # 6 members have 15 pairs: 5 weeks of 3 need no repeat at all
            assert not pairs & earlier, f"week {n} repeats a pair"
        met.append(pairs)
    assert all(len(buddy_dms(h, u)) == 5 for u in users)


async def test_members_who_left_or_closed_their_dms_are_skipped(h):
    alice, bob, carol = await opted_in(h, 3)
    dave = (await members(h, 4))[3]
    await h.run(dave, "join", cohort="spring")
    await h.run(dave, "buddy on")
    left = await h.confirm(bob, "leave", "Leave")
    assert "You left" in left.message.text()
    h.fake.dm_closed = {carol.id}
    h.clock.set(datetime(2026, 11, 25, 8, 1, tzinfo=UTC))  # carol's nudge finds her DMs closed
    await h.bot.scheduler.tick()
    await pairing(h, FIRST_PAIRING)
    assert await groups_of(h, "2026-11-30") == [{alice.id, dave.id}]
    assert buddy_dms(h, bob) == [] and buddy_dms(h, carol) == []
    # DMs found closed only by the buddy DM itself: recorded like a nudge's, the partner still told.
    h.fake.dm_closed = {dave.id}
    report = await pairing(h, week(1))
    assert report.buddies_closed == 1 and report.buddies == 1 and len(buddy_dms(h, alice)) == 2
    metrics = h.bot.metrics.registry
    assert metrics.get_sample_value("studybot_buddy_dms_total", {"outcome": "dms_closed"}) == 1
    async with h.bot.services.progress._sessions() as session:
        member = await session.scalar(select(Membership).where(Membership.user_id == dave.id))
        assert member.dm_closed_at is not None


async def test_alone_in_the_pairing_gets_no_dm_and_forgetting_removes_the_groups(h):
    alice, bob = await opted_in(h, 2)
    await h.run(bob, "buddy off")
    await pairing(h, FIRST_PAIRING)
    assert buddy_dms(h, alice) == [] and await groups_of(h, "2026-11-30") == []
    await h.run(bob, "buddy on")
    await pairing(h, week(1))
    assert len(buddy_dms(h, alice)) == 1 and len(buddy_dms(h, bob)) == 1
    forgotten = await h.confirm(bob, "forget-me", "Delete my data")
    assert "Deleted" in forgotten.message.text()
    assert await groups_of(h, "2026-12-07") == [{alice.id}]
    shown = await h.run(alice, "buddy show")
    assert "This week" not in {f["name"][:9] for f in shown.message.embeds[0]["fields"]}


async def test_a_german_member_reads_the_introduction_in_german(h):
    alice, bob = await opted_in(h, 2)
    bob.locale = "de"
    await h.run(bob, "buddy show")  # the member's language is the one of their last command
    await pairing(h, FIRST_PAIRING)
    [to_bob] = [m for m in h.fake.dms_to(bob) if "Lernpartner" in m.embeds[0]["title"]]
    assert to_bob.embeds[0]["title"] == "🤝 Dein Lernpartner dieser Woche · spring"
    assert f"<@{alice.id}>: **DNS** (Etappe 1: How the Web Works)" in to_bob.embeds[0]["description"]
    [to_alice] = buddy_dms(h, alice)
    assert to_alice.embeds[0]["title"] == "🤝 Your study buddy this week · spring"


async def test_an_archived_cohort_takes_no_one_in_and_pairs_no_one(h):
    alice, bob = await opted_in(h, 2)
    await h.archive()
    before = await dump(h)
    await h.run(alice, "buddy off")
    refused = await h.run(alice, "buddy on")
    assert refused.message.ephemeral and "archived" in refused.message.content
    await pairing(h, FIRST_PAIRING)
    assert buddy_dms(h, alice) == [] and buddy_dms(h, bob) == []
    assert (await dump(h))["buddy_matches"] == before["buddy_matches"] == []


async def test_what_a_member_hid_stays_hidden_from_their_buddies(h):
    """Issue 26, part 4: a private member is paired without their topic being shown, and a buddy who
    opts out or leaves is dropped from /buddy show."""
    alice, bob = await opted_in(h, 2)
    await h.run(alice, "settings", show_on_leaderboard="off")
    await h.run(alice, "done")
    await pairing(h, FIRST_PAIRING)
    [to_bob] = buddy_dms(h, bob)
    text = to_bob.embeds[0]["description"]
    assert f"<@{alice.id}>: keeps their progress private" in text
    assert "HTTP" not in text.split("You:")[0] and "stage 1" not in text.split("You:")[0]
    [to_alice] = buddy_dms(h, alice)
    assert "You: **HTTP and HTTPS**" in to_alice.embeds[0]["description"]  # her own, to her
    shown = await h.run(bob, "buddy show")
    fields = {f["name"]: f["value"] for f in shown.message.embeds[0]["fields"]}
    assert fields["This week (2026-11-30)"] == f"<@{alice.id}>: keeps their progress private"

    await h.run(alice, "buddy off")
    after_off = await h.run(bob, "buddy show")
    assert f"<@{alice.id}>" not in str(after_off.message.embeds[0])
    await h.run(alice, "buddy on")
    await h.confirm(alice, "leave", "Leave")
    after_leaving = await h.run(bob, "buddy show")
    assert f"<@{alice.id}>" not in str(after_leaving.message.embeds[0])
