"""The API's representations, one module per resource."""
