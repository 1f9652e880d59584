"""Embeds and message texts built from service results. No database access, no side effects.

One module per reader; everything is reachable as `bot.render.<name>`."""

from __future__ import annotations

from bot.render.buddies import buddy_embed, buddy_status_embed, standing_text
from bot.render.cohort import (
    MEMBERS_PER_PAGE,
    cohort_embed,
    cohort_list_embed,
    deletion_question,
    export_summary,
    member_page_count,
    members_page,
    report_embed,
    schedule_text,
)
from bot.render.common import (
    BAR_WIDTH,
    COLOUR,
    CURRENT_MARK,
    DONE_MARK,
    TODO_MARK,
    bar,
    fit_items,
    local_time,
    pace_name,
    role_line,
    thread_line,
    thread_problem,
    weekday_name,
    weeks_text,
)
from bot.render.journey import (
    advance_text,
    checkin_text,
    joined_text,
    progress_embed,
    roadmap_embed,
    settings_embed,
    stage_embed,
    streak_text,
    topic_embed,
)
from bot.render.posts import MEDALS, dm_notice, leaderboard_embed, nudge_embed, share_embed

__all__ = [
    "BAR_WIDTH",
    "COLOUR",
    "CURRENT_MARK",
    "DONE_MARK",
    "MEDALS",
    "MEMBERS_PER_PAGE",
    "TODO_MARK",
    "advance_text",
    "bar",
    "buddy_embed",
    "buddy_status_embed",
    "checkin_text",
    "cohort_embed",
    "cohort_list_embed",
    "deletion_question",
    "dm_notice",
    "export_summary",
    "fit_items",
    "joined_text",
    "leaderboard_embed",
    "local_time",
    "member_page_count",
    "members_page",
    "nudge_embed",
    "pace_name",
    "progress_embed",
    "report_embed",
    "roadmap_embed",
    "role_line",
    "schedule_text",
    "settings_embed",
    "share_embed",
    "stage_embed",
    "standing_text",
    "streak_text",
    "thread_line",
    "thread_problem",
    "topic_embed",
    "weekday_name",
    "weeks_text",
]
