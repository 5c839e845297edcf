"""Docker Swarm parts of the spawner: pure spec builders and the engine wrapper."""
