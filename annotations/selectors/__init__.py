"""Every read of articles, annotations and users: who sees what, with the joins
each consumer of the rows needs, so that no list costs a query per row."""
