"""What a hostile member and a careless moderator send, through the real command tree, under Discord's rules.

Every refusal is private, says what is accepted, and leaves the database exactly as it was.
"""

from __future__ import annotations

import csv
import io
import logging
from datetime import UTC, date, datetime
from pathlib import Path

import discord
import pytest
from sqlalchemy import select

from bot.db.models import Cohort, CohortPause, Membership
from bot.sandbox.fake import ClientRefused
from tests.harness import allow_command, staff_channel
from tests.harness import database_dump as dump

HUGE = "x" * 3000
ERROR_ID = "Sorry, something went wrong"


async def refused(h, user, path: str, expect: list[str], **options):
    """Run a command that must be refused: private, clear, within Discord's limits, nothing written."""
    before = await dump(h)
    reply = await h.run(user, path, **options)
    message = reply.message
    assert message.ephemeral, f"{path}: the refusal must be private"
    assert ERROR_ID not in message.text(), message.text()
    for fragment in expect:
        assert fragment in message.text(), f"{path}: {fragment!r} not in {message.text()!r}"
    assert await dump(h) == before, f"{path} changed the database"
    return message


def string_options(h) -> list[tuple[str, dict, list[dict]]]:
    """(command path, string option, all options of that command) for every command the bot registered."""
    found = []
    for command in h.fake.commands[None]:
        subs = [o for o in command.get("options", []) if o["type"] == 1]
        for path, options in [(f"{command['name']} {s['name']}", s.get("options", [])) for s in subs] or [
            (command["name"], command.get("options", []))
        ]:
            found += [(path, option, options) for option in options if option["type"] == 3]
    return found


def valid_values(h) -> dict[str, object]:
    """A value every required option accepts, by option name."""
    return {
        "cohort": "spring",
        "name": "autumn",
        "channel": h.hall,
        "start_date": "2026-12-01",
        "timezone": "UTC",
        "member": h.bob,
        "topic": "dns",
        "from": "2026-12-24",
        "to": "2026-12-26",
        "break": "2026-12-24",
        "stage": "databases",
        "role": h.guild.everyone,  # refused as a stage role, after every text option was checked
        "url": "https://example.org/project",
    }


@pytest.fixture
async def spring(h):
    await h.create_cohort()
    for user in (h.mod, h.alice, h.bob):
        await h.run(user, "join", cohort="spring")
    return h


async def test_every_string_option_declares_a_max_length_and_over_long_values_never_break_a_reply(spring, caplog):
    h = spring
    cases = string_options(h)
    assert len(cases) > 30  # every command's text options, not a sample
    for path, option, options in cases:
        limit = option.get("max_length")
        # 500 for notes, 512 for a project's link (the limit): nothing longer.
        assert limit is not None and limit <= 512, f"/{path} {option['name']} declares no fitting max_length"
        required = {o["name"]: valid_values(h)[o["name"]] for o in options if o.get("required")}
        with pytest.raises(ClientRefused):  # Discord's client does not send it...
            await h.run(h.mod, path, **(required | {option["name"]: HUGE}))
        # ...and sent anyway, it is refused privately with the limit, changing nothing.
        await refused(h, h.mod, path, ["at most"], unchecked=True, **(required | {option["name"]: HUGE}))
        # A NUL or another control character: refused too (PostgreSQL cannot even store a NUL).
        await refused(h, h.mod, path, ["control characters"], unchecked=True, **(required | {option["name"]: "a\x00b"}))
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], "a refusal is not a failure to log"


