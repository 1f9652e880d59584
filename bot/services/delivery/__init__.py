"""What the scheduler sends, when, and within Discord's budget."""
