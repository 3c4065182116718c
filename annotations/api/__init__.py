"""The REST API of API.md: thin views that parse input, call one service or selector,
and serialize the result. One module per resource."""
