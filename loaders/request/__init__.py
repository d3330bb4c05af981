"""What a caller asks for: period, filters, grouping (LeadQuery) and the viewer's scope.

Pure Python at the bottom of loaders/: imports only common."""
