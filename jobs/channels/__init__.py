"""The messengers the bot reaches people through, and how reachable each one is now."""
