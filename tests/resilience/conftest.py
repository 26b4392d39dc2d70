"""The resilience suite: faults, load and hostile input against real processes and servers.

Support modules here carry topic-prefixed names (``outage_support``, ``corpus_support`` …) because
test directories are not packages and pytest puts each on ``sys.path``."""
