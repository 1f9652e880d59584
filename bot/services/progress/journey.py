"""The one rule for "finished": a stage is finished when every topic of it is done or skipped, the
roadmap when every topic is. Jumping ahead with /goto finishes nothing; where a member goes after
the last topic is the first one they have not covered yet.
"""

from __future__ import annotations

from bot.roadmap import Roadmap, Stage, TopicRef


def stage_finished(stage: Stage, covered: set[str]) -> bool:
    """Every topic of `stage` done or skipped."""
    return all(topic.id in covered for topic in stage.topics)


def roadmap_finished(roadmap: Roadmap, covered: set[str]) -> bool:
    """Every topic of the roadmap done or skipped."""
    return roadmap.topic_ids <= covered


def next_open(roadmap: Roadmap, covered: set[str], after: str) -> TopicRef | None:
    """The first topic after `after` (in roadmap order) not yet covered; past the end, the first one
    not covered from the start; None when every topic is."""
    ids = [ref.id for ref in roadmap.topics]
    start = ids.index(after) + 1 if after in ids else 0
    for topic_id in ids[start:] + ids[:start]:
        if topic_id not in covered:
            return roadmap.topic(topic_id)
    return None


def stages_completed_by(roadmap: Roadmap, covered_before: set[str], topic_id: str) -> list[Stage]:
    """The stages that covering `topic_id` finishes (those it belongs to, not finished before)."""
    after = covered_before | {topic_id}
    return [
        stage
        for stage in roadmap.stages
        if any(t.id == topic_id for t in stage.topics)
        and stage_finished(stage, after)
        and not stage_finished(stage, covered_before)
    ]
