"""Study time: minutes in a cohort's voice study room, counted by one set of rules (`rules`)."""
