"""电子监察: deadlines with yellow/red cards, 督办, KPIs, weekly reports and the dashboard."""
