"""Structured logs and Prometheus metrics from the real process."""

from __future__ import annotations

import asyncio
import json
import socket

import aiohttp

from tests.e2e.live import STUDYBOT, live_bot


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_json_logs_carry_guild_cohort_command_and_metrics_are_served(tmp_path, db_url):
    port = free_port()
    live = await live_bot(tmp_path, db_url, LOG_FORMAT="json", METRICS_PORT=str(port))
    await live.start()
    try:
        alice = live.members[0]
        await live.run(
            live.mod,
            "cohort create",
            name="spring",
            channel=live.hall,
            start_date="2026-11-02",
            timezone="Europe/Berlin",
        )
        await live.run(alice, "join", cohort="spring")
        await live.run(alice, "join", cohort="nope")
        # A command is counted just after its answer is sent: poll briefly rather than race it.
        async with aiohttp.ClientSession() as http:
            for _ in range(40):
                async with http.get(f"http://127.0.0.1:{port}/metrics") as response:
                    metrics = await response.text()
                if 'outcome="refused"} 1.0' in metrics:
                    break
                await asyncio.sleep(0.05)
    finally:
        await live.stop()
        await live.fake.stop()
        live.fake.assert_accepted_all()
    lines = [line for line in live.log().splitlines() if line.startswith("{")]
    entries = [json.loads(line) for line in lines]
    assert entries and all({"ts", "level", "logger", "msg", "guild", "cohort", "command"} <= e.keys() for e in entries)
    joined = next(e for e in entries if e["command"] == "/join" and "ok" in e["msg"])
    assert joined["guild"] == str(live.guild.id) and joined["cohort"] == "spring"
    assert 'studybot_commands_total{command="/join",outcome="ok"} 1.0' in metrics
    assert 'studybot_commands_total{command="/join",outcome="refused"} 1.0' in metrics
    assert 'studybot_command_seconds_count{command="/cohort create"} 1.0' in metrics
    assert "studybot_scheduler_ticks_total" in metrics and "studybot_scheduler_lag_seconds" in metrics


async def health(live) -> tuple[int, str]:
    """`studybot health` as the container runtime runs it, without blocking the fake's loop."""
    proc = await asyncio.create_subprocess_exec(
        str(STUDYBOT),
        "health",
        env=live.env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await proc.communicate()
    return proc.returncode, (out + err).decode().strip()


async def health_becomes(live, healthy: bool, within: float = 5.0) -> float:
    """Seconds until `studybot health` says `healthy`; fails after `within`."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    while loop.time() - started < within:
        code, why = await health(live)
        if (code == 0) == healthy:
            return loop.time() - started
        await asyncio.sleep(0.2)
    raise AssertionError(f"health still says {why!r} after {within} s")


async def test_health_follows_the_gateway_within_seconds_not_at_the_next_tick(tmp_path, db_url):
    # A minute between ticks, as in production: only the gateway events can make health right in time.
    live = await live_bot(tmp_path, db_url, SCHEDULER_TICK_SECONDS="60")
    await live.start()
    try:
        await health_becomes(live, healthy=True)
        await live.fake.gateway.outage()  # Discord unreachable: the bot retries with back-off
        await health_becomes(live, healthy=False)
        assert "not connected" in (await health(live))[1]
        gateway = live.fake.gateway
        gateway.identified.clear()
        gateway.resumed.clear()
        gateway.refusing = False  # back: the bot reconnects on its next attempt (back-off: seconds)
        back = [asyncio.create_task(gateway.identified.wait()), asyncio.create_task(gateway.resumed.wait())]
        done, pending = await asyncio.wait(back, timeout=60, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        assert done, "the bot never came back"
        await health_becomes(live, healthy=True)
    finally:
        await live.stop()
        await live.fake.stop()
    assert "not connected" in (await health(live))[1]  # a stopped bot is never "healthy"
