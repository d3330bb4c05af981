"""Sign-in and access: the access file, roles and grants, the viewer, the sign-in pages.

May import loaders.request and common; never the other dashboard sub-packages."""
