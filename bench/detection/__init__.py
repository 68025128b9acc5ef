"""Labelled detection corpus and the detection accuracy/throughput benchmark."""
