"""In-app notifications, per-user choices of what to receive, and the email outbox."""
