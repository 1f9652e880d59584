"""`studybot sandbox`: the real bot against the loopback Discord, driven by typed lines."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from icalendar import Calendar
from sqlalchemy import select

from bot.db.models import Delivery
from bot.sandbox.session import Sandbox
from tests.harness import CATALOG, ROOT, TEST_ROADMAP

pytestmark = pytest.mark.slow  # starts `studybot sandbox` processes

STUDYBOT = Path(sys.executable).parent / "studybot"


def sandbox_script(text: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(STUDYBOT), "sandbox"], input=text, capture_output=True, text=True, timeout=120, cwd=ROOT)


def test_the_first_week_example_runs_end_to_end():
    result = sandbox_script((ROOT / "examples" / "first-week.txt").read_text())
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    out = result.stdout
    assert "@mod> /cohort create name:spring" in out and "Created cohort spring" in out
    assert out.count("You joined spring") == 3
    assert "[DM to @ada]\n  ┌ Today in spring: DNS" in out  # the bot's own scheduler, after `clock +1h`
    assert "[Done] [Studied today] [Stop nudges]" in out
    assert "@ada> click Done\n[reply to @ada] (only you can see this)\n  ✅ DNS done!" in out
    assert "[#study-hall]\n  ┌ Weekly leaderboard · spring\n  │ 🥇 @ada · 4 topics" in out
    assert "Members of spring (3)" in out
    assert "sandbox-token" not in out + result.stderr


def test_the_topic_threads_example_opens_each_thread_once_and_links_it():
    result = sandbox_script((ROOT / "examples" / "topic-threads.txt").read_text())
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    out = result.stdout
    assert out.count("[#1.1 · DNS]\n  Members of spring working on DNS meet here") == 1
    assert out.count("[#1.2 · HTTP and HTTPS]\n  Members of spring working on HTTP and HTTPS meet") == 1
    assert "Next topic: HTTP and HTTPS.\n  💬 Study thread: #1.2 · HTTP and HTTPS" in out
    assert "│ Study thread: #1.2 · HTTP and HTTPS\n  │ Project ideas:" in out  # /topic
    assert out.count("│ Study thread: #1.2 · HTTP and HTTPS\n  └ Buttons work for you only") == 2  # both nudges
    assert "Topic threads: on: one per topic in #study-hall" in out


def test_the_calendar_example_saves_a_calendar_file_that_parses_and_keeps_stage_events():
    result = sandbox_script((ROOT / "examples" / "calendar.txt").read_text())
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    [saved] = re.findall(r"📎 spring\.ics \(\d+ bytes\) → (\S+)", result.stdout)
    ics = Calendar.from_ical(Path(saved).read_bytes())
    summaries = {str(e["summary"]) for e in ics.walk("VEVENT")}
    assert {"spring · planned break", "spring · weekly leaderboard", "spring · stage 1: How the Web Works"} <= summaries
    assert "📅 Scheduled events: 8 created, 0 updated, 0 removed." in result.stdout


def test_the_stage_roles_example_gives_the_role_of_the_finished_stage():
    result = sandbox_script((ROOT / "examples" / "stage-roles.txt").read_text())
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    out = result.stdout
    assert "Stage roles: on: a role for each finished stage" in out
    assert "🎉 You finished the stage How the Web Works!" in out
    assert out.count("🏅 Your new role: @spring · How the Web Works ✓") == 1


def test_the_showcase_example_posts_replaces_and_reports():
    result = sandbox_script((ROOT / "examples" / "showcase.txt").read_text())
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    out = result.stdout
    assert out.count("@ada shared a project.") == 2
    assert "is not a link I can share" in out
    assert "in place of the one you shared before" in out
    assert (
        "Projects shared this week (1): @ada · How the Web Works: <https://github.com/ada/tiny-http-server-v2>" in out
    )


def test_the_study_buddies_example_pairs_the_members_who_opted_in_by_where_they_stand():
    result = sandbox_script((ROOT / "examples" / "study-buddies.txt").read_text())
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    out = result.stdout
    assert "Study buddies: on: 0 opted in, paired weekly" in out
    assert out.count("🤝 Your study buddy this week · spring") == 4  # barbara did not opt in
    introductions = out.split("[DM to @")
    to = {part.split("]")[0]: part for part in introductions if "🤝" in part.split("[")[0]}
    assert sorted(to) == ["ada", "grace", "ken", "linus"]
    assert "@grace: HTTP and HTTPS" in to["ada"] and "@ada: The client-server model" in to["grace"]
    assert "@ken: DNS" in to["linus"] and "@linus: DNS" in to["ken"]
    assert "This week (2026-11-30): @grace: HTTP and HTTPS (stage 1: How the Web Works)" in out


def test_a_command_without_an_answer_fails_the_script():
    result = sandbox_script("/progress\n/nope\nclock soon\n/done bogus words\n")
    assert result.returncode == 1
    assert "not in any cohort" in result.stdout  # /progress got its (error) answer: that is an answer
    assert "there is no /nope" in result.stdout
    assert "clock takes +1d" in result.stdout
    assert "expected options as name:value" in result.stdout
    assert "3 command(s) failed" in result.stderr


@pytest.fixture
async def sandbox(tmp_path):
    out: list[str] = []
    box = Sandbox(emit=out.append, files_dir=tmp_path / "files")
    await box.start(CATALOG, tmp_path / "s.db", TEST_ROADMAP)
    box.out = out  # type: ignore[attr-defined]
    try:
        yield box
    finally:
        await box.aclose()


async def test_tab_completion_uses_the_bots_own_autocomplete(sandbox):
    assert await sandbox.complete("/go") == ["/goto ", "/goal "]
    assert await sandbox.complete("/cohort cr") == ["/cohort create "]
    assert "/cohort create name:" in await sandbox.complete("/cohort create na")
    # Tab keeps what was typed: only values that start with it go on the line...
    assert await sandbox.complete("/goto topic:web") == ["/goto topic:web-servers ", "/goto topic:websockets "]
    # ...while the list shows every match with its title, as Discord's does (jwt matches "JSON Web Tokens").
    listed = [c.label for c in await sandbox.completions("/goto topic:web")]
    assert listed[0].startswith("web-servers · ") and any(label.startswith("jwt · ") for label in listed)
    assert await sandbox.complete("/goto topic:databases") == []  # several matches, none by prefix: line kept
    assert len(await sandbox.completions("/goto topic:databases")) > 1
    assert await sandbox.complete("/goto topic:tokens") == ["/goto topic:jwt "]  # the one match goes on the line
    assert await sandbox.complete("/goto topic:graphq") == ["/goto topic:graphql "]
    assert await sandbox.complete(
        "/cohort create name:x channel:#study-hall start_date:2026-12-01 timezone:Europe/Ber"
    ) == ["/cohort create name:x channel:#study-hall start_date:2026-12-01 timezone:Europe/Berlin "]
    assert "/cohort create name:x pace:intense " in await sandbox.complete("/cohort create name:x pace:")
    assert await sandbox.complete("cl") == ["click ", "clock "]


async def test_as_users_channels_and_the_options_people_type(sandbox):
    assert await sandbox.execute("clock 2026-11-30T07:00:00+00:00")  # the same day, whenever the suite runs
    assert await sandbox.execute(
        "/cohort create name:spring channel:#study-hall start_date:2026-12-01 timezone:Europe/Berlin"
    )
    assert await sandbox.execute("as bob")
    assert await sandbox.execute("/join cohort:spring")
    assert await sandbox.execute("/done note:finished the DNS chapter and more")
    assert await sandbox.execute("as mod")
    assert await sandbox.execute("/progress member:@bob public:true")
    assert await sandbox.execute("users")
    assert await sandbox.execute("channels")
    text = "\n".join(sandbox.out)
    assert "@bob ✅ DNS done!" in text and "bob · spring" in text
    assert "users: bob, mod (@Moderators)" in text
    assert not await sandbox.execute("/progress member:@nobody")
    assert not await sandbox.execute("/checkin minutes:many")
    assert not await sandbox.execute("click Nothing")
    assert "no user @nobody" in text + "\n".join(sandbox.out) and sandbox.failures == 3


async def test_locale_switches_the_acting_members_language(sandbox):
    assert await sandbox.execute("clock 2026-11-30T07:00:00+00:00")  # the same day, whenever the suite runs
    assert await sandbox.execute(
        "/cohort create name:spring channel:#study-hall start_date:2026-12-01 timezone:Europe/Berlin"
    )
    assert await sandbox.execute("as bob")
    assert await sandbox.execute("locale de")
    assert await sandbox.execute("/join cohort:spring")
    assert await sandbox.execute("as ann")
    assert await sandbox.execute("/join cohort:spring")
    assert not await sandbox.execute("locale")
    text = "\n".join(sandbox.out)
    assert "@bob now uses Discord in de" in text
    assert "🎉 Du bist spring beigetreten" in text and "🎉 You joined spring" in text


async def test_the_transcript_says_what_discord_refuses(sandbox, monkeypatch):
    assert await sandbox.execute("clock 2026-11-30T07:00:00+00:00")  # the same day, whenever the suite runs
    assert await sandbox.execute(
        "/cohort create name:spring channel:#study-hall start_date:2026-12-01 timezone:Europe/Berlin"
    )
    assert not await sandbox.execute("/done note:" + "x" * 501)  # the client's own limit
    # A Discord stricter than the bot expects: its answer is refused, and the transcript says so.
    monkeypatch.setattr("bot.sandbox.fake.rules.CONTENT_MAX", 10)
    assert not await sandbox.execute("/join cohort:spring")
    text = "\n".join(sandbox.out)
    assert "! Discord's client would not send that: option 'note': 501 characters" in text
    assert "! Discord refused what the bot sent: POST /interactions/" in text and "Must be 10 or fewer" in text
    sandbox.fake.rejected.clear()


async def test_every_picture_and_file_the_bot_sends_is_saved_where_the_transcript_says(sandbox, tmp_path):
    assert await sandbox.execute("clock 2026-11-30T07:00:00+00:00")  # the same day, whenever the suite runs
    assert f"Pictures and files the bot sends are saved in {tmp_path / 'files'}" in sandbox.out
    for line in (
        "/cohort create name:spring channel:#study-hall start_date:2026-11-02 timezone:Europe/Berlin",
        "as ada",
        "/join cohort:spring",
        "/progress",
        "as mod",
        "/cohort export cohort:spring",
    ):
        assert await sandbox.execute(line), sandbox.out[-3:]
    transcript = "\n".join(sandbox.out)
    card, export = tmp_path / "files" / "001-progress.png", tmp_path / "files" / "002-spring.csv"
    assert f"📎 progress.png ({card.stat().st_size} bytes) → {card}" in transcript
    assert card.read_bytes().startswith(b"\x89PNG")
    assert f"📎 spring.csv ({export.stat().st_size} bytes) → {export}" in transcript
    assert export.read_text().startswith("record,guild_id,cohort,user_id,name,")


async def test_moving_the_clock_sends_everything_that_fell_due_on_time_in_order(sandbox):
    for line in (
        "clock 2026-12-01T10:00:00+00:00",  # 07:00 in São Paulo
        "/cohort create name:rio channel:#study-hall start_date:2026-11-30 timezone:America/Sao_Paulo nudge_time:08:30",
        "as ana",
        "/join cohort:rio",
        "clock +1d",  # 08:30 in São Paulo came and went: its nudge is sent then, not skipped as "missed"
    ):
        assert await sandbox.execute(line), sandbox.out[-3:]
    assert len(sandbox.fake.dms) == 1 and "Today in rio" in sandbox.fake.dms[0].text()
    assert await sandbox.execute("clock +1w")
    assert len(sandbox.fake.dms) == 8  # one each morning
    boards = [m for m in sandbox.fake.channel_posts if "Weekly leaderboard" in m.text()]
    assert len(boards) == 1  # Monday 7 December, 18:00 in São Paulo
    async with sandbox.bot.services.progress._sessions() as session:
        rows = (await session.execute(select(Delivery.kind, Delivery.status, Delivery.scheduled_for))).all()
    assert {status for _, status, _ in rows} == {"sent"}, rows
    nudges = sorted(at for kind, _, at in rows if kind == "nudge")
    assert all(at.hour == 11 and at.minute == 30 for at in nudges)  # 08:30 in São Paulo, each day
    transcript = "\n".join(sandbox.out)
    assert transcript.index("[DM to @ana]") < transcript.index("Weekly leaderboard · rio")


async def test_the_clock_does_not_go_back(sandbox):
    assert await sandbox.execute("clock 2026-12-01T10:00:00+00:00")
    assert not await sandbox.execute("clock 2026-11-30T10:00:00+00:00")
    assert "the clock only moves forward" in sandbox.out[-1]
    assert await sandbox.execute("clock")
    assert "Tue 01 Dec 2026 10:0" in sandbox.out[-1]


def test_a_sandbox_database_remembers_its_people_by_name(tmp_path):
    db = tmp_path / "kept.db"
    first = subprocess.run(
        [str(STUDYBOT), "sandbox", "--db", str(db), "--files", str(tmp_path / "files")],
        input="clock 2026-11-30T07:00:00+00:00\n"
        "/cohort create name:spring channel:#study-hall start_date:2026-11-30 timezone:UTC\n"
        "as u0\n/join cohort:spring\n",
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert first.returncode == 0, first.stdout[-2000:] + first.stderr[-2000:]
    second = subprocess.run(
        [str(STUDYBOT), "sandbox", "--db", str(db), "--files", str(tmp_path / "files")],
        input="as u1\n/progress\nas u0\n/progress\n",
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    out = second.stdout
    assert out.index("You are not in any cohort") < out.index("u0 · spring"), out[-2000:]


async def test_a_script_sets_its_start_once_before_anything_happens(sandbox):
    # Any moment, past or future of the day the suite runs: the script reads the same on any day.
    assert await sandbox.execute("clock 2021-03-01T07:00:00+00:00")
    assert "Mon 01 Mar 2021 07:00" in sandbox.out[-1]
    assert not await sandbox.execute("clock 2021-02-01T07:00:00+00:00")  # set once
    assert "the clock only moves forward" in sandbox.out[-1]


async def test_after_a_command_the_clock_no_longer_goes_back(sandbox):
    assert await sandbox.execute("/cohort list")
    assert not await sandbox.execute("clock 2000-01-03T07:00:00+00:00")
    assert "set the start as the first line" in sandbox.out[-1]


def run_kept(db: Path, files: Path, script: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(STUDYBOT), "sandbox", "--db", str(db), "--files", str(files)],
        input=script,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )


def test_a_kept_database_goes_on_with_its_clock_its_people_and_fresh_ids(tmp_path):
    db, files = tmp_path / "kept.db", tmp_path / "files"
    first = run_kept(
        db,
        files,
        "clock 2026-03-02T06:00:00+00:00\n"
        "/cohort create name:spring channel:#study-hall start_date:2026-03-02 timezone:UTC\n"
        "as u0\n/join cohort:spring\nas u1\n/join cohort:spring\nclock +1d\n",
    )
    assert first.returncode == 0, first.stdout[-2000:] + first.stderr[-2000:]
    assert first.stdout.count("[DM to @u0]") == 1 and first.stdout.count("[DM to @u1]") == 1
    # Nobody is named with `as` in the second session, yet both are nudged, each in their own DM.
    second = run_kept(db, files, "clock\nclock +1d\n")
    assert second.returncode == 0, second.stdout[-2000:] + second.stderr[-2000:]
    assert "🕒 Tue 03 Mar 2026 06:0" in second.stdout  # where the first session stopped, not today
    assert second.stdout.count("[DM to @u0]") == 1 and second.stdout.count("[DM to @u1]") == 1
    assert "Discord refused" not in second.stdout
    # A third session: the clock cannot be set before what the database holds; progress reads sanely.
    third = run_kept(db, files, "clock 2026-03-01T00:00:00+00:00\nas u0\n/progress\n")
    assert "this database's last session stopped at 2026-03-04 06:0" in third.stdout
    assert "│ On this topic: 2 days (calendar share 1.8 days)" in third.stdout  # 2 March to 4 March
    assert "└ Pace: standard · cohort started 2026-03-02" in third.stdout


def test_the_breaks_example_moves_a_break_ends_it_early_and_nudges_follow_the_calendar():
    result = sandbox_script((ROOT / "examples" / "breaks.txt").read_text())
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    out = result.stdout
    assert "The break 2026-12-21 → 2026-12-27 of winter is now 2026-12-24 → 2026-12-31." in out
    assert "│ Pauses: 2026-12-24 → 2026-12-31 (8 days)" in out
    assert "DNS done again: a review" in out and "🥇 @ada · 1 topic" in out
    assert "ended yesterday (2026-12-25)" in out
    # A nudge each morning from the 14th to the 23rd, none on the 24th and 25th, one on the 26th.
    assert out.count("[DM to @ada]") == 11


def test_the_authority_example_does_for_nobody_what_they_could_not_do_themselves():
    result = sandbox_script((ROOT / "examples" / "authority.txt").read_text())
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    out = result.stdout
    assert "@Admin (Administrator)" in out and "@Leads (no permissions)" in out  # a server like real ones
    assert "Picking a stage role takes Manage Roles" in out
    assert "You can't post in #announcements yourself" in out
    assert "Everyone in the server can read #study-hall" in out and "Report channel: #mods" in out
    # Erin held Verified before: nothing new for her, and nothing taken; Bob got it from the bot and lost it.
    assert out.count("🏅 Your new role: @Verified") == 1
    assert "users: bob (@Verified), carol (@Leads), erin (@Verified)" in out
    assert "users: bob, carol (@Leads), erin (@Verified)" in out
    assert "it has a name and `@` before its host" in out and "You have not reached Databases (stage 5) yet" in out


async def test_voice_joins_moves_deafens_and_leaves_as_the_acting_member(sandbox):
    assert await sandbox.execute("as bob")
    assert await sandbox.execute("voice #study-room")
    assert await sandbox.execute("voice deaf")
    assert await sandbox.execute("voice leave")
    assert await sandbox.execute("channels")
    assert not await sandbox.execute("voice #study-hall")  # a text channel
    assert not await sandbox.execute("voice undeaf")  # not connected
    text = "\n".join(sandbox.out)
    assert "@bob joined 🔊 study-room" in text and "@bob deafened themselves in 🔊 study-room" in text
    assert "@bob left 🔊 study-room" in text and "🔊 #study-room" in text
    assert "#study-hall is not a voice channel" in text and sandbox.failures == 2
    assert sandbox.guild.voice == {}


def test_the_focus_example_rings_its_bells_where_they_belong_and_counts_a_shared_minute_once():
    result = sandbox_script((ROOT / "examples" / "focus.txt").read_text())
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    out = result.stdout
    assert "Focus timers are off in spring" in out
    assert "☕ Round 1 of 2 done: a 5-minute break" in out.split("[DM to @ada]")[1]  # privately, by DM
    assert "[#study-room]\n  🍅 @grace started a focus timer" in out and "[Join]" in out
    assert "[#study-room]\n  @grace @ada ✅ Focus cycle done" in out  # who joined, and no one else
    assert "🥇 @ada · 55 minutes" in out and "🥈 @grace · 30 minutes" in out  # room and round: once
    assert "grace · spring: the last 2 weeks" in out and "week of 2026-11-23: 0 topics done · 30 minutes" in out


def test_the_pages_example_follows_its_links_to_the_pages_and_names_only_who_shows_their_progress():
    result = sandbox_script((ROOT / "examples" / "pages.txt").read_text())
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    out = result.stdout
    cohort_page = out.split("@mod> open\n")[1].split("@mod> open ?lang=de")[0]
    assert cohort_page.startswith("[200 http://127.0.0.1:") and "## Members per stage" in cohort_page
    assert "How the Web Works | 2" in cohort_page  # ada and grace, hidden, both counted
    assert "1 | ada | 2 | 1 day" in cohort_page and "grace" not in cohort_page  # grace hides: never named
    assert "- https://github.com/ada/tiny-http-server ada · How the Web Works" in cohort_page
    assert "## Mitglieder je Etappe" in out and "## Progress" in out and "2 of 31 topics done" in out
    assert "The old link of spring's page stopped working" in out and "Web page: off" in out
