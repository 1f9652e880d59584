"""The export as a spreadsheet: one row per record (membership, done, skip, review, check-in, share), in
the cohort's timezone, every cell safe to open in a spreadsheet app (OWASP's CSV injection list)."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.usertext import user_mention

CSV_COLUMNS = (
    "record",
    "guild_id",
    "cohort",
    "user_id",
    "name",
    "topic_id",
    "topic_title",
    "at",
    "note",
    "minutes",
    "current_topic_id",
    "joined_at",
    "left_at",
    "buddy_opt_in",
    "stage_id",
    "url",
)


def local_time(value: str | None, timezone: str) -> str | None:
    """A stored time as people read it: in the cohort's timezone, ISO 8601 with its offset, to the second."""
    if not value:
        return None
    return datetime.fromisoformat(value).astimezone(ZoneInfo(timezone)).replace(microsecond=0).isoformat()


def history_record(event: dict[str, Any]) -> str:
    """What a done or skip is in the CSV: `done` when it counted, `review` for a topic done again, `skip`."""
    if event["kind"] == "done":
        return "done" if event.get("counted", True) else "review"
    return event["kind"]


# What makes a spreadsheet read a cell as a formula (OWASP's CSV injection list).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> object:
    """A cell a spreadsheet shows as text: one starting like a formula gets a leading `'`."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def export_file_name(cohort_name: str, extension: str = "csv") -> str:
    """`<cohort>.<extension>` from only `[a-z0-9_-]`, so no name can reach outside the download folder."""
    ascii_name = unicodedata.normalize("NFKD", cohort_name).encode("ascii", "ignore").decode().casefold()
    stem = re.sub(r"[^a-z0-9_-]+", "-", ascii_name).strip("-")[:50]
    return f"{stem or 'cohort'}.{extension}"


class _SafeWriter(csv.DictWriter):
    def writerow(self, rowdict: dict[str, Any]) -> Any:
        return super().writerow({k: spreadsheet_safe(v) for k, v in rowdict.items()})


def spreadsheet_user_id(user_id: str) -> str:
    """A member's id as Discord writes a mention (`<@id>`): text to a spreadsheet, so all 18-20 digits
    stay (as a number it would be rounded to 15), and pasted into Discord it names the member."""
    return user_mention(user_id)


def spreadsheet_guild_id(guild_id: str) -> str:
    """A server's id as the link that opens it in Discord: text to a spreadsheet, every digit kept."""
    return f"https://discord.com/channels/{guild_id}"


def _span(row: dict[str, Any]) -> int | None:
    """Whole minutes a study-room row lasted as recorded (None: still open)."""
    if row["ended_at"] is None:
        return None
    seconds = (datetime.fromisoformat(row["ended_at"]) - datetime.fromisoformat(row["started_at"])).total_seconds()
    return int(seconds // 60)


def to_csv(cohorts: list[dict[str, Any]]) -> str:
    """One flat table for spreadsheets: a row per member, per done/skip, per check-in and per project
    share (`record` says which). Ids are written as text that keeps every digit; every cell a spreadsheet
    would run as a formula is kept as text. Programs read the JSON export (`studybot export`), which has plain ids."""
    out = io.StringIO()
    writer = _SafeWriter(out, fieldnames=CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for c in cohorts:
        zone = c["timezone"]
        for m in c["members"]:
            base = {
                "guild_id": spreadsheet_guild_id(c["guild_id"]),
                "cohort": c["name"],
                "user_id": spreadsheet_user_id(m["user_id"]),
                "name": m["name"],
            }
            writer.writerow(
                base
                | {
                    "record": "member",
                    "current_topic_id": m["current_topic_id"],
                    "topic_title": m.get("current_topic_title"),
                    "joined_at": local_time(m["joined_at"], zone),
                    "left_at": local_time(m["left_at"], zone),
                    "buddy_opt_in": "yes" if m["buddy_opt_in"] else "no",
                }
            )
            for e in m["history"]:
                writer.writerow(
                    base
                    | {
                        "record": history_record(e),
                        "topic_id": e["topic_id"],
                        "topic_title": e.get("topic_title"),
                        "at": local_time(e["at"], zone),
                        "note": e["note"],
                    }
                )
            for k in m["checkins"]:
                at = local_time(k["at"], zone)
                writer.writerow(base | {"record": "checkin", "at": at, "minutes": k["minutes"], "note": k["note"]})
            for r in m.get("study_sessions", []):
                kind = "focus_round" if r.get("source") == "focus" else "study_room"
                room = {"record": kind, "at": local_time(r["started_at"], zone), "minutes": _span(r)}
                writer.writerow(base | room | {"topic_id": r["topic_id"], "topic_title": r.get("topic_title")})
            for p in m["shares"]:
                share = {"record": "share", "at": local_time(p["at"], zone), "note": p["note"]}
                writer.writerow(base | share | {"stage_id": p["stage_id"], "url": p["url"]})
    return out.getvalue()
