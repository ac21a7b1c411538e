"""Appeals (异议/申诉) against published results: the window, filing, answering and re-publishing, and their pages."""
