"""What the product does, called by every surface (JSON API, web pages, CLI, workers): no HTTP,
no HTML. Each function takes a database session and a `service.core.access.Principal` and applies the
access policy itself."""
