"""The pages' request budget and whom it counts: a client behind a trusted proxy by the address the proxy
adds, anyone else by their own address; a window's budget is never exceeded and memory stays bounded."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.config import Settings, ip_networks
from bot.web import guard
from bot.web.guard import RateLimit, client_address

LOCAL = ip_networks("127.0.0.1,::1")
DOCKER = ip_networks("127.0.0.1,::1,172.16.0.0/12")


def test_only_a_trusted_proxy_may_name_the_client():
    assert client_address("127.0.0.1", "203.0.113.7", LOCAL) == "203.0.113.7"
    assert client_address("::1", "2001:db8::5", LOCAL) == "2001:db8::5"
    # The client wrote the first entries; the proxy appended the last one, the address it saw.
    assert client_address("127.0.0.1", "1.2.3.4, 203.0.113.7", LOCAL) == "203.0.113.7"
    assert client_address("198.51.100.1", "203.0.113.7", LOCAL) == "198.51.100.1"  # not a proxy: its own address
    assert client_address("172.17.0.1", "203.0.113.7", LOCAL) == "172.17.0.1"
    assert client_address("172.17.0.1", "203.0.113.7", DOCKER) == "203.0.113.7"  # Docker's bridge, once trusted
    assert client_address("127.0.0.1", "not an address", LOCAL) == "127.0.0.1"
    assert client_address("127.0.0.1", None, LOCAL) == "127.0.0.1"
    assert client_address(None, "203.0.113.7", LOCAL) == "unknown"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@given(
    per_minute=st.integers(1, 20),
    gaps=st.lists(st.floats(0, 30, allow_nan=False), min_size=1, max_size=120),
)
def test_no_window_lets_more_than_its_budget_through(per_minute, gaps):
    clock = Clock()
    limit = RateLimit(per_minute, clock)
    allowed: list[float] = []
    for gap in gaps:
        clock.now += gap
        wait = limit.check("203.0.113.7")
        if wait == 0:
            allowed.append(clock.now)
        else:
            assert 0 < wait <= 60
    # A window opens at its first request and lasts 60 s: never more than the budget inside one.
    start, count = None, 0
    for moment in allowed:
        if start is None or moment - start >= 60:
            start, count = moment, 0
        count += 1
        assert count <= per_minute


def test_a_new_minute_gives_the_budget_back_and_addresses_are_forgotten(monkeypatch):
    clock = Clock()
    limit = RateLimit(2, clock)
    assert [limit.check("a") for _ in range(3)][:2] == [0, 0] and limit.check("a") > 0
    clock.now += 60
    assert limit.check("a") == 0
    monkeypatch.setattr(guard, "TRACKED_MAX", 100)
    for n in range(1000):  # a flood of fresh addresses never grows the table past its bound
        limit.check(f"10.0.{n // 256}.{n % 256}")
    assert len(limit._windows) <= 100


def test_links_name_an_address_people_can_open():
    def base(**settings) -> str:
        given = {"web_port": 8080, "page_secret": "x" * 32, "public_url": ""} | settings
        return Settings(_env_file=None, **given).page_base_url(8080)

    assert base(web_host="127.0.0.1") == "http://127.0.0.1:8080"
    assert base(web_host="0.0.0.0") == base(web_host="::") == "http://localhost:8080"  # every interface
    assert base(web_host="::1") == "http://[::1]:8080"
    assert base(web_host="0.0.0.0", public_url="https://study.example.org/") == "https://study.example.org"
