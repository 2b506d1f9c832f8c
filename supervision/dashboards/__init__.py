"""Leadership dashboards: the county overview, the school × indicator matrix, the bodies' board, trends and early
warnings, drawn from stored results only (nothing is recomputed on a page view)."""
