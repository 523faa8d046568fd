"""The tamper-evident audit log: recording, sealing into a hash chain, verifying, browsing."""
