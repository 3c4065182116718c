"""Files in and out: article files read for import, annotations written as exports.

A pipeline, as doccano's: a selector gives the filtered rows, `records.py`
turns each into an export record, a writer per format streams it
(`stream.py` gathers the pieces and runs COPY), and `registry.py` names each
format with its media type. Nothing holds all rows at once.
"""
