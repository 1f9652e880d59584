"""The loopback Discord refuses what Discord refuses, so a test that passes here passes on a real server."""

from __future__ import annotations

import aiohttp
import pytest

from bot.sandbox.fake import ClientRefused, FakeDiscord, World

CALLBACK = "/interactions/1/token-1/callback"


def refused(method: str, path: str, body: object) -> list[str]:
    return [".".join(map(str, e.path)) + ": " + e.message for e in FakeDiscord.check(method, path, body)]


def message(**data: object) -> dict:
    return {"type": 4, "data": {"content": "ok"} | data}


def embed(**fields: object) -> dict:
    return {"title": "t", "description": "d"} | fields


def button(**fields: object) -> dict:
    return {"type": 2, "style": 1, "label": "b", "custom_id": "c"} | fields


def rows(n: int, per_row: int = 1) -> list[dict]:
    return [{"type": 1, "components": [button(custom_id=f"c{i}-{j}") for j in range(per_row)]} for i in range(n)]


ACCEPTED = [
    message(content="x" * 2000),
    message(embeds=[embed(title="t" * 256, description="d" * 4096, fields=[{"name": "n", "value": "v" * 1024}])]),
    message(components=rows(5, 5)),
    {"type": 8, "data": {"choices": [{"name": "n" * 100, "value": "v" * 100}] * 25}},
    message(allowed_mentions={"parse": [], "users": ["123"]}),
]

REFUSED = [
    (message(content="x" * 2001), "data.content: Must be 2000 or fewer"),
    (message(embeds=[embed(title="t" * 257)]), "data.embeds.0.title: Must be 256"),
    (message(embeds=[embed(description="d" * 4097)]), "data.embeds.0.description: Must be 4096"),
    (message(embeds=[embed(fields=[{"name": "n" * 257, "value": "v"}])]), "data.embeds.0.fields.0.name"),
    (message(embeds=[embed(fields=[{"name": "n", "value": "v" * 1025}])]), "data.embeds.0.fields.0.value"),
    (message(embeds=[embed(footer={"text": "f" * 2049})]), "data.embeds.0.footer.text"),
    (message(embeds=[embed(fields=[{"name": "n", "value": "v"}] * 26)]), "data.embeds.0.fields: Must be 25"),
    (message(embeds=[embed(description="d" * 4000), embed(description="d" * 2000)]), "Embed size exceeds"),
    (message(embeds=[embed()] * 11), "data.embeds: Must be 10"),
    (message(components=rows(6)), "data.components: Must be 5"),
    (message(components=rows(1, 6)), "data.components.0.components: Must be 5"),
    (message(components=[{"type": 1, "components": [button(label="l" * 81)]}]), "label: Must be 80"),
    (message(components=[{"type": 1, "components": [button(custom_id="c" * 101)]}]), "custom_id: Must be 100"),
    ({"type": 8, "data": {"choices": [{"name": "n", "value": "v"}] * 26}}, "data.choices: Must be 25"),
    ({"type": 8, "data": {"choices": [{"name": "n", "value": "v" * 101}]}}, "data.choices.0.value: Must be 100"),
    ({"type": 8, "data": {"choices": [{"name": "n" * 101, "value": "v"}]}}, "data.choices.0.name"),
    (message(allowed_mentions={"parse": ["users"], "users": ["123"]}), "mutually exclusive"),
    ({"type": 4, "data": {"content": ""}}, "Cannot send an empty message"),
]


@pytest.mark.parametrize("body", ACCEPTED)
def test_what_discord_accepts_passes(body):
    assert refused("POST", CALLBACK, body) == []


@pytest.mark.parametrize(("body", "reason"), REFUSED)
def test_what_discord_refuses_is_refused(body, reason):
    errors = refused("POST", CALLBACK, body)
    assert any(reason in e for e in errors), errors


