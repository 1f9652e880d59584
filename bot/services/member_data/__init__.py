"""Members' data: export and forget-me."""
