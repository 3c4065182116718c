"""Every write to articles, annotations and users goes through these modules.

Each service takes keyword-only arguments, checks who may do it and whether
the object's state allows it, runs in one transaction (locking the row it
changes), and raises a domain error (`domain/errors.py`) when it refuses. The
history event of a change is written in the same transaction as the change.
"""
