"""The `leadline` sub-commands, one module each (serve, demo, check, metrics, import, refresh).

May import any other dashboard sub-package, loaders and below; never pages."""
