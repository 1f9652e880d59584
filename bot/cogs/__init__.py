"""Discord-facing command handlers: parse options, check permissions, call a service, render a reply."""
