"""Finding topics and stages from what a person typed."""

from __future__ import annotations

import difflib

from bot.db.models import Cohort
from bot.i18n import Text
from bot.roadmap import Roadmap, RoadmapCatalog, Stage, TopicRef
from bot.services.errors import InvalidInput, NotFound, did_you_mean
from bot.usertext import QUOTE_MAX, md

AUTOCOMPLETE_LIMIT = 25


def find_topic(roadmap: Roadmap, query: str) -> TopicRef:
    """A topic by id, by title (any case), or by a unique part of its title; NotFound suggests close ones."""
    text = query.strip()
    ref = roadmap.topic(text)
    if ref is not None:
        return ref
    folded = text.casefold()
    by_title = [r for r in roadmap.topics if r.topic.title.casefold() == folded]
    if len(by_title) == 1:
        return by_title[0]
    partial = [r for r in roadmap.topics if folded and folded in r.topic.title.casefold()]
    if len(partial) == 1:
        return partial[0]
    titles = [r.topic.title for r in roadmap.topics]
    close = [r.topic.title for r in partial[:3]] or difflib.get_close_matches(text, titles, n=3, cutoff=0.4)
    raise NotFound(
        Text(
            "There is no topic called **{text}** in the roadmap.{value} Pick one "
            "from the autocomplete list, or see `/roadmap`.",
            text=md(text, QUOTE_MAX),
            value=did_you_mean(close),
        )
    )


def search_topics(roadmap: Roadmap, query: str) -> list[TopicRef]:
    """Topics whose title or id contains `query`, in roadmap order, at most 25 (Discord's limit)."""
    folded = query.strip().casefold()
    hits = [r for r in roadmap.topics if folded in r.topic.title.casefold() or folded in r.id]
    return hits[:AUTOCOMPLETE_LIMIT]


def find_stage(roadmap: Roadmap, query: str) -> Stage:
    """A stage by id, by number (1-based), or by title; NotFound suggests close ones."""
    text = query.strip()
    stage = roadmap.stage(text)
    if stage is not None:
        return stage
    if text.isdigit() and 1 <= int(text) <= len(roadmap.stages):
        return roadmap.stages[int(text) - 1]
    folded = text.casefold()
    matches = [s for s in roadmap.stages if folded and folded in s.title.casefold()]
    if len(matches) == 1:
        return matches[0]
    close = difflib.get_close_matches(text, [s.title for s in roadmap.stages], n=3, cutoff=0.4)
    raise NotFound(
        Text(
            "There is no stage called **{text}**.{value} Use `/roadmap` to list the stages.",
            text=md(text, QUOTE_MAX),
            value=did_you_mean(close),
        )
    )


def search_stages(roadmap: Roadmap, query: str) -> list[Stage]:
    """Stages whose title or id contains `query`, at most 25."""
    folded = query.strip().casefold()
    return [s for s in roadmap.stages if folded in s.title.casefold() or folded in s.id][:AUTOCOMPLETE_LIMIT]


def cohort_roadmap(catalog: RoadmapCatalog, cohort: Cohort) -> Roadmap:
    """The roadmap a cohort follows; refused clearly if this process was started without it."""
    if cohort.roadmap_id not in catalog:
        raise NotFound(
            Text(
                "The cohort **{cohort}** follows the roadmap `{cohort_roadmap_id}`, "
                "which this bot has not loaded. Ask the bot's operator to put it back "
                "in ROADMAPS_DIR.",
                cohort=md(cohort.name),
                cohort_roadmap_id=cohort.roadmap_id,
            )
        )
    return catalog[cohort.roadmap_id]


def find_roadmap(catalog: RoadmapCatalog, query: str) -> str:
    """The key of the roadmap a moderator typed: its key or its title, any case."""
    text = query.strip()
    folded = text.casefold()
    for key, roadmap in catalog.items():
        if folded in (key, roadmap.title.casefold()):
            return key
    offered = ", ".join(f"**{r.title}** (`{k}`)" for k, r in catalog.items())
    raise InvalidInput(
        Text(
            "There is no roadmap called **{text}**. This bot offers: {offered}.",
            text=md(text, QUOTE_MAX),
            offered=offered,
        )
    )


def search_roadmaps(catalog: RoadmapCatalog, query: str) -> list[tuple[str, Roadmap]]:
    """Roadmaps whose key or title contains `query`, default first, at most 25."""
    folded = query.strip().casefold()
    return [(k, r) for k, r in catalog.items() if folded in k or folded in r.title.casefold()][:AUTOCOMPLETE_LIMIT]
