"""Prometheus metrics: commands and their latency, nudges sent/failed, scheduler lag, Discord's 429s.

Served on METRICS_HOST:METRICS_PORT when METRICS_PORT is set. Each bot has its own registry, so two
bots in one process (tests) never clash."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, start_http_server


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.commands = Counter(
            "studybot_commands_total", "Slash commands handled", ["command", "outcome"], registry=self.registry
        )
        self.command_seconds = Histogram(
            "studybot_command_seconds",
            "From Discord creating the interaction to our answer",
            ["command"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
            registry=self.registry,
        )
        self.nudges = Counter("studybot_nudges_total", "Daily nudges by outcome", ["outcome"], registry=self.registry)
        self.leaderboards = Counter(
            "studybot_leaderboards_total", "Weekly leaderboards by outcome", ["outcome"], registry=self.registry
        )
        self.buddy_dms = Counter(
            "studybot_buddy_dms_total", "Weekly study-buddy DMs by outcome", ["outcome"], registry=self.registry
        )
        self.scheduler_lag = Gauge(
            "studybot_scheduler_lag_seconds",
            "How late the most overdue delivery of the last tick was sent",
            registry=self.registry,
        )
        self.scheduler_ticks = Counter("studybot_scheduler_ticks_total", "Scheduler ticks", registry=self.registry)
        self.global_429s = Counter(
            "studybot_discord_global_429_total",
            "Global rate-limit answers from Discord (a real bot's IP is banned at 10,000 invalid requests in 10 min)",
            registry=self.registry,
        )

        self.invalid_requests = Counter(
            "studybot_discord_invalid_requests_total",
            "Requests Discord refused as invalid (401, 403, unshared 429): 10,000 in 10 minutes ban the IP",
            ["status"],
            registry=self.registry,
        )

        self.page_requests = Counter(
            "studybot_page_requests_total",
            "Web page requests by outcome: cohort and member pages shown, not_found (any link that opens nothing), "
            "limited (over the per-address budget)",
            ["outcome"],
            registry=self.registry,
        )

    def serve(self, port: int, host: str) -> None:
        """Expose /metrics over HTTP (a daemon thread)."""
        start_http_server(port, addr=host, registry=self.registry)
