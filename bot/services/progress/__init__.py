"""A member's way through the roadmap: moves, views, pace, streaks, leaderboards."""