# 25 choices of 100 + 100 characters: 5,000 characters, past a command's 4,000.
LONG_CHOICES = [{"name": f"{i:03d}" + "n" * 97, "value": f"{i:03d}" + "v" * 97} for i in range(25)]
# With LONG_CHOICES (5,000 characters), past the 8,000 a command may hold.
MANY_OPTIONS = [{"type": 3, "name": f"o{i:02d}" + "x" * 29, "description": "d" * 100} for i in range(24)]


def command(**fields: object) -> dict:
    return {"name": "done", "description": "Mark it done", "type": 1} | fields


@pytest.mark.parametrize(
    ("commands", "reason"),
    [
        ([command(name="Done")], "Command name is invalid"),
        ([command(description="d" * 101)], "0.description"),
        ([command(options=[{"type": 3, "name": "o", "description": "d" * 101}])], "0.options.0.description"),
        (
            [
                command(
                    options=[
                        {"type": 3, "name": "a", "description": "a"},
                        {"type": 3, "name": "b", "description": "b", "required": True},
                    ]
                )
            ],
            "Required options must be placed before",
        ),
        ([command(options=[{"type": 3, "name": "o", "description": "d", "max_length": 6001}])], "max_length"),
        ([command(options=[{"type": 3, "name": f"o{i}", "description": "d"} for i in range(26)])], "Must be 25"),
        (
            [command(options=[{"type": 3, "name": "o", "description": "d", "choices": LONG_CHOICES}, *MANY_OPTIONS])],
            "Command exceeds maximum size",
        ),
    ],
)
def test_command_declarations_past_discords_limits_are_refused(commands, reason):
    errors = refused("PUT", "/applications/1/commands", commands)
    assert any(reason in e for e in errors), errors


def test_a_command_counts_each_field_at_its_longest_localization_not_every_one():
    """Discord counts a localized field once, at its longest text: 25 choices of 100 characters in three
    languages are 5,000 characters, not 10,000 (discord-api-docs #5343)."""
    localized = [choice | {"name_localizations": {"de": "ä" * 100, "fr": "é" * 100}} for choice in LONG_CHOICES]
    accepted = command(options=[{"type": 3, "name": "o", "description": "d", "choices": localized}])
    assert not refused("PUT", "/applications/1/commands", [accepted])
    longer = [choice | {"name_localizations": {"de": "ä" * 100}} for choice in LONG_CHOICES]
    too_big = command(options=[{"type": 3, "name": "o", "description": "d", "choices": longer}, *MANY_OPTIONS])
    assert any("maximum size" in e for e in refused("PUT", "/applications/1/commands", [too_big]))


def test_message_content_for_bots_is_2000_not_the_4000_people_get():
    assert refused("POST", "/channels/1/messages", {"content": "x" * 2000}) == []
    assert any("2000" in e for e in refused("POST", "/channels/1/messages", {"content": "x" * 2001}))


async def test_a_refused_body_gets_discords_400_over_http():
    fake = FakeDiscord(World())
    base = await fake.start()
    try:
        async with aiohttp.ClientSession() as http:
            response = await http.post(f"{base}/channels/1/messages", json={"content": "x" * 2001})
            assert response.status == 400
            body = await response.json()
        assert body["code"] == 50035 and body["message"] == "Invalid Form Body"
        assert body["errors"]["content"]["_errors"][0]["code"] == "BASE_TYPE_MAX_LENGTH"
        assert len(fake.rejected) == 1
        with pytest.raises(AssertionError, match="Discord would refuse"):
            fake.assert_accepted_all()
    finally:
        await fake.stop()


async def test_the_client_refuses_what_an_option_declares_against(h):
    await h.create_cohort()
    sent = len(h.fake.interactions)
    with pytest.raises(ClientRefused, match="the command allows 500"):
        await h.run(h.alice, "done", note="x" * 501)
    with pytest.raises(ClientRefused, match=r"outside 1\.\.1440"):
        await h.run(h.alice, "checkin", minutes=0)
    with pytest.raises(ClientRefused, match="not one of its choices"):
        await h.run(h.alice, "leaderboard", period="forever")
    assert len(h.fake.interactions) == sent  # nothing reached the bot
