"""The async sync engine: polling, exactly-once writes, payments, refunds and the error queue. No Qt."""
