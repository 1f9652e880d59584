"""SIGTERM ends the real `studybot run` within 5 s in every state it can be in: connected, reconnecting
to a Discord that does not answer, in the middle of a fan-out, and while migrations run at start.
Docker sends SIGKILL 10 s after SIGTERM; nothing a stop leaves behind is ever sent twice."""

from __future__ import annotations

import asyncio
import collections
import signal

from tests.e2e.live import RUNNING, STUDYBOT, live_bot
from tests.e2e.test_scheduler_e2e import delivery_statuses, fan_out_under_way, wait_for
from tests.harness import ROOT

LIMIT = 5.0


async def sigterm_takes(live) -> tuple[float, int]:
    """Seconds from SIGTERM to the process's end, and its exit status."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    code = await live.stop()
    return loop.time() - started, code


async def test_sigterm_when_connected(tmp_path, db_url):
    live = await live_bot(tmp_path, db_url)
    await live.start()
    try:
        await live.run(live.mod, "cohort list")
        took, code = await sigterm_takes(live)
    finally:
        await live.fake.stop()
    assert code == 0 and took < LIMIT, took
    assert "stopped cleanly" in live.log()


async def test_sigterm_while_reconnecting_to_a_discord_that_does_not_answer(tmp_path, db_url):
    live = await live_bot(tmp_path, db_url)
    await live.start()
    try:
        gateway = live.fake.gateway
        await gateway.outage()
        # Three refused attempts: discord.py is asleep in a back-off of up to 16 s, past the old
        # shutdown's patience, however its random delays fell.
        await wait_for(lambda: gateway.refusals >= 3, 60, "three refused reconnections", live)
        took, code = await sigterm_takes(live)
    finally:
        await live.fake.stop()
    assert code == 0 and took < LIMIT, (took, live.log()[-2000:])


async def test_sigterm_in_the_middle_of_a_fan_out_leaves_the_rest_for_the_next_start(tmp_path, db_url):
    live = await fan_out_under_way(tmp_path, db_url)
    try:
        took, code = await sigterm_takes(live)
        assert code == 0 and took < LIMIT, took
        stopped_at = len(live.fake.dms)
        assert stopped_at < 200, "the stop waited for the whole fan-out"
        statuses = await delivery_statuses(db_url)
        # What was claimed was sent (in-flight sends finished); the rest was never claimed.
        assert statuses.get("claimed", 0) == 0 and statuses["sent"] == stopped_at
        await live.start()
        await wait_for(lambda: len(live.fake.dms) >= 200, 40, "the rest after the restart", live)
        await live.ticks(2)  # more ticks: anything doubled would land now
        per_user = collections.Counter(m.payload["channel_id"] for m in live.fake.dms)
        assert len(per_user) == 200 and max(per_user.values()) == 1, "a member got the same nudge twice"
    finally:
        await live.stop()
        await live.fake.stop()
        live.fake.assert_accepted_all()


async def test_sigterm_while_migrations_run_at_start_leaves_a_database_the_next_start_uses(tmp_path, db_url, backend):
    # A database never migrated: `studybot run` starts by building the whole schema.
    live = await live_bot(tmp_path, await backend.empty(tmp_path))
    log = live.log_path
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("a") as out:
        proc = await asyncio.create_subprocess_exec(
            str(STUDYBOT), "run", env=live.env, cwd=ROOT, stdout=out, stderr=out
        )
    RUNNING.add(proc)
    try:
        await wait_for(lambda: "Running upgrade" in log.read_text(), 20, "migrations to begin", live)
        loop = asyncio.get_running_loop()
        started = loop.time()
        proc.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(proc.wait(), 15)
        took = loop.time() - started
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
        RUNNING.discard(proc)
    assert code == 0 and took < LIMIT, (took, log.read_text()[-2000:])
    assert "Traceback" not in log.read_text()
    # Whatever the signal interrupted, the next start finds a schema it can use and connects.
    await live.start()
    try:
        created = await live.run(
            live.mod, "cohort create", name="spring", channel=live.hall, start_date="2026-11-02", timezone="UTC"
        )
        assert "Created cohort spring" in created.message.text()
    finally:
        await live.stop()
        await live.fake.stop()
