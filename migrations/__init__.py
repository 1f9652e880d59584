"""Alembic migrations, shipped inside the package so `studybot migrate` works from any install."""
