"""What changes Discord for a cohort (threads, roles, events, posts, leftovers), and `access`: who may."""
