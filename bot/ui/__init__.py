"""What members see and press, shared by the cogs and the fan-out: answers, error replies, views and the
nudge's buttons. Typed against `bot.ui.host.Host`, never the bot class, so nothing here imports bot.process.app."""
