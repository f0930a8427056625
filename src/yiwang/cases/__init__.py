"""办件: applications, one-window acceptance, BPMN approval by departments in parallel, timelines."""
