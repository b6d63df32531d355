"""Reference (oracle) implementations the tests compare the reports' pushed-down reads with."""
