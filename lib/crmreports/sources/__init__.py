"""Where data comes from: the amoCRM API client and sync, the API-to-store mapping, the demo account, the
large synthetic store for benchmarks, export-file imports, and a stand-in amoCRM server for tests."""
