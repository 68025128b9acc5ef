"""Public, independently annotated corpora for the detection benchmark (held out: scored,
never used to write rules), and third-party baselines (DataFog, scrubadub).

See ``README.md`` in this directory for sources, licences, subsets and label mappings.
"""
