"""A simulated semester through the sandbox: `python bench/semester.py [--members 120] [--weeks 16]`.

The real bot against the loopback Discord, in this process, driven as `studybot sandbox --db` is: a
cohort starts on a fixed Monday (the clock is set by the script, never read from today), members in
five timezones join the day before, and every day a random few do, skip, review (back to a done topic
and done again) or check in, one member leaves for ten days and comes back, two breaks are planned,
and the cohort is archived three days before the end. The bot is restarted on the same database every
few weeks (`--sessions`). At the end the database must say:
- one nudge per study day of each member while they were in the cohort, none on a break day, none
  after the archive, none missed;
- every membership's all-time count and weekly tallies equal its first-done topics (a topic counts once);
and per simulated week it prints the wall time and the resident memory, which should stay flat.
Exit status 1 when any check fails."""

from __future__ import annotations

import argparse
import asyncio
import gc
import random
import sqlite3
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import machine
from bot.roadmap import load_catalog
from bot.sandbox.session import Sandbox, quiet_logs
from bot.services.cohorts.schedule import local_date, local_instant

ROOT = Path(__file__).resolve().parent.parent
START = date(2027, 1, 4)  # a Monday
ZONES = ("Europe/Berlin", "America/New_York", "Australia/Sydney", "America/Sao_Paulo", "Asia/Kolkata")
NUDGE_TIME = "09:00"


@dataclass
class Member:
    name: str
    zone: str
    active: list[list[datetime | None]] = field(default_factory=list)  # [joined, left) intervals
    done: list[str] = field(default_factory=list)


@dataclass
class Run:
    sandbox: Sandbox
    failures: list[str] = field(default_factory=list)

    async def do(self, line: str) -> None:
        if not await self.sandbox.execute(line):
            self.failures.append(f"{line!r}: {self.sandbox.last_output}")

    async def until(self, moment: datetime) -> None:
        """Move the clock to `moment` unless it is there already (it runs on in real time meanwhile)."""
        if moment > self.sandbox.clock.now():
            await self.do(f"clock {moment.isoformat()}")


def forget_transcript(sandbox: Sandbox) -> None:
    """Drop what the stand-in and the transcript keep of the days before (every request, message and
    file, for a person to scroll back to), so the memory measured is the bot's, not a growing log."""
    fake = sandbox.fake
    for kept in (fake.requests, fake.channel_posts, fake.dms, fake.gateway.identifies, sandbox._seen):
        kept.clear()
    for kept in (fake.messages, fake.interactions, fake._by_token, fake.files, sandbox._saved):
        kept.clear()


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def open_sandbox(db: Path) -> Sandbox:
    out: list[str] = []

    def keep(text: str) -> None:
        out.append(text)
        del out[:-5]

    sandbox = Sandbox(emit=keep, files_dir=Path(tempfile.mkdtemp(prefix="studybot-semester-files-")))
    sandbox.last_output = out  # type: ignore[attr-defined]
    await sandbox.start(load_catalog(ROOT / "roadmap.yaml", None), db, ROOT / "roadmap.yaml")
    return sandbox


def at(day: int, hour: int) -> datetime:
    return datetime.combine(START + timedelta(days=day), datetime.min.time(), UTC) + timedelta(hours=hour)


