"""Studying together: buddies and the project showcase."""
