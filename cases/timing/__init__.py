"""Working days and the statutory clock: the calendar, day 0 and due dates, dates in words."""
