"""What every layer may import: typed errors for people, the settings registry, and Markdown escaping.

Imports nothing of Leadline; pages, dashboard, loaders and metrics may all import it."""
