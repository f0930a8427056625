"""好差评: applicants rate finished cases; bad ratings open a rectification (整改) loop."""
