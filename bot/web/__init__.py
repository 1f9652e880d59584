"""The read-only web pages the bot serves (WEB_PORT): a cohort's page and a member's own page."""
