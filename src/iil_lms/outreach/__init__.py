"""Trainees' outreach items, their moderation, and each academy's public showcase."""
