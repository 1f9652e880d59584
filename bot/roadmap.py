"""The roadmap file: pydantic models, a loader with clear errors, and lookups by id."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


_ID_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


class Weeks(_Strict):
    """A stage's time budget in weeks."""

    min: float = Field(gt=0)
    max: float = Field(gt=0)
    estimate: bool = False

    @model_validator(mode="after")
    def _min_not_above_max(self) -> Weeks:
        if self.min > self.max:
            raise ValueError(f"min ({self.min:g}) must not be greater than max ({self.max:g})")
        return self


class Topic(_Strict):
    """One thing to learn; its id is the key progress is stored under."""

    id: str = Field(pattern=_ID_PATTERN, max_length=64)
    title: str = Field(min_length=1, max_length=100)
    learn: list[str] = Field(min_length=1)


class Stage(_Strict):
    """A block of topics with a time budget and project ideas."""

    id: str = Field(pattern=_ID_PATTERN, max_length=64)
    title: str = Field(min_length=1, max_length=100)
    summary: str = Field(min_length=1, max_length=1000)
    weeks: Weeks
    topics: list[Topic] = Field(min_length=1)
    projects: list[str] = Field(min_length=1, max_length=3)


@dataclass(frozen=True, slots=True)
class TopicRef:
    """A topic with its place in the roadmap."""

    topic: Topic
    stage: Stage
    stage_index: int
    index: int  # position among all topics, 0-based
    stage_count: int  # stages in its roadmap, for "stage 2/8"

    @property
    def id(self) -> str:
        return self.topic.id


class Roadmap(_Strict):
    """The whole roadmap. Build it with `load_roadmap` to get file-aware errors."""

    title: str = Field(min_length=1, max_length=100)
    stages: list[Stage] = Field(min_length=1)

    @cached_property
    def topics(self) -> tuple[TopicRef, ...]:
        """Every topic in learning order."""
        refs: list[TopicRef] = []
        for stage_index, stage in enumerate(self.stages):
            for topic in stage.topics:
                refs.append(TopicRef(topic, stage, stage_index, len(refs), len(self.stages)))
        return tuple(refs)

    @cached_property
    def _by_topic_id(self) -> dict[str, TopicRef]:
        return {ref.id: ref for ref in self.topics}

    @cached_property
    def _by_stage_id(self) -> dict[str, Stage]:
        return {stage.id: stage for stage in self.stages}

    def topic(self, topic_id: str) -> TopicRef | None:
        """The topic with this id, or None when the roadmap has no such topic."""
        return self._by_topic_id.get(topic_id)

    def stage(self, stage_id: str) -> Stage | None:
        """The stage with this id, or None."""
        return self._by_stage_id.get(stage_id)

    @property
    def first_topic(self) -> TopicRef:
        return self.topics[0]

    @cached_property
    def topic_ids(self) -> frozenset[str]:
        return frozenset(self._by_topic_id)


class RoadmapError(Exception):
    """A roadmap file that cannot be used; `errors` are `field.path: message` lines."""

    def __init__(self, path: Path, errors: list[str], *, unreadable: bool = False) -> None:
        self.path = path
        self.errors = errors
        self.unreadable = unreadable  # the file could not be read as text at all (missing, not UTF-8)
        super().__init__("\n".join(f"{path}: {e}" for e in errors))


def _loc_to_path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(top level)"


def _duplicate_id_errors(data: Roadmap) -> list[str]:
    seen: dict[str, str] = {}
    errors: list[str] = []

    def check(path: str, value: str) -> None:
        if value in seen:
            errors.append(f'{path}: duplicate id "{value}" (first used at {seen[value]})')
        else:
            seen[value] = path

    for s, stage in enumerate(data.stages):
        check(f"stages[{s}].id", stage.id)
        for t, topic in enumerate(stage.topics):
            check(f"stages[{s}].topics[{t}].id", topic.id)
    return errors


def parse_roadmap(raw: Any, path: Path) -> Roadmap:
    """Validate already-parsed YAML data; raise RoadmapError naming `path` and field paths."""
    if not isinstance(raw, dict):
        raise RoadmapError(path, ["(top level): expected a mapping with 'title' and 'stages'"])
    try:
        roadmap = Roadmap.model_validate(raw)
    except ValidationError as exc:
        errors = [f"{_loc_to_path(err['loc'])}: {err['msg']}" for err in exc.errors()]
        raise RoadmapError(path, errors) from None
    duplicates = _duplicate_id_errors(roadmap)
    if duplicates:
        raise RoadmapError(path, duplicates)
    return roadmap


