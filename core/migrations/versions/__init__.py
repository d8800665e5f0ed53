"""Migration scripts, oldest first; each names its parent revision."""
