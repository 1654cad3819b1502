"""The public mailbox in moderation: screening letters, routing them, holding units to their
deadlines, and the handler's desk."""
