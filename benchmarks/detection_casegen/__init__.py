"""Templates for the labelled detection set in benchmarks/detection_cases (see make_detection_cases.py)."""