async def test_values_at_the_limit_full_of_markdown_and_mentions_get_an_answer_within_discords_rules(spring, caplog):
    h = spring
    for path, option, options in string_options(h):
        if path in ("leave", "forget-me") or option.get("choices"):
            continue  # confirmations (nothing happens until a click); fixed choices cannot be typed
        required = {o["name"]: valid_values(h)[o["name"]] for o in options if o.get("required")}
        limit = option["max_length"]
        hostile = (f"<@{h.bob.id}> @everyone **`_|" * 50)[:limit]
        reply = await h.run(h.mod, path, **(required | {option["name"]: hostile}))
        text = reply.message.text()
        assert ERROR_ID not in text, (path, option["name"], text)
        assert not reply.message.pinged, f"/{path} {option['name']} pinged {reply.message.pinged}"
        assert f"<@{h.bob.id}>" not in text, f"/{path} quoted a live mention: {text!r}"
    assert not [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]  # no traceback logged
    # The harness fails the test if Discord would have refused any answer (see stop_harness).


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("\u200b", "invisible"),
        ("\u200b\u200b", "invisible"),
        ("\u202e\u200f", "invisible"),
        ("ba\u200bse", "U+200B"),
        ("\u3164", "invisible"),
        ("spr\x00ing", "control characters"),
        ("a`b", "backtick"),
        ("   ", "1 to 50"),
        ("ß" * 30, "1 to 50"),  # folds to 60 characters: longer than the key the database holds
        # Default-ignorable code points that are not format characters: they draw nothing either.
        ("spring\u034f", "U+034F"),
        ("spring\ufe0f", "U+FE0F"),
        ("spring\U000e0100", "U+E0100"),
        ("spr\u17b4ing", "U+17B4"),
    ],
)
async def test_invisible_and_broken_names_are_refused(spring, name, expected):
    h = spring
    create = {"channel": h.hall, "start_date": "2026-12-01", "timezone": "UTC"}
    await refused(h, h.mod, "cohort create", [expected], name=name, unchecked=True, **create)
    await refused(h, h.mod, "cohort edit", [expected], cohort="spring", name=name, unchecked=True)


async def test_look_alike_names_are_one_name(spring):
    h = spring
    create = {"channel": h.hall, "start_date": "2026-12-01", "timezone": "UTC"}
    for twin in ("ｓｐｒｉｎｇ", "SPRING", "  spring  ", "spring\u3000"):
        await refused(h, h.mod, "cohort create", ["already exists"], name=twin, **create)
    await h.create_cohort("Ｃｌｕｂ ２", start_date="2026-12-01")
    info = await h.run(h.mod, "cohort info", cohort="club 2")
    assert "Club 2" in info.message.text()  # stored normalised, found by its folded key
    joined = await h.run(h.carol, "join", cohort="ｓｐｒｉｎｇ")
    assert "You joined **spring**" in joined.message.content


async def test_names_that_only_look_the_same_are_refused(spring):
    """UTS #39 skeletons: Cyrillic letters, `rn` for `m`, `I` for `l` look like another cohort's name."""
    h = spring
    create = {"channel": h.hall, "start_date": "2026-12-01", "timezone": "UTC"}
    for twin in ("ѕрrіng", "\u0405PRING"):
        await refused(h, h.mod, "cohort create", ["looks the same as the cohort **spring**"], name=twin, **create)
    await h.create_cohort("modern web", start_date="2026-12-01")
    await refused(
        h, h.mod, "cohort edit", ["looks the same as the cohort **modern web**"], cohort="spring", name="modem web"
    )
    renamed = await h.run(h.mod, "cohort edit", cohort="modern web", name="Modern Web")  # itself: fine
    assert "Modern Web" in renamed.message.text()
    await h.create_cohort("❤️ club", start_date="2026-12-01")  # an emoji as phones type it stays allowed
    await h.create_cohort("spring 2", start_date="2026-12-01")  # different names stay different


async def test_a_name_with_a_mention_pings_nobody_anywhere(spring):
    h = spring
    name = f"<@{h.carol.id}> club"
    created = await h.create_cohort(name, start_date="2026-12-01")
    listing = await h.run(h.mod, "cohort list")
    await h.run(h.bob, "join", cohort=name)
    done = await h.run(h.bob, "done", cohort=name)  # a public message naming the cohort's topic
    for reply in (created, listing, done):
        assert not reply.message.pinged  # not even bob, named in his own /done
        assert f"<@{h.carol.id}>" not in reply.message.text()
    for reply in (created, listing):  # shown as typed, escaped
        assert f"\\<\\@{h.carol.id}\\> club" in reply.message.text()
    # The closed-DM notice pings exactly the member it is for.
    h.fake.dm_closed = {h.bob.id}
    h.clock.set(datetime(2026, 12, 2, 9, 1, tzinfo=UTC))
    await h.bot.scheduler.tick()
    notices = [m for m in h.fake.channel_posts if "direct messages are closed" in m.content]
    assert len(notices) == 2  # one per cohort bob is in
    for notice in notices:
        assert notice.pinged == {h.bob.id}
        assert f"<@{h.carol.id}>" not in notice.content


