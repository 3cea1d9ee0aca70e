"""towngrid_scenario: the Chengguan scenario, played through the services\x27 public HTTP APIs."""
