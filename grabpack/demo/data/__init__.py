"""The demo's invented tables: organisations, ward behaviour, names and text banks.

Kept apart from the code that uses them so that changing what the demo says
never means reading how it is built. Tables are written as text, one row a
line, because that is how a reviewer checks them.
"""