@pytest.mark.parametrize("day", ["9999-12-20", "1900-01-01", "2999-01-01", "2025-11-23", "2028-11-25"])
async def test_absurd_dates_are_refused_before_anything_is_written(spring, day):
    h = spring
    create = {"name": "autumn", "channel": h.hall, "timezone": "UTC"}
    await refused(h, h.mod, "cohort create", ["too far from today"], start_date=day, **create)
    await refused(h, h.mod, "cohort edit", ["too far from today"], cohort="spring", start_date=day)
    await refused(h, h.mod, "cohort pause", ["too far from today"], cohort="spring", **{"from": day, "to": day})
    info = await h.run(h.mod, "cohort info", cohort="spring")
    assert "2026-11-02" in info.message.text()


async def test_dates_at_the_edges_of_the_window_are_accepted(spring):
    h = spring  # today is 2026-11-24
    # A year back the calendar is long over: the bot asks first (test_cohort_lifecycle), then creates.
    early = await h.confirm(
        h.mod, "cohort create", "Create anyway", name="early", channel=h.hall, start_date="2025-11-24", timezone="UTC"
    )
    assert "Created cohort early" in early.message.text()
    await h.create_cohort("late", start_date="2028-11-23")


async def test_breaks_may_not_overlap_repeat_or_precede_the_start(spring):
    h = spring
    await h.run(h.mod, "cohort pause", cohort="spring", **{"from": "2026-12-24", "to": "2026-12-31"})
    for first, last in [("2026-12-24", "2026-12-31"), ("2026-12-30", "2027-01-02"), ("2026-12-20", "2026-12-24")]:
        await refused(
            h,
            h.mod,
            "cohort pause",
            ["already has a break 2026-12-24 → 2026-12-31"],
            cohort="spring",
            **{"from": first, "to": last},
        )
    await refused(
        h,
        h.mod,
        "cohort pause",
        ["starts on 2026-11-02"],
        cohort="spring",
        **{"from": "2026-11-01", "to": "2026-11-03"},
    )
    await refused(  # today is 2026-11-24: those days' nudges went out already
        h,
        h.mod,
        "cohort pause",
        ["cannot begin in the past", "today is 2026-11-24"],
        cohort="spring",
        **{"from": "2026-11-20", "to": "2026-11-25"},
    )
    ok = await h.run(h.mod, "cohort pause", cohort="spring", **{"from": "2027-01-01", "to": "2027-01-01"})
    assert "pauses" in ok.message.content


async def test_a_day_holds_at_most_1440_checked_in_minutes(spring):
    h = spring
    first = await h.run(h.alice, "checkin", minutes=1440)
    assert "1440 minutes today" in first.message.content
    await refused(h, h.alice, "checkin", ["already studied 1440 minutes today", "at most 0 more"], minutes=1)
    await h.run(h.bob, "checkin", minutes=1000)
    await refused(h, h.bob, "checkin", ["at most 440 more"], minutes=441)
    assert "1440 minutes today" in (await h.run(h.bob, "checkin", minutes=440)).message.content


@pytest.mark.parametrize("zone", ["localtime", "Factory", "posix/Europe/Berlin", "right/UTC", "Mars/Olympus"])
async def test_only_canonical_timezones(spring, zone):
    h = spring
    await refused(h, h.mod, "cohort edit", ["not a timezone"], cohort="spring", timezone=zone)
    await refused(h, h.alice, "settings", ["not a timezone"], timezone=zone)


