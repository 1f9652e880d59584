"""The running process: the app, the composition root, health, pacing."""
