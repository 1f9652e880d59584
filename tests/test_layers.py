"""The layers of `bot/` hold: no module imports from a layer above its own (TYPE_CHECKING imports too).

The order is the README's: foundations < db < services < render < discord_side < ui < cogs, scheduled, web
< process < cli, sandbox. A module may import from its own layer and from any layer below."""

from __future__ import annotations

import ast
import itertools
from pathlib import Path

import pytest

BOT = Path(__file__).resolve().parents[1] / "bot"

# Each layer: its rank, and the modules or packages it holds (a package holds everything under it).
LAYERS: dict[str, tuple[int, tuple[str, ...]]] = {
    "foundations": (
        0,
        ("bot", "bot.config", "bot.logs", "bot.metrics", "bot.i18n", "bot.usertext", "bot.roadmap", "bot.lookalike"),
    ),
    "db": (1, ("bot.db",)),
    "services": (2, ("bot.services",)),
    "render": (3, ("bot.render",)),
    "discord_side": (4, ("bot.discord_side",)),
    "ui": (5, ("bot.ui",)),
    "cogs": (6, ("bot.cogs",)),
    "scheduled": (6, ("bot.scheduled",)),
    "web": (6, ("bot.web",)),
    "process": (7, ("bot.process",)),
    "cli": (8, ("bot.cli", "bot.__main__")),
    "sandbox": (8, ("bot.sandbox",)),
}


def layer_of(module: str) -> str:
    """The layer holding `module` (the longest matching prefix; `bot` alone is the foundations' package)."""
    best, length = None, -1
    for name, (_, prefixes) in LAYERS.items():
        for prefix in prefixes:
            holds = module == prefix or (prefix != "bot" and module.startswith(prefix + "."))
            if holds and len(prefix) > length:
                best, length = name, len(prefix)
    if best is None:
        raise LookupError(f"{module} is in no layer: add it to LAYERS and to the README's architecture section")
    return best


def module_name(path: Path) -> str:
    parts = list(path.relative_to(BOT.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> list[tuple[int, str]]:
    """Every `bot...` module `path` imports, with its line: `from bot import x` names the module bot.x
    when bot/x.py exists, since that is the module it loads."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names if alias.name.split(".")[0] == "bot"]
        elif (
            isinstance(node, ast.ImportFrom) and node.level == 0 and node.module and node.module.split(".")[0] == "bot"
        ):
            for alias in node.names:
                child = f"{node.module}.{alias.name}"
                is_module = (BOT.parent / child.replace(".", "/")).with_suffix(".py").exists() or (
                    BOT.parent / child.replace(".", "/") / "__init__.py"
                ).exists()
                found.append((node.lineno, child if is_module else node.module))
    return found


def upward_imports() -> list[str]:
    """Each import in `bot/` that points to a layer above the importing module's, as 'file:line: a -> b'."""
    wrong = []
    for path in sorted(BOT.rglob("*.py")):
        source = module_name(path)
        rank = LAYERS[layer_of(source)][0]
        for line, target in imports_of(path):
            if LAYERS[layer_of(target)][0] > rank:
                wrong.append(
                    f"{path.relative_to(BOT.parent)}:{line}: {layer_of(source)} -> {layer_of(target)} ({target})"
                )
    return wrong


def test_no_module_imports_from_a_layer_above_its_own():
    assert upward_imports() == []


def test_every_module_is_in_a_layer():
    for path in BOT.rglob("*.py"):
        layer_of(module_name(path))  # raises for a module no layer holds


@pytest.mark.parametrize(
    ("source", "target", "allowed"),
    [
        ("bot.services.progress.views", "bot.discord_side.threads", False),
        ("bot.services.progress.views", "bot.i18n", True),
        ("bot.render.cards", "bot.ui.host", False),
        ("bot.cogs.member", "bot.scheduled.fanout", True),  # same rank
        ("bot.process.runner", "bot.cli", False),
        ("bot.db.models", "bot.roadmap", True),
    ],
)
def test_the_rule_itself(source, target, allowed):
    """The check sees an upward import as one (so an empty list above means something)."""
    assert (LAYERS[layer_of(target)][0] <= LAYERS[layer_of(source)][0]) is allowed


def test_the_readme_names_the_same_order():
    readme = (BOT.parent / "README.md").read_text()
    order = "foundations < db < services < render < discord_side < ui < cogs, scheduled, web < process < cli, sandbox"
    assert order in " ".join(readme.split())


# What words a text (bot.i18n): the domain hands keys and values (Text, Later) to rendering instead.
WORDING = {"t", "plural", "days", "weeks", "number", "wait_time", "span_of"}


def _spells_a_mention(node: ast.AST) -> bool:
    """A format key or f-string that writes Discord's mention syntax: '<#{channel_id}>', f'<@&{role}>'."""
    if isinstance(node, ast.JoinedStr):
        parts = node.values
        return any(
            isinstance(a, ast.Constant) and str(a.value).endswith(MENTION_STARTS) and isinstance(b, ast.FormattedValue)
            for a, b in itertools.pairwise(parts)
        )
    return (
        isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and any(f"{start}{{" in node.value for start in MENTION_STARTS)
    )


MENTION_STARTS = ("<#", "<@", "<@&", "<@!")


def wording_in_services() -> list[str]:
    """Calls in bot/services that word a text, and texts that spell Discord's mention syntax."""
    found = []
    for path in sorted((BOT / "services").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            where = f"{path.relative_to(BOT.parent)}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.Call):
                name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
                if name in WORDING:
                    found.append(f"{where}: {name}()")
            elif _spells_a_mention(node):
                found.append(f"{where}: Discord's mention syntax")
    return found


def test_the_check_sees_wording_and_mentions():
    code = ast.parse('t("x")\nf"<#{channel}>"\nText("in <@&{role_id}>", role_id=1)\nText("<@id> in a docstring")')
    calls = [n for n in ast.walk(code) if isinstance(n, ast.Call) and getattr(n.func, "id", "") in WORDING]
    assert len(calls) == 1
    assert [type(n).__name__ for n in ast.walk(code) if _spells_a_mention(n)] == ["JoinedStr", "Constant"]


def test_the_domain_returns_keys_and_values_never_words():
    assert wording_in_services() == []
