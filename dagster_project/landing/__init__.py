"""Stage: landing."""
