"""`make bench`: load test of Roster against a bare logged-in Django view (see run.py)."""
