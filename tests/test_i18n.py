"""Languages: every text has its German entry, and members read the language of their Discord client."""

from __future__ import annotations

import ast
import string
from datetime import UTC, datetime

import discord
import pytest

from bot import i18n
from tests.harness import ROOT

GERMAN = i18n.catalog("de")


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _literals(node: ast.expr) -> list[str] | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        body, orelse = _literals(node.body), _literals(node.orelse)
        return None if body is None or orelse is None else body + orelse
    return None


def texts_in_code() -> tuple[dict[str, str], list[str]]:
    """Every English text given to t() or Text() in bot/, every counted text given to plural() (as its English
    plural, its catalog key, mapped to its English singular), and the calls whose text is not a literal."""
    found: dict[str, str] = {}
    dynamic: list[str] = []
    for path in sorted((ROOT / "bot").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            if node.func.id in ("t", "Text", "_Hint"):
                literal = _literals(node.args[0])
                if literal is None and path.name != "i18n.py":  # Text words its own key there
                    dynamic.append(where)
                for text in literal or []:
                    found.setdefault(text, where)
            elif node.func.id == "plural" and path.name != "i18n.py":
                one, other = _literals(node.args[1]), _literals(node.args[2])
                if one is None or other is None or len(one) != 1 or len(other) != 1:
                    dynamic.append(where)
                else:
                    COUNTED[other[0]] = one[0]
                    found.setdefault(other[0], where)
    for other in COUNTED:
        found.setdefault(other, "bot/i18n.py")
    for name in i18n.PERMISSION_NAMES:
        found.setdefault(name, "bot/i18n.py")
    return found, dynamic


# English plural -> singular (days(), weeks(), wait_time() and span_of() in bot/i18n.py)
COUNTED: dict[str, str] = {
    "{n} days": "{n} day",
    "{n} weeks": "{n} week",
    "{n} seconds": "{n} second",
    "{n} minutes": "{n} minute",
}


async def tree_texts(bot) -> set[str]:
    """Every description and choice name the command tree sends to Discord."""
    seen: set[str] = set()

    class Recorder(discord.app_commands.Translator):
        async def translate(self, text, locale, context):
            if locale is discord.Locale.german and context.location.name not in (
                "command_name",
                "group_name",
                "parameter_name",
            ):
                seen.add(text.message)

    for command in bot.tree.get_commands():
        await command.get_translated_payload(bot.tree, Recorder())
    return seen


def test_every_text_in_the_code_has_a_german_entry_with_the_same_placeholders():
    found, dynamic = texts_in_code()
    assert dynamic == [], "t() needs a literal text, or the catalog check cannot see it"
    assert len(found) > 150  # the scan really found the code's texts
    missing = {text: where for text, where in found.items() if text not in GERMAN}
    assert missing == {}
    words = {text for text in found if text not in COUNTED}
    mismatched = [text for text in words if placeholders(text) != placeholders(GERMAN[text])]
    assert mismatched == []
    assert [text for text in words if not isinstance(GERMAN[text], str)] == []


def test_counted_texts_have_a_german_form_for_every_plural_category():
    texts_in_code()
    categories = set(GERMAN[i18n.PLURAL_RULES]) | {"other"}
    for other, one in COUNTED.items():
        forms = GERMAN[other]
        assert isinstance(forms, dict) and set(forms) == categories, other
        assert all(placeholders(form) == placeholders(one) == placeholders(other) for form in forms.values()), other
    assert len(COUNTED) >= 10


def test_the_plural_rules_are_cldrs_as_babel_has_them():
    from babel import Locale

    assert GERMAN[i18n.PLURAL_RULES] == Locale.parse("de").plural_form.rules


@pytest.mark.parametrize(
    ("count", "english", "german"),
    [(1, "1 topic", "1 Thema"), (0, "0 topics", "0 Themen"), (2, "2 topics", "2 Themen")],
)
def test_a_counted_text_follows_each_languages_rule(count, english, german):
    assert i18n.plural(count, "{n} topic", "{n} topics") == english
    with i18n.using("de"):
        assert i18n.plural(count, "{n} topic", "{n} topics") == german


def test_days_take_the_plural_of_their_shown_number():
    assert (i18n.days(1), i18n.days(1.5), i18n.days(1.04), i18n.days(3)) == ("1 day", "1.5 days", "1 day", "3 days")
    with i18n.using("de"):
        assert (i18n.days(1), i18n.days(2.5), i18n.days(1.75)) == ("1 Tag", "2,5 Tage", "1,8 Tage")


def test_numbers_are_written_as_each_language_writes_them():
    assert (i18n.number(1.75), i18n.number(10.0), i18n.number(1234.5)) == ("1.8", "10", "1234.5")
    assert (i18n.weeks(1), i18n.weeks(3.5)) == ("1 week", "3.5 weeks")
    with i18n.using("de"):
        assert (i18n.number(1.75), i18n.number(10.0), i18n.number(1234.5)) == ("1,8", "10", "1234,5")
        assert (i18n.weeks(1), i18n.weeks(3.5)) == ("1 Woche", "3,5 Wochen")


async def test_every_command_text_is_translated_and_no_entry_is_stale(h):
    commands = await tree_texts(h.bot)
    assert "Mark your current topic done and move to the next" in commands
    assert sorted(commands - set(GERMAN)) == []
    code, _ = texts_in_code()
    unused = set(GERMAN) - commands - set(code) - {i18n.PLURAL_RULES}
    assert sorted(unused) == [], "entries nothing uses any more"


async def test_discord_receives_german_descriptions_but_english_names(h):
    commands = {c["name"]: c for c in h.fake.commands[None]}
    done = commands["done"]
    assert (
        done["description_localizations"]["de"] == "Dein aktuelles Thema als erledigt markieren und zum nächsten gehen"
    )
    assert done["name_localizations"] == {}
    note = {o["name"]: o for o in done["options"]}["note"]
    assert note["description_localizations"]["de"].startswith("Was du gemacht oder gelernt hast")
    create = {o["name"]: o for o in commands["cohort"]["options"]}["create"]
    day = {o["name"]: o for o in create["options"]}["leaderboard_day"]
    assert day["choices"][0]["name_localizations"]["de"] == "Montag"
    assert "fr" not in done["description_localizations"]  # only languages we have


@pytest.mark.parametrize(
    ("locale", "language"),
    [("de", "de"), (discord.Locale.german, "de"), ("en-US", "en"), ("en-GB", "en"), ("fr", "en"), (None, "en")],
)
def test_language_for_a_discord_locale(locale, language):
    assert i18n.language_for(locale) == language


def test_german_falls_back_to_english_for_an_unknown_text():
    with i18n.using("de"):
        assert i18n.t("Monday") == "Montag"
        assert i18n.t("Not in the catalog {x}", x=1) == "Not in the catalog 1"
    assert i18n.t("Monday") == "Monday"


async def test_a_german_member_reads_german_while_an_english_one_reads_english(h):
    h.alice.locale = "de"
    await h.create_cohort()
    joined = await h.run(h.alice, "join", cohort="spring")
    assert "Du bist **spring** beigetreten" in joined.message.content
    assert "Dein Thema: **DNS**" in joined.message.content
    english = await h.run(h.bob, "join", cohort="spring")
    assert "You joined **spring**" in english.message.content

    progress = await h.run(h.alice, "progress")
    text = progress.message.text()
    assert "Etappe 1/8: **How the Web Works**" in text and "0/31 Themen (0 %)" in text
    assert "Tempo" in text and "Serie: noch keine Serie" in text

    done = await h.run(h.alice, "done")
    assert "**DNS** erledigt!" in done.message.content and "Nächstes Thema: **HTTP and HTTPS**" in done.message.content

    # Refusals too, through discord.py's error handler.
    wrong = await h.run(h.alice, "goto", topic="kochen")
    assert wrong.message.ephemeral and "gibt es kein Thema namens **kochen**" in wrong.message.content
    bad_time = await h.run(h.alice, "settings", nudge_time="25:00")
    assert "`25:00` ist keine gültige Angabe für Erinnerungszeit" in bad_time.message.content
    english_wrong = await h.run(h.bob, "goto", topic="kochen")
    assert "no topic called **kochen**" in english_wrong.message.content


async def test_buttons_and_confirmations_are_in_the_members_language(h):
    h.alice.locale = "de"
    await h.create_cohort()
    await h.run(h.alice, "join", cohort="spring")
    ask = await h.run(h.alice, "leave")
    assert [b["label"] for b in ask.message.buttons] == ["Verlassen", "Bleiben"]
    left = await h.fake.click(h.alice, h.guild, ask.message, "Verlassen")
    assert "Du hast **spring** verlassen" in left.message.content


async def test_nudges_go_out_in_each_members_language(h):
    h.alice.locale = "de"
    await h.create_cohort()
    await h.run(h.alice, "join", cohort="spring")
    await h.run(h.bob, "join", cohort="spring")
    h.clock.set(datetime(2026, 11, 25, 8, 1, tzinfo=UTC))
    await h.bot.scheduler.tick()
    [german] = h.fake.dms_to(h.alice)
    assert "Heute in spring: DNS" in german.text() and "Nächster Schritt" in german.text()
    assert [b["label"] for b in german.buttons] == ["Erledigt", "Heute gelernt", "Keine Erinnerungen mehr"]
    [english] = h.fake.dms_to(h.bob)
    assert "Today in spring: DNS" in english.text()
    assert [b["label"] for b in english.buttons] == ["Done", "Studied today", "Stop nudges"]

    # The language follows the member's client: switching it shows at the next command.
    h.alice.locale = "en-US"
    await h.run(h.alice, "progress")
    h.clock.set(datetime(2026, 11, 26, 8, 1, tzinfo=UTC))
    await h.bot.scheduler.tick()
    assert "Today in spring: DNS" in h.fake.dms_to(h.alice)[-1].text()


async def test_the_weekly_leaderboard_speaks_the_servers_language(h):
    h.guild.preferred_locale = "de"
    await h.create_cohort()  # the server's language is taken at create (and at every edit)
    await h.run(h.alice, "join", cohort="spring")
    await h.run(h.alice, "done")
    h.clock.set(datetime(2026, 11, 30, 17, 0, 5, tzinfo=UTC))
    await h.bot.scheduler.tick()
    [post] = h.fake.channel_posts
    assert "Wöchentliche Bestenliste · spring" in post.text() and "1 Thema" in post.text()


def test_every_stored_word_shown_to_people_has_a_german_name():
    """Paces, weekdays, leaderboard periods and on/off are stored in English; what people read is theirs."""
    from bot.services.progress.leaderboard import PERIODS
    from bot.services.validation import PACES, WEEKDAYS

    words = [*PACES, *(d.capitalize() for d in WEEKDAYS), *PERIODS, "on", "off"]
    untranslated = [w for w in words if (i18n.translate(w, "de") or w) == w]
    assert untranslated == []


async def test_a_german_member_reads_the_pace_in_german(h):
    h.alice.locale = "de"
    await h.create_cohort()
    await h.run(h.alice, "join", cohort="spring")
    text = (await h.run(h.alice, "progress")).message.text()
    assert "Tempo: normal · Gruppe hat am 2026-11-02 begonnen" in text and "standard" not in text
    h.mod.locale = "de"
    info = (await h.run(h.mod, "cohort info", cohort="spring")).message.text()
    assert "(normal)" in info and "Berichtskanal: keine" in info


def test_every_label_of_a_stored_value_reads_german():
    """Stored values (paces, weekdays, pace states) are shown through labels; each one is translated."""
    from bot import render
    from bot.render.common import pace_label
    from bot.services.progress.pace import PaceStatus
    from bot.services.validation import PACES

    states = [("not-started", 3), ("on-track", 0), ("ahead", 2), ("behind", -2), ("finished", 0), ("finished", 4)]
    english = {
        "paces": [render.pace_name(p) for p in PACES],
        "weekdays": [render.weekday_name(i) for i in range(7)],
        "states": [pace_label(PaceStatus(kind, n)) for kind, n in states],
        "streaks": [render.streak_text(2, 5), render.streak_text(0, 3), render.streak_text(0, 0)],
    }
    with i18n.using("de"):
        german = {
            "paces": [render.pace_name(p) for p in PACES],
            "weekdays": [render.weekday_name(i) for i in range(7)],
            "states": [pace_label(PaceStatus(kind, n)) for kind, n in states],
            "streaks": [render.streak_text(2, 5), render.streak_text(0, 3), render.streak_text(0, 0)],
        }
    assert german["paces"] == ["entspannt", "normal", "intensiv"]
    assert german["weekdays"][0] == "Montag" and german["weekdays"][6] == "Sonntag"
    for group, labels in german.items():
        assert all(de != en for de, en in zip(labels, english[group], strict=True)), group


def test_every_permission_the_bot_names_is_translated():
    """Permission names reach answers as lists (what the bot or the caller lacks): each one the bot can
    name is in PERMISSION_NAMES, whose catalog entries the check above holds."""
    from bot.discord_side import access, threads

    named = {
        name
        for needed in (access.THREAD_PERMISSIONS, access.POSTING, access.WRITING, threads.OPENING)
        for name in needed
    }
    named |= {name for needed in access.CALLER_NEEDS.values() for name in needed}
    assert named <= set(i18n.PERMISSION_NAMES)
    with i18n.using("de"):
        assert i18n.permission_list(("View Channel", "Manage Roles")) == "**Kanal ansehen**, **Rollen verwalten**"
