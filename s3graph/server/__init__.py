"""`s3graph serve`: a supervisor (`supervisor`) keeping server processes (`process`) on one
socket, each with a deadline watchdog (`watchdog`) and connection balancing (`balance`)."""
