"""The web app: unit pages behind signed links (no account needed)."""