def load_roadmap(path: str | Path) -> Roadmap:
    """Read and validate a roadmap file; every problem is reported, not only the first."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RoadmapError(path, [f"cannot read the file: {exc.strerror or exc}"], unreadable=True) from None
    except UnicodeDecodeError as exc:
        byte = exc.object[exc.start]
        problem = f"not UTF-8 text (byte 0x{byte:02x} at position {exc.start}); save the file as UTF-8"
        raise RoadmapError(path, [problem], unreadable=True) from None
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise RoadmapError(path, [f"{where}invalid YAML: {problem}"]) from None
    return parse_roadmap(raw, path)


def week_span(low: float, high: float) -> str:
    """'1 week', '4 weeks', '4-6 weeks': a range only when there is one."""
    if low == high:
        return f"{low:g} week" if low == 1 else f"{low:g} weeks"
    return f"{low:g}-{high:g} weeks"


def summarize(roadmap: Roadmap) -> str:
    """A human summary for `studybot check-roadmap`."""
    lo = sum(s.weeks.min for s in roadmap.stages)
    hi = sum(s.weeks.max for s in roadmap.stages)
    lines = [
        f"{roadmap.title}: {len(roadmap.stages)} stages, {len(roadmap.topics)} topics, {week_span(lo, hi)} in total"
    ]
    for i, stage in enumerate(roadmap.stages, 1):
        est = " (estimate)" if stage.weeks.estimate else ""
        lines.append(
            f"  {i}. {stage.title} [{stage.id}]: {len(stage.topics)} topics, "
            f"{week_span(stage.weeks.min, stage.weeks.max)}{est}"
        )
    return "\n".join(lines)


DEFAULT_ROADMAP = "default"
_KEY_RE = re.compile(_ID_PATTERN)


@dataclass(frozen=True, slots=True)
class RoadmapCatalog:
    """Every roadmap this bot offers, by key: `default` (ROADMAP_PATH) first, then ROADMAPS_DIR's files by name."""

    by_key: dict[str, Roadmap]

    @classmethod
    def single(cls, roadmap: Roadmap) -> RoadmapCatalog:
        """A catalog holding only the default roadmap."""
        return cls({DEFAULT_ROADMAP: roadmap})

    @property
    def default(self) -> Roadmap:
        return self.by_key[DEFAULT_ROADMAP]

    def __getitem__(self, key: str) -> Roadmap:
        return self.by_key[key]

    def get(self, key: str | None) -> Roadmap:
        """The roadmap with this key, or the default one for None or an unknown key."""
        return self.by_key.get(key or DEFAULT_ROADMAP, self.default)

    def __contains__(self, key: object) -> bool:
        return key in self.by_key

    def keys(self) -> list[str]:
        return list(self.by_key)

    def items(self) -> list[tuple[str, Roadmap]]:
        return list(self.by_key.items())


class RoadmapCatalogError(Exception):
    """One or more roadmap files that cannot be used; every file's problems are listed."""

    def __init__(self, errors: list[str], *, unreadable: bool = False) -> None:
        self.errors = errors
        self.unreadable = unreadable  # some file could not be read at all, rather than being invalid
        super().__init__("\n".join(errors))


def roadmap_files(directory: Path) -> list[Path]:
    """The roadmap files of a ROADMAPS_DIR: `*.yaml` and `*.yml`, sorted by name."""
    return sorted(p for p in directory.iterdir() if p.is_file() and p.suffix in (".yaml", ".yml"))


def load_catalog(default_path: str | Path, roadmaps_dir: str | Path | None = None) -> RoadmapCatalog:
    """The default roadmap plus one per file of `roadmaps_dir` (key = file name without extension).

    Every file is validated like roadmap.yaml and every problem of every file is reported at once,
    so an operator fixes them in one go.
    """
    errors: list[str] = []
    unreadable = False
    by_key: dict[str, Roadmap] = {}
    try:
        by_key[DEFAULT_ROADMAP] = load_roadmap(default_path)
    except RoadmapError as exc:
        errors.append(str(exc))
        unreadable |= exc.unreadable
    if roadmaps_dir is not None:
        directory = Path(roadmaps_dir)
        if not directory.is_dir():
            errors.append(f"{directory}: ROADMAPS_DIR is not a directory")
            unreadable = True
        else:
            for path in roadmap_files(directory):
                key = path.stem
                if not _KEY_RE.match(key) or len(key) > 64:
                    errors.append(
                        f"{path}: the file name is the roadmap's key and must be lowercase letters, digits and "
                        "dashes (like frontend.yaml or data-science.yaml)"
                    )
                    continue
                if key == DEFAULT_ROADMAP:
                    errors.append(f"{path}: the key 'default' is reserved for ROADMAP_PATH; rename the file")
                    continue
                if key in by_key:
                    errors.append(f"{path}: another file already has the key '{key}'")
                    continue
                try:
                    by_key[key] = load_roadmap(path)
                except RoadmapError as exc:
                    errors.append(str(exc))
                    unreadable |= exc.unreadable
    if errors:
        raise RoadmapCatalogError(errors, unreadable=unreadable)
    return RoadmapCatalog(by_key)
