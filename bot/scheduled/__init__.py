"""The clock: what the scheduler runs each tick and the fan-out of sends."""