async def simulate(args: argparse.Namespace, db: Path) -> tuple[list[Member], set[date], datetime, datetime]:
    rng = random.Random(args.seed)
    members = [Member(f"m{n}", ZONES[n % len(ZONES)]) for n in range(args.members)]
    days = args.weeks * 7
    breaks = [(START + timedelta(days=37), START + timedelta(days=39))]  # a Wednesday to Friday
    if args.weeks >= 12:
        breaks.append((START + timedelta(days=77), START + timedelta(days=83)))  # a whole week
    paused = {b[0] + timedelta(days=n) for b in breaks for n in range((b[1] - b[0]).days + 1)}
    archive_day = days - 3
    session_days = -(-days // args.sessions)
    run = Run(await open_sandbox(db))
    await run.do(f"clock {at(-1, 10).isoformat()}")
    await run.do(
        f"/cohort create name:sem channel:#study-hall start_date:{START.isoformat()} timezone:Europe/Berlin "
        f"nudge_time:{NUDGE_TIME}"
    )
    for first, last in breaks:
        await run.do(f"/cohort pause cohort:sem from:{first.isoformat()} to:{last.isoformat()}")
    for member in members:
        await run.do(f"as {member.name}")
        await run.do("/join cohort:sem")
        await run.do(f"/settings timezone:{member.zone}")
        member.active.append([run.sandbox.clock.now(), None])
    leaver = members[1]
    archived_at = at(days, 6)
    print("week  seconds  RSS MB  DMs that week")
    week_began, earlier_dms = time.perf_counter(), 0
    for day in range(days):
        if day and day % session_days == 0:  # a restart on the same database
            earlier_dms += len(run.sandbox.fake.dms)
            await run.sandbox.aclose()
            run.sandbox = await open_sandbox(db)
        await run.until(at(day, 6))
        if day == archive_day:
            await run.do("as mod")
            await run.do("/cohort archive cohort:sem")
            await run.do("click Archive")
            archived_at = run.sandbox.clock.now()
        if day < archive_day:
            await act(run, rng, members, day, leaver)
        if day % 7 == 6:
            await run.until(at(day + 1, 6))  # the week's last nudges, in the week's time
            dms, earlier_dms = earlier_dms + len(run.sandbox.fake.dms), 0
            forget_transcript(run.sandbox)
            gc.collect()
            print(f"{day // 7 + 1:4d}  {time.perf_counter() - week_began:7.1f}  {rss_mb():6.1f}  {dms}")
            week_began = time.perf_counter()
    end = at(days, 6)
    await run.until(end)
    await run.sandbox.aclose()
    for failure in run.failures[:10]:
        print("command failed:", failure)
    if run.failures:
        raise SystemExit(f"{len(run.failures)} command(s) failed")
    return members, paused, archived_at, end


async def act(run: Run, rng: random.Random, members: list[Member], day: int, leaver: Member) -> None:
    """A day's actions, at 06:00 UTC: the leaver leaves on day 20 and comes back on day 30."""
    if day == 20:
        await run.do(f"as {leaver.name}")
        await run.do("/leave cohort:sem")
        await run.do("click Leave")
        leaver.active[-1][1] = run.sandbox.clock.now()
    if day == 30:
        await run.do(f"as {leaver.name}")
        await run.do("/join cohort:sem")
        leaver.active.append([run.sandbox.clock.now(), None])
    for member in members:
        if member.active[-1][1] is not None:
            continue
        roll = rng.random()
        if roll < 0.22:
            await run.do(f"as {member.name}")
            await run.do("/done")
        elif roll < 0.24:
            await run.do(f"as {member.name}")
            await run.do("/skip")
        elif roll < 0.26 and member.done:
            await run.do(f"as {member.name}")
            await run.do(f"/goto topic:{rng.choice(member.done)}")
            await run.do("/done")
        elif roll < 0.34:
            await run.do(f"as {member.name}")
            await run.do("/checkin")


def check(db: Path, members: list[Member], paused: set[date], archived_at: datetime, end: datetime) -> list[str]:
    """What the database must say after the semester; the problems found."""
    problems: list[str] = []
    with sqlite3.connect(db) as conn:
        ids = {name: (mid, uid) for mid, uid, name in conn.execute("SELECT id, user_id, display_name FROM memberships")}
        for member in members:
            membership_id, _ = ids[member.name]
            sent = {
                period
                for (period,) in conn.execute(
                    "SELECT period FROM deliveries WHERE kind = 'nudge' AND target_id = ? AND status = 'sent'",
                    (membership_id,),
                )
            }
            other = conn.execute(
                "SELECT count(*) FROM deliveries WHERE kind = 'nudge' AND target_id = ? AND status != 'sent'",
                (membership_id,),
            ).fetchone()[0]
            expected = expected_nudges(member, paused, archived_at, end)
            finished = conn.execute("SELECT finished_at FROM memberships WHERE id = ?", (membership_id,)).fetchone()[0]
            if finished is None and sent != expected:
                problems.append(
                    f"{member.name}: nudges missing {sorted(expected - sent)[:3]}, extra {sorted(sent - expected)[:3]}"
                )
            if other:
                problems.append(f"{member.name}: {other} nudge(s) not sent (skipped or failed)")
        for membership_id, done_count, first in conn.execute(
            "SELECT m.id, m.done_count, (SELECT count(DISTINCT e.topic_id) FROM progress_events e"
            " WHERE e.membership_id = m.id AND e.kind = 'done') FROM memberships m"
        ):
            if done_count != first:
                problems.append(f"membership {membership_id}: all-time count {done_count}, first dones {first}")
        for membership_id, week_start, done in conn.execute(
            "SELECT membership_id, week_start, done FROM weekly_tallies"
        ):
            counted = conn.execute(
                "SELECT count(*) FROM progress_events WHERE membership_id = ? AND first_done AND at >= ?"
                " AND at < datetime(?, '+7 days')",
                (membership_id, week_start, week_start),
            ).fetchone()[0]
            if counted != done:
                problems.append(f"membership {membership_id}, week {week_start}: tally {done}, first dones {counted}")
    return problems


def expected_nudges(member: Member, paused: set[date], archived_at: datetime, end: datetime) -> set[str]:
    """The member's study days (in their own timezone) whose nudge time fell while they were in the cohort."""
    expected = set()
    day = START
    while local_instant(day, NUDGE_TIME, member.zone) < end:
        instant = local_instant(day, NUDGE_TIME, member.zone)
        inside = any(j < instant and (left is None or instant < left) for j, left in member.active)
        if inside and day not in paused and instant < archived_at and local_date(instant, member.zone) >= START:
            expected.add(day.isoformat())
        day += timedelta(days=1)
    return expected


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=120)
    parser.add_argument("--weeks", type=int, default=16)
    parser.add_argument("--sessions", type=int, default=4, help="bot processes over the semester (restarts + 1)")
    parser.add_argument("--seed", type=int, default=2027)
    args = parser.parse_args()
    quiet_logs()
    print(machine())
    print(f"{args.members} members, {args.weeks} weeks, {args.sessions} sessions on one database")
    db = Path(tempfile.mkdtemp(prefix="studybot-semester-")) / "semester.db"
    began = time.perf_counter()
    members, paused, archived_at, end = asyncio.run(simulate(args, db))
    problems = check(db, members, paused, archived_at, end)
    print(f"total {time.perf_counter() - began:.0f} s; problems: {len(problems)}")
    for problem in problems[:20]:
        print(" ", problem)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
