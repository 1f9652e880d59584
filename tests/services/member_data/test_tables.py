"""The one list of tables holding a member's data names every such table, and drives the export too."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, ForeignKey, Integer, MetaData, Table

from bot.db.models import Base
from bot.services.member_data.tables import BY_MEMBERSHIP, tables_named

# Columns that hold who a member is: their membership, their Discord id, what they created.
MEMBER_COLUMNS = {"membership_id", "user_id", "created_by"}


def holding_member_data(metadata: MetaData) -> set[str]:
    """Tables with a member column, or a foreign key to a membership."""
    return {
        table.name
        for table in metadata.tables.values()
        if any(
            column.name in MEMBER_COLUMNS or any(fk.target_fullname == "memberships.id" for fk in column.foreign_keys)
            for column in table.columns
        )
    }


def test_every_table_with_member_data_is_named_once():
    named = set(tables_named())
    missing = holding_member_data(Base.metadata) - named
    assert not missing, f"add {sorted(missing)} to bot/services/member_data/tables.py, or forget-me misses them"
    assert {"memberships", "progress_events", "checkins", "role_grants", "cohorts", "deliveries"} <= named


def test_the_check_sees_a_new_table():
    """A table added without a word in the list is found, by its column or by its foreign key alone."""
    metadata = MetaData()
    Table("memberships", metadata, Column("id", Integer, primary_key=True))
    Table("focus_rounds", metadata, Column("membership_id", Integer), Column("minutes", Integer))
    Table("goals", metadata, Column("owner", Integer, ForeignKey("memberships.id")))
    Table("voice_users", metadata, Column("user_id", BigInteger))
    Table("roadmap_topics", metadata, Column("id", Integer, primary_key=True))
    assert holding_member_data(metadata) - set(tables_named()) == {"focus_rounds", "goals", "voice_users"}


async def test_what_the_list_says_is_exported_is_in_a_members_export(spring):
    h = spring
    await h.run(h.alice, "done")
    [cohort] = await h.bot.services.exports.export(guild_id=h.guild.id)
    [member] = [m for m in cohort["members"] if m["user_id"] == str(h.alice.id)]
    exported = {rows.exported for rows in BY_MEMBERSHIP if rows.exported}
    assert exported <= member.keys() and member["history"]
