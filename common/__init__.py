"""What every layer may import: typed errors for people, and the settings registry.

Imports nothing of Leadline; pages, dashboard, loaders and metrics may all import it."""
