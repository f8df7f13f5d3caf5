"""Stage: reports (the national report, a local report per organisation, accessible tables)."""
