"""Platform-neutral handlers: chat intents and scheduled jobs."""