async def test_an_old_zone_name_is_stored_as_the_zone_it_stands_for(spring):
    h = spring
    reply = await h.run(h.alice, "settings", timezone="US/Eastern")
    assert "America/New_York" in reply.message.text()
    choices = await h.fake.autocomplete(h.alice, h.guild, h.hall, "settings", focused="timezone", timezone="posix")
    assert choices == []


async def test_forget_me_names_an_unknown_cohort_at_once(spring):
    h = spring
    message = await refused(h, h.alice, "forget-me", ["no cohort named **nope**"], cohort="nope")
    assert not message.buttons


async def test_only_manage_server_sets_a_moderator_role_and_never_everyone(spring):
    h = spring
    lead = h.guild.add_role("Spring leads", discord.Permissions.none())
    h.guild.add_member(h.carol, lead)
    cached = h.bot.get_guild(h.guild.id)
    cached._add_role(discord.Role(guild=cached, state=h.bot._connection, data=lead.payload()))
    await h.run(h.mod, "cohort edit", cohort="spring", moderator_role=lead)
    allow_command(h, "cohort", lead.id)  # the admin let the moderator role use /cohort
    everyone = h.guild.everyone
    await refused(h, h.carol, "cohort edit", ["Manage Server"], cohort="spring", moderator_role=everyone)
    await refused(h, h.carol, "cohort edit", ["Manage Server"], cohort="spring", moderator_role=lead)
    await refused(
        h, h.mod, "cohort edit", ["@everyone cannot be a moderator role"], cohort="spring", moderator_role=everyone
    )
    # The role still moderates what it may: a new name is fine.
    renamed = await h.run(h.carol, "cohort edit", cohort="spring", name="spring 2026")
    assert "Updated spring 2026" in renamed.message.text()


async def test_a_member_hidden_from_the_leaderboard_is_private(spring):
    h = spring
    await h.run(h.bob, "settings", show_on_leaderboard="off")
    settings = await h.run(h.bob, "settings")
    assert "private" in settings.message.text()
    for public in (True, False):
        await refused(h, h.alice, "progress", ["keeps their progress private"], member=h.bob, public=public)
    seen = await h.run(h.mod, "progress", member=h.bob, public=True)  # a moderator: privately
    assert seen.message.ephemeral and "bob" in seen.message.text()
    own = await h.run(h.bob, "progress", public=True)  # their own choice to show it
    assert not own.message.ephemeral
    done = await h.run(h.bob, "done")  # not announced to the channel
    assert done.message.ephemeral and "done!" in done.message.content


async def test_forget_me_leaves_no_id_and_no_readable_text(spring, db_url):
    h = spring
    await h.run(h.alice, "done", note="my secret note 4711")
    h.guild.add_member(h.alice, h.guild.add_role("Admins", discord.Permissions(manage_guild=True)))
    allow_command(h, "cohort", h.guild.id)  # an admin opened /cohort to all: the bot refuses
    paused = await h.run(h.alice, "cohort pause", cohort="spring", **{"from": "2027-01-04", "to": "2027-01-05"})
    assert "pauses" in paused.message.content
    await h.create_cohort("alices", start_date="2026-12-01")  # by mod
    async with h.bot.services.progress._sessions() as session:
        cohort = await session.scalar(select(Cohort).where(Cohort.name == "alices"))
        cohort.created_by = h.alice.id
        await session.commit()
    ask = await h.run(h.alice, "forget-me")
    done = await h.fake.click(h.alice, h.guild, ask.message, "Delete my data")
    assert "**alices**" in done.message.content and "**spring**" in done.message.content
    dumped = repr(await dump(h))
    assert str(h.alice.id) not in dumped and "4711" not in dumped
    async with h.bot.services.progress._sessions() as session:
        assert {c.created_by for c in await session.scalars(select(Cohort))} <= {h.mod.id, 0}
        assert {p.created_by for p in await session.scalars(select(CohortPause))} == {0}
    if db_url.startswith("sqlite"):
        path = Path(db_url.split("///", 1)[1])
        for file in (path, Path(f"{path}-wal")):
            if file.exists():
                assert b"my secret note 4711" not in file.read_bytes(), f"the note is still readable in {file.name}"


