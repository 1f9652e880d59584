"""studybot: a Discord bot for study groups working through a learning roadmap together."""
