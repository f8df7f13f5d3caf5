"""Generator of realistic POET survey returns."""