async def test_the_export_keeps_formulas_as_text_and_its_file_name_clean(spring):
    h = spring
    await h.run(h.alice, "done", note='=HYPERLINK("http://x","click")')
    await h.run(h.alice, "checkin", note="@SUM(1+1)")
    await h.run(h.mod, "cohort edit", cohort="spring", name='../../etc/x"y;z')
    reply = await h.run(h.mod, "cohort export", cohort='../../etc/x"y;z')
    [attachment] = reply.message.attachments
    assert attachment["filename"] == "etc-x-y-z.csv"
    rows = list(csv.DictReader(io.StringIO(h.fake.files[int(attachment["id"])].decode())))
    notes = {r["note"] for r in rows if r["note"]}
    assert notes == {'\'=HYPERLINK("http://x","click")', "'@SUM(1+1)"}
    assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for r in rows for cell in r.values() if cell)


async def test_an_everyone_moderator_role_stored_by_an_older_version_moderates_nothing(spring):
    h = spring
    async with h.bot.services.progress._sessions() as session:
        cohort = await session.scalar(select(Cohort).where(Cohort.name == "spring"))
        cohort.moderator_role_id = h.guild.id  # @everyone's id is the server's
        await session.commit()
    allow_command(h, "cohort", h.guild.id)  # and an admin opened /cohort to all: the bot still refuses
    await refused(h, h.alice, "cohort archive", ["Manage Server"], cohort="spring")


async def test_values_that_are_no_choice_are_refused_clearly(spring):
    h = spring
    for path, option, options in string_options(h):
        if not option.get("choices"):
            continue
        required = {o["name"]: valid_values(h)[o["name"]] for o in options if o.get("required")}
        with pytest.raises(ClientRefused):
            await h.run(h.mod, path, **(required | {option["name"]: "<@1>*never*"}))
        reply = await h.run(h.mod, path, unchecked=True, **(required | {option["name"]: "<@1>*never*"}))
        assert reply.message.ephemeral and ERROR_ID not in reply.message.text(), (path, reply.message.text())


async def test_sixty_cohorts_with_the_longest_markdown_names_still_list(h):
    for i in range(60):
        await h.create_cohort(f"{i:02d}" + "*_" * 24, start_date="2026-12-01")
    listing = await h.run(h.mod, "cohort list")
    description = listing.message.embeds[0]["description"]
    assert len(description) <= 4096 and "more" in description.splitlines()[-1]
    # Every name rendered escaped: no stray bold or italics.
    assert description.splitlines()[0].startswith("**00\\*\\_")


def test_every_embed_the_renderers_build_goes_through_the_last_guard():
    """An embed builder added (or moved) without `@fitted` fails here, not on a real server."""
    import inspect

    from bot import render

    builders = [
        name
        for name in render.__all__
        if callable(getattr(render, name))
        and inspect.signature(inspect.unwrap(getattr(render, name))).return_annotation in ("discord.Embed", "Embed")
    ]
    assert len(builders) >= 12
    assert [name for name in builders if not hasattr(getattr(render, name), "__wrapped__")] == []


def test_an_oversized_embed_is_fitted_within_every_limit():
    from bot.render.limits import EMBED_TOTAL_MAX, fit_embed

    embed = discord.Embed(title="t" * 300, description="line\n" * 2000)
    for i in range(30):
        embed.add_field(name="n" * 300, value=f"{i}\n" + "v" * 1100)
    embed.set_footer(text="f" * 3000)
    fitted = fit_embed(embed)
    assert len(fitted.title) == 256 and len(fitted.description) <= 4096 and len(fitted.footer.text) <= 2048
    assert len(fitted.fields) <= 25 and all(len(f.name) <= 256 and len(f.value) <= 1024 for f in fitted.fields)
    size = len(fitted.title) + len(fitted.description) + len(fitted.footer.text)
    assert size + sum(len(f.name) + len(f.value) for f in fitted.fields) <= EMBED_TOTAL_MAX
    assert fitted.description.endswith("\n…")  # cut at a line break


