"""Stage: stats."""
