"""Moderation: screens every received submission (text against the lexicon and contact
patterns, photos with Pillow), approves, flags or rejects it, and lets moderators clear what
was flagged."""
