"""A package that breaks its layers on purpose: `fixturepkg.core.settings` imports `fixturepkg.web.app`."""