async def test_autocomplete_survives_whatever_is_typed(spring, caplog):
    h = spring
    typed = [HUGE, "a\x00b", f"<@{h.bob.id}>", "\u202e\u200b", "%_'\";--"]
    autocompleted = [(p, o, opts) for p, o, opts in string_options(h) if o.get("autocomplete")]
    assert len(autocompleted) > 15
    for path, option, options in autocompleted:
        for value in typed:
            # The cohort typed so far shapes the topic and stage lists: hostile there too.
            context = (
                {"cohort": value} if option["name"] != "cohort" and any(o["name"] == "cohort" for o in options) else {}
            )
            choices = await h.fake.autocomplete(
                h.mod,
                h.guild,
                h.hall,
                path,
                focused=option["name"],
                unchecked=True,
                **(context | {option["name"]: value}),
            )
            assert len(choices) <= 25
    assert not [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


async def test_a_refused_command_does_not_even_store_the_members_new_language(spring):
    h = spring
    await h.run(h.alice, "checkin", minutes=1440)
    h.alice.locale = "de"
    await refused(h, h.alice, "checkin", ["1440"], minutes=5)  # the day is full: nothing written at all
    await h.run(h.alice, "progress")  # a read that succeeds stores it, for her nudges
    async with h.bot.services.progress._sessions() as session:
        stored = await session.scalar(select(Membership.locale).where(Membership.user_id == h.alice.id))
    assert stored == "de"


async def test_sixty_closed_dms_are_told_in_notices_discord_takes(spring):
    h = spring
    crowd = [h.fake.world.add_user(f"member{i}") for i in range(60)]
    for user in crowd:
        h.guild.add_member(user)
        await h.run(user, "join", cohort="spring")
    h.fake.dm_closed = {u.id for u in crowd}
    h.clock.set(datetime(2026, 11, 25, 8, 1, tzinfo=UTC))
    await h.bot.scheduler.tick()
    [first] = [m for m in h.fake.channel_posts if "direct messages are closed" in m.content]
    assert len(first.pinged) == 50 and len(first.content) <= 2000
    h.clock.set(datetime(2026, 11, 26, 8, 1, tzinfo=UTC))
    await h.bot.scheduler.tick()
    second = [m for m in h.fake.channel_posts if "direct messages are closed" in m.content][1]
    assert first.pinged | second.pinged == {u.id for u in crowd} and not first.pinged & second.pinged


async def test_members_are_pointed_to_what_they_can_use(spring):
    h = spring
    for reply in (
        await h.run(h.carol, "join", cohort="sprng"),
        await h.run(h.carol, "progress"),
    ):
        text = reply.message.text()
        assert "/cohort list" not in text and "`cohort` option" in text, text


async def test_cohort_info_shows_the_report_channel(spring):
    h = spring
    mods = staff_channel(h)
    assert "Report channel: none" in (await h.run(h.mod, "cohort info", cohort="spring")).message.text()
    edited = await h.run(h.mod, "cohort edit", cohort="spring", report_channel=mods)
    assert f"Report channel: <#{mods.id}>" in edited.message.text()  # the edit confirms it


async def test_cohort_info_survives_a_year_9999_start_saved_by_an_older_version(spring):
    h = spring
    async with h.bot.services.progress._sessions() as session:
        cohort = await session.scalar(select(Cohort).where(Cohort.name == "spring"))
        cohort.start_date = date(9999, 12, 20)
        await session.commit()
    info = await h.run(h.mod, "cohort info", cohort="spring")
    assert ERROR_ID not in info.message.text() and "9999-12-20 → …" in info.message.text()


async def test_a_hidden_member_sees_their_own_count_privately(spring):
    h = spring
    await h.run(h.bob, "settings", show_on_leaderboard="off")
    for _ in range(2):
        await h.run(h.bob, "done")
    mine = (await h.run(h.bob, "leaderboard", period="all-time")).message
    assert mine.ephemeral and "You: 2 topics in this period (you are hidden from the ranking)" in mine.text()
    others = (await h.run(h.alice, "leaderboard", period="all-time")).message.text()
    assert f"<@{h.bob.id}>" not in others and "no topics done in this period yet" in others
