"""Copydesk's rules as plain Python: no Django, no database.

What a span is and how it is checked, which fields each kind of annotation
has, which review moves exist, what an annotation record holds. The models,
services, API and desk all read these; an import-linter contract keeps Django
out of here.
"""
