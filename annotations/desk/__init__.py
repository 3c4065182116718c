"""The reviewers' desk: Django's admin site, one module per screen.

Thin by design: every write goes through the services with the signed-in user
as the actor, so the desk follows the same rules as the API.
"""
