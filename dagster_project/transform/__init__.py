"""Stage: transform."""
